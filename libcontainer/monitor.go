package libcontainer

import (
	"encoding/binary"
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/procinfo"
	"github.com/berth-runtime/berth/libcontainer/state"
)

// Exit statuses are recorded by a monitor: the C stage's first process,
// which stays on the host as the init's parent (nsenter/monitor.c). It is
// started outside the container's cgroup, so that cgroup.kill, the freezer
// and the pids limit leave it alone; the namespace stage it forks asks to be
// placed in the cgroup (syncmsg.StagePid) before it clones the init.

// startStage starts the C stage: in the container's cgroup, or, with a
// monitor, outside it.
func (c *Container) startStage(cmd *stageProcess) error {
	if !c.st.KeepExitStatus {
		return c.startInCgroup(cmd)
	}
	return cmd.start(nil)
}

// placeStage answers a StagePid message: it returns the pid of the process
// that does the namespace work (whose uid/gid maps the parent writes), now
// in the container's cgroup.
func (c *Container) placeStage(payload []byte) (int, error) {
	if len(payload) != 4 {
		return 0, errors.New("bad stage pid message from init")
	}
	pid := int(binary.NativeEndian.Uint32(payload))
	if err := c.cg.Place(pid); err != nil {
		return 0, err
	}
	return pid, nil
}

// finishStage is called once the init's pid is known, when the stage was
// a process of its own (not in place): without a monitor
// the stage is exiting and is reaped in the background (its exit tears down
// a mapping of this whole binary: about a millisecond that the rest of the
// setup need not wait for; reaped() waits for it); with a monitor, the
// stage stays, and its identity is recorded for wait and delete.
func (c *Container) finishStage(cmd *stageProcess) error {
	if !c.st.KeepExitStatus {
		done := make(chan struct{})
		go func() {
			cmd.wait()
			close(done)
		}()
		c.stageReaped = done
		return nil
	}
	st, err := procinfo.ReadStat(cmd.pid)
	if err != nil {
		return fmt.Errorf("read the monitor's start time: %w", err)
	}
	// It outlives this command; whoever inherits it reaps it.
	c.st.MonitorPid, c.st.MonitorStart = cmd.pid, st.StartTime
	return nil
}

// waitMonitor waits for the monitor to have written the status and
// exited, so that the state directory can be removed under it.
func (c *Container) waitMonitor() {
	if c.st.MonitorPid <= 0 {
		return
	}
	// When create fails, this process is still the monitor's parent:
	// reap it rather than leave a zombie. Otherwise (ECHILD) whoever
	// inherited it reaps it; wait for it to be gone.
	var ws unix.WaitStatus
	if _, err := unix.Wait4(c.st.MonitorPid, &ws, 0, nil); err == nil {
		return
	}
	procinfo.WaitGone(c.st.MonitorPid, c.st.MonitorStart)
}

// ErrNoExitStatus says berth keeps no exit status for the container.
var ErrNoExitStatus = errors.New("exit statuses are recorded only for containers started with `berth run -d` or with --keep-exit-status")

// ExitStatus is how the container ended, with OOMKilled from its cgroup
// (which lives until delete); nil while it runs, or when nothing recorded it.
func (c *Container) ExitStatus() (*state.Exit, bool, error) {
	e, err := c.dir.ReadExit()
	if err != nil || e == nil {
		return nil, false, err
	}
	return e, c.OOMKills() > 0, nil
}

// Wait blocks until the container has stopped and its status is recorded.
func (c *Container) Wait() (*state.Exit, bool, error) {
	if !c.st.KeepExitStatus {
		if e, oom, err := c.ExitStatus(); e != nil || err != nil {
			return e, oom, err
		}
		return nil, false, fmt.Errorf("container %q: wait: %w", c.st.ID, ErrNoExitStatus)
	}
	if err := procinfo.WaitGone(c.st.Pid, c.st.StartTime); err != nil {
		return nil, false, fmt.Errorf("container %q: wait: %w", c.st.ID, err)
	}
	c.waitMonitor()
	e, oom, err := c.ExitStatus()
	if err != nil {
		return nil, false, err
	}
	if e == nil {
		return nil, false, fmt.Errorf("container %q: wait: it stopped but no exit status was recorded (its monitor, pid %d, was killed?)", c.st.ID, c.st.MonitorPid)
	}
	return e, oom, nil
}

// RecordExit stores the status of an init that this process reaped itself
// (a foreground run with --keep-exit-status).
func (c *Container) RecordExit(ws unix.WaitStatus) error {
	if err := c.flushState(); err != nil {
		return err
	}
	e := state.Exit{ExitCode: ws.ExitStatus()}
	if ws.Signaled() {
		e.Signal = int(ws.Signal())
		e.ExitCode = 128 + e.Signal
	}
	return c.dir.WriteExit(e)
}

// Exited is the recorded exit for state and list: only once the
// container is stopped.
func (c *Container) Exited(status specs.ContainerState) (*state.Exit, bool) {
	if status != specs.StateStopped {
		return nil, false
	}
	e, oom, err := c.ExitStatus()
	if err != nil {
		return nil, false
	}
	return e, oom
}

// reapStage waits until the stage that finishStage left exiting is reaped,
// so that no zombie outlives create.
func (c *Container) reapStage() {
	if c.stageReaped != nil {
		<-c.stageReaped
		c.stageReaped = nil
	}
}
