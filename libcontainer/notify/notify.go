package notify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const (
	// dirName is the socket's directory in the container's state directory.
	dirName = "notify"
	// sockName is the socket's name, in dirName and in ContainerDir.
	sockName = "notify.sock"
	// ContainerDir is where the container sees the directory (runc's place).
	ContainerDir = "/run/notify"
)

// AddToSpec prepares a container created while NOTIFY_SOCKET was set: it
// makes stateDir/notify and adds to spec the read-only bind mount of it on
// /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock. The socket itself is
// bound by `start` (Listen), which is the process that waits for READY=1. A
// directory rather than the socket is mounted, so that the socket can be
// bound after the container's mounts are made.
func AddToSpec(spec *specs.Spec, stateDir string) error {
	dir := filepath.Join(stateDir, dirName)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("notify socket: create %s: %w", dir, err)
	}
	spec.Mounts = append(spec.Mounts, specs.Mount{
		Destination: ContainerDir, Source: dir, Type: "bind",
		Options: []string{"bind", "nosuid", "noexec", "nodev", "ro"},
	})
	spec.Process.Env = append(spec.Process.Env, "NOTIFY_SOCKET="+ContainerDir+"/"+sockName)
	return nil
}

// Enabled says whether the container in stateDir was created with a
// notify socket.
func Enabled(stateDir string) bool {
	fi, err := os.Stat(filepath.Join(stateDir, dirName))
	return err == nil && fi.IsDir()
}

// Proxy receives the container's notifications and forwards READY to the
// caller's NOTIFY_SOCKET.
type Proxy struct {
	sock *os.File
	path string
	host string
}

// Listen binds the container's notify socket in stateDir for a caller whose
// NOTIFY_SOCKET is host.
func Listen(stateDir, host string) (*Proxy, error) {
	d, err := os.Open(filepath.Join(stateDir, dirName))
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	defer d.Close()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	sock := os.NewFile(uintptr(fd), "notify")
	// Bound through /proc/self/fd so that a long --root cannot overflow
	// sun_path; a socket left by an earlier start is replaced.
	unix.Unlinkat(int(d.Fd()), sockName, 0)
	addr := &unix.SockaddrUnix{Name: fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), sockName)}
	if err := unix.Bind(fd, addr); err != nil {
		sock.Close()
		return nil, fmt.Errorf("notify socket: bind %s: %w", filepath.Join(d.Name(), sockName), err)
	}
	// Any user of the container may notify, as with systemd's socket.
	if err := unix.Fchmodat(int(d.Fd()), sockName, 0o777, 0); err != nil {
		sock.Close()
		return nil, fmt.Errorf("notify socket: chmod: %w", err)
	}
	return &Proxy{sock: sock, path: filepath.Join(d.Name(), sockName), host: host}, nil
}

// Close stops listening.
func (p *Proxy) Close() {
	p.sock.Close()
	os.Remove(p.path)
}

// ErrExited is returned by WaitReady when the container's init exited
// without sending READY=1.
var ErrExited = errors.New("the container's process exited before it sent READY=1")

// WaitReady waits for a datagram with a READY= line, polling alive every
// 100ms, and forwards that datagram to the caller's socket with
// MAINPID=mainPid added, so that the service manager watches the
// container's init rather than berth.
func (p *Proxy) WaitReady(alive func() bool, mainPid int) error {
	buf := make([]byte, 4096)
	for {
		// A receive timeout turns the blocking read into a poll of alive.
		tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
		unix.SetsockoptTimeval(int(p.sock.Fd()), unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		n, _, err := unix.Recvfrom(int(p.sock.Fd()), buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				if !alive() {
					return ErrExited
				}
				continue
			}
			return fmt.Errorf("notify socket: receive: %w", err)
		}
		msg := bytes.TrimRight(buf[:n], "\n")
		if !isReady(msg) {
			continue
		}
		return p.forward(append(msg, []byte("\nMAINPID="+strconv.Itoa(mainPid)+"\n")...))
	}
}

func isReady(msg []byte) bool {
	for _, line := range bytes.Split(msg, []byte{'\n'}) {
		if bytes.HasPrefix(line, []byte("READY=")) {
			return true
		}
	}
	return false
}

func (p *Proxy) forward(msg []byte) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("notify socket: %w", err)
	}
	defer unix.Close(fd)
	// A leading '@' names an abstract socket, as systemd writes it; the
	// unix package maps it.
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrUnix{Name: p.host}); err != nil {
		return fmt.Errorf("notify socket: forward READY to NOTIFY_SOCKET %q: %w", p.host, err)
	}
	return nil
}
