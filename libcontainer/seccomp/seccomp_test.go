package seccomp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

func uintp(v uint) *uint { return &v }

func TestValidateErrors(t *testing.T) {
	ok := specs.LinuxSyscall{Names: []string{"mkdir"}, Action: specs.ActErrno}
	cases := []struct {
		name string
		c    specs.LinuxSeccomp
		want string
	}{
		{"bad default", specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_BOGUS"}, `linux.seccomp.defaultAction: unknown action "SCMP_ACT_BOGUS"`},
		{"no default", specs.LinuxSeccomp{}, "linux.seccomp.defaultAction is missing"},
		{"default notify", specs.LinuxSeccomp{DefaultAction: specs.ActNotify, ListenerPath: "/x"}, "cannot be the default action"},
		{"errno on allow", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: uintp(1)}, "linux.seccomp.defaultErrnoRet is set but action SCMP_ACT_ALLOW takes no errno"},
		{"errno range", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uintp(70000)}, "out of range"},
		{"bad arch", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}, `linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"`},
		{"bad flag", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_X"}}, `linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_X"`},
		{"bad action", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{ok, {Names: []string{"a"}, Action: "SCMP_ACT_NOPE"}}}, `linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_NOPE"`},
		{"bad op", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"a"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Op: "SCMP_CMP_LIKE"}}}}}, `linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_LIKE"`},
		{"bad index", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"a"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}, "index: 6 is out of range"},
		{"no names", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Action: specs.ActErrno}}}, "linux.seccomp.syscalls[0].names: at least one"},
		{"errno on kill", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"a"}, Action: specs.ActKill, ErrnoRet: uintp(1)}}}, "linux.seccomp.syscalls[0].errnoRet is set but action SCMP_ACT_KILL"},
		{"notify without listener", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}}, "need linux.seccomp.listenerPath"},
		{"notify on write", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/x", Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "write"}, Action: specs.ActNotify}}}, `cannot be used for "write"`},
		{"metadata without listener", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerMetadata: "m"}, "listenerMetadata is set but listenerPath is not"},
		{"killable without notify", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}}, "has no SCMP_ACT_NOTIFY rule"},
	}
	for _, tc := range cases {
		err := Validate(&tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if _, cerr := Compile(&tc.c); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("%s: Compile = %v, want Validate's error", tc.name, cerr)
		}
	}
}

func TestValidateAcceptsEveryName(t *testing.T) {
	c := specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock", ListenerMetadata: "m"}
	for _, a := range actionOrder {
		sc := specs.LinuxSyscall{Names: []string{"mkdir"}, Action: a}
		if a == specs.ActErrno || a == specs.ActTrace {
			sc.ErrnoRet = uintp(5)
		}
		for _, op := range operatorOrder {
			sc.Args = append(sc.Args, specs.LinuxSeccompArg{Index: 1, Value: 2, ValueTwo: 3, Op: op})
		}
		c.Syscalls = append(c.Syscalls, sc)
	}
	for _, a := range archList {
		c.Architectures = append(c.Architectures, a.name)
	}
	c.Flags = flagOrder
	if err := Validate(&c); err != nil {
		t.Fatal(err)
	}
}

func TestCompileSkipsUnknownSyscall(t *testing.T) {
	c := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"no_such_syscall_berth", "mkdir"}, Action: specs.ActErrno},
	}}
	f, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Program) == 0 || len(f.Program)%insnSize != 0 || f.Notify || f.Flags != 0 {
		t.Errorf("filter = %d bytes, notify %v, flags %#x", len(f.Program), f.Notify, f.Flags)
	}
}

func TestCompileRejectsForeignArch(t *testing.T) {
	// A filter holds one byte order; on a little-endian host s390x (big
	// endian) cannot join it, and the error names it.
	if native, _ := libseccomp.GetNativeArch(); native != libseccomp.ArchAMD64 {
		t.Skip("written for an amd64 host")
	}
	_, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchS390X}})
	if err == nil || !strings.Contains(err.Error(), "linux.seccomp.architectures[0]: SCMP_ARCH_S390X") {
		t.Errorf("err = %v", err)
	}
}

func TestCompileFlags(t *testing.T) {
	c := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/x",
		Flags:    []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}}
	f, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	want := uint(unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_LOG | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW |
		unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | unix.SECCOMP_FILTER_FLAG_NEW_LISTENER)
	if f.Flags != want || !f.Notify {
		t.Errorf("flags = %#x notify %v, want %#x and notify", f.Flags, f.Notify, want)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	p := []unix.SockFilter{{Code: 6, Jt: 1, Jf: 2, K: 0x7fff0000}, stmt(ldAbs, 4)}
	back, err := decode(encode(p))
	if err != nil || len(back) != 2 || back[0] != p[0] || back[1] != p[1] {
		t.Errorf("round trip: %v %v", back, err)
	}
	if _, err := decode(make([]byte, 7)); err == nil {
		t.Error("decode accepted a partial instruction")
	}
}

// The tests below load filters for real, in a child process (this test
// binary again) that sets no_new_privs, loads the profile on its locked
// thread and reports what each probe syscall returned.

const childEnv = "BERTH_SECCOMP_TEST_PROFILE"

func TestMain(m *testing.M) {
	if p := os.Getenv(childEnv); p != "" {
		os.Exit(child(p, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

func child(profile, probes string) int {
	runtime.LockOSThread()
	var c specs.LinuxSeccomp
	if err := json.Unmarshal([]byte(profile), &c); err != nil {
		fmt.Println("decode:", err)
		return 2
	}
	f, err := Compile(&c)
	if err != nil {
		fmt.Println("compile:", err)
		return 2
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println("nnp:", err)
		return 2
	}
	path, _ := unix.BytePtrFromString("/nonexistent-berth-seccomp/x")
	var out []string
	if _, err := f.Load(); err != nil {
		fmt.Println("load:", err)
		return 2
	}
	for _, p := range strings.Split(probes, " ") {
		name, arg, _ := strings.Cut(p, ":")
		n, _ := strconv.ParseUint(arg, 0, 64)
		var errno unix.Errno
		switch name {
		case "mkdirat": // ENOENT when allowed
			_, _, errno = unix.Syscall(unix.SYS_MKDIRAT, uintptr(unix.AT_FDCWD&0xffffffff), uintptr(unsafe.Pointer(path)), uintptr(n))
		case "nr": // a bare syscall number with no arguments
			_, _, errno = unix.Syscall(uintptr(n), 0, 0, 0)
		}
		out = append(out, name+":"+arg+"="+unix.ErrnoName(errno))
	}
	fmt.Println(strings.Join(out, " "))
	return 0
}

// runChild loads c in a child and runs the probes (see child).
func runChild(t *testing.T, c *specs.LinuxSeccomp, probes string) string {
	t.Helper()
	b, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^$", probes)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestLoadErrnoAndArgs(t *testing.T) {
	c := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
		// mode == 0o700: EACCES
		{Names: []string{"mkdirat"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.EACCES)),
			Args: []specs.LinuxSeccompArg{{Index: 2, Value: 0o700, Op: specs.OpEqualTo}}},
		// (mode & 0o007) == 0o007: EPERM, the default errno
		{Names: []string{"mkdirat"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 2, Value: 0o007, ValueTwo: 0o007, Op: specs.OpMaskedEqual}}},
		// mode 0o111 or 0o222 (one index twice: either matches): ENOSYS
		{Names: []string{"mkdirat"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.ENOSYS)),
			Args: []specs.LinuxSeccompArg{{Index: 2, Value: 0o111, Op: specs.OpEqualTo}, {Index: 2, Value: 0o222, Op: specs.OpEqualTo}}},
	}}
	got := runChild(t, c, "mkdirat:0o700 mkdirat:0o707 mkdirat:0o777 mkdirat:0o755 mkdirat:0o111 mkdirat:0o222")
	want := "mkdirat:0o700=EACCES mkdirat:0o707=EPERM mkdirat:0o777=EPERM mkdirat:0o755=ENOENT mkdirat:0o111=ENOSYS mkdirat:0o222=ENOSYS"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// allowList names every syscall libseccomp knows on this architecture up
// to and including maxNr, except those in except.
func allowList(t *testing.T, maxNr int, except ...string) []string {
	var names []string
next:
	for nr := 0; nr <= maxNr; nr++ {
		n, err := libseccomp.ScmpSyscall(nr).GetName()
		if err != nil || n == "" {
			continue
		}
		for _, e := range except {
			if n == e {
				continue next
			}
		}
		names = append(names, n)
	}
	if len(names) < 100 {
		t.Fatalf("only %d syscall names from libseccomp", len(names))
	}
	return names
}

func TestENOSYSForSyscallsNewerThanTheProfile(t *testing.T) {
	clone3, err := libseccomp.GetSyscallFromName("clone3")
	if err != nil {
		t.Skip("libseccomp does not know clone3")
	}
	c := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
		{Names: allowList(t, int(clone3)-1, "mkdirat"), Action: specs.ActAllow},
	}}
	// clone3 is above everything the profile names: ENOSYS, so libc falls
	// back to clone. mkdirat is below and left out: the default EPERM.
	probes := fmt.Sprintf("nr:%d mkdirat:0o755", clone3)
	want := fmt.Sprintf("nr:%d=ENOSYS mkdirat:0o755=EPERM", clone3)
	if got := runChild(t, c, probes); got != want {
		t.Errorf("allow-list below clone3: got %s, want %s", got, want)
	}
	// The same with docker's architectures on amd64, where amd64 and x32
	// share one AUDIT_ARCH and the prologue splits on the x32 bit.
	if native, _ := libseccomp.GetNativeArch(); native == libseccomp.ArchAMD64 {
		c.Architectures = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
		if got := runChild(t, c, probes); got != want {
			t.Errorf("x86_64+x86+x32: got %s, want %s", got, want)
		}
	}
	// Once the profile names clone3 (here: to deny it), the author knows
	// it: it gets the rule's errno, and the default still applies below.
	c.Syscalls = append(c.Syscalls, specs.LinuxSyscall{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.EBUSY))})
	want = fmt.Sprintf("nr:%d=EBUSY mkdirat:0o755=EPERM", clone3)
	if got := runChild(t, c, probes); got != want {
		t.Errorf("clone3 named: got %s, want %s", got, want)
	}
	// A default-allow profile gets no prologue.
	c2 := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"getpid"}, Action: specs.ActErrno},
	}}
	// clone3 with no arguments is EINVAL from the kernel itself.
	if got := runChild(t, c2, fmt.Sprintf("nr:%d", clone3)); got != fmt.Sprintf("nr:%d=EINVAL", clone3) {
		t.Errorf("default allow: got %s", got)
	}
	// defaultErrnoRet shows for syscalls the profile leaves out.
	c.DefaultErrnoRet = uintp(uint(unix.EROFS))
	if got := runChild(t, c, "mkdirat:0o755"); got != "mkdirat:0o755=EROFS" {
		t.Errorf("defaultErrnoRet: got %s", got)
	}
}

// BenchmarkCompileAllowList compiles a docker-sized allow-list (every
// syscall libseccomp knows below clone3, on three x86 architectures on
// amd64): the cost create pays once per container.
func BenchmarkCompileAllowList(b *testing.B) {
	t := &testing.T{}
	c := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
		{Names: allowList(t, 434), Action: specs.ActAllow},
		{Names: []string{"clone"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7e020000, Op: specs.OpMaskedEqual}}},
	}}
	if native, _ := libseccomp.GetNativeArch(); native == libseccomp.ArchAMD64 {
		c.Architectures = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
	}
	for b.Loop() {
		if _, err := Compile(c); err != nil {
			b.Fatal(err)
		}
	}
}
