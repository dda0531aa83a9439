package cgroups

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attachedIDs lists the ids of the device programs attached to cgroup d.
func attachedIDs(t *testing.T, d string) []uint32 {
	t.Helper()
	fd, err := unix.Open(d, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	progs, err := attachedDevicePrograms(fd)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint32
	for _, p := range progs {
		var info progInfo
		attr := objInfoAttr{bpfFd: uint32(p), infoLen: uint32(unsafe.Sizeof(info)), info: uint64(uintptr(unsafe.Pointer(&info)))}
		if err := bpf(unix.BPF_OBJ_GET_INFO_BY_FD, unsafe.Pointer(&attr), unsafe.Sizeof(attr)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.id)
		unix.Close(p)
	}
	return ids
}

// subCgroup makes the cgroup base/name (removed with base).
func subCgroup(t *testing.T, base, name string) string {
	t.Helper()
	d := filepath.Join(base, name)
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func oneID(t *testing.T, d string) uint32 {
	t.Helper()
	ids := attachedIDs(t, d)
	if len(ids) != 1 {
		t.Fatalf("%s has %d device programs attached, want 1", d, len(ids))
	}
	return ids[0]
}

// The second container with the same rules gets the first one's program,
// kept alive by the cache's cgroup after the first container's is gone.
func TestDeviceFilterCacheReusesTheProgram(t *testing.T) {
	base := tempCgroup2(t)
	cache := filepath.Join(base, deviceCacheName)
	rules := []DeviceRule{{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}, {true, 'c', 136, -1, "rw"}}
	code := encodeInsns(deviceProgram(rules))

	first := subCgroup(t, base, "first")
	if err := attachDeviceFilter(first, rules, cache); err != nil {
		t.Fatal(err)
	}
	id := oneID(t, first)
	entry := filepath.Join(cache, deviceProgramKey(code))
	if got := oneID(t, entry); got != id {
		t.Fatalf("the cache holds program %d, the container has %d", got, id)
	}
	if err := unix.Rmdir(first); err != nil {
		t.Fatal(err)
	}

	second := subCgroup(t, base, "second")
	if err := attachDeviceFilter(second, rules, cache); err != nil {
		t.Fatal(err)
	}
	if got := oneID(t, second); got != id {
		t.Fatalf("second container got program %d, want the cached %d", got, id)
	}

	// Other rules: another program, another entry.
	other := subCgroup(t, base, "other")
	if err := attachDeviceFilter(other, rules[:2], cache); err != nil {
		t.Fatal(err)
	}
	if got := oneID(t, other); got == id {
		t.Fatal("other rules got the same program")
	}
}

// A program planted under the right name is not used: only a program
// whose instructions are berth's own is, and the entry is taken back.
func TestDeviceFilterCacheIgnoresAPlantedProgram(t *testing.T) {
	base := tempCgroup2(t)
	cache := filepath.Join(base, deviceCacheName)
	rules := []DeviceRule{{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}}
	code := encodeInsns(deviceProgram(rules))
	entry := filepath.Join(cache, deviceProgramKey(code))
	if err := os.MkdirAll(entry, 0o755); err != nil {
		t.Fatal(err)
	}
	allowAll := []DeviceRule{{true, 'a', -1, -1, "rwm"}}
	if err := attachDeviceFilter(entry, allowAll, ""); err != nil {
		t.Fatal(err)
	}
	planted := oneID(t, entry)

	d := subCgroup(t, base, "ctr")
	if err := attachDeviceFilter(d, rules, cache); err != nil {
		t.Fatal(err)
	}
	id := oneID(t, d)
	if id == planted {
		t.Fatal("the planted allow-all program was attached to the container")
	}
	// The planted one was attached with BPF_F_ALLOW_MULTI, so berth's
	// could not replace it: the entry is removed instead.
	if _, err := os.Stat(entry); err == nil {
		if got := attachedIDs(t, entry); len(got) != 1 || got[0] != id {
			t.Fatalf("cache entry holds %v, want only berth's program %d", got, id)
		}
	}
}

func TestDeviceFilterCacheOff(t *testing.T) {
	t.Setenv(deviceCacheEnv, "off")
	if d := deviceCacheDir("/sys/fs/cgroup"); d != "" {
		t.Fatalf("deviceCacheDir with %s=off = %q, want none", deviceCacheEnv, d)
	}
	t.Setenv(deviceCacheEnv, "")
	if d := deviceCacheDir("/sys/fs/cgroup"); d != "/sys/fs/cgroup/"+deviceCacheName {
		t.Fatalf("deviceCacheDir = %q", d)
	}
}

func TestDeviceFilterCacheTrims(t *testing.T) {
	base := tempCgroup2(t)
	cache := filepath.Join(base, deviceCacheName)
	d := subCgroup(t, base, "ctr")
	var last string
	for i := 0; i <= maxCachedDevicePrograms; i++ {
		rules := []DeviceRule{{true, 'c', 1, int64(i), "rwm"}}
		if err := attachDeviceFilter(d, rules, cache); err != nil {
			t.Fatal(err)
		}
		last = deviceProgramKey(encodeInsns(deviceProgram(rules)))
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 || names[0] != last {
		t.Fatalf("after %d programs the cache holds %v, want only the newest %s", maxCachedDevicePrograms+1, names, last)
	}
}
