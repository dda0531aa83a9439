package source

import (
	"fmt"
	"os"
	"strings"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

// Transports, as skopeo names them.
const (
	OCI           = "oci"
	OCIArchive    = "oci-archive"
	DockerArchive = "docker-archive"
)

// Ref is a parsed source name.
type Ref struct {
	Transport string
	Path      string     // layout directory or archive file
	Tag       string     // oci: ref.name annotation; docker-archive: a RepoTag
	Digest    oci.Digest // oci: a manifest or index digest
	Index     int        // docker-archive "@N": the Nth image; -1 when unset
}

func (r Ref) String() string {
	s := r.Transport + ":" + r.Path
	switch {
	case r.Digest != "":
		s += "@" + r.Digest.String()
	case r.Tag != "":
		s += ":" + r.Tag
	case r.Index >= 0:
		s += ":@" + fmt.Sprint(r.Index)
	}
	return s
}

// Parse reads a source name. Without a transport prefix the name is an OCI
// layout directory, with an optional :TAG when the whole name is not itself
// an existing directory.
func Parse(name string) (Ref, error) {
	r := Ref{Index: -1}
	transport, rest, ok := strings.Cut(name, ":")
	isDir := func(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }
	switch {
	case ok && (transport == OCI || transport == OCIArchive || transport == DockerArchive):
		r.Transport = transport
	case isDir(name):
		r.Transport, r.Path = OCI, name
		return r, nil
	case ok && !isDir(transport) && isTransportName(transport):
		return r, fmt.Errorf("image source %q: unknown transport %q (use oci:, oci-archive: or docker-archive:)", name, transport)
	default:
		r.Transport, rest = OCI, name
	}
	if rest == "" {
		return r, fmt.Errorf("image source %q: no path", name)
	}
	// PATH@ALG:HEX names a digest; otherwise the first ':' ends PATH
	// (skopeo's rule: paths with ':' cannot take a tag).
	if at := strings.LastIndex(rest, "@"); at >= 0 && strings.Contains(rest[at:], ":") && r.Transport == OCI {
		d, err := oci.Parse(rest[at+1:])
		if err != nil {
			return r, fmt.Errorf("image source %q: bad digest %q: %w", name, rest[at+1:], err)
		}
		r.Path, r.Digest = rest[:at], d
	} else if p, ref, ok := strings.Cut(rest, ":"); ok {
		r.Path = p
		if r.Transport == DockerArchive && strings.HasPrefix(ref, "@") {
			if _, err := fmt.Sscanf(ref, "@%d", &r.Index); err != nil || r.Index < 0 || fmt.Sprintf("@%d", r.Index) != ref {
				return r, fmt.Errorf("image source %q: bad image index %q (want @N)", name, ref)
			}
		} else {
			r.Tag = ref
		}
		if ref == "" {
			return r, fmt.Errorf("image source %q: empty tag after ':'", name)
		}
	} else {
		r.Path = rest
	}
	if r.Path == "" {
		return r, fmt.Errorf("image source %q: no path", name)
	}
	return r, nil
}

// isTransportName: a prefix that looks like a transport (docker:,
// containers-storage:, ...) rather than the start of a path.
func isTransportName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
