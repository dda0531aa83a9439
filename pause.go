package main

import (
	"github.com/urfave/cli/v2"
)

var pauseCommand = &cli.Command{
	Name:      "pause",
	Usage:     "freeze every process of a running container",
	ArgsUsage: "ID",
	Description: `Uses the cgroup v2 freezer (cgroup.freeze) wherever the host has a cgroup2
   hierarchy, hybrid hosts included; the v1 freezer otherwise. The container's
   status becomes "paused" until resume.

Example:
   berth pause web && berth resume web`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Pause()
	},
}
