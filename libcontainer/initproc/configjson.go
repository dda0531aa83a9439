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

// execConfigFields is ExecConfig without its methods.
type execConfigFields ExecConfig

// execConfigJSON is the exec config message's shape, its process coded by
// specjson for the same reason as initConfigJSON's spec.
type execConfigJSON struct {
	*execConfigFields
	Process json.RawMessage `json:"process"`
}

// MarshalJSON writes the members encoding/json would.
func (c *ExecConfig) MarshalJSON() ([]byte, error) {
	p, err := specjson.MarshalProcess(c.Process)
	if err != nil {
		return nil, err
	}
	return json.Marshal(execConfigJSON{execConfigFields: (*execConfigFields)(c), Process: p})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *ExecConfig) UnmarshalJSON(b []byte) error {
	raw := execConfigJSON{execConfigFields: (*execConfigFields)(c)}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	c.Process = nil
	if len(raw.Process) == 0 || string(raw.Process) == "null" {
		return nil
	}
	p, err := specjson.UnmarshalProcess(raw.Process)
	c.Process = p
	return err
}
