package syncmsg

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// Type is a message type.
type Type uint32

// Messages of the C stage (values shared with nsenter.c).
const (
	Bootstrap  Type = 1 // parent -> stage: records below
	UsermapReq Type = 2 // stage -> parent: write my uid/gid maps
	Ack        Type = 3 // parent -> stage/init: go on
	ChildPid   Type = 4 // stage -> parent: the init's pid (uint32)
	Error      Type = 5 // stage/init -> parent: one line of text
	// StagePid: in monitor mode, the namespace stage's pid (uint32); the
	// parent places it in the container's cgroup and acks.
	StagePid Type = 20
)

// Messages of the Go init.
const (
	Config    Type = 6 // parent -> init: InitConfig as JSON
	HooksReq  Type = 7 // init -> parent: run prestart and createRuntime hooks now
	HooksDone Type = 8 // parent -> init: hooks ran
	Ready     Type = 9 // init -> parent: created, waiting for start
	// Console is followed by one byte carrying the pty master (SCM_RIGHTS).
	Console Type = 10
	// MountFd (parent -> init) carries the index of an idmap mount entry
	// (uint32) and is followed by one byte carrying its detached tree.
	MountFd Type = 11
	// SeccompFd is followed by one byte carrying the seccomp notify
	// listener (SCM_RIGHTS), for the runtime to pass to the agent.
	SeccompFd Type = 12
	// ExecConfig: parent -> a process started by `berth exec`, ExecConfig
	// as JSON, instead of Config.
	ExecConfig Type = 13
	// Plan: parent -> the C init (nsenter/cinit.c), the binary plan that
	// package initplan compiles, instead of Config.
	Plan Type = 14
)

// Bootstrap record kinds (values shared with nsenter.c).
const (
	RecCloneFlags  = 1
	RecNsPath      = 2
	RecTimeOffsets = 3
	RecMonitor     = 4 // exit-status file: the stage stays as the init's parent
	RecTinyInit    = 5 // no data: the init stays in C as a minimal PID 1
	RecCInit       = 6 // no data: the init runs a Plan in C, not the Go init
	RecInPlace     = 7 // no data: the stage is the init itself (no clone)
)

const maxPayload = 16 << 20

// Message is one decoded frame.
type Message struct {
	Type    Type
	Payload []byte
}

// Write sends one frame.
func Write(w io.Writer, t Type, payload []byte) error {
	buf := make([]byte, 8+len(payload))
	binary.NativeEndian.PutUint32(buf[0:], uint32(t))
	binary.NativeEndian.PutUint32(buf[4:], uint32(len(payload)))
	copy(buf[8:], payload)
	_, err := w.Write(buf)
	return err
}

// WriteJSON sends v as the JSON payload of one frame.
func WriteJSON(w io.Writer, t Type, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return Write(w, t, b)
}

// Read receives one frame. A peer that closed the socket without a word
// yields io.EOF; callers turn that into an error that says which step died.
func Read(r io.Reader) (Message, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		return Message{}, err
	}
	m := Message{Type: Type(binary.NativeEndian.Uint32(hdr[0:]))}
	n := binary.NativeEndian.Uint32(hdr[4:])
	if n > maxPayload {
		return Message{}, fmt.Errorf("sync message of %d bytes is too large", n)
	}
	m.Payload = make([]byte, n)
	if _, err := io.ReadFull(r, m.Payload); err != nil {
		return Message{}, io.EOF
	}
	return m, nil
}

// BootstrapBuilder assembles the records of a Bootstrap message.
type BootstrapBuilder struct{ buf []byte }

func (b *BootstrapBuilder) record(kind uint32, data []byte) {
	var hdr [8]byte
	binary.NativeEndian.PutUint32(hdr[0:], kind)
	binary.NativeEndian.PutUint32(hdr[4:], uint32(len(data)))
	b.buf = append(b.buf, hdr[:]...)
	b.buf = append(b.buf, data...)
}

// CloneFlags asks the stage to unshare these CLONE_NEW* namespaces.
func (b *BootstrapBuilder) CloneFlags(flags uintptr) {
	var d [4]byte
	binary.NativeEndian.PutUint32(d[:], uint32(flags))
	b.record(RecCloneFlags, d[:])
}

// NsPath asks the stage to join the namespace at path; flag is its CLONE_NEW* type.
func (b *BootstrapBuilder) NsPath(flag uintptr, path string) {
	d := make([]byte, 4, 5+len(path))
	binary.NativeEndian.PutUint32(d, uint32(flag))
	d = append(d, path...)
	b.record(RecNsPath, append(d, 0))
}

// TimeOffsets passes the text written to /proc/self/timens_offsets.
func (b *BootstrapBuilder) TimeOffsets(text string) {
	b.record(RecTimeOffsets, append([]byte(text), 0))
}

// Monitor asks the stage to stay as the init's parent and write its exit
// status to path (absolute, in the state directory).
func (b *BootstrapBuilder) Monitor(path string) {
	b.record(RecMonitor, append([]byte(path), 0))
}

// TinyInit asks for the built-in init (nsenter/tinyinit.c).
func (b *BootstrapBuilder) TinyInit() { b.record(RecTinyInit, nil) }

// CInit asks for the C init (nsenter/cinit.c): the init then waits for a
// Plan, not a Config.
func (b *BootstrapBuilder) CInit() { b.record(RecCInit, nil) }

// InPlace tells the stage that the runtime started it as the container's
// init, already in its new pid namespace: it unshares the other
// namespaces and becomes the init itself, with no clone.
func (b *BootstrapBuilder) InPlace() { b.record(RecInPlace, nil) }

// Bytes returns the payload.
func (b *BootstrapBuilder) Bytes() []byte { return b.buf }

// RecvFd receives the one byte and fd that follow a Console or SeccompFd
// message.
func RecvFd(sock int) (int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("receive fd: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return -1, fmt.Errorf("receive fd: no control message (%v)", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return -1, fmt.Errorf("receive fd: %v", err)
	}
	return fds[0], nil
}

// SendFd sends fd with name as the payload, the way engines' console
// sockets expect it (runc's protocol, read by containerd and conmon).
func SendFd(sock int, name string, fd int) error {
	return unix.Sendmsg(sock, []byte(name), unix.UnixRights(fd), nil, 0)
}

// Socketpair returns a connected pair of stream sockets, close-on-exec.
func Socketpair() (parent, child int, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, -1, fmt.Errorf("socketpair: %w", err)
	}
	return fds[0], fds[1], nil
}
