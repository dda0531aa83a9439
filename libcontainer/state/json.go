package state

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/specjson"
)

// stateFields is State without its methods, so that encoding/json codes
// its fields instead of calling MarshalJSON again.
type stateFields State

// stateJSON is state.json's shape. Its Config hides stateFields.Config
// (a shallower field of the same name wins), so encoding/json never looks
// at the specs.Spec type: the config goes through package specjson, which
// spares every command that reads state.json encoding/json's first-use
// reflection over the spec's types (about 3 ms per process here).
type stateJSON struct {
	*stateFields
	Config json.RawMessage `json:"config"`
}

// MarshalJSON writes the same document encoding/json would.
func (s *State) MarshalJSON() ([]byte, error) {
	cfg, err := specjson.Marshal(s.Config)
	if err != nil {
		return nil, err
	}
	return json.Marshal(stateJSON{stateFields: (*stateFields)(s), Config: cfg})
}

// UnmarshalJSON reads what MarshalJSON (or encoding/json) wrote.
func (s *State) UnmarshalJSON(b []byte) error {
	raw := stateJSON{stateFields: (*stateFields)(s)}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	s.Config = nil
	if len(raw.Config) == 0 || string(raw.Config) == "null" {
		return nil
	}
	s.Config = new(specs.Spec)
	return specjson.Unmarshal(raw.Config, s.Config)
}
