package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

var psCommand = &cli.Command{
	Name:      "ps",
	Usage:     "list the processes of a container",
	ArgsUsage: "ID [ps options]",
	Description: `With --format table (the default), runs ps(1) with the given options
   (default -ef) and keeps the header and the lines of the container's
   processes. With --format json, prints the host pids as a JSON array.

Examples:
   berth ps web
   berth ps web -- -o pid,comm
   berth ps --format json web`,
	Flags: []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"}},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 {
			return fmt.Errorf("ps: expected ID [ps options], got no arguments")
		}
		c, err := loadByID(ctx, ctx.Args().First())
		if err != nil {
			return err
		}
		pids, err := c.Processes()
		if err != nil {
			return err
		}
		switch ctx.String("format") {
		case "json":
			if pids == nil {
				pids = []int{}
			}
			return json.NewEncoder(os.Stdout).Encode(pids)
		case "table":
		default:
			return fmt.Errorf("container %q: ps: unknown --format %q (want table or json)", c.ID(), ctx.String("format"))
		}
		args := ctx.Args().Slice()[1:]
		if len(args) == 0 {
			args = []string{"-ef"}
		}
		out, err := exec.Command("ps", args...).Output()
		if err != nil {
			return fmt.Errorf("container %q: ps: run ps %s: %w", c.ID(), strings.Join(args, " "), err)
		}
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		pidCol := -1
		for i, f := range strings.Fields(lines[0]) {
			if f == "PID" {
				pidCol = i
				break
			}
		}
		if pidCol < 0 {
			return fmt.Errorf("container %q: ps: ps %s printed no PID column", c.ID(), strings.Join(args, " "))
		}
		in := map[int]bool{}
		for _, p := range pids {
			in[p] = true
		}
		var b bytes.Buffer
		b.WriteString(lines[0] + "\n")
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			if len(f) > pidCol {
				if p, err := strconv.Atoi(f[pidCol]); err == nil && in[p] {
					b.WriteString(l + "\n")
				}
			}
		}
		_, err = os.Stdout.Write(b.Bytes())
		return err
	},
}
