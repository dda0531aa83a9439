package libcontainer

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/cgroups"
	"github.com/berth-runtime/berth/libcontainer/logging"
	"github.com/berth-runtime/berth/libcontainer/rootfs"
)

// setupCgroup creates the container's cgroup in every hierarchy and writes
// its limits and device rules, all before the init exists: the init is
// born inside it (startInCgroup), so no user code ever runs unlimited.
func (c *Container) setupCgroup() error {
	spec := c.st.Config
	path, err := cgroups.Path(spec, c.st.ID)
	if err != nil {
		return err
	}
	var res *specs.LinuxResources
	if spec.Linux != nil {
		res = spec.Linux.Resources
	}
	if res != nil && res.Memory != nil && res.Memory.Kernel != nil {
		// Deprecated by the runtime-spec and without effect on current
		// kernels; runc ignores it too, but say so.
		logging.Warn("container %q: linux.resources.memory.kernel is deprecated and ignored", c.st.ID)
	}
	cg, err := cgroups.New(path, res)
	if err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	c.cg = cg
	c.st.Cgroups = cg.Dirs
	if err := cg.Set(res, false); err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	rules, err := cgroups.DeviceRules(spec)
	if err != nil {
		return err
	}
	if err := cg.SetDevices(rules); err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	return nil
}

// startInCgroup starts the init's first process inside the container's
// cgroup: CLONE_INTO_CGROUP (clone3) puts it in the cgroup2 one atomically,
// and it is written into each v1 hierarchy before it is sent its bootstrap,
// so it has run no container code yet. Its children (the init) inherit.
func (c *Container) startInCgroup(cmd *stageProcess) error {
	if d := c.cg.Unified(); d != "" {
		fd, err := unix.Open(d, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open cgroup %s: %w", d, err)
		}
		defer unix.Close(fd)
		err = cmd.start(&syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd})
		if err == nil || !(errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL)) {
			if err == nil {
				err = c.cg.PlaceV1(cmd.pid)
			}
			return err
		}
		// A kernel without clone3's CLONE_INTO_CGROUP (before 5.7):
		// fall back to writing the pid below.
	}
	if err := cmd.start(nil); err != nil {
		return err
	}
	return c.cg.Place(cmd.pid)
}

// cgroup returns the container's cgroup, loading it from the record.
func (c *Container) cgroup() (*cgroups.Cgroup, error) {
	if c.cg != nil {
		return c.cg, nil
	}
	if len(c.st.Cgroups) == 0 {
		return nil, errors.New("the container has no cgroup recorded")
	}
	cg, err := cgroups.Load(c.st.Cgroups)
	if err != nil {
		return nil, err
	}
	c.cg = cg
	return cg, nil
}

// frozen reports whether the container's cgroup is frozen.
func (c *Container) frozen() bool {
	cg, err := c.cgroup()
	if err != nil {
		return false
	}
	f, _ := cg.Frozen()
	return f
}

// Pause freezes every process of a running container.
func (c *Container) Pause() error {
	if err := c.dir.Lock(); err != nil {
		return err
	}
	defer c.dir.Unlock()
	if s := c.Status(); s != specs.StateRunning {
		return fmt.Errorf("container %q: pause: it is %s; only a running container can be paused", c.st.ID, s)
	}
	cg, err := c.cgroup()
	if err == nil {
		err = cg.Freeze()
	}
	if err != nil {
		return fmt.Errorf("container %q: pause: %w", c.st.ID, err)
	}
	return nil
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	if err := c.dir.Lock(); err != nil {
		return err
	}
	defer c.dir.Unlock()
	if s := c.Status(); s != StatePaused {
		return fmt.Errorf("container %q: resume: it is %s, not paused", c.st.ID, s)
	}
	cg, err := c.cgroup()
	if err == nil {
		err = cg.Thaw()
	}
	if err != nil {
		return fmt.Errorf("container %q: resume: %w", c.st.ID, err)
	}
	return nil
}

// Processes lists the host pids in the container's cgroup.
func (c *Container) Processes() ([]int, error) {
	cg, err := c.cgroup()
	if err != nil {
		return nil, fmt.Errorf("container %q: %w", c.st.ID, err)
	}
	pids, err := cg.Pids()
	if err != nil {
		return nil, fmt.Errorf("container %q: list processes: %w", c.st.ID, err)
	}
	return pids, nil
}

// signalAll signals every process in the container's cgroup; SIGKILL goes
// through cgroup.kill where the host has it, so a container without its own
// pid namespace loses every process too.
func (c *Container) signalAll(sig unix.Signal) error {
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	return cg.Kill(sig)
}

// StatePaused is runc's status for a frozen container; the runtime-spec
// defines only creating, created, running and stopped.
const StatePaused specs.ContainerState = "paused"

// Stats reads the container's cgroup statistics.
func (c *Container) Stats() (*cgroups.Stats, error) {
	cg, err := c.cgroup()
	if err != nil {
		return nil, fmt.Errorf("container %q: stats: %w", c.st.ID, err)
	}
	return cg.Stats(), nil
}

// OOMKills counts the container's processes killed by the OOM killer.
func (c *Container) OOMKills() uint64 {
	cg, err := c.cgroup()
	if err != nil {
		return 0
	}
	return cg.OOMKills()
}

// Update merges r into the container's resources, writes them to its live
// cgroup and records them. Devices are not changed by an update.
func (c *Container) Update(r *specs.LinuxResources) error {
	if err := c.dir.Lock(); err != nil {
		return err
	}
	defer c.dir.Unlock()
	if s := c.Status(); s == specs.StateStopped {
		return fmt.Errorf("container %q: update: it is stopped", c.st.ID)
	}
	cg, err := c.cgroup()
	if err != nil {
		return fmt.Errorf("container %q: update: %w", c.st.ID, err)
	}
	if err := cg.Set(r, true); err != nil {
		return fmt.Errorf("container %q: update: %w", c.st.ID, err)
	}
	spec := c.st.Config
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	spec.Linux.Resources = cgroups.Merge(spec.Linux.Resources, r)
	return c.dir.Update(c.st)
}

// cgroupView tells the init how the host's hierarchies look, for the
// container's "cgroup" mount.
func (c *Container) cgroupView() *rootfs.CgroupView {
	if c.cg == nil {
		return nil
	}
	v := &rootfs.CgroupView{Unified: c.cg.Unified()}
	for _, h := range c.cg.Hierarchies().V1 {
		v.V1 = append(v.V1, rootfs.CgroupV1{Name: filepath.Base(h.Mount), Controllers: h.Controllers, Dir: c.cg.Dirs[h.Key]})
	}
	return v
}
