package specdefault

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Hostname is the UTS hostname of the template container.
const Hostname = "berth"

// defaultCaps is the small set runc grants by default: enough for a shell to
// kill its children, bind low ports and write audit records, nothing that
// can change the host.
var defaultCaps = []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}

// Default returns the template spec for a container started by root.
func Default() *specs.Spec {
	return &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Terminal: true,
			User:     specs.User{UID: 0, GID: 0},
			Args:     []string{"sh"},
			Env: []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"TERM=xterm",
			},
			Cwd: "/",
			// Inheritable is left empty on purpose: it would let the caps
			// survive exec of file-capability binaries.
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  clone(defaultCaps),
				Effective: clone(defaultCaps),
				Permitted: clone(defaultCaps),
				Ambient:   clone(defaultCaps),
			},
			Rlimits: []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024},
			},
			NoNewPrivileges: true,
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Hostname: Hostname,
		Mounts:   defaultMounts(),
		Linux: &specs.Linux{
			// Deny every device; the runtime adds back the standard
			// /dev/null, /dev/zero, ... entries itself.
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace},
				{Type: specs.NetworkNamespace},
				{Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace},
				{Type: specs.MountNamespace},
				// runc 1.1.5 leaves cgroup out; we add it so the container
				// sees its own cgroup as the root of /sys/fs/cgroup.
				{Type: specs.CgroupNamespace},
			},
			MaskedPaths: []string{
				"/proc/acpi",
				"/proc/asound",
				"/proc/kcore",
				"/proc/keys",
				"/proc/latency_stats",
				"/proc/timer_list",
				"/proc/timer_stats",
				"/proc/sched_debug",
				"/sys/firmware",
				"/proc/scsi",
			},
			ReadonlyPaths: []string{
				"/proc/bus",
				"/proc/fs",
				"/proc/irq",
				"/proc/sys",
				"/proc/sysrq-trigger",
			},
		},
	}
}

// Rootless returns the template for an unprivileged user whose host IDs are
// uid and gid: the container's root is mapped onto that single user.
func Rootless(uid, gid uint32) *specs.Spec {
	s := Default()
	// An unprivileged user can neither create a usable network namespace
	// nor a cgroup namespace it could delegate into, and cannot write
	// device cgroup rules; runc drops all three in the same way.
	s.Linux.Resources = nil
	var ns []specs.LinuxNamespace
	for _, n := range s.Linux.Namespaces {
		if n.Type != specs.NetworkNamespace && n.Type != specs.CgroupNamespace {
			ns = append(ns, n)
		}
	}
	s.Linux.Namespaces = append(ns, specs.LinuxNamespace{Type: specs.UserNamespace})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uid, Size: 1}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: gid, Size: 1}}

	for i := range s.Mounts {
		m := &s.Mounts[i]
		switch m.Destination {
		case "/sys":
			// A fresh sysfs needs a network namespace owned by our user
			// namespace; with the host's network namespace, bind the host
			// /sys read-only instead.
			m.Type = "none"
			m.Source = "/sys"
			m.Options = []string{"rbind", "nosuid", "noexec", "nodev", "ro"}
		case "/dev/pts":
			// gid 5 (tty) is not mapped inside the user namespace, so the
			// kernel would refuse the devpts mount.
			var opts []string
			for _, o := range m.Options {
				if o != "gid=5" {
					opts = append(opts, o)
				}
			}
			m.Options = opts
		}
	}
	return s
}

func defaultMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{
			Destination: "/dev", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"},
		},
		{
			Destination: "/dev/pts", Type: "devpts", Source: "devpts",
			Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
		},
		{
			Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
			Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
		},
		{
			Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue",
			Options: []string{"nosuid", "noexec", "nodev"},
		},
		{
			Destination: "/sys", Type: "sysfs", Source: "sysfs",
			Options: []string{"nosuid", "noexec", "nodev", "ro"},
		},
		{
			Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
			Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"},
		},
	}
}

func clone(s []string) []string { return append([]string(nil), s...) }
