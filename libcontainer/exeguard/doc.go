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
// must be started through Path or StagePath, not /proc/self/exe.
//
// The standalone stage (stage.go). Where the init is in C, it need not
// be berth's binary at all: make builds nsenter's C files into an
// executable of their own (static, musl, about 110 KiB, no Go runtime) and
// berth embeds it (bin/). Executing that instead of the 10 MiB berth, and
// forking the init from it, saves about 2 ms of every start. An
// executable needs a file, so the stage is installed once per build, as a
// root-only file named by its SHA-256, in the stage cache
// (/var/cache/berth/stage, or BERTH_STAGE_CACHE), and each start executes
// a read-only detached mount of it, as for the binary: no copy per start.
// The file is used only when it and its directory are root's alone and
// it has the embedded stage's size; anything else is replaced (a torn or
// damaged file) or not used (a directory others can write). Where the
// cache cannot be used (read-only or noexec, no CAP_SYS_ADMIN for a
// detached mount, BERTH_STAGE_CACHE=off) each start gets a sealed memfd
// copy of the stage instead. A berth built without make carries no stage
// and runs its own binary for every init.
package exeguard
