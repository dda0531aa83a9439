package bundle

import (
	"fmt"
	"os"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// StopSignalAnnotation records the image's StopSignal, as the OCI
// image-spec's conversion section names it; `berth stop` reads it.
const StopSignalAnnotation = "org.opencontainers.image.stopSignal"

// Overrides are the command line's changes to the image's process.
type Overrides struct {
	// Args replace the image's Cmd (they are appended to Entrypoint).
	Args []string
	// Entrypoint, when set, replaces the image's Entrypoint and drops
	// its Cmd (docker's --entrypoint rule).
	Entrypoint    []string
	EntrypointSet bool
}

// Spec builds config.json for an image: the runtime's default spec,
// terminal off and the root writable (the overlay's upper dir takes the
// writes), with the image's process settings. root is the mounted rootfs,
// where User is resolved. annotations are the manifest's.
func Spec(img oci.Image, annotations map[string]string, root *os.File, o Overrides) (*specs.Spec, error) {
	cfg := img.Config
	s := specdefault.Default()
	s.Process.Terminal = false
	s.Root.Readonly = false

	entry, cmd := cfg.Entrypoint, cfg.Cmd
	if o.EntrypointSet {
		entry, cmd = o.Entrypoint, nil
	}
	if len(o.Args) > 0 {
		cmd = o.Args
	}
	args := append(append([]string(nil), entry...), cmd...)
	if len(args) == 0 {
		return nil, fmt.Errorf("the image has no Entrypoint or Cmd: give the command after BUNDLE")
	}
	s.Process.Args = args

	for _, kv := range cfg.Env {
		s.Process.Env = setEnv(s.Process.Env, kv)
	}
	if cfg.WorkingDir != "" {
		s.Process.Cwd = path.Clean("/" + cfg.WorkingDir)
	}
	user, home, err := resolveUser(root, cfg.User)
	if err != nil {
		return nil, err
	}
	s.Process.User = user
	if home != "" && !hasEnv(s.Process.Env, "HOME") {
		s.Process.Env = append(s.Process.Env, "HOME="+home)
	}

	s.Annotations = map[string]string{}
	for k, v := range cfg.Labels {
		s.Annotations[k] = v
	}
	for k, v := range annotations {
		s.Annotations[k] = v
	}
	if cfg.StopSignal != "" {
		s.Annotations[StopSignalAnnotation] = cfg.StopSignal
	}
	if img.Author != "" {
		s.Annotations[oci.AnnotationAuthors] = img.Author
	}
	if img.Created != nil {
		s.Annotations[oci.AnnotationCreated] = img.Created.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	if len(s.Annotations) == 0 {
		s.Annotations = nil
	}
	return s, nil
}

func envKey(kv string) string {
	k, _, _ := strings.Cut(kv, "=")
	return k
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if envKey(kv) == key {
			return true
		}
	}
	return false
}

// setEnv replaces KEY's entry in env or appends it.
func setEnv(env []string, kv string) []string {
	for i := range env {
		if envKey(env[i]) == envKey(kv) {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}
