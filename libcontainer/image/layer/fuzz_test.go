package layer

import (
	"archive/tar"
	"testing"
)

// FuzzExtract feeds arbitrary bytes to the extractor. Whatever it does with
// them (most inputs are not valid tar), it must not panic and must not
// write anything outside the layer directory. The seed corpus in
// testdata/fuzz/FuzzExtract holds well-formed layers and the traversal
// attempts; `go test -fuzz=FuzzExtract ./libcontainer/image/layer` mutates
// them.
func FuzzExtract(f *testing.F) {
	f.Add(tarOf(f, dir("a"), file("a/b", "x"), symlink("a/c", "../b"), hardlink("d", "a/b")))
	f.Add(tarOf(f, file("../x", "x")))
	f.Add(tarOf(f, symlink("s", "/"), file("s/etc/x", "x")))
	f.Add(tarOf(f, dir("w"), file("w/.wh.x", ""), file("w/.wh..wh..opq", "")))
	f.Add(tarOf(f, entry{h: tar.Header{Name: "f", Typeflag: tar.TypeFifo}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		layer, _ := extractTo(t, data)
		assertContained(t, layer)
	})
}
