package cgroups

import (
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSharesToWeight(t *testing.T) {
	// The runtime-spec's documented conversion, at its ends and middle.
	for shares, want := range map[uint64]uint64{0: 0, 2: 1, 1024: 39, 262144: 10000, 1 << 30: 10000} {
		if got := SharesToWeight(shares); got != want {
			t.Errorf("SharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
	for w, want := range map[uint16]uint64{0: 0, 10: 1, 500: 4950, 1000: 10000} {
		if got := BlkioToIOWeight(w); got != want {
			t.Errorf("BlkioToIOWeight(%d) = %d, want %d", w, got, want)
		}
	}
}

func TestPath(t *testing.T) {
	spec := &specs.Spec{Linux: &specs.Linux{}}
	if p, err := Path(spec, "abc"); err != nil || p != "/abc" {
		t.Errorf("default: %q, %v", p, err)
	}
	for in, want := range map[string]string{"/a/b/": "/a/b", "rel/x": "rel/x"} {
		spec.Linux.CgroupsPath = in
		if p, err := Path(spec, "abc"); err != nil || p != want {
			t.Errorf("Path(%q) = %q, %v; want %q", in, p, err, want)
		}
	}
	for _, bad := range []string{"/", "/a/../..", "system.slice:berth:abc", "../x"} {
		spec.Linux.CgroupsPath = bad
		if _, err := Path(spec, "abc"); err == nil {
			t.Errorf("Path(%q): want an error", bad)
		}
	}
}

func TestDirIn(t *testing.T) {
	d, err := dirIn("/sys/fs/cgroup/memory", "/", "/user/1", "ctr")
	if err != nil || d != "/sys/fs/cgroup/memory/user/1/ctr" {
		t.Errorf("relative: %q, %v", d, err)
	}
	d, err = dirIn("/sys/fs/cgroup/memory", "/", "/user/1", "/ctr")
	if err != nil || d != "/sys/fs/cgroup/memory/ctr" {
		t.Errorf("absolute: %q, %v", d, err)
	}
	// Inside a cgroup namespace the mount's root is the namespace's.
	d, err = dirIn("/sys/fs/cgroup", "/outer", "/outer/me", "ctr")
	if err != nil || d != "/sys/fs/cgroup/me/ctr" {
		t.Errorf("namespaced: %q, %v", d, err)
	}
}

func TestVisibleHidesCoveredMounts(t *testing.T) {
	all := []*mountinfo.Info{
		{ID: 1, Parent: 1, Mountpoint: "/"},
		{ID: 2, Parent: 1, Mountpoint: "/sys/fs/cgroup", FSType: "tmpfs"},
		{ID: 3, Parent: 2, Mountpoint: "/sys/fs/cgroup/memory", FSType: "cgroup"},
		{ID: 4, Parent: 2, Mountpoint: "/sys/fs/cgroup", FSType: "cgroup2"},
	}
	var got []int
	for _, m := range visible(all) {
		got = append(got, m.ID)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 4 {
		t.Errorf("visible = %v, want [1 4]", got)
	}
}

func TestDeviceRulesOrderAndValidation(t *testing.T) {
	maj := int64(10)
	spec := &specs.Spec{Linux: &specs.Linux{
		Resources: &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: &maj, Access: "r"},
		}},
		Devices: []specs.LinuxDevice{{Type: "b", Major: 8, Minor: 1}, {Type: "p"}},
	}}
	rules, err := DeviceRules(spec)
	if err != nil {
		t.Fatal(err)
	}
	if rules[0].String() != "a *:* rwm" || rules[0].Allow || rules[1].String() != "c 10:* r" {
		t.Errorf("the config's rules come first: %v", rules[:2])
	}
	last := rules[len(rules)-1]
	if last.String() != "b 8:1 rwm" || !last.Allow {
		t.Errorf("linux.devices come last (fifos skipped): %v", last)
	}
	spec.Linux.Resources.Devices[1].Access = "rx"
	if _, err := DeviceRules(spec); err == nil || !strings.Contains(err.Error(), "access") {
		t.Errorf("bad access: %v", err)
	}
}

func TestDeviceProgramStopsAtMatchAll(t *testing.T) {
	rules := []DeviceRule{{true, 'c', 1, 3, "rwm"}, {true, 'a', -1, -1, "rwm"}}
	insns := deviceProgram(rules)
	// Header (6), the match-all rule's verdict (2): the rule before it is
	// unreachable and must not be emitted (the verifier rejects it).
	if len(insns) != 8 {
		t.Errorf("program has %d instructions, want 8:\n%v", len(insns), insns)
	}
}

func TestMerge(t *testing.T) {
	l1, l2, p := int64(1), int64(2), int64(5)
	old := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &l1, Reservation: &l1}, CPU: &specs.LinuxCPU{Cpus: "0"}}
	got := Merge(old, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &l2}, Pids: &specs.LinuxPids{Limit: &p}})
	if *got.Memory.Limit != 2 || *got.Memory.Reservation != 1 || got.CPU.Cpus != "0" || *got.Pids.Limit != 5 {
		t.Errorf("merge: %+v %+v", got.Memory, got.Pids)
	}
	if *old.Memory.Limit != 1 {
		t.Error("merge changed its input")
	}
}
