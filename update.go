package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
)

var updateCommand = &cli.Command{
	Name:      "update",
	Usage:     "change a running container's cgroup limits",
	ArgsUsage: "ID",
	Description: `Flags set single values; -r reads a linux.resources JSON object from a file
   (or stdin with -r -), and flags given with it override its values. Sizes
   take k, m, g or t suffixes (powers of 1024); -1 means unlimited.

Examples:
   berth update --memory 256m --pids-limit 100 web
   echo '{"cpu": {"quota": 50000, "period": 100000}}' | berth update -r - web`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "linux.resources JSON file, - for stdin"},
		&cli.StringFlag{Name: "blkio-weight", Usage: "block I/O weight, 10-1000"},
		&cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period in microseconds"},
		&cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS quota in microseconds (-1: none)"},
		&cli.StringFlag{Name: "cpu-burst", Usage: "CPU CFS burst in microseconds"},
		&cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight)"},
		&cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period in microseconds"},
		&cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime runtime in microseconds"},
		&cli.StringFlag{Name: "cpu-idle", Usage: "1 makes the cgroup SCHED_IDLE"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs to run on, e.g. 0-1"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes to use, e.g. 0"},
		&cli.StringFlag{Name: "memory", Usage: "memory limit, e.g. 256m"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit"},
		&cli.StringFlag{Name: "memory-swap", Usage: "memory+swap limit"},
		&cli.StringFlag{Name: "kernel-memory", Usage: "deprecated; refused"},
		&cli.StringFlag{Name: "kernel-memory-tcp", Usage: "kernel TCP buffer limit (cgroup v1)"},
		&cli.StringFlag{Name: "pids-limit", Usage: "maximum number of processes (-1: none)"},
	},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		r, err := updateResources(ctx)
		if err != nil {
			return fmt.Errorf("container %q: update: %w", c.ID(), err)
		}
		return c.Update(r)
	},
}

func updateResources(ctx *cli.Context) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if f := ctx.String("resources"); f != "" {
		var in io.Reader = os.Stdin
		if f != "-" {
			file, err := os.Open(f)
			if err != nil {
				return nil, fmt.Errorf("-r: %w", err)
			}
			defer file.Close()
			in = file
		}
		dec := json.NewDecoder(in)
		dec.DisallowUnknownFields()
		if err := dec.Decode(r); err != nil {
			return nil, fmt.Errorf("-r %s: not a linux.resources JSON object: %w", f, err)
		}
	}
	var err error
	set := func(name string, fn func(string) error) {
		if err == nil && ctx.IsSet(name) {
			if e := fn(ctx.String(name)); e != nil {
				err = fmt.Errorf("--%s %q: %w", name, ctx.String(name), e)
			}
		}
	}
	mem := func() *specs.LinuxMemory {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		return r.Memory
	}
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	size := func(dst **int64) func(string) error {
		return func(s string) error {
			v, err := parseSize(s)
			*dst = &v
			return err
		}
	}
	i64 := func(dst **int64) func(string) error {
		return func(s string) error {
			v, err := strconv.ParseInt(s, 10, 64)
			*dst = &v
			return err
		}
	}
	u64 := func(dst **uint64) func(string) error {
		return func(s string) error {
			v, err := strconv.ParseUint(s, 10, 64)
			*dst = &v
			return err
		}
	}
	set("memory", func(s string) error { return size(&mem().Limit)(s) })
	set("memory-reservation", func(s string) error { return size(&mem().Reservation)(s) })
	set("memory-swap", func(s string) error { return size(&mem().Swap)(s) })
	set("kernel-memory-tcp", func(s string) error { return size(&mem().KernelTCP)(s) })
	set("kernel-memory", func(string) error {
		return fmt.Errorf("kernel memory limits are deprecated and have no effect on current kernels")
	})
	set("cpu-share", func(s string) error { return u64(&cpu().Shares)(s) })
	set("cpu-quota", func(s string) error { return i64(&cpu().Quota)(s) })
	set("cpu-period", func(s string) error { return u64(&cpu().Period)(s) })
	set("cpu-burst", func(s string) error { return u64(&cpu().Burst)(s) })
	set("cpu-rt-period", func(s string) error { return u64(&cpu().RealtimePeriod)(s) })
	set("cpu-rt-runtime", func(s string) error { return i64(&cpu().RealtimeRuntime)(s) })
	set("cpu-idle", func(s string) error { return i64(&cpu().Idle)(s) })
	set("cpuset-cpus", func(s string) error { cpu().Cpus = s; return nil })
	set("cpuset-mems", func(s string) error { cpu().Mems = s; return nil })
	set("pids-limit", func(s string) error {
		r.Pids = &specs.LinuxPids{}
		return i64(&r.Pids.Limit)(s)
	})
	set("blkio-weight", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 16)
		if err == nil && (v < 10 || v > 1000) {
			err = fmt.Errorf("out of range 10-1000")
		}
		w := uint16(v)
		r.BlockIO = &specs.LinuxBlockIO{Weight: &w}
		return err
	})
	return r, err
}

// parseSize reads 1024-based sizes: 512, 64k, 256m, 1g, 1t (a trailing b
// is allowed), and -1 for unlimited.
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "-1" {
		return -1, nil
	}
	t = strings.TrimSuffix(t, "b")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("not a size (want e.g. 512, 64k, 256m, 1g or -1)")
	}
	return v * mult, nil
}
