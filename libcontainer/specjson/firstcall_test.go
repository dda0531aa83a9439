package specjson

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// firstCallEnv names the operation TestFirstCallChild times, in a process
// of its own.
const firstCallEnv = "SPECJSON_FIRST_CALL"

// firstCallModes: what a container start does with config.json, first the
// fast way, then encoding/json's.
var firstCallModes = []string{"Unmarshal", "json.Unmarshal", "Marshal", "json.Marshal"}

// TestFirstCallChild is TestFirstCall's child: in a fresh test process it
// times one first call and prints it. The Spec for the Marshal modes is
// decoded with the fast path, which leaves encoding/json's caches cold.
func TestFirstCallChild(t *testing.T) {
	mode := os.Getenv(firstCallEnv)
	if mode == "" {
		t.Skip("run by TestFirstCall in a child process")
	}
	data, err := os.ReadFile("testdata/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	var start time.Time
	switch mode {
	case "Unmarshal":
		start = time.Now()
		err = Unmarshal(data, &s)
	case "json.Unmarshal":
		start = time.Now()
		err = json.Unmarshal(data, &s)
	case "Marshal", "json.Marshal":
		if !unmarshalFast(data, &s) {
			t.Fatal("testdata/config.json is not on the fast path")
		}
		start = time.Now()
		if mode == "Marshal" {
			_, err = Marshal(&s)
		} else {
			_, err = json.Marshal(&s)
		}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	d := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if mode == "Unmarshal" && !unmarshalFast(data, new(specs.Spec)) {
		t.Fatal("testdata/config.json is not on the fast path")
	}
	fmt.Printf("first-call-ns %d\n", d.Nanoseconds())
}

// TestFirstCall times each mode's first call in fresh processes (the test
// binary re-executed), as a container start's CLI and init each pay it.
func TestFirstCall(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes; skipped in -short mode")
	}
	const runs = 9
	median := map[string]time.Duration{}
	for _, mode := range firstCallModes {
		var ds []time.Duration
		for range runs {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFirstCallChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), firstCallEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", mode, err, out)
			}
			_, v, ok := strings.Cut(string(out), "first-call-ns ")
			if !ok {
				t.Fatalf("%s: no timing in the child's output:\n%s", mode, out)
			}
			ns, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Duration(ns))
		}
		slices.Sort(ds)
		median[mode] = ds[runs/2]
		t.Logf("first %-15s in a fresh process: median %9v (min %v, max %v, %d runs)", mode, ds[runs/2], ds[0], ds[runs-1], runs)
	}
	for _, op := range []string{"Unmarshal", "Marshal"} {
		if fast, slow := median[op], median["json."+op]; fast >= slow {
			t.Errorf("first %s takes %v, no faster than encoding/json's %v", op, fast, slow)
		}
	}
}

func benchData(b *testing.B) []byte {
	data, err := os.ReadFile("testdata/config.json")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkUnmarshal(b *testing.B) {
	data := benchData(b)
	b.Run("specjson", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var s specs.Spec
			if err := Unmarshal(data, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var s specs.Spec
			if err := json.Unmarshal(data, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	var s specs.Spec
	if err := json.Unmarshal(benchData(b), &s); err != nil {
		b.Fatal(err)
	}
	b.Run("specjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Marshal(&s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
