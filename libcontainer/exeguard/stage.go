package exeguard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/cachedir"
	"github.com/berth-runtime/berth/libcontainer/logging"
)

// bin holds the standalone stage when make built it (bin/stage and its
// SHA-256, bin/stage.sha256); a plain `go build` embeds only bin/README.
//
//go:embed bin
var bin embed.FS

// StageCacheEnv names the directory the standalone stage is installed in;
// "off" makes every start use a sealed memfd copy instead. Unset, it is
// DefaultStageCacheDir.
const StageCacheEnv = "BERTH_STAGE_CACHE"

// DefaultStageCacheDir holds installed stages: regenerable, so under
// /var/cache (FHS), beside the seccomp filter cache.
const DefaultStageCacheDir = "/var/cache/berth/stage"

// maxStages bounds the cache: one entry per stage build, and berth
// upgrades are rare (development machines rebuild it often).
const maxStages = 4

// ErrNoStage: this binary carries no standalone stage (built without make).
var ErrNoStage = errors.New("this berth binary carries no standalone stage (built without make)")

var stage = guarded{open: func() (int, Kind, error) { return openStage(StageCacheDir()) }}

// StagePath returns a path that executes the standalone C stage through a
// protected handle, for a child with `inherited` fds, as Path does for
// the berth binary. It fails with ErrNoStage when there is none; the
// caller then runs berth's binary (Path), whose constructor is the same
// C stage.
func StagePath(inherited int) (string, error) { return stage.path(inherited) }

// StageMode reports how the stage is protected ("" before the first
// StagePath or when there is none).
func StageMode() Kind { return stage.mode() }

// StageCacheDir is the directory the stage is installed in, "" when the
// cache is off.
func StageCacheDir() string {
	return cachedir.FromEnv(StageCacheEnv, DefaultStageCacheDir)
}

// embeddedStage returns the stage's SHA-256 (hex) and size, or ErrNoStage.
func embeddedStage() (string, int64, error) {
	sum, err := bin.ReadFile("bin/stage.sha256")
	if err != nil {
		return "", 0, ErrNoStage
	}
	info, err := fs.Stat(bin, "bin/stage")
	if err != nil {
		return "", 0, ErrNoStage
	}
	name := strings.TrimSpace(string(sum))
	if _, err := hex.DecodeString(name); err != nil || len(name) != 2*sha256.Size {
		return "", 0, fmt.Errorf("bin/stage.sha256 in this berth binary is malformed: %q", sum)
	}
	return name, info.Size(), nil
}

// openStage finds or installs the stage in dir and clones it into a
// read-only detached mount (openReadonlyMount's reasons hold for it as for
// the binary); where that fails it falls back to a sealed memfd, which
// costs a copy of the stage (about 100 KiB) per start. No copy is made in
// the common case: the file is installed once per stage build.
func openStage(dir string) (int, Kind, error) {
	name, size, err := embeddedStage()
	if err != nil {
		return -1, "", err
	}
	if dir != "" {
		fd, err := openInstalledStage(dir, name, size)
		if err == nil {
			return fd, ReadonlyMount, nil
		}
		logging.Debug("standalone stage: cache %s: %v; using a sealed memfd", dir, err)
	}
	data, err := stageBytes(name)
	if err != nil {
		return -1, "", err
	}
	fd, err := sealedMemfd(bytes.NewReader(data))
	if err != nil {
		return -1, "", fmt.Errorf("protect the standalone stage: %w", err)
	}
	return fd, SealedMemfd, nil
}

// stageBytes reads the embedded stage and checks it against its hash: a
// build that mixed a stage with another's hash must not install it under
// a name that promises different content.
func stageBytes(name string) ([]byte, error) {
	data, err := bin.ReadFile("bin/stage")
	if err != nil {
		return nil, ErrNoStage
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != name {
		return nil, fmt.Errorf("the standalone stage in this berth binary does not match its SHA-256 %s: a broken build", name)
	}
	return data, nil
}

// openInstalledStage opens dir/name, installing it first when it is
// missing or unusable, and returns its read-only detached mount.
func openInstalledStage(dir, name string, size int64) (int, error) {
	path := filepath.Join(dir, name)
	fd, err := openTrustedStage(dir, path, size)
	if err == nil {
		return fd, nil
	}
	if !errors.Is(err, unix.ENOENT) {
		logging.Debug("standalone stage: %v; installing it again", err)
	}
	if err := installStage(dir, name); err != nil {
		return -1, err
	}
	return openTrustedStage(dir, path, size)
}

// openTrustedStage opens the installed stage, checks that only root could
// have written it or its directory (anyone else who could would choose
// what runs as root in every new container's namespaces) and that it is
// whole, and clones it. The content is checked once, when it is written:
// what only root can write is trusted like berth's own binary.
func openTrustedStage(dir, path string, size int64) (int, error) {
	if err := cachedir.CheckDir(dir); err != nil {
		return -1, err
	}
	var st unix.Stat_t
	// O_PATH: the file is only cloned, never read; O_NOFOLLOW: an entry
	// is never a symlink to somewhere else.
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Fstat(fd, &st); err != nil {
		return -1, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != size {
		return -1, fmt.Errorf("%s is not a regular file of %d bytes", path, size)
	}
	if err := cachedir.RootOnly(&st, path); err != nil {
		return -1, err
	}
	// A noexec mount is a host's choice: it is respected (a memfd is
	// used), not cleared on the clone.
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		return -1, &os.PathError{Op: "statfs", Path: path, Err: err}
	}
	if sfs.Flags&unix.ST_NOEXEC != 0 {
		return -1, fmt.Errorf("%s is on a noexec mount", dir)
	}
	return cloneReadonly(fd, "", unix.AT_EMPTY_PATH, path)
}

// installStage writes the stage to dir/name: a temporary file, synced,
// then renamed, so that no process ever sees part of one.
func installStage(dir, name string) error {
	data, err := stageBytes(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("install the standalone stage: %w", err)
	}
	if err := cachedir.CheckDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return fmt.Errorf("install the standalone stage: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o555)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return fmt.Errorf("install the standalone stage in %s: %w", dir, err)
	}
	logging.Debug("standalone stage: installed %s", filepath.Join(dir, name))
	cachedir.Trim(dir, maxStages, name)
	return nil
}
