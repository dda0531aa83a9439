package ttyrelay

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Relay is a running relay; Close restores the caller's terminal.
type Relay struct {
	master  *os.File
	restore *unix.Termios
	outDone chan struct{}
}

// Start begins relaying between the caller's stdio and master.
func Start(master *os.File) *Relay {
	r := &Relay{master: master, outDone: make(chan struct{})}
	if t, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
		saved := *t
		r.restore = &saved
		raw := *t
		raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		raw.Oflag &^= unix.OPOST
		raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		raw.Cflag &^= unix.CSIZE | unix.PARENB
		raw.Cflag |= unix.CS8
		unix.IoctlSetTermios(0, unix.TCSETS, &raw)
		r.Resize()
	}
	go io.Copy(master, os.Stdin)
	go func() {
		io.Copy(os.Stdout, master) // ends with EIO once the container's side closes
		close(r.outDone)
	}()
	return r
}

// Resize copies the caller's window size to the container's pty.
func (r *Relay) Resize() {
	if ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(r.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// Close waits briefly for the last output, then restores the terminal.
func (r *Relay) Close() {
	select {
	case <-r.outDone:
	case <-time.After(time.Second):
	}
	if r.restore != nil {
		unix.IoctlSetTermios(0, unix.TCSETS, r.restore)
	}
}
