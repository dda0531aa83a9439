package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Config is what Prepare needs to build the filesystem view.
type Config struct {
	Spec   *specs.Spec
	Rootfs string // absolute host path of root.path
	Bundle string // relative bind sources are relative to it
	UserNS bool   // device nodes cannot be created, only bind-mounted
	// Cgroups describes the container's cgroups for "cgroup" mounts.
	Cgroups *CgroupView
}

func procFd(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// Prepare runs in the init, in its new mount namespace, before pivot_root.
func Prepare(c *Config) error {
	prop := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if p := c.Spec.Linux.RootfsPropagation; p != "" {
		var ok bool
		if prop, ok = propagationOpts[p]; !ok {
			return fmt.Errorf("rootfsPropagation: unknown value %q", p)
		}
	}
	// Nothing the container mounts may propagate back to the host; a
	// "shared" rootfsPropagation is applied to the rootfs alone below.
	hostProp := prop
	if prop&unix.MS_SHARED != 0 {
		hostProp = unix.MS_SLAVE | unix.MS_REC
	}
	if err := unix.Mount("", "/", "", hostProp, ""); err != nil {
		return fmt.Errorf("make the mount tree %s: %w", propName(hostProp), err)
	}
	if err := unix.Mount(c.Rootfs, c.Rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %q onto itself: %w", c.Rootfs, err)
	}
	if prop&unix.MS_SHARED != 0 {
		// pivot_root refuses a new root whose parent mount is shared.
		if err := makeParentPrivate(c.Rootfs); err != nil {
			return err
		}
		if err := unix.Mount("", c.Rootfs, "", prop, ""); err != nil {
			return fmt.Errorf("make rootfs %q %s: %w", c.Rootfs, propName(prop), err)
		}
	}
	root, err := os.OpenFile(c.Rootfs, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %q: %w", c.Rootfs, err)
	}
	defer root.Close()

	setupDev := true
	for _, m := range c.Spec.Mounts {
		if err := mountEntry(root, c, m); err != nil {
			return err
		}
		if filepath.Clean(m.Destination) == "/dev" && isBindMount(m) {
			setupDev = false // the user brought their own /dev
		}
	}
	if setupDev {
		if err := createDevices(root, c); err != nil {
			return err
		}
	}
	return nil
}

func propName(p uintptr) string {
	for n, v := range propagationOpts {
		if v == p {
			return n
		}
	}
	return fmt.Sprintf("propagation %#x", p)
}

func makeParentPrivate(rootfs string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.ParentsFilter(filepath.Dir(rootfs)))
	if err != nil {
		return fmt.Errorf("read mountinfo: %w", err)
	}
	best := "/"
	for _, m := range mounts {
		if len(m.Mountpoint) > len(best) {
			best = m.Mountpoint
		}
	}
	if err := unix.Mount("", best, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make %q (parent mount of the rootfs) private: %w", best, err)
	}
	return nil
}

func isBindMount(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// openDest creates dest inside root (a directory, or an empty file when
// asFile) and returns an O_PATH handle on it, resolved in root.
func openDest(root *os.File, dest string, asFile bool) (*os.File, error) {
	if !asFile {
		return pathrs.MkdirAllHandle(root, dest, 0o755)
	}
	dir, err := pathrs.MkdirAllHandle(root, filepath.Dir(dest), 0o755)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	base := filepath.Base(dest)
	if err := unix.Mknodat(int(dir.Fd()), base, unix.S_IFREG|0o644, 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, err
	}
	return pathrs.OpenatInRoot(root, dest)
}

// resolveDest is the destination as the kernel would see it under root.
func destIn(m specs.Mount) string {
	d := m.Destination
	if !filepath.IsAbs(d) {
		d = "/" + d
	}
	return filepath.Clean(d)
}

func mountEntry(root *os.File, c *Config, m specs.Mount) error {
	dest := destIn(m)
	bind := isBindMount(m)
	o, err := ParseOptions(m.Options, m.Type == "bind")
	if err != nil {
		return fmt.Errorf("mount %q: %w", m.Destination, err)
	}
	if bind {
		return bindEntry(root, c, m, dest, o)
	}
	if m.Type == "" {
		return fmt.Errorf("mount %q: no filesystem type given", m.Destination)
	}
	fstype := m.Type
	if fstype == "cgroup" || fstype == "cgroup2" {
		return mountCgroup(root, c, m, dest, o)
	}
	target, err := openDest(root, dest, false)
	if err != nil {
		return fmt.Errorf("mount %s on %q: create the destination in the rootfs: %w", m.Type, m.Destination, err)
	}
	defer target.Close()
	if fstype == "proc" || fstype == "sysfs" {
		// Mounting proc or sys on a destination that is a symlink would
		// mount them wherever the image's link points.
		if err := checkNotSymlink(root, dest); err != nil {
			return fmt.Errorf("mount %s on %q: %w", m.Type, m.Destination, err)
		}
	}
	flags := o.Flags &^ unix.MS_REMOUNT
	if err := unix.Mount(m.Source, procFd(target), fstype, flags, strings.Join(o.Data, ",")); err != nil {
		return fmt.Errorf("mount %s %q on %q (options %s): %w", m.Type, m.Source, m.Destination, strings.Join(m.Options, ","), err)
	}
	return finishMount(root, m, dest, o)
}

func checkNotSymlink(root *os.File, dest string) error {
	dir, err := pathrs.OpenatInRoot(root, filepath.Dir(dest))
	if err != nil {
		return err
	}
	defer dir.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(dir.Fd()), filepath.Base(dest), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return errors.New("destination is a symlink in the rootfs")
	}
	return nil
}

func bindEntry(root *os.File, c *Config, m specs.Mount, dest string, o Options) error {
	src := m.Source
	if !filepath.IsAbs(src) {
		src = filepath.Join(c.Bundle, src)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind mount %q on %q: source: %w", m.Source, m.Destination, err)
	}
	target, err := openDest(root, dest, !fi.IsDir())
	if err != nil {
		return fmt.Errorf("bind mount %q on %q: create the destination in the rootfs: %w", m.Source, m.Destination, err)
	}
	defer target.Close()
	flags := uintptr(unix.MS_BIND)
	if o.Recursive {
		flags |= unix.MS_REC
	}
	if err := unix.Mount(src, procFd(target), "", flags, ""); err != nil {
		return fmt.Errorf("bind mount %q on %q: %w", m.Source, m.Destination, err)
	}
	if o.Flags&^unix.MS_REMOUNT != 0 || o.ClearFlags != 0 {
		// Flags on a bind take a second, remounting call.
		top, err := pathrs.OpenatInRoot(root, dest)
		if err != nil {
			return fmt.Errorf("bind mount %q on %q: reopen: %w", m.Source, m.Destination, err)
		}
		defer top.Close()
		if err := remountBind(top, o.Flags&^unix.MS_REMOUNT, o.ClearFlags); err != nil {
			return fmt.Errorf("bind mount %q on %q: remount with %s: %w", m.Source, m.Destination, strings.Join(m.Options, ","), err)
		}
	}
	return finishMount(root, m, dest, o)
}

// remountBind changes a bind mount's flags. Flags the mount already has and
// that the caller did not clear are kept: in a user namespace the kernel
// refuses a remount that would drop a locked nosuid, nodev or noexec.
func remountBind(f *os.File, set, clr uintptr) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return err
	}
	keep := uintptr(0)
	for _, fl := range []struct{ st, ms uintptr }{
		{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV}, {unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME},
		{unix.ST_RDONLY, unix.MS_RDONLY},
	} {
		if uintptr(st.Flags)&fl.st != 0 {
			keep |= fl.ms
		}
	}
	flags := (keep | set) &^ clr
	return unix.Mount("", procFd(f), "", unix.MS_BIND|unix.MS_REMOUNT|flags, "")
}

func finishMount(root *os.File, m specs.Mount, dest string, o Options) error {
	if len(o.Propagation) == 0 && o.AttrSet == 0 && o.AttrClr == 0 {
		return nil
	}
	top, err := pathrs.OpenatInRoot(root, dest)
	if err != nil {
		return fmt.Errorf("mount %q: reopen: %w", m.Destination, err)
	}
	defer top.Close()
	for _, p := range o.Propagation {
		if err := unix.Mount("", procFd(top), "", p, ""); err != nil {
			return fmt.Errorf("mount %q: set %s: %w", m.Destination, propName(p), err)
		}
	}
	if o.AttrSet != 0 || o.AttrClr != 0 {
		attr := &unix.MountAttr{Attr_set: o.AttrSet, Attr_clr: o.AttrClr}
		if o.AttrClr&unix.MOUNT_ATTR__ATIME != 0 || o.AttrSet&unix.MOUNT_ATTR__ATIME != 0 {
			attr.Attr_clr |= unix.MOUNT_ATTR__ATIME
		}
		if err := unix.MountSetattr(int(top.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
			return fmt.Errorf("mount %q: set recursive attributes: %w", m.Destination, err)
		}
	}
	return nil
}
