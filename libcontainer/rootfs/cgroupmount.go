package rootfs

import (
	"fmt"
	"os"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// CgroupView is what the init needs to mount a "cgroup" entry the way the
// host has its cgroups: the container's own cgroup in each hierarchy, by
// host path (the init still sees the host's /sys/fs/cgroup before
// pivot_root).
type CgroupView struct {
	// V1 lists the host's v1 hierarchies; empty on a pure cgroup v2 host.
	V1 []CgroupV1 `json:"v1,omitempty"`
	// Unified is the container's cgroup2 directory, "" without one.
	Unified string `json:"unified,omitempty"`
}

// CgroupV1 is one v1 hierarchy: the name of its directory under
// /sys/fs/cgroup ("memory", "cpu,cpuacct"), its controllers, and the
// container's cgroup in it.
type CgroupV1 struct {
	Name        string   `json:"name"`
	Controllers []string `json:"controllers"`
	Dir         string   `json:"dir"`
}

const cgroupMountFlags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC

// mountCgroup mounts a "cgroup" entry. On a pure v2 host it is one cgroup2
// mount. On hybrid and v1 hosts it is a tmpfs with a directory per v1
// hierarchy (and "unified" for cgroup2 on a hybrid host), as the host has
// them, so programs that read /sys/fs/cgroup/memory/... inside work.
//
// With a cgroup namespace each hierarchy is mounted afresh and shows the
// container's cgroup as its root. Without one a fresh mount would show the
// host's whole tree (and, unless read-only, let the container write to
// other cgroups: CVE-2023-25809's class), so the container's own cgroup
// directory is bind-mounted instead.
func mountCgroup(root *os.File, c *Config, m specs.Mount, dest string, o Options) error {
	view := c.Cgroups
	if view == nil {
		view = &CgroupView{}
	}
	ownNS := hasNamespace(c.Spec, specs.CgroupNamespace)
	ro := o.Flags&unix.MS_RDONLY != 0
	flags := uintptr(cgroupMountFlags) | o.Flags&^unix.MS_REMOUNT
	target, err := openDest(root, dest, false)
	if err != nil {
		return fmt.Errorf("mount cgroup on %q: create the destination in the rootfs: %w", m.Destination, err)
	}
	defer target.Close()
	if len(view.V1) == 0 {
		reopen := func() (*os.File, error) { return pathrs.OpenatInRoot(root, dest) }
		if err := mountOneCgroup(target, reopen, "cgroup2", "", view.Unified, ownNS, flags); err != nil {
			return fmt.Errorf("mount cgroup on %q: %w", m.Destination, err)
		}
		return finishMount(root, m, dest, o)
	}
	if err := unix.Mount("tmpfs", procFd(target), "tmpfs", cgroupMountFlags, "mode=755"); err != nil {
		return fmt.Errorf("mount cgroup on %q: the tmpfs for the v1 hierarchies: %w", m.Destination, err)
	}
	// The fresh tmpfs holds nothing of the image's: its subdirectories
	// are created through its own fd.
	tmp, err := pathrs.OpenatInRoot(root, dest)
	if err != nil {
		return fmt.Errorf("mount cgroup on %q: reopen: %w", m.Destination, err)
	}
	defer tmp.Close()
	open := func(name string) (*os.File, error) {
		fd, err := unix.Openat(int(tmp.Fd()), name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), name), nil
	}
	sub := func(name string) (*os.File, error) {
		if err := unix.Mkdirat(int(tmp.Fd()), name, 0o755); err != nil {
			return nil, err
		}
		fd, err := unix.Openat(int(tmp.Fd()), name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), name), nil
	}
	for _, v := range view.V1 {
		d, err := sub(v.Name)
		if err != nil {
			return fmt.Errorf("mount cgroup on %q: %s: %w", m.Destination, v.Name, err)
		}
		name := v.Name
		err = mountOneCgroup(d, func() (*os.File, error) { return open(name) }, "cgroup", strings.Join(v.Controllers, ","), v.Dir, ownNS, flags)
		d.Close()
		if err != nil {
			return fmt.Errorf("mount cgroup on %q: %s: %w", m.Destination, v.Name, err)
		}
		// Co-mounted controllers get a link per name, as hosts have
		// (cpu -> cpu,cpuacct).
		if len(v.Controllers) > 1 {
			for _, ctrl := range v.Controllers {
				if ctrl != v.Name {
					unix.Symlinkat(v.Name, int(tmp.Fd()), ctrl)
				}
			}
		}
	}
	if view.Unified != "" {
		d, err := sub("unified")
		if err != nil {
			return fmt.Errorf("mount cgroup on %q: unified: %w", m.Destination, err)
		}
		err = mountOneCgroup(d, func() (*os.File, error) { return open("unified") }, "cgroup2", "", view.Unified, ownNS, flags)
		d.Close()
		if err != nil {
			return fmt.Errorf("mount cgroup on %q: unified: %w", m.Destination, err)
		}
	}
	if ro {
		if err := unix.Mount("", procFd(tmp), "", unix.MS_REMOUNT|unix.MS_RDONLY|cgroupMountFlags, "mode=755"); err != nil {
			return fmt.Errorf("mount cgroup on %q: make the tmpfs read-only: %w", m.Destination, err)
		}
	}
	return finishMount(root, m, dest, o)
}

// mountOneCgroup mounts one hierarchy on target: fresh in the container's
// own cgroup namespace, else (or where the kernel refuses, as in a user
// namespace for v1) a bind of the container's cgroup directory hostDir.
// reopen gives the mount on top of target, for the bind's remount.
func mountOneCgroup(target *os.File, reopen func() (*os.File, error), fstype, data, hostDir string, ownNS bool, flags uintptr) error {
	if ownNS || hostDir == "" {
		if !ownNS {
			// A fresh mount outside a cgroup namespace shows the
			// host's whole tree: never writable.
			flags |= unix.MS_RDONLY
		}
		err := unix.Mount(fstype, procFd(target), fstype, flags, data)
		if err == nil || hostDir == "" {
			return err
		}
	}
	if err := unix.Mount(hostDir, procFd(target), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind the container's cgroup %s: %w", hostDir, err)
	}
	// The flags of a bind need a remount of the new mount, not of the
	// directory under it that target still refers to.
	top, err := reopen()
	if err != nil {
		return err
	}
	defer top.Close()
	if err := unix.Mount("", procFd(top), "", unix.MS_BIND|unix.MS_REMOUNT|flags, ""); err != nil {
		return fmt.Errorf("remount the container's cgroup %s: %w", hostDir, err)
	}
	return nil
}

func hasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	if s.Linux == nil {
		return false
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}
