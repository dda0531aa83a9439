// Package sysctl owns linux.sysctl: which keys a container may set, given
// the namespaces it has, and writing them from the init.
//
// A key is accepted only where the kernel scopes it to a namespace the
// container has: net.* to the network namespace, the System V IPC and POSIX
// message queue limits to the IPC namespace, kernel.hostname and
// kernel.domainname to the UTS namespace. Anything else would change the
// host for every process on it, and is refused before anything is created.
//
// Writes go through a procfs handle from pathrs-lite (a private procfs
// instance where the kernel allows one, checked against overmounts
// otherwise), resolved without following symlinks, and the opened file is
// checked to be on procfs (fstatfs PROC_SUPER_MAGIC) before a byte is
// written: a container's mounts or symlinks cannot redirect a sysctl write
// to another file (the class of CVE-2025-52881).
package sysctl
