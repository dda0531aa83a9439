// linux.sysctl for the C init: each key is written in the container's
// namespaces, through a procfs instance of the init's own (fsopen), never
// through a /proc path that a mount or a symlink could redirect to another
// file (CVE-2025-52881). The runtime has already refused keys that are not
// namespaced or whose namespace the container does not have, and turned
// each key into its path under /proc (package sysctl).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinit.h"
#include "syncio.h"

// procfs_root returns a handle on the root of a procfs: a new instance
// (it shows the init's pid namespace and nothing mounted over its files),
// else, where mounting procfs is not allowed, a clone of /proc's mount.
static int procfs_root(const char *key)
{
	static int root = -1;
	if (root >= 0)
		return root;
	int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			root = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		close(fs);
	}
	if (root < 0)
		root = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (root < 0)
		cinit_fail(errno, "sysctl %s: open procfs", key);
	struct statfs st;
	if (fstatfs(root, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)
		cinit_fail(0, "sysctl %s: open procfs: not a procfs", key);
	return root;
}

static void op_sysctl(struct plan_reader *r)
{
	const char *key = rd_str(r);
	const char *path = rd_str(r); // "sys/net/ipv4/ip_forward"
	const char *value = rd_str(r);
	// Beneath the procfs root, no symlink, no magic link, no other mount:
	// the path's components are plain names (checked by the runtime).
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd;
	do
		fd = (int)syscall(SYS_openat2, procfs_root(key), path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0)
		cinit_fail(errno, "sysctl %s: open /proc/%s", key, path);
	struct statfs st;
	if (fstatfs(fd, &st) < 0)
		cinit_fail(errno, "sysctl %s: statfs", key);
	if (st.f_type != PROC_SUPER_MAGIC)
		cinit_fail(0, "sysctl %s: the file opened is not on procfs (type %#lx)", key, (unsigned long)st.f_type);
	if (write_all(fd, value, strlen(value)) < 0)
		cinit_fail(errno, "sysctl %s = \"%s\"", key, value);
	close(fd);
}

int sysctl_op(struct plan_reader *r)
{
	if (r->op != OP_SYSCTL)
		return 0;
	op_sysctl(r);
	return 1;
}
