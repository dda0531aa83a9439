package source

import (
	_ "crypto/sha256" // digest algorithms, registered for go-digest
	_ "crypto/sha512"
	"fmt"
	"hash"
	"io"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// DigestError says that a blob is not what its descriptor promised.
type DigestError struct {
	What     string // "blob sha256:...", "layer sha256:... (uncompressed)"
	Want     oci.Digest
	Got      oci.Digest
	WantSize int64 // -1: unknown
	GotSize  int64 // -1: stopped early, more than WantSize
}

func (e *DigestError) Error() string {
	if e.Got == "" {
		if e.GotSize < 0 {
			return fmt.Sprintf("%s: size mismatch: more than the %d bytes the manifest says", e.What, e.WantSize)
		}
		return fmt.Sprintf("%s: size mismatch: %d bytes, the manifest says %d", e.What, e.GotSize, e.WantSize)
	}
	return fmt.Sprintf("%s: digest mismatch: content hashes to %s, expected %s", e.What, e.Got, e.Want)
}

// verifier passes a stream through, hashing it; at its end it returns a
// *DigestError instead of io.EOF when the content does not match, and it
// fails as soon as the stream runs past the expected size.
type verifier struct {
	r    io.Reader
	what string
	want oci.Digest // "" : only the size is checked
	size int64      // -1: any size
	h    hash.Hash
	n    int64
	done bool // reached EOF and matched
}

func newVerifier(r io.Reader, what string, want oci.Digest, size int64) (*verifier, error) {
	v := &verifier{r: r, what: what, want: want, size: size}
	if want != "" {
		if err := want.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		v.h = want.Hash()
	}
	return v, nil
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.done {
		return 0, io.EOF
	}
	n, err := v.r.Read(p)
	if n > 0 {
		v.n += int64(n)
		if v.size >= 0 && v.n > v.size {
			return 0, &DigestError{What: v.what, Want: v.want, WantSize: v.size, GotSize: -1}
		}
		if v.h != nil {
			v.h.Write(p[:n])
		}
	}
	if err == io.EOF {
		if v.size >= 0 && v.n != v.size {
			return n, &DigestError{What: v.what, Want: v.want, WantSize: v.size, GotSize: v.n}
		}
		if v.h != nil {
			if got := v.want.Sum(v.h); got != v.want {
				return n, &DigestError{What: v.what, Want: v.want, Got: got, WantSize: v.size, GotSize: v.n}
			}
		}
		v.done = true
	}
	return n, err
}

// drain reads the rest of the stream, which verifies it.
func (v *verifier) drain() error {
	if v.done {
		return nil
	}
	_, err := io.Copy(io.Discard, v)
	return err
}
