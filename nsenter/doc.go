// Package nsenter is berth's C stage: a constructor that runs before the Go
// runtime starts whenever this binary is re-executed as a container's init
// (the environment then carries _BERTH_SYNCFD).
//
// It must be C because joining a mount or user namespace (setns) and
// unsharing a user namespace are refused for multi-threaded processes, and the
// Go runtime is multi-threaded from its first instruction. The stage:
//
//  1. reads a bootstrap message from the sync socket (clone flags, namespace
//     paths to join, time namespace offsets);
//  2. joins the namespaces given by path, the user namespace first so that
//     the others can be joined with its privileges;
//  3. unshares a new user namespace, if asked, and waits while the parent
//     writes its uid/gid maps (a process cannot map itself with full ranges);
//  4. unshares the other namespaces and writes the time offsets, which the
//     kernel accepts only before any process lives in the new time namespace;
//  5. forks the container's init with CLONE_PARENT, so that the init is a
//     child of the berth process itself (which can then wait for its exit
//     status) and is inside the new pid and time namespaces, which only
//     children enter;
//  6. reports the init's pid and exits. The init returns from the
//     constructor into the Go runtime (package initproc).
//
// Run with _BERTH_USERNS_HOLDER set instead, it only waits for its stdin to
// close: the runtime starts it in a new user namespace to get a handle on
// that namespace for an idmapped mount.
//
// Every failure is sent to the parent as one text message naming the step
// and the path, never as a bare exit status.
package nsenter
