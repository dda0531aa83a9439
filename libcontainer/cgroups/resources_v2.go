package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setV2 writes the cgroup2 forms of cpu, memory and io (blkio).
func setV2(ctrl, d string, r *specs.LinuxResources, update bool) error {
	switch ctrl {
	case "cpu":
		return setCPUV2(d, r.CPU)
	case "memory":
		return setMemoryV2(d, r.Memory, update)
	case "blkio":
		return setIOV2(d, r.BlockIO)
	}
	return fmt.Errorf("the %s controller exists only in cgroup v1", ctrl)
}

// SharesToWeight converts cpu.shares (2..262144) to cpu.weight (1..10000).
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	if shares <= 2 {
		return 1
	}
	if shares >= 262144 {
		return 10000
	}
	return 1 + ((shares-2)*9999)/262142
}

// BlkioToIOWeight converts blkio.weight (10..1000) to io.weight (1..10000).
func BlkioToIOWeight(w uint16) uint64 {
	if w == 0 {
		return 0
	}
	return 1 + (uint64(w)-10)*9999/990
}

func setCPUV2(d string, c *specs.LinuxCPU) error {
	if c.RealtimeRuntime != nil || c.RealtimePeriod != nil {
		if (c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0) || (c.RealtimePeriod != nil && *c.RealtimePeriod != 0) {
			return errors.New("linux.resources.cpu.realtimeRuntime/realtimePeriod are not supported on cgroup v2")
		}
	}
	if c.Shares != nil && *c.Shares != 0 {
		if err := write(d, "cpu.weight", utoa(SharesToWeight(*c.Shares))); err != nil {
			return fmt.Errorf("linux.resources.cpu.shares: %w", err)
		}
	}
	if (c.Quota != nil && *c.Quota != 0) || (c.Period != nil && *c.Period != 0) {
		quota := "max"
		if c.Quota != nil && *c.Quota > 0 {
			quota = itoa(*c.Quota)
		}
		period := "100000"
		if c.Period != nil && *c.Period != 0 {
			period = utoa(*c.Period)
		} else if cur, err := read(d, "cpu.max"); err == nil {
			if f := strings.Fields(cur); len(f) == 2 {
				period = f[1]
			}
		}
		if err := write(d, "cpu.max", quota+" "+period); err != nil {
			return fmt.Errorf("linux.resources.cpu.quota/period: %w", err)
		}
	}
	if c.Burst != nil {
		if err := writeIfExists(d, "cpu.max.burst", utoa(*c.Burst), "linux.resources.cpu.burst"); err != nil {
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

func maxOr(v int64) string {
	if v < 0 {
		return "max"
	}
	return itoa(v)
}

func setMemoryV2(d string, m *specs.LinuxMemory, update bool) error {
	if m.Swappiness != nil {
		return errors.New("linux.resources.memory.swappiness is not supported on cgroup v2")
	}
	if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		return errors.New("linux.resources.memory.disableOOMKiller is not supported on cgroup v2")
	}
	if m.KernelTCP != nil {
		return errors.New("linux.resources.memory.kernelTCP is not supported on cgroup v2")
	}
	if update {
		if err := checkBeforeUpdate(d, "memory.current", m); err != nil {
			return err
		}
	}
	if m.Swap != nil && *m.Swap != 0 {
		// OCI's swap is memory+swap; memory.swap.max is swap alone.
		v := "max"
		if *m.Swap > 0 {
			if m.Limit == nil || *m.Limit <= 0 {
				return errors.New("linux.resources.memory.swap needs a memory limit on cgroup v2 (swap is memory+swap)")
			}
			if *m.Swap < *m.Limit {
				return fmt.Errorf("linux.resources.memory.swap %d is below memory.limit %d", *m.Swap, *m.Limit)
			}
			v = itoa(*m.Swap - *m.Limit)
		}
		if _, err := os.Stat(filepath.Join(d, "memory.swap.max")); err != nil {
			return errors.New("linux.resources.memory.swap: this host has no swap accounting (memory.swap.max is missing)")
		}
		if err := write(d, "memory.swap.max", v); err != nil {
			return fmt.Errorf("linux.resources.memory.swap: %w", err)
		}
	}
	if m.Limit != nil && *m.Limit != 0 {
		if err := write(d, "memory.max", maxOr(*m.Limit)); err != nil {
			return fmt.Errorf("linux.resources.memory.limit: %w", err)
		}
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		if err := write(d, "memory.low", maxOr(*m.Reservation)); err != nil {
			return fmt.Errorf("linux.resources.memory.reservation: %w", err)
		}
	}
	return nil
}

func setIOV2(d string, b *specs.LinuxBlockIO) error {
	if b.Weight != nil {
		if err := write(d, "io.weight", "default "+utoa(BlkioToIOWeight(*b.Weight))); err != nil {
			return fmt.Errorf("linux.resources.blockIO.weight: %w", err)
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			if err := write(d, "io.weight", fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, BlkioToIOWeight(*wd.Weight))); err != nil {
				return fmt.Errorf("linux.resources.blockIO.weightDevice: %w", err)
			}
		}
	}
	for _, t := range []struct {
		key  string
		devs []specs.LinuxThrottleDevice
	}{
		{"rbps", b.ThrottleReadBpsDevice}, {"wbps", b.ThrottleWriteBpsDevice},
		{"riops", b.ThrottleReadIOPSDevice}, {"wiops", b.ThrottleWriteIOPSDevice},
	} {
		for _, dev := range t.devs {
			if err := write(d, "io.max", fmt.Sprintf("%d:%d %s=%d", dev.Major, dev.Minor, t.key, dev.Rate)); err != nil {
				return fmt.Errorf("linux.resources.blockIO (%s): %w", t.key, err)
			}
		}
	}
	return nil
}
