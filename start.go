package main

import (
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var startCommand = &cli.Command{
	Name:      "start",
	Usage:     "start a created container's process",
	ArgsUsage: "ID",
	Action: func(ctx *cli.Context) error {
		id, err := oneID(ctx)
		if err != nil {
			return err
		}
		c, err := libcontainer.Load(ctx.String("root"), id)
		if err != nil {
			return err
		}
		return c.Start()
	},
}
