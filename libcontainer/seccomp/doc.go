// Package seccomp owns the container's seccomp filter: it checks
// linux.seccomp, compiles it into a BPF program with libseccomp, loads that
// program with seccomp(2), and hands a SCMP_ACT_NOTIFY listener to the
// engine's seccomp agent.
//
// # Compile once, load late
//
// The runtime compiles the profile (Compile) before it creates anything,
// so a bad profile is one error and never starts an init; the init receives
// the finished program and only loads it (Filter.Load). libseccomp builds
// the program, but berth loads it itself with seccomp(2) instead of
// seccomp_load: that lets berth pass every filter flag the kernel knows
// (libseccomp 2.5 cannot set WAIT_KILLABLE_RECV), never sets no_new_privs
// behind the spec's back (seccomp_load does by default), and lets berth put
// the ENOSYS prologue below in front of libseccomp's program.
//
// # Cache
//
// Building a docker-sized profile takes libseccomp about 20 ms, in every
// create and exec, for the same few profiles. CompileCached keeps finished
// programs in a directory (CacheDir), one file per profile, named by a
// hash of the profile and of everything else the program depends on, and
// trusted only when root alone could have written it and its content
// matches the hash inside it (cache.go).
//
// # ENOSYS for syscalls newer than the profile
//
// An allow-list profile (defaultAction SCMP_ACT_ERRNO) returns its errno,
// usually EPERM, for every syscall it does not name. For a syscall the
// profile's author never heard of, because it is newer than the profile,
// that is wrong: glibc and other libraries probe new syscalls (clone3,
// faccessat2, openat2, close_range, fchmodat2, ...) and fall back to the old
// one only on ENOSYS; EPERM makes them fail instead. So, for an ERRNO
// default, berth puts a short prologue in front of the filter: per
// architecture in the filter, a syscall number above the highest number
// that the profile names on that architecture returns ENOSYS, as a kernel
// without the syscall would. Syscalls at or below that number that the
// profile leaves out keep the default errno: the author knew of them. This
// is the behaviour engines rely on from runc and crun (docker's profile
// leans on it for clone3), computed here from the profile alone. Names
// that libseccomp does not know are skipped (logged at debug level), so
// they do not raise the limit.
//
// # Notify
//
// With SCMP_ACT_NOTIFY rules the kernel returns a listener fd when the
// filter is loaded. The init passes it to the runtime, which sends it with
// the container process state to listenerPath (SendToAgent), as the
// runtime-spec describes. A syscall that the init itself makes between
// loading the filter and handing the fd over would wait for an agent that
// has no fd yet, so NOTIFY is refused for those syscalls and as the
// default action.
package seccomp
