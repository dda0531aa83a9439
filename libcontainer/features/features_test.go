package features

import (
	"encoding/json"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

func TestGetMarshals(t *testing.T) {
	b, err := json.MarshalIndent(Get(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var back features.Features
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.OCIVersionMin != "1.0.0" || back.OCIVersionMax != specs.Version {
		t.Errorf("versions = %q..%q", back.OCIVersionMin, back.OCIVersionMax)
	}
	// cgroupfs v1 and v2 are implemented; no systemd driver exists.
	if back.Linux == nil || back.Linux.Cgroup == nil || back.Linux.Cgroup.V2 == nil || !*back.Linux.Cgroup.V2 || !*back.Linux.Cgroup.V1 || *back.Linux.Cgroup.Systemd {
		t.Errorf("cgroup drivers: want v1 and v2, no systemd: %s", b)
	}
	// false must be written, not omitted: nil would mean "unknown".
	if back.Linux.Seccomp == nil || back.Linux.Seccomp.Enabled == nil || *back.Linux.Seccomp.Enabled {
		t.Errorf("seccomp.enabled should be an explicit false: %s", b)
	}
}

func TestNamespaces(t *testing.T) {
	want := []string{"cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time"}
	if got := Get().Linux.Namespaces; !reflect.DeepEqual(got, want) {
		t.Errorf("namespaces = %v, want %v", got, want)
	}
}

func TestCapabilities(t *testing.T) {
	c := Get().Linux.Capabilities
	if len(c) != 41 || c[0] != "CAP_CHOWN" || c[40] != "CAP_CHECKPOINT_RESTORE" {
		t.Errorf("capabilities = %v", c)
	}
	for i, n := range c {
		if n == "" {
			t.Errorf("capability %d has no name", i)
		}
	}
}

func TestMountOptionsSortedUnique(t *testing.T) {
	m := Get().MountOptions
	for i := 1; i < len(m); i++ {
		if m[i-1] >= m[i] {
			t.Errorf("mount options not sorted/unique at %q, %q", m[i-1], m[i])
		}
	}
}

func TestMountOptionsCoverTheSpecTable(t *testing.T) {
	have := map[string]bool{}
	for _, o := range Get().MountOptions {
		have[o] = true
	}
	// Every option of runtime-spec config.md's Linux mount options table
	// but tmpcopyup (a MAY, refused with an error).
	for _, o := range []string{
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime",
		"noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime",
		"nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime",
		"relatime", "remount", "rexec", "rnoatime", "rnodiratime", "rnoexec",
		"rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
		"rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
		"rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime",
		"suid", "symfollow", "sync", "unbindable", "idmap", "ridmap",
	} {
		if !have[o] {
			t.Errorf("mount option %q missing from features", o)
		}
	}
	if m := Get().Linux.MountExtensions; m == nil || m.IDMap == nil || m.IDMap.Enabled == nil || !*m.IDMap.Enabled {
		t.Errorf("idmap mounts should be reported as enabled")
	}
}
