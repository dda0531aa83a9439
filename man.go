package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// genManCommand writes man pages from the command definitions; `make man`
// runs it. It is hidden: a build step, not a user command.
var genManCommand = &cli.Command{
	Name:      "gen-man",
	Hidden:    true,
	Usage:     "write man pages (berth.8, berth-COMMAND.8) into DIR",
	ArgsUsage: "DIR",
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() != 1 {
			return fmt.Errorf("gen-man: expected the output directory")
		}
		dir := ctx.Args().First()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		app := ctx.App
		if err := os.WriteFile(filepath.Join(dir, "berth.8"), []byte(manApp(app)), 0o644); err != nil {
			return err
		}
		for _, c := range app.Commands {
			if c.Hidden || c.Name == "help" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, "berth-"+c.Name+".8"), []byte(manCommand(c)), 0o644); err != nil {
				return err
			}
		}
		return nil
	},
}

// roff escapes text for a man page body.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimLeft(line, " ")
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		b.WriteString(strings.ReplaceAll(line, "-", `\-`) + "\n")
	}
	return b.String()
}

func manHeader(name string) string {
	return fmt.Sprintf(".TH %s 8 %q \"berth %s\" \"System Manager's Manual\"\n",
		strings.ToUpper(name), time.Now().UTC().Format("2006-01-02"), version)
}

func manFlags(flags []cli.Flag) string {
	var b strings.Builder
	for _, f := range flags {
		if h, ok := f.(interface{ IsVisible() bool }); ok && !h.IsVisible() {
			continue
		}
		var spell []string
		for _, n := range f.Names() {
			if len(n) == 1 {
				spell = append(spell, `\fB\-`+n+`\fR`)
			} else {
				spell = append(spell, `\fB\-\-`+n+`\fR`)
			}
		}
		usage := ""
		if u, ok := f.(interface{ GetUsage() string }); ok {
			usage = u.GetUsage()
		}
		fmt.Fprintf(&b, ".TP\n%s\n%s", strings.Join(spell, ", "), roff(usage))
	}
	return b.String()
}

func manApp(app *cli.App) string {
	var b strings.Builder
	b.WriteString(manHeader("berth"))
	fmt.Fprintf(&b, ".SH NAME\nberth \\- %s\n", roff(strings.TrimSpace(app.Usage)))
	b.WriteString(".SH SYNOPSIS\n\\fBberth\\fR [global options] \\fIcommand\\fR [options] [arguments]\n")
	b.WriteString(".SH DESCRIPTION\nberth creates and runs containers from OCI bundles, with runc's command line, so container engines can use it in runc's place.\n")
	b.WriteString(".SH GLOBAL OPTIONS\n" + manFlags(app.Flags))
	b.WriteString(".SH COMMANDS\n")
	for _, c := range app.Commands {
		if !c.Hidden {
			fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s", c.Name, roff(c.Usage))
		}
	}
	b.WriteString(".SH SEE ALSO\n")
	var refs []string
	for _, c := range app.Commands {
		if !c.Hidden {
			refs = append(refs, `\fBberth\-`+c.Name+`\fR(8)`)
		}
	}
	b.WriteString(strings.Join(refs, ", ") + "\n")
	return b.String()
}

func manCommand(c *cli.Command) string {
	var b strings.Builder
	b.WriteString(manHeader("berth-" + c.Name))
	fmt.Fprintf(&b, ".SH NAME\nberth\\-%s \\- %s", c.Name, roff(c.Usage))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fBberth %s\\fR [options] %s", c.Name, roff(c.ArgsUsage))
	if c.Description != "" {
		b.WriteString(".SH DESCRIPTION\n.nf\n" + roff(c.Description) + ".fi\n")
	}
	if len(c.Flags) > 0 {
		b.WriteString(".SH OPTIONS\n" + manFlags(c.Flags))
	}
	if len(c.Subcommands) > 0 {
		b.WriteString(".SH SUBCOMMANDS\n")
		for _, sc := range c.Subcommands {
			if sc.Hidden || sc.Name == "help" {
				continue
			}
			fmt.Fprintf(&b, ".SS %s %s\n%s", sc.Name, roff(sc.ArgsUsage), roff(sc.Usage))
			if sc.Description != "" {
				b.WriteString(".nf\n" + roff(sc.Description) + ".fi\n")
			}
			b.WriteString(manFlags(sc.Flags))
		}
	}
	b.WriteString(".SH SEE ALSO\n\\fBberth\\fR(8)\n")
	return b.String()
}
