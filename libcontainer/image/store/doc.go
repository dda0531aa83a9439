// Package store owns the content-addressed layer cache (default
// /var/lib/berth, berth image --store DIR): each layer extracted once,
// keyed by its diff ID, committed by renaming a complete temporary
// directory into place under a per-layer flock, so that a crash never
// leaves a half layer that looks whole and concurrent unpacks of one layer
// extract it once; the records of which bundles stack which layers (for
// `image ls`); and `image prune`, which removes the layers no bundle uses.
package store
