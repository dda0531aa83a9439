package initproc

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// The config message carries the members encoding/json would write for
// InitConfig (spec last instead of fourth, which no reader cares about), and
// decodes back to an equal value.
func TestInitConfigJSON(t *testing.T) {
	type plain InitConfig
	full := &InitConfig{
		ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", Spec: specdefault.Default(),
		NoPivot: true, PreserveFDs: 2, ListenFDs: 1, ListenFDNames: "a",
		HostPid: 9, UserNS: true,
		Cgroups: &rootfs.CgroupView{Unified: "/sys/fs/cgroup/c1", V1: []rootfs.CgroupV1{{Name: "memory", Controllers: []string{"memory"}}}},
		Seccomp: &seccomp.Filter{Program: []byte{1, 2, 3, 4, 5, 6, 7, 8}, Flags: 1},
	}
	for _, c := range []*InitConfig{full, {ID: "bare"}} {
		got, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal((*plain)(c))
		if err != nil {
			t.Fatal(err)
		}
		var gotDoc, wantDoc map[string]any
		if err := json.Unmarshal(got, &gotDoc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &wantDoc); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotDoc, wantDoc) {
			t.Fatalf("config message differs from encoding/json's:\n got %s\nwant %s", got, want)
		}
		var back InitConfig
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, c) {
			t.Fatalf("decoded config differs:\n got %+v\nwant %+v", back, *c)
		}
	}
}

func TestExecConfigJSON(t *testing.T) {
	for _, c := range []*ExecConfig{
		{ID: "c1", Process: specdefault.Default().Process, PreserveFDs: 1, Seccomp: &seccomp.Filter{Program: []byte{1, 2, 3, 4, 5, 6, 7, 8}}},
		{ID: "bare"},
	} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back ExecConfig
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, c) {
			t.Fatalf("decoded exec config differs:\n got %+v\nwant %+v", back, *c)
		}
	}
}
