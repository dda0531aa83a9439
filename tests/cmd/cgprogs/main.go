// Command cgprogs prints the ids of the BPF device programs attached to a
// cgroup2 directory, one per line (BPF_PROG_QUERY), for
// tests/integration/devices.bats: "cgprogs /sys/fs/cgroup/unified/ctr".
// It exits 1 with a message when the query fails.
package main

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The leading fields of union bpf_attr for BPF_PROG_QUERY.
type progQuery struct {
	targetFd, attachType, queryFlags, attachFlags uint32
	progIDs                                       uint64
	progCnt, _                                    uint32
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cgprogs CGROUP-DIR")
		os.Exit(2)
	}
	fd, err := unix.Open(os.Args[1], unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cgprogs: open %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	ids := make([]uint32, 64)
	q := progQuery{targetFd: uint32(fd), attachType: unix.BPF_CGROUP_DEVICE, progIDs: uint64(uintptr(unsafe.Pointer(&ids[0]))), progCnt: uint32(len(ids))}
	if _, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_QUERY, uintptr(unsafe.Pointer(&q)), unsafe.Sizeof(q)); errno != 0 {
		fmt.Fprintf(os.Stderr, "cgprogs: BPF_PROG_QUERY on %s: %v\n", os.Args[1], errno)
		os.Exit(1)
	}
	for _, id := range ids[:min(int(q.progCnt), len(ids))] {
		fmt.Println(id)
	}
}
