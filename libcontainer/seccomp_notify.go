package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// forwardSeccompFd takes the seccomp listener that follows the init's
// SeccompFd message on sock and hands it to the engine's agent at
// linux.seccomp.listenerPath with the container process state. The
// runtime keeps no copy: only the agent answers notifications.
func (c *Container) forwardSeccompFd(sock int) error {
	fd, err := syncmsg.RecvFd(sock)
	if err != nil {
		return fmt.Errorf("seccomp listener: %w", err)
	}
	defer unix.Close(fd)
	sc := c.st.Config.Linux.Seccomp
	if sc == nil || sc.ListenerPath == "" {
		return fmt.Errorf("init sent a seccomp listener but linux.seccomp.listenerPath is not set")
	}
	st := &specs.ContainerProcessState{
		Version:  specs.Version,
		Pid:      c.st.Pid,
		Metadata: sc.ListenerMetadata,
		State:    *c.OCIState(specs.StateCreating),
	}
	return seccomp.SendToAgent(sc.ListenerPath, st, fd)
}
