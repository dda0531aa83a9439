// The C stage of a container's init; see doc.go for the whole story.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "cinit.h"
#include "monitor.h"
#include "syncio.h"
#include "tinyinit.h"

// Bootstrap records; libcontainer/syncmsg mirrors these.
enum {
	REC_CLONE_FLAGS = 1,
	REC_NS_PATH = 2,
	REC_TIME_OFFSETS = 3,
	REC_MONITOR = 4, // path of the exit-status file: stay as the init's parent
	REC_TINYINIT = 5, // no data: the init stays in C as a minimal PID 1
	REC_CINIT = 6, // no data: the init runs a plan in C (cinit.c)
	REC_IN_PLACE = 7, // no data: this process is the init (no clone)
};

#define MAX_NS 16

struct nspath {
	uint32_t type; // a CLONE_NEW* flag
	char *path;
	int fd;
};

static int syncfd = -1;

static int send_msg(uint32_t type, const void *data, uint32_t len)
{
	return send_frame(syncfd, type, data, len);
}

// bail reports "nsenter: <what>: <strerror(errno)>" to the parent and exits.
// The parent prefixes the container's name, so the caller gets one line.
__attribute__((noreturn, format(printf, 1, 2))) static void bail(const char *fmt, ...)
{
	int saved = errno;
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	size_t n = format_error(msg, sizeof(msg), saved != 0 ? strerror(saved) : NULL, fmt, ap);
	va_end(ap);
	if (syncfd >= 0)
		send_msg(MSG_ERROR, msg, (uint32_t)n);
	else
		fprintf(stderr, "berth init: %s\n", msg);
	_exit(1);
}

static const char *ns_name(uint32_t type)
{
	switch (type) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "network";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWNS: return "mount";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	}
	return "unknown";
}

static void wait_ack(const char *step)
{
	uint32_t hdr[2];
	if (read_all(syncfd, hdr, sizeof(hdr)) < 0)
		bail("%s: read from parent", step);
	if (hdr[0] != MSG_ACK)
		bail("%s: unexpected message %u from parent", step, hdr[0]);
}

static void join_namespaces(struct nspath *ns, int count)
{
	// Open every path before joining any: after joining a mount namespace
	// the remaining paths would be resolved in the container's view.
	for (int i = 0; i < count; i++) {
		ns[i].fd = open(ns[i].path, O_RDONLY | O_CLOEXEC);
		if (ns[i].fd < 0)
			bail("open %s namespace %s", ns_name(ns[i].type), ns[i].path);
	}
	// The user namespace goes first: joining it grants the capabilities
	// needed to join namespaces that it owns.
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < count; i++) {
			int is_user = ns[i].type == CLONE_NEWUSER;
			if ((pass == 0) != is_user)
				continue;
			if (setns(ns[i].fd, (int)ns[i].type) < 0)
				bail("join %s namespace %s", ns_name(ns[i].type), ns[i].path);
			close(ns[i].fd);
		}
	}
}

static void write_time_offsets(const char *offsets)
{
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bail("open /proc/self/timens_offsets");
	if (write_all(fd, offsets, strlen(offsets)) < 0)
		bail("write time namespace offsets %s", offsets);
	close(fd);
}

void berth_nsenter(void) __attribute__((constructor));

void berth_nsenter(void)
{
	// The runtime starts berth in a new user namespace with an idmapped
	// mount's uid/gid maps only to open that namespace
	// (libcontainer/rootfs/idmap.go): wait until stdin closes, without
	// ever starting the Go runtime.
	if (getenv("_BERTH_USERNS_HOLDER") != NULL) {
		char c;
		while (read(0, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}

	const char *env = getenv("_BERTH_SYNCFD");
	if (env == NULL || *env == '\0') {
		// The runtime itself, about to start the Go runtime. Every
		// thread it starts is a pthread (cgo), and glibc gives each
		// thread that mallocs an arena of its own: a 128 MiB mmap, two
		// munmaps and an mprotect, and page faults on the new heap, for
		// the few bytes cgo and libseccomp allocate. One arena for all:
		// `run` of /bin/true took 0.9 ms less (34.2 against 35.2 ms).
		// (musl, which `make` builds with, has one heap anyway.)
#ifdef __GLIBC__
		mallopt(M_ARENA_MAX, 1);
#endif
		return;
	}
	syncfd = atoi(env);
	if (syncfd < 3)
		bail("bad _BERTH_SYNCFD %s", env);

	// Stay non-dumpable until the user's program is executed, so that a
	// process in the container cannot ptrace or open /proc/<pid>/ files
	// of the init while it still holds the runtime's fds (CVE-2016-9962).
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE)");

	uint32_t hdr[2];
	if (read_all(syncfd, hdr, sizeof(hdr)) < 0)
		bail("read bootstrap header");
	if (hdr[0] != MSG_BOOTSTRAP || hdr[1] > (1u << 20))
		bail("bad bootstrap message type %u length %u", hdr[0], hdr[1]);
	char *buf = malloc(hdr[1] + 1);
	if (buf == NULL)
		bail("allocate bootstrap");
	if (read_all(syncfd, buf, hdr[1]) < 0)
		bail("read bootstrap");
	buf[hdr[1]] = '\0';

	uint32_t flags = 0;
	const char *offsets = NULL;
	const char *exit_path = NULL;
	int tinyinit = 0;
	int cinit = 0;
	int in_place = 0;
	struct nspath ns[MAX_NS];
	int nscount = 0;
	for (uint32_t off = 0; off + 8 <= hdr[1];) {
		uint32_t rec[2];
		memcpy(rec, buf + off, sizeof(rec));
		off += 8;
		if (rec[1] > hdr[1] - off)
			bail("truncated bootstrap record %u", rec[0]);
		char *data = buf + off;
		switch (rec[0]) {
		case REC_CLONE_FLAGS:
			if (rec[1] != 4)
				bail("bad clone flags record");
			memcpy(&flags, data, 4);
			break;
		case REC_NS_PATH:
			if (nscount == MAX_NS || rec[1] < 5)
				bail("bad namespace path record");
			memcpy(&ns[nscount].type, data, 4);
			// Paths are sent NUL-terminated.
			ns[nscount].path = data + 4;
			if (data[rec[1] - 1] != '\0')
				bail("namespace path not terminated");
			nscount++;
			break;
		case REC_TIME_OFFSETS:
			if (rec[1] == 0 || data[rec[1] - 1] != '\0')
				bail("time offsets not terminated");
			offsets = data;
			break;
		case REC_MONITOR:
			if (rec[1] < 2 || data[rec[1] - 1] != '\0' || data[0] != '/')
				bail("bad exit-status path record");
			exit_path = data;
			break;
		case REC_TINYINIT:
			tinyinit = 1;
			break;
		case REC_CINIT:
			cinit = 1;
			break;
		case REC_IN_PLACE:
			in_place = 1;
			break;
		default:
			bail("unknown bootstrap record %u", rec[0]);
		}
		off += rec[1];
	}

	if (in_place && (exit_path != NULL || nscount != 0 || offsets != NULL ||
			 (flags & (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWTIME)) != 0))
		bail("bad bootstrap: an in-place init with a monitor, namespace paths, "
		     "or user, pid or time namespaces to create (flags 0x%x)", flags);

	if (exit_path != NULL) {
		// Monitor mode: this process stays on the host, as the init's
		// parent, and a child does the namespace work. The state dir is
		// opened now, while paths still name the host's files.
		const char *base;
		int dirfd = monitor_open_dir(exit_path, &base);
		if (dirfd < 0)
			bail("open the state directory of %s", exit_path);
		pid_t stage = fork();
		if (stage < 0)
			bail("fork the namespace stage");
		if (stage > 0)
			monitor_run(dirfd, base, stage);
		close(dirfd);
		// The monitor was started outside the container's cgroup (it must
		// survive cgroup.kill to record the status); the parent puts this
		// process, and so the init, into it before anything else happens.
		uint32_t me = (uint32_t)getpid();
		if (send_msg(MSG_STAGE_PID, &me, sizeof(me)) < 0)
			bail("report the namespace stage's pid");
		wait_ack("cgroup placement");
	}

	join_namespaces(ns, nscount);
	for (int i = 0; i < nscount; i++) {
		// In a joined user namespace, become its root, as in a new one:
		// the host uid is not mapped there, and files the init creates
		// on the container's filesystems would fail with EOVERFLOW.
		if (ns[i].type == CLONE_NEWUSER) {
			if (setresgid(0, 0, 0) < 0)
				bail("setresgid(0) in the joined user namespace %s", ns[i].path);
			if (setresuid(0, 0, 0) < 0)
				bail("setresuid(0) in the joined user namespace %s", ns[i].path);
		}
	}

	if (flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			bail("unshare user namespace");
		// The maps are written by the parent, which is outside the new
		// namespace and may map ranges this process cannot.
		if (send_msg(MSG_USERMAP_REQ, NULL, 0) < 0)
			bail("ask parent for uid/gid maps");
		wait_ack("uid/gid maps");
		if (setresgid(0, 0, 0) < 0)
			bail("setresgid(0) in the new user namespace");
		if (setresuid(0, 0, 0) < 0)
			bail("setresuid(0) in the new user namespace");
	}
	// A change of credentials resets dumpability to fs.suid_dumpable,
	// which a host may set to 1 or 2: say it again.
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE)");

	uint32_t rest = flags & ~(uint32_t)CLONE_NEWUSER;
	if (rest != 0 && unshare((int)rest) < 0)
		bail("unshare namespaces 0x%x", rest);
	if (offsets != NULL)
		write_time_offsets(offsets);

	// A new session: the container's process must not share the caller's
	// session or controlling terminal (signals from it are forwarded).
	pid_t child = in_place ? 0 : (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (child < 0)
		bail("clone the container's init");
	if (child == 0) {
		if (setsid() < 0)
			bail("setsid");
		free(buf);
		if (tinyinit)
			tinyinit_start(syncfd);
		if (cinit)
			cinit_run(syncfd, getenv("_BERTH_STARTFD"));
#ifdef BERTH_STANDALONE_STAGE
		// The standalone stage has no Go runtime to return to: the
		// runtime starts it only for the C init.
		bail("the Go init needs berth's own binary, not the standalone stage");
#endif
		return; // into the Go runtime, as the container's init
	}
	uint32_t pid = (uint32_t)child;
	if (send_msg(MSG_CHILD_PID, &pid, sizeof(pid)) < 0)
		_exit(1);
	_exit(0);
}
