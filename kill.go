package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/signals"
)

var killCommand = &cli.Command{
	Name:      "kill",
	Usage:     "send a signal (default TERM) to a container's init",
	ArgsUsage: "ID [SIGNAL]",
	Description: `SIGNAL is a name (TERM, SIGTERM) or a number (15).
   Note: the kernel does not deliver TERM to a pid namespace's init that has no
   handler for it (a bare sleep, say); use KILL for those.

Example:
   berth kill mycontainer KILL`,
	Flags: []cli.Flag{&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process of the container"}},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 || ctx.NArg() > 2 {
			return fmt.Errorf("kill: expected ID [SIGNAL], got %d arguments", ctx.NArg())
		}
		id := ctx.Args().Get(0)
		sigName := "TERM"
		if ctx.NArg() == 2 {
			sigName = ctx.Args().Get(1)
		}
		sig, err := signals.Parse(sigName)
		if err != nil {
			return fmt.Errorf("container %q: kill: %w", id, err)
		}
		c, err := libcontainer.Load(ctx.String("root"), id)
		if err != nil {
			return err
		}
		return c.Signal(sig, ctx.Bool("all"))
	},
}
