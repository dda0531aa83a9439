package initplan

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/caps"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/sysctl"
)

// Op codes; nsenter/cinit.h has the same values and each op's fields.
const (
	opHostname        = 1
	opDomainname      = 2
	opRootPropagation = 3
	opRootfs          = 4
	opMount           = 5
	opBind            = 6
	opFinish          = 7
	opCgroup          = 8
	opDevice          = 9
	opDevSymlinks     = 10
	opHooks           = 11
	opPivot           = 12
	opMoveRoot        = 13
	opSharedRoot      = 14
	opMask            = 15
	opReadonly        = 16
	opMkcwd           = 17
	opReadonlyRoot    = 18
	opKeyring         = 19
	opRlimit          = 20
	opProcess         = 21
	opConsole         = 22
	opSysctl          = 23
	opHook            = 24
	opIDMap           = 25
	opExecMode        = 26
)

// Input is what a plan is compiled from: the fields of initproc.InitConfig
// that the init uses.
type Input struct {
	ID, Bundle, Rootfs string
	Spec               *specs.Spec
	NoPivot            bool
	NoNewKeyring       bool
	PreserveFDs        int
	ListenFDs          int
	ListenFDNames      string
	UserNS             bool
	Cgroups            *rootfs.CgroupView
	Seccomp            *seccomp.Filter
	// HostPid is the init's pid on the host, for the hooks' state.
	HostPid int
}

// Unsupported says why the C init cannot run s, or "" when it can. Every
// feature of the Go init (package initproc) is ported; what is left are
// specs that create refuses anyway, which the Go init then reports.
func Unsupported(s *specs.Spec) string {
	p := s.Process
	switch {
	case p == nil:
		return "no process"
	case s.Linux == nil:
		return "no linux section"
	}
	return ""
}

// builder writes ops; the first string that cannot be sent (one with a NUL
// byte, which C would cut short) is kept as the error.
type builder struct {
	buf []byte
	op  []byte
	err error
}

func (b *builder) u64(v uint64) { b.op = binary.NativeEndian.AppendUint64(b.op, v) }

func (b *builder) bytes(v []byte) {
	b.op = binary.NativeEndian.AppendUint32(b.op, uint32(len(v)))
	b.op = append(b.op, v...)
}

func (b *builder) str(v string) {
	if strings.IndexByte(v, 0) >= 0 && b.err == nil {
		b.err = fmt.Errorf("%q contains a NUL byte", v)
	}
	b.op = binary.NativeEndian.AppendUint32(b.op, uint32(len(v)+1))
	b.op = append(b.op, v...)
	b.op = append(b.op, 0)
}

func (b *builder) strs(v []string) {
	b.u64(uint64(len(v)))
	for _, s := range v {
		b.str(s)
	}
}

func (b *builder) flag(v bool) {
	if v {
		b.u64(1)
	} else {
		b.u64(0)
	}
}

// end closes the op that the calls since the last end wrote.
func (b *builder) end(code uint32) {
	b.buf = binary.NativeEndian.AppendUint32(b.buf, code)
	b.buf = binary.NativeEndian.AppendUint32(b.buf, uint32(len(b.op)))
	b.buf = append(b.buf, b.op...)
	b.op = b.op[:0]
}

// Compile turns in into a plan. Its errors are the ones the Go init would
// report for the same spec, in the same words.
func Compile(in Input) ([]byte, error) {
	s := in.Spec
	if why := Unsupported(s); why != "" {
		return nil, fmt.Errorf("the C init cannot run this config: %s", why)
	}
	var b builder
	if s.Hostname != "" {
		b.str(s.Hostname)
		b.end(opHostname)
	}
	if s.Domainname != "" {
		b.str(s.Domainname)
		b.end(opDomainname)
	}
	// After the names, as the Go init: kernel.domainname here wins over
	// domainname. The keys were checked at create (namespaced, and the
	// container has that namespace); sorted, so every run writes them in
	// one order.
	for _, k := range slices.Sorted(maps.Keys(s.Linux.Sysctl)) {
		p, err := sysctl.ProcPath(k)
		if err != nil {
			return nil, err
		}
		b.str(k)
		b.str(p)
		b.str(s.Linux.Sysctl[k])
		b.end(opSysctl)
	}
	if err := compileRootfs(&b, in); err != nil {
		return nil, err
	}
	if err := compileProcess(&b, in); err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, fmt.Errorf("plan: %w", b.err)
	}
	return b.buf, nil
}

func compileRootfs(b *builder, in Input) error {
	s := in.Spec
	hostProp, prop, err := rootfs.Propagations(s)
	if err != nil {
		return err
	}
	b.u64(uint64(hostProp))
	b.str(rootfs.PropagationName(hostProp))
	b.end(opRootPropagation)
	b.str(in.Rootfs)
	b.end(opRootfs)

	for i, m := range s.Mounts {
		if err := compileMount(b, in, i, m); err != nil {
			return err
		}
	}
	if !rootfs.OwnDev(s) {
		if err := compileDevices(b, in); err != nil {
			return err
		}
	}
	if h := s.Hooks; h != nil && (len(h.Prestart) > 0 || len(h.CreateRuntime) > 0) { //nolint:staticcheck // prestart is deprecated but still honoured
		b.end(opHooks)
	}
	if h := s.Hooks; h != nil {
		// In the container's namespaces, after the mounts and before
		// pivot_root (runtime-spec, config.md#createcontainer-hooks).
		if err := compileHooks(b, in, "createContainer", h.CreateContainer, specs.StateCreating, false); err != nil {
			return err
		}
	}
	b.str(in.Rootfs)
	if in.NoPivot {
		b.end(opMoveRoot)
	} else {
		b.end(opPivot)
	}
	if prop&unix.MS_SHARED != 0 {
		b.flag(prop&unix.MS_REC != 0)
		b.str(s.Linux.RootfsPropagation)
		b.end(opSharedRoot)
	}
	for _, p := range s.Linux.MaskedPaths {
		b.str(p)
		b.end(opMask)
	}
	for _, p := range s.Linux.ReadonlyPaths {
		b.str(p)
		b.end(opReadonly)
	}
	// The cwd is created before the root turns read-only, as runc does,
	// so an image without it still runs with root.readonly.
	if cwd := s.Process.Cwd; cwd != "" {
		if !filepath.IsAbs(cwd) {
			return fmt.Errorf("process.cwd %q must be an absolute path", cwd)
		}
		b.str(cwd)
		b.end(opMkcwd)
	}
	if s.Root != nil && s.Root.Readonly {
		b.end(opReadonlyRoot)
	}
	return nil
}

func compileMount(b *builder, in Input, idx int, m specs.Mount) error {
	dest := rootfs.DestIn(m)
	o, err := rootfs.ParseOptions(m.Options, m.Type == "bind")
	if err != nil {
		return fmt.Errorf("mount %q: %w", m.Destination, err)
	}
	options := strings.Join(m.Options, ",")
	switch {
	case o.IDMap:
		// The runtime makes the idmapped tree and sends it after the
		// plan (sendIDMapTrees); the init attaches it.
		b.u64(uint64(idx))
		b.str(m.Destination)
		b.str(dest)
		b.str(m.Source)
		b.u64(uint64(o.Flags &^ unix.MS_REMOUNT))
		b.u64(uint64(o.ClearFlags))
		b.str(options)
		b.end(opIDMap)
	case rootfs.IsBindMount(m):
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(in.Bundle, src)
		}
		b.str(m.Destination)
		b.str(dest)
		b.str(m.Source)
		b.str(src)
		b.flag(o.Recursive)
		b.u64(uint64(o.Flags &^ unix.MS_REMOUNT))
		b.u64(uint64(o.ClearFlags))
		b.str(options)
		b.end(opBind)
	case m.Type == "":
		return fmt.Errorf("mount %q: no filesystem type given", m.Destination)
	case m.Type == "cgroup" || m.Type == "cgroup2":
		view := in.Cgroups
		if view == nil {
			view = &rootfs.CgroupView{}
		}
		b.str(m.Destination)
		b.str(dest)
		b.flag(hasNamespace(in.Spec, specs.CgroupNamespace))
		b.u64(uint64(o.Flags &^ unix.MS_REMOUNT))
		b.flag(o.Flags&unix.MS_RDONLY != 0)
		b.str(view.Unified)
		b.u64(uint64(len(view.V1)))
		for _, v := range view.V1 {
			b.str(v.Name)
			b.str(strings.Join(v.Controllers, ","))
			b.str(v.Dir)
		}
		b.end(opCgroup)
	default:
		b.str(m.Destination)
		b.str(dest)
		b.str(m.Source)
		b.str(m.Type)
		b.u64(uint64(o.Flags &^ unix.MS_REMOUNT))
		b.str(strings.Join(o.Data, ","))
		b.flag(m.Type == "proc")
		b.str(options)
		b.end(opMount)
	}
	if len(o.Propagation) == 0 && o.AttrSet == 0 && o.AttrClr == 0 && !o.HasRecAtime {
		return nil
	}
	b.str(m.Destination)
	b.str(dest)
	b.u64(uint64(len(o.Propagation)))
	for _, p := range o.Propagation {
		b.u64(uint64(p))
	}
	b.u64(o.AttrSet)
	b.u64(o.AttrClr)
	b.flag(o.HasRecAtime)
	b.u64(o.RecAtime)
	b.end(opFinish)
	return nil
}

func compileDevices(b *builder, in Input) error {
	for _, d := range rootfs.Devices(in.Spec) {
		if !filepath.IsAbs(d.Path) {
			return fmt.Errorf("create device %q: device path must be absolute", d.Path)
		}
		mode, err := rootfs.DeviceMode(d)
		if err != nil {
			return fmt.Errorf("create device %q: %w", d.Path, err)
		}
		var uid, gid uint32
		if d.UID != nil {
			uid = *d.UID
		}
		if d.GID != nil {
			gid = *d.GID
		}
		b.str(d.Path)
		b.str(filepath.Clean(d.Path))
		b.str(filepath.Dir(d.Path))
		b.str(filepath.Base(d.Path))
		b.u64(uint64(mode))
		b.u64(uint64(d.Major))
		b.u64(uint64(d.Minor))
		b.u64(uint64(uid))
		b.u64(uint64(gid))
		b.flag(in.UserNS)
		b.end(opDevice)
	}
	b.end(opDevSymlinks)
	return nil
}

func mask(l []uint) uint64 {
	var m uint64
	for _, c := range l {
		m |= 1 << c
	}
	return m
}

func compileProcess(b *builder, in Input) error {
	p := in.Spec.Process
	if h := in.Spec.Hooks; h != nil {
		// Kept by the init until start, then run before the process is
		// executed (runtime-spec, config.md#startcontainer-hooks).
		if err := compileHooks(b, in, "startContainer", h.StartContainer, specs.StateCreated, true); err != nil {
			return err
		}
	}
	if p.Terminal {
		// Where the Go init sets it up: after the root's last change,
		// before the keyring.
		compileConsole(b, p, true)
	}
	if !in.NoNewKeyring {
		b.str("_ses." + in.ID)
		b.str("join a new session keyring")
		b.end(opKeyring)
	}
	return compileProcessTail(b, p, in.ListenFDs, in.ListenFDNames, in.PreserveFDs, in.Seccomp)
}

// compileConsole asks for a pty as the process's terminal; the init's is
// also /dev/console (devConsole), an exec'd process's is not.
func compileConsole(b *builder, p *specs.Process, devConsole bool) {
	var w, h uint
	if p.ConsoleSize != nil {
		w, h = p.ConsoleSize.Width, p.ConsoleSize.Height
	}
	b.flag(p.ConsoleSize != nil)
	b.u64(uint64(w))
	b.u64(uint64(h))
	b.flag(devConsole)
	b.end(opConsole)
}

// compileProcessTail writes what an init and an exec'd process share: the
// rlimits, then the process op (initproc's prepareProcess and
// execProcess).
func compileProcessTail(b *builder, p *specs.Process, listenFDs int, listenNames string, preserveFDs int, f *seccomp.Filter) error {
	for _, rl := range p.Rlimits {
		n, ok := initproc.RlimitNumber(rl.Type)
		if !ok {
			return fmt.Errorf("process.rlimits: unknown type %q", rl.Type)
		}
		b.u64(uint64(n))
		b.u64(rl.Soft)
		b.u64(rl.Hard)
		b.str(rl.Type)
		b.end(opRlimit)
	}
	capset, err := caps.Parse(p.Capabilities)
	if err != nil {
		return err
	}
	if len(p.Args) == 0 || p.Args[0] == "" {
		return errors.New("process.args is empty: nothing to run")
	}
	b.str(p.Cwd)
	b.flag(true) // HOME from /etc/passwd when the env has none
	b.u64(uint64(p.User.UID))
	b.u64(uint64(p.User.GID))
	b.u64(uint64(len(p.User.AdditionalGids)))
	for _, g := range p.User.AdditionalGids {
		b.u64(uint64(g))
	}
	b.flag(capset != nil)
	if capset != nil {
		b.u64(uint64(caps.LastCap()))
		b.u64(mask(capset.Bounding))
		b.u64(mask(capset.Effective))
		b.u64(mask(capset.Permitted))
		b.u64(mask(capset.Inheritable))
		// The kernel allows an ambient capability only when it is both
		// permitted and inheritable; runc's default config lists
		// ambient ones without inheritable (since CVE-2022-29162), so
		// such entries are skipped rather than fatal.
		b.u64(mask(capset.Ambient) & mask(capset.Permitted) & mask(capset.Inheritable))
	} else {
		for i := 0; i < 6; i++ {
			b.u64(0)
		}
	}
	b.flag(p.NoNewPrivileges)
	umask := uint32(0o022)
	if p.User.Umask != nil {
		umask = *p.User.Umask
	}
	b.u64(uint64(umask))
	b.u64(uint64(listenFDs + preserveFDs))
	b.u64(uint64(listenFDs))
	b.str(listenNames)
	b.strs(p.Args)
	b.strs(p.Env)
	b.flag(f != nil)
	if f != nil {
		b.flag(initproc.SeccompEarly(f, p.NoNewPrivileges))
		b.u64(uint64(f.Flags))
		b.bytes(f.Program)
	} else {
		b.u64(0)
		b.u64(0)
		b.bytes(nil)
	}
	b.end(opProcess)
	return nil
}

// ExecInput is what a process that `berth exec` starts in a running
// container needs: its own attributes, and the container's seccomp filter.
type ExecInput struct {
	ID          string
	Process     *specs.Process
	PreserveFDs int
	Seccomp     *seccomp.Filter
}

// CompileExec turns an exec'd process into a plan for the C init, which
// then does what initproc's runExec does: the C stage has joined the
// container's namespaces, so nothing is built; the process gets its pty
// (not /dev/console), joins the container's session keyring, takes its own
// attributes and is executed, without waiting for a start.
func CompileExec(in ExecInput) ([]byte, error) {
	p := in.Process
	if p == nil || len(p.Args) == 0 {
		return nil, errors.New("exec config has no process to run")
	}
	var b builder
	if p.Terminal {
		compileConsole(&b, p, false)
	}
	// The container's session keyring (the init made it under this
	// name), not the caller's, whose keys the container must not read.
	b.str("_ses." + in.ID)
	b.str("join the container's session keyring")
	b.end(opKeyring)
	b.end(opExecMode)
	if err := compileProcessTail(&b, p, 0, "", in.PreserveFDs, in.Seccomp); err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, fmt.Errorf("plan: %w", b.err)
	}
	return b.buf, nil
}

func hasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// compileHooks writes one op per hook with the state JSON the hook reads
// on stdin, as package hooks would encode it for the Go init.
func compileHooks(b *builder, in Input, kind string, hooks []specs.Hook, status specs.ContainerState, afterStart bool) error {
	if len(hooks) == 0 {
		return nil
	}
	state, err := json.Marshal(&specs.State{
		Version: specs.Version, ID: in.ID, Status: status, Pid: in.HostPid,
		Bundle: in.Bundle, Annotations: in.Spec.Annotations,
	})
	if err != nil {
		return fmt.Errorf("%s hook: encode state: %w", kind, err)
	}
	for i, h := range hooks {
		b.flag(afterStart)
		b.str(kind)
		b.u64(uint64(i))
		b.str(h.Path)
		b.strs(h.Args)
		b.strs(h.Env)
		b.flag(h.Timeout != nil)
		var t int64
		if h.Timeout != nil {
			t = int64(*h.Timeout)
		}
		b.u64(uint64(t))
		b.str(string(state))
		b.end(opHook)
	}
	return nil
}
