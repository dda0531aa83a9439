package features

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"github.com/berth-runtime/berth/libcontainer/caps"
	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
)

// Get returns the features document. Every call builds a new value, so a
// caller may modify it.
func Get() *features.Features {
	// The features types use *bool so that "unknown" (nil) differs from
	// "not supported" (false); we know every answer, so none is nil.
	no := boolPtr(false)
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks: []string{
			"prestart", "createRuntime", "createContainer",
			"startContainer", "poststart", "poststop",
		},
		// The generic options of rootfs's parser; filesystem data such
		// as "mode=755" is passed through and, per the spec, not listed.
		MountOptions: rootfs.OptionNames(),
		Linux: &features.Linux{
			Namespaces: []string{
				string(specs.CgroupNamespace), string(specs.IPCNamespace),
				string(specs.MountNamespace), string(specs.NetworkNamespace),
				string(specs.PIDNamespace), string(specs.UserNamespace),
				string(specs.UTSNamespace), string(specs.TimeNamespace),
			},
			// Names berth can translate, CAP_CHOWN (0) to
			// CAP_CHECKPOINT_RESTORE (40); those the running kernel lacks
			// are dropped at start, not refused.
			Capabilities: caps.Names(),
			// cgroupfs on v1, v2 and hybrid hosts (libcontainer/cgroups);
			// rdma limits are written where the host has the controller.
			Cgroup:   &features.Cgroup{V1: boolPtr(true), V2: boolPtr(true), Systemd: no, SystemdUser: no, Rdma: boolPtr(true)},
			Seccomp:  seccompFeatures(),
			Apparmor: &features.Apparmor{Enabled: no},
			Selinux:  &features.Selinux{Enabled: no},
			IntelRdt: &features.IntelRdt{Enabled: no},
			// idmap and ridmap bind mounts (mount_setattr MOUNT_ATTR_IDMAP).
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: boolPtr(true)}},
		},
		Annotations: map[string]string{},
	}
}

func boolPtr(b bool) *bool { return &b }

// seccompFeatures lists what linux.seccomp may hold here: the actions and
// architectures libseccomp accepts on this host, every operator, the flags
// berth knows and those the running kernel accepts.
func seccompFeatures() *features.Seccomp {
	s := seccomp.Supported()
	return &features.Seccomp{
		Enabled:        boolPtr(true),
		Actions:        s.Actions,
		Operators:      s.Operators,
		Archs:          s.Archs,
		KnownFlags:     s.KnownFlags,
		SupportedFlags: s.SupportedFlags,
	}
}
