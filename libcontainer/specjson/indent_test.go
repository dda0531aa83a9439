package specjson

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestMarshalIndent: MarshalIndent (indent.go) matches json.MarshalIndent on
// random Specs.
func TestMarshalIndent(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		s := randomSpec(r)
		for _, pi := range [][2]string{{"", "\t"}, {"> ", "  "}, {"", ""}} {
			got, errGot := MarshalIndent(s, pi[0], pi[1])
			want, errWant := json.MarshalIndent(s, pi[0], pi[1])
			if !bytes.Equal(got, want) || errText(errGot) != errText(errWant) {
				t.Fatalf("iteration %d %q: MarshalIndent differs:\n got %q %v\nwant %q %v", i, pi, clip(got), errGot, clip(want), errWant)
			}
		}
	}
	got, _ := MarshalIndent(nil, "", "\t")
	want, _ := json.MarshalIndent((*specs.Spec)(nil), "", "\t")
	if !bytes.Equal(got, want) {
		t.Errorf("nil Spec: %q, want %q", got, want)
	}
}
