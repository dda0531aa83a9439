// Package oci owns the OCI image-spec types berth reads and writes:
// descriptors, indexes, manifests, the image config, the layout file, and
// digests. They are field-for-field and JSON-identical to
// github.com/opencontainers/image-spec's specs-go/v1 (types_test.go checks
// both directions against that module, which stays the reference), but
// berth does not link image-spec at run time: it imports go-digest, whose
// package init compiles five regular expressions, about 1 ms measured on
// every berth process, and every container start runs two of them (the
// CLI and the container's init), image or not.
package oci
