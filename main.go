// Command berth is a low-level OCI container runtime with runc's command line.
//
// Each command lives in its own file at the top level (create.go, start.go,
// ...): those files only parse flags, call libcontainer and print. The
// container's init re-executes this same binary; the C stage in nsenter/ runs
// before the Go runtime in that case (see nsenter/doc.go).
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	// Its mmap backs the Go heap with huge pages while a command sets a
	// container up (see libcontainer/hugeheap/doc.go).
	_ "github.com/berth-runtime/berth/libcontainer/hugeheap"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/phase"
	// Its constructor maps berth's code and read-only data in one call,
	// before the Go runtime starts (see libcontainer/prefault/doc.go).
	_ "github.com/berth-runtime/berth/libcontainer/prefault"
	_ "github.com/berth-runtime/berth/nsenter"
)

// version is set by the Makefile through -ldflags.
var version = "0.1.0-dev"

const defaultRoot = "/run/berth"

func main() {
	phase.Mark("main")
	// The container's init is this binary re-executed with the sync fd in its
	// environment; it never returns to the command line parser.
	if initproc.IsInit() {
		initproc.Main()
		return
	}

	app := &cli.App{
		Name:  "berth",
		Usage: "a low-level OCI container runtime",
		Description: `berth runs containers from OCI bundles (config.json + rootfs) with runc's
command line, so engines can use it in runc's place; 'berth image' makes a
bundle from an OCI image. 'berth COMMAND --help' shows each command's flags
and examples; man pages: 'make man'.

Examples:
   berth image unpack oci:./busybox-image:latest mybundle
   berth run --bundle mybundle ctr
   berth run -d --bundle mybundle web && berth wait web
   berth --root /run/myengine --log /tmp/berth.log --log-format json state web`,
		Version: version,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: defaultRoot, Usage: "directory for the containers' state"},
			&cli.StringFlag{Name: "log", Usage: "log file (default: stderr)"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
			&cli.BoolFlag{Name: "debug", Usage: "log debug messages"},
			&cli.BoolFlag{Name: "systemd-cgroup", Usage: "use the systemd cgroup driver (not available yet)"},
			&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "accepted for runc compatibility: true, false or auto"},
			&cli.StringFlag{Name: "criu", Hidden: true, Usage: "accepted for runc compatibility, unused"},
		},
		Before: func(ctx *cli.Context) error {
			return logging.Setup(ctx.String("log"), ctx.String("log-format"), ctx.Bool("debug"))
		},
		Commands: []*cli.Command{
			createCommand,
			startCommand,
			execCommand,
			runCommand,
			stateCommand,
			killCommand,
			stopCommand,
			waitCommand,
			deleteCommand,
			listCommand,
			specCommand,
			featuresCommand,
			pauseCommand,
			resumeCommand,
			psCommand,
			updateCommand,
			eventsCommand,
			completionCommand,
			genManCommand,
			imageCommand,
		},
		// Errors are printed by fatal below, once, in the chosen log format.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	app.Commands = commandsFor(os.Args, app.Flags, app.Commands)
	if err := app.Run(os.Args); err != nil {
		fatal(err)
	}
}

// commandsFor returns the commands the app needs for the command line args:
// the one it names, or all of them when that is not certain. App.Setup
// prepares every command it is given, about 0.2 ms of each berth call here,
// and engines make five calls per container. Help, version, an unknown flag
// or command, and the commands that describe the whole app (completion,
// man pages) get all of them, so urfave/cli's help, suggestions and errors
// are what they were.
func commandsFor(args []string, globals []cli.Flag, all []*cli.Command) []*cli.Command {
	takesValue := map[string]bool{}
	for _, f := range globals {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
			needsValue, known := takesValue[name]
			if !known {
				return all // -h, -v, a typo: urfave/cli answers
			}
			if needsValue && !inline {
				i++
			}
			continue
		}
		for _, c := range all {
			if c.Name == a || slices.Contains(c.Aliases, a) {
				if c == completionCommand || c == genManCommand {
					return all
				}
				return []*cli.Command{c}
			}
		}
		return all
	}
	return all
}

// fatal reports a runtime failure and exits. Container exit codes are passed
// through by run; berth's own failures always exit 1, which engines read back
// from the last error line of --log.
func fatal(err error) {
	var ec cli.ExitCoder
	code := 1
	if e, ok := err.(cli.ExitCoder); ok {
		ec = e
		code = ec.ExitCode()
		if ec.Error() == "" {
			os.Exit(code)
		}
	}
	logging.Error(err.Error())
	if logging.ToFile() {
		// runc prints the error on stderr too, so a person at a terminal sees it.
		fmt.Fprintln(os.Stderr, "berth: "+err.Error())
	}
	os.Exit(code)
}
