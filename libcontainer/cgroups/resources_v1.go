package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func itoa(v int64) string  { return strconv.FormatInt(v, 10) }
func utoa(v uint64) string { return strconv.FormatUint(v, 10) }

// setController writes one controller's part of r into d, a v1 cgroup
// directory or (v2) the container's cgroup2 one, where v1-style values
// are converted as the runtime-spec documents. The controllers whose
// files are alike in both versions are handled here; the others have a
// writer per version.
func setController(ctrl, d string, r *specs.LinuxResources, update, v2 bool) error {
	switch ctrl {
	case "cpuset":
		return setCpuset(d, r.CPU)
	case "pids":
		return write(d, "pids.max", pidsMax(r.Pids.Limit))
	case "rdma":
		return setRdma(d, r.Rdma)
	case "hugetlb":
		suffix := ".limit_in_bytes"
		if v2 {
			suffix = ".max"
		}
		for _, l := range r.HugepageLimits {
			if err := write(d, "hugetlb."+l.Pagesize+suffix, utoa(l.Limit)); err != nil {
				return fmt.Errorf("linux.resources.hugepageLimits (pageSize %q): %w", l.Pagesize, err)
			}
		}
		return nil
	}
	if v2 {
		return setV2(ctrl, d, r, update)
	}
	return setV1(ctrl, d, r, update)
}

// setV1 writes the v1-only parts: cpu, memory, blkio and the net_* ones.
func setV1(ctrl, d string, r *specs.LinuxResources, update bool) error {
	switch ctrl {
	case "cpu":
		return setCPUV1(d, r.CPU)
	case "memory":
		return setMemoryV1(d, r.Memory, update)
	case "blkio":
		return setBlkioV1(d, r.BlockIO)
	case "net_cls":
		return write(d, "net_cls.classid", strconv.FormatUint(uint64(*r.Network.ClassID), 10))
	case "net_prio":
		for _, p := range r.Network.Priorities {
			if err := write(d, "net_prio.ifpriomap", fmt.Sprintf("%s %d", p.Name, p.Priority)); err != nil {
				return err
			}
		}
	}
	return nil
}

func pidsMax(limit *int64) string {
	if *limit <= 0 {
		return "max"
	}
	return itoa(*limit)
}

func setCpuset(d string, c *specs.LinuxCPU) error {
	if c.Cpus != "" {
		if err := write(d, "cpuset.cpus", c.Cpus); err != nil {
			return fmt.Errorf("linux.resources.cpu.cpus %q: %w", c.Cpus, err)
		}
	}
	if c.Mems != "" {
		if err := write(d, "cpuset.mems", c.Mems); err != nil {
			return fmt.Errorf("linux.resources.cpu.mems %q: %w", c.Mems, err)
		}
	}
	return nil
}

func setCPUV1(d string, c *specs.LinuxCPU) error {
	if c.Shares != nil && *c.Shares != 0 {
		if err := write(d, "cpu.shares", utoa(*c.Shares)); err != nil {
			return err
		}
	}
	// The period first: a quota is checked against the current period.
	if c.Period != nil && *c.Period != 0 {
		if err := write(d, "cpu.cfs_period_us", utoa(*c.Period)); err != nil {
			return err
		}
	}
	if c.Quota != nil && *c.Quota != 0 {
		if err := write(d, "cpu.cfs_quota_us", itoa(*c.Quota)); err != nil {
			return err
		}
	}
	if c.Burst != nil {
		if err := writeIfExists(d, "cpu.cfs_burst_us", utoa(*c.Burst), "linux.resources.cpu.burst"); err != nil {
			return err
		}
	}
	// rt_period before rt_runtime: the runtime must fit in the period.
	if c.RealtimePeriod != nil && *c.RealtimePeriod != 0 {
		if err := writeIfExists(d, "cpu.rt_period_us", utoa(*c.RealtimePeriod), "linux.resources.cpu.realtimePeriod"); err != nil {
			return err
		}
	}
	if c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0 {
		if err := writeIfExists(d, "cpu.rt_runtime_us", itoa(*c.RealtimeRuntime), "linux.resources.cpu.realtimeRuntime"); err != nil {
			return err
		}
	}
	if c.Idle != nil {
		if err := writeIfExists(d, "cpu.idle", itoa(*c.Idle), "linux.resources.cpu.idle"); err != nil {
			return err
		}
	}
	return nil
}

// writeIfExists writes a file that only some kernels have; a missing one
// is an error naming the spec field, not a silent no-op.
func writeIfExists(d, file, value, field string) error {
	if _, err := os.Stat(filepath.Join(d, file)); err != nil {
		return fmt.Errorf("%s: this kernel's cgroup has no %s", field, file)
	}
	if err := write(d, file, value); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

func setMemoryV1(d string, m *specs.LinuxMemory, update bool) error {
	if update {
		if err := checkBeforeUpdate(d, "memory.usage_in_bytes", m); err != nil {
			return err
		}
	}
	if m.Limit != nil || m.Swap != nil {
		if err := setMemoryAndSwapV1(d, m); err != nil {
			return err
		}
	}
	if m.Reservation != nil {
		if err := write(d, "memory.soft_limit_in_bytes", itoa(*m.Reservation)); err != nil {
			return fmt.Errorf("linux.resources.memory.reservation: %w", err)
		}
	}
	if m.KernelTCP != nil {
		if err := writeIfExists(d, "memory.kmem.tcp.limit_in_bytes", itoa(*m.KernelTCP), "linux.resources.memory.kernelTCP"); err != nil {
			return err
		}
	}
	if m.Swappiness != nil {
		if *m.Swappiness > 100 {
			return fmt.Errorf("linux.resources.memory.swappiness %d is out of range (0-100)", *m.Swappiness)
		}
		if err := write(d, "memory.swappiness", utoa(*m.Swappiness)); err != nil {
			return fmt.Errorf("linux.resources.memory.swappiness: %w", err)
		}
	}
	if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		if err := write(d, "memory.oom_control", "1"); err != nil {
			return fmt.Errorf("linux.resources.memory.disableOOMKiller: %w", err)
		}
	}
	return nil
}

// setMemoryAndSwapV1 orders the two writes so that the kernel's rule
// limit <= memsw.limit holds at every step: raising goes swap first,
// lowering goes limit first.
func setMemoryAndSwapV1(d string, m *specs.LinuxMemory) error {
	limit, swap := int64(0), int64(0)
	if m.Limit != nil {
		limit = *m.Limit
	}
	if m.Swap != nil {
		swap = *m.Swap
	}
	if swap != 0 {
		if _, err := os.Stat(filepath.Join(d, "memory.memsw.limit_in_bytes")); err != nil {
			return errors.New("linux.resources.memory.swap: this host has no swap accounting (memory.memsw.limit_in_bytes is missing)")
		}
	}
	if limit == -1 && swap == 0 {
		// Unlimited memory takes unlimited swap with it, as runc does.
		swap = -1
	}
	writeLimit := func() error {
		if limit == 0 {
			return nil
		}
		if err := write(d, "memory.limit_in_bytes", itoa(limit)); err != nil {
			return fmt.Errorf("linux.resources.memory.limit %d: %w", limit, err)
		}
		return nil
	}
	writeSwap := func() error {
		if swap == 0 {
			return nil
		}
		if err := write(d, "memory.memsw.limit_in_bytes", itoa(swap)); err != nil {
			return fmt.Errorf("linux.resources.memory.swap %d: %w", swap, err)
		}
		return nil
	}
	cur, _ := read(d, "memory.memsw.limit_in_bytes")
	curSwap, _ := strconv.ParseInt(cur, 10, 64)
	if swap == -1 || (swap > 0 && swap > curSwap) {
		if err := writeSwap(); err != nil {
			return err
		}
		return writeLimit()
	}
	if err := writeLimit(); err != nil {
		return err
	}
	return writeSwap()
}

func setBlkioV1(d string, b *specs.LinuxBlockIO) error {
	weightFile := "blkio.weight"
	if _, err := os.Stat(filepath.Join(d, weightFile)); err != nil {
		weightFile = "blkio.bfq.weight"
	}
	haveWeight := true
	if _, err := os.Stat(filepath.Join(d, weightFile)); err != nil {
		haveWeight = false
	}
	if b.Weight != nil || b.LeafWeight != nil || len(b.WeightDevice) > 0 {
		if !haveWeight {
			return errors.New("linux.resources.blockIO weights need blkio.weight or blkio.bfq.weight, which this host's blkio controller does not have (no CFQ/BFQ I/O scheduler)")
		}
	}
	if b.Weight != nil {
		if err := write(d, weightFile, strconv.Itoa(int(*b.Weight))); err != nil {
			return fmt.Errorf("linux.resources.blockIO.weight: %w", err)
		}
	}
	if b.LeafWeight != nil {
		if err := writeIfExists(d, "blkio.leaf_weight", strconv.Itoa(int(*b.LeafWeight)), "linux.resources.blockIO.leafWeight"); err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			if err := write(d, weightFile+"_device", fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, *wd.Weight)); err != nil {
				return fmt.Errorf("linux.resources.blockIO.weightDevice: %w", err)
			}
		}
	}
	for _, t := range []struct {
		file string
		devs []specs.LinuxThrottleDevice
	}{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	} {
		for _, dev := range t.devs {
			if err := write(d, t.file, fmt.Sprintf("%d:%d %d", dev.Major, dev.Minor, dev.Rate)); err != nil {
				return fmt.Errorf("linux.resources.blockIO (%s): %w", t.file, err)
			}
		}
	}
	return nil
}

func setRdma(d string, rdma map[string]specs.LinuxRdma) error {
	for dev, l := range rdma {
		v := dev
		if l.HcaHandles != nil {
			v += " hca_handle=" + strconv.FormatUint(uint64(*l.HcaHandles), 10)
		}
		if l.HcaObjects != nil {
			v += " hca_object=" + strconv.FormatUint(uint64(*l.HcaObjects), 10)
		}
		if err := write(d, "rdma.max", v); err != nil {
			return fmt.Errorf("linux.resources.rdma[%q]: %w", dev, err)
		}
	}
	return nil
}
