package libcontainer

import (
	"errors"
	"fmt"

	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/notify"
	"github.com/berth-runtime/berth/libcontainer/procinfo"
)

// NotifyProxy binds the container's notify socket, for a container created
// with one (NOTIFY_SOCKET was set at create) when host, the caller's
// NOTIFY_SOCKET, is set too; otherwise it returns nil. It is called before
// Start, so that no notification is sent before anyone listens.
func (c *Container) NotifyProxy(host string) (*notify.Proxy, error) {
	if host == "" || !notify.Enabled(c.dir.Path) {
		return nil, nil
	}
	p, err := notify.Listen(c.dir.Path, host)
	if err != nil {
		return nil, fmt.Errorf("container %q: %w", c.st.ID, err)
	}
	return p, nil
}

// WaitReady waits until the started container sends READY=1 and forwards it
// through p. A container that exits first only earns a warning, as with
// runc: its exit is what the service manager sees.
func (c *Container) WaitReady(p *notify.Proxy) error {
	err := p.WaitReady(func() bool { return procinfo.Alive(c.st.Pid, c.st.StartTime) }, c.st.Pid)
	if errors.Is(err, notify.ErrExited) {
		c.warn(err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("container %q: %w", c.st.ID, err)
	}
	logging.Debug("container %q: forwarded READY to the notify socket", c.st.ID)
	return nil
}
