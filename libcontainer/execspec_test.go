package libcontainer

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/state"
)

func TestParseUser(t *testing.T) {
	good := []struct {
		in       string
		uid, gid uint32
		hasGid   bool
	}{
		{"0", 0, 0, false},
		{"1", 1, 0, false},
		{"1000:100", 1000, 100, true},
		{"4294967295:0", 4294967295, 0, true},
	}
	for _, g := range good {
		uid, gid, hasGid, err := ParseUser(g.in)
		if err != nil || uid != g.uid || gid != g.gid || hasGid != g.hasGid {
			t.Errorf("ParseUser(%q) = %d, %d, %v, %v; want %d, %d, %v", g.in, uid, gid, hasGid, err, g.uid, g.gid, g.hasGid)
		}
	}
	for _, bad := range []string{"", "root", "1a", "-1", "1:", ":1", "1:root", "4294967296", "1:2:3", " 1"} {
		if _, _, _, err := ParseUser(bad); err == nil {
			t.Errorf("ParseUser(%q) succeeded, want an error", bad)
		}
	}
}

func testContainer(cgroups map[string]string) *Container {
	return &Container{st: &state.State{ID: "c1", Cgroups: cgroups, Config: &specs.Spec{
		Process: &specs.Process{
			Terminal: true, Args: []string{"sleep", "1"}, Env: []string{"A=1"}, Cwd: "/work",
			User:         specs.User{UID: 5, GID: 6},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"}},
		},
	}}}
}

func TestExecProcessFromConfig(t *testing.T) {
	c := testContainer(nil)
	nnp := true
	p, err := c.ExecProcess(ExecProcessFlags{
		Args: []string{"sh"}, Env: []string{"B=2"}, User: "7", AdditionalGids: []string{"9"},
		Caps: []string{"sys_admin"}, NoNewPrivs: &nnp,
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Terminal {
		t.Error("the config's terminal was inherited without --tty")
	}
	if p.Cwd != "/work" || p.User.UID != 7 || p.User.GID != 6 || len(p.User.AdditionalGids) != 1 || !p.NoNewPrivileges {
		t.Errorf("unexpected process %+v", p)
	}
	if len(p.Env) != 2 || p.Env[1] != "B=2" {
		t.Errorf("env %v", p.Env)
	}
	if got := p.Capabilities.Effective; len(got) != 2 || got[1] != "CAP_SYS_ADMIN" {
		t.Errorf("effective caps %v", got)
	}
	if len(p.Capabilities.Inheritable) != 0 || len(p.Capabilities.Ambient) != 0 {
		t.Error("--cap must not add inheritable or ambient capabilities")
	}
	// the recorded config is untouched
	base := c.st.Config.Process
	if len(base.Env) != 1 || len(base.Capabilities.Effective) != 1 || base.User.UID != 5 || base.Args[0] != "sleep" {
		t.Errorf("ExecProcess changed the recorded process: %+v", base)
	}
}

func TestExecProcessErrors(t *testing.T) {
	c := testContainer(nil)
	for name, f := range map[string]ExecProcessFlags{
		"no args":  {},
		"apparmor": {Args: []string{"x"}, AppArmor: "p"},
		"label":    {Args: []string{"x"}, ProcessLabel: "l"},
		"user":     {Args: []string{"x"}, User: "root"},
		"gid":      {Args: []string{"x"}, AdditionalGids: []string{"wheel"}},
		"cwd":      {Args: []string{"x"}, Cwd: "rel"},
		"env":      {Args: []string{"x"}, Env: []string{"NOEQ"}},
		"cap":      {Args: []string{"x"}, Caps: []string{"CAP_NOPE"}},
		"file":     {ProcessFile: "/nonexistent/process.json"},
	} {
		if _, err := c.ExecProcess(f); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), `"c1"`) {
			t.Errorf("%s: error does not name the container: %v", name, err)
		}
	}
}

func TestExecCgroups(t *testing.T) {
	dir := t.TempDir()
	mem := filepath.Join(dir, "memory", "c1")
	cpu := filepath.Join(dir, "cpu,cpuacct", "c1")
	uni := filepath.Join(dir, "unified", "c1")
	for _, d := range []string{mem, cpu, uni, filepath.Join(mem, "sub"), filepath.Join(cpu, "sub"), filepath.Join(uni, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := testContainer(map[string]string{"memory": mem, "cpu,cpuacct": cpu, "unified": uni})
	got := func(flags ...string) []string {
		t.Helper()
		dirs, err := c.execCgroups(flags)
		if err != nil {
			t.Fatalf("execCgroups(%q): %v", flags, err)
		}
		sort.Strings(dirs)
		return dirs
	}
	if d := got(); !slices.Equal(d, []string{cpu, mem, uni}) {
		t.Errorf("no --cgroup: %v", d)
	}
	if d := got("sub"); !slices.Equal(d, []string{cpu + "/sub", mem + "/sub", uni + "/sub"}) {
		t.Errorf("--cgroup sub: %v", d)
	}
	if d := got("cpu:sub"); !slices.Equal(d, []string{cpu + "/sub", mem, uni}) {
		t.Errorf("--cgroup cpu:sub: %v", d)
	}
	if d := got("memory,unified:sub"); !slices.Equal(d, []string{cpu, mem + "/sub", uni + "/sub"}) {
		t.Errorf("--cgroup memory,unified:sub: %v", d)
	}
	for _, bad := range []string{"../x", "/abs", "a/../../b", "pids:sub", "nosuch", "cpu:"} {
		if _, err := c.execCgroups([]string{bad}); err == nil {
			t.Errorf("--cgroup %q: no error", bad)
		}
	}
	if _, err := testContainer(nil).execCgroups([]string{"sub"}); err == nil {
		t.Error("--cgroup without recorded cgroups: no error")
	}
}
