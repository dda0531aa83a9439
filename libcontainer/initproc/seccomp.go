package initproc

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// When the filter is loaded. A filter applies to every syscall after it,
// the init's own included, so it goes in as late as possible:
//
//   - noNewPrivileges true, no NOTIFY rule: last, after no_new_privs, the
//     umask and close_range, right before execve (seccompLate).
//   - noNewPrivileges false: loading a filter without no_new_privs needs
//     CAP_SYS_ADMIN, which the init gives up in setUser; so it goes in just
//     before setUser, still before Ready (SeccompEarly). The user change,
//     the wait for start and the startContainer hooks then run under it.
//   - NOTIFY rules: the listener must reach the agent through `create`,
//     which only listens until Ready, so the filter goes in before setUser
//     too (with CAP_SYS_ADMIN, whatever noNewPrivileges says; the bit is
//     still set at its usual place). The listener is handed over at once:
//     a notified syscall of the init then waits for an agent that has it.
//     Validate refuses NOTIFY for the two syscalls that hand it over.
//
// The user's program cannot make a syscall before start in any case.

// SeccompEarly reports whether f must be loaded before the user change
// (the C init follows the same rule, through initplan).
func SeccompEarly(f *seccomp.Filter, noNewPrivs bool) bool {
	return f != nil && (!noNewPrivs || f.Notify)
}

// loadSeccomp loads f on this thread and, for a filter with NOTIFY rules,
// sends the listener to the runtime over sync (a SeccompFd frame, then the
// fd with SCM_RIGHTS) and closes the init's copy. It first sets a guard on
// this thread (see threadGuard), whose reports go to sync and, once set
// with setStart, to the start connection. A nil f loads nothing. exec's
// init can call it the same way.
func loadSeccomp(f *seccomp.Filter, sync *os.File) (*threadGuard, error) {
	if f == nil {
		return nil, nil
	}
	g := guardThread(sync)
	fd, err := f.Load()
	if err != nil {
		return g, err
	}
	if fd < 0 {
		return g, nil
	}
	defer unix.Close(fd)
	if err := syncmsg.Write(sync, syncmsg.SeccompFd, nil); err != nil {
		return g, fmt.Errorf("send the seccomp listener to the runtime: %w", err)
	}
	if err := unix.Sendmsg(int(sync.Fd()), []byte{'s'}, unix.UnixRights(fd), nil, 0); err != nil {
		return g, fmt.Errorf("send the seccomp listener to the runtime: %w", err)
	}
	return g, nil
}

// threadGuard watches the init's (locked, main) thread once a filter is
// in. SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD kill only the thread that
// made the syscall; the Go runtime's other threads would keep the process,
// and with it the sync and start sockets, alive, and create or start would
// wait forever for an init that is gone. The guard, a goroutine on another
// thread, notices the death, reports it and ends the process. On execve
// the kernel ends the guard's thread with the others.
//
// How it notices: set_tid_address makes the kernel write 0 to threadWord
// and wake its futex when this thread exits, however it dies. (A thread
// pidfd would not do: for the thread-group leader, which this is, it
// reports only once the whole group is gone.) glibc set the address for
// its own pthread_join bookkeeping; nothing joins the main thread.
type threadGuard struct {
	sync  *os.File
	start atomic.Pointer[os.File]
}

// threadWord holds the guarded thread's id until that thread exits. A
// global: the kernel keeps its address.
var threadWord atomic.Uint32

const futexWait = 0 // FUTEX_WAIT, which x/sys/unix does not define

func guardThread(sync *os.File) *threadGuard {
	g := &threadGuard{sync: sync}
	tid := unix.Gettid()
	threadWord.Store(uint32(tid))
	unix.RawSyscall(unix.SYS_SET_TID_ADDRESS, uintptr(unsafe.Pointer(&threadWord)), 0, 0)
	// The guard must own a thread before the filter can kill this one:
	// a thread killed inside execve dies holding the Go runtime's exec
	// lock, and from then on the runtime cannot start a thread, so a
	// guard still waiting for one would never run (start hung on 1 in
	// 12 tries under load before this).
	running := make(chan struct{})
	go g.watch(uint32(tid), running)
	<-running
	return g
}

// setStart adds the start connection (nil-safe).
func (g *threadGuard) setStart(conn *os.File) {
	if g != nil {
		g.start.Store(conn)
	}
}

func (g *threadGuard) watch(tid uint32, running chan<- struct{}) {
	// Never unlocked: the goroutine keeps this thread, and wakes on it.
	runtime.LockOSThread()
	close(running)
	for threadWord.Load() == tid {
		// Not FUTEX_PRIVATE: the kernel's wake on thread exit is a
		// shared one.
		unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&threadWord)), futexWait, uintptr(tid), 0, 0, 0)
	}
	msg := "linux.seccomp killed the container's init before it could exec the process: " +
		"a syscall the init makes after loading the filter (the user change, the wait for start, " +
		"startContainer hooks, execve) is SCMP_ACT_KILL or SCMP_ACT_KILL_THREAD in the profile"
	syncmsg.Write(g.sync, syncmsg.Error, []byte(msg))
	if conn := g.start.Load(); conn != nil {
		conn.Write([]byte(msg))
	}
	os.Exit(1)
}
