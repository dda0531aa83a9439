// Package libcontainer is berth's library: it turns a bundle's config
// (specs.Spec, used directly with no second representation) into a container
// and drives it through create, start, kill and delete. The command-line
// files at the top level only parse flags and call it.
//
// The pieces: state (the on-disk record and lock), procinfo (process
// identity), syncmsg (the runtime<->init protocol), initproc (the Go init),
// rootfs, caps and hooks. The C stage lives in ../nsenter.
package libcontainer
