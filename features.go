package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer/features"
)

var featuresCommand = &cli.Command{
	Name:  "features",
	Usage: "show the enabled features",
	Description: `Prints the OCI runtime features document (JSON): the spec versions,
hooks, mount options, namespaces and capabilities this build of berth
understands. It describes berth, not the host.

Example:
   berth features | jq .linux.seccomp.actions`,
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() != 0 {
			return fmt.Errorf("features: unexpected arguments %q", ctx.Args().Slice())
		}
		// An Encoder adds the trailing newline that a terminal expects.
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		if err := enc.Encode(features.Get()); err != nil {
			return fmt.Errorf("features: %w", err)
		}
		return nil
	},
}
