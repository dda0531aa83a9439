package cgroups

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Values of struct bpf_cgroup_dev_ctx (include/uapi/linux/bpf.h): the
// first word is access<<16 | type.
const (
	devTypeBlock = 1
	devTypeChar  = 2
	accMknod     = 1
	accRead      = 2
	accWrite     = 4
)

func accessBits(s string) int32 {
	var a int32
	for _, ch := range s {
		switch ch {
		case 'm':
			a |= accMknod
		case 'r':
			a |= accRead
		case 'w':
			a |= accWrite
		}
	}
	return a
}

// deviceProgram compiles rules into a BPF_PROG_TYPE_CGROUP_DEVICE program.
// It tests the rules from last to first and returns the verdict of the
// first that matches, so the last matching rule wins (as on v1); no match
// means deny. An allow rule matches when it grants every requested access,
// a deny rule when it covers any of them. Each rule is one block whose
// failed tests jump to the first instruction after it.
func deviceProgram(rules []DeviceRule) []bpfInsn {
	insns := []bpfInsn{
		ldxWord(r2, r1, 0), // access<<16 | type
		movReg32(r3, r2),
		aluImm32(bpfRsh, r3, 16),     // R3 = requested access
		aluImm32(bpfAnd, r2, 0xffff), // R2 = type
		ldxWord(r4, r1, 4),           // R4 = major
		ldxWord(r5, r1, 8),           // R5 = minor
	}
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		var block []bpfInsn
		switch r.Type {
		case 'c':
			block = append(block, jmpImm(bpfJne, r2, devTypeChar))
		case 'b':
			block = append(block, jmpImm(bpfJne, r2, devTypeBlock))
		}
		acc := accessBits(r.Access)
		if acc != accMknod|accRead|accWrite {
			block = append(block, movReg32(r6, r3))
			if r.Allow {
				// Requested bits outside the rule: no match.
				block = append(block, aluImm32(bpfAnd, r6, ^acc&7), jmpImm(bpfJne, r6, 0))
			} else {
				block = append(block, aluImm32(bpfAnd, r6, acc), jmpImm(bpfJeq, r6, 0))
			}
		}
		if r.Major >= 0 {
			block = append(block, jmpImm(bpfJne, r4, int32(r.Major)))
		}
		if r.Minor >= 0 {
			block = append(block, jmpImm(bpfJne, r5, int32(r.Minor)))
		}
		verdict := int32(0)
		if r.Allow {
			verdict = 1
		}
		block = append(block, movImm64(r0, verdict), exit())
		insns = append(insns, jumpPast(block)...)
		if len(block) == 2 {
			// A rule for every device and access always matches: the
			// rules before it can never decide (and the verifier
			// rejects unreachable code).
			return insns
		}
	}
	return append(insns, movImm64(r0, 0), exit())
}

// attachDeviceFilter attaches the program for rules to the cgroup2
// directory d with BPF_PROG_ATTACH, so it stays attached for the cgroup's
// life without a pinned link or a process holding it. The program comes
// from the cache (devprogcache.go) when it holds the same one; otherwise
// it is loaded, and cached once it is attached. Programs attached
// before (an earlier set) are detached after the new one is in, so no
// moment passes without a filter. cache is "" for no cache.
func attachDeviceFilter(d string, rules []DeviceRule, cache string) error {
	code := encodeInsns(deviceProgram(rules))
	prog, usable := cachedDeviceProgram(cache, code)
	loaded := prog < 0
	if loaded {
		var err error
		prog, err = loadDeviceProgram(code)
		if err != nil {
			return fmt.Errorf("linux.resources.devices: load the eBPF device filter: %w", err)
		}
	}
	defer unix.Close(prog)
	fd, err := unix.Open(d, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: open %s: %w", d, err)
	}
	defer unix.Close(fd)
	old, _ := attachedDevicePrograms(fd)
	attach := progAttachAttr{targetFd: uint32(fd), attachBpfFd: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE, attachFlags: unix.BPF_F_ALLOW_MULTI}
	if err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attach), unsafe.Sizeof(attach)); err != nil {
		return fmt.Errorf("linux.resources.devices: attach the eBPF device filter to %s: %w", d, err)
	}
	for _, p := range old {
		detach := progAttachAttr{targetFd: uint32(fd), attachBpfFd: uint32(p), attachType: unix.BPF_CGROUP_DEVICE}
		bpf(unix.BPF_PROG_DETACH, unsafe.Pointer(&detach), unsafe.Sizeof(detach))
		unix.Close(p)
	}
	if loaded && usable {
		cacheDeviceProgram(cache, code, prog)
	}
	return nil
}

// The leading fields of union bpf_attr (include/uapi/linux/bpf.h) for the
// commands used here; the kernel takes a prefix of the union and zero for
// everything after it.
type progLoadAttr struct {
	progType, insnCnt  uint32
	insns, license     uint64
	logLevel, logSize  uint32
	logBuf             uint64
	kernVersion, flags uint32
	name               [16]byte
}

type progAttachAttr struct {
	targetFd, attachBpfFd, attachType, attachFlags, replaceBpfFd uint32
}

type progQueryAttr struct {
	targetFd, attachType, queryFlags, attachFlags uint32
	progIDs                                       uint64
	progCnt, _                                    uint32
}

type getFdByIDAttr struct {
	id, nextID, openFlags uint32
}

func bpf(cmd int, attr unsafe.Pointer, size uintptr) error {
	if _, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size); errno != 0 {
		return errno
	}
	return nil
}

// loadDeviceProgram loads a BPF_PROG_TYPE_CGROUP_DEVICE program, given
// encoded (encodeInsns), with one bpf(2) call. On failure the program is loaded again with the verifier's
// log, and the log's last line goes into the error.
func loadDeviceProgram(code []byte) (int, error) {
	license := []byte("Apache\x00")
	attr := progLoadAttr{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE,
		insnCnt:  uint32(len(code) / 8),
		insns:    uint64(uintptr(unsafe.Pointer(&code[0]))),
		license:  uint64(uintptr(unsafe.Pointer(&license[0]))),
	}
	copy(attr.name[:], "berth_devices")
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno == 0 {
		runtime.KeepAlive(code)
		runtime.KeepAlive(license)
		return int(fd), nil
	}
	log := make([]byte, 64<<10)
	attr.logLevel, attr.logSize, attr.logBuf = 1, uint32(len(log)), uint64(uintptr(unsafe.Pointer(&log[0])))
	fd, _, errno2 := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(code)
	runtime.KeepAlive(license)
	if errno2 == 0 {
		unix.Close(int(fd)) // a transient failure: report the first one
		return -1, errno
	}
	lines := strings.Split(strings.TrimRight(string(bytes.TrimRight(log, "\x00")), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "" {
		return -1, fmt.Errorf("%w (verifier: %s)", errno2, last)
	}
	return -1, errno2
}

// attachedDevicePrograms opens the device programs attached to the cgroup
// (BPF_PROG_QUERY, then BPF_PROG_GET_FD_BY_ID for each); the caller closes
// the fds.
func attachedDevicePrograms(cgfd int) ([]int, error) {
	ids := make([]uint32, 64)
	q := progQueryAttr{targetFd: uint32(cgfd), attachType: unix.BPF_CGROUP_DEVICE, progIDs: uint64(uintptr(unsafe.Pointer(&ids[0]))), progCnt: uint32(len(ids))}
	err := bpf(unix.BPF_PROG_QUERY, unsafe.Pointer(&q), unsafe.Sizeof(q))
	runtime.KeepAlive(ids)
	if err != nil {
		return nil, fmt.Errorf("query the cgroup's device programs: %w", err)
	}
	var out []int
	var errs []error
	for _, id := range ids[:min(int(q.progCnt), len(ids))] {
		get := getFdByIDAttr{id: id}
		fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_GET_FD_BY_ID, uintptr(unsafe.Pointer(&get)), unsafe.Sizeof(get))
		if errno != 0 {
			errs = append(errs, fmt.Errorf("open device program %d: %w", id, errno))
			continue
		}
		out = append(out, int(fd))
	}
	return out, errors.Join(errs...)
}
