package libcontainer

import (
	"errors"
	"fmt"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/procinfo"
	"github.com/berth-runtime/berth/libcontainer/signals"
)

// StopSignalAnnotation names the signal that stops a container gracefully
// (the image's STOPSIGNAL, as engines copy it into config.json).
const StopSignalAnnotation = "org.opencontainers.image.stopSignal"

// TinyInitAnnotation asks for the built-in init (nsenter/tinyinit.c), as
// create --init does, for engines that cannot pass berth's flags.
const TinyInitAnnotation = "run.berth.init"

// killGrace bounds the wait after KILL: a process stuck in the kernel
// (uninterruptible I/O) can outlive KILL for a while, and stop says so.
const killGrace = 10 * time.Second

// StopSignal is the signal stop sends first: the annotation's, else TERM.
func (c *Container) StopSignal() (unix.Signal, error) {
	name, ok := c.st.Annotations[StopSignalAnnotation]
	if !ok || name == "" {
		return unix.SIGTERM, nil
	}
	sig, err := signals.Parse(name)
	if err != nil {
		return 0, fmt.Errorf("container %q: stop: annotation %s: %w", c.st.ID, StopSignalAnnotation, err)
	}
	return sig, nil
}

// Stop sends the stop signal to the init, waits up to timeout for the
// container to stop, then kills every process of its cgroup with KILL and
// waits for the init to be gone. Stopping a stopped container does nothing
// (as `docker stop` does), so scripts can stop unconditionally.
func (c *Container) Stop(timeout time.Duration) error {
	id := c.st.ID
	status := c.Status()
	if status == specs.StateStopped {
		logging.Debug("container %q: stop: already stopped", id)
		return nil
	}
	sig, err := c.StopSignal()
	if err != nil {
		return err
	}
	logging.Debug("container %q: stop: it is %s; sending %s, waiting up to %s", id, status, signals.Name(sig), timeout)
	if err := procinfo.Signal(c.st.Pid, c.st.StartTime, sig); err != nil {
		if errors.Is(err, procinfo.ErrGone) {
			logging.Debug("container %q: stop: the init exited before the signal", id)
			return nil
		}
		return fmt.Errorf("container %q: stop: send %s: %w", id, signals.Name(sig), err)
	}
	if status == StatePaused {
		// A frozen init acts on the signal only once thawed.
		logging.Debug("container %q: stop: thawing the paused container so it can act on %s", id, signals.Name(sig))
		if err := c.thaw(); err != nil {
			return fmt.Errorf("container %q: stop: thaw: %w", id, err)
		}
	}
	gone, err := waitGoneFor(c.st.Pid, c.st.StartTime, timeout)
	if err != nil {
		return fmt.Errorf("container %q: stop: %w", id, err)
	}
	if gone {
		logging.Debug("container %q: stop: stopped after %s", id, signals.Name(sig))
		return nil
	}
	logging.Debug("container %q: stop: still running after %s; sending KILL to every process of its cgroup", id, timeout)
	if err := c.signalAll(unix.SIGKILL); err != nil {
		// No cgroup recorded: the init alone, as kill does.
		if err := procinfo.Signal(c.st.Pid, c.st.StartTime, unix.SIGKILL); err != nil && !errors.Is(err, procinfo.ErrGone) {
			return fmt.Errorf("container %q: stop: send KILL: %w", id, err)
		}
	}
	// A v1 freezer holds KILL until thawed (the container may have been
	// paused while we waited).
	if c.frozen() {
		if err := c.thaw(); err != nil {
			return fmt.Errorf("container %q: stop: thaw after KILL: %w", id, err)
		}
	}
	gone, err = waitGoneFor(c.st.Pid, c.st.StartTime, killGrace)
	if err != nil {
		return fmt.Errorf("container %q: stop: %w", id, err)
	}
	if !gone {
		return fmt.Errorf("container %q: stop: the init (pid %d) is still alive %s after KILL; it is probably stuck in the kernel (see its state in /proc/%d/status)", id, c.st.Pid, killGrace, c.st.Pid)
	}
	logging.Debug("container %q: stop: stopped by KILL", id)
	return nil
}

func (c *Container) thaw() error {
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	return cg.Thaw()
}

// waitGoneFor waits up to d for the process to exit; it reports whether it
// did. The pidfd becomes readable when the process exits, before it is reaped.
func waitGoneFor(pid int, startTime uint64, d time.Duration) (bool, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return true, nil
		}
		return false, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(fd)
	if !procinfo.Alive(pid, startTime) {
		return true, nil
	}
	deadline := time.Now().Add(d)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		n, err := unix.Poll(fds, int(left.Milliseconds()))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return false, fmt.Errorf("wait for pid %d: %w", pid, err)
		}
		if n > 0 {
			return true, nil
		}
		if err == nil && left == 0 {
			return false, nil
		}
	}
}
