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
package rootfs
