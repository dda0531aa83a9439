// Command sysprobe makes raw syscalls inside a test container and prints
// what each returned, for tests/integration/seccomp.bats: "sysprobe 435"
// calls syscall 435 with all-zero arguments and prints "435 EINVAL" (or
// "435 OK"). It is built static (CGO_ENABLED=0) to run in the busybox
// rootfs.
//
// "sysprobe leader-exit" ends only its main thread (SYS_EXIT, not
// exit_group) and lives on in the Go runtime's other threads: a process
// whose thread-group leader is a zombie, for tests/integration/lifecycle.bats.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// init locks the main goroutine to the thread-group leader: fmt.Println
// blocks in write(2), and a goroutine that blocks in a syscall may resume
// on another thread, so "leader-exit" would end some other thread and the
// leader would live on.
func init() { runtime.LockOSThread() }

func main() {
	if len(os.Args) == 2 && os.Args[1] == "leader-exit" {
		go func() { select {} }()
		fmt.Println("leader exiting")
		unix.RawSyscall(unix.SYS_EXIT, 0, 0, 0)
	}
	for _, a := range os.Args[1:] {
		nr, err := strconv.Atoi(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sysprobe: not a syscall number:", a)
			os.Exit(2)
		}
		_, _, errno := unix.Syscall6(uintptr(nr), 0, 0, 0, 0, 0, 0)
		res := "OK"
		if errno != 0 {
			res = unix.ErrnoName(errno)
		}
		fmt.Println(nr, res)
	}
}
