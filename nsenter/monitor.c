// The exit-status monitor: what the C stage's first process becomes when
// the bootstrap carries a REC_MONITOR record (berth run -d, or create/run
// --keep-exit-status). It stays the parent of the container's init, reaps it
// and records how it ended in the state directory. It never enters the Go
// runtime, so it costs a few hundred KiB of memory and no threads.
#define _GNU_SOURCE
#include "monitor.h"
#include "splitpath.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int monitor_open_dir(const char *path, const char **base)
{
	char dir[4096];
	*base = split_path(path, dir, sizeof(dir));
	if (*base == NULL)
		return -1;
	if (*base == path + 1) {
		// A state dir is never the host's root.
		errno = EINVAL;
		return -1;
	}
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

// close_others closes every fd but keep: the monitor outlives the berth
// command that started it and must not hold its stdout open (a caller
// reading `berth run -d`'s output would wait for the container's end), nor
// the sync socket, the start socket or fds preserved for the container.
static void close_others(int keep)
{
	if (keep > 3 && syscall(SYS_close_range, 3, keep - 1, 0) < 0) {
		for (int fd = 3; fd < keep; fd++)
			close(fd);
	}
	if (syscall(SYS_close_range, keep + 1, ~0U, 0) < 0) {
		for (int fd = keep + 1; fd < 1024; fd++)
			close(fd);
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2 && null != keep)
			close(null);
	} else {
		close(0);
		close(1);
		close(2);
	}
}

static pid_t wait_any(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, 0);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

// write_status replaces base atomically (temp file + rename), so that a
// reader sees no status or the whole of it.
static void write_status(int dirfd, const char *base, int status)
{
	int code, sig = 0;
	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		code = 128 + sig;
	} else {
		code = WEXITSTATUS(status);
	}
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "{\"exitCode\":%d,\"signal\":%d}\n", code, sig);
	char tmp[300];
	snprintf(tmp, sizeof(tmp), ".%.250s.tmp", base);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	int ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	if (!ok || renameat(dirfd, tmp, dirfd, base) < 0)
		unlinkat(dirfd, tmp, 0);
}

void monitor_run(int dirfd, const char *base, pid_t stage)
{
	// The name says what it is in ps; the berth command line it was
	// started with would suggest a stuck init.
	prctl(PR_SET_NAME, "berth-monitor", 0, 0, 0);
	// base points into the bootstrap buffer, which stays allocated.
	close_others(dirfd);
	// Out of the caller's session and process group: a terminal's hangup
	// or ^C aimed at `berth run -d` must not end the record keeper.
	setsid();
	static const int ignored[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE,
		SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM };
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);

	int status;
	// The stage exits 0 once it has cloned the init and reported its pid;
	// anything else means create failed and berth cleans up.
	if (wait_any(stage, &status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		_exit(1);
	// Our only child now is the container's init (cloned by the stage
	// with CLONE_PARENT). ECHILD: it was never made.
	if (wait_any(-1, &status) < 0)
		_exit(1);
	write_status(dirfd, base, status);
	_exit(0);
}
