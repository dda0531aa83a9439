package initproc

import (
	"fmt"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// setupConsole gives the process a pty from the container's own devpts
// instance, after pivot_root: the slave becomes stdio, the controlling
// terminal and /dev/console, and the master goes to the runtime.
func setupConsole(sync *os.File, size *specs.Box) error {
	master, err := os.OpenFile("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fmt.Errorf("console: open /dev/ptmx: %w", err)
	}
	defer master.Close()
	mfd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("console: unlock pty: %w", err)
	}
	// TIOCGPTPEER opens the slave from the master itself: looking it up
	// by /dev/pts/N would follow whatever the container put at that path
	// (the class of CVE-2025-52565).
	sfd, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(mfd), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		return fmt.Errorf("console: open pty peer: %w", errno)
	}
	slave := os.NewFile(sfd, "pty-slave")
	defer slave.Close()
	if size != nil {
		ws := &unix.Winsize{Row: uint16(size.Height), Col: uint16(size.Width)}
		if err := unix.IoctlSetWinsize(mfd, unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("console: set size %dx%d: %w", size.Width, size.Height, err)
		}
	}
	ptn, err := unix.IoctlGetInt(mfd, unix.TIOCGPTN)
	if err != nil {
		return fmt.Errorf("console: pty number: %w", err)
	}
	if err := bindConsole(slave, ptn); err != nil {
		return err
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(int(sfd), fd, 0); err != nil {
			return fmt.Errorf("console: dup pty onto fd %d: %w", fd, err)
		}
	}
	if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("console: make the pty the controlling terminal: %w", err)
	}
	if err := syncmsg.Write(sync, syncmsg.Console, nil); err != nil {
		return err
	}
	if err := unix.Sendmsg(int(sync.Fd()), []byte{'c'}, unix.UnixRights(mfd), nil, 0); err != nil {
		return fmt.Errorf("console: send the pty master to the runtime: %w", err)
	}
	return nil
}

// bindConsole bind-mounts the pty slave on /dev/console. The entry is made
// or checked without following symlinks (an image's /dev/console pointing
// at a /proc file would otherwise put the pty over that file, the class of
// CVE-2025-52565), and the mount is done on handles, not /proc/self/fd
// paths resolved through the container's /proc.
func bindConsole(slave *os.File, ptn int) error {
	if err := checkPtySlave(slave, ptn); err != nil {
		return err
	}
	root, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer root.Close()
	dev, err := pathrs.OpenatInRoot(root, "/dev")
	if err != nil {
		return fmt.Errorf("console: open /dev: %w", err)
	}
	defer dev.Close()
	dfd := int(dev.Fd())
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, "console", &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
		if t := st.Mode & unix.S_IFMT; t != unix.S_IFREG && t != unix.S_IFCHR {
			// A symlink, directory or fifo left by the image: replace it.
			if err := unix.Unlinkat(dfd, "console", 0); err != nil {
				return fmt.Errorf("console: remove the image's /dev/console (mode %#o): %w", st.Mode, err)
			}
		}
	}
	if err := unix.Mknodat(dfd, "console", unix.S_IFREG|0o600, 0); err != nil && err != unix.EEXIST {
		return fmt.Errorf("console: create /dev/console: %w", err)
	}
	tfd, err := unix.Openat(dfd, "console", unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("console: open /dev/console: %w", err)
	}
	target := os.NewFile(uintptr(tfd), "/dev/console")
	defer target.Close()
	if err := unix.Fstat(tfd, &st); err != nil {
		return fmt.Errorf("console: stat /dev/console: %w", err)
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFREG && t != unix.S_IFCHR {
		return fmt.Errorf("console: /dev/console is not a file (mode %#o)", st.Mode)
	}
	if err := rootfs.BindHandle(slave, target, false); err != nil {
		return fmt.Errorf("console: bind the pty on /dev/console: %w", err)
	}
	return nil
}

// checkPtySlave verifies the peer the kernel gave us really is the slave of
// our master: a character device on devpts whose device number is pty
// number ptn (UNIX98 slaves: majors 136 to 143, 256 minors each).
func checkPtySlave(slave *os.File, ptn int) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(slave.Fd()), &st); err != nil {
		return fmt.Errorf("console: stat the pty peer: %w", err)
	}
	maj, mnr := int(unix.Major(st.Rdev)), int(unix.Minor(st.Rdev))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || maj < 136 || maj > 143 || (maj-136)*256+mnr != ptn {
		return fmt.Errorf("console: the pty peer is not slave %d of our master (mode %#o, device %d:%d)", ptn, st.Mode, maj, mnr)
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(slave.Fd()), &fs); err != nil {
		return fmt.Errorf("console: statfs the pty peer: %w", err)
	}
	if fs.Type != unix.DEVPTS_SUPER_MAGIC {
		return fmt.Errorf("console: the pty peer is not on devpts (type %#x)", fs.Type)
	}
	return nil
}
