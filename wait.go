package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer/hugeheap"
)

var waitCommand = &cli.Command{
	Name:      "wait",
	Usage:     "wait for a container to stop and exit with its exit status",
	ArgsUsage: "ID",
	Description: `wait blocks until the container's init has exited, then exits with its
   status: the process's exit code, or 128+N when it was killed by signal N
   (137 for KILL, also when the OOM killer killed it; 143 for TERM). It prints
   the code, and "oom-killed" when the OOM killer killed a process of the
   container. Exit statuses are recorded only for containers started with
   berth run -d or with --keep-exit-status.

Example:
   berth run -d --bundle /path/to/bundle web
   berth stop web
   berth wait web; echo "web exited $?"`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		hugeheap.Settle() // blocks until the container stops
		e, oom, err := c.Wait()
		if err != nil {
			return err
		}
		if oom {
			fmt.Fprintln(os.Stdout, e.ExitCode, "oom-killed")
		} else {
			fmt.Fprintln(os.Stdout, e.ExitCode)
		}
		return cli.Exit("", e.ExitCode)
	},
}
