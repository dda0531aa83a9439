package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var mtime = time.Unix(1700000000, 0)

// tarOf builds a tar stream; a header's Size is set from its content.
func tarOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.h
		if h.ModTime.IsZero() {
			h.ModTime = mtime
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		h.Size = int64(len(e.body))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if h.Format == tar.FormatUnknown && len(h.PAXRecords) > 0 {
			h.Format = tar.FormatPAX
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("tar header %q: %v", h.Name, err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type entry struct {
	h    tar.Header
	body string
}

func dir(name string) entry { return entry{h: tar.Header{Name: name, Typeflag: tar.TypeDir}} }
func file(name, body string) entry {
	return entry{h: tar.Header{Name: name, Typeflag: tar.TypeReg}, body: body}
}
func symlink(name, target string) entry {
	return entry{h: tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target}}
}
func hardlink(name, target string) entry {
	return entry{h: tar.Header{Name: name, Typeflag: tar.TypeLink, Linkname: target}}
}

// extractTo extracts data into DIR/layer, DIR being a fresh temp dir, and
// returns DIR/layer; anything that appears in DIR besides layer is an
// escape, which the caller checks with assertContained.
func extractTo(t testing.TB, data []byte) (string, error) {
	t.Helper()
	base := t.TempDir()
	dst := filepath.Join(base, "layer")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenFile(dst, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, err = Extract(root, bytes.NewReader(data))
	return dst, err
}

func assertContained(t testing.TB, layer string) {
	t.Helper()
	names, err := os.ReadDir(filepath.Dir(layer))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0].Name() != "layer" {
		var got []string
		for _, n := range names {
			got = append(got, n.Name())
		}
		t.Fatalf("extraction wrote outside the layer directory: %v", got)
	}
}

func lstat(t *testing.T, p string) *unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return &st
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: chown, device nodes and trusted.* xattrs")
	}
}

func TestExtractEntryTypes(t *testing.T) {
	requireRoot(t)
	long := strings.Repeat("d", 120) + "/" + strings.Repeat("f", 150)
	exe := file("bin/su", "#!/bin/sh\n")
	exe.h.Mode = 0o4755
	exe.h.Uid, exe.h.Gid = 0, 0
	owned := file("home/user/.profile", "x=1\n")
	owned.h.Uid, owned.h.Gid = 1000, 1001
	owned.h.ModTime = time.Unix(1600000000, 0)
	capped := file("bin/ping", "ELF")
	capped.h.Mode = 0o755
	capped.h.PAXRecords = map[string]string{
		"SCHILY.xattr.security.capability":      "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"SCHILY.xattr.user.note":                "hello",
		"SCHILY.xattr.trusted.overlay.redirect": "/etc",
	}
	sticky := dir("tmp")
	sticky.h.Mode = 0o1777
	sgid := dir("srv")
	sgid.h.Mode = 0o2775
	sgid.h.Gid = 50
	null := entry{h: tar.Header{Name: "dev/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3, Mode: 0o666}}
	loop := entry{h: tar.Header{Name: "dev/loop0", Typeflag: tar.TypeBlock, Devmajor: 7, Devminor: 0, Mode: 0o660}}
	fifo := entry{h: tar.Header{Name: "run/fifo", Typeflag: tar.TypeFifo, Mode: 0o600}}
	oldDir := dir("old")
	oldDir.h.ModTime = time.Unix(1500000000, 0)

	data := tarOf(t,
		dir("./"), dir("bin"), exe, capped, dir("home"), dir("home/user"), owned,
		sticky, sgid, null, loop, fifo,
		symlink("bin/sh", "busybox"), file("bin/busybox", "BB"), hardlink("bin/ls", "bin/busybox"),
		symlink("abs", "/etc/passwd"),
		file(long, "long"),
		oldDir, file("old/inside", "x"),
	)
	layer, err := extractTo(t, data)
	if err != nil {
		t.Fatal(err)
	}
	assertContained(t, layer)

	if st := lstat(t, filepath.Join(layer, "bin/su")); st.Mode&0o7777 != 0o4755 {
		t.Errorf("setuid mode: got %o", st.Mode&0o7777)
	}
	if st := lstat(t, filepath.Join(layer, "home/user/.profile")); st.Uid != 1000 || st.Gid != 1001 || st.Mtim.Sec != 1600000000 {
		t.Errorf("owner/mtime: got %d:%d at %d", st.Uid, st.Gid, st.Mtim.Sec)
	}
	if st := lstat(t, filepath.Join(layer, "tmp")); st.Mode&0o7777 != 0o1777 {
		t.Errorf("sticky dir mode: got %o", st.Mode&0o7777)
	}
	if st := lstat(t, filepath.Join(layer, "srv")); st.Mode&0o7777 != 0o2775 || st.Gid != 50 {
		t.Errorf("setgid dir: got %o gid %d", st.Mode&0o7777, st.Gid)
	}
	if st := lstat(t, filepath.Join(layer, "old")); st.Mtim.Sec != 1500000000 {
		t.Errorf("directory mtime not restored after its contents: %d", st.Mtim.Sec)
	}
	if st := lstat(t, filepath.Join(layer, "dev/null")); st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) || st.Mode&0o777 != 0o666 {
		t.Errorf("char device: mode %o rdev %d", st.Mode, st.Rdev)
	}
	if st := lstat(t, filepath.Join(layer, "dev/loop0")); st.Mode&unix.S_IFMT != unix.S_IFBLK || st.Rdev != unix.Mkdev(7, 0) {
		t.Errorf("block device: mode %o rdev %d", st.Mode, st.Rdev)
	}
	if st := lstat(t, filepath.Join(layer, "run/fifo")); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("fifo: mode %o", st.Mode)
	}
	if got, _ := os.Readlink(filepath.Join(layer, "bin/sh")); got != "busybox" {
		t.Errorf("symlink: %q", got)
	}
	if got, _ := os.Readlink(filepath.Join(layer, "abs")); got != "/etc/passwd" {
		t.Errorf("absolute symlink target must be kept verbatim: %q", got)
	}
	a, b := lstat(t, filepath.Join(layer, "bin/ls")), lstat(t, filepath.Join(layer, "bin/busybox"))
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("hardlink: inodes %d %d nlink %d", a.Ino, b.Ino, a.Nlink)
	}
	if b, err := os.ReadFile(filepath.Join(layer, long)); err != nil || string(b) != "long" {
		t.Errorf("long name: %q %v", b, err)
	}
	val := make([]byte, 64)
	if n, err := unix.Lgetxattr(filepath.Join(layer, "bin/ping"), "security.capability", val); err != nil || n != 20 {
		t.Errorf("security.capability: %d %v", n, err)
	}
	if n, err := unix.Lgetxattr(filepath.Join(layer, "bin/ping"), "user.note", val); err != nil || string(val[:n]) != "hello" {
		t.Errorf("user xattr: %q %v", val[:n], err)
	}
	if _, err := unix.Lgetxattr(filepath.Join(layer, "bin/ping"), "trusted.overlay.redirect", val); !errors.Is(err, unix.ENODATA) {
		t.Errorf("trusted.overlay.* from a tar entry must be dropped, got %v", err)
	}
}

func TestExtractWhiteouts(t *testing.T) {
	requireRoot(t)
	data := tarOf(t,
		dir("etc"), file("etc/.wh.motd", ""),
		dir("var"), dir("var/cache"), file("var/cache/.wh..wh..opq", ""), file("var/cache/new", "n"),
		file(".wh..wh.plnk", ""),
		file("gone", "x"), file(".wh.gone", ""),
	)
	layer, err := extractTo(t, data)
	if err != nil {
		t.Fatal(err)
	}
	assertContained(t, layer)
	for _, p := range []string{"etc/motd", "gone"} {
		st := lstat(t, filepath.Join(layer, p))
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 || st.Uid != 0 {
			t.Errorf("%s: want a 0:0 char device owned by root, got mode %o rdev %d uid %d", p, st.Mode, st.Rdev, st.Uid)
		}
	}
	for _, p := range []string{"etc/.wh.motd", ".wh..wh.plnk", "var/cache/.wh..wh..opq"} {
		if _, err := os.Lstat(filepath.Join(layer, p)); !os.IsNotExist(err) {
			t.Errorf("%s must not be extracted as a file: %v", p, err)
		}
	}
	val := make([]byte, 4)
	if n, err := unix.Lgetxattr(filepath.Join(layer, "var/cache"), OpaqueXattr, val); err != nil || string(val[:n]) != "y" {
		t.Errorf("opaque dir: %q %v", val[:n], err)
	}
	if b, err := os.ReadFile(filepath.Join(layer, "var/cache/new")); err != nil || string(b) != "n" {
		t.Errorf("an opaque dir keeps this layer's own entries: %q %v", b, err)
	}
}

func TestExtractReplaces(t *testing.T) {
	data := tarOf(t,
		file("a", "first"), file("a", "second"),
		dir("d"), file("d/x", "x"), file("d", "now a file"),
		file("s", "file"), symlink("s", "a"),
	)
	layer, err := extractTo(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(layer, "a")); string(b) != "second" {
		t.Errorf("a later entry wins: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(layer, "d")); string(b) != "now a file" {
		t.Errorf("a file replaces a directory: %q", b)
	}
	if got, _ := os.Readlink(filepath.Join(layer, "s")); got != "a" {
		t.Errorf("a symlink replaces a file: %q", got)
	}
}

func TestExtractMissingParents(t *testing.T) {
	layer, err := extractTo(t, tarOf(t, file("usr/share/doc/x", "x")))
	if err != nil {
		t.Fatal(err)
	}
	if st := lstat(t, filepath.Join(layer, "usr/share")); st.Mode&0o777 != 0o755 {
		t.Errorf("implicit directory mode %o", st.Mode&0o777)
	}
}

// The traversal cases: each must fail or stay inside the layer directory,
// and none may touch the host file it aims at.
func TestExtractTraversal(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel := func(layerDepth int) string {
		return strings.Repeat("../", layerDepth) + strings.TrimPrefix(victim, "/")
	}
	cases := []struct {
		name    string
		data    []byte
		wantErr string // "" when the entry is contained instead
	}{
		{"dotdot", tarOf(t, file("../../../../../../../../"+strings.TrimPrefix(victim, "/"), "pwned")), "climbs out"},
		{"dotdot-inside", tarOf(t, file("a/../../x", "pwned")), "climbs out"},
		{"absolute", tarOf(t, file(victim, "pwned")), ""},
		{"symlink-abs-then-write", tarOf(t, symlink("esc", filepath.Dir(victim)), file("esc/victim", "pwned")), ""},
		{"symlink-rel-then-write", tarOf(t, symlink("esc", rel(12)), file("esc", "pwned")), ""},
		{"symlink-dir-then-write", tarOf(t, symlink("esc", "../../../../../../../../../../"+strings.TrimPrefix(filepath.Dir(victim), "/")), file("esc/victim", "pwned")), ""},
		{"hardlink-dotdot", tarOf(t, hardlink("h", rel(12))), "climbs out"},
		{"hardlink-absolute", tarOf(t, hardlink("h", victim)), "no such file"},
		{"hardlink-through-symlink", tarOf(t, symlink("esc", filepath.Dir(victim)), hardlink("h", "esc/victim")), "no such file"},
		{"symlink-then-hardlink-write", tarOf(t, symlink("esc", victim), hardlink("h", "esc"), file("h", "pwned")), ""},
		{"whiteout-dotdot", tarOf(t, file("../.wh.victim", "")), "climbs out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			layer, err := extractTo(t, c.data)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("want an error containing %q, got %v", c.wantErr, err)
				}
			}
			assertContained(t, layer)
			if b, _ := os.ReadFile(victim); string(b) != "host" {
				t.Fatalf("host file changed: %q", b)
			}
			if st := lstat(t, victim); st.Nlink != 1 {
				t.Fatalf("host file got a hardlink (nlink %d)", st.Nlink)
			}
		})
	}
}

func TestExtractTruncated(t *testing.T) {
	data := tarOf(t, file("big", strings.Repeat("x", 4096)))
	if _, err := extractTo(t, data[:1024]); err == nil {
		t.Fatal("a truncated tar must fail")
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"./": "", "/": "", "a/b/": "a/b", "./a//b": "a/b", "/etc/passwd": "etc/passwd",
	} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "../a", "a/../../b", "a/..", "a\x00b"} {
		if _, err := CleanName(in); err == nil {
			t.Errorf("CleanName(%q) must fail", in)
		}
	}
}
