package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// oneID returns the command's single ID argument.
func oneID(ctx *cli.Context) (string, error) {
	if ctx.NArg() != 1 {
		return "", fmt.Errorf("%s: expected exactly one container ID, got %d arguments (see berth %s --help)", ctx.Command.Name, ctx.NArg(), ctx.Command.Name)
	}
	return ctx.Args().First(), nil
}

func checkSystemd(ctx *cli.Context) error {
	if ctx.Bool("systemd-cgroup") {
		return fmt.Errorf("--systemd-cgroup: the systemd cgroup driver is not available in berth; drop the flag to use cgroupfs")
	}
	return nil
}
