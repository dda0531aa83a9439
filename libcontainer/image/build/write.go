package build

import (
	"archive/tar"
	"bytes"
	_ "crypto/sha256" // registers sha256 for go-digest
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// Layer is an uncompressed layer tar and how to store it.
type Layer struct {
	Tar         []byte
	Compression string // "gzip" (default), "zstd" or "none"
}

// Spec describes an image to write.
type Spec struct {
	Layers []Layer
	Config oci.ImageConfig
	// Platform defaults to linux and the host's architecture.
	Platform oci.Platform
	// Others are extra platforms: each gets the same layers plus one
	// that writes /etc/platform, and the image becomes an index.
	Others      []oci.Platform
	Tag         string
	Annotations map[string]string
}

// blob is a content-addressed file of the image.
type blob struct {
	desc oci.Descriptor
	data []byte
}

func newBlob(mediaType string, data []byte) blob {
	return blob{desc: oci.Descriptor{MediaType: mediaType, Digest: oci.FromBytes(data), Size: int64(len(data))}, data: data}
}

func jsonBlob(mediaType string, v any) blob {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types
	}
	return newBlob(mediaType, data)
}

func compress(l Layer) (blob, error) {
	var buf bytes.Buffer
	switch l.Compression {
	case "", "gzip":
		w := gzip.NewWriter(&buf)
		w.Write(l.Tar)
		if err := w.Close(); err != nil {
			return blob{}, err
		}
		return newBlob(oci.MediaTypeImageLayerGzip, buf.Bytes()), nil
	case "zstd":
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			return blob{}, err
		}
		w.Write(l.Tar)
		if err := w.Close(); err != nil {
			return blob{}, err
		}
		return newBlob(oci.MediaTypeImageLayerZstd, buf.Bytes()), nil
	case "none":
		return newBlob(oci.MediaTypeImageLayer, l.Tar), nil
	}
	return blob{}, fmt.Errorf("unknown compression %q (gzip, zstd, none)", l.Compression)
}

// image is one platform's manifest with everything it references.
type image struct {
	manifest blob
	config   blob
	layers   []blob
}

var created = time.Unix(1700000000, 0).UTC()

func makeImage(s Spec, p oci.Platform, extra []Layer) (image, error) {
	var im image
	cfg := oci.Image{
		Created:  &created,
		Platform: p,
		Config:   s.Config,
		RootFS:   oci.RootFS{Type: "layers"},
	}
	var layerDescs []oci.Descriptor
	for _, l := range append(append([]Layer(nil), s.Layers...), extra...) {
		b, err := compress(l)
		if err != nil {
			return im, err
		}
		im.layers = append(im.layers, b)
		layerDescs = append(layerDescs, b.desc)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, oci.FromBytes(l.Tar))
	}
	im.config = jsonBlob(oci.MediaTypeImageConfig, cfg)
	im.manifest = jsonBlob(oci.MediaTypeImageManifest, oci.Manifest{
		SchemaVersion: 2,
		MediaType:     oci.MediaTypeImageManifest,
		Config:        im.config.desc,
		Layers:        layerDescs,
		Annotations:   s.Annotations,
	})
	im.manifest.desc.Platform = &p
	return im, nil
}

func platformLayer(p oci.Platform) Layer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := p.OS + "/" + p.Architecture + "\n"
	tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: created})
	tw.WriteHeader(&tar.Header{Name: "etc/platform", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: created})
	tw.Write([]byte(body))
	tw.Close()
	return Layer{Tar: buf.Bytes(), Compression: "none"}
}

// files are the image's files, name -> content, and its top digest.
func (s Spec) files() (map[string][]byte, oci.Digest, error) {
	p := s.Platform
	if p.OS == "" {
		p = oci.Platform{OS: "linux", Architecture: runtime.GOARCH}
	}
	out := map[string][]byte{}
	add := func(b blob) {
		out[path.Join("blobs", b.desc.Digest.Algorithm(), b.desc.Digest.Encoded())] = b.data
	}
	var extra []Layer
	if len(s.Others) > 0 {
		extra = []Layer{platformLayer(p)}
	}
	main, err := makeImage(s, p, extra)
	if err != nil {
		return nil, "", err
	}
	images := []image{main}
	for _, o := range s.Others {
		im, err := makeImage(s, o, []Layer{platformLayer(o)})
		if err != nil {
			return nil, "", err
		}
		images = append(images, im)
	}
	for _, im := range images {
		add(im.manifest)
		add(im.config)
		for _, l := range im.layers {
			add(l)
		}
	}
	top := main.manifest
	if len(s.Others) > 0 {
		idx := oci.Index{SchemaVersion: 2, MediaType: oci.MediaTypeImageIndex}
		// The host's platform last, so that picking the first entry
		// would be wrong: the test checks that berth matches.
		for _, im := range images[1:] {
			idx.Manifests = append(idx.Manifests, im.manifest.desc)
		}
		idx.Manifests = append(idx.Manifests, images[0].manifest.desc)
		top = jsonBlob(oci.MediaTypeImageIndex, idx)
		add(top)
	}
	desc := top.desc
	desc.Platform = nil
	if s.Tag != "" {
		desc.Annotations = map[string]string{oci.AnnotationRefName: s.Tag}
	}
	index := oci.Index{SchemaVersion: 2, MediaType: oci.MediaTypeImageIndex, Manifests: []oci.Descriptor{desc}}
	out[oci.ImageIndexFile], _ = json.Marshal(index)
	out[oci.ImageLayoutFile], _ = json.Marshal(oci.ImageLayout{Version: oci.ImageLayoutVersion})
	return out, top.desc.Digest, nil
}

// WriteLayout writes s as an OCI image layout in dir (created, or added to
// when it already holds a layout: index.json then lists both images).
// It returns the digest index.json points at.
func WriteLayout(dir string, s Spec) (oci.Digest, error) {
	files, d, err := s.files()
	if err != nil {
		return "", err
	}
	var old oci.Index
	if data, err := os.ReadFile(filepath.Join(dir, oci.ImageIndexFile)); err == nil {
		if err := json.Unmarshal(data, &old); err != nil {
			return "", fmt.Errorf("%s: existing index.json: %w", dir, err)
		}
		var idx oci.Index
		json.Unmarshal(files[oci.ImageIndexFile], &idx)
		idx.Manifests = append(old.Manifests, idx.Manifests...)
		files[oci.ImageIndexFile], _ = json.Marshal(idx)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	return d, nil
}

// WriteOCIArchive writes s as a tar of an OCI image layout.
func WriteOCIArchive(file string, s Spec) (oci.Digest, error) {
	files, d, err := s.files()
	if err != nil {
		return "", err
	}
	return d, writeTar(file, files)
}

// WriteDockerArchive writes s as `docker save` does: manifest.json, the
// config as HEX.json and each layer, uncompressed unless the layer says
// otherwise, as HEX/layer.tar. It returns the config digest (docker's
// image ID). Docker archives have no index: s.Others must be empty.
func WriteDockerArchive(file string, s Spec) (oci.Digest, error) {
	if len(s.Others) > 0 {
		return "", fmt.Errorf("a docker archive holds one platform")
	}
	p := s.Platform
	if p.OS == "" {
		p = oci.Platform{OS: "linux", Architecture: runtime.GOARCH}
	}
	for i := range s.Layers {
		if s.Layers[i].Compression == "" {
			s.Layers[i].Compression = "none"
		}
	}
	im, err := makeImage(s, p, nil)
	if err != nil {
		return "", err
	}
	files := map[string][]byte{}
	cfgName := im.config.desc.Digest.Encoded() + ".json"
	files[cfgName] = im.config.data
	var layers []string
	for _, l := range im.layers {
		// The directory is a v1 layer ID in real archives; any name works.
		name := l.desc.Digest.Encoded() + "/layer.tar"
		files[name] = l.data
		layers = append(layers, name)
	}
	var tags []string
	if s.Tag != "" {
		tags = []string{s.Tag}
	}
	files["manifest.json"], _ = json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": tags, "Layers": layers}})
	return im.config.desc.Digest, writeTar(file, files)
}

func writeTar(file string, files map[string][]byte) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	dirs := map[string]bool{}
	for _, n := range names {
		for d := path.Dir(n); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var dl []string
	for d := range dirs {
		dl = append(dl, d)
	}
	sort.Strings(dl)
	for _, d := range dl {
		tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: created})
	}
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n])), ModTime: created}); err != nil {
			f.Close()
			return err
		}
		if _, err := tw.Write(files[n]); err != nil {
			f.Close()
			return err
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
