package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Load compiles c and loads it into the calling thread; see Filter.Load.
func Load(c *specs.LinuxSeccomp) (notifyFd int, err error) {
	f, err := Compile(c)
	if err != nil || f == nil {
		return -1, err
	}
	return f.Load()
}

// Load installs the filter on the calling thread (on every thread of the
// process with SECCOMP_FILTER_FLAG_TSYNC), where it stays across execve.
// The caller must have locked its OS thread, and must either have set
// no_new_privs or hold CAP_SYS_ADMIN in its user namespace: Load changes
// neither. It returns the notify listener (close-on-exec) when the filter
// has SCMP_ACT_NOTIFY rules, else -1. A nil filter loads nothing.
func (f *Filter) Load() (notifyFd int, err error) {
	if f == nil {
		return -1, nil
	}
	prog, err := decode(f.Program)
	if err != nil {
		return -1, err
	}
	flags := f.Flags
	if flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0 && flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 {
		// The kernel refuses TSYNC with NEW_LISTENER unless a thread that
		// cannot be synchronised is reported as ESRCH rather than by a
		// return value that could be mistaken for the listener fd.
		flags |= unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return -1, fmt.Errorf("load the seccomp filter: %w", errno)
	}
	if flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 {
		// The kernel opens the listener close-on-exec: the container's
		// process never holds it. No syscall follows here, as the new
		// filter already applies to them.
		return int(r), nil
	}
	if flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0 && r != 0 {
		return -1, fmt.Errorf("load the seccomp filter: thread %d could not be synchronised (SECCOMP_FILTER_FLAG_TSYNC)", r)
	}
	return -1, nil
}

// kernelHasFlag reports whether seccomp(2) knows the filter flag. It asks
// for a filter at address 0: the kernel checks the flags first (EINVAL for
// one it does not know) and then fails to read the program (EFAULT), so
// nothing is ever loaded.
func kernelHasFlag(flag uint) bool {
	switch flag {
	case unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV:
		flag |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER // meaningless alone
	}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flag), 0)
	return errors.Is(errno, unix.EFAULT)
}
