package sigforward

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The test binary doubles as the process that signals are forwarded to:
// with helperEnv set it prints the number of each signal it receives and
// exits 3 on SIGTERM.
const helperEnv = "SIGFORWARD_TEST_RECEIVER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		receive()
	}
	os.Exit(m.Run())
}

func receive() {
	c := make(chan os.Signal, 16)
	signal.Notify(c, unix.SIGUSR1, unix.SIGUSR2, unix.SIGHUP, unix.Signal(37), unix.SIGWINCH, unix.SIGTERM)
	fmt.Println("ready")
	for s := range c {
		fmt.Println(int(s.(unix.Signal)))
		if s == unix.SIGTERM {
			os.Exit(3)
		}
	}
}

// startReceiver starts the receiver and waits until it catches signals.
func startReceiver(t *testing.T) (*exec.Cmd, *bufio.Scanner) {
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("receiver did not start: %q", lines.Text())
	}
	return cmd, lines
}

// raise sends sig to this process, where the handlers catch it.
func raise(t *testing.T, sig unix.Signal) {
	t.Helper()
	if err := unix.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
}

type waited struct {
	ws  unix.WaitStatus
	err error
}

func TestWaitForwardsCaughtSignals(t *testing.T) {
	sigs, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	// One signal sent to this process before Wait runs waits in the socket.
	cmd, lines := startReceiver(t)
	raise(t, unix.SIGUSR1)
	winched := make(chan struct{}, 4)
	done := make(chan waited, 1)
	go func() {
		ws, err := sigs.Wait(cmd.Process.Pid, func() { winched <- struct{}{} })
		done <- waited{ws, err}
	}()
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("receiver got signal %q, want %s", lines.Text(), want)
		}
	}
	expect("10")
	// The rest one at a time (signals pending together are delivered
	// lowest number first), while Wait polls.
	for _, s := range []unix.Signal{unix.SIGUSR2, unix.SIGHUP, unix.Signal(37)} {
		raise(t, s)
		expect(fmt.Sprint(int(s)))
	}
	// WINCH goes to onWinch, not to the process.
	raise(t, unix.SIGWINCH)
	<-winched
	raise(t, unix.SIGTERM)
	expect("15")
	w := <-done
	if w.err != nil {
		t.Fatal(w.err)
	}
	if !w.ws.Exited() || w.ws.ExitStatus() != 3 {
		t.Fatalf("receiver's status: %v, want exit 3", w.ws)
	}
	if lines.Scan() {
		t.Fatalf("receiver got more: %q (WINCH must not reach it)", lines.Text())
	}
}

func TestWaitWithoutOnWinchForwardsIt(t *testing.T) {
	sigs, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	cmd, lines := startReceiver(t)
	done := make(chan waited, 1)
	go func() {
		ws, err := sigs.Wait(cmd.Process.Pid, nil)
		done <- waited{ws, err}
	}()
	for _, s := range []unix.Signal{unix.SIGWINCH, unix.SIGTERM} {
		raise(t, s)
		if !lines.Scan() || lines.Text() != fmt.Sprint(int(s)) {
			t.Fatalf("receiver got signal %q, want %d", lines.Text(), int(s))
		}
	}
	if w := <-done; w.err != nil || w.ws.ExitStatus() != 3 {
		t.Fatalf("Wait: %v, %v; want exit 3", w.ws, w.err)
	}
}

func TestWaitReportsAFailure(t *testing.T) {
	sigs, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	// A process that is gone (exited and reaped): the error names it.
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	_, err = sigs.Wait(cmd.Process.Pid, nil)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("wait for %d", cmd.Process.Pid)) {
		t.Fatalf("Wait of a reaped pid: %v, want an error naming it", err)
	}
}

// After Wait, with nothing reading and after a GC (an *os.File's
// finalizer would close the receiving end, and the handler's write would
// then raise SIGPIPE, which it catches itself), a signal still lands in
// the socket and nothing else happens.
func TestSignalAfterWaitLandsInTheSocket(t *testing.T) {
	sigs, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	cmd, _ := startReceiver(t)
	raise(t, unix.SIGTERM)
	if _, err := sigs.Wait(cmd.Process.Pid, nil); err != nil {
		t.Fatal(err)
	}
	fd := sigs.fd
	sigs = nil
	runtime.GC()
	runtime.GC()
	raise(t, unix.SIGUSR2)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 5000); n != 1 || err != nil {
		t.Fatalf("poll: %d, %v: the signal did not arrive", n, err)
	}
	var b [8]byte
	if n, err := unix.Read(fd, b[:]); err != nil || n != 1 || b[0] != byte(unix.SIGUSR2) {
		t.Fatalf("read %v (%d bytes, %v), want one byte %d", b[:max(n, 0)], n, err, int(unix.SIGUSR2))
	}
}

func TestForwardedSet(t *testing.T) {
	for _, s := range []unix.Signal{unix.SIGKILL, unix.SIGSTOP, unix.SIGSEGV, unix.SIGCHLD, unix.SIGURG, unix.SIGPROF, 32, 33} {
		if forwarded(s) {
			t.Errorf("%d (%v) is caught, must not be", int(s), s)
		}
	}
	for _, s := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH, unix.SIGPIPE, unix.SIGCONT, unix.SIGTSTP, 34, 64} {
		if !forwarded(s) {
			t.Errorf("%d (%v) is not caught, must be", int(s), s)
		}
	}
}
