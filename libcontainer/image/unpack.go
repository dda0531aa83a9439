package image

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/berth-runtime/berth/libcontainer/image/bundle"
	"github.com/berth-runtime/berth/libcontainer/image/layer"
	"github.com/berth-runtime/berth/libcontainer/image/oci"
	"github.com/berth-runtime/berth/libcontainer/image/source"
	"github.com/berth-runtime/berth/libcontainer/image/store"
	"github.com/berth-runtime/berth/libcontainer/specjson"
)

// UnpackOptions are `berth image unpack`'s arguments.
type UnpackOptions struct {
	Source    string
	Bundle    string
	Store     string
	Platform  string // os/arch[/variant]; "" for the host's
	Flat      bool
	Overrides bundle.Overrides
	// Progress, when not nil, gets a status line redrawn in place
	// (a terminal).
	Progress io.Writer
}

// Result is what an unpack did.
type Result struct {
	Image     oci.Digest
	Bundle    string
	Layers    int
	Extracted int // layers extracted by this unpack; the others were cached
}

// Unpack makes a bundle from an image. Before anything is written it
// checks the bundle directory and opens the image (manifest and config
// verified); layers missing from the store are then extracted in
// parallel, each verified before it is committed, and only then is the
// bundle made. A failure leaves no bundle and no partial layer; layers
// that were complete and verified stay cached.
func Unpack(o UnpackOptions) (*Result, error) {
	ref, err := source.Parse(o.Source)
	if err != nil {
		return nil, err
	}
	platform, err := source.ParsePlatform(o.Platform)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %q: %w", o.Bundle, err)
	}
	if err := bundle.CheckDir(dir); err != nil {
		return nil, err
	}
	st, err := store.Open(o.Store)
	if err != nil {
		return nil, err
	}
	release, err := st.Use()
	if err != nil {
		return nil, err
	}
	defer release()
	img, err := source.Open(ref, platform)
	if err != nil {
		return nil, err
	}
	defer img.Close()

	res := &Result{Image: img.Digest, Bundle: dir, Layers: len(img.Layers)}
	if res.Extracted, err = extractAll(st, img, o.Progress); err != nil {
		return nil, err
	}

	var lowers []string
	var ids []string
	for _, l := range img.Layers {
		lowers = append(lowers, st.Diff(l.DiffID))
		ids = append(ids, l.DiffID.String())
	}
	err = bundle.Create(bundle.Options{
		Dir:    dir,
		Lowers: lowers,
		Flat:   o.Flat,
		Marker: bundle.Marker{Store: st.Root, Image: img.Digest.String(), Layers: ids},
		Config: func(root *os.File) ([]byte, error) {
			s, err := bundle.Spec(img.Config, img.Annotations, root, o.Overrides)
			if err != nil {
				return nil, err
			}
			data, err := specjson.MarshalIndent(s, "", "\t")
			return append(data, '\n'), err
		},
	})
	if err != nil {
		return nil, err
	}
	rec := store.Bundle{Bundle: dir, Image: img.Digest, Source: ref.String(), Flat: o.Flat}
	for _, l := range img.Layers {
		rec.Layers = append(rec.Layers, l.DiffID)
	}
	if err := st.AddBundle(rec); err != nil {
		bundle.Umount(dir)
		return nil, err
	}
	return res, nil
}

// extractAll extracts the layers the store lacks, several at a time, and
// returns how many it extracted. The first failure stops the others.
func extractAll(st *store.Store, img *source.Image, progressOut io.Writer) (int, error) {
	var todo []int
	seen := map[oci.Digest]bool{}
	for i, l := range img.Layers {
		if !st.Has(l.DiffID) && !seen[l.DiffID] {
			todo = append(todo, i)
			seen[l.DiffID] = true
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	p := newProgress(progressOut, len(img.Layers), len(img.Layers)-len(todo))
	for _, i := range todo {
		p.total.Add(img.Layers[i].Blob.Size)
	}
	p.start()
	defer p.stop()

	workers := min(runtime.NumCPU(), len(todo))
	jobs := make(chan int)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		firstErr  error
		extracted atomic.Int32
		failed    atomic.Bool
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if failed.Load() {
					continue
				}
				made, err := extractOne(st, img, i, p, &failed)
				if made {
					extracted.Add(1)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
		}()
	}
	for _, i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return int(extracted.Load()), firstErr
}

var errStopped = errors.New("stopped: another layer failed")

// stoppable fails its reads once another layer has failed, so that the
// unpack does not finish extracting layers it is about to throw away.
type stoppable struct {
	r      io.Reader
	failed *atomic.Bool
}

func (s stoppable) Read(p []byte) (int, error) {
	if s.failed.Load() {
		return 0, errStopped
	}
	return s.r.Read(p)
}

func extractOne(st *store.Store, img *source.Image, i int, p *progress, failed *atomic.Bool) (bool, error) {
	l := img.Layers[i]
	made, err := st.Ensure(l.DiffID, func(dir *os.File) (store.LayerInfo, error) {
		s, err := img.OpenLayer(i, p.add)
		if err != nil {
			return store.LayerInfo{}, err
		}
		defer s.Close()
		stats, err := layer.Extract(dir, stoppable{r: s, failed: failed})
		if err == nil {
			// The tar's end came before the stream's: read the rest
			// so the digests cover every byte before the commit.
			err = s.Finish()
		} else if errors.Is(err, errStopped) {
			// Another layer failed: no need to read this one to its end.
		} else if ferr := s.Finish(); ferr != nil {
			// A corrupt blob usually breaks the tar before its
			// digest can be checked; if the digest is wrong, say so.
			var de *source.DigestError
			if errors.As(ferr, &de) {
				err = ferr
			}
		}
		if err != nil {
			return store.LayerInfo{}, fmt.Errorf("layer %d/%d: %w", i+1, len(img.Layers), err)
		}
		return store.LayerInfo{Blob: l.Blob.Digest, Entries: stats.Entries, Bytes: stats.Bytes}, nil
	})
	if made {
		p.layerDone()
	}
	return made, err
}
