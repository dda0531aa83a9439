package cgroups

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// needs lists, per controller, the linux.resources fields that use it.
// Controller names are v1's; on cgroup v2 blkio is called io.
func needs(r *specs.LinuxResources) map[string][]string {
	n := map[string][]string{}
	add := func(ctrl, field string) { n[ctrl] = append(n[ctrl], field) }
	if r == nil {
		return n
	}
	if m := r.Memory; m != nil && (m.Limit != nil || m.Reservation != nil || m.Swap != nil ||
		m.KernelTCP != nil || m.Swappiness != nil || (m.DisableOOMKiller != nil && *m.DisableOOMKiller)) {
		add("memory", "linux.resources.memory")
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil ||
			c.RealtimeRuntime != nil || c.RealtimePeriod != nil || c.Idle != nil {
			add("cpu", "linux.resources.cpu")
		}
		if c.Cpus != "" || c.Mems != "" {
			add("cpuset", "linux.resources.cpu.cpus/mems")
		}
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		add("pids", "linux.resources.pids")
	}
	if b := r.BlockIO; b != nil && (b.Weight != nil || b.LeafWeight != nil || len(b.WeightDevice) > 0 ||
		len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0) {
		add("blkio", "linux.resources.blockIO")
	}
	if len(r.HugepageLimits) > 0 {
		add("hugetlb", "linux.resources.hugepageLimits")
	}
	if nw := r.Network; nw != nil {
		if nw.ClassID != nil {
			add("net_cls", "linux.resources.network.classID")
		}
		if len(nw.Priorities) > 0 {
			add("net_prio", "linux.resources.network.priorities")
		}
	}
	if len(r.Rdma) > 0 {
		add("rdma", "linux.resources.rdma")
	}
	return n
}

func v2Name(ctrl string) string {
	if ctrl == "blkio" {
		return "io"
	}
	return ctrl
}

// where says which hierarchy serves ctrl: a v1 one when mounted (hybrid
// hosts keep their classic controllers in v1), else cgroup2 when its root
// offers the controller.
func (h *Hierarchies) where(ctrl string) (v1 *V1Hierarchy, v2 bool) {
	if v := h.V1For(ctrl); v != nil {
		return v, false
	}
	if contains(h.UnifiedControllers(), v2Name(ctrl)) {
		return nil, true
	}
	return nil, false
}

// check fails, naming the controller, when r needs one the host lacks.
func (h *Hierarchies) check(r *specs.LinuxResources) error {
	n := needs(r)
	ctrls := make([]string, 0, len(n))
	for c := range n {
		ctrls = append(ctrls, c)
	}
	sort.Strings(ctrls)
	for _, ctrl := range ctrls {
		if v1, v2 := h.where(ctrl); v1 == nil && !v2 {
			return fmt.Errorf("%s needs the %q cgroup controller, which this host does not have (%s)",
				strings.Join(n[ctrl], ", "), ctrl, h.describe())
		}
	}
	if r != nil && len(r.Unified) > 0 {
		if h.UnifiedPath == "" {
			return fmt.Errorf("linux.resources.unified needs cgroup v2, but this host has only cgroup v1 (%s)", h.describe())
		}
		have := h.UnifiedControllers()
		for _, k := range sortedKeys(r.Unified) {
			ctrl, _, ok := strings.Cut(k, ".")
			if !ok || strings.Contains(k, "/") {
				return fmt.Errorf("linux.resources.unified: %q is not a cgroup v2 file name", k)
			}
			if ctrl != "cgroup" && !contains(have, ctrl) {
				return fmt.Errorf("linux.resources.unified[%q] needs the %q cgroup v2 controller, which this host's cgroup2 hierarchy does not have (%s)", k, ctrl, h.describe())
			}
		}
	}
	return nil
}

func (h *Hierarchies) describe() string {
	var v1 []string
	for _, v := range h.V1 {
		v1 = append(v1, v.Controllers...)
	}
	sort.Strings(v1)
	s := h.Mode.String()
	if len(v1) > 0 {
		s += "; v1 controllers: " + strings.Join(v1, " ")
	}
	if h.UnifiedPath != "" {
		c := h.UnifiedControllers()
		if len(c) == 0 {
			c = []string{"none"}
		}
		s += "; cgroup2 controllers: " + strings.Join(c, " ")
	}
	return s
}

// v2Needs lists the cgroup2 controllers r needs enabled above the
// container's cgroup.
func (h *Hierarchies) v2Needs(r *specs.LinuxResources) []string {
	var out []string
	if h.UnifiedPath == "" {
		return nil
	}
	for ctrl := range needs(r) {
		if v1, v2 := h.where(ctrl); v1 == nil && v2 {
			out = append(out, v2Name(ctrl))
		}
	}
	if r != nil {
		for k := range r.Unified {
			if ctrl, _, _ := strings.Cut(k, "."); ctrl != "cgroup" && !contains(out, ctrl) {
				out = append(out, ctrl)
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Set writes r into the container's cgroups: each controller in the
// hierarchy that serves it (see where). update calls it again with the
// merged resources; checkBeforeUpdate then refuses a memory limit below
// the current usage.
func (c *Cgroup) Set(r *specs.LinuxResources, update bool) error {
	if r == nil {
		return nil
	}
	if err := c.h.check(r); err != nil {
		return err
	}
	if update {
		// A controller newly needed by an update must be enabled too.
		if d := c.Unified(); d != "" {
			if err := enableV2(c.h.UnifiedPath, parentOf(d), c.h.v2Needs(r)); err != nil {
				return err
			}
		}
	}
	for _, ctrl := range []string{"cpuset", "cpu", "memory", "pids", "blkio", "hugetlb", "net_cls", "net_prio", "rdma"} {
		if _, ok := needs(r)[ctrl]; !ok {
			continue
		}
		v1, _ := c.h.where(ctrl)
		d := c.Unified()
		if v1 != nil {
			d = c.Dirs[v1.Key]
		}
		if err := setController(ctrl, d, r, update, v1 == nil); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(r.Unified) {
		if err := write(c.Unified(), k, r.Unified[k]); err != nil {
			return fmt.Errorf("linux.resources.unified[%q]: %w", k, err)
		}
	}
	return nil
}

func parentOf(d string) string {
	i := strings.LastIndex(d, "/")
	if i <= 0 {
		return "/"
	}
	return d[:i]
}

// checkBeforeUpdate refuses, when the config asks for it, an updated
// memory limit below the cgroup's current usage (read from usageFile).
func checkBeforeUpdate(d, usageFile string, m *specs.LinuxMemory) error {
	if m.CheckBeforeUpdate == nil || !*m.CheckBeforeUpdate || m.Limit == nil || *m.Limit <= 0 {
		return nil
	}
	usage, err := read(d, usageFile)
	if err != nil {
		return nil
	}
	if u, _ := strconv.ParseInt(usage, 10, 64); u > *m.Limit {
		return fmt.Errorf("linux.resources.memory.limit %d is below the current usage %d (checkBeforeUpdate)", *m.Limit, u)
	}
	return nil
}
