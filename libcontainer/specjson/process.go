package specjson

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// UnmarshalProcess decodes a process document (exec's --process file, the
// exec config the runtime sends its exec init) into a new specs.Process,
// with the value and the error json.Unmarshal into a zero Process gives.
// encoding/json's first decode of a Process costs about 0.8 ms here;
// `berth exec` used to pay it twice.
func UnmarshalProcess(data []byte) (*specs.Process, error) {
	d := decoder{data: data}
	var p specs.Process
	decodeProcess(&d, &p)
	if d.peek() != 0 || d.pos != len(d.data) {
		d.fail()
	}
	if !d.failed {
		return &p, nil
	}
	var q specs.Process
	err := json.Unmarshal(data, &q)
	return &q, err
}

// MarshalProcess returns exactly what json.Marshal(p) returns.
func MarshalProcess(p *specs.Process) ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	e := encoder{buf: make([]byte, 0, 1024)}
	encodeProcess(&e, p)
	if e.failed {
		return json.Marshal(p)
	}
	return e.buf, nil
}
