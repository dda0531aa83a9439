// Package build owns writing images: an OCI image layout, an OCI archive
// or a `docker save` archive from layer tars (made from host directories
// with TarDir, or by hand), compressed with gzip, zstd or not at all, with
// an index over several platforms when asked. berth's runtime never calls
// it: the tests, the demo and the benchmark make their images with it
// through tests/cmd/mkimage, so that they need neither a registry nor a
// network.
package build
