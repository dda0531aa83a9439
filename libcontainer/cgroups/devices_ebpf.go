package cgroups

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
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
// a deny rule when it covers any of them.
func deviceProgram(rules []DeviceRule) asm.Instructions {
	insns := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word), // access<<16 | type
		asm.Mov.Reg32(asm.R3, asm.R2),
		asm.RSh.Imm32(asm.R3, 16),                // R3 = requested access
		asm.And.Imm32(asm.R2, 0xffff),            // R2 = type
		asm.LoadMem(asm.R4, asm.R1, 4, asm.Word), // R4 = major
		asm.LoadMem(asm.R5, asm.R1, 8, asm.Word), // R5 = minor
	}
	label := "" // the symbol the next instruction must carry
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		next := "rule" + strconv.Itoa(i)
		var block asm.Instructions
		switch r.Type {
		case 'c':
			block = append(block, asm.JNE.Imm(asm.R2, devTypeChar, next))
		case 'b':
			block = append(block, asm.JNE.Imm(asm.R2, devTypeBlock, next))
		}
		acc := accessBits(r.Access)
		if acc != accMknod|accRead|accWrite {
			block = append(block, asm.Mov.Reg32(asm.R6, asm.R3))
			if r.Allow {
				// Requested bits outside the rule: no match.
				block = append(block, asm.And.Imm32(asm.R6, ^acc&7), asm.JNE.Imm(asm.R6, 0, next))
			} else {
				block = append(block, asm.And.Imm32(asm.R6, acc), asm.JEq.Imm(asm.R6, 0, next))
			}
		}
		if r.Major >= 0 {
			block = append(block, asm.JNE.Imm(asm.R4, int32(r.Major), next))
		}
		if r.Minor >= 0 {
			block = append(block, asm.JNE.Imm(asm.R5, int32(r.Minor), next))
		}
		verdict := int32(0)
		if r.Allow {
			verdict = 1
		}
		block = append(block, asm.Mov.Imm(asm.R0, verdict), asm.Return())
		if label != "" {
			block[0] = block[0].WithSymbol(label)
		}
		insns = append(insns, block...)
		if len(block) == 2 {
			// A rule for every device and access always matches: the
			// rules before it can never decide (and the verifier
			// rejects unreachable code).
			return insns
		}
		label = next
	}
	final := asm.Mov.Imm(asm.R0, 0)
	if label != "" {
		final = final.WithSymbol(label)
	}
	return append(insns, final, asm.Return())
}

// attachDeviceFilter loads the program and attaches it to the cgroup2
// directory d with BPF_PROG_ATTACH, so it stays attached for the cgroup's
// life without a pinned link or a process holding it. Programs attached
// before (an earlier set) are detached after the new one is in, so no
// moment passes without a filter.
func attachDeviceFilter(d string, rules []DeviceRule) error {
	prog, err := loadDeviceProgram(deviceProgram(rules))
	if err != nil {
		return fmt.Errorf("linux.resources.devices: load the eBPF device filter: %w", err)
	}
	defer unix.Close(prog)
	fd, err := unix.Open(d, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: open %s: %w", d, err)
	}
	defer unix.Close(fd)
	old, _ := attachedDevicePrograms(fd)
	attr := progAttachAttr{targetFd: uint32(fd), attachBpfFd: uint32(prog), attachType: uint32(ebpf.AttachCGroupDevice), attachFlags: unix.BPF_F_ALLOW_MULTI}
	if _, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_ATTACH, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr)); errno != 0 {
		return fmt.Errorf("linux.resources.devices: attach the eBPF device filter to %s: %w", d, errno)
	}
	for _, p := range old {
		link.RawDetachProgram(link.RawDetachProgramOptions{Target: fd, Program: p, Attach: ebpf.AttachCGroupDevice})
		p.Close()
	}
	return nil
}

// The leading fields of union bpf_attr (include/uapi/linux/bpf.h) for
// BPF_PROG_LOAD and BPF_PROG_ATTACH; the kernel takes a prefix of the union
// and zero for everything after it.
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

// loadDeviceProgram loads a BPF_PROG_TYPE_CGROUP_DEVICE program with one
// bpf(2) call. cilium/ebpf assembles it; its loader (ebpf.NewProgram)
// first probes the kernel for features this program does not use, with a
// map and a program loaded and thrown away: about 1.5 ms of every start.
// On failure the program is loaded again with the verifier's log, and the
// log's last line goes into the error.
func loadDeviceProgram(insns asm.Instructions) (int, error) {
	var buf bytes.Buffer
	if err := insns.Marshal(&buf, nativeOrder()); err != nil {
		return -1, err
	}
	code := buf.Bytes()
	license := []byte("Apache\x00")
	attr := progLoadAttr{
		progType: uint32(ebpf.CGroupDevice),
		insnCnt:  uint32(len(code) / asm.InstructionSize),
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

func attachedDevicePrograms(cgfd int) ([]*ebpf.Program, error) {
	res, err := link.QueryPrograms(link.QueryOptions{Target: cgfd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		return nil, err
	}
	var out []*ebpf.Program
	var errs []error
	for _, p := range res.Programs {
		prog, err := ebpf.NewProgramFromID(p.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, prog)
	}
	return out, errors.Join(errs...)
}

// nativeOrder is the host's byte order as cilium/ebpf's assembler accepts
// it: binary.LittleEndian or binary.BigEndian, not binary.NativeEndian.
func nativeOrder() binary.ByteOrder {
	var x uint16 = 1
	if *(*byte)(unsafe.Pointer(&x)) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}
