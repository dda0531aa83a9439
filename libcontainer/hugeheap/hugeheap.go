package hugeheap

/*
#cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter -O2
#include <stdlib.h>
void hugeheap_settle(void);
int hugeheap_regions(void);
int hugeheap_disabled_by(const char *godebug);
*/
import "C"

import "unsafe"

// Settle stops backing the heap with huge pages: the regions advised so far
// are marked MADV_NOHUGEPAGE (the huge pages they have stay) and later heap
// mappings are left to the system's default. Call it once a long-lived
// command has finished its setup. Safe to call more than once.
func Settle() { C.hugeheap_settle() }

// regions returns how many heap mappings were advised, for the tests.
func regions() int { return int(C.hugeheap_regions()) }

// disabledBy reports whether a GODEBUG value turns the advice off, for the
// tests.
func disabledBy(godebug string) bool {
	s := C.CString(godebug)
	defer C.free(unsafe.Pointer(s))
	return C.hugeheap_disabled_by(s) != 0
}
