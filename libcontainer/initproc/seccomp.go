package initproc

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// When the filter is loaded. A filter applies to every syscall after it,
// the init's own included, so it goes in as late as possible:
//
//   - noNewPrivileges true, no NOTIFY rule: last, after no_new_privs, the
//     umask and close_range, right before execve (seccompLate).
//   - noNewPrivileges false: loading a filter without no_new_privs needs
//     CAP_SYS_ADMIN, which the init gives up in setUser; so it goes in just
//     before setUser, still before Ready (seccompEarly). The user change,
//     the wait for start and the startContainer hooks then run under it.
//   - NOTIFY rules: the listener must reach the agent through `create`,
//     which only listens until Ready, so the filter goes in before setUser
//     too (with CAP_SYS_ADMIN, whatever noNewPrivileges says; the bit is
//     still set at its usual place). The listener is handed over at once:
//     a notified syscall of the init then waits for an agent that has it.
//     Validate refuses NOTIFY for the two syscalls that hand it over.
//
// The user's program cannot make a syscall before start in any case.

// seccompEarly reports whether f must be loaded before the user change.
func seccompEarly(f *seccomp.Filter, noNewPrivs bool) bool {
	return f != nil && (!noNewPrivs || f.Notify)
}

// loadSeccomp loads f on this thread and, for a filter with NOTIFY rules,
// sends the listener to the runtime over sync (a SeccompFd frame, then the
// fd with SCM_RIGHTS) and closes the init's copy. exec's init can call it
// the same way.
func loadSeccomp(f *seccomp.Filter, sync *os.File) error {
	fd, err := f.Load()
	if err != nil {
		return err
	}
	if fd < 0 {
		return nil
	}
	defer unix.Close(fd)
	if err := syncmsg.Write(sync, syncmsg.SeccompFd, nil); err != nil {
		return fmt.Errorf("send the seccomp listener to the runtime: %w", err)
	}
	if err := unix.Sendmsg(int(sync.Fd()), []byte{'s'}, unix.UnixRights(fd), nil, 0); err != nil {
		return fmt.Errorf("send the seccomp listener to the runtime: %w", err)
	}
	return nil
}
