package state

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// plainState has State's fields and no methods: encoding/json's own
// rendering, the format state.json had before specjson coded the config.
type plainState State

func sampleState() *State {
	spec := specdefault.Default()
	spec.Hostname = "h<&>"
	spec.Annotations = map[string]string{"b": "2", "a": "1"}
	return &State{
		OCIVersion: "1.3.0", ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", Pid: 42,
		StartTime: 7, Created: time.Date(2026, 11, 23, 1, 2, 3, 4, time.UTC),
		Annotations: map[string]string{"k": "v"}, Started: true,
		Cgroups: map[string]string{"memory": "/sys/fs/cgroup/memory/c1"},
		Config:  spec,
	}
}

// The file is byte for byte what encoding/json wrote for the same State,
// so older and newer berth binaries read each other's state.json.
func TestStateJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []*State{sampleState(), {ID: "noconfig"}} {
		got, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal((*plainState)(s))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("state.json differs from encoding/json's:\n got %s\nwant %s", got, want)
		}
		var back State
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		var ref plainState
		if err := json.Unmarshal(want, &ref); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, (*State)(&ref)) {
			t.Fatalf("decoded state differs:\n got %+v\nwant %+v", back, ref)
		}
	}
}

func TestStateJSONCorrupt(t *testing.T) {
	for _, doc := range []string{`{"id":"x","config":{"process":3}}`, `{"id":"x","config":[`, `{"id":4}`} {
		var s State
		if err := json.Unmarshal([]byte(doc), &s); err == nil {
			t.Errorf("%s: decoded without error", doc)
		}
	}
}
