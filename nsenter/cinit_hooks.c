// The hooks that run inside the container for the C init: createContainer
// (after the mounts, before pivot_root) and startContainer (after start,
// before the process is executed), as package hooks runs them for the Go
// init, with the same semantics and words: the state JSON (written by the
// runtime) on stdin, the hook's args and env and nothing else, stdout to
// /dev/null, stderr kept for the error, a process group of its own that is
// killed whole at the timeout, and the first failure stops the container.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cinit.h"

struct hook {
	const char *kind; // "createContainer" or "startContainer"
	uint64_t index;
	const char *path;
	char **argv;
	char **env;
	int has_timeout;
	int64_t timeout; // seconds
	const char *state;
};

#define MAX_LATER_HOOKS 256
static struct hook later[MAX_LATER_HOOKS];
static int nlater;

// Go's names for signals (syscall.Signal.String), so that "signal: killed"
// reads as the Go init's.
static const char *const go_signals[] = {
	NULL, "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted",
	"bus error", "floating point exception", "killed", "user defined signal 1", "segmentation fault",
	"user defined signal 2", "broken pipe", "alarm clock", "terminated", "stack fault", "child exited",
	"continued", "stopped (signal)", "stopped", "stopped (tty input)", "stopped (tty output)",
	"urgent I/O condition", "CPU time limit exceeded", "file size limit exceeded", "virtual timer expired",
	"profiling timer expired", "window changed", "I/O possible", "power failure", "bad system call",
};

__attribute__((noreturn, format(printf, 2, 3))) static void hook_fail(const struct hook *h, const char *fmt, ...)
{
	char cause[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	cinit_why[0] = '\0'; // the cause is all in the message
	cinit_fail(0, "%s hook #%llu (%s): %s", h->kind, (unsigned long long)h->index, h->path, cause);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// trim_space cuts leading and trailing white space, as strings.TrimSpace.
static char *trim_space(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	size_t n = strlen(s);
	while (n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
		s[--n] = '\0';
	return s;
}

__attribute__((noreturn)) static void exec_hook(const struct hook *h, int in, int err, int report)
{
	if (setpgid(0, 0) < 0)
		goto fail;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0 || dup2(in, 0) < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	// Nothing of the init's (the sync socket, the start socket) reaches
	// the hook; report is close-on-exec and tells the parent why exec
	// failed.
	if (report > 3)
		syscall(SYS_close_range, 3, report - 1, 0);
	syscall(SYS_close_range, report + 1, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char *argv0[] = {(char *)h->path, NULL};
	execve(h->path, h->argv[0] != NULL ? h->argv : argv0, h->env);
fail:;
	int e = errno;
	if (write(report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void run_hook(const struct hook *h)
{
	if (h->has_timeout && h->timeout <= 0)
		hook_fail(h, "timeout must be positive, got %lld", (long long)h->timeout);
	int in[2], err[2], report[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		hook_fail(h, "pipe: %s", errstr(errno));
	pid_t pid = fork();
	if (pid < 0)
		hook_fail(h, "fork/exec %s: %s", h->path, errstr(errno));
	if (pid == 0)
		exec_hook(h, in[0], err[1], report[1]);
	close(in[0]);
	close(err[1]);
	close(report[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(report[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n == sizeof(e)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		hook_fail(h, "fork/exec %s: %s", h->path, errstr(e));
	}

	// Feed the state and collect stderr until the hook exits (or the
	// timeout), then give stderr half a second more, as exec.Cmd's
	// WaitDelay, for children of the hook that still hold it.
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		hook_fail(h, "pidfd_open: %s", errstr(errno));
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	const char *state = h->state;
	size_t left = strlen(state);
	char out[8192];
	size_t nout = 0;
	int64_t deadline = h->has_timeout ? now_ms() + h->timeout * 1000 : -1;
	int exited = 0, in_open = 1, err_open = 1;
	int64_t drain_until = -1;
	for (;;) {
		if (exited && (!err_open || now_ms() >= drain_until))
			break;
		struct pollfd fds[3] = {
			{.fd = err_open ? err[0] : -1, .events = POLLIN},
			{.fd = exited ? -1 : pidfd, .events = POLLIN},
			{.fd = in_open ? in[1] : -1, .events = POLLOUT},
		};
		int wait = -1;
		if (exited)
			wait = (int)(drain_until - now_ms());
		else if (deadline >= 0)
			wait = (int)(deadline - now_ms());
		if (wait < 0 && (exited || deadline >= 0))
			wait = 0;
		int r = poll(fds, 3, wait);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hook_fail(h, "poll: %s", errstr(errno));
		}
		if (r == 0) {
			if (exited)
				break; // stderr still held open after half a second
			kill(-pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			hook_fail(h, "timed out after %llds", (long long)h->timeout);
		}
		if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
			ssize_t w = write(in[1], state, left);
			if (w > 0) {
				state += w;
				left -= (size_t)w;
			}
			if (left == 0 || (w < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in[1]);
				in_open = 0;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char tmp[4096];
			ssize_t got = read(err[0], tmp, sizeof(tmp));
			if (got > 0) {
				size_t keep = (size_t)got;
				if (keep > sizeof(out) - 1 - nout)
					keep = sizeof(out) - 1 - nout;
				memcpy(out + nout, tmp, keep);
				nout += keep;
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				err_open = 0;
			}
		}
		if (!exited && (fds[1].revents & POLLIN)) {
			exited = 1;
			drain_until = now_ms() + 500;
		}
	}
	if (in_open)
		close(in[1]);
	close(err[0]);
	close(pidfd);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			hook_fail(h, "wait: %s", errstr(errno));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	char what[128];
	if (WIFEXITED(status)) {
		snprintf(what, sizeof(what), "exit status %d", WEXITSTATUS(status));
	} else {
		int sig = WTERMSIG(status);
		if (sig > 0 && sig < (int)(sizeof(go_signals) / sizeof(go_signals[0])))
			snprintf(what, sizeof(what), "signal: %s%s", go_signals[sig], WCOREDUMP(status) ? " (core dumped)" : "");
		else
			snprintf(what, sizeof(what), "signal: signal %d%s", sig, WCOREDUMP(status) ? " (core dumped)" : "");
	}
	out[nout] = '\0';
	char *msg = trim_space(out);
	if (*msg != '\0')
		hook_fail(h, "%s: %s", what, msg);
	hook_fail(h, "%s", what);
}

int hook_op(struct plan_reader *r)
{
	if (r->op != OP_HOOK)
		return 0;
	uint64_t later_ = rd_u64(r);
	struct hook h;
	uint64_t n;
	h.kind = rd_str(r);
	h.index = rd_u64(r);
	h.path = rd_str(r);
	h.argv = rd_strv(r, &n, 0);
	h.env = rd_strv(r, &n, 0);
	h.has_timeout = rd_u64(r) != 0;
	h.timeout = (int64_t)rd_u64(r);
	h.state = rd_str(r);
	if (!later_) {
		run_hook(&h);
		return 1;
	}
	if (nlater == MAX_LATER_HOOKS)
		cinit_fail(0, "plan: more than %d startContainer hooks", MAX_LATER_HOOKS);
	later[nlater++] = h;
	return 1;
}

void run_later_hooks(void)
{
	for (int i = 0; i < nlater; i++)
		run_hook(&later[i]);
}
