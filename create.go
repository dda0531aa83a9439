package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/notify"
)

var createFlags = []cli.Flag{
	&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the bundle (config.json and rootfs)"},
	&cli.StringFlag{Name: "pid-file", Usage: "write the init's host pid to this file"},
	&cli.StringFlag{Name: "console-socket", Usage: "unix socket that receives the terminal's master fd"},
	&cli.BoolFlag{Name: "no-pivot", Usage: "use MS_MOVE and chroot instead of pivot_root"},
	&cli.BoolFlag{Name: "no-new-keyring", Usage: "keep the caller's session keyring"},
	&cli.IntFlag{Name: "preserve-fds", Usage: "pass this many fds after stdio (3, 4, ...) to the process"},
	&cli.BoolFlag{Name: "init", Usage: "run the process under berth's built-in init (signals forwarded, zombies reaped)"},
	&cli.BoolFlag{Name: "keep-exit-status", Usage: "record the exit status (a tiny monitor stays the container's parent); see berth wait"},
}

func createOptions(ctx *cli.Context, id string) libcontainer.CreateOptions {
	listenFDs, listenNames := notify.ListenFDs()
	return libcontainer.CreateOptions{
		Root: ctx.String("root"), ID: id, Bundle: ctx.String("bundle"),
		PidFile: ctx.String("pid-file"), ConsoleSocket: ctx.String("console-socket"),
		NoPivot: ctx.Bool("no-pivot"), NoNewKeyring: ctx.Bool("no-new-keyring"),
		PreserveFDs: ctx.Int("preserve-fds"), KeepExitStatus: ctx.Bool("keep-exit-status"),
		Init:         ctx.Bool("init"),
		NotifySocket: os.Getenv("NOTIFY_SOCKET"),
		ListenFDs:    listenFDs, ListenFDNames: listenNames,
	}
}

var createCommand = &cli.Command{
	Name:      "create",
	Usage:     "create a container, leaving its process waiting for start",
	ArgsUsage: "ID",
	Description: `With --keep-exit-status a small monitor process (a few hundred KiB, no Go
   runtime) stays the parent of the container's init and records how it ended:
   state and list show exitCode and oomKilled, and berth wait returns it.
   Without it the caller of create is the init's parent, as engines expect.

Example:
   berth create --bundle /path/to/bundle mycontainer
   berth start mycontainer`,
	Flags: createFlags,
	Action: func(ctx *cli.Context) error {
		id, err := oneID(ctx)
		if err != nil {
			return err
		}
		if err := checkSystemd(ctx); err != nil {
			return err
		}
		_, err = libcontainer.Create(createOptions(ctx, id))
		return err
	},
}
