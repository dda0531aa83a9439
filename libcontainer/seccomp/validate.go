package seccomp

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxErrno is the largest errno the kernel returns as such
// (SECCOMP_RET_ERRNO's data is clamped to MAX_ERRNO).
const maxErrno = 4095

// initSyscalls are the syscalls the init makes between loading a filter and
// handing its notify fd to the runtime (the frame's write, the fd's
// sendmsg), plus those the Go runtime may make on that thread meanwhile. A
// NOTIFY rule on one of them would stop the init in a notification that no
// agent can answer yet, and create would wait for it forever.
var initSyscalls = []string{"write", "sendmsg", "futex", "rt_sigreturn"}

// Validate checks linux.seccomp without building a filter: every action,
// operator, architecture and flag name is known, errno values go with
// actions that take one, and the notify settings make sense. Errors name
// the field and the value. Compile calls it too.
func Validate(c *specs.LinuxSeccomp) error {
	if c == nil {
		return nil
	}
	if err := checkAction("linux.seccomp.defaultAction", c.DefaultAction, c.DefaultErrnoRet, "linux.seccomp.defaultErrnoRet"); err != nil {
		return err
	}
	if c.DefaultAction == specs.ActNotify {
		return errors.New("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: the init's own syscalls would wait for an agent that has no listener yet")
	}
	for i, a := range c.Architectures {
		if _, ok := archByName(a); !ok {
			return fmt.Errorf("linux.seccomp.architectures[%d]: unknown architecture %q", i, a)
		}
	}
	for i, f := range c.Flags {
		if _, ok := flags[f]; !ok {
			return fmt.Errorf("linux.seccomp.flags[%d]: unknown flag %q", i, f)
		}
	}
	notify := false
	for i, sc := range c.Syscalls {
		field := fmt.Sprintf("linux.seccomp.syscalls[%d]", i)
		if len(sc.Names) == 0 {
			return fmt.Errorf("%s.names: at least one syscall name is required", field)
		}
		for j, n := range sc.Names {
			if n == "" {
				return fmt.Errorf("%s.names[%d]: empty syscall name", field, j)
			}
		}
		if err := checkAction(field+".action", sc.Action, sc.ErrnoRet, field+".errnoRet"); err != nil {
			return err
		}
		for j, a := range sc.Args {
			af := fmt.Sprintf("%s.args[%d]", field, j)
			if _, ok := operators[a.Op]; !ok {
				return fmt.Errorf("%s.op: unknown operator %q", af, a.Op)
			}
			if a.Index > 5 {
				return fmt.Errorf("%s.index: %d is out of range: syscalls have arguments 0 to 5", af, a.Index)
			}
		}
		if sc.Action == specs.ActNotify {
			notify = true
			for _, n := range sc.Names {
				for _, r := range initSyscalls {
					if n == r {
						return fmt.Errorf("%s: SCMP_ACT_NOTIFY cannot be used for %q: the init makes that syscall before the agent has the listener, and would wait forever", field, n)
					}
				}
			}
		}
	}
	if c.ListenerMetadata != "" && c.ListenerPath == "" {
		return errors.New("linux.seccomp.listenerMetadata is set but listenerPath is not")
	}
	if notify && c.ListenerPath == "" {
		return errors.New("linux.seccomp: SCMP_ACT_NOTIFY rules need linux.seccomp.listenerPath: nothing would answer the notified syscalls")
	}
	for _, f := range c.Flags {
		if f == specs.LinuxSeccompFlagWaitKillableRecv && !notify {
			return fmt.Errorf("linux.seccomp.flags: %s applies to a notify listener, and the profile has no SCMP_ACT_NOTIFY rule", f)
		}
	}
	return nil
}

func checkAction(field string, a specs.LinuxSeccompAction, errno *uint, errnoField string) error {
	if _, ok := actions[a]; !ok {
		if a == "" {
			return fmt.Errorf("%s is missing", field)
		}
		return fmt.Errorf("%s: unknown action %q", field, a)
	}
	if errno == nil {
		return nil
	}
	switch a {
	case specs.ActErrno:
		if *errno > maxErrno {
			return fmt.Errorf("%s: errno %d is out of range (0 to %d)", errnoField, *errno, maxErrno)
		}
	case specs.ActTrace:
		if *errno > 0xffff {
			return fmt.Errorf("%s: trace code %d is out of range (0 to 65535)", errnoField, *errno)
		}
	default:
		return fmt.Errorf("%s is set but action %s takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", errnoField, a)
	}
	return nil
}
