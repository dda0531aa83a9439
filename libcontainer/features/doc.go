// Package features owns berth's answer to `berth features`: the OCI
// runtime-spec features document that tells engines (containerd, CRI-O,
// podman) which spec versions, hooks, mount options, namespaces and
// capabilities this build understands, so they can avoid asking for what it
// cannot do. It states what is compiled in, not what the host supports.
package features
