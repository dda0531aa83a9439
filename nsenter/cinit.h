// The C init (cinit.c, cinit_fs.c): the container's init runs a plan that
// the runtime compiled from the spec, without ever starting the Go runtime.
// See doc.go. libcontainer/initplan writes the plans; the op codes and the
// field order of each op are shared with it.
#ifndef BERTH_CINIT_H
#define BERTH_CINIT_H

#include <stddef.h>
#include <stdint.h>

struct mount_attr;

// A plan is a list of ops: a uint32 code and a uint32 length in the host's
// byte order, then the op's fields. A field is a uint64 (host byte order),
// or a string: a uint32 length counting a final NUL, the bytes, the NUL.
enum {
	OP_HOSTNAME = 1, // name
	OP_DOMAINNAME = 2, // name
	OP_ROOT_PROPAGATION = 3, // flags, name
	OP_ROOTFS = 4, // rootfs: bind onto itself, open as the root of every later path
	OP_MOUNT = 5, // shown, dest, source, fstype, flags, data, is_proc, options
	OP_BIND = 6, // shown, dest, source as given, source, recursive, set, clear, options
	OP_FINISH = 7, // shown, dest, n, n propagation flags, attr_set, attr_clr, has_atime, atime
	OP_CGROUP = 8, // shown, dest, own_ns, flags, read_only, unified, n, n x (name, controllers, dir)
	OP_DEVICE = 9, // path as given, clean path, dir, base, mode, major, minor, uid, gid, user_ns
	OP_DEV_SYMLINKS = 10, // none: /dev/fd, stdin, stdout, stderr, ptmx
	OP_HOOKS = 11, // none: ask the runtime to run prestart and createRuntime hooks
	OP_PIVOT = 12, // rootfs
	OP_MOVE_ROOT = 13, // rootfs (--no-pivot)
	OP_SHARED_ROOT = 14, // recursive, name
	OP_MASK = 15, // path
	OP_READONLY = 16, // path
	OP_MKCWD = 17, // cwd
	OP_READONLY_ROOT = 18, // none
	OP_KEYRING = 19, // name, what the step is called in an error
	OP_RLIMIT = 20, // resource, soft, hard, name
	OP_PROCESS = 21, // last: see run_process in cinit.c
	OP_CONSOLE = 22, // has_size, width, height, dev_console: process.terminal (cinit_console.c)
	OP_SYSCTL = 23, // key, path under /proc, value (cinit_sysctl.c)
	OP_HOOK = 24, // after_start, kind, index, path, argv, env, has_timeout, timeout, state JSON (cinit_hooks.c)
	OP_IDMAP = 25, // index, shown, dest, source as given, set, clear, options: attach the runtime's idmapped tree
	OP_EXEC_MODE = 26, // none: a process of `berth exec`; no ready, no start, executed at once
};

struct plan_reader {
	const char *p;
	size_t left;
	uint32_t op;
};

uint64_t rd_u64(struct plan_reader *r);
const char *rd_str(struct plan_reader *r);
// rd_strv reads a count and that many strings into a NULL-terminated
// array with room for extra more; *count is the number read.
char **rd_strv(struct plan_reader *r, uint64_t *count, size_t extra);

// cinit_run never returns: it reads the plan from syncfd, runs it and execs
// the container's process, or reports the failure and exits. startfd_env
// is the listening start socket's fd number, as a string.
__attribute__((noreturn)) void cinit_run(int syncfd, const char *startfd_env);

// cinit_fail reports "<what>: <the error>" (the error is err's text in Go's
// words, or the text left by set_why when err is 0) to whoever waits: the
// runtime on the sync socket, or `berth start` once it is connected.
__attribute__((noreturn, format(printf, 2, 3))) void cinit_fail(int err, const char *fmt, ...);

// set_why leaves the text of an inner failure for the caller to wrap:
// functions that return -1 describe what went wrong with it.
__attribute__((format(printf, 1, 2))) void set_why(const char *fmt, ...);
extern char cinit_why[2048];

// errstr is strerror in the words Go uses ("no such file or directory"),
// so that the C and Go inits report alike.
const char *errstr(int err);

// fs_op runs one filesystem op of the plan (cinit_fs.c); it returns 0 for
// an op it does not know.
int fs_op(struct plan_reader *r);

// op_console gives the process the container's pty (cinit_console.c) and
// sends its master to the runtime on syncfd.
void op_console(struct plan_reader *r, int syncfd);

// op_idmap attaches the idmapped tree of one mount, which the runtime
// sends on syncfd (cinit_fs.c).
void op_idmap(struct plan_reader *r, int syncfd);

// paths_op runs the ops after pivot_root (cinit_paths.c); it returns 0
// for any other op. mount_setattr_fd and move_mount_fd are the new mount
// API on handles (AT_EMPTY_PATH), shared with cinit_fs.c.
int paths_op(struct plan_reader *r);
int mount_setattr_fd(int fd, unsigned int flags, struct mount_attr *attr);
int move_mount_fd(int from, int to);

// sysctl_op runs an OP_SYSCTL (cinit_sysctl.c); it returns 0 for any
// other op.
int sysctl_op(struct plan_reader *r);

// hook_op runs an OP_HOOK: a createContainer hook at once, a
// startContainer hook kept for run_later_hooks, after start (cinit_hooks.c).
// It returns 0 for any other op.
int hook_op(struct plan_reader *r);
void run_later_hooks(void);

// in_root opens path inside root (openat2 RESOLVE_IN_ROOT, no magic links)
// with the open flags given (O_CLOEXEC is added); mkdir_all creates path's
// missing directories there and returns an O_PATH handle on the last.
int in_root(int root, const char *path, int flags);
int mkdir_all(int root, const char *path);

#endif
