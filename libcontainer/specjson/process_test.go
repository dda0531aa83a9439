package specjson

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func refProcess(b []byte) (*specs.Process, error) {
	var p specs.Process
	err := json.Unmarshal(b, &p)
	return &p, err
}

// Every process of the real-config corpus and of the random Specs goes
// through the process functions with encoding/json's results; so do the
// documents that must fall back.
func TestProcessMatchesEncodingJSON(t *testing.T) {
	var docs [][]byte
	r := rand.New(rand.NewSource(4))
	for range 500 {
		if s := randomSpec(r); s.Process != nil {
			b, err := json.Marshal(s.Process)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, b)
			got, err := MarshalProcess(s.Process)
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("MarshalProcess differs (err %v):\n got %s\nwant %s", err, got, b)
			}
		}
	}
	docs = append(docs,
		[]byte(`null`), []byte(`{}`), []byte(`{"args":["a"],"ARGS":["b"],"user":{"uid":1},"user":{"gid":2}}`),
		[]byte(`{"args":"sh"}`), []byte(`{"user":{"uid":-1}}`), []byte(`{"oomScoreAdj":1.5}`),
		[]byte(`{"env":["A=\u00e9\ud83d\ude00"]}`), []byte(`{"cwd":"/"} x`), []byte(`{"cwd":`))
	for _, b := range docs {
		got, gerr := UnmarshalProcess(b)
		ref, rerr := refProcess(b)
		if (gerr == nil) != (rerr == nil) || (gerr != nil && gerr.Error() != rerr.Error()) {
			t.Fatalf("%s: error %v, encoding/json %v", b, gerr, rerr)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("%s: decoded\n %+v\nencoding/json\n %+v", b, got, ref)
		}
	}
	if got, _ := MarshalProcess(nil); string(got) != "null" {
		t.Fatalf("MarshalProcess(nil) = %s", got)
	}
}
