package specdefault

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runcSpec runs `runc spec` (with extra args) in a temp dir and returns the
// config.json it wrote, decoded generically so that the comparison is on JSON
// and not on Go types.
func runcSpec(t *testing.T, args ...string) map[string]any {
	t.Helper()
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc is not installed; cannot compare with its `spec` output")
	}
	dir := t.TempDir()
	cmd := exec.Command(runc, append([]string{"spec"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("runc spec failed (%v): %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func toMap(t *testing.T, s *specs.Spec) map[string]any {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// get walks a path of object keys.
func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// sameAs are the parts of config.json that must match runc's byte for byte
// in meaning. ociVersion and hostname differ by design, and namespaces are
// checked separately.
var sameAs = [][]string{
	{"process"},
	{"process", "capabilities"},
	{"process", "rlimits"},
	{"root"},
	{"mounts"},
	{"linux", "resources"},
	{"linux", "uidMappings"},
	{"linux", "gidMappings"},
	{"linux", "maskedPaths"},
	{"linux", "readonlyPaths"},
}

func compare(t *testing.T, got, want map[string]any) {
	t.Helper()
	for _, p := range sameAs {
		g, w := get(got, p...), get(want, p...)
		if !reflect.DeepEqual(g, w) {
			gj, _ := json.MarshalIndent(g, "", "  ")
			wj, _ := json.MarshalIndent(w, "", "  ")
			t.Errorf("%v differs from runc:\ngot:  %s\nwant: %s", p, gj, wj)
		}
	}
	// Every top-level and linux key runc writes must be present in ours.
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing top-level key %q", k)
		}
	}
	for k := range want["linux"].(map[string]any) {
		if get(got, "linux", k) == nil {
			t.Errorf("missing linux key %q", k)
		}
	}
}

func nsTypes(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	list, _ := get(m, "linux", "namespaces").([]any)
	for _, n := range list {
		out = append(out, n.(map[string]any)["type"].(string))
	}
	return out
}

func TestDefaultMatchesRunc(t *testing.T) {
	want := runcSpec(t)
	got := toMap(t, Default())
	compare(t, got, want)

	// runc 1.1.5 omits the cgroup namespace; we append it last.
	wantNS := nsTypes(t, want)
	if n := len(wantNS); n == 0 || wantNS[n-1] != "cgroup" {
		wantNS = append(wantNS, "cgroup")
	}
	if g := nsTypes(t, got); !reflect.DeepEqual(g, wantNS) {
		t.Errorf("namespaces = %v, want %v", g, wantNS)
	}
}

func TestRootlessMatchesRunc(t *testing.T) {
	want := runcSpec(t, "--rootless")
	// runc maps to the effective IDs of its caller.
	got := toMap(t, Rootless(uint32(os.Geteuid()), uint32(os.Getegid())))
	compare(t, got, want)
	if g, w := nsTypes(t, got), nsTypes(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("namespaces = %v, want %v", g, w)
	}
}

// The following checks do not need runc: they pin the design choices that
// differ from it or that runc's output alone would not catch.

func TestDefault(t *testing.T) {
	s := Default()
	if s.Version != specs.Version {
		t.Errorf("ociVersion = %q, want %q", s.Version, specs.Version)
	}
	if s.Hostname != "berth" {
		t.Errorf("hostname = %q", s.Hostname)
	}
	if s.Process.Capabilities.Inheritable != nil {
		t.Errorf("inheritable caps should be empty: %v", s.Process.Capabilities.Inheritable)
	}
	want := []specs.LinuxNamespaceType{"pid", "network", "ipc", "uts", "mount", "cgroup"}
	var got []specs.LinuxNamespaceType
	for _, n := range s.Linux.Namespaces {
		got = append(got, n.Type)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("namespaces = %v, want %v", got, want)
	}
	// Each call must return an independent value.
	s.Process.Capabilities.Bounding[0] = "CAP_SYS_ADMIN"
	s.Mounts[0].Destination = "/x"
	if d := Default(); d.Process.Capabilities.Bounding[0] != "CAP_AUDIT_WRITE" || d.Mounts[0].Destination != "/proc" {
		t.Error("Default shares state between calls")
	}
}

func TestRootless(t *testing.T) {
	s := Rootless(1000, 1001)
	if s.Linux.Resources != nil {
		t.Error("rootless spec must not set linux.resources")
	}
	for _, n := range s.Linux.Namespaces {
		if n.Type == specs.NetworkNamespace || n.Type == specs.CgroupNamespace {
			t.Errorf("rootless spec has a %s namespace", n.Type)
		}
	}
	wantU := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
	wantG := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1001, Size: 1}}
	if !reflect.DeepEqual(s.Linux.UIDMappings, wantU) || !reflect.DeepEqual(s.Linux.GIDMappings, wantG) {
		t.Errorf("mappings = %v / %v", s.Linux.UIDMappings, s.Linux.GIDMappings)
	}
	for _, m := range s.Mounts {
		switch m.Destination {
		case "/sys":
			if m.Type != "none" || m.Source != "/sys" ||
				!reflect.DeepEqual(m.Options, []string{"rbind", "nosuid", "noexec", "nodev", "ro"}) {
				t.Errorf("/sys mount = %+v", m)
			}
		case "/dev/pts":
			for _, o := range m.Options {
				if o == "gid=5" {
					t.Error("rootless devpts still has gid=5")
				}
			}
		}
	}
}
