package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/caps"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/specjson"
)

// ExecProcessFlags are the command-line pieces of an exec'd process, as
// `berth exec` takes them. Empty or nil fields leave the base process alone.
type ExecProcessFlags struct {
	// ProcessFile (-p) is a process.json that replaces the container's
	// process as the base; the other fields still apply on top of it.
	ProcessFile string
	Args        []string
	Tty         bool
	Cwd         string
	Env         []string
	// User is "uid[:gid]", numeric only.
	User           string
	AdditionalGids []string
	Caps           []string
	// NoNewPrivs is applied when not nil.
	NoNewPrivs *bool
	// AppArmor and ProcessLabel need an LSM berth does not drive: a
	// non-empty value is an error, never silently dropped.
	AppArmor, ProcessLabel string
}

// ExecProcess builds the process that exec runs: a copy of the process the
// container was created with (or ProcessFile's), with f applied, as runc
// builds it. The container's own terminal setting is not inherited: a
// terminal is given only with --tty or by the process file.
func (c *Container) ExecProcess(f ExecProcessFlags) (*specs.Process, error) {
	wrap := func(err error) error { return fmt.Errorf("container %q: exec: %w", c.st.ID, err) }
	if f.AppArmor != "" {
		return nil, wrap(fmt.Errorf("--apparmor %q: AppArmor is not supported by berth (no LSM support)", f.AppArmor))
	}
	if f.ProcessLabel != "" {
		return nil, wrap(fmt.Errorf("--process-label %q: SELinux is not supported by berth (no LSM support)", f.ProcessLabel))
	}
	var p *specs.Process
	if f.ProcessFile != "" {
		b, err := os.ReadFile(f.ProcessFile)
		if err != nil {
			return nil, wrap(fmt.Errorf("read --process file: %w", err))
		}
		if p, err = specjson.UnmarshalProcess(b); err != nil {
			return nil, wrap(fmt.Errorf("parse --process file %q: %w", f.ProcessFile, err))
		}
		if f.Tty {
			p.Terminal = true
		}
	} else {
		base := c.st.Config.Process
		if base == nil {
			return nil, wrap(errors.New("the container's recorded config has no process"))
		}
		// A deep copy through JSON: the flags must not edit the record.
		b, err := specjson.MarshalProcess(base)
		if err != nil {
			return nil, wrap(err)
		}
		if p, err = specjson.UnmarshalProcess(b); err != nil {
			return nil, wrap(err)
		}
		p.Args = nil
		p.Terminal = f.Tty
	}
	if len(f.Args) > 0 {
		p.Args = f.Args
	}
	if len(p.Args) == 0 || p.Args[0] == "" {
		return nil, wrap(errors.New("no command given: berth exec ID COMMAND [ARG...], or --process FILE"))
	}
	if f.Cwd != "" {
		p.Cwd = f.Cwd
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if !filepath.IsAbs(p.Cwd) {
		return nil, wrap(fmt.Errorf("cwd %q must be an absolute path", p.Cwd))
	}
	for _, e := range f.Env {
		if !strings.Contains(e, "=") {
			return nil, wrap(fmt.Errorf("--env %q: expected NAME=VALUE", e))
		}
	}
	p.Env = append(p.Env, f.Env...)
	if f.User != "" {
		uid, gid, hasGid, err := ParseUser(f.User)
		if err != nil {
			return nil, wrap(err)
		}
		p.User.UID = uid
		if hasGid {
			p.User.GID = gid
		}
	}
	for _, g := range f.AdditionalGids {
		n, err := strconv.ParseUint(g, 10, 32)
		if err != nil {
			return nil, wrap(fmt.Errorf("--additional-gids %q: expected a numeric gid", g))
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(n))
	}
	if len(f.Caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		for _, name := range f.Caps {
			name = strings.ToUpper(name)
			if !strings.HasPrefix(name, "CAP_") {
				name = "CAP_" + name
			}
			// Bounding, effective and permitted, as runc does since
			// CVE-2022-29162: never inheritable, so no program gains
			// it through a file's inheritable bits.
			p.Capabilities.Bounding = append(p.Capabilities.Bounding, name)
			p.Capabilities.Effective = append(p.Capabilities.Effective, name)
			p.Capabilities.Permitted = append(p.Capabilities.Permitted, name)
		}
	}
	if f.NoNewPrivs != nil {
		p.NoNewPrivileges = *f.NoNewPrivs
	}
	if _, err := caps.Parse(p.Capabilities); err != nil {
		return nil, wrap(err)
	}
	for _, rl := range p.Rlimits {
		if _, ok := initproc.RlimitNumber(rl.Type); !ok {
			return nil, wrap(fmt.Errorf("rlimits: unknown type %q", rl.Type))
		}
	}
	return p, nil
}

// ParseUser parses --user's "uid[:gid]" strictly: both parts are decimal
// numbers that fit in 32 bits. "1" is uid 1 (never 0, as a lax parser that
// ignores errors would give); a name is an error, since berth does not read
// the container's /etc/passwd on the host.
func ParseUser(s string) (uid, gid uint32, hasGid bool, err error) {
	us, gs, hasGid := strings.Cut(s, ":")
	num := func(what, v string) (uint32, error) {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("--user %q: the %s %q is not a number (berth takes a numeric uid[:gid]; user names are not looked up)", s, what, v)
		}
		return uint32(n), nil
	}
	if uid, err = num("uid", us); err != nil {
		return 0, 0, false, err
	}
	if hasGid {
		if gid, err = num("gid", gs); err != nil {
			return 0, 0, false, err
		}
	}
	return uid, gid, hasGid, nil
}
