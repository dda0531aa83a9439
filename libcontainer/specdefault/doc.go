// Package specdefault owns the template config.json that `berth spec` writes:
// a minimal, safe container (sh in a read-only rootfs, a few capabilities, the
// usual pseudo-filesystems, sensitive /proc and /sys paths hidden) that
// matches what runc's `spec` produces, so that tools and tutorials written for
// runc work unchanged, plus the rootless variant for unprivileged users.
package specdefault
