package libcontainer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// passedFiles returns the caller's fds 3..3+n-1, which the process gets as
// the same numbers. Every fd berth opens itself is close-on-exec, and none
// that berth inherited can be (the exec into berth closed those), so a
// close-on-exec fd in that range is berth's own, not the caller's: passing it
// would hand the container one of the runtime's files (its state directory,
// a socket). Such an fd, or a closed one, is an error.
func passedFiles(n int) ([]*os.File, error) {
	files := make([]*os.File, 0, n)
	for fd := 3; fd < 3+n; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			return nil, fmt.Errorf("fd %d is not open in berth's caller: %d fds to pass need 3 to %d open", fd, n, 2+n)
		}
		files = append(files, os.NewFile(uintptr(fd), fmt.Sprintf("passed-fd-%d", fd)))
	}
	return files, nil
}
