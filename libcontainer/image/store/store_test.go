package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

func fillWith(name string, calls *atomic.Int32) Fill {
	return func(dir *os.File) (LayerInfo, error) {
		calls.Add(1)
		if err := os.WriteFile("/proc/self/fd/"+itoa(dir.Fd())+"/"+name, []byte(name), 0o644); err != nil {
			return LayerInfo{}, err
		}
		return LayerInfo{Entries: 1, Bytes: int64(len(name))}, nil
	}
}

func itoa(u uintptr) string { return strconv.FormatUint(uint64(u), 10) }

func TestEnsureOnceConcurrently(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := oci.FromString("layer one")
	var calls atomic.Int32
	var wg sync.WaitGroup
	var made atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A second Store value behaves like another process: the
			// flock is per open file, not per Store.
			s2 := &Store{Root: s.Root}
			created, err := s2.Ensure(id, fillWith("f", &calls))
			if err != nil {
				t.Error(err)
			}
			if created {
				made.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || made.Load() != 1 {
		t.Fatalf("layer extracted %d times (%d reported created), want once", calls.Load(), made.Load())
	}
	if b, err := os.ReadFile(filepath.Join(s.Diff(id), "f")); err != nil || string(b) != "f" {
		t.Fatalf("layer content: %q %v", b, err)
	}
}

func TestEnsureFailureLeavesNothing(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := oci.FromString("bad")
	_, err = s.Ensure(id, func(dir *os.File) (LayerInfo, error) {
		os.WriteFile("/proc/self/fd/"+itoa(dir.Fd())+"/half", []byte("x"), 0o644)
		return LayerInfo{}, errors.New("digest mismatch")
	})
	if err == nil {
		t.Fatal("want the fill error")
	}
	if s.Has(id) {
		t.Fatal("a failed layer must not be present")
	}
	if _, err := os.Stat(s.layerDir(id)); !os.IsNotExist(err) {
		t.Fatalf("layer directory exists after failure: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Root, "tmp")); len(ents) != 0 {
		t.Fatalf("tmp/ not cleaned: %v", ents)
	}
}

func TestBundlesAndPrune(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	a, b := oci.FromString("a"), oci.FromString("b")
	for _, id := range []oci.Digest{a, b} {
		if _, err := s.Ensure(id, fillWith("f", &calls)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddBundle(Bundle{Bundle: "/live", Layers: []oci.Digest{a}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddBundle(Bundle{Bundle: "/gone", Layers: []oci.Digest{a, b}}); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(s.Root, "tmp", "crashed-extraction"), 0o700)
	layers, err := s.Layers()
	if err != nil || len(layers) != 2 {
		t.Fatalf("Layers: %v %v", layers, err)
	}
	for _, l := range layers {
		if l.DiffID == a && len(l.Bundles) != 2 || l.DiffID == b && len(l.Bundles) != 1 {
			t.Errorf("layer %s used by %v", l.DiffID, l.Bundles)
		}
	}
	p, err := s.Prune(func(b Bundle) bool { return b.Bundle == "/live" })
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Layers) != 1 || p.Layers[0].DiffID != b || len(p.Bundles) != 1 || p.Bundles[0] != "/gone" {
		t.Fatalf("pruned %+v", p)
	}
	if !s.Has(a) || s.Has(b) {
		t.Fatal("prune must keep a (used by /live) and remove b")
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Root, "tmp")); len(ents) != 0 {
		t.Fatalf("prune left tmp/: %v", ents)
	}
	if err := s.RemoveBundle("/live"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Prune(func(Bundle) bool { return true }); len(p.Layers) != 1 || s.Has(a) {
		t.Fatalf("after the last bundle went, prune must remove a: %+v", p)
	}
}
