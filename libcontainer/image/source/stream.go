package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// Compression of a layer blob.
type Compression int

const (
	Uncompressed Compression = iota
	Gzip
	Zstd
	sniffed // unknown until the first bytes are read (docker-archive)
)

func (c Compression) String() string {
	return [...]string{"none", "gzip", "zstd", "sniffed"}[c]
}

func compressionOf(mediaType string) (Compression, error) {
	switch mediaType {
	case oci.MediaTypeImageLayer, oci.MediaTypeImageLayerNonDistributable: //nolint:staticcheck // still found in images
		return Uncompressed, nil
	case oci.MediaTypeImageLayerGzip, oci.MediaTypeImageLayerNonDistributableGzip, oci.DockerLayerGzip, oci.DockerForeignGzip: //nolint:staticcheck
		return Gzip, nil
	case oci.MediaTypeImageLayerZstd, oci.MediaTypeImageLayerNonDistributableZstd: //nolint:staticcheck
		return Zstd, nil
	case "":
		return sniffed, nil
	}
	return 0, fmt.Errorf("unsupported layer media type %q", mediaType)
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// LayerStream is a layer's uncompressed tar stream. Its digest and size
// as stored and the digest of the uncompressed tar (the diff ID) are
// checked as it is read; Finish reads what is left and reports any
// mismatch. Nothing read from a LayerStream may be trusted before Finish
// returns nil.
type LayerStream struct {
	blob   *verifier // the stored blob
	diff   *verifier // the decompressed tar
	closer func()
	raw    io.Closer
}

// Counter is told how many blob bytes were read (for progress).
type Counter func(n int64)

type counting struct {
	r io.Reader
	c Counter
}

func (c counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.c(int64(n))
	}
	return n, err
}

// OpenLayer opens layer i.
func (img *Image) OpenLayer(i int, count Counter) (*LayerStream, error) {
	l := img.Layers[i]
	name := l.path
	if name == "" {
		name = blobPath(l.Blob.Digest)
	}
	rc, size, err := img.files.open(name)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.Blob.Digest, err)
	}
	what := "layer " + l.Blob.Digest.String()
	if l.Blob.Digest == "" {
		what = "layer " + l.path
	}
	want := l.Blob.Size
	if l.path != "" {
		want = size
	}
	blob, err := newVerifier(rc, what, l.Blob.Digest, want)
	if err != nil {
		rc.Close()
		return nil, err
	}
	var r io.Reader = blob
	if count != nil {
		r = counting{r: blob, c: count}
	}
	br := bufio.NewReaderSize(r, 256<<10)
	comp, _ := compressionOf(l.Blob.MediaType)
	if comp == sniffed {
		head, _ := br.Peek(4)
		switch {
		case bytes.HasPrefix(head, gzipMagic):
			comp = Gzip
		case bytes.HasPrefix(head, zstdMagic):
			comp = Zstd
		default:
			comp = Uncompressed
		}
	}
	s := &LayerStream{blob: blob, raw: rc, closer: func() {}}
	var dec io.Reader
	switch comp {
	case Gzip:
		z, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: gzip: %w", what, err)
		}
		dec, s.closer = z, func() { z.Close() }
	case Zstd:
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(false))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: zstd: %w", what, err)
		}
		dec, s.closer = z, z.Close
	default:
		dec = br
	}
	s.diff, err = newVerifier(dec, what+" (uncompressed, diff ID "+l.DiffID.String()+")", l.DiffID, -1)
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *LayerStream) Read(p []byte) (int, error) { return s.diff.Read(p) }

// Finish reads the rest of the layer (tar padding, compression trailer)
// and verifies the diff ID, the blob's size and its digest.
func (s *LayerStream) Finish() error {
	derr := s.diff.drain()
	// Even when decompression failed, read the blob to its end: a
	// digest mismatch explains a broken stream better than the
	// decompressor's complaint.
	berr := s.blob.drain()
	var de *DigestError
	if berr != nil && (derr == nil || errors.As(berr, &de)) {
		return berr
	}
	return derr
}

// Close releases the stream.
func (s *LayerStream) Close() error {
	s.closer()
	return s.raw.Close()
}
