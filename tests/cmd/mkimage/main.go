// Command mkimage writes a container image for berth's tests, demo and
// benchmark, from host directories, without a registry or network:
//
//	mkimage [-format oci|oci-archive|docker-archive] [-tag T]
//	        [-config JSON] [-also OS/ARCH]... [-annotation K=V]...
//	        -layer DIR[:gzip|zstd|none]... [-evil KIND:TARGET[:COMP]]... OUT
//
// Each -layer is a directory tarred as one layer, in order, bottom first;
// files named .wh.NAME and .wh..wh..opq in it are whiteouts. -evil adds a
// crafted layer that tries to escape to TARGET (dotdot, absolute, symlink,
// hardlink). -config is the image config's "config" object (Entrypoint,
// Cmd, Env, User, WorkingDir, Labels, StopSignal). -also adds a platform:
// the image becomes an index. It prints the image digest (for a docker
// archive, the config digest).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/berth-runtime/berth/libcontainer/image/build"
	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run() error {
	var layers, evil, also, annotations list
	format := flag.String("format", "oci", "oci, oci-archive or docker-archive")
	tag := flag.String("tag", "", "tag (ref.name, or a RepoTag for docker-archive)")
	config := flag.String("config", "{}", "image config's config object, JSON")
	flag.Var(&layers, "layer", "DIR[:COMPRESSION], repeatable, bottom first")
	flag.Var(&evil, "evil", "KIND:TARGET[:COMPRESSION], a crafted escaping layer")
	flag.Var(&also, "also", "another OS/ARCH for an index")
	flag.Var(&annotations, "annotation", "K=V manifest annotation")
	flag.Parse()
	if flag.NArg() != 1 {
		return fmt.Errorf("want one OUT argument")
	}
	spec := build.Spec{Tag: *tag}
	if err := json.Unmarshal([]byte(*config), &spec.Config); err != nil {
		return fmt.Errorf("-config: %w", err)
	}
	for _, l := range layers {
		dir, comp, _ := strings.Cut(l, ":")
		data, err := build.TarDir(dir)
		if err != nil {
			return fmt.Errorf("layer %s: %w", dir, err)
		}
		spec.Layers = append(spec.Layers, build.Layer{Tar: data, Compression: comp})
	}
	for _, e := range evil {
		parts := strings.SplitN(e, ":", 3)
		if len(parts) < 2 {
			return fmt.Errorf("-evil %q: want KIND:TARGET[:COMPRESSION]", e)
		}
		data, err := build.Evil(parts[0], parts[1])
		if err != nil {
			return err
		}
		l := build.Layer{Tar: data}
		if len(parts) == 3 {
			l.Compression = parts[2]
		}
		spec.Layers = append(spec.Layers, l)
	}
	for _, p := range also {
		os, arch, ok := strings.Cut(p, "/")
		if !ok {
			return fmt.Errorf("-also %q: want OS/ARCH", p)
		}
		spec.Others = append(spec.Others, oci.Platform{OS: os, Architecture: arch})
	}
	for _, a := range annotations {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("-annotation %q: want K=V", a)
		}
		if spec.Annotations == nil {
			spec.Annotations = map[string]string{}
		}
		spec.Annotations[k] = v
	}
	out := flag.Arg(0)
	var write func(string, build.Spec) (string, error)
	switch *format {
	case "oci":
		write = wrap(build.WriteLayout)
	case "oci-archive":
		write = wrap(build.WriteOCIArchive)
	case "docker-archive":
		write = wrap(build.WriteDockerArchive)
	default:
		return fmt.Errorf("-format %q: want oci, oci-archive or docker-archive", *format)
	}
	d, err := write(out, spec)
	if err != nil {
		return err
	}
	fmt.Println(d)
	return nil
}

func wrap[D fmt.Stringer](f func(string, build.Spec) (D, error)) func(string, build.Spec) (string, error) {
	return func(out string, s build.Spec) (string, error) {
		d, err := f(out, s)
		return d.String(), err
	}
}
