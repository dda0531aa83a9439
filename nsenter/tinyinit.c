// berth's built-in init (run --init, create --init, or the annotation
// run.berth.init=true): a minimal PID 1 for programs that do not act as one.
// It is the container's init process itself, kept in C: right after the C
// stage clones the init, the init forks; the child returns into the Go
// runtime and sets the container up and execs the user's program as usual,
// while PID 1 stays here and never starts the Go runtime. Nothing is added
// to the container's filesystem and no Go runtime idles as PID 1.
//
// PID 1 forwards every catchable signal to the child, reaps every zombie
// (orphans are reparented to it: as PID 1, or as a subreaper when the
// container shares a pid namespace) and exits with the child's status: its
// exit code, or 128+N when it was killed by signal N.
#define _GNU_SOURCE
#include "tinyinit.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// reap collects every exited child; it returns 1 and sets *status once the
// main child is among them.
static int reap(pid_t main_child, int *status)
{
	int found = 0;
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return found;
		if (pid == main_child) {
			*status = st;
			found = 1;
		}
	}
}

// drop_caps keeps only CAP_KILL (to signal a program running as another
// user): PID 1 runs no seccomp filter nor no_new_privs, so it keeps no
// privilege it does not use. Best effort: without it, it still works.
static void drop_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	data[0].effective = data[0].permitted = 1u << CAP_KILL;
	syscall(SYS_capset, &hdr, data);
}

void tinyinit_start(int syncfd)
{
	// The runtime writes the init's oom_score_adj before it sends the
	// config; waiting for the config (without reading it: the child
	// will) makes the child inherit it.
	char c;
	for (;;) {
		ssize_t n = recv(syncfd, &c, 1, MSG_PEEK);
		if (n == 1)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		_exit(1); // the runtime went away; it reports the failure
	}
	// Signals are blocked, never ignored or handled: a blocked signal
	// reaches even a pid namespace's init (which the kernel spares any
	// signal left at its default action), and sigwaitinfo takes it here.
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t child = fork();
	if (child < 0) {
		perror("berth-init: fork");
		_exit(1);
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		// Its own session, so that the Go init can take the terminal
		// (TIOCSCTTY needs a session leader) and the program gets the
		// terminal's signals once, from the terminal, not again from us.
		setsid();
		return; // into the Go runtime, which execs the user's program
	}

	prctl(PR_SET_NAME, "berth-init", 0, 0, 0);
	// Orphans of a container without its own pid namespace come to us.
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	// Not the sync or start sockets (the runtime detects the Go init's
	// death by EOF on them) nor anything else of the runtime's.
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	}

	drop_caps();

	int status = 0;
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);
		if (sig < 0)
			continue; // EINTR
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
			continue;
		}
		// A failure means the child has just exited; SIGCHLD follows.
		kill(child, sig);
	}
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}
