package build

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// TarDir writes the tree under dir as an uncompressed layer tar, names
// relative to dir, in lexical order, with owners, modes, times, device
// numbers, hardlinks and security.capability. A file named .wh.NAME or
// .wh..wh..opq goes in as it is: that is how a test writes whiteouts.
func TarDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	links := map[uint64]string{}
	var walk func(rel string) error
	walk = func(rel string) error {
		full := filepath.Join(dir, rel)
		st, err := os.Lstat(full)
		if err != nil {
			return err
		}
		if rel != "." {
			if err := addEntry(tw, full, rel, st, links); err != nil {
				return fmt.Errorf("%s: %w", full, err)
			}
		}
		if !st.IsDir() {
			return nil
		}
		ents, err := os.ReadDir(full)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			if err := walk(filepath.Join(rel, n)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("."); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func addEntry(tw *tar.Writer, full, rel string, st fs.FileInfo, links map[uint64]string) error {
	target := ""
	if st.Mode()&fs.ModeSymlink != 0 {
		var err error
		if target, err = os.Readlink(full); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(st, target)
	if err != nil {
		return err
	}
	hdr.Name = filepath.ToSlash(rel)
	if st.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	hdr.Format = tar.FormatPAX
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	sys := st.Sys().(*syscall.Stat_t)
	if st.Mode().IsRegular() && sys.Nlink > 1 {
		if first, ok := links[sys.Ino]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			links[sys.Ino] = hdr.Name
		}
	}
	if st.Mode().IsRegular() || st.IsDir() {
		val := make([]byte, 64)
		if n, err := unix.Lgetxattr(full, "security.capability", val); err == nil {
			hdr.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": string(val[:n])}
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
		f, err := os.Open(full)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(tw, f); err != nil {
			return err
		}
	}
	return nil
}

// Evil returns a hand-made layer tar that tries to escape the layer
// directory in the way kind names: dotdot, absolute, symlink, hardlink.
// target is the host path it aims at.
func Evil(kind, target string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	rel := strings.Repeat("../", 16) + strings.TrimPrefix(target, "/")
	add := func(h tar.Header, body string) {
		h.ModTime = time.Unix(1700000000, 0)
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		h.Size = int64(len(body))
		tw.WriteHeader(&h)
		tw.Write([]byte(body))
	}
	switch kind {
	case "dotdot":
		add(tar.Header{Name: rel, Typeflag: tar.TypeReg}, "pwned\n")
	case "absolute":
		add(tar.Header{Name: target, Typeflag: tar.TypeReg}, "pwned\n")
	case "symlink":
		add(tar.Header{Name: "escape", Typeflag: tar.TypeSymlink, Linkname: filepath.Dir(target)}, "")
		add(tar.Header{Name: "escape/" + filepath.Base(target), Typeflag: tar.TypeReg}, "pwned\n")
	case "hardlink":
		add(tar.Header{Name: "escape", Typeflag: tar.TypeLink, Linkname: rel}, "")
	default:
		return nil, fmt.Errorf("unknown evil layer %q (dotdot, absolute, symlink, hardlink)", kind)
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
