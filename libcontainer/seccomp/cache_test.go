package seccomp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func cacheProfile() *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "exit_group", "openat", "mkdir"}, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
		},
	}
}

func sameFilter(t *testing.T, what string, got, want *Filter) {
	t.Helper()
	if got == nil || want == nil || !bytes.Equal(got.Program, want.Program) || got.Flags != want.Flags || got.Notify != want.Notify {
		t.Fatalf("%s: filter %+v differs from Compile's %+v", what, got, want)
	}
}

// The only entry of dir.
func onlyEntry(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache %s: %v entries, err %v; want one", dir, entries, err)
	}
	return filepath.Join(dir, entries[0].Name())
}

func TestCompileCachedReadsWhatItWrote(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the cache trusts only root's files: run as root")
	}
	dir := filepath.Join(t.TempDir(), "cache")
	want, err := Compile(cacheProfile())
	if err != nil {
		t.Fatal(err)
	}
	first, err := CompileCached(cacheProfile(), dir)
	if err != nil {
		t.Fatal(err)
	}
	sameFilter(t, "first call", first, want)
	entry := onlyEntry(t, dir)
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %v (%v), want 0700", st.Mode(), err)
	}
	// The second call must come from the entry: make the entry's program
	// differ (and re-hash it) and see the difference come back.
	b, _ := os.ReadFile(entry)
	f, err := decodeEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	f.Program = append(f.Program[:len(f.Program):len(f.Program)], f.Program[len(f.Program)-insnSize:]...)
	if err := os.WriteFile(entry, encodeEntry(f), 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := CompileCached(cacheProfile(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Program) != len(want.Program)+insnSize {
		t.Fatalf("second call did not read the cache entry (%d bytes, compiled %d)", len(second.Program), len(want.Program))
	}
	if second.Flags != want.Flags {
		t.Errorf("flags from a cached entry: %#x, want %#x", second.Flags, want.Flags)
	}
	// Another profile is another entry.
	other := cacheProfile()
	other.Syscalls[0].Names = append(other.Syscalls[0].Names, "rmdir")
	if _, err := CompileCached(other, dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d entries after a second profile, want 2", len(entries))
	}
}

func TestCompileCachedDistrustsBadEntries(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the cache trusts only root's files: run as root")
	}
	want, err := Compile(cacheProfile())
	if err != nil {
		t.Fatal(err)
	}
	damage := map[string]func(path string) error{
		"a flipped byte": func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)-3] ^= 0x40
			return os.WriteFile(p, b, 0o600)
		},
		"truncated": func(p string) error { return os.Truncate(p, int64(len(cacheMagic)+10)) },
		"writable by others": func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f, err := decodeEntry(b)
			if err != nil {
				return err
			}
			f.Program = f.Program[:len(f.Program)-insnSize] // valid, but wrong
			if err := os.WriteFile(p, encodeEntry(f), 0o600); err != nil {
				return err
			}
			return os.Chmod(p, 0o666)
		},
		"a symlink": func(p string) error {
			other := p + ".real"
			if err := os.Rename(p, other); err != nil {
				return err
			}
			return os.Symlink(other, p)
		},
	}
	for name, hurt := range damage {
		dir := filepath.Join(t.TempDir(), "cache")
		if _, err := CompileCached(cacheProfile(), dir); err != nil {
			t.Fatal(err)
		}
		entry := onlyEntry(t, dir)
		if err := hurt(entry); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := CompileCached(cacheProfile(), dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameFilter(t, name, got, want)
		// The entry is replaced with a good one.
		if _, err := readEntry(entry); err != nil {
			t.Errorf("%s: the entry was not rewritten: %v", name, err)
		}
	}
}

func TestCompileCachedSkipsAnUntrustedDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the cache trusts only root's files: run as root")
	}
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777) // past the umask
	want, _ := Compile(cacheProfile())
	got, err := CompileCached(cacheProfile(), dir)
	if err != nil {
		t.Fatal(err)
	}
	sameFilter(t, "untrusted dir", got, want)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %d entries into a directory others can write", len(entries))
	}
}

func TestCompileCachedReportsProfileErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	bad := cacheProfile()
	bad.Syscalls[0].Action = "SCMP_ACT_NOPE"
	if _, err := CompileCached(bad, dir); err == nil || !strings.Contains(err.Error(), `unknown action "SCMP_ACT_NOPE"`) {
		t.Errorf("bad profile: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a bad profile created the cache dir (%v)", err)
	}
	if f, err := CompileCached(nil, dir); f != nil || err != nil {
		t.Errorf("nil profile: %v %v", f, err)
	}
}

func TestCacheDirFromEnv(t *testing.T) {
	t.Setenv(CacheEnv, "")
	if CacheDir() != DefaultCacheDir {
		t.Errorf("unset: %q", CacheDir())
	}
	t.Setenv(CacheEnv, "off")
	if CacheDir() != "" {
		t.Errorf("off: %q", CacheDir())
	}
	t.Setenv(CacheEnv, "/x/y")
	if CacheDir() != "/x/y" {
		t.Errorf("/x/y: %q", CacheDir())
	}
}
