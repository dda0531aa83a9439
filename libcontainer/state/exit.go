package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ExitFile is the name, in a container's state directory, of the status
// its monitor (nsenter/monitor.c) or a foreground `run` records when the
// init ends. The monitor writes the same JSON by hand.
const ExitFile = "exit.json"

// Exit is how a container's init ended.
type Exit struct {
	// ExitCode is the exit status, or 128+N when killed by signal N.
	ExitCode int `json:"exitCode"`
	// Signal is N when the init was killed by a signal, else 0.
	Signal int `json:"signal"`
}

// ExitPath is the exit-status file's path.
func (d *Dir) ExitPath() string { return filepath.Join(d.Path, ExitFile) }

// ReadExit returns the recorded exit status, or nil when none is recorded
// (yet).
func (d *Dir) ReadExit() (*Exit, error) {
	b, err := os.ReadFile(d.ExitPath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("container %q: read exit status: %w", d.ID, err)
	}
	var e Exit
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("container %q: exit status file %s is corrupt: %w", d.ID, d.ExitPath(), err)
	}
	return &e, nil
}

// WriteExit records e atomically, as the monitor does.
func (d *Dir) WriteExit(e Exit) error {
	b, _ := json.Marshal(e)
	tmp := filepath.Join(d.Path, "."+ExitFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("container %q: record exit status: %w", d.ID, err)
	}
	if err := os.Rename(tmp, d.ExitPath()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("container %q: record exit status: %w", d.ID, err)
	}
	return nil
}
