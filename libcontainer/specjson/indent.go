package specjson

import (
	"bytes"
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// MarshalIndent returns exactly what json.MarshalIndent(s, prefix, indent)
// returns: Marshal's bytes re-indented by json.Indent, which only scans
// the text (no reflection).
func MarshalIndent(s *specs.Spec, prefix, indent string) ([]byte, error) {
	b, err := Marshal(s)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(b) * 2)
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
