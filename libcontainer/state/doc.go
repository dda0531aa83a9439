// Package state owns a container's directory under the runtime's --root: the
// ID rules, the exclusive creation that makes a duplicate ID an error, the
// per-container lock that serialises commands on one ID, and state.json,
// which is always replaced whole (temp file, fsync, rename) so that a crash
// never leaves a half-written state behind.
package state
