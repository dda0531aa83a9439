package oci

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	specsgo "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// roundTrip marshals from, decodes it into to, marshals to, and checks
// that both JSON documents are the same.
func roundTrip(t *testing.T, name string, from, to any) {
	t.Helper()
	a, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a, to); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := json.Marshal(to)
	if err != nil {
		t.Fatal(err)
	}
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	if !reflect.DeepEqual(x, y) {
		t.Errorf("%s: JSON differs:\n%s\n%s", name, a, b)
	}
}

// The reference: image-spec's own types, every field set, must survive a
// trip through ours in both directions.
func TestTypesMatchImageSpec(t *testing.T) {
	now := time.Unix(1700000000, 0).UTC()
	d := digest.FromString("x")
	plat := &ocispec.Platform{Architecture: "arm64", OS: "linux", OSVersion: "1", OSFeatures: []string{"f"}, Variant: "v8"}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: d, Size: 3, URLs: []string{"u"},
		Annotations: map[string]string{"a": "b"}, Data: []byte("abc"), Platform: plat, ArtifactType: "t"}
	manifest := ocispec.Manifest{Versioned: specsgo.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		ArtifactType: "t", Config: desc, Layers: []ocispec.Descriptor{desc, desc}, Subject: &desc, Annotations: map[string]string{"k": "v"}}
	index := ocispec.Index{Versioned: specsgo.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex,
		ArtifactType: "t", Manifests: []ocispec.Descriptor{desc}, Subject: &desc, Annotations: map[string]string{"k": "v"}}
	image := ocispec.Image{Created: &now, Author: "me", Platform: *plat,
		Config: ocispec.ImageConfig{User: "u", ExposedPorts: map[string]struct{}{"80/tcp": {}}, Env: []string{"A=1"},
			Entrypoint: []string{"e"}, Cmd: []string{"c"}, Volumes: map[string]struct{}{"/v": {}}, WorkingDir: "/w",
			Labels: map[string]string{"l": "1"}, StopSignal: "SIGTERM", ArgsEscaped: true},
		RootFS:  ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{d}},
		History: []ocispec.History{{Created: &now, CreatedBy: "b", Author: "a", Comment: "c", EmptyLayer: true}}}
	layout := ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion}

	roundTrip(t, "manifest", manifest, &Manifest{})
	roundTrip(t, "index", index, &Index{})
	roundTrip(t, "image", image, &Image{})
	roundTrip(t, "layout", layout, &ImageLayout{})
	var m Manifest
	roundTrip(t, "manifest back", manifest, &m)
	roundTrip(t, "manifest reverse", m, &ocispec.Manifest{})
	var i Image
	roundTrip(t, "image back", image, &i)
	roundTrip(t, "image reverse", i, &ocispec.Image{})

	for ours, theirs := range map[string]string{
		MediaTypeImageIndex: ocispec.MediaTypeImageIndex, MediaTypeImageManifest: ocispec.MediaTypeImageManifest,
		MediaTypeImageConfig: ocispec.MediaTypeImageConfig, MediaTypeImageLayer: ocispec.MediaTypeImageLayer,
		MediaTypeImageLayerGzip: ocispec.MediaTypeImageLayerGzip, MediaTypeImageLayerZstd: ocispec.MediaTypeImageLayerZstd,
		MediaTypeImageLayerNonDistributable:     ocispec.MediaTypeImageLayerNonDistributable,     //nolint:staticcheck
		MediaTypeImageLayerNonDistributableGzip: ocispec.MediaTypeImageLayerNonDistributableGzip, //nolint:staticcheck
		MediaTypeImageLayerNonDistributableZstd: ocispec.MediaTypeImageLayerNonDistributableZstd, //nolint:staticcheck
		AnnotationRefName:                       ocispec.AnnotationRefName, AnnotationCreated: ocispec.AnnotationCreated,
		AnnotationAuthors: ocispec.AnnotationAuthors, ImageLayoutFile: ocispec.ImageLayoutFile,
		ImageLayoutVersion: ocispec.ImageLayoutVersion, ImageIndexFile: ocispec.ImageIndexFile,
	} {
		if ours != theirs {
			t.Errorf("constant %q, image-spec has %q", ours, theirs)
		}
	}
}

func TestDigest(t *testing.T) {
	for _, s := range []string{"hello", ""} {
		if got, want := FromString(s).String(), digest.FromString(s).String(); got != want {
			t.Errorf("FromString(%q) = %s, go-digest says %s", s, got, want)
		}
	}
	d := FromString("x")
	if d.Algorithm() != "sha256" || len(d.Encoded()) != 64 || d.Validate() != nil {
		t.Errorf("digest parts: %s %s %v", d.Algorithm(), d.Encoded(), d.Validate())
	}
	h := d.Hash()
	h.Write([]byte("x"))
	if d.Sum(h) != d {
		t.Error("Sum")
	}
	for _, bad := range []string{"", "sha256", "sha256:abc", "md5:" + strings.Repeat("0", 32),
		"sha256:" + strings.Repeat("A", 64), "sha256:../../../../etc/passwd" + strings.Repeat("0", 36)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) must fail", bad)
		}
		// go-digest agrees that it is invalid.
		if digest.Digest(bad).Validate() == nil {
			t.Errorf("go-digest accepts %q", bad)
		}
	}
}
