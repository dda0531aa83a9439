package exeguard

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// copyOfSelf is a copy of the test binary: the running binary itself cannot
// be opened for writing at all (ETXTBSY), which would hide what the guard does.
func copyOfSelf(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "exe")
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeThrough tries to write a script through /proc/self/fd/fd, as an
// attacker holding the init's /proc/<pid>/exe would, expects wantErr, and
// returns the path.
func writeThrough(t *testing.T, fd int, wantErr error) string {
	t.Helper()
	p := "/proc/self/fd/" + strconv.Itoa(fd)
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.Write([]byte("#!/bin/sh\necho pwned\n"))
		f.Close()
	}
	if !errors.Is(err, wantErr) {
		t.Errorf("write through %s: got %v, want %v", p, err, wantErr)
	}
	return p
}

// checkGuarded: the handle executes the binary, and no reopen through
// /proc/self/fd can change it, while the file itself stays writable.
func checkGuarded(t *testing.T, fd int, exe string, wantErr error) {
	t.Helper()
	before, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	p := writeThrough(t, fd, wantErr)
	if _, err := os.OpenFile(p, os.O_RDWR|os.O_TRUNC, 0); err == nil {
		t.Errorf("reopen %s O_RDWR|O_TRUNC succeeded", p)
	}
	after, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("the binary changed")
	}
	// The test binary re-executed through the handle runs no test.
	out, err := exec.Command(p, "-test.run=^$").CombinedOutput()
	if err != nil {
		t.Errorf("execute through %s: %v: %s", p, err, out)
	}
	// The guard is on the handle, not the file.
	w, err := os.OpenFile(exe, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("the original file should stay writable by path: %v", err)
	}
	w.Close()
}

func TestReadonlyMount(t *testing.T) {
	exe := copyOfSelf(t)
	fd, err := openReadonlyMount(exe)
	if err != nil {
		t.Skipf("no detached mounts here (needs CAP_SYS_ADMIN): %v", err)
	}
	defer unix.Close(fd)
	checkGuarded(t, fd, exe, unix.EROFS)
}

func TestSealedMemfd(t *testing.T) {
	exe := copyOfSelf(t)
	fd, err := openSealedMemfd(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	checkGuarded(t, fd, exe, unix.EPERM)
}

func TestPathAboveInheritedFds(t *testing.T) {
	p, err := Path(40)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p[len("/proc/self/fd/"):])
	if err != nil || n < 83 {
		t.Fatalf("Path(40) = %q: the handle must be above fd 82", p)
	}
	if Mode() == "" {
		t.Fatal("Mode is empty after Path")
	}
	out, err := exec.Command(p, "-test.run=^$").CombinedOutput()
	if err != nil {
		t.Fatalf("execute %s: %v: %s", p, err, out)
	}
}

// The per-start cost of each protection, without the rest of a start.
func BenchmarkReadonlyMount(b *testing.B) {
	for b.Loop() {
		fd, err := openReadonlyMount("/proc/self/exe")
		if err != nil {
			b.Skip(err)
		}
		unix.Close(fd)
	}
}

func BenchmarkSealedMemfd(b *testing.B) {
	for b.Loop() {
		fd, err := openSealedMemfd("/proc/self/exe")
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
	}
}
