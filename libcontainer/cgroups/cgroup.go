package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/procinfo"
)

// UnifiedKey is the Dirs key of the container's cgroup2 directory.
const UnifiedKey = "unified"

// Cgroup is one container's cgroup in every hierarchy.
type Cgroup struct {
	// Dirs maps a hierarchy to the container's directory in it: UnifiedKey
	// for cgroup2, else the v1 hierarchy's controllers ("memory",
	// "cpu,cpuacct"). It is what the state file records.
	Dirs map[string]string
	h    *Hierarchies
}

// Load rebuilds a Cgroup from the directories recorded in the state file.
func Load(dirs map[string]string) (*Cgroup, error) {
	h, err := Detect()
	if err != nil {
		return nil, err
	}
	return &Cgroup{Dirs: dirs, h: h}, nil
}

// Unified is the container's cgroup2 directory, "" without one.
func (c *Cgroup) Unified() string { return c.Dirs[UnifiedKey] }

// Mode is the host's cgroup mode.
func (c *Cgroup) Mode() Mode { return c.h.Mode }

// Hierarchies is what the host has mounted.
func (c *Cgroup) Hierarchies() *Hierarchies { return c.h }

// v1Dir is the container's directory in the v1 hierarchy with ctrl.
func (c *Cgroup) v1Dir(ctrl string) string {
	if v := c.h.V1For(ctrl); v != nil {
		return c.Dirs[v.Key]
	}
	return ""
}

// Path turns linux.cgroupsPath into the path used in each hierarchy:
// empty means "/<id>" (runc's default for its cgroupfs driver); the systemd
// "slice:prefix:name" form needs a systemd driver berth does not have.
func Path(spec *specs.Spec, id string) (string, error) {
	p := ""
	if spec.Linux != nil {
		p = spec.Linux.CgroupsPath
	}
	if p == "" {
		return "/" + id, nil
	}
	if strings.Count(p, ":") == 2 && !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("linux.cgroupsPath %q is in systemd's slice:prefix:name form, but the systemd cgroup driver is not available (no systemd is running on this host); use a path such as /mygroup/%s", p, id)
	}
	clean := filepath.Clean(p)
	if clean == "/" || clean == "." {
		return "", fmt.Errorf("linux.cgroupsPath %q names the root cgroup: a container needs a cgroup of its own", p)
	}
	for _, part := range strings.Split(clean, "/") {
		if part == ".." {
			return "", fmt.Errorf("linux.cgroupsPath %q must not contain \"..\"", p)
		}
	}
	return clean, nil
}

// New creates the container's cgroup at path (see Path) in every hierarchy
// the host has: each v1 controller hierarchy and the cgroup2 one. It
// enables, in the cgroup2 ancestors, the controllers that r needs there.
// On error it removes what it created.
func New(path string, r *specs.LinuxResources) (c *Cgroup, err error) {
	h, err := Detect()
	if err != nil {
		return nil, err
	}
	if err := h.check(r); err != nil {
		return nil, err
	}
	own, err := ownCgroups()
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/cgroup: %w", err)
	}
	c = &Cgroup{Dirs: map[string]string{}, h: h}
	var created []string
	defer func() {
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				unix.Rmdir(created[i])
			}
		}
	}()
	for _, v := range h.V1 {
		d, err := dirIn(v.Mount, v.Root, own[v.Key], path)
		if err != nil {
			return nil, err
		}
		made, err := mkdirAll(v.Mount, d)
		created = append(created, made...)
		if err != nil {
			return nil, fmt.Errorf("create cgroup %s: %w", d, err)
		}
		if contains(v.Controllers, "cpuset") {
			// A new v1 cpuset is empty and takes no task until it
			// has cpus and mems: copy them down from its parent.
			if err := fillCpuset(v.Mount, d); err != nil {
				return nil, err
			}
		}
		c.Dirs[v.Key] = d
	}
	if h.UnifiedPath != "" {
		d, err := dirIn(h.UnifiedPath, h.UnifiedRoot, own[""], path)
		if err != nil {
			return nil, err
		}
		// Controllers are enabled top-down before the leaf exists, so
		// the leaf is born with their interface files.
		if err := enableV2(h.UnifiedPath, filepath.Dir(d), h.v2Needs(r)); err != nil {
			return nil, err
		}
		made, err := mkdirAll(h.UnifiedPath, d)
		created = append(created, made...)
		if err != nil {
			return nil, fmt.Errorf("create cgroup %s: %w", d, err)
		}
		c.Dirs[UnifiedKey] = d
	}
	// An existing cgroup may be joined (engines pre-create pod cgroups),
	// but not one that has processes: they would share the container's
	// limits and die with it.
	if pids, _ := c.Pids(); len(pids) > 0 {
		return nil, fmt.Errorf("cgroup %s already has %d process(es) (pid %d, ...): linux.cgroupsPath %q must name an empty or new cgroup", firstDir(c.Dirs), len(pids), pids[0], path)
	}
	return c, nil
}

func firstDir(m map[string]string) string {
	for _, d := range m {
		return d
	}
	return ""
}

// mkdirAll creates d and its missing parents below mount, returning what it
// created, top-down.
func mkdirAll(mount, d string) ([]string, error) {
	var missing []string
	for p := d; p != mount && len(p) > len(mount); p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil {
			break
		}
		missing = append(missing, p)
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := unix.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fillCpuset(mount, d string) error {
	// Walk down from the first ancestor below the mount.
	rel, _ := filepath.Rel(mount, d)
	cur := mount
	for _, part := range strings.Split(rel, "/") {
		parent := cur
		cur = filepath.Join(cur, part)
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			b, err := os.ReadFile(filepath.Join(cur, f))
			if err != nil {
				return fmt.Errorf("read %s: %w", filepath.Join(cur, f), err)
			}
			if strings.TrimSpace(string(b)) != "" {
				continue
			}
			pb, err := os.ReadFile(filepath.Join(parent, f))
			if err != nil {
				return fmt.Errorf("read %s: %w", filepath.Join(parent, f), err)
			}
			if err := write(cur, f, strings.TrimSpace(string(pb))); err != nil {
				return err
			}
		}
	}
	return nil
}

// enableV2 writes +ctrl to cgroup.subtree_control from the mount down to
// parent, for each controller in need.
func enableV2(mount, parent string, need []string) error {
	if len(need) == 0 {
		return nil
	}
	rel, err := filepath.Rel(mount, parent)
	if err != nil {
		return err
	}
	cur := mount
	parts := []string{""}
	if rel != "." {
		parts = append(parts, strings.Split(rel, "/")...)
	}
	for _, part := range parts {
		cur = filepath.Join(cur, part)
		if _, err := os.Stat(cur); err != nil {
			if _, err := mkdirAll(mount, cur); err != nil {
				return fmt.Errorf("create cgroup %s: %w", cur, err)
			}
		}
		b, _ := os.ReadFile(filepath.Join(cur, "cgroup.subtree_control"))
		have := strings.Fields(string(b))
		for _, ctrl := range need {
			if contains(have, ctrl) {
				continue
			}
			if err := write(cur, "cgroup.subtree_control", "+"+ctrl); err != nil {
				return fmt.Errorf("enable the %s controller for child cgroups of %s: %w", ctrl, cur, err)
			}
		}
	}
	return nil
}

// Place moves pid into the container's cgroup in every hierarchy, v1
// first.
func (c *Cgroup) Place(pid int) error { return c.place(pid, false) }

// PlaceV1 moves pid into the container's v1 hierarchies only: it was
// cloned into the cgroup2 one (CLONE_INTO_CGROUP). Writing cgroup.procs
// again is no harmless no-op: every write takes the kernel's
// cgroup_threadgroup_rwsem for writing, which waits for an RCU grace
// period when no writer came shortly before (0.3 to 1 ms here, 6 ms for
// the first write into a new cgroup).
func (c *Cgroup) PlaceV1(pid int) error { return c.place(pid, true) }

func (c *Cgroup) place(pid int, v1Only bool) error {
	keys := make([]string, 0, len(c.Dirs))
	for k := range c.Dirs {
		if !(v1Only && k == UnifiedKey) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := write(c.Dirs[k], "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("place pid %d in cgroup: %w", pid, err)
		}
	}
	return nil
}

// Pids lists the processes in the container's cgroup (host pids). It reads
// the cgroup2 directory when there is one (it always holds every member),
// else the first v1 hierarchy's.
func (c *Cgroup) Pids() ([]int, error) {
	d := c.Unified()
	if d == "" {
		for _, k := range []string{"pids", "memory", "freezer", "cpu"} {
			if d = c.v1Dir(k); d != "" {
				break
			}
		}
	}
	if d == "" {
		d = firstDir(c.Dirs)
	}
	return readPids(d)
}

func readPids(d string) ([]int, error) {
	var pids []int
	err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !e.IsDir() {
			return nil
		}
		b, err := os.ReadFile(filepath.Join(p, "cgroup.procs"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
		return nil
	})
	return pids, err
}

// Kill sends sig to every process in the cgroup. SIGKILL goes through
// cgroup.kill when the host has it (one write, no race with forks);
// otherwise the cgroup is frozen while its members are listed and
// signalled, so a fork cannot slip past, and thawed again.
func (c *Cgroup) Kill(sig unix.Signal) error {
	if sig == unix.SIGKILL && c.Unified() != "" {
		if err := write(c.Unified(), "cgroup.kill", "1"); err == nil {
			if !c.hasZombieLeader() {
				return c.thawAfterKill()
			}
			// cgroup.kill signals each process through its
			// thread-group leader, and the kernel drops the signal
			// when that leader has exited while other threads live
			// on (pthread_exit in main, a thread killed by seccomp):
			// those threads would survive, and the cgroup could not
			// be removed. kill(2) in the sweep below signals the
			// whole group.
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("kill through cgroup.kill: %w", err)
		}
	}
	wasFrozen, _ := c.Frozen()
	if !wasFrozen {
		if err := c.Freeze(); err != nil {
			return err
		}
	}
	pids, err := c.Pids()
	if err == nil {
		for _, pid := range pids {
			if e := unix.Kill(pid, sig); e != nil && !errors.Is(e, unix.ESRCH) && err == nil {
				err = fmt.Errorf("signal pid %d: %w", pid, e)
			}
		}
	}
	if !wasFrozen || sig == unix.SIGKILL {
		// A frozen v1 task dies of SIGKILL only once thawed.
		if terr := c.Thaw(); terr != nil && err == nil {
			err = terr
		}
	}
	return err
}

// hasZombieLeader reports whether a process in the cgroup has a thread-group
// leader that exited (state Z) while it still has live threads.
func (c *Cgroup) hasZombieLeader() bool {
	pids, _ := c.Pids()
	for _, pid := range pids {
		if st, err := procinfo.ReadStat(pid); err == nil && st.State == 'Z' {
			return true
		}
	}
	return false
}

// thawAfterKill lets killed tasks of a paused container run to their death.
func (c *Cgroup) thawAfterKill() error {
	if frozen, _ := c.Frozen(); frozen {
		return c.Thaw()
	}
	return nil
}

// Destroy kills whatever is left in the cgroup and removes every directory
// of the container, deepest first, retrying while dying tasks still hold
// it. Directories already gone are fine.
func (c *Cgroup) Destroy() error {
	if pids, _ := c.Pids(); len(pids) > 0 {
		c.Kill(unix.SIGKILL)
	}
	var errs []error
	for _, d := range c.Dirs {
		if err := removeTree(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeTree(d string) error {
	var dirs []string
	filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		var err error
		for try := 0; try < 100; try++ {
			err = unix.Rmdir(dirs[i])
			if err == nil || errors.Is(err, unix.ENOENT) {
				err = nil
				break
			}
			if !errors.Is(err, unix.EBUSY) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("remove cgroup %s: %w", dirs[i], err)
		}
	}
	return nil
}

func write(dir, file, value string) error {
	p := filepath.Join(dir, file)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// The path is in the message already: keep only the errno.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write %q to %s: %w", value, p, err)
	}
	return nil
}

func read(dir, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	return strings.TrimSpace(string(b)), err
}
