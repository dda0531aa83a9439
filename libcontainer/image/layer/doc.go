// Package layer owns the on-disk form of one image layer: Extract unpacks a
// layer's tar stream into an empty directory, fd-relative, converting OCI
// whiteouts (.wh.NAME, .wh..wh..opq) into overlayfs whiteouts (a 0:0
// character device, trusted.overlay.opaque=y), so that the directory can be
// an overlay lowerdir as is; Merge applies such a directory onto a plain
// root filesystem (berth image unpack --flat).
//
// Every path a tar entry names is resolved inside the layer directory with
// openat2(RESOLVE_IN_ROOT) through pathrs-lite, and entries are created with
// *at calls on the resolved parent, never through a joined host path. That
// is what keeps "../" names, absolute names, a symlink followed by a write
// through it and a hardlink to a file outside the layer from touching
// anything outside the directory.
package layer
