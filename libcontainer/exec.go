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

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/initplan"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/procinfo"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// ExecOptions are exec's runtime flags; the process itself comes from
// ExecProcess.
type ExecOptions struct {
	Process       *specs.Process
	ConsoleSocket string
	// ConsoleRelay: a foreground exec relays the terminal itself, so a
	// terminal needs no --console-socket.
	ConsoleRelay bool
	PidFile      string
	PreserveFDs  int
	// Cgroups are --cgroup values: "SUB" or "CTRL[,CTRL...]:SUB", a
	// sub-cgroup of the container's, in every hierarchy or in those
	// with the named controllers ("unified" names cgroup2).
	Cgroups      []string
	IgnorePaused bool
}

// Process is a process that Exec started in a container.
type Process struct {
	Pid     int
	console *os.File
}

// Console returns the pty master kept for a foreground exec -t, or nil.
func (p *Process) Console() *os.File { return p.console }

// procNS names each namespace type under /proc/PID/ns.
var procNS = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.NetworkNamespace: "net", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup", specs.TimeNamespace: "time",
}

// Exec starts o.Process in the running (or created) container: in every one
// of its namespaces, in its cgroups, with the process's own attributes. It
// returns once the program is exec'd (the process's sync socket closes on
// execve); the process is a child of the caller, which can wait for it.
func (c *Container) Exec(o ExecOptions) (p *Process, err error) {
	wrap := func(err error) error { return fmt.Errorf("container %q: exec: %w", c.st.ID, err) }
	proc := o.Process
	if proc == nil || len(proc.Args) == 0 {
		return nil, wrap(errors.New("no process to run"))
	}
	if proc.Terminal && o.ConsoleSocket == "" && !o.ConsoleRelay {
		return nil, wrap(errors.New("--tty needs a --console-socket when detached (nobody would hold the terminal)"))
	}
	if !proc.Terminal && o.ConsoleSocket != "" {
		return nil, wrap(errors.New("--console-socket was given but the process has no terminal (add --tty)"))
	}
	cgroups, err := c.execCgroups(o.Cgroups)
	if err != nil {
		return nil, wrap(err)
	}
	// The lock keeps delete and start from running while the process is
	// being placed; startExec releases it once the process has its config,
	// so that nothing the process does in the container (a FIFO where a
	// file was expected) can hold up a delete.
	if err := c.dir.Lock(); err != nil {
		return nil, err
	}
	defer c.dir.Unlock()
	switch s := c.Status(); s {
	case specs.StateStopped:
		return nil, wrap(errors.New("the container is stopped; only a created or running container takes new processes"))
	case StatePaused:
		if !o.IgnorePaused {
			return nil, wrap(errors.New("the container is paused; resume it first (or pass --ignore-paused)"))
		}
	}
	p, err = c.startExec(o, cgroups)
	if err != nil {
		return nil, wrap(err)
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, p.Pid); err != nil {
			killAndReap(p.Pid)
			if p.console != nil {
				p.console.Close()
			}
			return nil, wrap(err)
		}
	}
	return p, nil
}

// execBootstrap asks the C stage to join each of the container's namespaces
// through its init's /proc/PID/ns links. Namespaces the container shares
// with berth are skipped: joining them changes nothing, and after joining
// the container's user namespace it may not be allowed.
func (c *Container) execBootstrap() ([]byte, error) {
	var bs syncmsg.BootstrapBuilder
	for _, ns := range c.st.Config.Linux.Namespaces {
		name, ok := procNS[ns.Type]
		if !ok {
			return nil, fmt.Errorf("unknown namespace type %q in the recorded config", ns.Type)
		}
		path := fmt.Sprintf("/proc/%d/ns/%s", c.st.Pid, name)
		var theirs, ours unix.Stat_t
		if err := unix.Stat(path, &theirs); err != nil {
			return nil, fmt.Errorf("%s namespace of the container's init (%s): %w", ns.Type, path, err)
		}
		if unix.Stat("/proc/self/ns/"+name, &ours) == nil && ours.Dev == theirs.Dev && ours.Ino == theirs.Ino {
			continue
		}
		bs.NsPath(nsFlags[ns.Type], path)
	}
	bs.CloneFlags(0)
	if execInC() {
		bs.CInit()
	}
	return bs.Bytes(), nil
}

// execInC reports whether an exec'd process is set up by the C init (a
// plan, initplan.CompileExec), the default, or by the Go init
// (BERTH_INIT=go).
func execInC() bool { return os.Getenv(InitEnv) != "go" }

func (c *Container) startExec(o ExecOptions, cgroups []string) (*Process, error) {
	bootstrap, err := c.execBootstrap()
	if err != nil {
		return nil, err
	}
	// The container's filter applies to its exec'd processes too.
	filter, err := seccomp.CompileCached(c.st.Config.Linux.Seccomp, seccomp.CacheDir())
	if err != nil {
		return nil, err
	}
	parentFd, childFd, err := syncmsg.Socketpair()
	if err != nil {
		return nil, err
	}
	sync := os.NewFile(uintptr(parentFd), "sync")
	defer sync.Close()
	child := os.NewFile(uintptr(childFd), "sync-child")
	extra, err := passedFiles(o.PreserveFDs)
	if err != nil {
		child.Close()
		return nil, fmt.Errorf("--preserve-fds %d: %w", o.PreserveFDs, err)
	}
	extra = append(extra, child)
	cmd, err := newStageProcess("exec-init", []string{initproc.EnvSyncFd + "=" + strconv.Itoa(3+o.PreserveFDs)}, extra, execInC())
	if err != nil {
		child.Close()
		return nil, err
	}
	err = cmd.start(nil)
	runtime.KeepAlive(extra)
	child.Close()
	if err != nil {
		return nil, fmt.Errorf("start the namespace stage: %w", err)
	}
	pid := 0
	ok := false
	defer func() {
		if !ok && pid > 0 {
			killAndReap(pid)
		}
	}()
	if err := syncmsg.Write(sync, syncmsg.Bootstrap, bootstrap); err != nil {
		cmd.kill()
		return nil, fmt.Errorf("send bootstrap: %w", err)
	}
	for pid == 0 {
		m, err := syncmsg.Read(sync)
		if err != nil {
			cmd.wait()
			return nil, fmt.Errorf("namespace stage died without reporting (%v)", err)
		}
		switch m.Type {
		case syncmsg.ChildPid:
			if len(m.Payload) != 4 {
				cmd.wait()
				return nil, errors.New("bad pid message from the namespace stage")
			}
			pid = int(binary.NativeEndian.Uint32(m.Payload))
		case syncmsg.Error:
			cmd.wait()
			return nil, errors.New(string(m.Payload))
		default:
			cmd.kill()
			return nil, fmt.Errorf("unexpected message %d from the namespace stage", m.Type)
		}
	}
	cmd.wait()
	// The namespaces were opened by pid. The init being alive now, with
	// the start time recorded at create, proves that the pid named it
	// all along: a pid is not reused while its process lives.
	if !procinfo.Alive(c.st.Pid, c.st.StartTime) {
		return nil, errors.New("the container stopped while the process was being started")
	}
	// Into the container's cgroups before the process runs any of the
	// user's code: it waits for its config below.
	for _, dir := range cgroups {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			if errors.Is(err, unix.ENOSPC) {
				err = fmt.Errorf("%w (a v1 cpuset cgroup takes no process until its cpuset.cpus and cpuset.mems are set)", err)
			}
			return nil, fmt.Errorf("join cgroup %s: %w", dir, err)
		}
	}
	if adj := o.Process.OOMScoreAdj; adj != nil {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid), []byte(strconv.Itoa(*adj)), 0); err != nil {
			return nil, fmt.Errorf("set oomScoreAdj %d: %w", *adj, err)
		}
	}
	if execInC() {
		logging.Debug("container %q: exec: the C init sets up the process", c.st.ID)
		plan, err := initplan.CompileExec(initplan.ExecInput{ID: c.st.ID, Process: o.Process, PreserveFDs: o.PreserveFDs, Seccomp: filter})
		if err != nil {
			return nil, err
		}
		if err := syncmsg.Write(sync, syncmsg.Plan, plan); err != nil {
			return nil, fmt.Errorf("send the plan: %w", err)
		}
	} else {
		logging.Debug("container %q: exec: the Go init sets up the process (%s=go)", c.st.ID, InitEnv)
		cfg := initproc.ExecConfig{ID: c.st.ID, Process: o.Process, PreserveFDs: o.PreserveFDs, Seccomp: filter}
		if err := syncmsg.WriteJSON(sync, syncmsg.ExecConfig, &cfg); err != nil {
			return nil, fmt.Errorf("send config: %w", err)
		}
	}
	c.dir.Unlock()
	p := &Process{Pid: pid}
	defer func() {
		if !ok && p.console != nil {
			p.console.Close()
		}
	}()
	for {
		m, err := syncmsg.Read(sync)
		if errors.Is(err, io.EOF) {
			// The sync socket is close-on-exec: the program runs.
			ok = true
			return p, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read from the process: %w", err)
		}
		switch m.Type {
		case syncmsg.Console:
			fd, err := syncmsg.RecvFd(parentFd)
			if err != nil {
				return nil, fmt.Errorf("console: %w", err)
			}
			master := os.NewFile(uintptr(fd), "pty-master")
			if o.ConsoleSocket == "" {
				p.console = master
				break
			}
			err = sendConsole(o.ConsoleSocket, master)
			master.Close()
			if err != nil {
				return nil, err
			}
		case syncmsg.SeccompFd:
			if err := c.forwardSeccompFd(parentFd, pid, c.Status()); err != nil {
				return nil, err
			}
		case syncmsg.Error:
			return nil, errors.New(string(m.Payload))
		default:
			return nil, fmt.Errorf("unexpected message %d from the process", m.Type)
		}
	}
}

// execCgroups resolves --cgroup against the container's recorded cgroups:
// one directory per hierarchy, the container's own or the named sub-cgroup.
func (c *Container) execCgroups(flags []string) ([]string, error) {
	subs := map[string]string{} // hierarchy key -> sub-cgroup
	all := ""
	for _, f := range flags {
		ctrls, sub, hasCtrls := strings.Cut(f, ":")
		if !hasCtrls {
			sub, ctrls = f, ""
		}
		clean := filepath.Clean("/" + sub)
		if sub == "" || clean == "/" || strings.Contains(sub, "..") || filepath.IsAbs(sub) {
			return nil, fmt.Errorf("--cgroup %q: expected [CONTROLLER,...:]PATH with PATH a sub-cgroup relative to the container's, without \"..\"", f)
		}
		if !hasCtrls {
			all = clean
			continue
		}
		matched := false
		for _, ctrl := range strings.Split(ctrls, ",") {
			for key := range c.st.Cgroups {
				if hierarchyHas(key, ctrl) {
					subs[key] = clean
					matched = true
				}
			}
		}
		if !matched {
			return nil, fmt.Errorf("--cgroup %q: the container has no cgroup with controller %q", f, ctrls)
		}
	}
	if len(flags) > 0 && len(c.st.Cgroups) == 0 {
		return nil, fmt.Errorf("--cgroup: the container was not placed in any cgroup")
	}
	dirs := make([]string, 0, len(c.st.Cgroups))
	for key, dir := range c.st.Cgroups {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(key, dir)
		}
		sub := subs[key]
		if sub == "" {
			sub = all
		}
		if sub != "" {
			d := filepath.Join(dir, sub)
			if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
				return nil, fmt.Errorf("--cgroup: sub-cgroup %s does not exist (exec joins existing cgroups only)", d)
			}
			dir = d
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

// hierarchyHas says whether the recorded hierarchy key names ctrl: a v1
// key lists its controllers ("cpu,cpuacct"), a mount point ends with them,
// and cgroup2 is "unified".
func hierarchyHas(key, ctrl string) bool {
	for _, k := range strings.Split(filepath.Base(key), ",") {
		if k == ctrl {
			return true
		}
	}
	return false
}

// killAndReap kills a process of ours that never became the user's program.
func killAndReap(pid int) {
	unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	for {
		if _, err := unix.Wait4(pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
			return
		}
	}
}
