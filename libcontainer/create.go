package libcontainer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/hooks"
	"github.com/berth-runtime/berth/libcontainer/initplan"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/notify"
	"github.com/berth-runtime/berth/libcontainer/phase"
	"github.com/berth-runtime/berth/libcontainer/procinfo"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/state"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// CreateOptions are create's flags.
type CreateOptions struct {
	Root, ID, Bundle string
	PidFile          string
	ConsoleSocket    string
	NoPivot          bool
	NoNewKeyring     bool
	PreserveFDs      int
	// ConsoleRelay: a foreground run relays the terminal itself, so a
	// terminal needs no --console-socket.
	ConsoleRelay bool
	// KeepExitStatus starts a monitor that stays the init's parent and
	// records its exit status (see monitor.go).
	KeepExitStatus bool
	// Init runs the process under berth's built-in init (also asked for
	// by the annotation TinyInitAnnotation = "true").
	Init bool
	// NotifySocket is the caller's NOTIFY_SOCKET: the container gets a
	// notify socket of its own (package notify).
	NotifySocket string
	// ListenFDs socket-activation fds (from fd 3, named by ListenFDNames)
	// are passed ahead of the PreserveFDs ones (package notify).
	ListenFDs     int
	ListenFDNames string
	// BackgroundState: state.json is written in the background (see
	// Container.persist); the caller must FlushState before it exits.
	BackgroundState bool
}

const startSock = "start.sock"

// Create sets up a container and leaves its init waiting for Start.
// On any failure nothing is left behind: the init is killed and the state
// directory removed.
func Create(o CreateOptions) (c *Container, err error) {
	if err := state.ValidateID(o.ID); err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("container %q: create: %w", o.ID, err) }
	bundle, err := filepath.Abs(o.Bundle)
	if err != nil {
		return nil, wrap(err)
	}
	phase.Mark("create")
	spec, err := LoadConfig(bundle)
	if err != nil {
		return nil, wrap(err)
	}
	phase.Mark("config")
	rootfs := spec.Root.Path
	if !filepath.IsAbs(rootfs) {
		rootfs = filepath.Join(bundle, rootfs)
	}
	if fi, err := os.Stat(rootfs); err != nil || !fi.IsDir() {
		return nil, wrap(fmt.Errorf("rootfs %q (root.path) is missing or not a directory: check root.path in %s", rootfs, filepath.Join(bundle, "config.json")))
	}
	if rootfs, err = filepath.EvalSymlinks(rootfs); err != nil {
		return nil, wrap(fmt.Errorf("rootfs: %w", err))
	}
	if spec.Process.Terminal && o.ConsoleSocket == "" && !o.ConsoleRelay {
		return nil, wrap(errors.New("process.terminal is true but no --console-socket was given: pass one, run in the foreground, or set \"terminal\": false in config.json"))
	}
	if !spec.Process.Terminal && o.ConsoleSocket != "" {
		return nil, wrap(errors.New("--console-socket was given but process.terminal is false"))
	}
	// Built while the state, the cgroup and the init are set up; every
	// return waits for it, as it reads the spec.
	pending := compileInBackground(spec.Linux.Seccomp)
	defer pending.wait()
	dir, err := state.Create(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	if err := dir.Lock(); err != nil {
		dir.Remove()
		return nil, err
	}
	c = &Container{dir: dir, backgroundState: o.BackgroundState, st: &state.State{
		OCIVersion: spec.Version, ID: o.ID, Bundle: bundle, Rootfs: rootfs,
		Created: time.Now().UTC(), Owner: "", Annotations: spec.Annotations,
		OwnPidNS:       hasNS(spec, specs.PIDNamespace) && nsPath(spec, specs.PIDNamespace) == "",
		Config:         spec,
		KeepExitStatus: o.KeepExitStatus,
	}}
	defer func() {
		if err != nil {
			if ferr := c.flushState(); ferr != nil {
				c.warn(ferr)
			}
			c.destroyInit()
			if c.cg != nil {
				if derr := c.cg.Destroy(); derr != nil {
					c.warn(derr)
				}
			}
			dir.Remove()
			err = wrap(err)
		} else {
			dir.Unlock()
		}
	}()
	if o.NotifySocket != "" {
		if err := notify.AddToSpec(spec, dir.Path); err != nil {
			return c, err
		}
	}
	phase.Mark("state")
	if err := c.setupCgroup(); err != nil {
		return c, err
	}
	phase.Mark("cgroup")
	if err := c.launch(o, pending); err != nil {
		return c, err
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, c.st.Pid); err != nil {
			return c, err
		}
	}
	return c, nil
}

func writePidFile(path string, pid int) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("write pid file %q: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write pid file %q: %w", path, err)
	}
	return nil
}

// pendingFilter is a seccomp filter being compiled in the background:
// libseccomp takes about 25 ms for a docker-sized profile, and the filter
// is needed only once the init has booted, so the work runs on the other
// CPU while create makes the state directory and the cgroup and starts the
// init. With such a profile `run` of /bin/true went from 126 to 92 ms.
type pendingFilter struct {
	done   chan struct{}
	filter *seccomp.Filter
	err    error
}

func compileInBackground(c *specs.LinuxSeccomp) *pendingFilter {
	p := &pendingFilter{done: make(chan struct{})}
	go func() {
		p.filter, p.err = seccomp.CompileCached(c, seccomp.CacheDir())
		close(p.done)
	}()
	return p
}

func (p *pendingFilter) wait() (*seccomp.Filter, error) {
	<-p.done
	return p.filter, p.err
}

// listenStart binds the start socket in the state directory. The path goes
// through /proc/self/fd so that a long --root cannot overflow sun_path.
func listenStart(dir string) (*os.File, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	addr := &unix.SockaddrUnix{Name: fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), startSock)}
	if err := unix.Bind(fd, addr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind start socket: %w", err)
	}
	if err := unix.Listen(fd, 4); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("listen on start socket: %w", err)
	}
	return os.NewFile(uintptr(fd), "start-listener"), nil
}

func (c *Container) launch(o CreateOptions, pending *pendingFilter) error {
	spec := c.st.Config
	var bs syncmsg.BootstrapBuilder
	var flags uintptr
	joins := false
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path != "" {
			bs.NsPath(nsFlags[ns.Type], ns.Path)
			joins = true
		} else {
			flags |= nsFlags[ns.Type]
		}
	}
	// In place: the runtime clones the init itself into a new pid
	// namespace, and the stage, which is then the init, unshares the rest
	// (it applies to the caller) and carries on with no clone of its own.
	// That saves the stage's fork, exit and reaping, and a message. A
	// monitor, namespaces joined by path, and new user and time namespaces
	// (which must exist before the pid namespace, or take effect only in
	// children) keep the stage as a separate process.
	inPlace := !c.st.KeepExitStatus && !joins && flags&(unix.CLONE_NEWUSER|unix.CLONE_NEWTIME) == 0
	var cloneFlags uintptr
	if inPlace {
		bs.InPlace()
		cloneFlags = flags & unix.CLONE_NEWPID
		flags &^= unix.CLONE_NEWPID
		logging.Debug("container %q: create: the stage is the init itself (in place)", c.st.ID)
	} else {
		logging.Debug("container %q: create: the stage forks the init (a monitor, a namespace joined by path, or a new user or time namespace)", c.st.ID)
	}
	bs.CloneFlags(flags)
	if c.st.KeepExitStatus {
		bs.Monitor(c.dir.ExitPath())
	}
	if o.Init || spec.Annotations[TinyInitAnnotation] == "true" {
		bs.TinyInit()
	}
	useCInit := cInitFor(spec)
	if useCInit {
		bs.CInit()
		logging.Debug("container %q: create: the C init sets up the container", c.st.ID)
	} else {
		logging.Debug("container %q: create: the Go init sets up the container (%s)", c.st.ID, goInitWhy(spec))
	}
	if len(spec.Linux.TimeOffsets) > 0 {
		var b strings.Builder
		for clock, off := range spec.Linux.TimeOffsets {
			fmt.Fprintf(&b, "%s %d %d\n", clock, off.Secs, off.Nanosecs)
		}
		bs.TimeOffsets(b.String())
	}

	parentFd, childFd, err := syncmsg.Socketpair()
	if err != nil {
		return err
	}
	sync := os.NewFile(uintptr(parentFd), "sync")
	defer sync.Close()
	child := os.NewFile(uintptr(childFd), "sync-child")
	listener, err := listenStart(c.dir.Path)
	if err != nil {
		child.Close()
		return err
	}
	passed := o.ListenFDs + o.PreserveFDs
	extra, err := passedFiles(passed)
	if err != nil {
		child.Close()
		listener.Close()
		return fmt.Errorf("--preserve-fds %d with %d LISTEN_FDS: %w", o.PreserveFDs, o.ListenFDs, err)
	}
	extra = append(extra, child, listener)
	cmd, err := newStageProcess("init", []string{
		initproc.EnvSyncFd + "=" + strconv.Itoa(3+passed),
		initproc.EnvStartFd + "=" + strconv.Itoa(4+passed),
	}, extra, useCInit)
	if err != nil {
		child.Close()
		listener.Close()
		return err
	}
	if phase.Enabled() {
		cmd.env = append(cmd.env, phase.Env+"="+phase.Path())
	}
	cmd.cloneFlags = cloneFlags
	err = c.startStage(cmd)
	runtime.KeepAlive(extra)
	phase.Mark("stage-started")
	child.Close()
	listener.Close()
	if err != nil {
		return fmt.Errorf("start init: %w", err)
	}
	stageDone := false
	defer func() {
		if !stageDone {
			cmd.kill()
		}
	}()
	// Only now: the stage unshares its cgroup namespace as soon as it has
	// the bootstrap, and on a hybrid host startStage has only just placed
	// it in the v1 hierarchies, which the namespace must be rooted at.
	if err := syncmsg.Write(sync, syncmsg.Bootstrap, bs.Bytes()); err != nil {
		return fmt.Errorf("send bootstrap to init: %w", err)
	}
	stagePid := cmd.pid
	if inPlace {
		c.st.Pid = cmd.pid
	}
	for c.st.Pid == 0 {
		m, err := syncmsg.Read(sync)
		if err != nil {
			return fmt.Errorf("init's namespace stage died without reporting (%v)", err)
		}
		switch m.Type {
		case syncmsg.UsermapReq:
			if err := writeIDMaps(stagePid, spec); err != nil {
				return err
			}
			if err := syncmsg.Write(sync, syncmsg.Ack, nil); err != nil {
				return err
			}
		case syncmsg.StagePid:
			if stagePid, err = c.placeStage(m.Payload); err != nil {
				return err
			}
			if err := syncmsg.Write(sync, syncmsg.Ack, nil); err != nil {
				return err
			}
		case syncmsg.ChildPid:
			if len(m.Payload) != 4 {
				return errors.New("bad pid message from init")
			}
			// The C stage writes a uint32 in host byte order, as every frame.
			c.st.Pid = int(binary.NativeEndian.Uint32(m.Payload))
		case syncmsg.Error:
			return errors.New(string(m.Payload))
		default:
			return fmt.Errorf("unexpected message %d from init", m.Type)
		}
	}
	stageDone = true
	phase.Mark("init-pid")
	if !inPlace {
		if err := c.finishStage(cmd); err != nil {
			return err
		}
	}
	defer c.reapStage()
	st, err := procinfo.ReadStat(c.st.Pid)
	if err != nil {
		return fmt.Errorf("read init's start time: %w", err)
	}
	c.st.StartTime = st.StartTime
	if adj := spec.Process.OOMScoreAdj; adj != nil {
		p := fmt.Sprintf("/proc/%d/oom_score_adj", c.st.Pid)
		if err := os.WriteFile(p, []byte(strconv.Itoa(*adj)), 0); err != nil {
			return fmt.Errorf("set process.oomScoreAdj %d: %w", *adj, err)
		}
	}
	filter, err := pending.wait()
	if err != nil {
		return err
	}
	if useCInit {
		plan, err := initplan.Compile(initplan.Input{
			ID: c.st.ID, Bundle: c.st.Bundle, Rootfs: c.st.Rootfs, Spec: spec,
			NoPivot: o.NoPivot, NoNewKeyring: o.NoNewKeyring, PreserveFDs: o.PreserveFDs,
			ListenFDs: o.ListenFDs, ListenFDNames: o.ListenFDNames,
			UserNS: hasNS(spec, specs.UserNamespace), Cgroups: c.cgroupView(), Seccomp: filter,
			HostPid: c.st.Pid,
		})
		if err != nil {
			return err
		}
		if err := syncmsg.Write(sync, syncmsg.Plan, plan); err != nil {
			return initFailure(sync, fmt.Errorf("send the plan to init: %w", err))
		}
	} else {
		cfg := initproc.InitConfig{
			ID: c.st.ID, Bundle: c.st.Bundle, Rootfs: c.st.Rootfs, Spec: spec,
			NoPivot: o.NoPivot, NoNewKeyring: o.NoNewKeyring, PreserveFDs: o.PreserveFDs,
			ListenFDs: o.ListenFDs, ListenFDNames: o.ListenFDNames,
			HostPid: c.st.Pid, UserNS: hasNS(spec, specs.UserNamespace),
			Cgroups: c.cgroupView(),
			Seccomp: filter,
		}
		if err := syncmsg.WriteJSON(sync, syncmsg.Config, &cfg); err != nil {
			return initFailure(sync, fmt.Errorf("send config to init: %w", err))
		}
	}
	phase.Mark("config-sent")
	if err := sendIDMapTrees(sync, spec, c.st.Bundle); err != nil {
		return err
	}
	for {
		m, err := syncmsg.Read(sync)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return c.initVanished()
			}
			return fmt.Errorf("read from init: %w", err)
		}
		switch m.Type {
		case syncmsg.HooksReq:
			s := c.OCIState(specs.StateCreating)
			if err := hooks.Run("prestart", spec.Hooks.Prestart, s); err != nil { //nolint:staticcheck
				return err
			}
			if err := hooks.Run("createRuntime", spec.Hooks.CreateRuntime, s); err != nil {
				return err
			}
			if err := syncmsg.Write(sync, syncmsg.HooksDone, nil); err != nil {
				return err
			}
		case syncmsg.Console:
			fd, err := syncmsg.RecvFd(parentFd)
			if err != nil {
				return fmt.Errorf("console: %w", err)
			}
			master := os.NewFile(uintptr(fd), "pty-master")
			if o.ConsoleSocket == "" {
				c.console = master
				break
			}
			err = sendConsole(o.ConsoleSocket, master)
			master.Close()
			if err != nil {
				return err
			}
		case syncmsg.SeccompFd:
			if err := c.forwardSeccompFd(parentFd, c.st.Pid, specs.StateCreating); err != nil {
				return err
			}
		case syncmsg.Ready:
			phase.Mark("ready")
			return c.persist()
		case syncmsg.Error:
			return errors.New(string(m.Payload))
		default:
			return fmt.Errorf("unexpected message %d from init", m.Type)
		}
	}
}

// initFailure returns the init's own error message when it failed (and
// closed its end) before a write to it, the write's error otherwise: an
// in-place init reports namespace failures only after the bootstrap.
func initFailure(sync *os.File, err error) error {
	if m, rerr := syncmsg.Read(sync); rerr == nil && m.Type == syncmsg.Error {
		return errors.New(string(m.Payload))
	}
	return err
}

// InitEnv, set to "go", makes every container run the Go init (package
// initproc) even where the C init (nsenter/cinit.c) could: the tests run
// both, and it is a way out should the C init misbehave somewhere.
const InitEnv = "BERTH_INIT"

// cInitFor reports whether spec's init runs in C: the default, for every
// spec that initplan.Unsupported accepts.
func cInitFor(spec *specs.Spec) bool {
	return os.Getenv(InitEnv) != "go" && initplan.Unsupported(spec) == ""
}

func goInitWhy(spec *specs.Spec) string {
	if why := initplan.Unsupported(spec); why != "" {
		return why
	}
	return InitEnv + "=go"
}

// sendConsole hands the pty master to the engine's console socket.
func sendConsole(path string, master *os.File) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return fmt.Errorf("connect to --console-socket %q: %w", path, err)
	}
	if err := syncmsg.SendFd(fd, "/dev/ptmx", int(master.Fd())); err != nil {
		return fmt.Errorf("send the pty master to --console-socket %q: %w", path, err)
	}
	return nil
}

func writeIDMaps(pid int, spec *specs.Spec) error {
	format := func(m []specs.LinuxIDMapping) string {
		var b strings.Builder
		for _, e := range m {
			fmt.Fprintf(&b, "%d %d %d\n", e.ContainerID, e.HostID, e.Size)
		}
		return b.String()
	}
	base := fmt.Sprintf("/proc/%d/", pid)
	if err := os.WriteFile(base+"uid_map", []byte(format(spec.Linux.UIDMappings)), 0); err != nil {
		return fmt.Errorf("write linux.uidMappings: %w", err)
	}
	if err := os.WriteFile(base+"gid_map", []byte(format(spec.Linux.GIDMappings)), 0); err != nil {
		return fmt.Errorf("write linux.gidMappings: %w", err)
	}
	return nil
}

// destroyInit kills a half-created container's init and reaps it.
func (c *Container) destroyInit() {
	if c.st.Pid <= 0 {
		return
	}
	unix.Kill(c.st.Pid, unix.SIGKILL)
	var ws unix.WaitStatus
	unix.Wait4(c.st.Pid, &ws, 0, nil)
	c.waitMonitor()
}
