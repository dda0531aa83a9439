package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// actions maps the spec's action names to libseccomp's. SCMP_ACT_KILL is
// libseccomp's old name for killing the thread.
var actions = map[specs.LinuxSeccompAction]libseccomp.ScmpAction{
	specs.ActKill:        libseccomp.ActKillThread,
	specs.ActKillThread:  libseccomp.ActKillThread,
	specs.ActKillProcess: libseccomp.ActKillProcess,
	specs.ActTrap:        libseccomp.ActTrap,
	specs.ActErrno:       libseccomp.ActErrno,
	specs.ActTrace:       libseccomp.ActTrace,
	specs.ActAllow:       libseccomp.ActAllow,
	specs.ActLog:         libseccomp.ActLog,
	specs.ActNotify:      libseccomp.ActNotify,
}

// actionOrder lists the action names in the order features reports them.
var actionOrder = []specs.LinuxSeccompAction{
	specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
	specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify,
}

var operators = map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
	specs.OpNotEqual:     libseccomp.CompareNotEqual,
	specs.OpLessThan:     libseccomp.CompareLess,
	specs.OpLessEqual:    libseccomp.CompareLessOrEqual,
	specs.OpEqualTo:      libseccomp.CompareEqual,
	specs.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  libseccomp.CompareGreater,
	specs.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

var operatorOrder = []specs.LinuxSeccompOperator{
	specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
	specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
}

// archInfo is one architecture: libseccomp's token and the AUDIT_ARCH value
// the kernel puts in seccomp_data.arch for its syscalls.
type archInfo struct {
	name  specs.Arch
	scmp  libseccomp.ScmpArch
	audit uint32
}

// x32Bit marks x32 syscalls, which share AUDIT_ARCH_X86_64 with amd64.
const x32Bit = 0x40000000

var archList = []archInfo{
	{specs.ArchX86, libseccomp.ArchX86, unix.AUDIT_ARCH_I386},
	{specs.ArchX86_64, libseccomp.ArchAMD64, unix.AUDIT_ARCH_X86_64},
	{specs.ArchX32, libseccomp.ArchX32, unix.AUDIT_ARCH_X86_64},
	{specs.ArchARM, libseccomp.ArchARM, unix.AUDIT_ARCH_ARM},
	{specs.ArchAARCH64, libseccomp.ArchARM64, unix.AUDIT_ARCH_AARCH64},
	{specs.ArchMIPS, libseccomp.ArchMIPS, unix.AUDIT_ARCH_MIPS},
	{specs.ArchMIPS64, libseccomp.ArchMIPS64, unix.AUDIT_ARCH_MIPS64},
	{specs.ArchMIPS64N32, libseccomp.ArchMIPS64N32, unix.AUDIT_ARCH_MIPS64N32},
	{specs.ArchMIPSEL, libseccomp.ArchMIPSEL, unix.AUDIT_ARCH_MIPSEL},
	{specs.ArchMIPSEL64, libseccomp.ArchMIPSEL64, unix.AUDIT_ARCH_MIPSEL64},
	{specs.ArchMIPSEL64N32, libseccomp.ArchMIPSEL64N32, unix.AUDIT_ARCH_MIPSEL64N32},
	{specs.ArchPPC, libseccomp.ArchPPC, unix.AUDIT_ARCH_PPC},
	{specs.ArchPPC64, libseccomp.ArchPPC64, unix.AUDIT_ARCH_PPC64},
	{specs.ArchPPC64LE, libseccomp.ArchPPC64LE, unix.AUDIT_ARCH_PPC64LE},
	{specs.ArchS390, libseccomp.ArchS390, unix.AUDIT_ARCH_S390},
	{specs.ArchS390X, libseccomp.ArchS390X, unix.AUDIT_ARCH_S390X},
	{specs.ArchPARISC, libseccomp.ArchPARISC, unix.AUDIT_ARCH_PARISC},
	{specs.ArchPARISC64, libseccomp.ArchPARISC64, unix.AUDIT_ARCH_PARISC64},
	{specs.ArchRISCV64, libseccomp.ArchRISCV64, unix.AUDIT_ARCH_RISCV64},
	{specs.ArchLOONGARCH64, libseccomp.ArchLOONGARCH64, unix.AUDIT_ARCH_LOONGARCH64},
	{specs.ArchM68K, libseccomp.ArchM68K, unix.AUDIT_ARCH_M68K},
	{specs.ArchSH, libseccomp.ArchSH, unix.AUDIT_ARCH_SHEL}, // libseccomp's SH is little-endian
	{specs.ArchSHEB, libseccomp.ArchSHEB, unix.AUDIT_ARCH_SH},
}

func archByName(n specs.Arch) (archInfo, bool) {
	for _, a := range archList {
		if a.name == n {
			return a, true
		}
	}
	return archInfo{}, false
}

func archByToken(t libseccomp.ScmpArch) (archInfo, bool) {
	for _, a := range archList {
		if a.scmp == t {
			return a, true
		}
	}
	return archInfo{}, false
}

// flags maps the spec's filter flags to seccomp(2)'s.
var flags = map[specs.LinuxSeccompFlag]uint{
	"SECCOMP_FILTER_FLAG_TSYNC":            unix.SECCOMP_FILTER_FLAG_TSYNC,
	specs.LinuxSeccompFlagLog:              unix.SECCOMP_FILTER_FLAG_LOG,
	specs.LinuxSeccompFlagSpecAllow:        unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	specs.LinuxSeccompFlagWaitKillableRecv: unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
}

var flagOrder = []specs.LinuxSeccompFlag{
	"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog,
	specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv,
}
