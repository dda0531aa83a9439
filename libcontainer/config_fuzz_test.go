package libcontainer

import (
	"encoding/json"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// FuzzValidate: no JSON document makes config checking panic, and every
// rejection is an error value with a message. Seeds: testdata/fuzz/FuzzValidate
// plus the default spec.
func FuzzValidate(f *testing.F) {
	if b, err := json.Marshal(specdefault.Default()); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s specs.Spec
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		err := Validate(&s)
		if err != nil && err.Error() == "" {
			t.Fatalf("rejection without a message for %q", data)
		}
	})
}
