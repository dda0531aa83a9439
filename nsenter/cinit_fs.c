// The filesystem ops of the C init's plan up to pivot_root: the container's
// mounts, device nodes and the pivot (the ops after it are in
// cinit_paths.c). The Go init's rootfs
// package does the same in the same order; the runtime has already parsed
// every option into flags, so this file only makes the syscalls and the
// safety checks that must look at the filesystem as it is.
//
// The rootfs is the image's, so attacker-controlled: every path inside it is
// resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from a handle
// on the root, and mounts go onto the handle (/proc/self/fd/N before
// pivot_root, the new mount API after it), never onto a path string that a
// symlink in the image could redirect to the host (CVE-2021-30465).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cinit.h"
#include "splitpath.h"
#include "syncio.h"

#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int rootfd = -1; // the rootfs, from OP_ROOTFS until pivot_root
static const char *rootfs_path; // its host path, for check_proc_dest

static int sys_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)
{
	return (int)syscall(SYS_mount, src, target, fstype, flags, data);
}

int mount_setattr_fd(int fd, unsigned int flags, struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, attr, sizeof(*attr));
}

int move_mount_fd(int from, int to)
{
	return (int)syscall(SYS_move_mount, from, "", to, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

int in_root(int root, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(O_CLOEXEC | flags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	// EAGAIN: a rename elsewhere raced the lookup; the kernel asks for a
	// retry rather than risk a wrong answer.
	for (int i = 0; i < 128; i++) {
		int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return fd;
	}
	return -1;
}

int mkdir_all(int root, const char *path)
{
	int fd = in_root(root, path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	// Walk down: each prefix is resolved inside the root again, so a
	// symlink met on the way (or swapped in meanwhile) stays inside it,
	// and each missing directory is made in the handle of its parent.
	char prefix[4096];
	size_t plen = 0;
	int cur = fcntl(root, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return -1;
	const char *s = path;
	for (;;) {
		while (*s == '/')
			s++;
		if (*s == '\0')
			return cur;
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);
		if (plen + 1 + n >= sizeof(prefix) || n > 255) {
			close(cur);
			errno = ENAMETOOLONG;
			return -1;
		}
		prefix[plen++] = '/';
		memcpy(prefix + plen, s, n);
		plen += n;
		prefix[plen] = '\0';
		int next = in_root(root, prefix, O_PATH | O_DIRECTORY);
		if (next < 0 && errno == ENOENT) {
			char comp[256];
			memcpy(comp, s, n);
			comp[n] = '\0';
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				int saved = errno;
				close(cur);
				errno = saved;
				return -1;
			}
			next = in_root(root, prefix, O_PATH | O_DIRECTORY);
		}
		int saved = errno;
		close(cur);
		if (next < 0) {
			errno = saved;
			return -1;
		}
		cur = next;
		s = e;
	}
}

// open_dest creates dest inside the root (a directory, or an empty file when
// as_file) and returns an O_PATH handle on it.
static int open_dest(const char *dest, int as_file)
{
	if (!as_file)
		return mkdir_all(rootfd, dest);
	char dir[4096];
	const char *base = split_path(dest, dir, sizeof(dir));
	if (base == NULL)
		return -1;
	int dfd = mkdir_all(rootfd, dir);
	if (dfd < 0)
		return -1;
	if (mknodat(dfd, base, S_IFREG | 0644, 0) < 0 && errno != EEXIST) {
		int saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	close(dfd);
	return in_root(rootfd, dest, O_PATH);
}

// open_top_dir opens /proc, /sys or /dev directly below the root, never
// through a symlink: following one, even inside the root, would put procfs,
// sysfs or the device nodes where the image chose, and every later step
// (masking, sysctl, console) would act on the image's files (the classes of
// CVE-2023-27561, CVE-2023-28642 and CVE-2026-41579). O_NOFOLLOW makes the
// open itself refuse, so no check can be raced by swapping the entry.
static int open_top_dir(const char *dest)
{
	const char *name = dest + 1;
	for (int try = 0;; try++) {
		int fd = openat(rootfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		int saved = errno;
		if (saved == ENOENT && try == 0) {
			if (mkdirat(rootfd, name, 0755) < 0 && errno != EEXIST) {
				set_why("create %s in the rootfs: %s", dest, errstr(errno));
				return -1;
			}
			continue;
		}
		struct stat st;
		if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			set_why("%s in the rootfs is a symlink: refusing to follow it", dest);
			return -1;
		}
		set_why("open %s in the rootfs: %s", dest, errstr(saved));
		return -1;
	}
}

static int open_target(const char *dest, int as_file)
{
	if (strcmp(dest, "/proc") == 0 || strcmp(dest, "/sys") == 0 || strcmp(dest, "/dev") == 0)
		return open_top_dir(dest);
	int fd = open_dest(dest, as_file);
	if (fd >= 0)
		return fd;
	if (errno == EROFS) {
		// The common cause: an image mounted read-only (or an overlay
		// lower dir) that lacks the mount point.
		set_why("create the destination in the rootfs: %s (the rootfs is read-only: add %s to the image, or give a writable rootfs)", errstr(EROFS), dest);
	} else {
		set_why("create the destination in the rootfs: %s", errstr(errno));
	}
	return -1;
}

// lxcfs_files are the only paths inside /proc that may be mount
// destinations: the files lxcfs emulates, bound over procfs's. Anything else
// under /proc could hide or redirect a file that the runtime or the kernel's
// own interfaces rely on (CVE-2019-19921).
static const char *const lxcfs_files[] = {
	"/proc/cpuinfo", "/proc/diskstats", "/proc/loadavg", "/proc/meminfo",
	"/proc/slabinfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
};

// check_proc_dest refuses a destination that resolved to /proc or into a
// procfs, unless it is a procfs on /proc itself or a bind of an lxcfs file.
// It looks at where the handle really is (its path read back and its
// filesystem type), not at the config's string, so a symlink elsewhere in
// the image that points at /proc is caught too.
static int check_proc_dest(int target, int is_proc, int bind)
{
	struct statfs sf;
	if (fstatfs(target, &sf) < 0) {
		set_why("statfs the destination: %s", errstr(errno));
		return -1;
	}
	char link[64], p[4096];
	fd_path(link, sizeof(link), target);
	ssize_t n = readlink(link, p, sizeof(p) - 1);
	if (n < 0) {
		set_why("read back the destination's path: %s", errstr(errno));
		return -1;
	}
	p[n] = '\0';
	size_t rl = strlen(rootfs_path);
	const char *rel = p + rl;
	if (strncmp(p, rootfs_path, rl) != 0 || (*rel != '\0' && *rel != '/')) {
		set_why("the destination resolved to \"%s\", outside the rootfs", p);
		return -1;
	}
	int on_proc = sf.f_type == PROC_SUPER_MAGIC;
	if (strcmp(rel, "/proc") == 0) {
		if (!is_proc) {
			set_why("only a procfs may be mounted on /proc: a fake /proc would receive the writes meant for the kernel (CVE-2019-16884)");
			return -1;
		}
		return 0;
	}
	if (on_proc || strncmp(rel, "/proc/", 6) == 0) {
		int allowed = 0;
		for (size_t i = 0; bind && i < sizeof(lxcfs_files) / sizeof(lxcfs_files[0]); i++)
			allowed |= strcmp(rel, lxcfs_files[i]) == 0;
		if (!allowed) {
			set_why("the destination resolves to %s, inside /proc: only bind mounts over "
				"/proc/cpuinfo, /proc/diskstats, /proc/loadavg, /proc/meminfo, /proc/slabinfo, "
				"/proc/stat, /proc/swaps, /proc/uptime may go there (CVE-2019-19921)", rel);
			return -1;
		}
	}
	return 0;
}

static void op_rootfs(struct plan_reader *r)
{
	const char *rootfs = rd_str(r);
	if (sys_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		cinit_fail(errno, "bind rootfs \"%s\" onto itself", rootfs);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		cinit_fail(errno, "open rootfs \"%s\"", rootfs);
	rootfs_path = rootfs;
}

static void op_mount(struct plan_reader *r)
{
	const char *shown = rd_str(r), *dest = rd_str(r), *src = rd_str(r), *fstype = rd_str(r);
	unsigned long flags = (unsigned long)rd_u64(r);
	const char *data = rd_str(r);
	int is_proc = (int)rd_u64(r);
	const char *options = rd_str(r);
	int target = open_target(dest, 0);
	if (target < 0 || check_proc_dest(target, is_proc, 0) < 0)
		cinit_fail(0, "mount %s on \"%s\"", fstype, shown);
	char p[64];
	fd_path(p, sizeof(p), target);
	if (sys_mount(src, p, fstype, flags, data) < 0)
		cinit_fail(errno, "mount %s \"%s\" on \"%s\" (options %s)", fstype, src, shown, options);
	close(target);
}

// remount_bind changes a bind mount's flags. Flags the mount already has and
// that the config did not clear are kept: in a user namespace the kernel
// refuses a remount that would drop a locked nosuid, nodev or noexec.
static int remount_bind(int fd, unsigned long set, unsigned long clr)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -1;
	static const unsigned long map[][2] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
		{ ST_RDONLY, MS_RDONLY },
	};
	unsigned long keep = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((unsigned long)sf.f_flags & map[i][0])
			keep |= map[i][1];
	unsigned long flags = (keep | set) & ~clr;
	// Without an atime flag a remount keeps the mount's atime mode, so
	// "atime" or "norelatime" would change nothing: say which mode is
	// meant (relatime is the default; norelatime asks for strictatime).
	const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
	if (((set | clr) & atime) && !(flags & atime))
		flags |= (clr & MS_RELATIME) ? MS_STRICTATIME : MS_RELATIME;
	char p[64];
	fd_path(p, sizeof(p), fd);
	return sys_mount("", p, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
}

// finish_bind gives a new bind mount at dest its flags. That takes a
// second call, on the new mount: reopened, since the handle used to mount
// still names the directory under it.
static void finish_bind(const char *dest, const char *given, const char *shown, unsigned long set, unsigned long clr,
			const char *options)
{
	if (set == 0 && clr == 0)
		return;
	int top = in_root(rootfd, dest, O_PATH);
	if (top < 0)
		cinit_fail(errno, "bind mount \"%s\" on \"%s\": reopen", given, shown);
	if (remount_bind(top, set, clr) < 0)
		cinit_fail(errno, "bind mount \"%s\" on \"%s\": remount with %s", given, shown, options);
	close(top);
}

static void op_bind(struct plan_reader *r)
{
	const char *shown = rd_str(r), *dest = rd_str(r), *given = rd_str(r), *src = rd_str(r);
	int recursive = (int)rd_u64(r);
	unsigned long set = (unsigned long)rd_u64(r), clr = (unsigned long)rd_u64(r);
	const char *options = rd_str(r);
	struct stat st;
	if (stat(src, &st) < 0)
		cinit_fail(errno, "bind mount \"%s\" on \"%s\": source: stat %s", given, shown, src);
	int target = open_target(dest, !S_ISDIR(st.st_mode));
	struct statfs sf;
	int src_proc = statfs(src, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
	if (target < 0 || check_proc_dest(target, src_proc, 1) < 0)
		cinit_fail(0, "bind mount \"%s\" on \"%s\"", given, shown);
	char p[64];
	fd_path(p, sizeof(p), target);
	if (sys_mount(src, p, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		cinit_fail(errno, "bind mount \"%s\" on \"%s\"", given, shown);
	close(target);
	finish_bind(dest, given, shown, set, clr, options);
}

// op_idmap attaches the detached, idmapped tree that the runtime made for
// this mount (libcontainer/idmapmounts.go: the runtime holds the user
// namespace that the mapping needs) and sends after the plan, one MountFd
// frame per idmap mount in the spec's order.
void op_idmap(struct plan_reader *r, int syncfd)
{
	uint64_t idx = rd_u64(r);
	const char *shown = rd_str(r), *dest = rd_str(r), *given = rd_str(r);
	unsigned long set = (unsigned long)rd_u64(r), clr = (unsigned long)rd_u64(r);
	const char *options = rd_str(r);
	uint32_t type, len, got;
	if (read_header(syncfd, &type, &len) < 0)
		cinit_fail(errno, "receive idmapped mounts from the runtime");
	if (type != MSG_MOUNT_FD || len != 4 || read_all(syncfd, &got, 4) < 0)
		cinit_fail(0, "receive idmapped mounts: unexpected message %u from the runtime", type);
	if (got != idx)
		cinit_fail(0, "idmap mount \"%s\" on \"%s\": the runtime sent the tree of mount %u", given, shown, got);
	int tree = recv_fd(syncfd);
	if (tree < 0)
		cinit_fail(errno, "receive the idmapped tree of mount %llu", (unsigned long long)idx);
	struct stat st;
	if (fstat(tree, &st) < 0)
		cinit_fail(errno, "idmap mount \"%s\" on \"%s\"", given, shown);
	int target = open_target(dest, !S_ISDIR(st.st_mode));
	if (target < 0 || check_proc_dest(target, 0, 1) < 0)
		cinit_fail(0, "idmap mount \"%s\" on \"%s\"", given, shown);
	if (move_mount_fd(tree, target) < 0)
		cinit_fail(errno, "idmap mount \"%s\" on \"%s\": attach", given, shown);
	close(tree);
	close(target);
	finish_bind(dest, given, shown, set, clr, options);
}

static const char *prop_name(unsigned long p)
{
	switch (p) {
	case MS_PRIVATE: return "private";
	case MS_PRIVATE | MS_REC: return "rprivate";
	case MS_SHARED: return "shared";
	case MS_SHARED | MS_REC: return "rshared";
	case MS_SLAVE: return "slave";
	case MS_SLAVE | MS_REC: return "rslave";
	case MS_UNBINDABLE: return "unbindable";
	case MS_UNBINDABLE | MS_REC: return "runbindable";
	}
	return "propagation";
}

// op_finish applies a mount's propagation and its recursive attributes.
static void op_finish(struct plan_reader *r)
{
	const char *shown = rd_str(r), *dest = rd_str(r);
	uint64_t n = rd_u64(r);
	int top = in_root(rootfd, dest, O_PATH);
	if (top < 0)
		cinit_fail(errno, "mount \"%s\": reopen", shown);
	char p[64];
	fd_path(p, sizeof(p), top);
	for (uint64_t i = 0; i < n; i++) {
		unsigned long prop = (unsigned long)rd_u64(r);
		if (sys_mount("", p, NULL, prop, NULL) < 0)
			cinit_fail(errno, "mount \"%s\": set %s", shown, prop_name(prop));
	}
	struct mount_attr attr = { 0 };
	attr.attr_set = rd_u64(r);
	attr.attr_clr = rd_u64(r);
	int has_atime = (int)rd_u64(r);
	uint64_t atime = rd_u64(r);
	if (has_atime) {
		// The atime mode is replaced as a whole.
		attr.attr_clr |= MOUNT_ATTR__ATIME;
		attr.attr_set |= atime;
	}
	if ((attr.attr_set || attr.attr_clr || has_atime) && mount_setattr_fd(top, AT_RECURSIVE, &attr) < 0)
		cinit_fail(errno, "mount \"%s\": set recursive attributes", shown);
	close(top);
}

// mount_one_cgroup mounts one hierarchy on target: fresh in the container's
// own cgroup namespace (which shows the container's cgroup as the root),
// else, or where the kernel refuses (v1 in a user namespace), a bind of the
// container's own cgroup directory: a fresh mount outside a cgroup
// namespace would show the host's whole tree (CVE-2023-25809's class).
// reopen names the target inside dirfd, for the bind's remount.
static int mount_one_cgroup(int target, int dirfd, const char *reopen, const char *fstype, const char *data,
			    const char *host_dir, int own_ns, unsigned long flags)
{
	char p[64];
	fd_path(p, sizeof(p), target);
	if (own_ns || host_dir[0] == '\0') {
		unsigned long f = own_ns ? flags : flags | MS_RDONLY;
		if (sys_mount(fstype, p, fstype, f, data) == 0)
			return 0;
		if (host_dir[0] == '\0') {
			set_why("%s", errstr(errno));
			return -1;
		}
	}
	if (sys_mount(host_dir, p, NULL, MS_BIND, NULL) < 0) {
		set_why("bind the container's cgroup %s: %s", host_dir, errstr(errno));
		return -1;
	}
	int top = dirfd < 0 ? in_root(rootfd, reopen, O_PATH) : openat(dirfd, reopen, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0) {
		set_why("%s", errstr(errno));
		return -1;
	}
	fd_path(p, sizeof(p), top);
	int rc = sys_mount("", p, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
	int saved = errno;
	close(top);
	if (rc < 0) {
		set_why("remount the container's cgroup %s: %s", host_dir, errstr(saved));
		return -1;
	}
	return 0;
}

// op_cgroup mounts a "cgroup" entry as the host has its cgroups: one cgroup2
// mount on a pure v2 host; on hybrid and v1 hosts a tmpfs with a directory
// per v1 hierarchy (and "unified" for cgroup2), so programs that read
// /sys/fs/cgroup/memory/... inside work.
static void op_cgroup(struct plan_reader *r)
{
	const unsigned long base = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	const char *shown = rd_str(r), *dest = rd_str(r);
	int own_ns = (int)rd_u64(r);
	unsigned long flags = base | (unsigned long)rd_u64(r);
	int ro = (int)rd_u64(r);
	const char *unified = rd_str(r);
	uint64_t nv1 = rd_u64(r);
	int target = open_dest(dest, 0);
	if (target < 0)
		cinit_fail(errno, "mount cgroup on \"%s\": create the destination in the rootfs", shown);
	if (nv1 == 0) {
		if (mount_one_cgroup(target, -1, dest, "cgroup2", "", unified, own_ns, flags) < 0)
			cinit_fail(0, "mount cgroup on \"%s\"", shown);
		close(target);
		return;
	}
	char p[64];
	fd_path(p, sizeof(p), target);
	if (sys_mount("tmpfs", p, "tmpfs", base, "mode=755") < 0)
		cinit_fail(errno, "mount cgroup on \"%s\": the tmpfs for the v1 hierarchies", shown);
	close(target);
	// The fresh tmpfs holds nothing of the image's: its subdirectories
	// are made and opened through its own handle.
	int tmp = in_root(rootfd, dest, O_PATH | O_DIRECTORY);
	if (tmp < 0)
		cinit_fail(errno, "mount cgroup on \"%s\": reopen", shown);
	for (uint64_t i = 0; i <= nv1; i++) {
		const char *name = "unified", *ctrls = "", *dir = unified, *fstype = "cgroup2";
		if (i < nv1) {
			name = rd_str(r);
			ctrls = rd_str(r);
			dir = rd_str(r);
			fstype = "cgroup";
		} else if (unified[0] == '\0') {
			break;
		}
		if (mkdirat(tmp, name, 0755) < 0)
			cinit_fail(errno, "mount cgroup on \"%s\": %s", shown, name);
		int d = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0)
			cinit_fail(errno, "mount cgroup on \"%s\": %s", shown, name);
		if (mount_one_cgroup(d, tmp, name, fstype, ctrls, dir, own_ns, flags) < 0)
			cinit_fail(0, "mount cgroup on \"%s\": %s", shown, name);
		close(d);
		// Co-mounted controllers get a link per name, as hosts have
		// (cpu -> cpu,cpuacct).
		if (strchr(ctrls, ',') != NULL) {
			char list[512];
			snprintf(list, sizeof(list), "%s", ctrls);
			for (char *save = NULL, *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
				if (strcmp(c, name) != 0)
					symlinkat(name, tmp, c);
		}
	}
	if (ro) {
		fd_path(p, sizeof(p), tmp);
		if (sys_mount("", p, NULL, MS_REMOUNT | MS_RDONLY | base, "mode=755") < 0)
			cinit_fail(errno, "mount cgroup on \"%s\": make the tmpfs read-only", shown);
	}
	close(tmp);
}

static void op_device(struct plan_reader *r)
{
	const char *path = rd_str(r), *clean = rd_str(r), *dir = rd_str(r), *base = rd_str(r);
	mode_t mode = (mode_t)rd_u64(r);
	unsigned int major = (unsigned int)rd_u64(r), minor = (unsigned int)rd_u64(r);
	uid_t uid = (uid_t)rd_u64(r);
	gid_t gid = (gid_t)rd_u64(r);
	int userns = (int)rd_u64(r);
	int dfd = mkdir_all(rootfd, dir);
	if (dfd < 0)
		cinit_fail(errno, "create device \"%s\"", path);
	if (userns) {
		// mknod is refused in a user namespace: bind the host's node
		// over an empty file instead.
		if (S_ISFIFO(mode)) {
			if (mkfifoat(dfd, base, mode & 07777) < 0)
				cinit_fail(errno, "create device \"%s\"", path);
			close(dfd);
			return;
		}
		int target = open_dest(clean, 1);
		if (target < 0)
			cinit_fail(errno, "create device \"%s\"", path);
		char p[64];
		fd_path(p, sizeof(p), target);
		if (sys_mount(path, p, NULL, MS_BIND, NULL) < 0)
			cinit_fail(errno, "create device \"%s\"", path);
		close(target);
		close(dfd);
		return;
	}
	dev_t dev = makedev(major, minor);
	int rc = mknodat(dfd, base, mode, dev);
	if (rc < 0 && errno == EEXIST) {
		// Replace whatever the image left there (a file, a symlink):
		// unlinkat removes the entry itself, never a symlink's target.
		rc = unlinkat(dfd, base, 0);
		if (rc == 0)
			rc = mknodat(dfd, base, mode, dev);
	}
	if (rc < 0 || fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		cinit_fail(errno, "create device \"%s\"", path);
	close(dfd);
}

static void op_dev_symlinks(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
	};
	int dev = mkdir_all(rootfd, "/dev");
	if (dev < 0)
		cinit_fail(errno, "create /dev in the rootfs");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			cinit_fail(errno, "symlink /dev/%s -> %s", links[i][1], links[i][0]);
	close(dev);
}

// op_pivot makes the rootfs the root of the mount namespace and detaches the
// old root, so that no path in the container leads back to the host.
static void op_pivot(struct plan_reader *r)
{
	const char *rootfs = rd_str(r);
	int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		cinit_fail(errno, "pivot_root: open old root");
	int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		cinit_fail(errno, "pivot_root: open rootfs \"%s\"", rootfs);
	if (fchdir(newroot) < 0)
		cinit_fail(errno, "pivot_root: chdir to rootfs \"%s\"", rootfs);
	// pivot_root(".", ".") stacks the old root on top of the new one,
	// which needs no directory for it inside the image.
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		cinit_fail(errno, "pivot_root \"%s\"", rootfs);
	if (fchdir(oldroot) < 0)
		cinit_fail(errno, "pivot_root: chdir to old root");
	// Unmounting must not propagate to the host's mounts.
	if (sys_mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		cinit_fail(errno, "pivot_root: make old root rslave");
	if (syscall(SYS_umount2, ".", MNT_DETACH) < 0)
		cinit_fail(errno, "pivot_root: detach old root");
	if (chdir("/") < 0)
		cinit_fail(errno, "pivot_root: chdir /");
	close(oldroot);
	close(newroot);
	close(rootfd);
	rootfd = -1;
}

// op_move_root is --no-pivot: move the rootfs over / and chroot into it.
static void op_move_root(struct plan_reader *r)
{
	const char *rootfs = rd_str(r);
	if (chdir(rootfs) < 0)
		cinit_fail(errno, "chdir to rootfs \"%s\"", rootfs);
	if (sys_mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		cinit_fail(errno, "move rootfs \"%s\" to /", rootfs);
	if (chroot(".") < 0)
		cinit_fail(errno, "chroot into rootfs \"%s\"", rootfs);
	if (chdir("/") < 0)
		cinit_fail(errno, "chdir /");
	close(rootfd);
	rootfd = -1;
}

int fs_op(struct plan_reader *r)
{
	switch (r->op) {
	case OP_ROOTFS: op_rootfs(r); break;
	case OP_MOUNT: op_mount(r); break;
	case OP_BIND: op_bind(r); break;
	case OP_FINISH: op_finish(r); break;
	case OP_CGROUP: op_cgroup(r); break;
	case OP_DEVICE: op_device(r); break;
	case OP_DEV_SYMLINKS: op_dev_symlinks(); break;
	case OP_PIVOT: op_pivot(r); break;
	case OP_MOVE_ROOT: op_move_root(r); break;
	default: return 0;
	}
	return 1;
}
