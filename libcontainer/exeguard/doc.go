// Package exeguard owns how berth re-executes itself as a container's init
// without exposing the host's berth binary to the container (the class of
// CVE-2019-5736).
//
// A process in the container that can reach the init while it still runs
// berth's code (the C stage in nsenter and the Go init, until the user's
// program is executed) could open /proc/<pid>/exe and, once no process
// executes the binary any more, reopen that handle for writing and replace
// berth on the host. exeguard hands out a path to the binary that is safe to
// execute instead: the running executable (/proc/self/exe) cloned as a
// detached, read-only bind mount (open_tree(OPEN_TREE_CLONE) +
// mount_setattr(MOUNT_ATTR_RDONLY)). Every handle reached through the init's
// /proc/<pid>/exe then sits on that read-only mount, so a reopen for writing
// fails with EROFS; the mount is in no mount namespace, so the container
// cannot remount it read-write either. No copy of the binary is made.
//
// Where a detached mount cannot be made (no CAP_SYS_ADMIN, a kernel without
// the new mount API) it falls back to a sealed memfd holding a copy of the
// binary: the kernel refuses writes to it whatever the opener.
//
// Every process that berth re-executes into a container's namespaces (the
// init now; exec's setns process and a future in-container monitor later)
// must be started through Path, not /proc/self/exe.
package exeguard
