package specjson

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Unmarshal decodes data into *s exactly as json.Unmarshal(data, s) would:
// the same value and the same error. s is normally a zero Spec; a non-zero
// one (into which encoding/json merges) goes to encoding/json directly.
func Unmarshal(data []byte, s *specs.Spec) error {
	if s == nil || !isZeroSpec(s) {
		return json.Unmarshal(data, s)
	}
	if unmarshalFast(data, s) {
		return nil
	}
	*s = specs.Spec{}
	return json.Unmarshal(data, s)
}

// unmarshalFast is Unmarshal's fast path; false means it gave up (leaving
// *s in any state) and encoding/json must decode data.
func unmarshalFast(data []byte, s *specs.Spec) bool {
	d := decoder{data: data}
	decodeSpec(&d, s)
	if d.peek() != 0 || d.pos != len(d.data) {
		d.fail() // something after the top-level value
	}
	return !d.failed
}

// Marshal returns exactly what json.Marshal(s) returns.
func Marshal(s *specs.Spec) ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	e := encoder{buf: make([]byte, 0, 4096)}
	encodeSpec(&e, s)
	if e.failed {
		return json.Marshal(s)
	}
	return e.buf, nil
}
