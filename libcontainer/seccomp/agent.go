package seccomp

import (
	"encoding/json"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SendToAgent gives the notify listener fd to the seccomp agent listening
// on path, as the runtime-spec describes: one connection, the container
// process state as JSON with the fd in SCM_RIGHTS on the first sendmsg,
// then the connection is closed. st.Fds is set here.
func SendToAgent(path string, st *specs.ContainerProcessState, fd int) error {
	st.Fds = []string{specs.SeccompFdName}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	sock, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("seccomp agent: socket: %w", err)
	}
	defer unix.Close(sock)
	if err := unix.Connect(sock, &unix.SockaddrUnix{Name: path}); err != nil {
		return fmt.Errorf("connect to the seccomp agent at linux.seccomp.listenerPath %q: %w", path, err)
	}
	// A stream socket may take part of the state per call; only the
	// first call carries the fd.
	oob := unix.UnixRights(fd)
	for len(b) > 0 {
		n, err := unix.SendmsgN(sock, b, oob, nil, unix.MSG_NOSIGNAL)
		if err != nil {
			return fmt.Errorf("send the seccomp listener to the agent at %q: %w", path, err)
		}
		b, oob = b[n:], nil
	}
	return nil
}
