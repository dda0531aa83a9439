package oci

import "time"

// Media types (image-spec's and Docker's schema 2, which berth accepts
// alongside).
const (
	MediaTypeImageIndex                     = "application/vnd.oci.image.index.v1+json"
	MediaTypeImageManifest                  = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeImageConfig                    = "application/vnd.oci.image.config.v1+json"
	MediaTypeImageLayer                     = "application/vnd.oci.image.layer.v1.tar"
	MediaTypeImageLayerGzip                 = "application/vnd.oci.image.layer.v1.tar+gzip"
	MediaTypeImageLayerZstd                 = "application/vnd.oci.image.layer.v1.tar+zstd"
	MediaTypeImageLayerNonDistributable     = "application/vnd.oci.image.layer.nondistributable.v1.tar"
	MediaTypeImageLayerNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
	MediaTypeImageLayerNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

	DockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	DockerConfig       = "application/vnd.docker.container.image.v1+json"
	DockerLayerGzip    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	DockerForeignGzip  = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
)

// Annotation keys and layout file names.
const (
	AnnotationRefName = "org.opencontainers.image.ref.name"
	AnnotationCreated = "org.opencontainers.image.created"
	AnnotationAuthors = "org.opencontainers.image.authors"

	ImageLayoutFile    = "oci-layout"
	ImageLayoutVersion = "1.0.0"
	ImageIndexFile     = "index.json"
)

// Descriptor is image-spec's v1.Descriptor.
type Descriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       Digest            `json:"digest"`
	Size         int64             `json:"size"`
	URLs         []string          `json:"urls,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Data         []byte            `json:"data,omitempty"`
	Platform     *Platform         `json:"platform,omitempty"`
	ArtifactType string            `json:"artifactType,omitempty"`
}

// Platform is image-spec's v1.Platform.
type Platform struct {
	Architecture string   `json:"architecture"`
	OS           string   `json:"os"`
	OSVersion    string   `json:"os.version,omitempty"`
	OSFeatures   []string `json:"os.features,omitempty"`
	Variant      string   `json:"variant,omitempty"`
}

// Index is image-spec's v1.Index.
type Index struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType,omitempty"`
	ArtifactType  string            `json:"artifactType,omitempty"`
	Manifests     []Descriptor      `json:"manifests"`
	Subject       *Descriptor       `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// Manifest is image-spec's v1.Manifest.
type Manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType,omitempty"`
	ArtifactType  string            `json:"artifactType,omitempty"`
	Config        Descriptor        `json:"config"`
	Layers        []Descriptor      `json:"layers"`
	Subject       *Descriptor       `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// ImageLayout is the oci-layout file.
type ImageLayout struct {
	Version string `json:"imageLayoutVersion"`
}

// ImageConfig is image-spec's v1.ImageConfig: how to run the image.
type ImageConfig struct {
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	ArgsEscaped  bool                `json:"ArgsEscaped,omitempty"`
}

// RootFS is image-spec's v1.RootFS: the layers' diff IDs.
type RootFS struct {
	Type    string   `json:"type"`
	DiffIDs []Digest `json:"diff_ids"`
}

// History is image-spec's v1.History.
type History struct {
	Created    *time.Time `json:"created,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"`
	Author     string     `json:"author,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	EmptyLayer bool       `json:"empty_layer,omitempty"`
}

// Image is image-spec's v1.Image, the config blob.
type Image struct {
	Created *time.Time `json:"created,omitempty"`
	Author  string     `json:"author,omitempty"`
	Platform
	Config  ImageConfig `json:"config,omitempty"`
	RootFS  RootFS      `json:"rootfs"`
	History []History   `json:"history,omitempty"`
}
