package libcontainer

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/procinfo"
)

// signalAll signals every process of the container: those in its pid
// namespace when it has its own, else its init and the init's descendants.
// (A cgroup-based kill, through cgroup.kill, replaces this once the
// container is placed in a cgroup of its own.)
func (c *Container) signalAll(sig unix.Signal) error {
	members, err := c.processes()
	if err != nil {
		return err
	}
	for _, pid := range members {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return err
		}
	}
	return nil
}

func (c *Container) processes() ([]int, error) {
	if !procinfo.Alive(c.st.Pid, c.st.StartTime) {
		return nil, nil
	}
	initNS, _ := os.Readlink("/proc/" + strconv.Itoa(c.st.Pid) + "/ns/pid")
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	parent := map[int]int{}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c.st.OwnPidNS {
			if ns, _ := os.Readlink("/proc/" + e.Name() + "/ns/pid"); ns == initNS && ns != "" {
				pids = append(pids, pid)
			}
			continue
		}
		if st, err := procinfo.ReadStat(pid); err == nil && st.PPid > 0 {
			parent[pid] = st.PPid
		}
	}
	if c.st.OwnPidNS {
		return pids, nil
	}
	in := map[int]bool{c.st.Pid: true}
	for changed := true; changed; {
		changed = false
		for pid, pp := range parent {
			if in[pp] && !in[pid] {
				in[pid], changed = true, true
			}
		}
	}
	for pid := range in {
		pids = append(pids, pid)
	}
	return pids, nil
}
