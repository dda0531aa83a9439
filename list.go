package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/state"
)

var listCommand = &cli.Command{
	Name:    "list",
	Aliases: []string{"ps-all"},
	Usage:   "list the containers under --root",
	Description: `Example:
   berth list
   berth list -q | xargs -r -n1 berth delete --force
   berth list --format json | jq -r '.[] | select(.status == "stopped") | .id'`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the IDs"},
	},
	Action: func(ctx *cli.Context) error {
		ids, err := state.List(ctx.String("root"))
		if err != nil {
			return err
		}
		var all []stateJSON
		owners := map[uint32]string{}
		for _, id := range ids {
			c, err := libcontainer.Load(ctx.String("root"), id)
			if err != nil {
				continue // being created or deleted right now
			}
			s := stateOf(c)
			s.Owner = dirOwner(filepath.Join(ctx.String("root"), id), owners)
			all = append(all, s)
		}
		if ctx.Bool("quiet") {
			for _, s := range all {
				fmt.Println(s.ID)
			}
			return nil
		}
		switch ctx.String("format") {
		case "json":
			if all == nil {
				all = []stateJSON{}
			}
			return json.NewEncoder(os.Stdout).Encode(all)
		case "table":
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range all {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return w.Flush()
		default:
			return fmt.Errorf("list: unknown --format %q (want table or json)", ctx.String("format"))
		}
	},
}

// dirOwner names the owner of a container's state directory, as runc's
// list does: the user name, or the uid where there is none. names caches
// the lookups of one listing.
func dirOwner(dir string, names map[uint32]string) string {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return ""
	}
	if n, ok := names[st.Uid]; ok {
		return n
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	n := uid
	if u, err := user.LookupId(uid); err == nil {
		n = u.Username
	}
	names[st.Uid] = n
	return n
}
