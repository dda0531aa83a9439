// Package rootfs owns the container's filesystem view, built inside the
// init's new mount namespace: the mount tree's propagation, the bind of the
// rootfs onto itself, every entry of the config's mounts, the device nodes
// and /dev symlinks, pivot_root (or MS_MOVE+chroot), masked and read-only
// paths and a read-only root.
//
// The rootfs, its volumes and its /dev belong to whoever built the image and
// are treated as hostile: every path inside the root is resolved with
// openat2(RESOLVE_IN_ROOT) through pathrs-lite, and operations act on the
// resulting file handle (mount onto /proc/self/fd/N, mknodat relative to a
// directory handle), never on a path string that the kernel would resolve
// again. A symlink planted at /rootfs/proc pointing at /etc therefore cannot
// turn "mount proc on /proc" into a mount over the host's /etc (the class of
// CVE-2023-27561 and CVE-2021-30465).
//
// Beyond that (destcheck.go): /proc, /sys and /dev must be real directories
// in the image, opened with O_NOFOLLOW; a destination that resolves to /proc
// or into a procfs is refused unless it is procfs itself or a bind over a
// file lxcfs emulates. After pivot_root, when /proc is the container's,
// masks, read-only paths and the read-only root use the new mount API on
// handles (open_tree, fsmount, mount_setattr, move_mount), never
// /proc/self/fd paths. idmap.go makes idmapped trees on the runtime's side
// (the init lacks the privilege over the host's filesystems) and attaches
// them in the init.
package rootfs
