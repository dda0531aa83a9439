package libcontainer

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/exeguard"
)

// stageProcess is the C stage (nsenter/) as a child of this process. It is
// started with syscall.StartProcess, not os/exec: the first os.StartProcess
// of a process probes pidfd support (pidfd_open, waitid, pidfd_send_signal
// and a vfork'd child that exits at once), about 0.9 ms of every create
// here, for a pidfd that create does not use.
type stageProcess struct {
	path  string
	args  []string
	env   []string
	files []uintptr // the child's fds 0, 1, 2, 3, ...
	pid   int
	// cloneFlags: namespaces the child is created in (an in-place init).
	cloneFlags uintptr
}

// newStageProcess prepares the C stage. Where the init is in C (cinit), it
// is the standalone stage that make embeds in berth (package exeguard):
// an executable of about 110 KiB that execs and forks much faster than
// this binary. Otherwise, for the Go init, and in a berth built without
// make, it is this binary, whose constructor is the same stage. Either
// runs through its guard, never /proc/self/exe: until it execs the user's
// program the process runs berth's code in the container's namespaces,
// and its /proc/<pid>/exe would lead the container to the host's file
// (CVE-2019-5736). It gets stdio and extra from fd 3 on; the caller keeps
// extra alive until start returns.
func newStageProcess(arg string, env []string, extra []*os.File, cinit bool) (*stageProcess, error) {
	exe, err := stagePath(3+len(extra), cinit)
	if err != nil {
		return nil, err
	}
	files := []uintptr{0, 1, 2}
	for _, f := range extra {
		files = append(files, f.Fd())
	}
	return &stageProcess{path: exe, args: []string{"berth", arg}, env: env, files: files}, nil
}

func stagePath(inherited int, cinit bool) (string, error) {
	if cinit {
		exe, err := exeguard.StagePath(inherited)
		if err == nil {
			return exe, nil
		}
		if !errors.Is(err, exeguard.ErrNoStage) {
			return "", err
		}
	}
	return exeguard.Path(inherited)
}

func (p *stageProcess) start(sys *syscall.SysProcAttr) error {
	if p.cloneFlags != 0 {
		if sys == nil {
			sys = &syscall.SysProcAttr{}
		}
		sys.Cloneflags |= p.cloneFlags
	}
	pid, _, err := syscall.StartProcess(p.path, p.args, &syscall.ProcAttr{Env: p.env, Files: p.files, Sys: sys})
	if err != nil {
		return err
	}
	p.pid = pid
	return nil
}

// wait reaps the stage.
func (p *stageProcess) wait() {
	var ws unix.WaitStatus
	for {
		if _, err := unix.Wait4(p.pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// kill kills and reaps the stage.
func (p *stageProcess) kill() {
	unix.Kill(p.pid, unix.SIGKILL)
	p.wait()
}
