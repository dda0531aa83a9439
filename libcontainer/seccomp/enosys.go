package seccomp

import (
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
)

func stmt(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }

func jump(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
}

const (
	ldAbs = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	jgt   = unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K
	jge   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
	ja    = unix.BPF_JMP | unix.BPF_JA
	ret   = unix.BPF_RET | unix.BPF_K
)

// enosysPrologue returns BPF instructions to run before libseccomp's
// program: a syscall whose number is above the highest one the profile
// names (on the architecture it is made for) returns ENOSYS; any other
// syscall goes on to libseccomp's program, which starts by loading the
// architecture itself. See the package documentation for why.
//
// Per architecture in the filter, with M its highest named syscall:
//
//	ld  arch
//	jeq AUDIT_ARCH, 0, <next arch>
//	ld  nr
//	jgt M, 0, 1
//	ret ERRNO(ENOSYS)
//	ja  <end>
//
// amd64 and x32 share AUDIT_ARCH_X86_64; x32 numbers carry bit 30, so that
// block first splits on it and checks each half against its own maximum
// (a half that the filter does not cover goes on to libseccomp, which
// applies its bad-architecture action). An architecture for which the
// profile names nothing gets no block: every syscall there keeps the
// profile's default.
func enosysPrologue(arches []archInfo, names []string) []unix.SockFilter {
	type group struct {
		audit uint32
		low   int64 // highest nr below x32Bit, -1 if none; -2 if the half is not in the filter
		high  int64 // same for the x32 half (x86_64 only)
	}
	var groups []*group
	find := func(audit uint32) *group {
		for _, g := range groups {
			if g.audit == audit {
				return g
			}
		}
		g := &group{audit: audit, low: -2, high: -2}
		groups = append(groups, g)
		return g
	}
	for _, a := range arches {
		m := maxSyscall(a.scmp, names)
		g := find(a.audit)
		if a.scmp == libseccomp.ArchX32 {
			g.high = m
		} else {
			g.low = m
		}
	}

	enosys := stmt(ret, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS))
	prog := []unix.SockFilter{stmt(ldAbs, offArch)}
	var toEnd []int // indexes of "ja <end>", patched below
	// check appends "jgt m, 0, 1; ret ENOSYS; ja end", or just "ja end"
	// when the profile names nothing there.
	check := func(body []unix.SockFilter, m int64) []unix.SockFilter {
		if m >= 0 {
			body = append(body, jump(jgt, uint32(m), 0, 1), enosys)
		}
		return append(body, stmt(ja, 0))
	}
	for _, g := range groups {
		if g.low < 0 && g.high < 0 {
			continue
		}
		body := []unix.SockFilter{stmt(ldAbs, offNr)}
		if g.audit == unix.AUDIT_ARCH_X86_64 {
			lowPart := check(nil, g.low)
			body = append(body, jump(jge, x32Bit, uint8(len(lowPart)), 0))
			body = append(body, lowPart...)
			body = check(body, g.high)
		} else {
			body = check(body, g.low)
		}
		prog = append(prog, jump(jeq, g.audit, 0, uint8(len(body))))
		base := len(prog)
		for i, in := range body {
			if in.Code == ja {
				toEnd = append(toEnd, base+i)
			}
		}
		prog = append(prog, body...)
	}
	if len(prog) == 1 {
		return nil
	}
	for _, i := range toEnd {
		prog[i].K = uint32(len(prog) - i - 1)
	}
	return prog
}

// maxSyscall is the highest number, on arch, of the named syscalls; -1 if
// none of them exists there. Negative numbers are libseccomp's
// pseudo-syscalls (socketcall multiplexing and the like), not real ones.
func maxSyscall(arch libseccomp.ScmpArch, names []string) int64 {
	m := int64(-1)
	for _, n := range names {
		nr, err := libseccomp.GetSyscallFromNameByArch(n, arch)
		if err != nil || nr < 0 {
			continue
		}
		if int64(nr) > m {
			m = int64(nr)
		}
	}
	return m
}
