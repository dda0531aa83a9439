package main

import (
	"github.com/urfave/cli/v2"
)

var resumeCommand = &cli.Command{
	Name:      "resume",
	Usage:     "thaw a paused container",
	ArgsUsage: "ID",
	Description: `Example:
   berth pause web && berth resume web`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Resume()
	},
}
