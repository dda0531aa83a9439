package hugeheap

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// advisedMappings returns the start-end of each mapping of this process
// whose VmFlags carry flag ("hg": MADV_HUGEPAGE, "nh": MADV_NOHUGEPAGE).
func advisedMappings(t *testing.T, flag string) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var found []string
	var current string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			current = fields[0]
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			for _, fl := range strings.Fields(rest) {
				if fl == flag {
					found = append(found, current)
				}
			}
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return found
}

var sink [][]byte

// growHeap allocates 16 MiB and keeps it: the heap grows past its first
// arena mapping.
func growHeap() {
	for i := 0; i < 64; i++ {
		sink = append(sink, make([]byte, 256<<10))
	}
}

// TestHeapAdvisedThenSettled needs one process to itself: Settle is for
// good. The helper below runs it in a child so that its order against the
// other test does not matter.
func TestHeapAdvisedThenSettled(t *testing.T) {
	if os.Getenv("HUGEHEAP_HELPER") == "" {
		runHelper(t, "TestHeapAdvisedThenSettled", "")
		return
	}
	growHeap()
	if n := regions(); n < 1 {
		t.Fatalf("no heap mapping was advised (regions() = %d)", n)
	}
	advised := advisedMappings(t, "hg")
	if len(advised) == 0 {
		t.Fatal("no mapping of this process has MADV_HUGEPAGE in /proc/self/smaps")
	}
	Settle()
	Settle() // a second call is a no-op
	if still := advisedMappings(t, "hg"); len(still) != 0 {
		t.Fatalf("after Settle, mappings still advised huge pages: %v", still)
	}
	settled := advisedMappings(t, "nh")
	for _, m := range advised {
		if !contains(settled, m) {
			t.Errorf("mapping %s was advised huge pages and is not MADV_NOHUGEPAGE after Settle (nh: %v)", m, settled)
		}
	}
	before := regions()
	growHeap()
	if after := regions(); after != before {
		t.Errorf("heap mappings made after Settle were advised: %d regions, then %d", before, after)
	}
}

func TestDisabledByGODEBUG(t *testing.T) {
	if os.Getenv("HUGEHEAP_HELPER") == "" {
		runHelper(t, "TestDisabledByGODEBUG", "GODEBUG=disablethp=1")
		return
	}
	growHeap()
	if n := regions(); n != 0 {
		t.Fatalf("GODEBUG=%s: %d heap mappings were advised huge pages, want none", os.Getenv("GODEBUG"), n)
	}
}

func TestGODEBUGParsing(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                          false,
		"disablethp=1":              true,
		"disablethp=0":              false,
		"disablethp=1,disablethp=0": false,
		"x=1,disablethp=1":          true,
		"disablethp=10":             false,
		"notdisablethp=1":           false,
	} {
		if got := disabledBy(godebug); got != want {
			t.Errorf("GODEBUG=%q: disabled = %v, want %v", godebug, got, want)
		}
	}
}

func runHelper(t *testing.T, name, env string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = []string{"HUGEHEAP_HELPER=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
