package bundle

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/image/oci"
)

func rootWith(t *testing.T, files map[string]string) *os.File {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var etc = map[string]string{
	"etc/passwd": "# comment\nroot:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nbad:line\n",
	"etc/group":  "root:x:0:\nwheel:x:10:user,other\nuser:x:1000:\nstaff:x:50:\n",
}

func TestResolveUser(t *testing.T) {
	root := rootWith(t, etc)
	cases := []struct {
		in   string
		want specs.User
		home string
	}{
		{"", specs.User{}, "/root"},
		{"user", specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10}}, "/home/user"},
		{"1000", specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10}}, "/home/user"},
		{"user:staff", specs.User{UID: 1000, GID: 50, AdditionalGids: []uint32{10}}, "/home/user"},
		{"user:7", specs.User{UID: 1000, GID: 7, AdditionalGids: []uint32{10}}, "/home/user"},
		{"4242", specs.User{UID: 4242}, ""},
		{"4242:4343", specs.User{UID: 4242, GID: 4343}, ""},
	}
	for _, c := range cases {
		got, home, err := resolveUser(root, c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) || home != c.home {
			t.Errorf("resolveUser(%q) = %+v %q %v; want %+v %q", c.in, got, home, err, c.want, c.home)
		}
	}
	for in, want := range map[string]string{
		"ghost":      `no such user`,
		"user:ghost": `no such group "ghost"`,
	} {
		if _, _, err := resolveUser(root, in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("resolveUser(%q): %v, want %q", in, err, want)
		}
	}
}

// An image's /etc/passwd that is a symlink out of the image, or a FIFO,
// must neither read the host's file nor hang.
func TestResolveUserHostile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.Symlink("/../../../../../../../etc/passwd", filepath.Join(dir, "etc/passwd"))
	root, _ := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	defer root.Close()
	// The host has root in /etc/passwd; resolved in the image it is
	// the same missing file, so "root" is unknown.
	if _, _, err := resolveUser(root, "root"); err == nil {
		t.Fatal("an /etc/passwd symlink must be resolved inside the image, not to the host's file")
	}
	os.Remove(filepath.Join(dir, "etc/passwd"))
	if err := unix.Mkfifo(filepath.Join(dir, "etc/passwd"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := resolveUser(root, "root"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("FIFO /etc/passwd: %v", err)
	}
}

func TestSpec(t *testing.T) {
	root := rootWith(t, etc)
	img := oci.Image{Config: oci.ImageConfig{
		Entrypoint: []string{"/entry"}, Cmd: []string{"a", "b"},
		Env: []string{"PATH=/x", "K=v"}, WorkingDir: "srv", User: "user",
		StopSignal: "SIGQUIT", Labels: map[string]string{"l": "1"},
	}}
	s, err := Spec(img, map[string]string{"org.opencontainers.image.title": "t"}, root, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Process.Args, []string{"/entry", "a", "b"}) || s.Process.Cwd != "/srv" || s.Process.Terminal || s.Root.Readonly {
		t.Errorf("process %+v root %+v", s.Process, s.Root)
	}
	if !reflect.DeepEqual(s.Process.Env, []string{"PATH=/x", "TERM=xterm", "K=v", "HOME=/home/user"}) {
		t.Errorf("env %v", s.Process.Env)
	}
	if s.Annotations[StopSignalAnnotation] != "SIGQUIT" || s.Annotations["l"] != "1" || s.Annotations["org.opencontainers.image.title"] != "t" {
		t.Errorf("annotations %v", s.Annotations)
	}
	s, _ = Spec(img, nil, root, Overrides{Args: []string{"c"}})
	if !reflect.DeepEqual(s.Process.Args, []string{"/entry", "c"}) {
		t.Errorf("args override: %v", s.Process.Args)
	}
	s, _ = Spec(img, nil, root, Overrides{EntrypointSet: true, Entrypoint: []string{"/bin/sh"}})
	if !reflect.DeepEqual(s.Process.Args, []string{"/bin/sh"}) {
		t.Errorf("entrypoint override: %v", s.Process.Args)
	}
	if _, err := Spec(oci.Image{}, nil, root, Overrides{}); err == nil {
		t.Error("no Entrypoint and no Cmd must fail")
	}
}
