package prefault

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary links this package too: its constructor has run. Every
// page of the executable's read-only, executable mapping must be resident
// in this process's page tables (Rss equal to Size in smaps), although the
// test touches only a little of its code.
func TestCodeIsMappedWhole(t *testing.T) {
	n, err := populated()
	if errors.Is(err, syscall.EINVAL) && n == 0 {
		t.Skipf("this kernel has no MADV_POPULATE_READ (%v)", err)
	}
	if err != nil || n < 2 {
		t.Fatalf("populated %d segments (want code and read-only data), last error %v", n, err)
	}
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	inCode, checked := false, false
	size := 0
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 6 && strings.Contains(fields[0], "-") {
			inCode = fields[1] == "r-xp" && fields[5] == exe
			continue
		}
		if !inCode || len(fields) < 2 {
			continue
		}
		v, _ := strconv.Atoi(fields[1])
		switch fields[0] {
		case "Size:":
			size = v
		case "Rss:":
			if v != size {
				t.Errorf("code mapping of %s: Rss %d kB of Size %d kB", exe, v, size)
			}
			checked = true
		}
	}
	if !checked {
		t.Fatalf("no r-xp mapping of %s in /proc/self/smaps", exe)
	}
}
