package layer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMerge applies two extracted layers onto a plain rootfs, as --flat
// does: whiteouts delete, opaque directories hide what was below, a symlink
// from a lower layer is replaced and never written through.
func TestMerge(t *testing.T) {
	requireRoot(t)
	lower, err := extractTo(t, tarOf(t,
		dir("etc"), file("etc/motd", "hi"), file("etc/keep", "k"),
		dir("cache"), file("cache/old", "o"),
		symlink("link", "/etc"),
		file("bin/busybox", "BB"), hardlink("bin/ls", "bin/busybox"),
	))
	if err != nil {
		t.Fatal(err)
	}
	upper, err := extractTo(t, tarOf(t,
		file("etc/.wh.motd", ""),
		dir("cache"), file("cache/.wh..wh..opq", ""), file("cache/new", "n"),
		dir("link"), file("link/x", "x"),
	))
	if err != nil {
		t.Fatal(err)
	}
	rootfs := t.TempDir()
	d, err := os.OpenFile(rootfs, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, l := range []string{lower, upper} {
		s, err := os.OpenFile(l, unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := Merge(d, s); err != nil {
			t.Fatalf("merge %s: %v", l, err)
		}
		s.Close()
	}
	exists := func(p string) bool { _, err := os.Lstat(filepath.Join(rootfs, p)); return err == nil }
	if exists("etc/motd") || !exists("etc/keep") {
		t.Error("whiteout: etc/motd must be gone and etc/keep stay")
	}
	if exists("cache/old") || !exists("cache/new") {
		t.Error("opaque: cache/old must be hidden and cache/new present")
	}
	if st := lstat(t, filepath.Join(rootfs, "link")); st.Mode&unix.S_IFMT != unix.S_IFDIR {
		t.Error("a directory in an upper layer replaces a lower symlink")
	}
	if _, err := os.Stat("/etc/x"); err == nil {
		t.Fatal("merge wrote through a lower layer's symlink")
	}
	a, b := lstat(t, filepath.Join(rootfs, "bin/ls")), lstat(t, filepath.Join(rootfs, "bin/busybox"))
	if a.Ino != b.Ino {
		t.Error("hardlinks inside a layer stay hardlinks")
	}
	if c := lstat(t, filepath.Join(lower, "bin/busybox")); c.Ino == b.Ino {
		t.Error("merged files must be copies, not links to the cached layer")
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(rootfs, "etc/motd"), &st); err == nil {
		t.Error("no whiteout device may be left in a flat rootfs")
	}
}
