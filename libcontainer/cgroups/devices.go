package cgroups

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DeviceRule is one normalised allow/deny rule: Type 'a', 'c' or 'b';
// Major/Minor -1 for any; Access a subset of "rwm".
type DeviceRule struct {
	Allow        bool
	Type         byte
	Major, Minor int64
	Access       string
}

func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

// defaultAllowed are the devices every container may use whatever its
// rules say, as runc appends them after the config's rules: mknod of any
// node (the init creates /dev's nodes), the standard character devices,
// the pty multiplexer and its slaves.
var defaultAllowed = []DeviceRule{
	{true, 'c', -1, -1, "m"},
	{true, 'b', -1, -1, "m"},
	{true, 'c', 1, 3, "rwm"},    // /dev/null
	{true, 'c', 1, 5, "rwm"},    // /dev/zero
	{true, 'c', 1, 7, "rwm"},    // /dev/full
	{true, 'c', 1, 8, "rwm"},    // /dev/random
	{true, 'c', 1, 9, "rwm"},    // /dev/urandom
	{true, 'c', 5, 0, "rwm"},    // /dev/tty
	{true, 'c', 5, 2, "rwm"},    // /dev/ptmx
	{true, 'c', 136, -1, "rwm"}, // /dev/pts/*
}

// DeviceRules is the ordered rule list for spec: linux.resources.devices,
// then the default allow list, then each linux.devices node. What no rule
// allows is denied; among matching rules the last one wins.
func DeviceRules(spec *specs.Spec) ([]DeviceRule, error) {
	var out []DeviceRule
	if spec.Linux == nil {
		return append(out, defaultAllowed...), nil
	}
	if r := spec.Linux.Resources; r != nil {
		for i, d := range r.Devices {
			rule := DeviceRule{Allow: d.Allow, Type: 'a', Major: -1, Minor: -1, Access: d.Access}
			switch d.Type {
			case "", "a":
			case "c", "b":
				rule.Type = d.Type[0]
			default:
				return nil, fmt.Errorf("linux.resources.devices[%d].type %q: want a, c or b", i, d.Type)
			}
			if d.Major != nil {
				rule.Major = *d.Major
			}
			if d.Minor != nil {
				rule.Minor = *d.Minor
			}
			if rule.Access == "" {
				rule.Access = "rwm"
			}
			for _, ch := range rule.Access {
				if ch != 'r' && ch != 'w' && ch != 'm' {
					return nil, fmt.Errorf("linux.resources.devices[%d].access %q: want letters from rwm", i, d.Access)
				}
			}
			out = append(out, rule)
		}
	}
	out = append(out, defaultAllowed...)
	for _, d := range spec.Linux.Devices {
		t := byte('c')
		switch d.Type {
		case "b":
			t = 'b'
		case "p":
			continue // fifos are not device-controlled
		}
		out = append(out, DeviceRule{true, t, d.Major, d.Minor, "rwm"})
	}
	return out, nil
}

// SetDevices enforces rules: through devices.allow/deny on a v1 devices
// hierarchy, else an eBPF program on the cgroup2 directory.
func (c *Cgroup) SetDevices(rules []DeviceRule) error {
	if d := c.v1Dir("devices"); d != "" {
		return setDevicesV1(d, rules)
	}
	if d := c.Unified(); d != "" {
		return attachDeviceFilter(d, rules, deviceCacheDir(c.h.UnifiedPath))
	}
	return fmt.Errorf("linux.resources.devices: this host has neither a v1 devices controller nor cgroup v2 (%s)", c.h.describe())
}

func setDevicesV1(d string, rules []DeviceRule) error {
	// Start from nothing allowed, then replay the rules in order: the
	// kernel's list then means "last matching rule wins" too.
	if err := write(d, "devices.deny", "a"); err != nil {
		return fmt.Errorf("linux.resources.devices: %w", err)
	}
	for _, r := range rules {
		file := "devices.deny"
		if r.Allow {
			file = "devices.allow"
		}
		if err := write(d, file, r.String()); err != nil {
			return fmt.Errorf("linux.resources.devices rule %q: %w", r.String(), err)
		}
	}
	return nil
}
