package main

import (
	"testing"

	"github.com/urfave/cli/v2"
)

func TestCommandsFor(t *testing.T) {
	globals := []cli.Flag{
		&cli.StringFlag{Name: "root"},
		&cli.StringFlag{Name: "log-format"},
		&cli.BoolFlag{Name: "debug"},
	}
	all := []*cli.Command{createCommand, runCommand, deleteCommand, completionCommand, genManCommand}
	for _, tc := range []struct {
		args []string
		want string // the one command's name, or "all"
	}{
		{[]string{"berth", "run", "--bundle", "b", "id"}, "run"},
		{[]string{"berth", "--root", "/r", "--log-format", "json", "create", "id"}, "create"},
		{[]string{"berth", "--root=/r", "--debug", "delete", "--force", "id"}, "delete"},
		{[]string{"berth", "-root", "run", "run", "id"}, "run"}, // "run" is --root's value first
		{[]string{"berth", "--debug=true", "run", "id"}, "run"},
		{[]string{"berth"}, "all"},
		{[]string{"berth", "--help"}, "all"},
		{[]string{"berth", "-v"}, "all"},
		{[]string{"berth", "--typo", "run"}, "all"},
		{[]string{"berth", "help", "run"}, "all"},
		{[]string{"berth", "nosuch"}, "all"},
		{[]string{"berth", "--root"}, "all"},
		{[]string{"berth", completionCommand.Name, "bash"}, "all"},
		{[]string{"berth", genManCommand.Name}, "all"},
	} {
		got := commandsFor(tc.args, globals, all)
		name := "all"
		if len(got) == 1 {
			name = got[0].Name
		} else if len(got) != len(all) {
			t.Errorf("%q: %d commands, want 1 or all", tc.args, len(got))
			continue
		}
		if name != tc.want {
			t.Errorf("%q: %s, want %s", tc.args, name, tc.want)
		}
	}
}
