package initproc

import (
	"fmt"
	"strconv"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/caps"

	"github.com/berth-runtime/berth/libcontainer/phase"
)

// This file is the tail that a container's init and an exec'd process share:
// both end by turning the process in the container into the user's program.

// prepareProcess sets the attributes of the user's process that need
// privileges, in the order that keeps them settable: rlimits, the cwd
// (verified to be inside the container), the program's path (looked up while
// still root, so that a missing program is reported before anything runs),
// then the capabilities and the user. beforeUser, when not nil, runs just
// before the user change, while the process still has every capability: the
// place for a seccomp filter that must be loaded without no_new_privs. It
// returns the program's path and environment.
func prepareProcess(p *specs.Process, env []string, beforeUser func() error) (string, []string, error) {
	for _, rl := range p.Rlimits {
		if err := setRlimit(rl); err != nil {
			return "", nil, err
		}
	}
	if envGet(env, "HOME") == "" {
		env = append(env, "HOME="+homeOf(p.User.UID))
	}
	if err := chdirIn(p.Cwd); err != nil {
		return "", nil, err
	}
	path, err := lookPath(p.Args, env)
	if err != nil {
		return "", nil, err
	}
	capset, err := caps.Parse(p.Capabilities)
	if err != nil {
		return "", nil, err
	}
	if beforeUser != nil {
		if err := beforeUser(); err != nil {
			return "", nil, err
		}
	}
	if err := setUser(p.User, capset); err != nil {
		return "", nil, err
	}
	// Changing credentials resets dumpability to fs.suid_dumpable; the
	// process holds the runtime's sockets until exec (CVE-2016-9962).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return "", nil, fmt.Errorf("prctl(PR_SET_DUMPABLE): %w", err)
	}
	return path, env, nil
}

// execProcess is the last step: no_new_privs, the umask, fd hygiene and
// execve. keepFDs fds after stdio (3, 4, ...) reach the program; every other
// fd is closed by the execve. beforeExec, when not nil, runs last, right
// before execve: the place for a seccomp filter loaded under no_new_privs,
// so that it filters as little of the runtime's own work as possible. It
// returns only on failure.
func execProcess(p *specs.Process, path string, env []string, keepFDs int, beforeExec func() error) error {
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	umask := 0o022
	if p.User.Umask != nil {
		umask = int(*p.User.Umask)
	}
	unix.Umask(umask)
	// Only stdio and the kept fds reach the program: the sync socket and
	// anything else the runtime opened must not (a leaked directory fd
	// is a way out of the root, CVE-2024-21626).
	if err := unix.CloseRange(uint(3+keepFDs), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("mark fds close-on-exec: %w", err)
	}
	if beforeExec != nil {
		if err := beforeExec(); err != nil {
			return err
		}
	}
	phase.Mark("init-exec")
	err := syscall.Exec(path, p.Args, env)
	return fmt.Errorf("exec %q: %w", p.Args[0], err)
}

// listenEnv adds the socket-activation variables for n fds passed from
// 3 on. LISTEN_PID is this process's pid as the container sees it (1 in a
// pid namespace of its own, as runc sets it): the program checks it
// against its own getpid().
func listenEnv(env []string, n int, names string) []string {
	env = append(env, "LISTEN_FDS="+strconv.Itoa(n), "LISTEN_PID="+strconv.Itoa(unix.Getpid()))
	if names != "" {
		env = append(env, "LISTEN_FDNAMES="+names)
	}
	return env
}
