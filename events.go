package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer/hugeheap"
)

// event is one line of `events` output, in runc's shape.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

var eventsCommand = &cli.Command{
	Name:      "events",
	Usage:     "print a container's cgroup statistics and OOM events as JSON",
	ArgsUsage: "ID",
	Description: `Prints one JSON object per line: {"type":"stats",...} every --interval and
   {"type":"oom",...} when the OOM killer kills one of the container's
   processes, until the container stops. With --stats, prints the statistics
   once and exits.

Examples:
   berth events --stats web | jq .data.memory.usage
   berth events --interval 1s web`,
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "stats", Usage: "print the statistics once and exit"},
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "time between statistics"},
	},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		if c.Status() == specs.StateStopped {
			return fmt.Errorf("container %q: events: it is stopped", c.ID())
		}
		stats := func() error {
			s, err := c.Stats()
			if err != nil {
				return err
			}
			return enc.Encode(event{Type: "stats", ID: c.ID(), Data: s})
		}
		if ctx.Bool("stats") {
			return stats()
		}
		interval := ctx.Duration("interval")
		if interval <= 0 {
			return fmt.Errorf("container %q: events: --interval must be positive", c.ID())
		}
		// OOM kills are noticed by polling the cgroup's counter, often
		// enough that each shows within a fifth of a second.
		const oomPoll = 200 * time.Millisecond
		ooms := c.OOMKills()
		hugeheap.Settle() // a long-lived stream from here on
		next := time.Now()
		for {
			if !time.Now().Before(next) {
				if err := stats(); err != nil {
					return err
				}
				next = time.Now().Add(interval)
			}
			if n := c.OOMKills(); n > ooms {
				for ; ooms < n; ooms++ {
					if err := enc.Encode(event{Type: "oom", ID: c.ID()}); err != nil {
						return err
					}
				}
			}
			if c.Status() == specs.StateStopped {
				return nil
			}
			time.Sleep(min(oomPoll, time.Until(next)))
		}
	},
}
