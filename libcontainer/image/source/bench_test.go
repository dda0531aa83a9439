package source

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// benchData is a realistic layer-like payload: this test binary (machine
// code, tables, strings), gzipped and zstd'ed at the default levels the
// image tools use.
func benchData(b *testing.B) (raw, gz, zs []byte) {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	raw, err = os.ReadFile(exe)
	if err != nil {
		b.Fatal(err)
	}
	var g bytes.Buffer
	w := stdgzip.NewWriter(&g)
	w.Write(raw)
	w.Close()
	var z bytes.Buffer
	zw, _ := zstd.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	return raw, g.Bytes(), z.Bytes()
}

// BenchmarkGunzip compares the standard library's gzip reader with
// klauspost/compress's, which berth uses:
//
//	go test -run XXX -bench Gunzip ./libcontainer/image/source
func BenchmarkGunzip(b *testing.B) {
	raw, gz, _ := benchData(b)
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			r, err := stdgzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			r, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkZstd is the zstd decoder on the same payload, for scale (the
// standard library has no zstd).
func BenchmarkZstd(b *testing.B) {
	raw, _, zs := benchData(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		r, err := zstd.NewReader(bytes.NewReader(zs), zstd.WithDecoderConcurrency(1))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
