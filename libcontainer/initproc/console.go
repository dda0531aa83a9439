package initproc

import (
	"fmt"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// setupConsole gives the process a pty from the container's own devpts
// instance, after pivot_root: the slave becomes stdio, the controlling
// terminal and, for the init (devConsole), /dev/console; the master goes to
// the runtime.
func setupConsole(sync *os.File, size *specs.Box, devConsole bool) error {
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
	if devConsole {
		if err := bindConsole(slave); err != nil {
			return err
		}
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

func bindConsole(slave *os.File) error {
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
	if err := unix.Mknodat(int(dev.Fd()), "console", unix.S_IFREG|0o600, 0); err != nil && err != unix.EEXIST {
		return fmt.Errorf("console: create /dev/console: %w", err)
	}
	target, err := pathrs.OpenatInRoot(root, "/dev/console")
	if err != nil {
		return fmt.Errorf("console: open /dev/console: %w", err)
	}
	defer target.Close()
	if err := unix.Mount(fmt.Sprintf("/proc/self/fd/%d", slave.Fd()), fmt.Sprintf("/proc/self/fd/%d", target.Fd()), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("console: bind the pty on /dev/console: %w", err)
	}
	return nil
}
