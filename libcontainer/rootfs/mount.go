package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Config is what Prepare needs to build the filesystem view.
type Config struct {
	Spec   *specs.Spec
	Rootfs string // absolute host path of root.path
	Bundle string // relative bind sources are relative to it
	UserNS bool   // device nodes cannot be created, only bind-mounted
	// IDMapTrees are the detached, idmapped trees the runtime made for
	// the idmap/ridmap entries of Spec.Mounts, by index (see IDMappedTree).
	IDMapTrees map[int]*os.File
	// Cgroups describes the container's cgroups for "cgroup" mounts.
	Cgroups *CgroupView
}

func procFd(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// Propagations returns the propagation for the host's mount tree in the
// container's mount namespace (applied before anything is mounted) and the
// rootfsPropagation asked for. Nothing the container mounts may propagate
// back to the host: a shared rootfsPropagation makes the tree rslave and is
// applied to the rootfs alone after pivot_root (SharedRoot), since
// pivot_root refuses a shared new root.
func Propagations(s *specs.Spec) (host, root uintptr, err error) {
	root = unix.MS_SLAVE | unix.MS_REC
	if p := s.Linux.RootfsPropagation; p != "" {
		var ok bool
		if root, ok = propagationOpts[p]; !ok {
			return 0, 0, fmt.Errorf("rootfsPropagation: unknown value %q", p)
		}
	}
	host = root
	if root&unix.MS_SHARED != 0 {
		host = unix.MS_SLAVE | unix.MS_REC
	}
	return host, root, nil
}

// OwnDev reports whether the config binds its own /dev, in which case the
// runtime creates no device nodes.
func OwnDev(s *specs.Spec) bool {
	for _, m := range s.Mounts {
		if filepath.Clean(m.Destination) == "/dev" && IsBindMount(m) {
			return true
		}
	}
	return false
}

// Prepare runs in the init, in its new mount namespace, before pivot_root.
func Prepare(c *Config) error {
	hostProp, _, err := Propagations(c.Spec)
	if err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", hostProp, ""); err != nil {
		return fmt.Errorf("make the mount tree %s: %w", PropagationName(hostProp), err)
	}
	if err := unix.Mount(c.Rootfs, c.Rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %q onto itself: %w", c.Rootfs, err)
	}
	// A shared rootfsPropagation is applied after pivot_root
	// (SharedRoot): pivot_root refuses a shared new root.
	root, err := os.OpenFile(c.Rootfs, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %q: %w", c.Rootfs, err)
	}
	defer root.Close()

	for i, m := range c.Spec.Mounts {
		if err := mountEntry(root, c, i, m); err != nil {
			return err
		}
	}
	if !OwnDev(c.Spec) {
		if err := createDevices(root, c); err != nil {
			return err
		}
	}
	return nil
}

// SharedRoot applies a shared or rshared rootfsPropagation to the
// container's / once pivot_root is done; other values were applied by
// Prepare.
func SharedRoot(s *specs.Spec) error {
	p := propagationOpts[s.Linux.RootfsPropagation]
	if p&unix.MS_SHARED == 0 {
		return nil
	}
	f, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	attr := &unix.MountAttr{Propagation: unix.MS_SHARED}
	flags := uint(unix.AT_EMPTY_PATH)
	if p&unix.MS_REC != 0 {
		flags |= unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(int(f.Fd()), "", flags, attr); err != nil {
		return fmt.Errorf("rootfsPropagation %q: %w", s.Linux.RootfsPropagation, err)
	}
	return nil
}

// PropagationName names propagation flags for messages.
func PropagationName(p uintptr) string {
	for n, v := range propagationOpts {
		if v == p {
			return n
		}
	}
	return fmt.Sprintf("propagation %#x", p)
}

// IsBindMount reports whether m is a bind mount (type or option).
func IsBindMount(m specs.Mount) bool {
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

// DestIn is the destination as an absolute, clean path under root.
func DestIn(m specs.Mount) string {
	d := m.Destination
	if !filepath.IsAbs(d) {
		d = "/" + d
	}
	return filepath.Clean(d)
}

func mountEntry(root *os.File, c *Config, idx int, m specs.Mount) error {
	dest := DestIn(m)
	bind := IsBindMount(m)
	o, err := ParseOptions(m.Options, m.Type == "bind")
	if err != nil {
		return fmt.Errorf("mount %q: %w", m.Destination, err)
	}
	if o.IDMap {
		return idmapEntry(root, c, idx, m, dest, o)
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
	flags := o.Flags &^ unix.MS_REMOUNT
	target, err := openTarget(root, dest, false)
	if err != nil {
		return fmt.Errorf("mount %s on %q: %w", m.Type, m.Destination, err)
	}
	defer target.Close()
	if err := checkProcDest(c, target, fstype == "proc", false); err != nil {
		return fmt.Errorf("mount %s on %q: %w", m.Type, m.Destination, err)
	}
	if err := unix.Mount(m.Source, procFd(target), fstype, flags, strings.Join(o.Data, ",")); err != nil {
		return fmt.Errorf("mount %s %q on %q (options %s): %w", m.Type, m.Source, m.Destination, strings.Join(m.Options, ","), err)
	}
	return finishMount(root, m, dest, o)
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
	target, err := openTarget(root, dest, !fi.IsDir())
	if err != nil {
		return fmt.Errorf("bind mount %q on %q: %w", m.Source, m.Destination, err)
	}
	defer target.Close()
	if err := checkProcDest(c, target, isProcfs(src), true); err != nil {
		return fmt.Errorf("bind mount %q on %q: %w", m.Source, m.Destination, err)
	}
	flags := uintptr(unix.MS_BIND)
	if o.Recursive {
		flags |= unix.MS_REC
	}
	if err := unix.Mount(src, procFd(target), "", flags, ""); err != nil {
		return fmt.Errorf("bind mount %q on %q: %w", m.Source, m.Destination, err)
	}
	return finishBind(root, m, dest, o)
}

// finishBind applies a bind mount's flags, which take a second, remounting
// call, then its propagation and recursive attributes.
func finishBind(root *os.File, m specs.Mount, dest string, o Options) error {
	if o.Flags&^unix.MS_REMOUNT != 0 || o.ClearFlags != 0 {
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
	// Without an atime flag a remount keeps the mount's atime mode, so
	// "atime" (drop noatime) or "norelatime" would change nothing: say
	// which mode is meant (relatime is the kernel's default; norelatime
	// asks for the other, strictatime).
	const atimeFlags = unix.MS_NOATIME | unix.MS_RELATIME | unix.MS_STRICTATIME
	if (set|clr)&atimeFlags != 0 && flags&atimeFlags == 0 {
		if clr&unix.MS_RELATIME != 0 {
			flags |= unix.MS_STRICTATIME
		} else {
			flags |= unix.MS_RELATIME
		}
	}
	return unix.Mount("", procFd(f), "", unix.MS_BIND|unix.MS_REMOUNT|flags, "")
}

func finishMount(root *os.File, m specs.Mount, dest string, o Options) error {
	if len(o.Propagation) == 0 && o.AttrSet == 0 && o.AttrClr == 0 && !o.HasRecAtime {
		return nil
	}
	top, err := pathrs.OpenatInRoot(root, dest)
	if err != nil {
		return fmt.Errorf("mount %q: reopen: %w", m.Destination, err)
	}
	defer top.Close()
	for _, p := range o.Propagation {
		if err := unix.Mount("", procFd(top), "", p, ""); err != nil {
			return fmt.Errorf("mount %q: set %s: %w", m.Destination, PropagationName(p), err)
		}
	}
	if o.AttrSet != 0 || o.AttrClr != 0 || o.HasRecAtime {
		attr := &unix.MountAttr{Attr_set: o.AttrSet, Attr_clr: o.AttrClr}
		if o.HasRecAtime {
			// The atime mode is replaced as a whole.
			attr.Attr_clr |= unix.MOUNT_ATTR__ATIME
			attr.Attr_set |= o.RecAtime
		}
		if err := unix.MountSetattr(int(top.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
			return fmt.Errorf("mount %q: set recursive attributes: %w", m.Destination, err)
		}
	}
	return nil
}
