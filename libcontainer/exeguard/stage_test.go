package exeguard

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// needStage skips when this test binary embeds no stage: only make puts
// one in (libcontainer/exeguard/bin), and `make unit` does.
func needStage(t *testing.T) (string, int64) {
	t.Helper()
	name, size, err := embeddedStage()
	if errors.Is(err, ErrNoStage) {
		t.Skip("this test binary embeds no standalone stage: built without make")
	}
	if err != nil {
		t.Fatal(err)
	}
	return name, size
}

// checkStage: the handle executes the stage (which, started without the
// runtime's sync socket, says so and exits 2) and cannot be written
// through.
func checkStage(t *testing.T, fd int, wantErr error) {
	t.Helper()
	p := writeThrough(t, fd, wantErr)
	out, err := exec.Command(p).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "only berth starts it") {
		t.Errorf("execute %s: %v: %q, want exit status 2 and the stage's message", p, err, out)
	}
}

// openChecked opens the stage with dir as its cache, expects it guarded
// as want, and checks it (checkStage: a read-only mount refuses writes
// with EROFS, a sealed memfd with EPERM).
func openChecked(t *testing.T, dir string, want Kind) {
	t.Helper()
	fd, kind, err := openStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if kind != want {
		t.Fatalf("kind %q, want %q", kind, want)
	}
	wantErr := unix.EROFS
	if want == SealedMemfd {
		wantErr = unix.EPERM
	}
	checkStage(t, fd, wantErr)
}

func TestStageInstalledOnceAndGuarded(t *testing.T) {
	name, size := needStage(t)
	dir := filepath.Join(t.TempDir(), "stage")
	openChecked(t, dir, ReadonlyMount)
	path := filepath.Join(dir, name)
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 || st.Mode&0o7777 != 0o555 || st.Size != size {
		t.Fatalf("%s: uid %d mode %#o size %d, want root's, 0555, %d bytes", path, st.Uid, st.Mode&0o7777, st.Size, size)
	}
	if err := unix.Stat(dir, &st); err != nil || st.Mode&0o7777 != 0o700 {
		t.Fatalf("%s: mode %#o (%v), want 0700", dir, st.Mode&0o7777, err)
	}
	// A second start uses the same file: it is not written again.
	before := st
	unix.Stat(path, &before)
	fd2, _, err := openStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd2)
	var after unix.Stat_t
	unix.Stat(path, &after)
	if after.Ino != before.Ino || after.Mtim != before.Mtim {
		t.Fatalf("the installed stage was written again")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d entries in %s, want the stage alone", len(entries), dir)
	}
}

// A damaged, or someone else's, stage is replaced, never executed.
func TestStageReplacedWhenNotTrusted(t *testing.T) {
	name, _ := needStage(t)
	for _, tc := range []struct {
		name  string
		setup func(path string) error
	}{
		{"truncated", func(p string) error { return os.WriteFile(p, []byte("#!/bin/sh\n"), 0o555) }},
		{"writable by others", func(p string) error {
			if err := os.WriteFile(p, make([]byte, stageSize(t)), 0o777); err != nil {
				return err
			}
			return os.Chmod(p, 0o777)
		}},
		{"owned by another user", func(p string) error {
			if err := os.WriteFile(p, make([]byte, stageSize(t)), 0o555); err != nil {
				return err
			}
			return os.Chown(p, 1000, 1000)
		}},
		{"a symlink", func(p string) error { return os.Symlink("/bin/sh", p) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Chmod(dir, 0o700)
			path := filepath.Join(dir, name)
			if err := tc.setup(path); err != nil {
				t.Fatal(err)
			}
			openChecked(t, dir, ReadonlyMount)
			var st unix.Stat_t
			if err := unix.Lstat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Uid != 0 || st.Mode&0o7777 != 0o555 {
				t.Fatalf("%s was not replaced: mode %#o uid %d (%v)", path, st.Mode, st.Uid, err)
			}
		})
	}
}

func stageSize(t *testing.T) int {
	_, size, err := embeddedStage()
	if err != nil {
		t.Fatal(err)
	}
	return int(size)
}

// Where the cache cannot be trusted or executed from, or is off, every
// start gets a sealed memfd copy of the stage instead.
func TestStageFallsBackToSealedMemfd(t *testing.T) {
	needStage(t)
	open := func(t *testing.T, dir string) {
		t.Helper()
		openChecked(t, dir, SealedMemfd)
	}
	t.Run("off", func(t *testing.T) { open(t, "") })
	t.Run("directory writable by others", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		open(t, dir)
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("something was installed in a directory others can write")
		}
	})
	t.Run("noexec mount", func(t *testing.T) {
		dir := t.TempDir()
		if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOEXEC, "mode=0700"); err != nil {
			t.Skipf("cannot mount a tmpfs here (needs CAP_SYS_ADMIN): %v", err)
		}
		defer unix.Unmount(dir, unix.MNT_DETACH)
		open(t, dir)
	})
}

func TestStageCacheDirEnv(t *testing.T) {
	t.Setenv(StageCacheEnv, "")
	if d := StageCacheDir(); d != DefaultStageCacheDir {
		t.Errorf("unset: %q", d)
	}
	t.Setenv(StageCacheEnv, "off")
	if d := StageCacheDir(); d != "" {
		t.Errorf("off: %q", d)
	}
	t.Setenv(StageCacheEnv, "/x/y")
	if d := StageCacheDir(); d != "/x/y" {
		t.Errorf("/x/y: %q", d)
	}
}
