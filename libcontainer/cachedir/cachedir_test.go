package cachedir

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// entries writes n files old0..old{n-1}, oldN with mtime N+1 seconds.
func entries(t *testing.T, n int) string {
	dir := t.TempDir()
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, "old"+strconv.Itoa(i))
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		ts := unix.NsecToTimespec(int64(i+1) * 1e9)
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func names(t *testing.T, dir string) string {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return strings.Join(n, " ")
}

func TestTrimKeepsTheNewest(t *testing.T) {
	dir := entries(t, 7)
	if !Trim(dir, 4, "") {
		t.Fatal("Trim removed nothing")
	}
	if got, want := names(t, dir), "old3 old4 old5 old6"; got != want {
		t.Fatalf("left %q, want %q", got, want)
	}
}

func TestTrimNeverRemovesKeep(t *testing.T) {
	dir := entries(t, 7)
	// keep is the oldest of all: it stays, and counts among the four.
	Trim(dir, 4, "old0")
	if got, want := names(t, dir), "old0 old4 old5 old6"; got != want {
		t.Fatalf("left %q, want %q", got, want)
	}
}

func TestTrimUnderTheBound(t *testing.T) {
	dir := entries(t, 3)
	if Trim(dir, 4, "") {
		t.Fatal("Trim removed something under its bound")
	}
	if got := names(t, dir); got != "old0 old1 old2" {
		t.Fatalf("left %q", got)
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir); err != nil && os.Geteuid() == 0 {
		t.Fatalf("a 0700 directory of root's: %v", err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir); err == nil {
		t.Fatal("a directory anyone can write was accepted")
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(link); err == nil {
		t.Fatal("a symlink was accepted")
	}
	if err := CheckDir(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Fatalf("missing: %v, want a not-exist error", err)
	}
}

func TestFromEnv(t *testing.T) {
	for val, want := range map[string]string{"": "/def", "off": "", "/x/y": "/x/y"} {
		t.Setenv("BERTH_TEST_CACHE", val)
		if got := FromEnv("BERTH_TEST_CACHE", "/def"); got != want {
			t.Errorf("%q: got %q, want %q", val, got, want)
		}
	}
}
