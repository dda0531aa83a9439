package rootfs

import (
	"errors"
	"fmt"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// PivotRoot makes rootfs the root of the mount namespace and detaches the
// old root, so that no path in the container leads back to the host.
func PivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("pivot_root: open old root: %w", err)
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("pivot_root: open rootfs %q: %w", rootfs, err)
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return fmt.Errorf("pivot_root: chdir to rootfs %q: %w", rootfs, err)
	}
	// pivot_root(".", ".") stacks the old root on top of the new one,
	// which avoids needing a directory for it inside the image.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %q: %w", rootfs, err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return fmt.Errorf("pivot_root: chdir to old root: %w", err)
	}
	// Unmounting must not propagate to the host's mounts.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("pivot_root: make old root rslave: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("pivot_root: detach old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("pivot_root: chdir /: %w", err)
	}
	return nil
}

// MoveRoot is --no-pivot: move the rootfs over / and chroot into it. The old
// root stays reachable from a process that escapes the chroot, which is why
// it is not the default (needed where pivot_root cannot work, e.g. a ramfs root).
func MoveRoot(rootfs string) error {
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("chdir to rootfs %q: %w", rootfs, err)
	}
	if err := unix.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move rootfs %q to /: %w", rootfs, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot into rootfs %q: %w", rootfs, err)
	}
	return unix.Chdir("/")
}

func openInContainer(p string) (*os.File, error) {
	root, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return pathrs.OpenatInRoot(root, p)
}

// MaskPaths hides each path: a read-only empty tmpfs over a directory, the
// container's /dev/null over anything else. Missing paths are skipped.
//
// This runs after pivot_root, where /proc is the container's: the mounts
// use the new mount API on file handles (open_tree, fsmount, move_mount)
// and never a /proc/self/fd path, which a rootfs without a procfs on /proc
// could answer with its own symlinks.
func MaskPaths(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	null, err := openDevNull()
	if err != nil {
		return err
	}
	defer null.Close()
	for _, p := range paths {
		f, err := openInContainer(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("masked path %q: %w", p, err)
		}
		var st unix.Stat_t
		err = unix.Fstat(int(f.Fd()), &st)
		if err == nil {
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				err = mountEmptyTmpfs(f)
			} else {
				err = BindHandle(null, f, false)
			}
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("masked path %q: %w", p, err)
		}
	}
	return nil
}

// BindHandle bind-mounts src onto target without naming either by path
// (open_tree + move_mount): for use after pivot_root, where /proc/self/fd
// would be resolved through the container's /proc.
func BindHandle(src, target *os.File, recursive bool) error {
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC | unix.AT_EMPTY_PATH)
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	tree, err := unix.OpenTree(int(src.Fd()), "", flags)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	return attach(tree, target)
}

func attach(tree int, target *os.File) error {
	if err := unix.MoveMount(tree, "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}

// mountEmptyTmpfs mounts a new, empty, read-only tmpfs on target.
func mountEmptyTmpfs(target *os.File) error {
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen tmpfs: %w", err)
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fmt.Errorf("fsconfig create tmpfs: %w", err)
	}
	mnt, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return fmt.Errorf("fsmount tmpfs: %w", err)
	}
	defer unix.Close(mnt)
	return attach(mnt, target)
}

// openDevNull opens the container's /dev/null and checks it is the real
// 1:3 character device: binding an image's fake "null" (a symlink to a host
// file, a regular file) over /proc paths would unmask them or worse (the
// class of CVE-2025-31133).
func openDevNull() (*os.File, error) {
	f, err := openInContainer("/dev/null")
	if err != nil {
		return nil, fmt.Errorf("open /dev/null for masking: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		f.Close()
		return nil, errors.New("/dev/null in the container is not the 1:3 character device")
	}
	return f, nil
}

// ReadonlyPaths bind each path onto itself read-only (the mounts below it
// keep their own flags). Missing paths are skipped. Like MaskPaths, it
// works on handles only: the clone is made read-only while detached, then
// attached.
func ReadonlyPaths(paths []string) error {
	for _, p := range paths {
		f, err := openInContainer(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("read-only path %q: %w", p, err)
		}
		err = readonlyBind(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read-only path %q: %w", p, err)
		}
	}
	return nil
}

func readonlyBind(f *os.File) error {
	tree, err := unix.OpenTree(int(f.Fd()), "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		return fmt.Errorf("mount_setattr(MOUNT_ATTR_RDONLY): %w", err)
	}
	return attach(tree, f)
}

// ReadonlyRoot makes the container's / read-only (root.readonly). Only the
// read-only flag changes: in a user namespace the others may be locked.
func ReadonlyRoot() error {
	f, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.MountSetattr(int(f.Fd()), "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		return fmt.Errorf("remount / read-only: %w", err)
	}
	return nil
}
