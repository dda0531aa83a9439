// Package cgroups owns a container's control groups on every kind of host:
// pure cgroup v2 (unified), legacy v1, and hybrid (v1 controllers plus a
// cgroup2 hierarchy at /sys/fs/cgroup/unified, as on this project's hosts).
//
// It detects the host's mode from the mount table (Detect), creates the
// container's cgroup in every hierarchy (New), places the init in it before
// any user code runs, writes linux.resources (resources_v1.go,
// resources_v2.go), enforces linux.resources.devices (devices.go, and an
// eBPF program on v2 in devices_ebpf.go, kept for the next container with
// the same rules by devprogcache.go), freezes and thaws (pause/resume),
// kills every member (cgroup.kill where it exists), reads statistics for
// `events`, and removes everything it created for a container (the
// device-filter cache stays: it serves the next one).
//
// A value that needs a controller the host lacks is an error naming the
// controller: nothing is silently ignored.
package cgroups
