package initproc

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/specjson"
)

// initConfigFields is InitConfig without its methods.
type initConfigFields InitConfig

// initConfigJSON is the config message's shape. Its Spec hides
// initConfigFields.Spec, so encoding/json never reflects over specs.Spec:
// package specjson codes it, which saves the runtime and the init (a fresh
// process at every start) about 3 ms each.
type initConfigJSON struct {
	*initConfigFields
	Spec json.RawMessage `json:"spec"`
}

// MarshalJSON writes the same document encoding/json would.
func (c *InitConfig) MarshalJSON() ([]byte, error) {
	spec, err := specjson.Marshal(c.Spec)
	if err != nil {
		return nil, err
	}
	return json.Marshal(initConfigJSON{initConfigFields: (*initConfigFields)(c), Spec: spec})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *InitConfig) UnmarshalJSON(b []byte) error {
	raw := initConfigJSON{initConfigFields: (*initConfigFields)(c)}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	c.Spec = nil
	if len(raw.Spec) == 0 || string(raw.Spec) == "null" {
		return nil
	}
	c.Spec = new(specs.Spec)
	return specjson.Unmarshal(raw.Spec, c.Spec)
}
