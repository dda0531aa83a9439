package prefault

/*
#cgo CFLAGS: -Wall -Wextra -O2
int prefault_populated(void);
int prefault_failed_errno(void);
*/
import "C"

import "syscall"

// populated returns how many segments the constructor populated and the
// error of the last one that failed (nil if none), for the tests.
func populated() (int, error) {
	var err error
	if e := C.prefault_failed_errno(); e != 0 {
		err = syscall.Errno(e)
	}
	return int(C.prefault_populated()), err
}
