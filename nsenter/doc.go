// Package nsenter is berth's C stage: a constructor that runs before the Go
// runtime starts whenever this binary is re-executed as a container's init
// (the environment then carries _BERTH_SYNCFD).
//
// It must be C because joining a mount or user namespace (setns) and
// unsharing a user namespace are refused for multi-threaded processes, and the
// Go runtime is multi-threaded from its first instruction. The stage:
//
//  1. reads a bootstrap message from the sync socket (clone flags, namespace
//     paths to join, time namespace offsets);
//  2. joins the namespaces given by path, the user namespace first so that
//     the others can be joined with its privileges;
//  3. unshares a new user namespace, if asked, and waits while the parent
//     writes its uid/gid maps (a process cannot map itself with full ranges);
//  4. unshares the other namespaces and writes the time offsets, which the
//     kernel accepts only before any process lives in the new time namespace;
//  5. forks the container's init with CLONE_PARENT, so that the init is a
//     child of the berth process itself (which can then wait for its exit
//     status) and is inside the new pid and time namespaces, which only
//     children enter;
//  6. reports the init's pid and exits. The init either runs in C (below)
//     or returns from the constructor into the Go runtime (package
//     initproc).
//
// In place (a REC_IN_PLACE record), the stage is the init itself: the
// runtime starts it already in the container's new pid namespace (clone3
// with CLONE_NEWPID, and CLONE_INTO_CGROUP), it unshares the other
// namespaces (they apply to the caller) and, with no fork and no pid to
// report, carries on as the init (in C, or into the Go runtime). A stage process of its own, exiting
// once the init is forked, cost about 2 ms of every start. The runtime asks
// for it unless there is a monitor, a namespace to join by path, or a new
// user or time namespace: a user namespace must own the pid namespace, so
// it must exist first, and a new time namespace, like a pid namespace,
// takes in only children.
//
// The C init (a REC_CINIT bootstrap record; cinit.c and cinit_fs.c) is the
// default: the runtime sends a plan (package initplan) instead of the Go
// init's JSON config, and the init carries it out and execs the container's
// process without ever starting the Go runtime, whose boot cost 12-14 ms of
// every start. The plan has every option parsed into syscall arguments; the
// init does the syscalls and the checks that must look at the filesystem as
// it is (paths resolved with openat2 RESOLVE_IN_ROOT, /proc, /sys and /dev
// never through a symlink, mount destinations read back, /dev/null checked
// before masking); cinit_console.c gives the process its terminal,
// cinit_sysctl.c writes linux.sysctl and cinit_hooks.c runs the
// createContainer and startContainer hooks; a seccomp notify listener goes
// to the runtime, and idmapped trees made by the runtime come in, as with
// the Go init. The C init runs every config create accepts, and sets up
// the processes of `berth exec` too (an exec plan: no rootfs, no start);
// the Go init runs only when BERTH_INIT=go is set.
//
// Monitor mode (a REC_MONITOR bootstrap record: berth run -d, or
// --keep-exit-status): before step 2 the stage forks. The first process,
// started by berth outside the container's cgroup, becomes the monitor
// (monitor.c): it closes every fd but the state directory's, leaves the
// caller's session, ignores job-control and termination signals, reaps the
// namespace child and then the init (its child through CLONE_PARENT), and
// writes {"exitCode":N,"signal":S} to exit.json in the state directory
// (temp file + rename), then exits. It stays on the host, with the host's
// credentials, so it can write the state directory even when the
// container has a user namespace. It never starts the Go runtime (its RSS
// is about 1.6 MiB, mostly shared libc pages). The namespace child asks
// to be placed in the cgroup (MSG_STAGE_PID) and goes on with step 2.
//
// Built-in init (a REC_TINYINIT record: --init, or the annotation
// run.berth.init=true): right after step 5 the init forks (tinyinit.c). PID 1
// stays in C: it waits until the runtime's config is on the sync socket (so
// that the child inherits oom_score_adj, written before it), closes every fd
// but stdio, blocks all signals and loops on sigwaitinfo, forwarding each
// to the child and reaping every zombie, then exits with the child's status
// (128+N when killed by signal N). The child takes a session of its own and
// goes on as the init would, in C or in Go.
//
// The same C files are also built into the standalone stage
// (standalone/main.c, with -DBERTH_STANDALONE_STAGE): a small executable
// without a Go runtime that berth embeds and runs instead of its own binary
// whenever the init is in C (libcontainer/exeguard). There the constructor
// is the whole program; asked for the Go init, it fails with a message.
//
// Run with _BERTH_USERNS_HOLDER set instead, it only waits for its stdin to
// close: the runtime starts it in a new user namespace to get a handle on
// that namespace for an idmapped mount.
//
// Every failure is sent to the parent as one text message naming the step
// and the path, never as a bare exit status.
package nsenter
