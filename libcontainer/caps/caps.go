package caps

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var byName = map[string]uint{
	"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
	"CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
	"CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
	"CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
	"CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
	"CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
	"CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
	"CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
	"CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35,
	"CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37, "CAP_PERFMON": 38, "CAP_BPF": 39,
	"CAP_CHECKPOINT_RESTORE": 40,
}

// Names lists every capability berth knows, for `features`.
func Names() []string {
	out := make([]string, len(byName))
	for n, v := range byName {
		out[v] = n
	}
	return out
}

// LastCap is the highest capability the running kernel knows. It is read
// once per process: a start asks for it to parse the config and again to
// drop the bounding set.
var LastCap = sync.OnceValue(func() uint {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return uint(v)
		}
	}
	return 40
})

// Set is a parsed capabilities object. Names the running kernel does not know
// are dropped, as runc does, so one config serves older and newer kernels.
type Set struct {
	Bounding, Effective, Permitted, Inheritable, Ambient []uint
}

// Parse turns names into numbers; an unknown name is an error.
func Parse(c *specs.LinuxCapabilities) (*Set, error) {
	if c == nil {
		return nil, nil
	}
	last := LastCap()
	conv := func(which string, names []string) ([]uint, error) {
		var out []uint
		for _, n := range names {
			v, ok := byName[strings.ToUpper(n)]
			if !ok {
				return nil, fmt.Errorf("capabilities.%s: unknown capability %q", which, n)
			}
			if v <= last {
				out = append(out, v)
			}
		}
		return out, nil
	}
	var s Set
	var err error
	if s.Bounding, err = conv("bounding", c.Bounding); err != nil {
		return nil, err
	}
	if s.Effective, err = conv("effective", c.Effective); err != nil {
		return nil, err
	}
	if s.Permitted, err = conv("permitted", c.Permitted); err != nil {
		return nil, err
	}
	if s.Inheritable, err = conv("inheritable", c.Inheritable); err != nil {
		return nil, err
	}
	if s.Ambient, err = conv("ambient", c.Ambient); err != nil {
		return nil, err
	}
	return &s, nil
}

func contains(l []uint, v uint) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// DropBounding removes every capability not in the bounding set. It needs
// CAP_SETPCAP, so it runs before the user is switched.
func (s *Set) DropBounding() error {
	last := LastCap()
	for c := uint(0); c <= last; c++ {
		if contains(s.Bounding, c) {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	return nil
}

// Apply sets effective, permitted and inheritable on the calling thread,
// then the ambient set. It must run on the thread that calls execve.
func (s *Set) Apply() error {
	var data [2]unix.CapUserData
	fill := func(l []uint, get func(d *unix.CapUserData) *uint32) {
		for _, c := range l {
			*get(&data[c/32]) |= 1 << (c % 32)
		}
	}
	fill(s.Effective, func(d *unix.CapUserData) *uint32 { return &d.Effective })
	fill(s.Permitted, func(d *unix.CapUserData) *uint32 { return &d.Permitted })
	fill(s.Inheritable, func(d *unix.CapUserData) *uint32 { return &d.Inheritable })
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	for _, c := range s.Ambient {
		// The kernel allows an ambient capability only when it is both
		// permitted and inheritable; runc's default config lists ambient
		// capabilities without inheritable ones (since CVE-2022-29162),
		// so such entries are skipped rather than fatal.
		if !contains(s.Permitted, c) || !contains(s.Inheritable, c) {
			continue
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
			return fmt.Errorf("raise ambient capability %d: %w", c, err)
		}
	}
	return nil
}
