package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"strings"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// maxJSON bounds index, manifest and config blobs, which are read whole.
const maxJSON = 8 << 20

// Image is an opened image: its manifest's layers and its config.
type Image struct {
	Ref Ref
	// Digest identifies the image: the manifest's digest, or for a
	// docker-archive (which has no manifest blob) the config's digest,
	// docker's image ID.
	Digest       oci.Digest
	ConfigDigest oci.Digest
	Config       oci.Image
	// Annotations are the manifest's annotations.
	Annotations map[string]string
	Layers      []Layer

	files files
}

// Layer is one layer blob with the digest of its uncompressed tar.
type Layer struct {
	Blob   oci.Descriptor
	DiffID oci.Digest
	path   string // docker-archive: the member holding the layer
}

// Close releases the source's files.
func (img *Image) Close() error { return img.files.Close() }

// Platform is os/arch[/variant].
type Platform = oci.Platform

// ParsePlatform reads os/arch[/variant]; "" is the host's platform.
func ParsePlatform(s string) (Platform, error) {
	if s == "" {
		return Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Platform{}, fmt.Errorf("platform %q: want os/arch or os/arch/variant", s)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

func platformString(p *oci.Platform) string {
	if p == nil {
		return "(no platform)"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func platformMatch(want Platform, got *oci.Platform) bool {
	if got == nil || got.OS != want.OS || got.Architecture != want.Architecture {
		return false
	}
	norm := func(arch, v string) string {
		if arch == "arm64" && v == "v8" {
			return ""
		}
		return v
	}
	return want.Variant == "" || norm(want.Architecture, want.Variant) == norm(got.Architecture, got.Variant)
}

// Open opens the image ref names, for platform when the source holds an
// index of several.
func Open(ref Ref, platform Platform) (*Image, error) {
	var (
		fs  files
		err error
	)
	switch ref.Transport {
	case OCI:
		fs = dirFiles{dir: ref.Path}
	case OCIArchive, DockerArchive:
		if fs, err = openTar(ref.Path); err != nil {
			return nil, fmt.Errorf("open %s: %w", ref, err)
		}
	default:
		return nil, fmt.Errorf("unknown transport %q", ref.Transport)
	}
	img := &Image{Ref: ref, files: fs}
	if ref.Transport == DockerArchive {
		err = img.openDocker()
	} else {
		err = img.openOCI(platform)
	}
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	return img, nil
}

// readJSON reads a whole named file (not verified: index.json,
// manifest.json, which no digest covers) into v.
func readJSON(fs files, name string, v any) error {
	rc, size, err := fs.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if size > maxJSON {
		return fmt.Errorf("%s: %d bytes is too large", name, size)
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxJSON))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

func blobPath(d oci.Digest) string {
	return path.Join("blobs", d.Algorithm(), d.Encoded())
}

// readBlob reads a small blob whole, verified against desc.
func (img *Image) readBlob(desc oci.Descriptor) ([]byte, error) {
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("descriptor digest %q: %w", desc.Digest, err)
	}
	if desc.Size > maxJSON {
		return nil, fmt.Errorf("blob %s: %d bytes is too large for a %s", desc.Digest, desc.Size, desc.MediaType)
	}
	rc, _, err := img.files.open(blobPath(desc.Digest))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", desc.Digest, err)
	}
	defer rc.Close()
	v, err := newVerifier(rc, "blob "+desc.Digest.String(), desc.Digest, desc.Size)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(v)
}

// sniff tells an index from a manifest when the descriptor has no media
// type (the OCI spec lets index.json entries leave it out).
type sniff struct {
	MediaType string            `json:"mediaType"`
	Manifests []json.RawMessage `json:"manifests"`
	Config    json.RawMessage   `json:"config"`
}

func (img *Image) openOCI(platform Platform) error {
	var layout oci.ImageLayout
	if err := readJSON(img.files, oci.ImageLayoutFile, &layout); err != nil {
		if errors.Is(err, errNotFound) {
			return fmt.Errorf("not an OCI image layout (no %s)", oci.ImageLayoutFile)
		}
		return err
	}
	if layout.Version == "" {
		return fmt.Errorf("%s: no imageLayoutVersion", oci.ImageLayoutFile)
	}
	var index oci.Index
	if err := readJSON(img.files, oci.ImageIndexFile, &index); err != nil {
		return err
	}
	desc, err := img.pick(index.Manifests)
	if err != nil {
		return err
	}
	// Follow nested indexes down to one manifest.
	for depth := 0; ; depth++ {
		data, err := img.readBlob(desc)
		if err != nil {
			return err
		}
		var s sniff
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("decode %s: %w", desc.Digest, err)
		}
		mt := desc.MediaType
		if mt == "" {
			mt = s.MediaType
		}
		if mt == "" && s.Manifests != nil {
			mt = oci.MediaTypeImageIndex
		}
		switch mt {
		case oci.MediaTypeImageIndex, oci.DockerManifestList:
			if depth > 4 {
				return fmt.Errorf("index %s: indexes nested too deep", desc.Digest)
			}
			var idx oci.Index
			if err := json.Unmarshal(data, &idx); err != nil {
				return fmt.Errorf("decode index %s: %w", desc.Digest, err)
			}
			if desc, err = pickPlatform(desc.Digest, idx.Manifests, platform); err != nil {
				return err
			}
			continue
		case oci.MediaTypeImageManifest, oci.DockerManifest, "":
			return img.manifest(desc.Digest, data)
		default:
			return fmt.Errorf("%s: media type %q is not an image manifest or index", desc.Digest, mt)
		}
	}
}

// pick chooses the entry of index.json that the ref names.
func (img *Image) pick(descs []oci.Descriptor) (oci.Descriptor, error) {
	ref := img.Ref
	switch {
	case ref.Digest != "":
		for _, d := range descs {
			if d.Digest == ref.Digest {
				return d, nil
			}
		}
		// Any manifest blob of the layout may be named by digest.
		rc, size, err := img.files.open(blobPath(ref.Digest))
		if err != nil {
			return oci.Descriptor{}, fmt.Errorf("no manifest %s in the layout", ref.Digest)
		}
		rc.Close()
		return oci.Descriptor{Digest: ref.Digest, Size: size}, nil
	case ref.Tag != "":
		var tags []string
		for _, d := range descs {
			name := d.Annotations[oci.AnnotationRefName]
			if name == ref.Tag {
				return d, nil
			}
			if name != "" {
				tags = append(tags, name)
			}
		}
		return oci.Descriptor{}, fmt.Errorf("no image tagged %q in the layout (tags: %s)", ref.Tag, listOrNone(tags))
	}
	if len(descs) == 1 {
		return descs[0], nil
	}
	var tags []string
	for _, d := range descs {
		tags = append(tags, d.Annotations[oci.AnnotationRefName])
	}
	if len(descs) == 0 {
		return oci.Descriptor{}, fmt.Errorf("the layout's index.json lists no image")
	}
	return oci.Descriptor{}, fmt.Errorf("the layout holds %d images: name one with :TAG or @DIGEST (tags: %s)", len(descs), listOrNone(tags))
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func pickPlatform(index oci.Digest, descs []oci.Descriptor, want Platform) (oci.Descriptor, error) {
	var have []string
	for _, d := range descs {
		if platformMatch(want, d.Platform) {
			return d, nil
		}
		have = append(have, platformString(d.Platform))
	}
	return oci.Descriptor{}, fmt.Errorf("index %s has no image for platform %s (it has: %s); choose one with --platform",
		index, platformString(&want), listOrNone(have))
}

func (img *Image) manifest(d oci.Digest, data []byte) error {
	var m oci.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("decode manifest %s: %w", d, err)
	}
	switch m.Config.MediaType {
	case oci.MediaTypeImageConfig, oci.DockerConfig:
	default:
		return fmt.Errorf("manifest %s: config media type %q: not a container image", d, m.Config.MediaType)
	}
	cfg, err := img.readBlob(m.Config)
	if err != nil {
		return err
	}
	if err := img.config(m.Config.Digest, cfg); err != nil {
		return err
	}
	if len(m.Layers) != len(img.Config.RootFS.DiffIDs) {
		return fmt.Errorf("manifest %s has %d layers but its config %d diff IDs", d, len(m.Layers), len(img.Config.RootFS.DiffIDs))
	}
	for i, l := range m.Layers {
		if _, err := compressionOf(l.MediaType); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i+1, l.Digest, err)
		}
		if err := l.Digest.Validate(); err != nil {
			return fmt.Errorf("layer %d: digest %q: %w", i+1, l.Digest, err)
		}
		img.Layers = append(img.Layers, Layer{Blob: l, DiffID: img.Config.RootFS.DiffIDs[i]})
	}
	img.Digest, img.Annotations = d, m.Annotations
	return nil
}

func (img *Image) config(d oci.Digest, data []byte) error {
	if err := json.Unmarshal(data, &img.Config); err != nil {
		return fmt.Errorf("decode config %s: %w", d, err)
	}
	for _, id := range img.Config.RootFS.DiffIDs {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("config %s: diff ID %q: %w", d, id, err)
		}
	}
	img.ConfigDigest = d
	return nil
}

// dockerManifest is one entry of a docker-save manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

func (img *Image) openDocker() error {
	var ms []dockerManifest
	if err := readJSON(img.files, "manifest.json", &ms); err != nil {
		if errors.Is(err, errNotFound) {
			return fmt.Errorf("not a docker-save archive (no manifest.json)")
		}
		return err
	}
	var m *dockerManifest
	var tags []string
	for i := range ms {
		tags = append(tags, ms[i].RepoTags...)
	}
	switch ref := img.Ref; {
	case ref.Index >= 0:
		if ref.Index >= len(ms) {
			return fmt.Errorf("image @%d: the archive holds %d images", ref.Index, len(ms))
		}
		m = &ms[ref.Index]
	case ref.Tag != "":
		for i := range ms {
			for _, t := range ms[i].RepoTags {
				if t == ref.Tag || t == "docker.io/library/"+ref.Tag || t == "docker.io/"+ref.Tag {
					m = &ms[i]
				}
			}
		}
		if m == nil {
			return fmt.Errorf("no image tagged %q in the archive (tags: %s)", ref.Tag, listOrNone(tags))
		}
	case len(ms) == 1:
		m = &ms[0]
	case len(ms) == 0:
		return fmt.Errorf("manifest.json lists no image")
	default:
		return fmt.Errorf("the archive holds %d images: name one with :REPO:TAG or :@N (tags: %s)", len(ms), listOrNone(tags))
	}

	// The config's name is its digest in both layouts docker writes
	// (<hex>.json and blobs/sha256/<hex>); verify it when it is one.
	rc, size, err := img.files.open(m.Config)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer rc.Close()
	if size > maxJSON {
		return fmt.Errorf("config %s: %d bytes is too large", m.Config, size)
	}
	want := digestFromName(m.Config)
	v, err := newVerifier(rc, "config "+m.Config, want, size)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(v)
	if err != nil {
		return err
	}
	d := want
	if d == "" {
		d = oci.FromBytes(data)
	}
	if err := img.config(d, data); err != nil {
		return err
	}
	if len(m.Layers) != len(img.Config.RootFS.DiffIDs) {
		return fmt.Errorf("manifest.json lists %d layers but the config %d diff IDs", len(m.Layers), len(img.Config.RootFS.DiffIDs))
	}
	for i, p := range m.Layers {
		rc, size, err := img.files.open(p)
		if err != nil {
			return fmt.Errorf("layer %d: %w", i+1, err)
		}
		rc.Close()
		img.Layers = append(img.Layers, Layer{
			// docker save writes uncompressed tars, but other tools
			// compress: the stream is sniffed when it is opened.
			Blob:   oci.Descriptor{Digest: digestFromName(p), Size: size},
			DiffID: img.Config.RootFS.DiffIDs[i],
			path:   p,
		})
	}
	img.Digest = d
	return nil
}

// digestFromName reads sha256:HEX out of "HEX.json", "HEX.tar",
// "blobs/sha256/HEX" or "HEX/layer.tar"; "" when the name holds none.
func digestFromName(name string) oci.Digest {
	base := path.Base(name)
	if base == "layer.tar" {
		return "" // the directory is a v1 layer ID, not a content digest
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".tar")
	d := oci.NewDigestFromEncoded(oci.SHA256, base)
	if d.Validate() != nil {
		return ""
	}
	return d
}
