// Command seccompagent is the seccomp agent of berth's integration tests
// (tests/integration/seccomp-notify.bats). It listens on a unix socket for
// the runtime's container process state and seccomp listener, checks the
// state, and answers every notified syscall:
//
//   - mkdir and mkdirat succeed without creating anything, so the
//     container sees success for a directory that does not exist;
//   - any other syscall fails with -errno (default EPERM).
//
// Each state it receives is written to -state DIR/<container id>.json, and
// each notification is appended to -log as "<syscall> <path>" (the path
// for mkdir/mkdirat, read from the process's memory), so the test can see
// that the round trip happened.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

var (
	sockPath = flag.String("socket", "", "unix socket to listen on")
	stateDir = flag.String("state", "", "directory for the received container states")
	logPath  = flag.String("log", "", "file that records each notification")
	errnoRet = flag.Int("errno", int(unix.EPERM), "errno for notified syscalls other than mkdir/mkdirat")
	logMu    sync.Mutex
)

func main() {
	flag.Parse()
	if *sockPath == "" || *stateDir == "" || *logPath == "" {
		log.Fatal("usage: seccompagent -socket PATH -state DIR -log FILE [-errno N]")
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: *sockPath, Net: "unix"})
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			log.Fatal(err)
		}
		fd, st, err := receive(c)
		c.Close()
		if err != nil {
			record("error " + err.Error())
			continue
		}
		go serve(fd, st)
	}
}

// receive reads one container process state and its seccomp fd.
func receive(c *net.UnixConn) (libseccomp.ScmpFd, *specs.ContainerProcessState, error) {
	var data bytes.Buffer
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	var fds []int
	for {
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if errors.Is(err, io.EOF) {
			break // the runtime closes the connection after the state
		}
		if err != nil {
			closeAll(fds)
			return -1, nil, err
		}
		if oobn > 0 {
			msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return -1, nil, err
			}
			for _, m := range msgs {
				f, err := unix.ParseUnixRights(&m)
				if err != nil {
					return -1, nil, err
				}
				fds = append(fds, f...)
			}
		}
		data.Write(buf[:n])
	}
	var st specs.ContainerProcessState
	if err := json.Unmarshal(data.Bytes(), &st); err != nil {
		closeAll(fds)
		return -1, nil, fmt.Errorf("decode state %q: %w", data.String(), err)
	}
	if len(fds) != 1 || len(st.Fds) != 1 || st.Fds[0] != specs.SeccompFdName {
		closeAll(fds)
		return -1, nil, fmt.Errorf("want one fd named %q, got %d fds and names %v", specs.SeccompFdName, len(fds), st.Fds)
	}
	if err := os.WriteFile(filepath.Join(*stateDir, st.State.ID+".json"), data.Bytes(), 0o644); err != nil {
		closeAll(fds)
		return -1, nil, err
	}
	return libseccomp.ScmpFd(fds[0]), &st, nil
}

// closeAll drops received fds: a listener nobody serves would leave the
// container's notified syscalls waiting forever.
func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

func serve(fd libseccomp.ScmpFd, st *specs.ContainerProcessState) {
	defer unix.Close(int(fd))
	for {
		req, err := libseccomp.NotifReceive(fd)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return // the filter's last user is gone
		}
		name, _ := req.Data.Syscall.GetNameByArch(req.Data.Arch)
		resp := &libseccomp.ScmpNotifResp{ID: req.ID, Error: int32(*errnoRet)} // positive: the binding negates it
		entry := name
		switch name {
		case "mkdir", "mkdirat":
			arg := 0
			if name == "mkdirat" {
				arg = 1
			}
			entry += " " + readString(req.Pid, req.Data.Args[arg])
			resp.Error = 0
		}
		// The pid may have died and been reused while we read its
		// memory: only answer (and trust the path) if the request is live.
		if libseccomp.NotifIDValid(fd, req.ID) != nil {
			continue
		}
		record(fmt.Sprintf("%s pid=%d container=%s", entry, st.Pid, st.State.ID))
		if err := libseccomp.NotifRespond(fd, resp); err != nil {
			record("respond: " + err.Error())
		}
	}
}

// readString reads a NUL-terminated path from the process's memory.
func readString(pid uint32, addr uint64) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return "?"
	}
	defer f.Close()
	b := make([]byte, unix.PathMax)
	n, _ := f.ReadAt(b, int64(addr))
	s, _, _ := strings.Cut(string(b[:n]), "\x00")
	return s
}

func record(line string) {
	logMu.Lock()
	defer logMu.Unlock()
	f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		log.Print(err)
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}
