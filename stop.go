package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
)

var stopCommand = &cli.Command{
	Name:      "stop",
	Usage:     "stop a container: its stop signal, then KILL after a timeout",
	ArgsUsage: "ID",
	Description: `stop sends the container's stop signal (the annotation
   org.opencontainers.image.stopSignal when config.json has it, else TERM) to
   its init, waits up to --time seconds for it to exit, then kills every process
   of the container's cgroup with KILL. It returns once the container is
   stopped. A paused container is thawed so that it can act on the signal.
   Stopping a container that is already stopped does nothing and succeeds.

   Note: a pid namespace's init gets no signal it has no handler for, so a
   bare "sleep" ignores TERM and is killed after the timeout (exit status 137);
   run it with --init to have TERM end it at once (143).

Example:
   berth stop -t 5 mycontainer`,
	Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before KILL"}},
	Action: func(ctx *cli.Context) error {
		if ctx.Int("time") < 0 {
			return fmt.Errorf("stop: --time %d: must be 0 or more seconds", ctx.Int("time"))
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Stop(time.Duration(ctx.Int("time")) * time.Second)
	},
}
