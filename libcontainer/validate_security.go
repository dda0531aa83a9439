package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/sysctl"
)

// validateMountsAndSysctl checks the mounts' options and the sysctls
// against the namespaces the container has (ns: new or joined), so that a
// config berth cannot run safely fails before anything is created.
func validateMountsAndSysctl(s *specs.Spec, ns map[specs.LinuxNamespaceType]bool) error {
	for i, m := range s.Mounts {
		o, err := rootfs.ParseOptions(m.Options, m.Type == "bind")
		if err != nil {
			return fmt.Errorf("mounts[%d] (%q): %w", i, m.Destination, err)
		}
		if m.Destination == "" {
			return fmt.Errorf("mounts[%d]: no destination", i)
		}
		hasMaps := len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0
		switch {
		case hasMaps && !o.IDMap:
			return fmt.Errorf("mounts[%d] (%q): uidMappings/gidMappings need the idmap or ridmap option", i, m.Destination)
		case hasMaps && (len(m.UIDMappings) == 0 || len(m.GIDMappings) == 0):
			return fmt.Errorf("mounts[%d] (%q): an idmapped mount needs both uidMappings and gidMappings", i, m.Destination)
		case o.IDMap && !hasMaps && (!ns[specs.UserNamespace] || len(s.Linux.UIDMappings) == 0):
			return fmt.Errorf("mounts[%d] (%q): idmap without uidMappings/gidMappings on the mount needs a new user namespace whose mappings it takes", i, m.Destination)
		}
	}
	for k := range s.Linux.Sysctl {
		if err := sysctl.Check(k, ns); err != nil {
			return fmt.Errorf("linux.sysctl: %w", err)
		}
	}
	return nil
}
