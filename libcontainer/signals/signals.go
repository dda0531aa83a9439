package signals

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The user-visible real-time range (see doc.go).
const (
	RTMin unix.Signal = 34
	RTMax unix.Signal = 64
)

// aliases are extra names that kill(1) accepts but that x/sys's name table
// leaves out because they share a number with the canonical name.
var aliases = map[string]unix.Signal{
	"SIGIOT":  unix.SIGIOT,
	"SIGCLD":  unix.SIGCLD,
	"SIGPOLL": unix.SIGPOLL,
}

// Parse turns a signal as given on the command line into its number. It
// accepts a decimal number in 1..64, or a name in any case with or without
// the SIG prefix, including RTMIN, RTMIN+n, RTMAX and RTMAX-n.
func Parse(s string) (unix.Signal, error) {
	if sig, ok := parse(s); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

func parse(s string) (unix.Signal, bool) {
	if s == "" {
		return 0, false
	}
	// ParseUint, not Atoi: "+9" and "-9" are not signal numbers.
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return unix.Signal(n), n >= 1 && unix.Signal(n) <= RTMax
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, true
	}
	if sig, ok := aliases[name]; ok {
		return sig, true
	}
	return parseRT(strings.TrimPrefix(name, "SIG"))
}

// parseRT handles RTMIN, RTMIN+n, RTMAX and RTMAX-n; the result must stay
// inside RTMin..RTMax so that "RTMIN-1" or "RTMAX+1" are rejected.
func parseRT(name string) (unix.Signal, bool) {
	var base unix.Signal
	var rest string
	sign := 1
	switch {
	case strings.HasPrefix(name, "RTMIN"):
		base, rest = RTMin, name[len("RTMIN"):]
		if rest != "" && rest[0] != '+' {
			return 0, false
		}
	case strings.HasPrefix(name, "RTMAX"):
		base, rest, sign = RTMax, name[len("RTMAX"):], -1
		if rest != "" && rest[0] != '-' {
			return 0, false
		}
	default:
		return 0, false
	}
	if rest == "" {
		return base, true
	}
	n, err := strconv.ParseUint(rest[1:], 10, 8)
	if err != nil {
		return 0, false
	}
	sig := base + unix.Signal(sign*int(n))
	return sig, sig >= RTMin && sig <= RTMax
}

// Name returns the conventional name of sig ("SIGTERM", "SIGRTMIN+3",
// "SIGRTMAX-2"), spelled as `kill -l` prints it. A signal without a name
// (32, 33, out of range) is returned as its decimal number, which Parse reads
// back whenever it is a valid signal.
func Name(sig unix.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	switch {
	case sig == RTMin:
		return "SIGRTMIN"
	case sig == RTMax:
		return "SIGRTMAX"
	// kill -l counts up from RTMIN for the lower half and down from RTMAX
	// for the upper half, which keeps each offset at most 15.
	case sig > RTMin && sig <= RTMin+15:
		return fmt.Sprintf("SIGRTMIN+%d", int(sig-RTMin))
	case sig > RTMin+15 && sig < RTMax:
		return fmt.Sprintf("SIGRTMAX-%d", int(RTMax-sig))
	}
	return strconv.Itoa(int(sig))
}
