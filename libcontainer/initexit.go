package libcontainer

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// initVanished explains an init that closed the sync socket without a
// word. The init is create's child (the C stage forks it with
// CLONE_PARENT), so its end can be read: it is waited for briefly and
// reaped, and c.st.Pid cleared so that the cleanup never signals a pid the
// kernel may have handed out again.
func (c *Container) initVanished() error {
	const base = "container init exited during setup without reporting an error"
	pid := c.st.Pid
	var ws unix.WaitStatus
	for i := 0; i < 100; i++ {
		wpid, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err != nil {
			break
		}
		if wpid != pid {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		c.st.Pid = 0
		switch {
		case ws.Signaled() && ws.Signal() == unix.SIGSYS:
			// The filter is in place before Ready when noNewPrivileges
			// is false or the profile notifies (see initproc/seccomp.go).
			return errors.New("container init was killed by SIGSYS during setup: linux.seccomp kills a syscall the init makes after loading the filter (the user change, the wait for start, the startContainer hooks, execve)")
		case ws.Signaled():
			return fmt.Errorf("container init was killed by signal %d (%v) during setup", ws.Signal(), ws.Signal())
		default:
			return fmt.Errorf("%s (exit status %d)", base, ws.ExitStatus())
		}
	}
	return errors.New(base)
}
