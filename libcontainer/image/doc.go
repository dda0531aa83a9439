// Package image owns the `berth image` flow, tying its subpackages
// together: Unpack opens a source (source), extracts its missing layers
// into the layer store in parallel (layer, store) while showing progress,
// and makes the bundle (bundle); Umount, List and Prune act on bundles and
// the store.
package image
