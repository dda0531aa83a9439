package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// DefaultRoot is where layers are cached unless --store says otherwise.
const DefaultRoot = "/var/lib/berth"

// Store is a layer store rooted at Root:
//
//	layers/<alg>/<hex>/diff/        the extracted layer (an overlay lowerdir)
//	layers/<alg>/<hex>/layer.json   what was extracted from which blob
//	tmp/                            layers being extracted
//	locks/<alg>-<hex>               one flock per layer being extracted
//	bundles/<id>.json               bundles made from the store
//	lock                            shared by unpacks, exclusive for prune
type Store struct {
	Root string
}

// LayerInfo is layer.json.
type LayerInfo struct {
	DiffID  oci.Digest `json:"diffID"`
	Blob    oci.Digest `json:"blob,omitempty"`
	Entries int        `json:"entries"`
	Bytes   int64      `json:"bytes"`
	Created time.Time  `json:"created"`
}

// Open makes the store's directories (0700: layers hold setuid files and
// device nodes that only root should reach) and returns it.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("store %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("store %q: %w", abs, err)
	}
	for _, d := range []string{"layers", "tmp", "locks", "bundles"} {
		if err := os.Mkdir(filepath.Join(abs, d), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("store %q: %w", abs, err)
		}
	}
	return &Store{Root: abs}, nil
}

func (s *Store) layerDir(id oci.Digest) string {
	return filepath.Join(s.Root, "layers", id.Algorithm(), id.Encoded())
}

// Diff is the directory holding layer id's files, the overlay lowerdir.
func (s *Store) Diff(id oci.Digest) string { return filepath.Join(s.layerDir(id), "diff") }

// Has reports whether layer id is complete in the store.
func (s *Store) Has(id oci.Digest) bool {
	_, err := os.Stat(filepath.Join(s.layerDir(id), "layer.json"))
	return err == nil
}

// lock takes an flock on path, exclusive or shared, and returns its
// release.
func lock(path string, how int) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil // closing drops the flock
}

// Use holds the store against prune while an unpack reads and adds
// layers and records its bundle; call the returned release when done.
func (s *Store) Use() (func(), error) { return lock(filepath.Join(s.Root, "lock"), unix.LOCK_SH) }

// Fill extracts a layer into a directory handle.
type Fill func(dir *os.File) (LayerInfo, error)

// Ensure makes layer id present, calling fill to extract it if it is not.
// fill writes into a fresh directory under tmp/, which is renamed into
// place only once fill returned and layer.json is written: a crash or a
// failed verification leaves at most a tmp/ directory (removed here, or
// by prune), never a layer that looks whole. Concurrent Ensures of one
// layer, in this process or another, extract it once: the others wait on
// the layer's lock and then find it present. It reports whether this call
// extracted the layer.
func (s *Store) Ensure(id oci.Digest, fill Fill) (bool, error) {
	if s.Has(id) {
		return false, nil
	}
	unlock, err := lock(filepath.Join(s.Root, "locks", id.Algorithm()+"-"+id.Encoded()), unix.LOCK_EX)
	if err != nil {
		return false, err
	}
	defer unlock()
	if s.Has(id) {
		return false, nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(s.Root, "tmp"), id.Encoded()[:12]+"-")
	if err != nil {
		return false, fmt.Errorf("layer %s: %w", id, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	diff := filepath.Join(tmp, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return false, fmt.Errorf("layer %s: %w", id, err)
	}
	dir, err := os.OpenFile(diff, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, fmt.Errorf("layer %s: %w", id, err)
	}
	info, err := fill(dir)
	dir.Close()
	if err != nil {
		return false, err
	}
	info.DiffID, info.Created = id, time.Now().UTC()
	data, _ := json.MarshalIndent(info, "", "\t")
	if err := writeFileSync(filepath.Join(tmp, "layer.json"), data); err != nil {
		return false, fmt.Errorf("layer %s: %w", id, err)
	}
	final := s.layerDir(id)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return false, fmt.Errorf("layer %s: %w", id, err)
	}
	// A layer left without layer.json by an older crash cannot exist
	// (rename is the commit), but a stale empty target would make rename
	// fail: only a complete layer may be there.
	if err := os.Rename(tmp, final); err != nil {
		return false, fmt.Errorf("layer %s: commit: %w", id, err)
	}
	ok = true
	return true, nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Layer is a cached layer as `image ls` shows it.
type Layer struct {
	LayerInfo
	Bundles []string // bundles whose rootfs uses it
}

// Layers lists the complete layers, sorted by diff ID.
func (s *Store) Layers() ([]Layer, error) {
	bundles, err := s.Bundles()
	if err != nil {
		return nil, err
	}
	users := map[oci.Digest][]string{}
	for _, b := range bundles {
		for _, l := range b.Layers {
			users[l] = append(users[l], b.Bundle)
		}
	}
	var out []Layer
	algs, err := os.ReadDir(filepath.Join(s.Root, "layers"))
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.Root, err)
	}
	for _, alg := range algs {
		ents, err := os.ReadDir(filepath.Join(s.Root, "layers", alg.Name()))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(s.Root, "layers", alg.Name(), e.Name(), "layer.json"))
			if err != nil {
				continue // not a committed layer
			}
			var l Layer
			if err := json.Unmarshal(data, &l.LayerInfo); err != nil {
				return nil, fmt.Errorf("store %s: layer %s: %w", s.Root, e.Name(), err)
			}
			l.Bundles = users[l.DiffID]
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DiffID < out[j].DiffID })
	return out, nil
}

// Bundle records which layers a bundle's rootfs stacks.
type Bundle struct {
	Bundle  string       `json:"bundle"` // absolute path
	Image   oci.Digest   `json:"image"`
	Source  string       `json:"source"`
	Layers  []oci.Digest `json:"layers"` // bottom first
	Flat    bool         `json:"flat,omitempty"`
	Created time.Time    `json:"created"`
}

func (s *Store) bundleFile(bundle string) string {
	sum := sha256.Sum256([]byte(bundle))
	return filepath.Join(s.Root, "bundles", hex.EncodeToString(sum[:16])+".json")
}

// AddBundle records b (call it under Use, so prune cannot run between
// the layers being checked and the record being written).
func (s *Store) AddBundle(b Bundle) error {
	data, _ := json.MarshalIndent(b, "", "\t")
	p := s.bundleFile(b.Bundle)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("record bundle %s: %w", b.Bundle, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("record bundle %s: %w", b.Bundle, err)
	}
	return nil
}

// RemoveBundle forgets bundle; it is not an error if it was not recorded.
func (s *Store) RemoveBundle(bundle string) error {
	if err := os.Remove(s.bundleFile(bundle)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("forget bundle %s: %w", bundle, err)
	}
	return nil
}

// Bundles lists the recorded bundles.
func (s *Store) Bundles() ([]Bundle, error) {
	ents, err := os.ReadDir(filepath.Join(s.Root, "bundles"))
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.Root, err)
	}
	var out []Bundle
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.Root, "bundles", e.Name()))
		if err != nil {
			return nil, err
		}
		var b Bundle
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, fmt.Errorf("store %s: bundle record %s: %w", s.Root, e.Name(), err)
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bundle < out[j].Bundle })
	return out, nil
}

// Alive tells whether a recorded bundle still exists; prune drops the
// records of those that do not. It is given by the caller, which knows
// what a bundle looks like.
type Alive func(Bundle) bool

// Pruned is what Prune removed.
type Pruned struct {
	Layers  []Layer
	Bundles []string // stale records dropped
	Bytes   int64
}

// Prune removes every layer that no live bundle uses, the records of
// bundles that are gone, and leftovers of interrupted extractions. It
// holds the store lock exclusively, so no unpack runs meanwhile.
func (s *Store) Prune(alive Alive) (Pruned, error) {
	var p Pruned
	unlock, err := lock(filepath.Join(s.Root, "lock"), unix.LOCK_EX)
	if err != nil {
		return p, err
	}
	defer unlock()
	bundles, err := s.Bundles()
	if err != nil {
		return p, err
	}
	for _, b := range bundles {
		if !alive(b) {
			if err := s.RemoveBundle(b.Bundle); err != nil {
				return p, err
			}
			p.Bundles = append(p.Bundles, b.Bundle)
		}
	}
	layers, err := s.Layers()
	if err != nil {
		return p, err
	}
	for _, l := range layers {
		if len(l.Bundles) > 0 {
			continue
		}
		// Rename out of layers/ first: a layer is either whole in place
		// or gone, even if the removal is interrupted.
		dir := s.layerDir(l.DiffID)
		trash, err := os.MkdirTemp(filepath.Join(s.Root, "tmp"), "prune-")
		if err != nil {
			return p, err
		}
		if err := os.Rename(dir, filepath.Join(trash, "layer")); err != nil {
			return p, fmt.Errorf("prune layer %s: %w", l.DiffID, err)
		}
		p.Layers = append(p.Layers, l)
		p.Bytes += l.Bytes
	}
	// Nothing else is extracting (we hold the lock exclusively): all of
	// tmp/ and locks/ are leftovers.
	for _, d := range []string{"tmp", "locks"} {
		ents, err := os.ReadDir(filepath.Join(s.Root, d))
		if err != nil {
			return p, err
		}
		for _, e := range ents {
			if err := os.RemoveAll(filepath.Join(s.Root, d, e.Name())); err != nil {
				return p, fmt.Errorf("prune %s: %w", d, err)
			}
		}
	}
	return p, nil
}
