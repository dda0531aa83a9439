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

#ifndef __GLIBC__
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

// musl keeps signals 32 to 34 for itself, and its sigaction refuses them
// with EINVAL. 34 is not musl's alone: glibc, and `kill -l`, call it
// SIGRTMIN, users send it, and runc forwards it. musl uses it only while a
// setuid-like call is made on every thread (__synccall), which the runtime
// never does, and that code saves and restores the handler around it. So
// 34 is installed with the system call itself, in the kernel's layout.
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#if defined(__x86_64__)
// On x86-64 the kernel returns from a handler through a restorer that the
// caller supplies (SA_RESTORER): this one calls rt_sigreturn (15), as the C
// library's own does. Other architectures return through the vDSO.
#define KERNEL_SA_RESTORER 0x04000000
void sigforward_restore_rt(void);
__asm__(".text\n"
	".type sigforward_restore_rt,@function\n"
	"sigforward_restore_rt:\n"
	"\tmov $15, %rax\n"
	"\tsyscall\n");
#endif

static int install_reserved(int sig)
{
	struct kernel_sigaction ka;

	memset(&ka, 0, sizeof(ka));
	ka.handler = on_signal;
	ka.flags = SA_ONSTACK | SA_RESTART;
	ka.mask = ~(uint64_t)0;
#if defined(__x86_64__)
	ka.flags |= KERNEL_SA_RESTORER;
	ka.restorer = sigforward_restore_rt;
#elif !defined(__aarch64__)
	errno = EINVAL;
	return -1;
#endif
	return (int)syscall(SYS_rt_sigaction, sig, &ka, NULL, sizeof(ka.mask));
}
#endif

int sigforward_install(int fd, int sig)
{
	struct sigaction sa;

	forward_fd = fd;
#ifndef __GLIBC__
	if (sig >= 32 && sig <= 34)
		return install_reserved(sig);
#endif
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	// SA_ONSTACK: Go's threads run on small stacks and give each thread an
	// alternate signal stack; os/signal requires it of non-Go handlers.
	// SA_RESTART: the runtime's own syscalls need not see EINTR.
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}
