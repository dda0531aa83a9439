// The C init: the container's init runs the plan the runtime compiled from
// the spec (libcontainer/initplan) and execs the container's process,
// without ever starting the Go runtime. A Go runtime costs 12-14 ms to boot
// on the hosts we measure, and execve then pays again to tear its memory
// down: this file is why a container start boots one Go runtime (the
// command's), not two. It does what package initproc does, in the same
// order, and reports failures in the same words; the filesystem ops are in
// cinit_fs.c.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cinit.h"
#include "syncio.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int syncfd = -1;
static int exec_mode; // OP_EXEC_MODE: a process of `berth exec`
// conn is the connection of `berth start` once it has come: failures are
// reported there from then on (the runtime's create has returned).
static int conn = -1;
char cinit_why[2048];

const char *errstr(int err)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	// glibc capitalises its messages, Go does not.
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

void set_why(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cinit_why, sizeof(cinit_why), fmt, ap);
	va_end(ap);
}

static void report(const char *msg)
{
	int to = __atomic_load_n(&conn, __ATOMIC_SEQ_CST);
	if (to >= 0)
		write_all(to, msg, strlen(msg));
	else
		send_frame(syncfd, MSG_ERROR, msg, (uint32_t)strlen(msg));
}

void cinit_fail(int err, const char *fmt, ...)
{
	char msg[8192];
	const char *cause = err != 0 ? errstr(err) : cinit_why[0] != '\0' ? cinit_why : NULL;
	va_list ap;
	va_start(ap, fmt);
	format_error(msg, sizeof(msg), cause, fmt, ap);
	va_end(ap);
	report(msg);
	_exit(1);
}

// mark appends "<µs since the epoch> <pid> <name>" to $BERTH_PHASES, as
// package phase does for the Go side.
static void mark(const char *name)
{
	static int fd = -2;
	if (fd == -2) {
		const char *p = getenv("BERTH_PHASES");
		fd = p != NULL && *p != '\0' ? open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
	}
	if (fd < 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char b[128];
	int n = snprintf(b, sizeof(b), "%lld %d %s\n", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, getpid(), name);
	if (write(fd, b, (size_t)n) < 0) {
		// Timing only: nothing to do.
	}
}

// rd_take consumes the op's next n bytes and returns where they start.
static const char *rd_take(struct plan_reader *r, size_t n)
{
	if (r->left < n)
		cinit_fail(0, "plan: op %u is truncated", r->op);
	const char *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

uint64_t rd_u64(struct plan_reader *r)
{
	uint64_t v;
	memcpy(&v, rd_take(r, sizeof(v)), sizeof(v));
	return v;
}

static const char *rd_bytes(struct plan_reader *r, uint32_t *len)
{
	uint32_t n;
	memcpy(&n, rd_take(r, sizeof(n)), sizeof(n));
	*len = n;
	return rd_take(r, n);
}

const char *rd_str(struct plan_reader *r)
{
	uint32_t n;
	const char *s = rd_bytes(r, &n);
	if (n == 0 || s[n - 1] != '\0' || strlen(s) != n - 1)
		cinit_fail(0, "plan: op %u has a malformed string", r->op);
	return s;
}

// ---- the process: what initproc's prepareProcess and execProcess do ----

struct process {
	const char *cwd;
	int need_home;
	uint32_t uid, gid;
	uint32_t *groups;
	uint64_t ngroups;
	int has_caps;
	uint64_t last_cap, bounding, effective, permitted, inheritable, ambient;
	int no_new_privs;
	mode_t umask;
	uint64_t keep_fds, listen_fds;
	const char *listen_names;
	char **args;
	uint64_t nargs;
	char **env;
	uint64_t nenv;
	int seccomp, seccomp_early;
	unsigned int seccomp_flags;
	struct sock_filter *prog;
	unsigned short prog_len;
};

char **rd_strv(struct plan_reader *r, uint64_t *count, size_t extra)
{
	uint64_t n = rd_u64(r);
	if (n > r->left)
		cinit_fail(0, "plan: op %u is truncated", r->op);
	char **v = calloc(n + extra + 1, sizeof(char *));
	if (v == NULL)
		cinit_fail(ENOMEM, "plan");
	for (uint64_t i = 0; i < n; i++)
		v[i] = (char *)rd_str(r);
	*count = n;
	return v;
}

static void read_process(struct plan_reader *r, struct process *p)
{
	p->cwd = rd_str(r);
	p->need_home = (int)rd_u64(r);
	p->uid = (uint32_t)rd_u64(r);
	p->gid = (uint32_t)rd_u64(r);
	p->ngroups = rd_u64(r);
	if (p->ngroups > 65536)
		cinit_fail(0, "plan: too many additional gids");
	p->groups = calloc(p->ngroups + 1, sizeof(uint32_t));
	if (p->groups == NULL)
		cinit_fail(ENOMEM, "plan");
	for (uint64_t i = 0; i < p->ngroups; i++)
		p->groups[i] = (uint32_t)rd_u64(r);
	p->has_caps = (int)rd_u64(r);
	p->last_cap = rd_u64(r);
	p->bounding = rd_u64(r);
	p->effective = rd_u64(r);
	p->permitted = rd_u64(r);
	p->inheritable = rd_u64(r);
	p->ambient = rd_u64(r);
	p->no_new_privs = (int)rd_u64(r);
	p->umask = (mode_t)rd_u64(r);
	p->keep_fds = rd_u64(r);
	p->listen_fds = rd_u64(r);
	p->listen_names = rd_str(r);
	p->args = rd_strv(r, &p->nargs, 0);
	// Room for HOME and the three socket-activation variables.
	p->env = rd_strv(r, &p->nenv, 4);
	p->seccomp = (int)rd_u64(r);
	p->seccomp_early = (int)rd_u64(r);
	p->seccomp_flags = (unsigned int)rd_u64(r);
	uint32_t n;
	const char *prog = rd_bytes(r, &n);
	if (p->seccomp) {
		if (n == 0 || n % sizeof(struct sock_filter) != 0 || n / sizeof(struct sock_filter) > 4096)
			cinit_fail(0, "plan: bad seccomp program of %u bytes", n);
		// Copied: the plan's bytes need not be aligned for the kernel.
		p->prog = malloc(n);
		if (p->prog == NULL)
			cinit_fail(ENOMEM, "plan");
		memcpy(p->prog, prog, n);
		p->prog_len = (unsigned short)(n / sizeof(struct sock_filter));
	}
}

static const char *env_get(char **env, const char *key)
{
	size_t k = strlen(key);
	for (char **e = env; *e != NULL; e++)
		if (strncmp(*e, key, k) == 0 && (*e)[k] == '=')
			return *e + k + 1;
	return NULL;
}

static void env_add(struct process *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		cinit_fail(ENOMEM, "environment");
	va_end(ap);
	p->env[p->nenv++] = s;
	p->env[p->nenv] = NULL;
}

// home_of finds uid's home in the container's /etc/passwd, "/" if none.
// The file is opened non-blocking and must be a regular file, so that a FIFO
// in its place cannot hang the init; the lookup stays inside the root
// and follows no magic link.
static const char *home_of(uint32_t uid)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root < 0 ? -1 : in_root(root, "/etc/passwd", O_RDONLY | O_NONBLOCK);
	if (root >= 0)
		close(root);
	struct stat st;
	if (fd < 0)
		return "/";
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20)) {
		close(fd);
		return "/";
	}
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size + 1);
	ssize_t n = buf == NULL ? -1 : read(fd, buf, size);
	close(fd);
	if (n < 0)
		return "/";
	buf[n] = '\0';
	char want[16];
	snprintf(want, sizeof(want), "%u", uid);
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7] = { 0 };
		int nf = 0;
		char *s = line;
		while (nf < 7) {
			f[nf++] = s;
			char *c = strchr(s, ':');
			if (c == NULL)
				break;
			*c = '\0';
			s = c + 1;
		}
		if (nf >= 6 && strcmp(f[2], want) == 0 && f[5][0] != '\0')
			return f[5];
	}
	return "/";
}

// chdir_in enters process.cwd. A cwd that leads outside the root (a leaked
// fd's /proc/self/fd/N, CVE-2024-21626) reads back as a path that does not
// start with "/".
static void chdir_in(const char *cwd)
{
	if (cwd[0] == '\0')
		cwd = "/";
	if (chdir(cwd) < 0)
		cinit_fail(errno, "chdir to process.cwd \"%s\"", cwd);
	char wd[4096];
	if (getcwd(wd, sizeof(wd)) == NULL || wd[0] != '/')
		cinit_fail(0, "process.cwd \"%s\" is outside the container", cwd);
}

static int is_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		set_why("stat %s: %s", path, errstr(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		set_why("is a directory");
		return -1;
	}
	if ((st.st_mode & 0111) == 0) {
		set_why("permission denied: not executable");
		return -1;
	}
	return 0;
}

// look_path finds args[0] in the container (after pivot_root), so that a
// missing program is a create-time error, as with runc.
static char *look_path(struct process *p)
{
	if (p->nargs == 0 || p->args[0][0] == '\0')
		cinit_fail(0, "process.args is empty: nothing to run");
	const char *name = p->args[0];
	if (strchr(name, '/') != NULL) {
		if (is_executable(name) < 0)
			cinit_fail(0, "process.args[0] \"%s\"", name);
		return (char *)name;
	}
	const char *path = env_get(p->env, "PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *s = path;;) {
		const char *e = strchrnul(s, ':');
		int n = (int)(e - s);
		char *cand;
		if (asprintf(&cand, "%.*s%s%s", n == 0 ? 1 : n, n == 0 ? "." : s,
			     n > 0 && s[n - 1] == '/' ? "" : "/", name) < 0)
			cinit_fail(ENOMEM, "look up process.args[0]");
		if (is_executable(cand) == 0)
			return cand;
		free(cand);
		if (*e == '\0')
			break;
		s = e + 1;
	}
	cinit_fail(0, "process.args[0] \"%s\": executable file not found in the container's $PATH (%s)", name, path);
}

// ---- seccomp ----

// The guard watches the init's thread once a filter is in. SCMP_ACT_KILL and
// KILL_THREAD kill only the thread that made the syscall: the guard thread
// would then keep the process, and with it the sync and start sockets,
// alive, and create or start would wait for an init that is gone. So the
// guard notices the death, reports it and ends the process. How it
// notices: set_tid_address makes the kernel write 0 to guard_word and wake
// its futex when the init's thread exits, however it dies. On execve the
// kernel ends the guard with every other thread.
static uint32_t guard_word;

static void *guard_main(void *arg)
{
	uint32_t tid = (uint32_t)(uintptr_t)arg;
	while (__atomic_load_n(&guard_word, __ATOMIC_SEQ_CST) == tid)
		syscall(SYS_futex, &guard_word, FUTEX_WAIT, tid, NULL, NULL, 0);
	const char *msg = "linux.seccomp killed the container's init before it could exec the process: "
			  "a syscall the init makes after loading the filter (the user change, the wait for start, "
			  "startContainer hooks, execve) is SCMP_ACT_KILL or SCMP_ACT_KILL_THREAD in the profile";
	send_frame(syncfd, MSG_ERROR, msg, (uint32_t)strlen(msg));
	int to = __atomic_load_n(&conn, __ATOMIC_SEQ_CST);
	if (to >= 0)
		write_all(to, msg, strlen(msg));
	_exit(1);
}

static void load_seccomp(struct process *p)
{
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	__atomic_store_n(&guard_word, tid, __ATOMIC_SEQ_CST);
	syscall(SYS_set_tid_address, &guard_word);
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	int rc = pthread_create(&t, &attr, guard_main, (void *)(uintptr_t)tid);
	if (rc != 0)
		cinit_fail(rc, "start the seccomp guard thread");
	struct sock_fprog prog = { .len = p->prog_len, .filter = p->prog };
	unsigned int flags = p->seccomp_flags;
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		// The kernel refuses TSYNC with NEW_LISTENER unless a thread that
		// cannot be synchronised is reported as ESRCH rather than by a
		// return value that could be mistaken for the listener.
		flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		cinit_fail(errno, "load the seccomp filter");
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		// SCMP_ACT_NOTIFY rules: the runtime hands the listener (which
		// the kernel opened close-on-exec) to the engine's agent while
		// create still waits. Only write and sendmsg come between the
		// load and the handover; Validate refuses NOTIFY for them.
		if (send_fd_frame(syncfd, MSG_SECCOMP_FD, 's', (int)r) < 0)
			cinit_fail(errno, "send the seccomp listener to the runtime");
		close((int)r);
		return;
	}
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && r != 0)
		cinit_fail(0, "load the seccomp filter: thread %ld could not be synchronised (SECCOMP_FILTER_FLAG_TSYNC)", r);
}

// ---- credentials ----

static void set_user(struct process *p)
{
	if (p->has_caps) {
		for (uint64_t c = 0; c <= p->last_cap && c < 64; c++) {
			if (p->bounding & (1ULL << c))
				continue;
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
				cinit_fail(errno, "drop capability %llu from the bounding set", (unsigned long long)c);
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		cinit_fail(errno, "prctl(PR_SET_KEEPCAPS)");
	// Raw syscalls change this thread's credentials only: glibc's
	// wrappers would also change the seccomp guard's, for nothing.
	gid_t *groups = calloc(p->ngroups + 1, sizeof(gid_t));
	if (groups == NULL)
		cinit_fail(ENOMEM, "set additional gids");
	for (uint64_t i = 0; i < p->ngroups; i++)
		groups[i] = p->groups[i];
	if (syscall(SYS_setgroups, (size_t)p->ngroups, groups) < 0 && !(p->ngroups == 0 && errno == EPERM)) {
		int saved = errno;
		char list[1024] = "[";
		size_t n = 1;
		for (uint64_t i = 0; i < p->ngroups && n + 12 < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, i ? " %u" : "%u", p->groups[i]);
		snprintf(list + n, sizeof(list) - n, "]");
		cinit_fail(saved, "set additional gids %s", list);
	}
	if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
		cinit_fail(errno, "set gid %u", p->gid);
	if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
		cinit_fail(errno, "set uid %u", p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		cinit_fail(errno, "prctl(PR_SET_KEEPCAPS)");
	if (!p->has_caps)
		return;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)p->effective, (uint32_t)p->permitted, (uint32_t)p->inheritable },
		{ (uint32_t)(p->effective >> 32), (uint32_t)(p->permitted >> 32), (uint32_t)(p->inheritable >> 32) },
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		cinit_fail(errno, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		cinit_fail(errno, "clear ambient capabilities");
	// The runtime kept only ambient capabilities that are both permitted
	// and inheritable, the only ones the kernel allows.
	for (uint64_t c = 0; c < 64; c++)
		if ((p->ambient & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			cinit_fail(errno, "raise ambient capability %llu", (unsigned long long)c);
}

// wait_start blocks until `berth start` connects to the start socket and
// sends 'S'. Other connections (a probe, a stray client) are dropped.
static void wait_start(int startfd)
{
	for (;;) {
		int c = accept4(startfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			cinit_fail(errno, "wait for start");
		}
		char b = 0;
		ssize_t n;
		do
			n = read(c, &b, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1 && b == 'S') {
			close(startfd);
			__atomic_store_n(&conn, c, __ATOMIC_SEQ_CST);
			return;
		}
		close(c);
	}
}

__attribute__((noreturn)) static void run_process(struct plan_reader *r, int startfd)
{
	struct process p;
	memset(&p, 0, sizeof(p));
	read_process(r, &p);
	if (r->left != 0)
		cinit_fail(0, "plan: op %u has %zu bytes too many", r->op, r->left);
	if (p.listen_fds > 0) {
		// LISTEN_PID is this process's pid as the container sees it,
		// which the program compares with its own getpid().
		env_add(&p, "LISTEN_FDS=%llu", (unsigned long long)p.listen_fds);
		env_add(&p, "LISTEN_PID=%d", getpid());
		if (p.listen_names[0] != '\0')
			env_add(&p, "LISTEN_FDNAMES=%s", p.listen_names);
	}
	if (p.need_home && env_get(p.env, "HOME") == NULL)
		env_add(&p, "HOME=%s", home_of(p.uid));
	chdir_in(p.cwd);
	char *path = look_path(&p);
	// The filter goes in before the user change when it must be loaded
	// with privileges (no no_new_privs), else right before execve, so
	// that it filters as little of the init's own work as possible
	// (initproc/seccomp.go has the whole story).
	if (p.seccomp && p.seccomp_early)
		load_seccomp(&p);
	set_user(&p);
	// Changing credentials resets dumpability to fs.suid_dumpable; the
	// process holds the runtime's sockets until exec (CVE-2016-9962).
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		cinit_fail(errno, "prctl(PR_SET_DUMPABLE)");
	if (!exec_mode) {
		mark("init-ready");
		if (send_frame(syncfd, MSG_READY, NULL, 0) < 0)
			cinit_fail(errno, "report ready");
		if (startfd < 3)
			cinit_fail(0, "bad _BERTH_STARTFD");
		wait_start(startfd);
		mark("init-start");
		run_later_hooks();
	}
	if (p.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		cinit_fail(errno, "set no_new_privs");
	umask(p.umask);
	// Only stdio and the kept fds reach the program: the sync socket and
	// anything else the runtime opened must not (a leaked directory fd is
	// a way out of the root, CVE-2024-21626).
	if (syscall(SYS_close_range, 3 + p.keep_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		cinit_fail(errno, "mark fds close-on-exec");
	if (p.seccomp && !p.seccomp_early)
		load_seccomp(&p);
	mark("init-exec");
	execve(path, p.args, p.env);
	cinit_fail(errno, "exec \"%s\"", p.args[0]);
}

static void wait_hooks(void)
{
	if (send_frame(syncfd, MSG_HOOKS_REQ, NULL, 0) < 0)
		cinit_fail(errno, "ask for the prestart/createRuntime hooks");
	uint32_t type, len;
	if (read_header(syncfd, &type, &len) < 0 || type != MSG_HOOKS_DONE || len != 0)
		cinit_fail(0, "runtime did not confirm the prestart/createRuntime hooks");
}

static void run_op(struct plan_reader *r, int startfd)
{
	switch (r->op) {
	case OP_HOSTNAME: {
		const char *name = rd_str(r);
		if (sethostname(name, strlen(name)) < 0)
			cinit_fail(errno, "set hostname \"%s\"", name);
		return;
	}
	case OP_DOMAINNAME: {
		const char *name = rd_str(r);
		if (setdomainname(name, strlen(name)) < 0)
			cinit_fail(errno, "set domainname \"%s\"", name);
		return;
	}
	case OP_ROOT_PROPAGATION: {
		unsigned long flags = (unsigned long)rd_u64(r);
		const char *name = rd_str(r);
		// Nothing the container mounts may propagate back to the host.
		if (syscall(SYS_mount, "", "/", NULL, flags, NULL) < 0)
			cinit_fail(errno, "make the mount tree %s", name);
		return;
	}
	case OP_HOOKS:
		wait_hooks();
		return;
	case OP_CONSOLE:
		op_console(r, syncfd);
		return;
	case OP_IDMAP:
		op_idmap(r, syncfd);
		return;
	case OP_EXEC_MODE:
		exec_mode = 1;
		return;
	case OP_KEYRING: {
		// A fresh session keyring, so the container cannot read the
		// host's keys through the one it would otherwise inherit.
		const char *name = rd_str(r), *what = rd_str(r);
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
			cinit_fail(errno, "%s", what);
		return;
	}
	case OP_RLIMIT: {
		int res = (int)rd_u64(r);
		uint64_t lim[2];
		lim[0] = rd_u64(r);
		lim[1] = rd_u64(r);
		const char *name = rd_str(r);
		if (syscall(SYS_prlimit64, 0, res, lim, NULL) < 0)
			cinit_fail(errno, "set %s (soft %llu, hard %llu)", name, (unsigned long long)lim[0], (unsigned long long)lim[1]);
		return;
	}
	case OP_PIVOT:
	case OP_MOVE_ROOT:
		mark("init-rootfs");
		fs_op(r);
		mark("init-pivot");
		return;
	case OP_PROCESS:
		run_process(r, startfd);
	}
	if (!fs_op(r) && !paths_op(r) && !sysctl_op(r) && !hook_op(r))
		cinit_fail(0, "plan: unknown op %u", r->op);
}

void cinit_run(int fd, const char *startfd_env)
{
	syncfd = fd;
	mark("init");
	// No start socket for a process of `berth exec` (OP_EXEC_MODE).
	int startfd = startfd_env != NULL ? atoi(startfd_env) : -1;
	umask(0);
	uint32_t type, len;
	if (read_header(syncfd, &type, &len) < 0)
		cinit_fail(errno, "read the plan from the runtime");
	if (type != MSG_PLAN || len > (16u << 20))
		cinit_fail(0, "expected the plan from the runtime, got message %u of %u bytes", type, len);
	char *buf = malloc((size_t)len + 1);
	if (buf == NULL)
		cinit_fail(ENOMEM, "read the plan from the runtime");
	if (read_all(syncfd, buf, len) < 0)
		cinit_fail(errno, "read the plan from the runtime");
	mark("init-config");
	for (uint32_t off = 0; off < len;) {
		uint32_t hdr[2];
		if (len - off < sizeof(hdr))
			cinit_fail(0, "plan: truncated op header");
		memcpy(hdr, buf + off, sizeof(hdr));
		off += sizeof(hdr);
		if (hdr[1] > len - off)
			cinit_fail(0, "plan: op %u is truncated", hdr[0]);
		struct plan_reader r = { buf + off, hdr[1], hdr[0] };
		off += hdr[1];
		cinit_why[0] = '\0';
		run_op(&r, startfd);
		if (r.left != 0)
			cinit_fail(0, "plan: op %u has %zu bytes too many", r.op, r.left);
	}
	cinit_fail(0, "plan: it ends without the process");
}
