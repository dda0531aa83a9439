package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer/specdefault"
	"github.com/berth-runtime/berth/libcontainer/specjson"
)

var specCommand = &cli.Command{
	Name:  "spec",
	Usage: "create a new specification file",
	Description: `Writes a template config.json into the bundle directory: sh as the
container's process, rootfs/ as its read-only root filesystem. Edit it, then
put a root filesystem in rootfs/ and run "berth run ID".

With --rootless the template is for an unprivileged user: the container's root
is mapped onto the calling user, and there is no network or cgroup namespace.

Examples:
   mkdir -p mybundle/rootfs && berth spec --bundle mybundle
   berth spec --rootless`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "directory to write config.json in"},
		&cli.BoolFlag{Name: "rootless", Usage: "generate a configuration for a rootless container"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() != 0 {
			return fmt.Errorf("spec: unexpected arguments %q", ctx.Args().Slice())
		}
		s := specdefault.Default()
		if ctx.Bool("rootless") {
			s = specdefault.Rootless(uint32(os.Getuid()), uint32(os.Getgid()))
		}
		data, err := specjson.MarshalIndent(s, "", "\t")
		if err != nil {
			return fmt.Errorf("spec: encoding config: %w", err)
		}
		return writeNewFile(ctx.String("bundle"), "config.json", append(data, '\n'))
	},
}

// writeNewFile creates dir/name, refusing to replace an existing file as runc
// does, so that a carefully edited config is never lost to a stray `spec`.
// O_EXCL makes the check and the creation one step.
func writeNewFile(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists in %s", name, dir)
	}
	if err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Do not leave a truncated config behind: the next `spec` would
		// refuse to overwrite it.
		os.Remove(path)
		return fmt.Errorf("spec: writing %s: %w", path, err)
	}
	return nil
}
