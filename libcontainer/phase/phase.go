package phase

import (
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Env names the variable that enables marks and holds the file's path.
const Env = "BERTH_PHASES"

// path is read once, at start: the init clears its environment later.
var path = os.Getenv(Env)

var (
	once sync.Once
	fd   = -1
)

// Enabled reports whether marks are written, so callers can pass Env on.
func Enabled() bool { return path != "" }

// Path is the file marks go to ("" when disabled).
func Path() string { return path }

// Mark records that this process reached the step name.
func Mark(name string) {
	if path == "" {
		return
	}
	once.Do(func() {
		fd, _ = unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	})
	if fd < 0 {
		return
	}
	b := strconv.AppendInt(nil, time.Now().UnixMicro(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, '\n')
	// One write with O_APPEND: lines of the runtime and the init do not
	// interleave.
	unix.Write(fd, b)
}
