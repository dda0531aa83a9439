// The C init's filesystem ops after pivot_root: masked and read-only paths,
// a shared rootfsPropagation, the cwd and a read-only root. The Go init's
// rootfs package does the same in the same order.
//
// After pivot_root /proc is the container's: these ops work on handles
// only (open_tree, fsmount, move_mount, mount_setattr), never a
// /proc/self/fd path that a rootfs without a procfs on /proc could answer
// with its own symlinks.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cinit.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int open_slash(void)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		cinit_fail(errno, "open /");
	return fd;
}

static int null_fd = -1;

// open_null opens the container's /dev/null and checks that it is the real
// 1:3 character device: binding an image's fake "null" (a symlink to a host
// file, a regular file) over /proc paths would unmask them or worse (the
// class of CVE-2025-31133).
static int open_null(void)
{
	if (null_fd >= 0)
		return null_fd;
	int root = open_slash();
	null_fd = in_root(root, "/dev/null", O_PATH);
	close(root);
	if (null_fd < 0)
		cinit_fail(errno, "open /dev/null for masking");
	struct stat st;
	if (fstat(null_fd, &st) < 0)
		cinit_fail(errno, "stat /dev/null");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		cinit_fail(0, "/dev/null in the container is not the 1:3 character device");
	return null_fd;
}

// open_in_container opens path in the container after pivot_root; a
// missing path gives -1 with errno ENOENT, any other failure is fatal.
static int open_in_container(const char *path, const char *what)
{
	int root = open_slash();
	int fd = in_root(root, path, O_PATH);
	int saved = errno;
	close(root);
	if (fd < 0 && saved != ENOENT)
		cinit_fail(saved, "%s \"%s\"", what, path);
	errno = saved;
	return fd;
}

// op_mask hides a path: a read-only empty tmpfs over a directory, the
// container's /dev/null over anything else. A missing path is skipped.
static void op_mask(struct plan_reader *r)
{
	const char *path = rd_str(r);
	int null = open_null();
	int f = open_in_container(path, "masked path");
	if (f < 0)
		return;
	struct stat st;
	if (fstat(f, &st) < 0)
		cinit_fail(errno, "masked path \"%s\"", path);
	int tree;
	if (S_ISDIR(st.st_mode)) {
		int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
		if (fs < 0)
			cinit_fail(errno, "masked path \"%s\": fsopen tmpfs", path);
		if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			cinit_fail(errno, "masked path \"%s\": fsconfig create tmpfs", path);
		tree = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
				    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		if (tree < 0)
			cinit_fail(errno, "masked path \"%s\": fsmount tmpfs", path);
		close(fs);
	} else {
		tree = (int)syscall(SYS_open_tree, null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			cinit_fail(errno, "masked path \"%s\": open_tree", path);
	}
	if (move_mount_fd(tree, f) < 0)
		cinit_fail(errno, "masked path \"%s\": move_mount", path);
	close(tree);
	close(f);
}

// op_readonly binds a path onto itself read-only (the mounts below it keep
// their own flags): the clone is made read-only while detached, then
// attached. A missing path is skipped.
static void op_readonly(struct plan_reader *r)
{
	const char *path = rd_str(r);
	int f = open_in_container(path, "read-only path");
	if (f < 0)
		return;
	int tree = (int)syscall(SYS_open_tree, f, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		cinit_fail(errno, "read-only path \"%s\": open_tree", path);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr_fd(tree, 0, &attr) < 0)
		cinit_fail(errno, "read-only path \"%s\": mount_setattr(MOUNT_ATTR_RDONLY)", path);
	if (move_mount_fd(tree, f) < 0)
		cinit_fail(errno, "read-only path \"%s\": move_mount", path);
	close(tree);
	close(f);
}

// op_shared_root applies a shared rootfsPropagation once pivot_root is done:
// pivot_root refuses a shared new root.
static void op_shared_root(struct plan_reader *r)
{
	int recursive = (int)rd_u64(r);
	const char *name = rd_str(r);
	int root = open_slash();
	struct mount_attr attr = { .propagation = MS_SHARED };
	if (mount_setattr_fd(root, recursive ? AT_RECURSIVE : 0, &attr) < 0)
		cinit_fail(errno, "rootfsPropagation \"%s\"", name);
	close(root);
}

// op_mkcwd creates process.cwd before the root may turn read-only, as runc
// does. It is resolved inside the new root, through no magic link: a cwd
// such as /proc/self/fd/N could otherwise lead to a directory outside it.
static void op_mkcwd(struct plan_reader *r)
{
	const char *cwd = rd_str(r);
	int root = open_slash();
	int fd = mkdir_all(root, cwd);
	if (fd < 0)
		cinit_fail(errno, "create process.cwd \"%s\"", cwd);
	close(fd);
	close(root);
}

static void op_readonly_root(void)
{
	int root = open_slash();
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr_fd(root, 0, &attr) < 0)
		cinit_fail(errno, "remount / read-only");
	close(root);
}

int paths_op(struct plan_reader *r)
{
	switch (r->op) {
	case OP_MASK: op_mask(r); break;
	case OP_READONLY: op_readonly(r); break;
	case OP_SHARED_ROOT: op_shared_root(r); break;
	case OP_MKCWD: op_mkcwd(r); break;
	case OP_READONLY_ROOT: op_readonly_root(); break;
	default: return 0;
	}
	return 1;
}
