package source

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/berth-runtime/berth/libcontainer/image/build"
	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	d := oci.FromString("x")
	cases := []struct {
		in   string
		want Ref
	}{
		{"oci:/img", Ref{Transport: OCI, Path: "/img", Index: -1}},
		{"oci:/img:latest", Ref{Transport: OCI, Path: "/img", Tag: "latest", Index: -1}},
		{"oci:/img@" + d.String(), Ref{Transport: OCI, Path: "/img", Digest: d, Index: -1}},
		{"oci-archive:/a.tar", Ref{Transport: OCIArchive, Path: "/a.tar", Index: -1}},
		{"oci-archive:/a.tar:v1", Ref{Transport: OCIArchive, Path: "/a.tar", Tag: "v1", Index: -1}},
		{"docker-archive:/d.tar", Ref{Transport: DockerArchive, Path: "/d.tar", Index: -1}},
		{"docker-archive:/d.tar:busybox:latest", Ref{Transport: DockerArchive, Path: "/d.tar", Tag: "busybox:latest", Index: -1}},
		{"docker-archive:/d.tar:@1", Ref{Transport: DockerArchive, Path: "/d.tar", Index: 1}},
		{dir, Ref{Transport: OCI, Path: dir, Index: -1}},
		{dir + ":v2", Ref{Transport: OCI, Path: dir, Tag: "v2", Index: -1}},
		{"rel/dir", Ref{Transport: OCI, Path: "rel/dir", Index: -1}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"docker://busybox", "containers-storage:x", "oci:", "oci:/img:", "oci:/img@sha256:zz", "docker-archive:/d.tar:@x", "oci-archive:"} {
		if r, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, r)
		}
	}
}

func layerTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	return buf.Bytes()
}

func testSpec(t *testing.T, comp string) build.Spec {
	return build.Spec{
		Layers: []build.Layer{
			{Tar: layerTar(t, map[string]string{"a": "1"}), Compression: comp},
			{Tar: layerTar(t, map[string]string{"b": "2"}), Compression: comp},
		},
		Config:      oci.ImageConfig{Cmd: []string{"sh"}},
		Tag:         "v1",
		Annotations: map[string]string{"org.opencontainers.image.title": "t"},
	}
}

// readLayers reads every layer through the verified stream and returns
// the names found in the tars.
func readLayers(t *testing.T, img *Image) ([]string, error) {
	t.Helper()
	var names []string
	for i := range img.Layers {
		s, err := img.OpenLayer(i, nil)
		if err != nil {
			return names, err
		}
		tr := tar.NewReader(s)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				s.Close()
				return names, err
			}
			names = append(names, h.Name)
		}
		err = s.Finish()
		s.Close()
		if err != nil {
			return names, err
		}
	}
	return names, nil
}

func host() Platform { p, _ := ParsePlatform(""); return p }

func TestOpenFormats(t *testing.T) {
	for _, comp := range []string{"gzip", "zstd", "none"} {
		dir := t.TempDir()
		spec := testSpec(t, comp)
		layout := filepath.Join(dir, "layout")
		want, err := build.WriteLayout(layout, spec)
		if err != nil {
			t.Fatal(err)
		}
		archive := filepath.Join(dir, "oci.tar")
		if _, err := build.WriteOCIArchive(archive, spec); err != nil {
			t.Fatal(err)
		}
		dockerTar := filepath.Join(dir, "docker.tar")
		spec.Tag = "busybox:test"
		cfgDigest, err := build.WriteDockerArchive(dockerTar, spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			src  string
			want oci.Digest
		}{
			{"oci:" + layout, want},
			{"oci:" + layout + ":v1", want},
			{"oci:" + layout + "@" + want.String(), want},
			{"oci-archive:" + archive, want},
			{"oci-archive:" + archive + ":v1", want},
			{"docker-archive:" + dockerTar, cfgDigest},
			{"docker-archive:" + dockerTar + ":busybox:test", cfgDigest},
			{"docker-archive:" + dockerTar + ":@0", cfgDigest},
		} {
			ref, err := Parse(c.src)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Open(ref, host())
			if err != nil {
				t.Fatalf("%s (%s): %v", c.src, comp, err)
			}
			if img.Digest != c.want {
				t.Errorf("%s: digest %s, want %s", c.src, img.Digest, c.want)
			}
			names, err := readLayers(t, img)
			img.Close()
			if err != nil {
				t.Fatalf("%s (%s): %v", c.src, comp, err)
			}
			if strings.Join(names, ",") != "a,b" {
				t.Errorf("%s: layers hold %v", c.src, names)
			}
			if got := img.Config.Config.Cmd; len(got) != 1 || got[0] != "sh" {
				t.Errorf("%s: config Cmd %v", c.src, got)
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	layout := filepath.Join(dir, "layout")
	if _, err := build.WriteLayout(layout, testSpec(t, "gzip")); err != nil {
		t.Fatal(err)
	}
	spec := testSpec(t, "gzip")
	spec.Tag = "v2"
	if _, err := build.WriteLayout(layout, spec); err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{
		"oci:" + layout:                   "holds 2 images",
		"oci:" + layout + ":nope":         `no image tagged "nope"`,
		"oci:" + dir:                      "not an OCI image layout",
		"oci-archive:" + dir + "/missing": "no such file",
		"oci:" + layout + "@" + oci.FromString("x").String(): "no manifest",
	} {
		ref, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ref, host()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s): %v, want an error containing %q", src, err, want)
		}
	}
}

func TestPlatform(t *testing.T) {
	other := oci.Platform{OS: "linux", Architecture: "riscv64"}
	if runtime.GOARCH == "riscv64" {
		other.Architecture = "s390x"
	}
	spec := testSpec(t, "none")
	spec.Others = []oci.Platform{other}
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := build.WriteLayout(layout, spec); err != nil {
		t.Fatal(err)
	}
	ref, _ := Parse("oci:" + layout)
	for _, p := range []Platform{host(), other} {
		img, err := Open(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		if img.Config.Architecture != p.Architecture || len(img.Layers) != 3 {
			t.Errorf("platform %s: got %s with %d layers", p.Architecture, img.Config.Architecture, len(img.Layers))
		}
		img.Close()
	}
	if _, err := Open(ref, Platform{OS: "linux", Architecture: "mips"}); err == nil || !strings.Contains(err.Error(), "no image for platform linux/mips") {
		t.Errorf("missing platform: %v", err)
	}
	if _, err := ParsePlatform("linux"); err == nil {
		t.Error("ParsePlatform(linux) must fail")
	}
}

// corrupt rewrites the first layer blob of a layout with change applied.
func corrupt(t *testing.T, layout string, img *Image, change func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(layout, blobPath(img.Layers[0].Blob.Digest))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, change(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	cases := map[string]struct {
		comp   string
		change func([]byte) []byte
		want   string
	}{
		"flipped byte": {"none", func(b []byte) []byte { b[len(b)/4] ^= 1; return b }, "digest mismatch"},
		"appended":     {"gzip", func(b []byte) []byte { return append(b, 0) }, "size mismatch"},
		"truncated":    {"zstd", func(b []byte) []byte { return b[:len(b)-1] }, ""},
		"swapped":      {"gzip", func([]byte) []byte { return []byte("not a gzip stream at all") }, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			layout := filepath.Join(t.TempDir(), "layout")
			if _, err := build.WriteLayout(layout, testSpec(t, c.comp)); err != nil {
				t.Fatal(err)
			}
			ref, _ := Parse("oci:" + layout)
			img, err := Open(ref, host())
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			corrupt(t, layout, img, c.change)
			_, err = readLayers(t, img)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
			var de *DigestError
			if c.want != "" && !errors.As(err, &de) {
				t.Errorf("want a *DigestError, got %T %v", err, err)
			}
		})
	}
}

// A blob that is intact but whose uncompressed tar is not the diff ID the
// config claims must fail too: the store is keyed by diff ID.
func TestVerifyDiffID(t *testing.T) {
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := build.WriteLayout(layout, testSpec(t, "none")); err != nil {
		t.Fatal(err)
	}
	ref, _ := Parse("oci:" + layout)
	img, err := Open(ref, host())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	img.Layers[0].DiffID = oci.FromString("something else")
	if _, err := readLayers(t, img); err == nil || !strings.Contains(err.Error(), "diff ID") {
		t.Fatalf("want a diff ID mismatch, got %v", err)
	}
}
