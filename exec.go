package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/sigforward"
	"github.com/berth-runtime/berth/libcontainer/ttyrelay"
)

// execFailed is the status of an exec whose process never ran (runc's).
const execFailed = 255

var execCommand = &cli.Command{
	Name:      "exec",
	Usage:     "run a new process in a running container",
	ArgsUsage: "ID [COMMAND [ARG...]]",
	Description: `The process joins every namespace and cgroup of the container. It starts
   from the container's process (env, cwd, user, capabilities, rlimits,
   no_new_privs), or from --process, with the flags applied on top.

   In the foreground berth forwards signals to the process and exits with its
   status (128+N when killed by signal N). When the process cannot be started
   (no such program, not executable, stopped container) berth exits 255.

Example:
   berth exec mycontainer ps aux
   berth exec -t mycontainer sh`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "process.json to run instead of the container's process"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "give the process a pseudo-terminal"},
		&cli.StringFlag{Name: "console-socket", Usage: "unix socket that receives the terminal's master fd"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the process is started"},
		&cli.StringFlag{Name: "pid-file", Usage: "write the process's host pid to this file"},
		&cli.StringFlag{Name: "cwd", Usage: "working directory in the container"},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "add NAME=VALUE to the environment"},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "numeric UID[:GID]"},
		&cli.StringSliceFlag{Name: "additional-gids", Aliases: []string{"g"}, Usage: "add a numeric supplementary gid"},
		&cli.StringSliceFlag{Name: "cap", Aliases: []string{"c"}, Usage: "add a capability (bounding, effective, permitted)"},
		&cli.BoolFlag{Name: "no-new-privs", Usage: "set no_new_privs for the process"},
		&cli.StringFlag{Name: "apparmor", Usage: "AppArmor profile (not supported: an error)"},
		&cli.StringFlag{Name: "process-label", Usage: "SELinux label (not supported: an error)"},
		&cli.IntFlag{Name: "preserve-fds", Usage: "pass this many fds after stdio (3, 4, ...) to the process"},
		&cli.StringSliceFlag{Name: "cgroup", Usage: "run in the container's sub-cgroup [CONTROLLER,...:]PATH (repeatable)"},
		&cli.BoolFlag{Name: "ignore-paused", Usage: "exec even when the container is paused"},
	},
	Action: func(ctx *cli.Context) error {
		code, err := execAction(ctx)
		if err != nil {
			return cli.Exit(err.Error(), execFailed)
		}
		return cli.Exit("", code)
	},
}

func execAction(ctx *cli.Context) (int, error) {
	if ctx.NArg() < 1 {
		return 0, errors.New("exec: expected a container ID, then the command (see berth exec --help)")
	}
	c, err := libcontainer.Load(ctx.String("root"), ctx.Args().First())
	if err != nil {
		return 0, err
	}
	f := libcontainer.ExecProcessFlags{
		ProcessFile: ctx.String("process"), Args: ctx.Args().Tail(), Tty: ctx.Bool("tty"),
		Cwd: ctx.String("cwd"), Env: ctx.StringSlice("env"), User: ctx.String("user"),
		AdditionalGids: ctx.StringSlice("additional-gids"), Caps: ctx.StringSlice("cap"),
		AppArmor: ctx.String("apparmor"), ProcessLabel: ctx.String("process-label"),
	}
	if ctx.IsSet("no-new-privs") {
		v := ctx.Bool("no-new-privs")
		f.NoNewPrivs = &v
	}
	proc, err := c.ExecProcess(f)
	if err != nil {
		return 0, err
	}
	detach := ctx.Bool("detach")
	o := libcontainer.ExecOptions{
		Process: proc, ConsoleSocket: ctx.String("console-socket"),
		ConsoleRelay: !detach && ctx.String("console-socket") == "",
		PidFile:      ctx.String("pid-file"), PreserveFDs: ctx.Int("preserve-fds"),
		Cgroups: ctx.StringSlice("cgroup"), IgnorePaused: ctx.Bool("ignore-paused"),
	}
	if detach {
		_, err := c.Exec(o)
		return 0, err
	}
	// Catch signals before the process exists, so none is lost between
	// its start and the forwarding loop.
	sigs, err := sigforward.Catch()
	if err != nil {
		return 0, err
	}
	p, err := c.Exec(o)
	if err != nil {
		return 0, err
	}
	var relay *ttyrelay.Relay
	if m := p.Console(); m != nil {
		relay = ttyrelay.Start(m)
	}
	ws, err := waitForwarding(p.Pid, sigs, relay)
	if relay != nil {
		relay.Close()
	}
	if err != nil {
		return 0, err
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}
