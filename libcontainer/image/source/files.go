package source

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// files reads named files of a layout directory or an archive.
type files interface {
	// open returns the file's content and its size.
	open(name string) (io.ReadCloser, int64, error)
	Close() error
}

var errNotFound = errors.New("not found")

// dirFiles is an OCI layout directory. Names are built from validated
// digests or fixed names (index.json), never from content, so they cannot
// climb out of the directory.
type dirFiles struct{ dir string }

func (d dirFiles) open(name string) (io.ReadCloser, int64, error) {
	f, err := os.Open(filepath.Join(d.dir, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("%s: %w", name, errNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", name)
	}
	return f, st.Size(), nil
}

func (dirFiles) Close() error { return nil }

// tarFiles is an uncompressed tar archive, indexed once: each member is
// then an io.SectionReader of the archive file, so layers can be read in
// parallel without extracting the archive first.
type tarFiles struct {
	f       *os.File
	members map[string]member
}

type member struct {
	off, size int64
	link      string // symlink target, already joined to the member's dir
}

func openTar(name string) (*tarFiles, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	t := &tarFiles{f: f, members: map[string]member{}}
	// archive/tar reads headers with exact-size reads from f and seeks
	// over member data, so after Next the file offset is where the
	// member's data starts.
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: reading the archive: %w", name, err)
		}
		n := cleanMember(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				f.Close()
				return nil, err
			}
			t.members[n] = member{off: off, size: hdr.Size}
		case tar.TypeSymlink:
			t.members[n] = member{link: cleanMember(path.Join(path.Dir(n), hdr.Linkname))}
		case tar.TypeLink:
			t.members[n] = member{link: cleanMember(hdr.Linkname)}
		}
	}
	return t, nil
}

func cleanMember(n string) string {
	return strings.TrimPrefix(path.Clean("/"+n), "/")
}

func (t *tarFiles) open(name string) (io.ReadCloser, int64, error) {
	name = cleanMember(name)
	// Follow a few symlinks (docker save writes <id>/layer.tar as a link
	// to blobs/sha256/...); the lookup is in the index, never on disk.
	for range 8 {
		m, ok := t.members[name]
		if !ok {
			return nil, 0, fmt.Errorf("%s: %w in the archive", name, errNotFound)
		}
		if m.link == "" {
			return io.NopCloser(io.NewSectionReader(t.f, m.off, m.size)), m.size, nil
		}
		name = m.link
	}
	return nil, 0, fmt.Errorf("%s: too many levels of symlinks in the archive", name)
}

func (t *tarFiles) Close() error { return t.f.Close() }
