package seccomp

import (
	"testing"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// runPrologue interprets the prologue for one syscall: it returns the
// RET value, or "next" when control reaches libseccomp's program.
func runPrologue(t *testing.T, prog []unix.SockFilter, arch, nr uint32) (uint32, bool) {
	t.Helper()
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case ldAbs:
			a = map[uint32]uint32{offNr: nr, offArch: arch}[in.K]
		case ja:
			pc += int(in.K)
		case jeq, jgt, jge:
			ok := (in.Code == jeq && a == in.K) || (in.Code == jgt && a > in.K) || (in.Code == jge && a >= in.K)
			if ok {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case ret:
			return in.K, true
		default:
			t.Fatalf("unexpected instruction %#x", in.Code)
		}
		if pc >= len(prog) {
			t.Fatalf("jump past the end (pc %d)", pc)
		}
	}
	return 0, false
}

func TestPrologueBranches(t *testing.T) {
	var arches []archInfo
	for _, n := range []libseccomp.ScmpArch{libseccomp.ArchAMD64, libseccomp.ArchX86, libseccomp.ArchX32} {
		a, _ := archByToken(n)
		arches = append(arches, a)
	}
	// read/write/openat exist everywhere; clone3 is 435 on all three.
	names := []string{"read", "write", "openat", "clone3", "no_such_call"}
	prog := enosysPrologue(arches, names)
	enosys := uint32(unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS))
	cases := []struct {
		arch, nr uint32
		enosys   bool
	}{
		{unix.AUDIT_ARCH_X86_64, 0, false},
		{unix.AUDIT_ARCH_X86_64, 435, false},
		{unix.AUDIT_ARCH_X86_64, 436, true},
		{unix.AUDIT_ARCH_X86_64, x32Bit + 435, false},
		{unix.AUDIT_ARCH_X86_64, x32Bit + 436, true},
		{unix.AUDIT_ARCH_I386, 435, false},
		{unix.AUDIT_ARCH_I386, 436, true},
		{unix.AUDIT_ARCH_I386, 4, false}, // nr 4 must not be taken for AUDIT_ARCH_M68K
		{unix.AUDIT_ARCH_AARCH64, 999, false},
	}
	for _, c := range cases {
		v, returned := runPrologue(t, prog, c.arch, c.nr)
		if c.enosys != (returned && v == enosys) || (returned && v != enosys) {
			t.Errorf("arch %#x nr %#x: returned %v (%#x), want ENOSYS %v", c.arch, c.nr, returned, v, c.enosys)
		}
	}
	// Without x32 in the filter, x32 numbers go on to libseccomp (which
	// applies its bad-architecture action).
	prog = enosysPrologue(arches[:2], names)
	if _, returned := runPrologue(t, prog, unix.AUDIT_ARCH_X86_64, x32Bit+999); returned {
		t.Error("x32 syscall answered by the prologue although x32 is not in the filter")
	}
	if prologue := enosysPrologue(arches, []string{"no_such_call"}); prologue != nil {
		t.Errorf("prologue for a profile that names nothing: %v", prologue)
	}
}
