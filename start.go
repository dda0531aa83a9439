package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/notify"
)

var startCommand = &cli.Command{
	Name:      "start",
	Usage:     "start a created container's process",
	ArgsUsage: "ID",
	Description: `Example:
   berth create --bundle mybundle web && berth start web`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		// With NOTIFY_SOCKET, start returns once the container is ready.
		n, err := startNotifying(c, os.Getenv("NOTIFY_SOCKET"))
		if err != nil || n == nil {
			return err
		}
		defer n.Close()
		return c.WaitReady(n)
	},
}

// startNotifying starts c. For a container created with a notify socket,
// when host (the caller's NOTIFY_SOCKET) is set, the socket is bound before
// the start, so that no notification is lost, and returned for the caller
// to wait on; otherwise the proxy is nil.
func startNotifying(c *libcontainer.Container, host string) (*notify.Proxy, error) {
	n, err := c.NotifyProxy(host)
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		if n != nil {
			n.Close()
		}
		return nil, err
	}
	return n, nil
}
