package cgroups

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// Mode is how the host's cgroups are mounted.
type Mode int

const (
	// Legacy: only cgroup v1 hierarchies.
	Legacy Mode = iota
	// Hybrid: v1 controllers plus a cgroup2 hierarchy (usually
	// /sys/fs/cgroup/unified) that carries the freezer and cgroup.kill.
	Hybrid
	// Unified: a single cgroup2 hierarchy at /sys/fs/cgroup.
	Unified
)

func (m Mode) String() string {
	return [...]string{"legacy (cgroup v1)", "hybrid (cgroup v1 + v2)", "unified (cgroup v2)"}[m]
}

// V1Hierarchy is one mounted cgroup v1 hierarchy.
type V1Hierarchy struct {
	Mount       string   // mount point, e.g. /sys/fs/cgroup/cpu,cpuacct
	Root        string   // the cgroup mounted there (not "/" inside a cgroup namespace)
	Controllers []string // e.g. ["cpu", "cpuacct"]
	Key         string   // the controllers joined by ",", as /proc/self/cgroup names them
}

// Hierarchies is what Detect found.
type Hierarchies struct {
	Mode        Mode
	UnifiedPath string // the cgroup2 mount point, "" if none
	UnifiedRoot string
	V1          []V1Hierarchy
}

// Detect reads the mount table. It is cheap enough to call per command.
func Detect() (*Hierarchies, error) {
	all, err := readMounts()
	if err != nil {
		return nil, fmt.Errorf("read the mount table for cgroups: %w", err)
	}
	h := &Hierarchies{}
	seen := map[string]bool{}
	for _, m := range visible(all) {
		if m.FSType != "cgroup" && m.FSType != "cgroup2" {
			continue
		}
		if m.FSType == "cgroup2" {
			// The shortest mount point wins: /sys/fs/cgroup over a
			// bind mount of it somewhere deeper.
			if h.UnifiedPath == "" || len(m.Mountpoint) < len(h.UnifiedPath) {
				h.UnifiedPath, h.UnifiedRoot = m.Mountpoint, m.Root
			}
			continue
		}
		var ctrls []string
		for _, o := range strings.Split(m.VFSOptions, ",") {
			if knownV1[o] {
				ctrls = append(ctrls, o)
			}
		}
		// Named hierarchies (name=systemd) have no controller: a
		// container has nothing to limit or account there.
		if len(ctrls) == 0 {
			continue
		}
		key := strings.Join(ctrls, ",")
		if seen[key] {
			continue // the same hierarchy mounted twice
		}
		seen[key] = true
		h.V1 = append(h.V1, V1Hierarchy{Mount: m.Mountpoint, Root: m.Root, Controllers: ctrls, Key: key})
	}
	switch {
	case h.UnifiedPath != "" && len(h.V1) == 0:
		h.Mode = Unified
	case h.UnifiedPath != "":
		h.Mode = Hybrid
	case len(h.V1) > 0:
		h.Mode = Legacy
	default:
		return nil, fmt.Errorf("no cgroup hierarchy is mounted (looked for cgroup and cgroup2 in /proc/self/mountinfo)")
	}
	return h, nil
}

// visible drops the mounts that are hidden: covered by a later mount on the
// same mount point, or below one that is (a cgroup2 mounted over the
// tmpfs at /sys/fs/cgroup hides the v1 hierarchies under it).
func visible(all []*mountinfo.Info) []*mountinfo.Info {
	byID := make(map[int]*mountinfo.Info, len(all))
	top := make(map[string]*mountinfo.Info, len(all))
	for _, m := range all {
		byID[m.ID] = m
		top[m.Mountpoint] = m // mountinfo lists mounts in mount order
	}
	memo := map[int]bool{}
	var vis func(m *mountinfo.Info, depth int) bool
	vis = func(m *mountinfo.Info, depth int) bool {
		if v, ok := memo[m.ID]; ok {
			return v
		}
		v := top[m.Mountpoint] == m
		// A mount stacked on the same mount point has the mount it
		// covers as its parent: the path's reachability is decided
		// further up.
		p, ok := byID[m.Parent]
		for ok && p != m && p.Mountpoint == m.Mountpoint && depth < 64 {
			next, found := byID[p.Parent]
			if next == p {
				break
			}
			p, ok, depth = next, found, depth+1
		}
		if v && ok && p != m && depth < 64 {
			v = vis(p, depth+1)
		}
		memo[m.ID] = v
		return v
	}
	var out []*mountinfo.Info
	for _, m := range all {
		if vis(m, 0) {
			out = append(out, m)
		}
	}
	return out
}

// knownV1 lists the v1 controllers a mount option can name.
var knownV1 = map[string]bool{
	"cpu": true, "cpuacct": true, "cpuset": true, "memory": true, "devices": true,
	"freezer": true, "blkio": true, "pids": true, "hugetlb": true, "net_cls": true,
	"net_prio": true, "perf_event": true, "rdma": true, "misc": true,
}

// V1For returns the v1 hierarchy that has controller ctrl.
func (h *Hierarchies) V1For(ctrl string) *V1Hierarchy {
	for i := range h.V1 {
		for _, c := range h.V1[i].Controllers {
			if c == ctrl {
				return &h.V1[i]
			}
		}
	}
	return nil
}

// UnifiedControllers lists the controllers the cgroup2 root offers.
func (h *Hierarchies) UnifiedControllers() []string {
	if h.UnifiedPath == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(h.UnifiedPath, "cgroup.controllers"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

// ownCgroups reads /proc/self/cgroup: hierarchy key ("" for cgroup2,
// "cpu,cpuacct" for v1) to the caller's cgroup path.
func ownCgroups() (map[string]string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	own := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 {
			own[parts[1]] = parts[2]
		}
	}
	return own, sc.Err()
}

// dirIn is the directory of cgroup path p in a hierarchy mounted at mount
// whose root is root. A relative p is relative to own, the caller's cgroup
// there (runc's rule for a relative linux.cgroupsPath).
func dirIn(mount, root, own, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(own, p)
	}
	p = filepath.Clean(p)
	// Inside a cgroup namespace or with a bind-mounted subtree, the mount
	// shows only root's subtree: strip it.
	if root != "/" && root != "" {
		rel, err := filepath.Rel(root, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			p = "/" + strings.TrimPrefix(p, "/")
		} else {
			p = "/" + rel
		}
	}
	d := filepath.Join(mount, p)
	if d == filepath.Clean(mount) {
		return "", fmt.Errorf("cgroup path %q is the root of %s: a container needs a cgroup of its own", p, mount)
	}
	return d, nil
}

// readMounts parses /proc/self/mountinfo. Not mountinfo.GetMounts: that
// reads /proc/thread-self/mountinfo under runtime.LockOSThread, in case
// one thread has a mount namespace of its own; no thread of berth's runtime
// process leaves its mount namespace, and the first LockOSThread of a
// process starts the Go runtime's template thread (about 0.2 ms here).
func readMounts() ([]*mountinfo.Info, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mountinfo.GetMountsFromReader(f, nil)
}
