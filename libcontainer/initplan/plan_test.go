package initplan

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// ops splits a plan into its op codes, checking the framing the C init
// relies on.
func ops(t *testing.T, plan []byte) []uint32 {
	t.Helper()
	var out []uint32
	for off := 0; off < len(plan); {
		if len(plan)-off < 8 {
			t.Fatalf("truncated op header at %d", off)
		}
		code := binary.NativeEndian.Uint32(plan[off:])
		n := int(binary.NativeEndian.Uint32(plan[off+4:]))
		off += 8
		if n > len(plan)-off {
			t.Fatalf("op %d: length %d past the end", code, n)
		}
		off += n
		out = append(out, code)
	}
	return out
}

func input(s *specs.Spec) Input {
	return Input{ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", Spec: s}
}

func TestDefaultSpecPlan(t *testing.T) {
	s := specdefault.Default() // terminal true, as runc's
	if why := Unsupported(s); why != "" {
		t.Fatalf("the default spec needs the Go init: %s", why)
	}
	plan, err := Compile(input(s))
	if err != nil {
		t.Fatal(err)
	}
	got := ops(t, plan)
	if got[0] != opHostname || got[1] != opRootPropagation || got[2] != opRootfs || got[len(got)-1] != opProcess {
		t.Fatalf("ops %v: want hostname, propagation, rootfs first and the process last", got)
	}
	count := map[uint32]int{}
	for _, op := range got {
		count[op]++
	}
	if count[opMask] != len(s.Linux.MaskedPaths) || count[opReadonly] != len(s.Linux.ReadonlyPaths) {
		t.Errorf("ops %v: want one mask op per masked path and one read-only op per read-only path", got)
	}
	if count[opDevice] != 6 || count[opDevSymlinks] != 1 || count[opPivot] != 1 || count[opKeyring] != 1 {
		t.Errorf("ops %v: want 6 devices, the /dev links, pivot_root and the keyring", got)
	}
	if count[opCgroup] != 1 {
		t.Errorf("ops %v: want the cgroup mount", got)
	}
	// The terminal comes after the root's last change and before the
	// keyring, where the Go init sets it up.
	if i := slices.Index(got, opConsole); i < 0 || i < slices.Index(got, opMkcwd) || i < slices.Index(got, opReadonlyRoot) || got[i+1] != opKeyring {
		t.Errorf("ops %v: want the console after the cwd and the read-only root, right before the keyring", got)
	}

	in := input(s)
	in.NoPivot, in.NoNewKeyring = true, true
	plan, err = Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	count = map[uint32]int{}
	for _, op := range ops(t, plan) {
		count[op]++
	}
	if count[opMoveRoot] != 1 || count[opPivot] != 0 || count[opKeyring] != 0 {
		t.Errorf("--no-pivot --no-new-keyring: ops %v", count)
	}
}

func TestSysctlsFollowTheNamesInKeyOrder(t *testing.T) {
	s := specdefault.Default()
	s.Domainname = "example.org"
	s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmni": "4000", "net/ipv4/conf/eth0.100/forwarding": "1"}
	plan, err := Compile(input(s))
	if err != nil {
		t.Fatal(err)
	}
	got := ops(t, plan)
	if !slices.Equal(got[:5], []uint32{opHostname, opDomainname, opSysctl, opSysctl, opSysctl}) {
		t.Fatalf("ops %v: want hostname, domainname, then the three sysctls", got)
	}
	// The fields of the first sysctl op: key, path, value, each a
	// uint32 length, the bytes and a NUL.
	var fields []string
	r := plan
	for i := 0; i < 2; i++ { // past the hostname and the domainname
		hdr := binary.NativeEndian.Uint32(r[4:8]) // op length
		r = r[8+hdr:]
	}
	op := r[8:]
	for i := 0; i < 3; i++ {
		n := binary.NativeEndian.Uint32(op)
		fields = append(fields, string(op[4:4+n-1]))
		op = op[4+n:]
	}
	if want := []string{"kernel.shmmni", "sys/kernel/shmmni", "4000"}; !slices.Equal(fields, want) {
		t.Errorf("first sysctl op %q, want %q (sorted by key)", fields, want)
	}
}

func TestHooksAroundPivotAndStart(t *testing.T) {
	s := specdefault.Default()
	s.Hooks = &specs.Hooks{
		CreateRuntime:   []specs.Hook{{Path: "/bin/true"}},
		CreateContainer: []specs.Hook{{Path: "/a"}, {Path: "/b"}},
		StartContainer:  []specs.Hook{{Path: "/c"}},
	}
	in := input(s)
	in.HostPid = 4242
	plan, err := Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	got := ops(t, plan)
	hooks := slices.Index(got, opHooks)
	pivot := slices.Index(got, opPivot)
	if hooks < 0 || got[hooks+1] != opHook || got[hooks+2] != opHook || got[hooks+3] != opPivot {
		t.Errorf("ops %v: want the createRuntime request, the two createContainer hooks, then pivot_root", got)
	}
	// The startContainer hook comes with the process's ops (the init
	// keeps it until start): after pivot_root, and an op of its own, not
	// mixed into another (the plan parses).
	if after := got[pivot+1:]; slices.Index(after, opHook) < 0 || slices.Index(after, opHook) > slices.Index(after, opProcess) {
		t.Errorf("ops %v: want the startContainer hook after pivot_root, before the process", got)
	}
	// Each hook op is exactly its fields, as cinit_hooks.c reads them.
	var paths []string
	for off := 0; off < len(plan); {
		code := binary.NativeEndian.Uint32(plan[off:])
		n := int(binary.NativeEndian.Uint32(plan[off+4:]))
		op := plan[off+8 : off+8+n]
		off += 8 + n
		if code != opHook {
			continue
		}
		u64 := func() uint64 { v := binary.NativeEndian.Uint64(op); op = op[8:]; return v }
		str := func() string {
			l := binary.NativeEndian.Uint32(op)
			v := string(op[4 : 4+l-1])
			op = op[4+l:]
			return v
		}
		u64()
		str()
		u64()
		paths = append(paths, str())
		for k := u64(); k > 0; k-- {
			str()
		}
		for k := u64(); k > 0; k-- {
			str()
		}
		u64()
		u64()
		str()
		if len(op) != 0 {
			t.Errorf("hook op for %s: %d bytes past its fields", paths[len(paths)-1], len(op))
		}
	}
	if !slices.Equal(paths, []string{"/a", "/b", "/c"}) {
		t.Errorf("hook ops for %v, want /a, /b, /c", paths)
	}
	if !strings.Contains(string(plan), `{"ociVersion":"`+specs.Version+`","id":"c1","status":"creating","pid":4242,"bundle":"/b"}`) ||
		!strings.Contains(string(plan), `"status":"created","pid":4242`) {
		t.Errorf("the hooks' state JSON is not in the plan:\n%q", plan)
	}
}

func TestIDMapMountsAreAttachedFromTheRuntimesTree(t *testing.T) {
	s := specdefault.Default()
	s.Mounts = append(s.Mounts,
		specs.Mount{Destination: "/x", Type: "bind", Source: "/tmp", Options: []string{"bind", "idmap", "ro"}},
		specs.Mount{Destination: "/y", Type: "bind", Source: "/tmp", Options: []string{"rbind", "ridmap"}})
	if why := Unsupported(s); why != "" {
		t.Fatalf("idmapped mounts need the Go init: %s", why)
	}
	plan, err := Compile(input(s))
	if err != nil {
		t.Fatal(err)
	}
	got := ops(t, plan)
	n := 0
	for _, op := range got {
		if op == opIDMap {
			n++
		}
	}
	if n != 2 || slices.Index(got, opIDMap) > slices.Index(got, opPivot) {
		t.Errorf("ops %v: want two idmap ops, before pivot_root", got)
	}
}

func TestExecPlan(t *testing.T) {
	p := specdefault.Default().Process
	p.Terminal = true
	p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 10, Hard: 20})
	plan, err := CompileExec(ExecInput{ID: "c1", Process: p})
	if err != nil {
		t.Fatal(err)
	}
	got := ops(t, plan)
	want := []uint32{opConsole, opKeyring}
	for range p.Rlimits {
		want = append(want, opRlimit)
	}
	want = append(want[:2], append([]uint32{opExecMode}, want[2:]...)...)
	want = append(want, opProcess)
	if !slices.Equal(got, want) {
		t.Errorf("exec plan ops %v, want %v (no rootfs, no pivot, no hooks)", got, want)
	}
	if !strings.Contains(string(plan), "join the container's session keyring") {
		t.Error("the exec plan must name its keyring step as the Go init's exec does")
	}
	if _, err := CompileExec(ExecInput{ID: "c1", Process: &specs.Process{}}); err == nil {
		t.Error("an exec without args made a plan")
	}
}

func TestUnsupported(t *testing.T) {
	s := specdefault.Default()
	s.Linux = nil
	if Unsupported(s) == "" {
		t.Error("a spec without a linux section: the C init would run it")
	}
	if _, err := Compile(input(s)); err == nil {
		t.Error("a spec without a linux section: Compile made a plan")
	}
}

func TestCompileErrorsNameTheField(t *testing.T) {
	for want, edit := range map[string]func(*specs.Spec){
		`process.rlimits: unknown type "RLIMIT_BOGUS"`: func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_BOGUS"}}
		},
		`rootfsPropagation: unknown value "sideways"`: func(s *specs.Spec) { s.Linux.RootfsPropagation = "sideways" },
		`mount "/x": no filesystem type given`: func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/x"})
		},
		`create device "dev/x": device path must be absolute`: func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "dev/x", Type: "c"}}
		},
		`process.cwd "rel" must be an absolute path`: func(s *specs.Spec) { s.Process.Cwd = "rel" },
		`contains a NUL byte`:                        func(s *specs.Spec) { s.Process.Env = append(s.Process.Env, "A=b\x00c") },
		`process.args is empty`:                      func(s *specs.Spec) { s.Process.Args = nil },
	} {
		s := specdefault.Default()
		s.Process.Terminal = false
		edit(s)
		_, err := Compile(input(s))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error with %q", err, want)
		}
	}
}
