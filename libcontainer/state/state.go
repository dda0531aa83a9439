package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const (
	stateFile = "state.json"
	// MaxIDLength bounds an ID: it becomes a directory and cgroup name.
	MaxIDLength = 1024
)

// idChar is runc's character set for IDs ([\w+\-.]), checked by hand: a
// regexp would be compiled at every start of every berth process.
func idChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '_' || r == '+' || r == '-' || r == '.'
}

// ValidateID rejects IDs that cannot safely name a directory.
func ValidateID(id string) error {
	switch {
	case id == "":
		return errors.New("container ID must not be empty")
	case len(id) > MaxIDLength:
		return fmt.Errorf("container ID %.40q... is longer than %d bytes", id, MaxIDLength)
	case id == "." || id == "..":
		return fmt.Errorf("invalid container ID %q", id)
	case strings.IndexFunc(id, func(r rune) bool { return !idChar(r) }) >= 0:
		return fmt.Errorf("invalid container ID %q: use only letters, digits, '_', '+', '-' and '.'", id)
	}
	return nil
}

// State is what berth records about a container between commands.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Pid         int               `json:"pid"`
	StartTime   uint64            `json:"startTime"` // /proc/<pid>/stat field 22
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Started is set once start has released the init to exec the process.
	// Start itself does not write it (the start socket's absence says
	// it; see Container.Status): it is true in records written after.
	Started bool `json:"started"`
	// Cgroups maps each hierarchy's mount point to the container's cgroup in it.
	Cgroups map[string]string `json:"cgroups,omitempty"`
	// OwnPidNS says the container has its own pid namespace; without one,
	// killing the init does not kill the rest of its processes.
	OwnPidNS bool `json:"ownPidNS"`
	// KeepExitStatus: a monitor process (MonitorPid, started at
	// MonitorStart) reaps the init and writes its status to ExitFile.
	KeepExitStatus bool   `json:"keepExitStatus,omitempty"`
	MonitorPid     int    `json:"monitorPid,omitempty"`
	MonitorStart   uint64 `json:"monitorStart,omitempty"`
	// Config is the bundle's config as it was at create, for the hooks
	// and cleanup that later commands run.
	Config *specs.Spec `json:"config"`
}

// Dir is one container's state directory.
type Dir struct {
	Path string
	ID   string
	lock *os.File
}

// Create makes the directory for a new container; an existing one means the
// ID is taken.
func Create(root, id string) (*Dir, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, fmt.Errorf("create state root %q: %w", root, err)
	}
	p := filepath.Join(root, id)
	if err := os.Mkdir(p, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("container %q already exists (state in %s): pick another ID or delete it first", id, p)
		}
		return nil, fmt.Errorf("create state directory %q: %w", p, err)
	}
	return &Dir{Path: p, ID: id}, nil
}

// ErrNotExist is returned by Open for an unknown ID.
var ErrNotExist = errors.New("container does not exist")

// Open finds an existing container's directory.
func Open(root, id string) (*Dir, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	p := filepath.Join(root, id)
	if _, err := os.Stat(filepath.Join(p, stateFile)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
		}
		return nil, fmt.Errorf("container %q: %w", id, err)
	}
	return &Dir{Path: p, ID: id}, nil
}

// Lock takes the container's exclusive lock; commands that change a
// container hold it so that two of them on one ID cannot interleave.
func (d *Dir) Lock() error {
	f, err := os.Open(d.Path)
	if err != nil {
		return fmt.Errorf("container %q: lock: %w", d.ID, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("container %q: lock: %w", d.ID, err)
	}
	d.lock = f
	return nil
}

// Unlock releases Lock.
func (d *Dir) Unlock() {
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

// Save writes the container's first state.json: a temporary file, fsync,
// rename, so that a power loss cannot leave an empty or torn record (ext4
// may commit the rename of a new file before its data) that list and
// delete would have to guess about.
func (d *Dir) Save(s *State) error { return d.write(s, true) }

// Update replaces state.json atomically (temporary file and rename) without
// the fsync: the replaced file is only ever a later version of a record
// Save made durable, ext4 flushes the data of a file renamed over another
// (auto_da_alloc), and after a power loss every container is stopped
// whatever the record says. The fsync cost 1 to 1.4 ms on this host's disk
// (/run is not a tmpfs here), paid by every start.
func (d *Dir) Update(s *State) error { return d.write(s, false) }

func (d *Dir) write(s *State, durable bool) error {
	b, err := d.Encode(s)
	if err != nil {
		return err
	}
	return d.WriteEncoded(b, durable)
}

// Encode is the first half of Save and Update: s as state.json's bytes.
// WriteEncoded is the second: the write, with the fsync when durable. A
// caller that writes in the background encodes first, so that s can change
// meanwhile.
func (d *Dir) Encode(s *State) ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("container %q: encode state: %w", d.ID, err)
	}
	return b, nil
}

// WriteEncoded replaces state.json with b; see Encode.
func (d *Dir) WriteEncoded(b []byte, durable bool) error {
	tmp, err := os.CreateTemp(d.Path, ".state-*")
	if err != nil {
		return fmt.Errorf("container %q: write state: %w", d.ID, err)
	}
	defer os.Remove(tmp.Name())
	if _, err = tmp.Write(b); err == nil && durable {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(d.Path, stateFile))
	}
	if err != nil {
		return fmt.Errorf("container %q: write state: %w", d.ID, err)
	}
	return nil
}

// Load reads state.json.
func (d *Dir) Load() (*State, error) {
	b, err := os.ReadFile(filepath.Join(d.Path, stateFile))
	if err != nil {
		return nil, fmt.Errorf("container %q: read state: %w", d.ID, err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("container %q: state file %s is corrupt: %w", d.ID, filepath.Join(d.Path, stateFile), err)
	}
	return &s, nil
}

// Remove deletes the directory and everything in it.
func (d *Dir) Remove() error {
	d.Unlock()
	if err := os.RemoveAll(d.Path); err != nil {
		return fmt.Errorf("container %q: remove state directory: %w", d.ID, err)
	}
	return nil
}

// List returns the IDs with a state directory under root.
func List(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list %q: %w", root, err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && ValidateID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
