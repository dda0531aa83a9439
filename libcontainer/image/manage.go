package image

import (
	"fmt"
	"path/filepath"

	"github.com/berth-runtime/berth/libcontainer/image/bundle"
	"github.com/berth-runtime/berth/libcontainer/image/store"
)

// Umount takes a bundle made by Unpack down (bundle.Umount) and drops its
// record from the store it came from, so that prune may remove its layers.
func Umount(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("bundle %q: %w", dir, err)
	}
	m, err := bundle.Umount(abs)
	if err != nil {
		return err
	}
	st := &store.Store{Root: m.Store}
	return st.RemoveBundle(abs)
}

// List returns the store's layers with the bundles using each.
func List(root string) ([]store.Layer, error) {
	st, err := store.Open(root)
	if err != nil {
		return nil, err
	}
	return st.Layers()
}

// Prune removes the layers no bundle uses. A recorded bundle counts as
// gone when its marker no longer names this store (removed by hand
// without `image umount`).
func Prune(root string) (store.Pruned, error) {
	st, err := store.Open(root)
	if err != nil {
		return store.Pruned{}, err
	}
	return st.Prune(func(b store.Bundle) bool {
		m, err := bundle.ReadMarker(b.Bundle)
		return err == nil && m.Store == st.Root
	})
}
