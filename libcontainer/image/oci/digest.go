package oci

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// Digest is ALGORITHM:ENCODED, e.g. sha256:<64 hex digits>.
type Digest string

// SHA256 is the canonical algorithm.
const SHA256 = "sha256"

// algorithms: the hash and the length of its lowercase hex encoding.
var algorithms = map[string]struct {
	new func() hash.Hash
	len int
}{
	"sha256": {sha256.New, 64},
	"sha384": {sha512.New384, 96},
	"sha512": {sha512.New, 128},
}

func (d Digest) String() string { return string(d) }

// Algorithm is the part before ':'.
func (d Digest) Algorithm() string {
	a, _, _ := strings.Cut(string(d), ":")
	return a
}

// Encoded is the part after ':'.
func (d Digest) Encoded() string {
	_, e, _ := strings.Cut(string(d), ":")
	return e
}

// Validate accepts a known algorithm with its exact-length lowercase hex:
// what a blob path is built from, so nothing else may pass.
func (d Digest) Validate() error {
	alg, enc, ok := strings.Cut(string(d), ":")
	if !ok {
		return fmt.Errorf("invalid digest %q: no algorithm", string(d))
	}
	a, known := algorithms[alg]
	if !known {
		return fmt.Errorf("invalid digest %q: unsupported algorithm %q", string(d), alg)
	}
	if len(enc) != a.len {
		return fmt.Errorf("invalid digest %q: %s needs %d hex digits", string(d), alg, a.len)
	}
	for _, c := range enc {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("invalid digest %q: not lowercase hex", string(d))
		}
	}
	return nil
}

// Hash returns a new hash for d's algorithm (d must be valid).
func (d Digest) Hash() hash.Hash { return algorithms[d.Algorithm()].new() }

// Sum is the digest, in d's algorithm, of what h hashed.
func (d Digest) Sum(h hash.Hash) Digest {
	return Digest(d.Algorithm() + ":" + hex.EncodeToString(h.Sum(nil)))
}

// Parse validates s as a digest.
func Parse(s string) (Digest, error) {
	d := Digest(s)
	return d, d.Validate()
}

// NewDigestFromEncoded joins an algorithm and an encoded value.
func NewDigestFromEncoded(alg, enc string) Digest { return Digest(alg + ":" + enc) }

// FromBytes is the sha256 digest of b.
func FromBytes(b []byte) Digest {
	s := sha256.Sum256(b)
	return Digest(SHA256 + ":" + hex.EncodeToString(s[:]))
}

// FromString is the sha256 digest of s.
func FromString(s string) Digest { return FromBytes([]byte(s)) }
