package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/image"
	"github.com/berth-runtime/berth/libcontainer/image/bundle"
	"github.com/berth-runtime/berth/libcontainer/image/store"
)

var storeFlag = &cli.StringFlag{Name: "store", Value: store.DefaultRoot, Usage: "layer store directory"}

var imageCommand = &cli.Command{
	Name:  "image",
	Usage: "make bundles from OCI images (unpack, umount, ls, prune)",
	Subcommands: []*cli.Command{
		imageUnpackCommand,
		{
			Name:      "umount",
			Usage:     "unmount a bundle's rootfs and remove its upper and work dirs (the cached layers stay)",
			ArgsUsage: "BUNDLE",
			Action: func(ctx *cli.Context) error {
				if ctx.NArg() != 1 {
					return fmt.Errorf("image umount: expected one BUNDLE, got %d arguments", ctx.NArg())
				}
				return image.Umount(ctx.Args().First())
			},
		},
		{
			Name:  "ls",
			Usage: "list the cached layers, their sizes and the bundles using them",
			Flags: []cli.Flag{storeFlag},
			Action: func(ctx *cli.Context) error {
				if ctx.NArg() != 0 {
					return fmt.Errorf("image ls: unexpected arguments %q", ctx.Args().Slice())
				}
				layers, err := image.List(ctx.String("store"))
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
				fmt.Fprintln(w, "LAYER\tSIZE\tFILES\tBUNDLES")
				for _, l := range layers {
					bundles := "-"
					if len(l.Bundles) > 0 {
						bundles = strings.Join(l.Bundles, ",")
					}
					fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", l.DiffID, size(l.Bytes), l.Entries, bundles)
				}
				return w.Flush()
			},
		},
		{
			Name:  "prune",
			Usage: "remove the cached layers that no bundle uses",
			Flags: []cli.Flag{storeFlag},
			Action: func(ctx *cli.Context) error {
				if ctx.NArg() != 0 {
					return fmt.Errorf("image prune: unexpected arguments %q", ctx.Args().Slice())
				}
				p, err := image.Prune(ctx.String("store"))
				if err != nil {
					return err
				}
				for _, l := range p.Layers {
					fmt.Printf("removed %s\n", l.DiffID)
				}
				fmt.Printf("removed %d layers, %s\n", len(p.Layers), size(p.Bytes))
				return nil
			},
		},
	},
}

var imageUnpackCommand = &cli.Command{
	Name:      "unpack",
	Usage:     "make a bundle from an image: config.json and an overlay rootfs of cached layers",
	ArgsUsage: "SOURCE BUNDLE [--] [ARG...]",
	Description: `SOURCE is oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG],
   docker-archive:FILE[:REPO:TAG|:@N], or a layout directory. ARGs replace the
   image's Cmd. The last line printed is the image digest and the bundle.

Example:
   berth image unpack oci:/srv/images/busybox:latest /run/bundles/box
   berth run --bundle /run/bundles/box box`,
	Flags: []cli.Flag{
		storeFlag,
		&cli.BoolFlag{Name: "flat", Usage: "copy the layers into a plain rootfs instead of an overlay"},
		&cli.StringFlag{Name: "platform", Usage: "os/arch[/variant] to pick from a multi-platform image (default: this host's)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
		&cli.StringFlag{Name: "entrypoint", Usage: "replace the image's Entrypoint (space-separated; drops its Cmd)"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 2 {
			return fmt.Errorf("image unpack: expected SOURCE and BUNDLE, got %d arguments (see berth image unpack --help)", ctx.NArg())
		}
		args := ctx.Args().Slice()
		o := image.UnpackOptions{
			Source:   args[0],
			Bundle:   args[1],
			Store:    ctx.String("store"),
			Platform: ctx.String("platform"),
			Flat:     ctx.Bool("flat"),
		}
		rest := args[2:]
		if len(rest) > 0 && rest[0] == "--" {
			rest = rest[1:]
		}
		o.Overrides = bundle.Overrides{Args: rest}
		if ctx.IsSet("entrypoint") {
			o.Overrides.EntrypointSet = true
			o.Overrides.Entrypoint = strings.Fields(ctx.String("entrypoint"))
		}
		if !ctx.Bool("quiet") && isTerminal(os.Stderr) {
			o.Progress = os.Stderr
		}
		res, err := image.Unpack(o)
		if err != nil {
			return err
		}
		fmt.Printf("%s %s\n", res.Image, res.Bundle)
		return nil
	},
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func size(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fGB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fMB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fkB", float64(n)/1e3)
	}
	return fmt.Sprintf("%dB", n)
}
