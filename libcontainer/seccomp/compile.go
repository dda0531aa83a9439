package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/logging"
)

// Filter is a compiled profile, ready to load. It is plain data, so the
// runtime can compile it and send it to the init as JSON.
type Filter struct {
	// Program is the BPF program: struct sock_filter records (8 bytes
	// each) in the host's byte order.
	Program []byte `json:"program"`
	// Flags are seccomp(2)'s SECCOMP_FILTER_FLAG_* bits, NEW_LISTENER
	// included when Notify is set.
	Flags uint `json:"flags"`
	// Notify is set when the profile has SCMP_ACT_NOTIFY rules: Load
	// then returns the listener fd.
	Notify bool `json:"notify"`
}

// bpfMaxInsns is the kernel's limit on a filter's length (BPF_MAXINSNS).
const bpfMaxInsns = 4096

// Compile checks c and builds its filter; a nil c gives a nil Filter.
// Errors name the field and value at fault.
func Compile(c *specs.LinuxSeccomp) (*Filter, error) {
	if c == nil {
		return nil, nil
	}
	if err := Validate(c); err != nil {
		return nil, err
	}
	out, err := build(c)
	if err != nil {
		return nil, err
	}
	return out, finish(c, out)
}

// build makes the BPF program with libseccomp (Program and Notify).
func build(c *specs.LinuxSeccomp) (*Filter, error) {
	def := toAction(c.DefaultAction, c.DefaultErrnoRet)
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp.defaultAction %s: %w", c.DefaultAction, err)
	}
	defer f.Release()
	arches, err := addArches(f, c.Architectures)
	if err != nil {
		return nil, err
	}
	out := &Filter{}
	var named []string
	for i, sc := range c.Syscalls {
		act := toAction(sc.Action, sc.ErrnoRet)
		condSets, err := conditions(sc.Args)
		if err != nil {
			return nil, fmt.Errorf("linux.seccomp.syscalls[%d].args: %w", i, err)
		}
		for _, name := range sc.Names {
			nr, err := libseccomp.GetSyscallFromName(name)
			if err != nil {
				// As runc does: a profile written for a newer kernel or
				// libseccomp still loads; the syscall gets the default.
				logging.Debug("seccomp: skipping syscall %q (linux.seccomp.syscalls[%d]): unknown to libseccomp %s", name, i, libVersion())
				continue
			}
			named = append(named, name)
			// libseccomp refuses a rule whose action is the default
			// one; such a rule changes nothing.
			if act == def {
				continue
			}
			if sc.Action == specs.ActNotify {
				out.Notify = true
			}
			for _, conds := range condSets {
				if len(conds) == 0 {
					err = f.AddRule(nr, act)
				} else {
					err = f.AddRuleConditional(nr, act, conds)
				}
				if err != nil {
					return nil, fmt.Errorf("linux.seccomp.syscalls[%d]: syscall %q: %w", i, name, err)
				}
			}
		}
	}
	prog, err := exportBPF(f)
	if err != nil {
		return nil, err
	}
	if c.DefaultAction == specs.ActErrno && (c.DefaultErrnoRet == nil || *c.DefaultErrnoRet != uint(unix.ENOSYS)) {
		prog = append(enosysPrologue(arches, named), prog...)
	}
	if len(prog) > bpfMaxInsns {
		return nil, fmt.Errorf("linux.seccomp: the filter has %d BPF instructions, more than the kernel's limit of %d", len(prog), bpfMaxInsns)
	}
	out.Program = encode(prog)
	return out, nil
}

// finish sets the filter's flags and checks that the kernel has them.
func finish(c *specs.LinuxSeccomp, out *Filter) error {
	for _, name := range c.Flags {
		out.Flags |= flags[name]
	}
	if out.Notify {
		out.Flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	for _, name := range c.Flags {
		if !kernelHasFlag(flags[name]) {
			return fmt.Errorf("linux.seccomp.flags: %s is not supported by this kernel", name)
		}
	}
	return nil
}

func toAction(a specs.LinuxSeccompAction, errno *uint) libseccomp.ScmpAction {
	act := actions[a]
	switch a {
	case specs.ActErrno, specs.ActTrace:
		code := uint(unix.EPERM) // the spec's default for both
		if errno != nil {
			code = *errno
		}
		act = act.SetReturnCode(int16(code))
	}
	return act
}

// addArches adds the profile's architectures to f and returns every
// architecture the filter covers, the native one first.
func addArches(f *libseccomp.ScmpFilter, names []specs.Arch) ([]archInfo, error) {
	native, err := libseccomp.GetNativeArch()
	if err != nil {
		return nil, fmt.Errorf("seccomp: native architecture: %w", err)
	}
	var out []archInfo
	if a, ok := archByToken(native); ok {
		out = append(out, a)
	}
	for i, n := range names {
		a, _ := archByName(n)
		if err := f.AddArch(a.scmp); err != nil {
			return nil, fmt.Errorf("linux.seccomp.architectures[%d]: %s: %w", i, n, err)
		}
		dup := false
		for _, o := range out {
			dup = dup || o.scmp == a.scmp
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out, nil
}

// conditions turns a rule's args into libseccomp conditions. Args on
// distinct argument indexes must all match (one rule). libseccomp cannot
// test one argument twice in a rule, so when an index repeats each arg
// becomes a rule of its own and any of them matches, as runc and crun read
// such profiles.
func conditions(args []specs.LinuxSeccompArg) ([][]libseccomp.ScmpCondition, error) {
	if len(args) == 0 {
		return [][]libseccomp.ScmpCondition{nil}, nil
	}
	conds := make([]libseccomp.ScmpCondition, 0, len(args))
	seen := map[uint]bool{}
	repeated := false
	for j, a := range args {
		op := operators[a.Op]
		var c libseccomp.ScmpCondition
		var err error
		if a.Op == specs.OpMaskedEqual {
			// (arg & value) == valueTwo
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value, a.ValueTwo)
		} else {
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", j, err)
		}
		repeated = repeated || seen[a.Index]
		seen[a.Index] = true
		conds = append(conds, c)
	}
	if !repeated {
		return [][]libseccomp.ScmpCondition{conds}, nil
	}
	sets := make([][]libseccomp.ScmpCondition, len(conds))
	for i, c := range conds {
		sets[i] = []libseccomp.ScmpCondition{c}
	}
	return sets, nil
}

// exportBPF has libseccomp write the program into a memfd (libseccomp 2.5
// has no in-memory export) and decodes it.
func exportBPF(f *libseccomp.ScmpFilter) ([]unix.SockFilter, error) {
	fd, err := unix.MemfdCreate("berth-seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("seccomp: memfd for the BPF program: %w", err)
	}
	file := os.NewFile(uintptr(fd), "berth-seccomp")
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		return nil, fmt.Errorf("seccomp: export the BPF program: %w", err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(file)
	if err != nil {
		return nil, fmt.Errorf("seccomp: read the BPF program: %w", err)
	}
	return decode(raw)
}

const insnSize = 8

func encode(prog []unix.SockFilter) []byte {
	b := make([]byte, 0, len(prog)*insnSize)
	for _, in := range prog {
		b = binary.NativeEndian.AppendUint16(b, in.Code)
		b = append(b, in.Jt, in.Jf)
		b = binary.NativeEndian.AppendUint32(b, in.K)
	}
	return b
}

func decode(b []byte) ([]unix.SockFilter, error) {
	if len(b) == 0 || len(b)%insnSize != 0 {
		return nil, errors.New("seccomp: BPF program of " + fmt.Sprint(len(b)) + " bytes is not a whole number of instructions")
	}
	prog := make([]unix.SockFilter, len(b)/insnSize)
	for i := range prog {
		r := b[i*insnSize:]
		prog[i] = unix.SockFilter{
			Code: binary.NativeEndian.Uint16(r), Jt: r[2], Jf: r[3],
			K: binary.NativeEndian.Uint32(r[4:]),
		}
	}
	return prog, nil
}

func libVersion() string {
	ma, mi, mc := libseccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", ma, mi, mc)
}
