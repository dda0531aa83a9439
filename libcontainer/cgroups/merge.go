package cgroups

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Merge returns old with every field that upd sets replaced, as `update`
// records the container's new resources. Device rules are kept from old.
func Merge(old, upd *specs.LinuxResources) *specs.LinuxResources {
	if old == nil {
		old = &specs.LinuxResources{}
	}
	out := *old
	if upd == nil {
		return &out
	}
	if m := upd.Memory; m != nil {
		nm := specs.LinuxMemory{}
		if out.Memory != nil {
			nm = *out.Memory
		}
		setPtr(&nm.Limit, m.Limit)
		setPtr(&nm.Reservation, m.Reservation)
		setPtr(&nm.Swap, m.Swap)
		setPtr(&nm.KernelTCP, m.KernelTCP)
		setPtr(&nm.Swappiness, m.Swappiness)
		setPtr(&nm.DisableOOMKiller, m.DisableOOMKiller)
		out.Memory = &nm
	}
	if cp := upd.CPU; cp != nil {
		nc := specs.LinuxCPU{}
		if out.CPU != nil {
			nc = *out.CPU
		}
		setPtr(&nc.Shares, cp.Shares)
		setPtr(&nc.Quota, cp.Quota)
		setPtr(&nc.Burst, cp.Burst)
		setPtr(&nc.Period, cp.Period)
		setPtr(&nc.RealtimeRuntime, cp.RealtimeRuntime)
		setPtr(&nc.RealtimePeriod, cp.RealtimePeriod)
		setPtr(&nc.Idle, cp.Idle)
		if cp.Cpus != "" {
			nc.Cpus = cp.Cpus
		}
		if cp.Mems != "" {
			nc.Mems = cp.Mems
		}
		out.CPU = &nc
	}
	if upd.Pids != nil {
		out.Pids = upd.Pids
	}
	if upd.BlockIO != nil {
		out.BlockIO = upd.BlockIO
	}
	if upd.HugepageLimits != nil {
		out.HugepageLimits = upd.HugepageLimits
	}
	if upd.Network != nil {
		out.Network = upd.Network
	}
	if upd.Rdma != nil {
		out.Rdma = upd.Rdma
	}
	if len(upd.Unified) > 0 {
		u := map[string]string{}
		for k, v := range out.Unified {
			u[k] = v
		}
		for k, v := range upd.Unified {
			u[k] = v
		}
		out.Unified = u
	}
	return &out
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}
