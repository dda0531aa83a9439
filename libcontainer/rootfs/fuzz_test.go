package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyphar/filepath-securejoin/pathrs-lite/procfs"
	"golang.org/x/sys/unix"
)

// FuzzParseOptions: no option list panics the parser, and what it accepts
// is consistent: idmap only on binds, no option both set and cleared.
// Seeds: testdata/fuzz/FuzzParseOptions (options joined by ",").
func FuzzParseOptions(f *testing.F) {
	f.Add("rbind,ro,rnosuid,ridmap", false)
	f.Add("nosuid,noexec,mode=755,size=65536k", false)
	f.Fuzz(func(t *testing.T, joined string, isBind bool) {
		o, err := ParseOptions(strings.Split(joined, ","), isBind)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if o.IDMap && !o.Bind && !isBind {
			t.Fatalf("%q: idmap accepted on a non-bind mount", joined)
		}
		if o.Flags&o.ClearFlags != 0 {
			t.Fatalf("%q: flags %#x both set and cleared", joined, o.Flags&o.ClearFlags)
		}
		if (isBind || o.Bind) && len(o.Data) > 0 {
			t.Fatalf("%q: filesystem data %q accepted on a bind mount", joined, o.Data)
		}
		for _, d := range o.Data {
			if strings.Contains(d, "\n") {
				t.Fatalf("%q: data with a newline", joined)
			}
		}
	})
}

// FuzzOpenTarget: whatever the destination string, the handle the path
// resolver returns (and every directory it creates) is inside the root,
// even though the root is full of symlinks that point out of it.
// Seeds: testdata/fuzz/FuzzOpenTarget.
func FuzzOpenTarget(f *testing.F) {
	base := f.TempDir()
	rootPath := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{rootPath + "/a/b", rootPath + "/proc", outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for name, target := range map[string]string{
		"abs": outside, "rel": "../../outside", "dotdot": "..", "loop": "loop",
		"a/b/up": "../../../outside", "proc/self": "/proc/self", "sys": outside,
	} {
		if err := os.Symlink(target, filepath.Join(rootPath, name)); err != nil {
			f.Fatal(err)
		}
	}
	root, err := os.OpenFile(rootPath, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { root.Close() })
	f.Add("/abs/x", false)
	f.Add("/a/b/up/y", true)
	f.Add("/proc", false)
	f.Fuzz(func(t *testing.T, dest string, asFile bool) {
		if strings.ContainsRune(dest, 0) || len(dest) > 200 {
			return
		}
		d := filepath.Clean("/" + dest)
		h, err := openTarget(root, d, asFile)
		if err == nil {
			p, err := procfs.ProcSelfFdReadlink(h)
			h.Close()
			if err != nil {
				t.Fatal(err)
			}
			if p != rootPath && !strings.HasPrefix(p, rootPath+"/") {
				t.Fatalf("destination %q resolved to %q, outside the root %q", dest, p, rootPath)
			}
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 0 {
			t.Fatalf("destination %q created %s outside the root", dest, ents[0].Name())
		}
	})
}
