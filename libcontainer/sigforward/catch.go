package sigforward

/*
#cgo CFLAGS: -Wall -Wextra -O2
int sigforward_install(int fd, int sig);
*/
import "C"

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Catcher holds the receiving end of the socket pair the handlers write
// to. It is a bare fd, never closed (no *os.File, whose finalizer would
// close it): a handler may run at any time until the process exits.
type Catcher struct {
	fd int
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
// caught signals wait in the socket buffer (far more than anyone sends).
func Catch() (*Catcher, error) {
	// A socket pair rather than a pipe: the handler sends with
	// MSG_NOSIGNAL, so a full or broken channel can never raise SIGPIPE
	// from inside a handler (which would catch it and loop).
	p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("catch signals: socketpair: %w", err)
	}
	for sig := unix.Signal(1); sig <= 64; sig++ {
		if !forwarded(sig) {
			continue
		}
		if rc, err := C.sigforward_install(C.int(p[1]), C.int(sig)); rc != 0 {
			// Both ends stay open for the handlers installed so far.
			return nil, fmt.Errorf("catch signals: sigaction %d: %w", int(sig), err)
		}
	}
	return &Catcher{fd: p[0]}, nil
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
	sigfd := c.fd
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
		if !errors.Is(err, unix.EINTR) {
			return ws, fmt.Errorf("wait for %d: %w", pid, err)
		}
	}
}
