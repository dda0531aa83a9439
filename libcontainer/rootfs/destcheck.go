package rootfs

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cyphar/filepath-securejoin/pathrs-lite/procfs"
	"golang.org/x/sys/unix"
)

// topDirs are destinations whose entry in the image must be a real
// directory. Other destinations may be symlinks, resolved inside the root;
// a symlinked /proc, /sys or /dev is refused outright: following it, even
// inside the root, would put procfs, sysfs or the device nodes where the
// image chose, and every later step (masking, sysctl, console) would then
// act on the image's files (the classes of CVE-2023-27561, CVE-2023-28642
// and CVE-2026-41579).
var topDirs = map[string]bool{"/proc": true, "/sys": true, "/dev": true}

// lxcfsFiles are the only paths inside /proc that may be mount
// destinations: the files lxcfs emulates, bind-mounted over procfs's.
// Anything else under /proc could hide or redirect a file that the
// runtime or the kernel's own interfaces rely on (CVE-2019-19921).
var lxcfsFiles = map[string]bool{
	"/proc/cpuinfo":   true,
	"/proc/diskstats": true,
	"/proc/loadavg":   true,
	"/proc/meminfo":   true,
	"/proc/slabinfo":  true,
	"/proc/stat":      true,
	"/proc/swaps":     true,
	"/proc/uptime":    true,
}

// openTarget returns an O_PATH handle on a mount destination, creating it
// (a directory, or an empty file when asFile) inside root.
func openTarget(root *os.File, dest string, asFile bool) (*os.File, error) {
	if topDirs[dest] {
		return openTopDir(root, dest)
	}
	f, err := openDest(root, dest, asFile)
	if err != nil {
		if errors.Is(err, unix.EROFS) {
			// The common cause: an image mounted read-only (or an
			// overlay lower dir) that lacks the mount point.
			return nil, fmt.Errorf("create the destination in the rootfs: %w (the rootfs is read-only: add %s to the image, or give a writable rootfs)", err, dest)
		}
		return nil, fmt.Errorf("create the destination in the rootfs: %w", err)
	}
	return f, nil
}

// openTopDir opens /proc, /sys or /dev directly below root, never through
// a symlink: O_NOFOLLOW makes the open itself refuse one, so no check can
// be raced by swapping the entry afterwards.
func openTopDir(root *os.File, dest string) (*os.File, error) {
	name := strings.TrimPrefix(dest, "/")
	for try := 0; ; try++ {
		fd, err := unix.Openat(int(root.Fd()), name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == nil {
			return os.NewFile(uintptr(fd), dest), nil
		}
		if errors.Is(err, unix.ENOENT) && try == 0 {
			if err := unix.Mkdirat(int(root.Fd()), name, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
				return nil, fmt.Errorf("create %s in the rootfs: %w", dest, err)
			}
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(int(root.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return nil, fmt.Errorf("%s in the rootfs is a symlink: refusing to follow it", dest)
		}
		return nil, fmt.Errorf("open %s in the rootfs: %w", dest, err)
	}
}

// checkProcDest refuses a destination that resolved to /proc or into a
// procfs, unless it is a procfs on /proc itself or a bind of one of
// lxcfsFiles. The check looks at where the handle really is (its path read
// back from /proc/self/fd and its filesystem type), not at the string in
// the config, so a symlink elsewhere in the image pointing at /proc is
// caught too.
func checkProcDest(c *Config, target *os.File, isProc, bind bool) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(target.Fd()), &st); err != nil {
		return fmt.Errorf("statfs the destination: %w", err)
	}
	p, err := procfs.ProcSelfFdReadlink(target)
	if err != nil {
		return fmt.Errorf("read back the destination's path: %w", err)
	}
	rel, ok := strings.CutPrefix(p, c.Rootfs)
	if !ok || (rel != "" && rel[0] != '/') {
		return fmt.Errorf("the destination resolved to %q, outside the rootfs", p)
	}
	onProc := st.Type == unix.PROC_SUPER_MAGIC
	switch {
	case rel == "/proc":
		if !isProc {
			return errors.New("only a procfs may be mounted on /proc: a fake /proc would receive the writes meant for the kernel (CVE-2019-16884)")
		}
	case onProc || strings.HasPrefix(rel, "/proc/"):
		if !bind || !lxcfsFiles[rel] {
			names := make([]string, 0, len(lxcfsFiles))
			for n := range lxcfsFiles {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("the destination resolves to %s, inside /proc: only bind mounts over %s may go there (CVE-2019-19921)", rel, strings.Join(names, ", "))
		}
	}
	return nil
}

func isProcfs(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.PROC_SUPER_MAGIC
}
