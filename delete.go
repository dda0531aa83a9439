package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer/state"
)

var deleteCommand = &cli.Command{
	Name:      "delete",
	Usage:     "delete a stopped container (a running one with --force)",
	ArgsUsage: "ID",
	Description: `Removes the container's state, its cgroups and its monitor; a created,
   running or paused container needs --force, which kills it first. An
   unknown ID with --force is not an error (engines clean up that way).

Examples:
   berth delete web
   berth delete --force web`,
	Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill the container first if it is running"}},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			// Engines clean up with delete --force of IDs that may be gone.
			if ctx.Bool("force") && errors.Is(err, state.ErrNotExist) {
				return nil
			}
			return err
		}
		return c.Delete(ctx.Bool("force"))
	},
}
