package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

// oneID returns the command's single ID argument.
func oneID(ctx *cli.Context) (string, error) {
	if ctx.NArg() != 1 {
		return "", fmt.Errorf("%s: expected exactly one container ID, got %d arguments (see berth %s --help)", ctx.Command.Name, ctx.NArg(), ctx.Command.Name)
	}
	return ctx.Args().First(), nil
}

// loadContainer is the preamble of every command that acts on one
// existing container: exactly one ID argument, then its recorded state.
func loadContainer(ctx *cli.Context) (*libcontainer.Container, error) {
	id, err := oneID(ctx)
	if err != nil {
		return nil, err
	}
	return libcontainer.Load(ctx.String("root"), id)
}

func checkSystemd(ctx *cli.Context) error {
	if ctx.Bool("systemd-cgroup") {
		return fmt.Errorf("--systemd-cgroup: the systemd cgroup driver is not available in berth; drop the flag to use cgroupfs")
	}
	return nil
}

// loadByID loads a container for commands that take more than the ID.
func loadByID(ctx *cli.Context, id string) (*libcontainer.Container, error) {
	return libcontainer.Load(ctx.String("root"), id)
}
