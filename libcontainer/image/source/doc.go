// Package source owns reading images: it parses skopeo-style source names
// (oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:REF],
// or a bare layout directory), opens OCI image layouts, OCI archives and
// `docker save` archives, picks the manifest for a platform from an index,
// and streams blobs verified against their digest and size as they are read:
// a layer is also checked against its diff ID once decompressed (gzip and
// zstd through github.com/klauspost/compress). A mismatch is a *DigestError
// at the end of the stream, before anything is committed.
package source
