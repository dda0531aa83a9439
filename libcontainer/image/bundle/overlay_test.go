package bundle

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Both mount paths: the new mount API (lowerdir+) and the mount(2)
// fallback for kernels before 6.8, with /proc/self/fd lowers.
func TestMountOverlay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting an overlay needs root")
	}
	for name, mount := range map[string]func(string, []string, string, string) error{
		"fsconfig": fsmountOverlay,
		"legacy":   legacyMountOverlay,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var lowers []string
			for i, f := range []string{"bottom", "top"} {
				l := filepath.Join(dir, f)
				os.MkdirAll(l, 0o755)
				os.WriteFile(filepath.Join(l, "which"), []byte(f), 0o644)
				os.WriteFile(filepath.Join(l, f), []byte{byte('0' + i)}, 0o644)
				lowers = append(lowers, l)
			}
			target, upper, work := filepath.Join(dir, "m,x:y"), filepath.Join(dir, "upper"), filepath.Join(dir, "work")
			for _, d := range []string{target, upper, work} {
				os.Mkdir(d, 0o755)
			}
			if err := mount(target, lowers, upper, work); err != nil {
				t.Fatal(err)
			}
			defer unix.Unmount(target, unix.MNT_DETACH)
			if b, _ := os.ReadFile(filepath.Join(target, "which")); string(b) != "top" {
				t.Errorf("the last layer must be on top, got %q", b)
			}
			for _, f := range []string{"bottom", "top"} {
				if _, err := os.Stat(filepath.Join(target, f)); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
			if err := os.WriteFile(filepath.Join(target, "new"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(upper, "new")); err != nil {
				t.Errorf("a write must land in upper: %v", err)
			}
		})
	}
}
