package signals

import (
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want unix.Signal
	}{
		{"TERM", unix.SIGTERM},
		{"SIGTERM", unix.SIGTERM},
		{"term", unix.SIGTERM},
		{"sigterm", unix.SIGTERM},
		{"SigKill", unix.SIGKILL},
		{"KILL", unix.SIGKILL},
		{"HUP", unix.SIGHUP},
		{"usr1", unix.SIGUSR1},
		{"CHLD", unix.SIGCHLD},
		{"CLD", unix.SIGCHLD},
		{"IOT", unix.SIGABRT},
		{"POLL", unix.SIGIO},
		{"WINCH", unix.SIGWINCH},
		{"9", 9},
		{"15", 15},
		{"1", 1},
		{"64", 64},
		{"RTMIN", 34},
		{"SIGRTMIN", 34},
		{"rtmin", 34},
		{"RTMIN+0", 34},
		{"RTMIN+3", 37},
		{"SIGRTMIN+1", 35},
		{"RTMIN+15", 49},
		{"RTMIN+30", 64},
		{"RTMAX", 64},
		{"SIGRTMAX", 64},
		{"RTMAX-2", 62},
		{"sigrtmax-14", 50},
		{"RTMAX-30", 34},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "0", "65", "100", "256", "-9", "+9", " 9", "FOO", "SIG", "SIGFOO",
		"RTMIN-1", "RTMAX+1", "RTMIN+31", "RTMAX-31", "RTMIN+", "RTMIN3",
		"RTMIN+x", "RTMAX2", "TERM ", "SIGSIGTERM",
	} {
		sig, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %d, want error", in, sig)
			continue
		}
		if want := `unknown signal "` + in + `"`; err.Error() != want {
			t.Errorf("Parse(%q) error = %q, want %q", in, err, want)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		sig  unix.Signal
		want string
	}{
		{unix.SIGTERM, "SIGTERM"},
		{unix.SIGKILL, "SIGKILL"},
		{unix.SIGABRT, "SIGABRT"},
		{unix.SIGCHLD, "SIGCHLD"},
		{34, "SIGRTMIN"},
		{35, "SIGRTMIN+1"},
		{49, "SIGRTMIN+15"},
		{50, "SIGRTMAX-14"},
		{62, "SIGRTMAX-2"},
		{64, "SIGRTMAX"},
		{32, "32"},
		{0, "0"},
		{65, "65"},
	}
	for _, tc := range tests {
		if got := Name(tc.sig); got != tc.want {
			t.Errorf("Name(%d) = %q, want %q", tc.sig, got, tc.want)
		}
	}
}

// Every valid signal's name must parse back to it.
func TestRoundTrip(t *testing.T) {
	for sig := unix.Signal(1); sig <= RTMax; sig++ {
		got, err := Parse(Name(sig))
		if err != nil || got != sig {
			t.Errorf("Parse(Name(%d)=%q) = %d, %v", sig, Name(sig), got, err)
		}
	}
}

// Names must agree with the shell's `kill -l`, which is what users copy.
func TestKillL(t *testing.T) {
	out, err := exec.Command("bash", "-c", "kill -l").Output()
	if err != nil {
		t.Skipf("bash kill -l unavailable: %v", err)
	}
	fields := strings.Fields(string(out))
	for i := 0; i+1 < len(fields); i += 2 {
		num, name := strings.TrimSuffix(fields[i], ")"), fields[i+1]
		got, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if want, _ := Parse(num); got != want {
			t.Errorf("Parse(%q) = %d, kill -l says %s", name, got, num)
		}
		if Name(got) != name {
			t.Errorf("Name(%d) = %q, kill -l says %q", got, Name(got), name)
		}
	}
}
