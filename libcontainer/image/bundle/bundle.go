package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/image/layer"
)

// MarkerFile, in the bundle directory, says which store and layers the
// bundle's rootfs was made from; `image umount` and `image prune` read it.
const MarkerFile = "berth-image.json"

// Marker is the content of MarkerFile.
type Marker struct {
	Store  string   `json:"store"`
	Image  string   `json:"image"`
	Layers []string `json:"layers"` // diff IDs, bottom first
	Flat   bool     `json:"flat,omitempty"`
}

// Options say how to make a bundle.
type Options struct {
	Dir    string   // the bundle, absolute; must be absent or empty
	Lowers []string // layer directories in the store, bottom first
	Flat   bool     // copy the layers into rootfs instead of an overlay
	Marker Marker
	// Config writes config.json's spec given the mounted rootfs.
	Config func(root *os.File) ([]byte, error)
}

// CheckDir fails unless dir can become a bundle: absent, or an empty
// directory. Called before any work, so that a bad BUNDLE costs nothing.
func CheckDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("bundle %s exists and is not empty", dir)
	}
	return nil
}

// Create makes the bundle: rootfs (overlay or flat copy), upper/ and
// work/ for the overlay, config.json and the marker. On failure it
// unmounts and removes everything it made.
func Create(o Options) (err error) {
	if err := CheckDir(o.Dir); err != nil {
		return err
	}
	var made []string // to remove on failure, last first
	mounted := false
	rootfs := filepath.Join(o.Dir, "rootfs")
	defer func() {
		if err == nil {
			return
		}
		if mounted {
			unix.Unmount(rootfs, unix.MNT_DETACH)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.RemoveAll(made[i])
		}
	}()
	mkdir := func(p string, mode os.FileMode) error {
		err := os.Mkdir(p, mode)
		if err == nil {
			made = append(made, p)
			return nil
		}
		if errors.Is(err, fs.ErrExist) && p == o.Dir {
			return nil // an empty bundle directory given by the user
		}
		return fmt.Errorf("bundle %s: %w", o.Dir, err)
	}
	if err := mkdir(o.Dir, 0o755); err != nil {
		return err
	}
	if err := mkdir(rootfs, 0o755); err != nil {
		return err
	}
	if o.Flat {
		if err := flatten(rootfs, o.Lowers); err != nil {
			return fmt.Errorf("bundle %s: %w", o.Dir, err)
		}
	} else {
		upper, work := filepath.Join(o.Dir, "upper"), filepath.Join(o.Dir, "work")
		if err := mkdir(upper, 0o755); err != nil {
			return err
		}
		if err := mkdir(work, 0o700); err != nil {
			return err
		}
		if err := mountOverlay(rootfs, o.Lowers, upper, work); err != nil {
			return fmt.Errorf("bundle %s: %w", o.Dir, err)
		}
		mounted = true
	}
	root, err := os.OpenFile(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", o.Dir, err)
	}
	data, err := o.Config(root)
	root.Close()
	if err != nil {
		return fmt.Errorf("bundle %s: config.json: %w", o.Dir, err)
	}
	if err := writeNew(filepath.Join(o.Dir, "config.json"), data, &made); err != nil {
		return err
	}
	o.Marker.Flat = o.Flat
	m, _ := json.MarshalIndent(o.Marker, "", "\t")
	return writeNew(filepath.Join(o.Dir, MarkerFile), append(m, '\n'), &made)
}

func writeNew(p string, data []byte, made *[]string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	*made = append(*made, p)
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

func flatten(rootfs string, lowers []string) error {
	dst, err := os.OpenFile(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer dst.Close()
	for _, l := range lowers {
		src, err := os.OpenFile(l, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		err = layer.Merge(dst, src)
		src.Close()
		if err != nil {
			return fmt.Errorf("copy layer %s: %w", l, err)
		}
	}
	return nil
}

// ReadMarker reads the bundle's marker; the error says when dir is not a
// bundle made by `berth image unpack`.
func ReadMarker(dir string) (Marker, error) {
	var m Marker
	data, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("bundle %s was not made by 'berth image unpack' (no %s)", dir, MarkerFile)
	}
	if err != nil {
		return m, fmt.Errorf("bundle %s: %w", dir, err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("bundle %s: %s: %w", dir, MarkerFile, err)
	}
	return m, nil
}

// Umount takes down what Create made except config.json: it unmounts the
// overlay and removes rootfs/, upper/, work/ and the marker. The cached
// layers stay.
func Umount(dir string) (Marker, error) {
	m, err := ReadMarker(dir)
	if err != nil {
		return m, err
	}
	rootfs := filepath.Join(dir, "rootfs")
	if !m.Flat {
		if err := unix.Unmount(rootfs, 0); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			// EINVAL: not mounted (already unmounted by hand).
			return m, fmt.Errorf("bundle %s: unmount %s: %w", dir, rootfs, err)
		}
	}
	if !m.Flat {
		// Only the empty mountpoint: were the overlay somehow still
		// mounted, a recursive removal would write whiteouts through it.
		if err := os.Remove(rootfs); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m, fmt.Errorf("bundle %s: remove %s: %w", dir, rootfs, err)
		}
	}
	for _, p := range []string{rootfs, filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, MarkerFile)} {
		if err := os.RemoveAll(p); err != nil {
			return m, fmt.Errorf("bundle %s: remove %s: %w", dir, p, err)
		}
	}
	return m, nil
}
