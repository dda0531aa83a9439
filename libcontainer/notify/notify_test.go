package notify

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestIsReady(t *testing.T) {
	for msg, want := range map[string]bool{
		"READY=1":               true,
		"STATUS=up\nREADY=1":    true,
		"STATUS=READY=1":        false,
		"WATCHDOG=1":            false,
		"":                      false,
		"READY=1\nMAINPID=1234": true,
	} {
		if got := isReady([]byte(msg)); got != want {
			t.Errorf("isReady(%q) = %v", msg, got)
		}
	}
}

func TestAddToSpec(t *testing.T) {
	dir := t.TempDir()
	s := &specs.Spec{Process: &specs.Process{Env: []string{"A=1"}}}
	if err := AddToSpec(s, dir); err != nil {
		t.Fatal(err)
	}
	if !Enabled(dir) {
		t.Error("Enabled is false after AddToSpec")
	}
	if len(s.Mounts) != 1 || s.Mounts[0].Destination != ContainerDir || s.Mounts[0].Source != filepath.Join(dir, dirName) {
		t.Errorf("mounts %+v", s.Mounts)
	}
	if s.Process.Env[1] != "NOTIFY_SOCKET=/run/notify/notify.sock" {
		t.Errorf("env %v", s.Process.Env)
	}
}

// listenHost binds the "service manager's" socket.
func listenHost(t *testing.T, path string) int {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	return fd
}

func send(t *testing.T, path, msg string) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, []byte(msg), 0, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
}

func TestProxyForwardsReady(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, dirName), 0o755); err != nil {
		t.Fatal(err)
	}
	host := filepath.Join(dir, "host.sock")
	hfd := listenHost(t, host)
	p, err := Listen(dir, host)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sock := filepath.Join(dir, dirName, sockName)
	send(t, sock, "STATUS=starting")
	send(t, sock, "READY=1\n")
	if err := p.WaitReady(func() bool { return true }, 4242); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	n, _, err := unix.Recvfrom(hfd, buf, unix.MSG_DONTWAIT)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[:n]); got != "READY=1\nMAINPID=4242\n" {
		t.Errorf("forwarded %q", got)
	}
	if _, _, err := unix.Recvfrom(hfd, buf, unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("more than the READY datagram was forwarded (%v)", err)
	}
}

func TestProxyStopsWhenTheContainerExits(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, dirName), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Listen(dir, filepath.Join(dir, "host.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	if err := p.WaitReady(func() bool { return false }, 1); !errors.Is(err, ErrExited) {
		t.Errorf("WaitReady = %v, want ErrExited", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("WaitReady took too long to notice the exit")
	}
}
