package libcontainer

import (
	"errors"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/cgroups"
	"github.com/berth-runtime/berth/libcontainer/hooks"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/procinfo"
	"github.com/berth-runtime/berth/libcontainer/state"
)

// Container is a created container and its recorded state.
type Container struct {
	dir *state.Dir
	st  *state.State
	// console is the pty master of a container created for a foreground
	// run (ConsoleRelay); nil otherwise.
	console *os.File
	cg      *cgroups.Cgroup // loaded on first use; see cgroup()
	// stageReaped is closed once create's exiting C stage is reaped
	// (see finishStage).
	stageReaped chan struct{}
	// backgroundState and pending: see persist.
	backgroundState bool
	pending         *pendingWrite
}

// Console returns the pty master kept for a foreground run, or nil.
func (c *Container) Console() *os.File { return c.console }

// Load finds a container by ID.
func Load(root, id string) (*Container, error) {
	dir, err := state.Open(root, id)
	if err != nil {
		return nil, err
	}
	st, err := dir.Load()
	if err != nil {
		return nil, err
	}
	return &Container{dir: dir, st: st}, nil
}

// ID is the container's ID.
func (c *Container) ID() string { return c.st.ID }

// Pid is the init's pid on the host.
func (c *Container) Pid() int { return c.st.Pid }

// Recorded is the on-disk record (read-only use).
func (c *Container) Recorded() *state.State { return c.st }

// Status derives the container's status from its init process rather than
// trusting the record: a PID that was reused by another process has another
// start time and reads as stopped.
func (c *Container) Status() specs.ContainerState {
	if !procinfo.Alive(c.st.Pid, c.st.StartTime) {
		return specs.StateStopped
	}
	if !c.st.Started && c.startPending() {
		return specs.StateCreated
	}
	if c.frozen() {
		return StatePaused
	}
	return specs.StateRunning
}

// OCIState is the runtime-spec state, as hooks and `state` print it.
func (c *Container) OCIState(status specs.ContainerState) *specs.State {
	pid := c.st.Pid
	if status == specs.StateStopped {
		pid = 0
	}
	return &specs.State{
		Version: specs.Version, ID: c.st.ID, Status: status, Pid: pid,
		Bundle: c.st.Bundle, Annotations: c.st.Annotations,
	}
}

// Start releases a created container's init to exec the process, then runs
// the poststart hooks (whose failures are only warnings, per the spec).
func (c *Container) Start() error {
	if err := c.dir.Lock(); err != nil {
		return err
	}
	defer c.dir.Unlock()
	if s := c.Status(); s != specs.StateCreated {
		return fmt.Errorf("container %q: start: cannot start a container that is %s", c.st.ID, s)
	}
	if err := c.release(); err != nil {
		return fmt.Errorf("container %q: start: %w", c.st.ID, err)
	}
	// Not recorded in state.json: release removed the start socket, and
	// its absence is what says "started" (startPending). A foreground run
	// deletes the record a few milliseconds later; rewriting it here
	// cost a temporary file and a rename in every start.
	c.st.Started = true
	if h := c.st.Config.Hooks; h != nil {
		hooks.RunAll("poststart", h.Poststart, c.OCIState(specs.StateRunning), c.warn)
	}
	return nil
}

// startPending says whether the init still waits for start: its start
// socket is there until release sees the init reach execve (runc reads its
// exec fifo's presence the same way). A failed lstat other than ENOENT
// keeps the container "created", the state it had when it was recorded.
func (c *Container) startPending() bool {
	var st unix.Stat_t
	err := unix.Lstat(c.dir.Path+"/"+startSock, &st)
	return !errors.Is(err, unix.ENOENT)
}

// release connects to the init's start socket. EOF means the init reached
// execve (the connection is close-on-exec); text is the init's error.
func (c *Container) release() error {
	d, err := os.Open(c.dir.Path)
	if err != nil {
		return err
	}
	defer d.Close()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	conn := os.NewFile(uintptr(fd), "start")
	defer conn.Close()
	addr := &unix.SockaddrUnix{Name: fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), startSock)}
	if err := unix.Connect(fd, addr); err != nil {
		return fmt.Errorf("connect to the init's start socket: %w", err)
	}
	if _, err := conn.Write([]byte{'S'}); err != nil {
		return fmt.Errorf("signal the init to start: %w", err)
	}
	msg, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, unix.ECONNRESET) {
		return fmt.Errorf("read the init's answer: %w", err)
	}
	if len(msg) > 0 {
		return errors.New(string(msg))
	}
	// The socket's absence records the start (startPending).
	if err := os.Remove(c.dir.Path + "/" + startSock); err != nil {
		return fmt.Errorf("record the start: %w", err)
	}
	return nil
}

func (c *Container) warn(err error) { logging.Warn("container %q: %v", c.st.ID, err) }

// ErrNotRunning is returned by Signal for a stopped container.
var ErrNotRunning = errors.New("container is not running")

// Signal sends sig to the init, or with all to every process of the container.
func (c *Container) Signal(sig unix.Signal, all bool) error {
	status := c.Status()
	if status == specs.StateStopped {
		return fmt.Errorf("container %q: kill: %w", c.st.ID, ErrNotRunning)
	}
	if all {
		if err := c.signalAll(sig); err != nil {
			return fmt.Errorf("container %q: kill --all: %w", c.st.ID, err)
		}
		return nil
	}
	if err := procinfo.Signal(c.st.Pid, c.st.StartTime, sig); err != nil {
		if errors.Is(err, procinfo.ErrGone) {
			return fmt.Errorf("container %q: kill: %w", c.st.ID, ErrNotRunning)
		}
		return fmt.Errorf("container %q: kill: %w", c.st.ID, err)
	}
	if status == StatePaused && sig == unix.SIGKILL {
		// A frozen task acts on SIGKILL only once thawed (v1 freezer).
		if cg, err := c.cgroup(); err == nil {
			if err := cg.Thaw(); err != nil {
				return fmt.Errorf("container %q: kill: thaw after KILL: %w", c.st.ID, err)
			}
		}
	}
	return nil
}

// Delete removes a stopped or created container; a running one only with
// force, after killing it. The poststop hooks run last, as warnings.
func (c *Container) Delete(force bool) error {
	if err := c.flushState(); err != nil {
		c.warn(err)
	}
	if err := c.dir.Lock(); err != nil {
		return err
	}
	switch s := c.Status(); s {
	case specs.StateRunning, StatePaused:
		if !force {
			c.dir.Unlock()
			return fmt.Errorf("container %q: delete: it is %s; stop it first (berth kill %s KILL) or use --force", c.st.ID, s, c.st.ID)
		}
		fallthrough
	case specs.StateCreated:
		if err := c.killAndWait(); err != nil {
			c.dir.Unlock()
			return fmt.Errorf("container %q: delete: %w", c.st.ID, err)
		}
	}
	// The monitor writes into the state directory until it exits.
	c.waitMonitor()
	// Whatever is left in the cgroup (daemons of a container without its
	// own pid namespace) dies with it; then every directory goes.
	if cg, err := c.cgroup(); err == nil {
		if err := cg.Destroy(); err != nil {
			c.dir.Unlock()
			return fmt.Errorf("container %q: delete: %w", c.st.ID, err)
		}
	}
	if err := c.dir.Remove(); err != nil {
		return err
	}
	if h := c.st.Config.Hooks; h != nil {
		hooks.RunAll("poststop", h.Poststop, c.OCIState(specs.StateStopped), c.warn)
	}
	return nil
}

func (c *Container) killAndWait() error {
	// cgroup.kill (or a frozen sweep) reaches every process, with or
	// without a pid namespace of the container's own.
	if err := c.signalAll(unix.SIGKILL); err != nil {
		if err := procinfo.Signal(c.st.Pid, c.st.StartTime, unix.SIGKILL); err != nil && !errors.Is(err, procinfo.ErrGone) {
			return err
		}
	}
	return procinfo.WaitGone(c.st.Pid, c.st.StartTime)
}
