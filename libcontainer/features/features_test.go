package features

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

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
	if back.Linux.Seccomp == nil || back.Linux.Seccomp.Enabled == nil || !*back.Linux.Seccomp.Enabled {
		t.Errorf("seccomp.enabled should be true: %s", b)
	}
}

func TestSeccomp(t *testing.T) {
	s := Get().Linux.Seccomp
	// Every action and operator of the spec; libseccomp 2.5.4 on a kernel
	// of 4.14 or later (the floor berth supports) has them all.
	actions := []string{"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
		"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}
	if !reflect.DeepEqual(s.Actions, actions) {
		t.Errorf("actions = %v, want %v", s.Actions, actions)
	}
	ops := []string{"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}
	if !reflect.DeepEqual(s.Operators, ops) {
		t.Errorf("operators = %v, want %v", s.Operators, ops)
	}
	flags := []string{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}
	if !reflect.DeepEqual(s.KnownFlags, flags) {
		t.Errorf("known flags = %v, want %v", s.KnownFlags, flags)
	}
	// The kernel decides which flags are supported; all four exist since
	// Linux 5.19 (this host runs 6.x).
	var uts unix.Utsname
	unix.Uname(&uts)
	rel := unix.ByteSliceToString(uts.Release[:])
	var major int
	fmt.Sscanf(rel, "%d", &major)
	if major >= 6 && !reflect.DeepEqual(s.SupportedFlags, flags) {
		t.Errorf("supported flags on %s = %v, want %v", rel, s.SupportedFlags, flags)
	}
	// Archs: the native one always; on amd64 the x86 family, and nothing
	// of the other byte order (a filter holds one).
	if runtime.GOARCH == "amd64" {
		for _, want := range []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"} {
			if !slices.Contains(s.Archs, want) {
				t.Errorf("archs %v lack %s", s.Archs, want)
			}
		}
		if slices.Contains(s.Archs, "SCMP_ARCH_S390X") {
			t.Errorf("archs %v list big-endian s390x on a little-endian host", s.Archs)
		}
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
