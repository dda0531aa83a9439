package notify

import (
	"os"
	"strconv"
)

// ListenFDs returns how many socket-activation fds berth received (from fd 3
// on) and their LISTEN_FDNAMES, or 0 when the variables are absent or meant
// for another process (LISTEN_PID is not berth's pid: systemd sets it so
// that a child that inherited the variables does not take the fds).
func ListenFDs() (int, string) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return 0, ""
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return 0, ""
	}
	return n, os.Getenv("LISTEN_FDNAMES")
}
