package initproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// runExec turns a process that `berth exec` started into the requested
// program. The C stage has joined the container's namespaces and forked it
// into the pid and time namespaces; joining the mount namespace put its root
// and cwd at the container's root. Unlike the init it builds nothing: it
// only takes the process's own attributes, then execs.
func runExec(sync *os.File, payload []byte) error {
	var c ExecConfig
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("decode exec config: %w", err)
	}
	p := c.Process
	if p == nil || len(p.Args) == 0 {
		return errors.New("exec config has no process to run")
	}
	unix.Umask(0)
	os.Clearenv()
	if p.Terminal {
		if err := setupConsole(sync, p.ConsoleSize, false); err != nil {
			return err
		}
	}
	// The container's session keyring (the init made it under this
	// name), not the caller's, whose keys the container must not read.
	if _, err := unix.KeyctlJoinSessionKeyring("_ses." + c.ID); err != nil && !errors.Is(err, unix.ENOSYS) {
		return fmt.Errorf("join the container's session keyring: %w", err)
	}
	// The container's seccomp filter, loaded where the init loads it (see
	// SeccompEarly); a NOTIFY filter's listener goes to the runtime, which
	// hands it to the agent. There is no start connection: the guard
	// reports a killed thread on the sync socket alone.
	early := SeccompEarly(c.Seccomp, p.NoNewPrivileges)
	load := func(now bool) error {
		if !now {
			return nil
		}
		_, err := loadSeccomp(c.Seccomp, sync)
		return err
	}
	path, env, err := prepareProcess(p, p.Env, func() error { return load(early) })
	if err != nil {
		return err
	}
	return execProcess(p, path, env, c.PreserveFDs, func() error { return load(!early) })
}
