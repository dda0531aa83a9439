package rootfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// EnvUsernsHolder marks a re-execution of berth whose only job is to live
// in a new user namespace until its stdin closes (see nsenter.c).
const EnvUsernsHolder = "_BERTH_USERNS_HOLDER"

// IDMappedTree runs in the runtime, on the host: it clones the source of an
// idmap/ridmap mount entry as a detached tree and idmaps it with the entry's
// uidMappings/gidMappings, or the container's when the entry has none.
// It must be done here, not in the init: MOUNT_ATTR_IDMAP needs
// CAP_SYS_ADMIN in the user namespace of the source's filesystem (the
// host's), which an init in a user namespace lacks. The init attaches the
// tree with move_mount.
func IDMappedTree(bundle string, m specs.Mount, o Options, ctrUIDs, ctrGIDs []specs.LinuxIDMapping) (*os.File, error) {
	uids, gids := m.UIDMappings, m.GIDMappings
	if len(uids) == 0 && len(gids) == 0 {
		uids, gids = ctrUIDs, ctrGIDs
	}
	if len(uids) == 0 || len(gids) == 0 {
		return nil, fmt.Errorf("idmap mount %q: no uidMappings and gidMappings on the mount and no user namespace mappings to use instead", m.Destination)
	}
	src := m.Source
	if !filepath.IsAbs(src) {
		src = filepath.Join(bundle, src)
	}
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	if o.Recursive {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, uint(flags))
	if err != nil {
		return nil, fmt.Errorf("idmap mount %q on %q: clone the source: %w", m.Source, m.Destination, err)
	}
	tree := os.NewFile(uintptr(fd), src)
	userns, err := usernsWithMaps(uids, gids)
	if err != nil {
		tree.Close()
		return nil, fmt.Errorf("idmap mount %q on %q: %w", m.Source, m.Destination, err)
	}
	defer userns.Close()
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	setFlags := unix.AT_EMPTY_PATH
	if o.IDMapRecursive {
		setFlags |= unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(fd, "", uint(setFlags), attr); err != nil {
		tree.Close()
		return nil, fmt.Errorf("idmap mount %q on %q: mount_setattr(MOUNT_ATTR_IDMAP): %w", m.Source, m.Destination, err)
	}
	return tree, nil
}

// usernsWithMaps returns a handle on a new user namespace with these maps:
// a helper process is started in it (berth itself, which waits in its C
// stage until stdin closes), its namespace opened, and the helper ended.
func usernsWithMaps(uids, gids []specs.LinuxIDMapping) (*os.File, error) {
	conv := func(m []specs.LinuxIDMapping) []syscall.SysProcIDMap {
		r := make([]syscall.SysProcIDMap, len(m))
		for i, e := range m {
			r[i] = syscall.SysProcIDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)}
		}
		return r
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	cmd := &exec.Cmd{
		Path:   "/proc/self/exe",
		Args:   []string{"berth-userns"},
		Env:    []string{EnvUsernsHolder + "=1"},
		Stdin:  r,
		Stderr: os.Stderr,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: conv(uids),
			GidMappings: conv(gids),
			Pdeathsig:   syscall.SIGKILL,
		},
	}
	err = cmd.Start()
	r.Close()
	if err != nil {
		return nil, fmt.Errorf("start a process in a user namespace with the mount's mappings (%s): %w", describeMaps(uids, gids), err)
	}
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", cmd.Process.Pid))
	w.Close()
	if werr := cmd.Wait(); werr != nil && err == nil {
		err = fmt.Errorf("user namespace helper: %w", werr)
	}
	if err != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, err
	}
	return ns, nil
}

func describeMaps(uids, gids []specs.LinuxIDMapping) string {
	var b strings.Builder
	for _, m := range [][]specs.LinuxIDMapping{uids, gids} {
		if b.Len() > 0 {
			b.WriteString("; gid ")
		} else {
			b.WriteString("uid ")
		}
		for i, e := range m {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%d:%d:%d", e.ContainerID, e.HostID, e.Size)
		}
	}
	return b.String()
}

// idmapEntry runs in the init: it attaches the tree the runtime made.
func idmapEntry(root *os.File, c *Config, idx int, m specs.Mount, dest string, o Options) error {
	tree := c.IDMapTrees[idx]
	if tree == nil {
		return fmt.Errorf("idmap mount %q on %q: the runtime sent no idmapped tree for it", m.Source, m.Destination)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(tree.Fd()), &st); err != nil {
		return fmt.Errorf("idmap mount %q on %q: %w", m.Source, m.Destination, err)
	}
	target, err := openTarget(root, dest, st.Mode&unix.S_IFMT != unix.S_IFDIR)
	if err != nil {
		return fmt.Errorf("idmap mount %q on %q: %w", m.Source, m.Destination, err)
	}
	defer target.Close()
	if err := checkProcDest(c, target, false, true); err != nil {
		return fmt.Errorf("idmap mount %q on %q: %w", m.Source, m.Destination, err)
	}
	if err := unix.MoveMount(int(tree.Fd()), "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("idmap mount %q on %q: attach: %w", m.Source, m.Destination, err)
	}
	return finishBind(root, m, dest, o)
}
