package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Freeze stops every process of the container: cgroup.freeze on the
// cgroup2 hierarchy wherever the host has one (hybrid hosts included, whose
// v2 freezer, unlike the v1 one, lets SIGKILL through), else the v1
// freezer. It returns once the kernel reports the cgroup frozen.
func (c *Cgroup) Freeze() error { return c.setFrozen(true) }

// Thaw resumes a frozen container.
func (c *Cgroup) Thaw() error { return c.setFrozen(false) }

const freezeTimeout = 10 * time.Second

func (c *Cgroup) setFrozen(frozen bool) error {
	if d := c.Unified(); d != "" {
		if _, err := os.Stat(filepath.Join(d, "cgroup.freeze")); err == nil {
			v := "0"
			if frozen {
				v = "1"
			}
			if err := write(d, "cgroup.freeze", v); err != nil {
				return err
			}
			return waitEvents(d, frozen)
		}
	}
	d := c.v1Dir("freezer")
	if d == "" {
		return errors.New("no freezer: the host has neither a cgroup2 hierarchy nor the v1 freezer controller")
	}
	want := "THAWED"
	if frozen {
		want = "FROZEN"
	}
	deadline := time.Now().Add(freezeTimeout)
	for {
		if err := write(d, "freezer.state", want); err != nil {
			return err
		}
		got, err := read(d, "freezer.state")
		if err != nil {
			return err
		}
		if got == want {
			return nil
		}
		// FREEZING: some task has not stopped yet. Writing FROZEN
		// again retries it.
		if time.Now().After(deadline) {
			return fmt.Errorf("freezer.state in %s is still %s after %v", d, got, freezeTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitEvents waits for cgroup.events to say "frozen 1" (or 0).
func waitEvents(d string, frozen bool) error {
	want := "frozen 0"
	if frozen {
		want = "frozen 1"
	}
	deadline := time.Now().Add(freezeTimeout)
	for sleep := 100 * time.Microsecond; ; sleep = min(2*sleep, 10*time.Millisecond) {
		f, err := os.Open(filepath.Join(d, "cgroup.events"))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == want {
				f.Close()
				return nil
			}
		}
		f.Close()
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/cgroup.events does not say %q after %v", d, want, freezeTimeout)
		}
		time.Sleep(sleep)
	}
}

// Frozen reports whether the container's cgroup is frozen (or freezing).
func (c *Cgroup) Frozen() (bool, error) {
	if d := c.Unified(); d != "" {
		if v, err := read(d, "cgroup.freeze"); err == nil {
			return v == "1", nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return false, err
		}
	}
	if d := c.v1Dir("freezer"); d != "" {
		v, err := read(d, "freezer.state")
		if err != nil {
			return false, err
		}
		return v != "THAWED", nil
	}
	return false, nil
}
