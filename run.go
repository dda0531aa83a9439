package main

import (
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/libcontainer/hugeheap"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/phase"
	"github.com/berth-runtime/berth/libcontainer/sigforward"
	"github.com/berth-runtime/berth/libcontainer/ttyrelay"
)

var runCommand = &cli.Command{
	Name:      "run",
	Usage:     "create and start a container; in the foreground, exit with its status",
	ArgsUsage: "ID",
	Description: `In the foreground (the default) berth forwards every signal it receives to
   the container's init and exits with the container's exit status, or 128+N
   when the container was killed by signal N (137 for KILL, 143 for TERM). The
   container is deleted when it exits unless --keep is given.

   Detached (-d), a small monitor process stays the container's parent and
   records its exit status (berth wait ID, berth state ID), unless --pid-file
   or --console-socket is given (an engine's call: the engine stays the
   parent) without --keep-exit-status.

   With --init (or the annotation run.berth.init=true) a minimal PID 1 built
   into berth runs the process as its child, forwards it every signal, reaps
   zombies and exits with its status: "berth stop" of a bare sleep then exits
   143 at once instead of 137 after the timeout.

Example:
   berth run --bundle /path/to/bundle mycontainer`,
	Flags: append([]cli.Flag{
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the container is started"},
		&cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits"},
	}, createFlags...),
	Action: func(ctx *cli.Context) error {
		phase.Mark("action")
		id, err := oneID(ctx)
		if err != nil {
			return err
		}
		if err := checkSystemd(ctx); err != nil {
			return err
		}
		opts := createOptions(ctx, id)
		if ctx.Bool("detach") {
			// Detached, nobody would hold the terminal (runc's rule).
			opts.KeepExitStatus = opts.KeepExitStatus || (opts.PidFile == "" && opts.ConsoleSocket == "")
			c, err := libcontainer.Create(opts)
			if err != nil {
				return err
			}
			n, err := startNotifying(c, opts.NotifySocket)
			if err != nil {
				c.Delete(true)
				return err
			}
			if n == nil {
				return nil
			}
			// Detached, run returns once the container is ready (runc's).
			defer n.Close()
			return c.WaitReady(n)
		}
		// Catch signals before the container exists, so none is lost
		// between start and the forwarding loop.
		sigs, err := sigforward.Catch()
		if err != nil {
			return err
		}
		opts.ConsoleRelay = opts.ConsoleSocket == ""
		// In the foreground this process is the init's parent and records
		// the status itself (RecordExit below): no monitor.
		keepStatus := opts.KeepExitStatus
		opts.KeepExitStatus = false
		opts.BackgroundState = true
		c, err := libcontainer.Create(opts)
		if err != nil {
			return err
		}
		var relay *ttyrelay.Relay
		if m := c.Console(); m != nil {
			relay = ttyrelay.Start(m)
		}
		n, err := startNotifying(c, opts.NotifySocket)
		phase.Mark("started")
		if err != nil {
			if relay != nil {
				relay.Close()
			}
			c.Delete(true)
			return err
		}
		if n != nil {
			// In the foreground, READY is forwarded while the
			// container runs.
			go func() {
				defer n.Close()
				if err := c.WaitReady(n); err != nil {
					logging.Warn("%v", err)
				}
			}()
		}
		ws, err := waitForwarding(c.Pid(), sigs, relay)
		phase.Mark("exited")
		if err != nil {
			// Not reaped, status unknown: kill and clean up.
			if relay != nil {
				relay.Close()
			}
			c.Delete(true)
			return err
		}
		if err := c.FlushState(); err != nil {
			logging.Warn("%v", err)
		}
		if relay != nil {
			relay.Close()
		}
		code := ws.ExitStatus()
		if ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		if keepStatus && ctx.Bool("keep") {
			if err := c.RecordExit(ws); err != nil {
				logging.Warn("%v", err)
			}
		}
		if !ctx.Bool("keep") {
			if err := c.Delete(true); err != nil {
				logging.Warn("%v", err)
			}
			phase.Mark("deleted")
		}
		return cli.Exit("", code)
	},
}

// waitForwarding reaps the init (our child: the C stage forks it with
// CLONE_PARENT), forwarding it signals until it exits, and returns its status.
func waitForwarding(pid int, sigs *sigforward.Catcher, relay *ttyrelay.Relay) (unix.WaitStatus, error) {
	// From here on this process only waits, for as long as the container
	// runs: its heap stops growing in huge pages (package hugeheap).
	hugeheap.Settle()
	var onWinch func()
	if relay != nil {
		onWinch = relay.Resize // the pty tells the container itself
	}
	return sigs.Wait(pid, onWinch)
}
