// Command recvtty is the tests' console-socket receiver: it plays the part of
// an engine (containerd, conmon) that gets a container's pty master over
// --console-socket.
//
//	recvtty SOCKET [ACTION...]
//
// It listens on the unix socket SOCKET, accepts one connection, receives the
// master fd sent with SCM_RIGHTS, then runs the actions in order while
// copying everything the container writes to stdout, and exits when the
// container's side of the pty is closed. Actions:
//
//	size=ROWSxCOLS  set the terminal's window size on the master (TIOCSWINSZ)
//	in=TEXT         write TEXT and a newline, as if typed
//	wait=TEXT       wait until the output so far contains TEXT (10s at most)
//
// It prints "recvtty: name=NAME" on stderr, NAME being what the runtime sent
// with the fd.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "recvtty: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: recvtty SOCKET [size=ROWSxCOLS|in=TEXT|wait=TEXT]...")
	}
	master := receive(os.Args[1])
	var mu sync.Mutex
	var seen bytes.Buffer
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				os.Stdout.Write(buf[:n])
				mu.Lock()
				seen.Write(buf[:n])
				mu.Unlock()
			}
			if err != nil { // EIO once every slave fd is closed
				close(done)
				return
			}
		}
	}()
	for _, a := range os.Args[2:] {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "size":
			rs, cs, ok := strings.Cut(v, "x")
			rows, err1 := strconv.ParseUint(rs, 10, 16)
			cols, err2 := strconv.ParseUint(cs, 10, 16)
			if !ok || err1 != nil || err2 != nil {
				fail("bad size %q: want ROWSxCOLS", v)
			}
			ws := &unix.Winsize{Row: uint16(rows), Col: uint16(cols)}
			if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws); err != nil {
				fail("set window size: %v", err)
			}
		case "in":
			if _, err := master.Write([]byte(v + "\n")); err != nil {
				fail("write input: %v", err)
			}
		case "wait":
			deadline := time.Now().Add(10 * time.Second)
			for {
				mu.Lock()
				ok := bytes.Contains(seen.Bytes(), []byte(v))
				mu.Unlock()
				if ok {
					break
				}
				if time.Now().After(deadline) {
					fail("timed out waiting for %q in the output", v)
				}
				time.Sleep(10 * time.Millisecond)
			}
		default:
			fail("unknown action %q", a)
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		fail("the container's side of the terminal is still open after 30s")
	}
}

// receive accepts one connection on path and returns the fd it carries.
func receive(path string) *os.File {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fail("socket: %v", err)
	}
	os.Remove(path)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		fail("bind %s: %v", path, err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		fail("listen: %v", err)
	}
	conn, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
	if err != nil {
		fail("accept: %v", err)
	}
	unix.Close(fd)
	os.Remove(path)
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(conn, name, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		fail("recvmsg: %v", err)
	}
	unix.Close(conn)
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		fail("no fd received (%v)", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		fail("no fd received (%v)", err)
	}
	fmt.Fprintf(os.Stderr, "recvtty: name=%s\n", name[:n])
	return os.NewFile(uintptr(fds[0]), "pty-master")
}
