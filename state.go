package main

import (
	"encoding/json"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

// stateJSON is the OCI state plus runc's created and owner fields.
type stateJSON struct {
	specs.State
	Rootfs  string    `json:"rootfs"`
	Created time.Time `json:"created"`
	Owner   string    `json:"owner"`
	// ExitCode and OOMKilled: once stopped, for containers whose exit
	// status berth records (run -d, --keep-exit-status).
	ExitCode  *int  `json:"exitCode,omitempty"`
	OOMKilled *bool `json:"oomKilled,omitempty"`
}

func stateOf(c *libcontainer.Container) stateJSON {
	r := c.Recorded()
	status := c.Status()
	s := stateJSON{State: *c.OCIState(status), Rootfs: r.Rootfs, Created: r.Created, Owner: r.Owner}
	if e, oom := c.Exited(status); e != nil {
		s.ExitCode, s.OOMKilled = &e.ExitCode, &oom
	}
	return s
}

var stateCommand = &cli.Command{
	Name:      "state",
	Usage:     "print a container's state as JSON",
	ArgsUsage: "ID",
	Description: `Prints the OCI state (ociVersion, id, status, pid, bundle, annotations)
   plus created, owner and, for containers with a recorded exit status,
   exitCode and oomKilled.

Example:
   berth state web | jq -r .status`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(stateOf(c))
	},
}
