package cachedir

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// FromEnv is the cache directory the environment variable env names: def
// when it is unset or empty, "" (no cache) when it is "off".
func FromEnv(env, def string) string {
	switch d := os.Getenv(env); d {
	case "":
		return def
	case "off":
		return ""
	default:
		return d
	}
}

// RootOnly refuses a file or directory that someone other than root could
// have written: another owner, or group or other write permission.
func RootOnly(st *unix.Stat_t, what string) error {
	if st.Uid != 0 || st.Mode&0o022 != 0 {
		return fmt.Errorf("%s is owned by uid %d with mode %#o: not root's alone, not used", what, st.Uid, st.Mode&0o7777)
	}
	return nil
}

// CheckDir accepts dir only if it is a directory (not a symlink to one)
// that only root can write.
func CheckDir(dir string) error {
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return &os.PathError{Op: "stat", Path: dir, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return RootOnly(&st, dir)
}

// Trim removes the oldest regular files of dir (by mtime) until at most max
// are left, never keep. It reports whether it removed anything. A process
// that already opened a removed entry goes on with it.
func Trim(dir string, max int, keep string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= max {
		return false
	}
	type aged struct {
		name  string
		mtime int64
	}
	var all []aged
	kept := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if e.Name() == keep {
			kept = 1
			continue
		}
		all = append(all, aged{e.Name(), info.ModTime().UnixNano()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mtime < all[j].mtime })
	removed := false
	for i := 0; i < len(all)-(max-kept); i++ {
		os.Remove(filepath.Join(dir, all[i].name))
		removed = true
	}
	return removed
}
