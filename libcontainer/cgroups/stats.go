package cgroups

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Stats are a container's cgroup statistics in the shape runc's `events`
// prints them (its JSON field names), so tools that parse runc's output
// read berth's.
type Stats struct {
	CPU     CPUStats           `json:"cpu"`
	Memory  MemoryStats        `json:"memory"`
	Pids    PidsStats          `json:"pids"`
	Blkio   BlkioStats         `json:"blkio"`
	Hugetlb map[string]Hugetlb `json:"hugetlb"`
}

type CPUUsage struct {
	Total  uint64   `json:"total,omitempty"`
	Percpu []uint64 `json:"percpu,omitempty"`
	Kernel uint64   `json:"kernel"`
	User   uint64   `json:"user"`
}

type Throttling struct {
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttledPeriods,omitempty"`
	ThrottledTime    uint64 `json:"throttledTime,omitempty"`
}

type CPUStats struct {
	Usage      CPUUsage   `json:"usage,omitempty"`
	Throttling Throttling `json:"throttling,omitempty"`
}

type MemoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

type MemoryStats struct {
	Cache     uint64            `json:"cache,omitempty"`
	Usage     MemoryEntry       `json:"usage,omitempty"`
	Swap      MemoryEntry       `json:"swap,omitempty"`
	Kernel    MemoryEntry       `json:"kernel,omitempty"`
	KernelTCP MemoryEntry       `json:"kernelTCP,omitempty"`
	Raw       map[string]uint64 `json:"raw,omitempty"`
}

type PidsStats struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

type BlkioEntry struct {
	Major uint64 `json:"major,omitempty"`
	Minor uint64 `json:"minor,omitempty"`
	Op    string `json:"op,omitempty"`
	Value uint64 `json:"value,omitempty"`
}

type BlkioStats struct {
	IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive,omitempty"`
	IoServicedRecursive     []BlkioEntry `json:"ioServicedRecursive,omitempty"`
}

type Hugetlb struct {
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// num reads a file holding one number; "max" and absent files read as 0,
// except that limits say "max" as the largest value.
func num(dir, file string) uint64 {
	s, err := read(dir, file)
	if err != nil {
		return 0
	}
	if s == "max" {
		return ^uint64(0)
	}
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

// keyed reads "key value" lines.
func keyed(dir, file string) map[string]uint64 {
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return nil
	}
	defer f.Close()
	m := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

// dirFor is the directory serving ctrl and whether it is cgroup2.
func (c *Cgroup) dirFor(ctrl string) (string, bool) {
	if v1, v2 := c.h.where(ctrl); v1 != nil {
		return c.Dirs[v1.Key], false
	} else if v2 {
		return c.Unified(), true
	}
	return "", false
}

// Stats reads what the host's controllers account. A controller the host
// lacks leaves its section empty.
func (c *Cgroup) Stats() *Stats {
	s := &Stats{Hugetlb: map[string]Hugetlb{}}
	c.cpuStats(s)
	c.memoryStats(s)
	if d, _ := c.dirFor("pids"); d != "" {
		s.Pids = PidsStats{Current: num(d, "pids.current"), Limit: num(d, "pids.max")}
	}
	c.blkioStats(s)
	c.hugetlbStats(s)
	return s
}

func (c *Cgroup) cpuStats(s *Stats) {
	if d := c.v1Dir("cpuacct"); d != "" {
		s.CPU.Usage.Total = num(d, "cpuacct.usage")
		if b, err := read(d, "cpuacct.usage_percpu"); err == nil {
			for _, f := range strings.Fields(b) {
				v, _ := strconv.ParseUint(f, 10, 64)
				s.CPU.Usage.Percpu = append(s.CPU.Usage.Percpu, v)
			}
		}
		// cpuacct.stat counts in USER_HZ (100 per second on Linux).
		st := keyed(d, "cpuacct.stat")
		s.CPU.Usage.User = st["user"] * 10_000_000
		s.CPU.Usage.Kernel = st["system"] * 10_000_000
	} else if d := c.Unified(); d != "" {
		st := keyed(d, "cpu.stat")
		s.CPU.Usage.Total = st["usage_usec"] * 1000
		s.CPU.Usage.User = st["user_usec"] * 1000
		s.CPU.Usage.Kernel = st["system_usec"] * 1000
	}
	if d, v2 := c.dirFor("cpu"); d != "" || c.Unified() != "" {
		if d == "" {
			d, v2 = c.Unified(), true
		}
		st := keyed(d, "cpu.stat")
		s.CPU.Throttling.Periods = st["nr_periods"]
		s.CPU.Throttling.ThrottledPeriods = st["nr_throttled"]
		if v2 {
			s.CPU.Throttling.ThrottledTime = st["throttled_usec"] * 1000
		} else {
			s.CPU.Throttling.ThrottledTime = st["throttled_time"]
		}
	}
}

func (c *Cgroup) memoryStats(s *Stats) {
	d, v2 := c.dirFor("memory")
	if d == "" {
		return
	}
	s.Memory.Raw = keyed(d, "memory.stat")
	if v2 {
		s.Memory.Cache = s.Memory.Raw["file"]
		ev := keyed(d, "memory.events")
		s.Memory.Usage = MemoryEntry{Usage: num(d, "memory.current"), Max: num(d, "memory.peak"), Limit: num(d, "memory.max"), Failcnt: ev["max"]}
		s.Memory.Swap = MemoryEntry{Usage: num(d, "memory.swap.current"), Limit: num(d, "memory.swap.max")}
		return
	}
	s.Memory.Cache = s.Memory.Raw["cache"]
	entry := func(prefix string) MemoryEntry {
		return MemoryEntry{
			Usage: num(d, prefix+"usage_in_bytes"), Max: num(d, prefix+"max_usage_in_bytes"),
			Limit: num(d, prefix+"limit_in_bytes"), Failcnt: num(d, prefix+"failcnt"),
		}
	}
	s.Memory.Usage = entry("memory.")
	s.Memory.Swap = entry("memory.memsw.")
	s.Memory.Kernel = entry("memory.kmem.")
	s.Memory.KernelTCP = entry("memory.kmem.tcp.")
}

// OOMKills is how many processes the OOM killer has killed in the cgroup.
func (c *Cgroup) OOMKills() uint64 {
	d, v2 := c.dirFor("memory")
	if d == "" {
		return 0
	}
	if v2 {
		return keyed(d, "memory.events")["oom_kill"]
	}
	return keyed(d, "memory.oom_control")["oom_kill"]
}

func (c *Cgroup) blkioStats(s *Stats) {
	d, v2 := c.dirFor("blkio")
	if d == "" {
		return
	}
	parse := func(file string) []BlkioEntry {
		b, err := read(d, file)
		if err != nil {
			return nil
		}
		var out []BlkioEntry
		for _, line := range strings.Split(b, "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				continue
			}
			maj, min, ok := strings.Cut(f[0], ":")
			if !ok {
				continue
			}
			e := BlkioEntry{Op: f[1]}
			e.Major, _ = strconv.ParseUint(maj, 10, 64)
			e.Minor, _ = strconv.ParseUint(min, 10, 64)
			e.Value, _ = strconv.ParseUint(f[2], 10, 64)
			out = append(out, e)
		}
		return out
	}
	if !v2 {
		s.Blkio.IoServiceBytesRecursive = parse("blkio.throttle.io_service_bytes_recursive")
		s.Blkio.IoServicedRecursive = parse("blkio.throttle.io_serviced_recursive")
		return
	}
	b, err := read(d, "io.stat")
	if err != nil {
		return
	}
	for _, line := range strings.Split(b, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		maj, min, _ := strings.Cut(f[0], ":")
		ma, _ := strconv.ParseUint(maj, 10, 64)
		mi, _ := strconv.ParseUint(min, 10, 64)
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes", "wbytes":
				op := map[string]string{"rbytes": "Read", "wbytes": "Write"}[k]
				s.Blkio.IoServiceBytesRecursive = append(s.Blkio.IoServiceBytesRecursive, BlkioEntry{ma, mi, op, n})
			case "rios", "wios":
				op := map[string]string{"rios": "Read", "wios": "Write"}[k]
				s.Blkio.IoServicedRecursive = append(s.Blkio.IoServicedRecursive, BlkioEntry{ma, mi, op, n})
			}
		}
	}
}

func (c *Cgroup) hugetlbStats(s *Stats) {
	d, v2 := c.dirFor("hugetlb")
	if d == "" {
		return
	}
	suffix := ".limit_in_bytes"
	if v2 {
		suffix = ".max"
	}
	matches, _ := filepath.Glob(filepath.Join(d, "hugetlb.*"+suffix))
	for _, m := range matches {
		size := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "hugetlb."), suffix)
		if strings.Contains(size, ".") {
			continue // hugetlb.2MB.rsvd.max and the like
		}
		p := "hugetlb." + size
		if v2 {
			s.Hugetlb[size] = Hugetlb{Usage: num(d, p+".current"), Failcnt: keyed(d, p+".events")["max"]}
		} else {
			s.Hugetlb[size] = Hugetlb{Usage: num(d, p+".usage_in_bytes"), Max: num(d, p+".max_usage_in_bytes"), Failcnt: num(d, p+".failcnt")}
		}
	}
}
