package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/caps"
	"github.com/berth-runtime/berth/libcontainer/initproc"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/libcontainer/specjson"
)

// LoadConfig reads and checks BUNDLE/config.json.
func LoadConfig(bundle string) (*specs.Spec, error) {
	p := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("bundle %q has no config.json (make one with `berth spec`)", bundle)
		}
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var s specs.Spec
	if err := specjson.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	if err := Validate(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &s, nil
}

var nsFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.UserNamespace:    unix.CLONE_NEWUSER,
	specs.CgroupNamespace:  unix.CLONE_NEWCGROUP,
	specs.TimeNamespace:    unix.CLONE_NEWTIME,
}

// Validate rejects configs berth cannot run, before anything is created.
func Validate(s *specs.Spec) error {
	if s.Process == nil {
		return errors.New("no process section: nothing to run")
	}
	if len(s.Process.Args) == 0 || s.Process.Args[0] == "" {
		return errors.New("process.args is empty: nothing to run")
	}
	if s.Root == nil || s.Root.Path == "" {
		return errors.New("root.path is not set")
	}
	if s.Linux == nil {
		return errors.New("no linux section")
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	for _, ns := range s.Linux.Namespaces {
		if _, ok := nsFlags[ns.Type]; !ok {
			return fmt.Errorf("linux.namespaces: unknown namespace type %q", ns.Type)
		}
		if seen[ns.Type] {
			return fmt.Errorf("linux.namespaces: %q listed twice", ns.Type)
		}
		seen[ns.Type] = true
	}
	if !seen[specs.MountNamespace] {
		return errors.New("linux.namespaces: a mount namespace is required (the rootfs is set up in it)")
	}
	if s.Hostname != "" && !seen[specs.UTSNamespace] {
		return errors.New("hostname is set but there is no uts namespace: it would rename the host")
	}
	if len(s.Linux.TimeOffsets) > 0 && !seen[specs.TimeNamespace] {
		return errors.New("linux.timeOffsets need a time namespace")
	}
	if seen[specs.UserNamespace] && len(s.Linux.UIDMappings) == 0 && nsPath(s, specs.UserNamespace) == "" {
		return errors.New("a new user namespace needs linux.uidMappings and gidMappings")
	}
	for _, rl := range s.Process.Rlimits {
		if _, ok := initproc.RlimitNumber(rl.Type); !ok {
			return fmt.Errorf("process.rlimits: unknown type %q", rl.Type)
		}
		if rl.Soft > rl.Hard {
			return fmt.Errorf("process.rlimits: %s soft limit %d is above its hard limit %d", rl.Type, rl.Soft, rl.Hard)
		}
	}
	if err := validateMountsAndSysctl(s, seen); err != nil {
		return err
	}
	if _, err := caps.Parse(s.Process.Capabilities); err != nil {
		return fmt.Errorf("process.%w", err)
	}
	return seccomp.Validate(s.Linux.Seccomp)
}

func nsPath(s *specs.Spec, t specs.LinuxNamespaceType) string {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return ns.Path
		}
	}
	return ""
}

func hasNS(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}
