package phase

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestMark(t *testing.T) {
	old := path
	defer func() { path = old }()

	path = ""
	Mark("nothing") // disabled: no file, no panic
	if Enabled() {
		t.Fatal("enabled without " + Env)
	}

	path = filepath.Join(t.TempDir(), "phases")
	Mark("one")
	Mark("two")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %q", len(lines), b)
	}
	var last int64
	for i, want := range []string{"one", "two"} {
		f := strings.Fields(lines[i])
		if len(f) != 3 || f[1] != strconv.Itoa(os.Getpid()) || f[2] != want {
			t.Fatalf("line %d: %q", i, lines[i])
		}
		us, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || us < last {
			t.Fatalf("line %d: bad or decreasing time %q", i, f[0])
		}
		last = us
	}
}
