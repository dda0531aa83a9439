// The container's terminal (process.terminal) for the C init: a pty from
// the container's own devpts instance, opened after pivot_root. Its slave
// becomes stdio, the controlling terminal and /dev/console; its master goes
// to the runtime over the sync socket, which hands it to --console-socket
// or relays it itself. The Go init does the same (initproc/console.go), in
// the same words.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "cinit.h"
#include "syncio.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

// check_pty_slave verifies that the peer the kernel gave us is the slave
// of our master: a character device on devpts whose device number is pty
// number ptn (UNIX98 slaves: majors 136 to 143, 256 minors each).
static void check_pty_slave(int sfd, int ptn)
{
	struct stat st;
	if (fstat(sfd, &st) < 0)
		cinit_fail(errno, "console: stat the pty peer");
	int maj = (int)major(st.st_rdev), mnr = (int)minor(st.st_rdev);
	if (!S_ISCHR(st.st_mode) || maj < 136 || maj > 143 || (maj - 136) * 256 + mnr != ptn)
		cinit_fail(0, "console: the pty peer is not slave %d of our master (mode %#o, device %d:%d)", ptn,
			   st.st_mode, maj, mnr);
	struct statfs fs;
	if (fstatfs(sfd, &fs) < 0)
		cinit_fail(errno, "console: statfs the pty peer");
	if (fs.f_type != DEVPTS_SUPER_MAGIC)
		cinit_fail(0, "console: the pty peer is not on devpts (type %#lx)", (unsigned long)fs.f_type);
}

// bind_console bind-mounts the pty slave on /dev/console. The entry is made
// or checked without following symlinks (an image's /dev/console pointing
// at a /proc file would otherwise put the pty over that file, the class of
// CVE-2025-52565), and the mount goes onto a handle with the new mount API.
static void bind_console(int sfd, int ptn)
{
	check_pty_slave(sfd, ptn);
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		cinit_fail(errno, "console: open /");
	int dev = in_root(root, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		cinit_fail(errno, "console: open /dev");
	close(root);
	struct stat st;
	if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		// A symlink, directory or fifo left by the image: replace it.
		if (unlinkat(dev, "console", 0) < 0)
			cinit_fail(errno, "console: remove the image's /dev/console (mode %#o)", st.st_mode);
	}
	if (mknodat(dev, "console", S_IFREG | 0600, 0) < 0 && errno != EEXIST)
		cinit_fail(errno, "console: create /dev/console");
	int target = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		cinit_fail(errno, "console: open /dev/console");
	close(dev);
	if (fstat(target, &st) < 0)
		cinit_fail(errno, "console: stat /dev/console");
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		cinit_fail(0, "console: /dev/console is not a file (mode %#o)", st.st_mode);
	int tree = (int)syscall(SYS_open_tree, sfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		cinit_fail(errno, "console: bind the pty on /dev/console: open_tree");
	if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		cinit_fail(errno, "console: bind the pty on /dev/console: move_mount");
	close(tree);
	close(target);
}

void op_console(struct plan_reader *r, int syncfd)
{
	int has_size = rd_u64(r) != 0;
	uint64_t width = rd_u64(r), height = rd_u64(r);
	int dev_console = rd_u64(r) != 0; // the init's; an exec'd process's is not
	int mfd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (mfd < 0)
		cinit_fail(errno, "console: open /dev/ptmx");
	int unlock = 0;
	if (ioctl(mfd, TIOCSPTLCK, &unlock) < 0)
		cinit_fail(errno, "console: unlock pty");
	// TIOCGPTPEER opens the slave from the master itself: looking it up
	// by /dev/pts/N would follow whatever the container put at that path
	// (the class of CVE-2025-52565).
	int sfd = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sfd < 0)
		cinit_fail(errno, "console: open pty peer");
	if (has_size) {
		struct winsize ws = {.ws_row = (unsigned short)height, .ws_col = (unsigned short)width};
		if (ioctl(mfd, TIOCSWINSZ, &ws) < 0)
			cinit_fail(errno, "console: set size %llux%llu", (unsigned long long)width, (unsigned long long)height);
	}
	if (dev_console) {
		int ptn;
		if (ioctl(mfd, TIOCGPTN, &ptn) < 0)
			cinit_fail(errno, "console: pty number");
		bind_console(sfd, ptn);
	}
	for (int fd = 0; fd <= 2; fd++)
		if (dup3(sfd, fd, 0) < 0)
			cinit_fail(errno, "console: dup pty onto fd %d", fd);
	close(sfd);
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		cinit_fail(errno, "console: make the pty the controlling terminal");
	if (send_fd_frame(syncfd, MSG_CONSOLE, 'c', mfd) < 0)
		cinit_fail(errno, "console: send the pty master to the runtime");
	close(mfd);
}
