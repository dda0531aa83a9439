// The signal handler of package sigforward: see doc.go.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

// The sending end of the socket pair, set before each handler is installed:
// a second Catch in one process sends every signal to its own pair (berth
// catches once per process).
static volatile int forward_fd = -1;

static void on_signal(int sig)
{
	// The handler may interrupt a syscall of any thread: keep its errno.
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	// send(2) is async-signal-safe. MSG_DONTWAIT: with the buffer full the
	// signal is dropped, never the thread stuck in a handler; MSG_NOSIGNAL:
	// no SIGPIPE, which this handler would catch again.
	ssize_t n = send(forward_fd, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
	errno = saved;
}

int sigforward_install(int fd, int sig)
{
	struct sigaction sa;

	forward_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	// SA_ONSTACK: Go's threads run on small stacks and give each thread an
	// alternate signal stack; os/signal requires it of non-Go handlers.
	// SA_RESTART: the runtime's own syscalls need not see EINTR.
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}
