package sigforward

/*
#cgo CFLAGS: -Wall -Wextra -O2
int sigforward_install(int fd, int sig);
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Catcher holds the read end of the pipe the handlers write to.
type Catcher struct {
	r *os.File
}

// forwarded reports whether berth catches sig to pass it on. Not caught:
//   - SIGKILL and SIGSTOP, which cannot be;
//   - the faults (SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS): the Go
//     runtime turns them into panics and crash reports;
//   - SIGCHLD, which is about berth's own children, SIGURG, the Go
//     runtime's preemption signal, and SIGPROF, its profiler's;
//   - 32 and 33, glibc's own signals for its threads.
func forwarded(sig unix.Signal) bool {
	switch sig {
	case unix.SIGKILL, unix.SIGSTOP,
		unix.SIGILL, unix.SIGTRAP, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSYS,
		unix.SIGCHLD, unix.SIGURG, unix.SIGPROF, 32, 33:
		return false
	}
	return true
}

// Catch installs the handlers. Call it before the process to wait for
// exists, so that no signal sent in between is lost: until Wait runs,
// caught signals wait in the pipe (64 KiB: far more than anyone sends).
func Catch() (*Catcher, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fmt.Errorf("catch signals: pipe: %w", err)
	}
	for sig := unix.Signal(1); sig <= 64; sig++ {
		if !forwarded(sig) {
			continue
		}
		if rc, err := C.sigforward_install(C.int(p[1]), C.int(sig)); rc != 0 {
			// The read end is closed; the write end stays open for
			// the handlers installed so far.
			unix.Close(p[0])
			return nil, fmt.Errorf("catch signals: sigaction %d: %w", int(sig), err)
		}
	}
	return &Catcher{r: os.NewFile(uintptr(p[0]), "signal pipe")}, nil
}

// Wait waits until the process pid, a child of this process, exits,
// forwarding every caught signal to it meanwhile, and reaps it. SIGWINCH
// goes to onWinch instead when that is not nil: the caller relays a
// terminal and copies the window size itself.
func (c *Catcher) Wait(pid int, onWinch func()) (unix.WaitStatus, error) {
	var ws unix.WaitStatus
	// A pidfd rather than the pid: signals can only reach this process
	// (the pid cannot be reused before the reap below), and poll tells
	// when it has exited.
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return ws, fmt.Errorf("wait for %d: pidfd_open: %w", pid, err)
	}
	defer unix.Close(pidfd)
	sigfd := int(c.r.Fd())
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}, {Fd: int32(sigfd), Events: unix.POLLIN}}
	var buf [64]byte
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return ws, fmt.Errorf("wait for %d: poll: %w", pid, err)
		}
		// Signals first: one sent just before the process exited still
		// reaches it (and is then moot).
		if fds[1].Revents&unix.POLLIN != 0 {
			n, _ := unix.Read(sigfd, buf[:])
			for _, b := range buf[:max(n, 0)] {
				sig := unix.Signal(b)
				if sig == unix.SIGWINCH && onWinch != nil {
					onWinch()
					continue
				}
				// ESRCH: it is exiting; the poll says so next.
				unix.PidfdSendSignal(pidfd, sig, nil, 0)
			}
		}
		if fds[0].Revents != 0 {
			break
		}
	}
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == nil {
			return ws, nil
		}
		if !errors.Is(err, syscall.EINTR) {
			return ws, fmt.Errorf("wait for %d: %w", pid, err)
		}
	}
}
