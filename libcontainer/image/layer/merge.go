package layer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Merge applies the extracted layer directory src (overlay form, as
// Extract writes it) onto the plain root filesystem dst, the way overlayfs
// would show it: a 0:0 character device removes the name below it, an
// opaque directory first empties its namesake, anything else replaces what
// is there. Files are copied (copy_file_range), never linked, so that
// writes in dst cannot reach the cached layer; hardlinks inside the layer
// stay hardlinks in dst.
//
// Every call is *at on directory handles with O_NOFOLLOW, and a name is
// replaced before it is written, so a symlink an earlier layer put in dst
// is replaced, never followed.
func Merge(dst, src *os.File) error {
	m := &merger{dstRoot: dst, links: map[uint64]string{}}
	sfd, err := pathrs.Reopen(src, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("open layer: %w", err)
	}
	defer sfd.Close()
	dfd, err := pathrs.Reopen(dst, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	defer dfd.Close()
	return m.dir(dfd, sfd, "")
}

type merger struct {
	dstRoot *os.File
	links   map[uint64]string // inode in the layer -> first path copied
}

func (m *merger) dir(dst, src *os.File, rel string) error {
	names, err := src.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read layer directory %q: %w", "/"+rel, err)
	}
	for _, name := range names {
		if err := m.entry(dst, src, name, path.Join(rel, name)); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) entry(dst, src *os.File, name, rel string) error {
	sfd, dfd := int(src.Fd()), int(dst.Fd())
	var st unix.Stat_t
	if err := unix.Fstatat(sfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("stat layer entry %q: %w", "/"+rel, err)
	}
	fail := func(step string, err error) error {
		return fmt.Errorf("%s %q: %w", step, "/"+rel, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		if st.Rdev == 0 { // whiteout
			if _, err := RemoveAllAt(dfd, name); err != nil {
				return fail("whiteout", err)
			}
			return nil
		}
	case unix.S_IFDIR:
		var dst2 unix.Stat_t
		err := unix.Fstatat(dfd, name, &dst2, unix.AT_SYMLINK_NOFOLLOW)
		if err == nil && dst2.Mode&unix.S_IFMT != unix.S_IFDIR {
			if _, err := RemoveAllAt(dfd, name); err != nil {
				return fail("replace", err)
			}
			err = unix.ENOENT
		}
		if errors.Is(err, unix.ENOENT) {
			err = unix.Mkdirat(dfd, name, 0o700)
		} else if err == nil && opaque(sfd, name) {
			err = ClearDirAt(dfd, name)
		}
		if err != nil {
			return fail("mkdir", err)
		}
		s, err := openDir(sfd, name)
		if err != nil {
			return fail("open layer directory", err)
		}
		defer s.Close()
		d, err := openDir(dfd, name)
		if err != nil {
			return fail("open directory", err)
		}
		defer d.Close()
		if err := m.dir(d, s, rel); err != nil {
			return err
		}
		return copyMeta(d, "", s, "", &st)
	}

	if _, err := RemoveAllAt(dfd, name); err != nil {
		return fail("replace", err)
	}
	if st.Nlink > 1 && st.Mode&unix.S_IFMT == unix.S_IFREG {
		if first, ok := m.links[st.Ino]; ok {
			return m.link(dfd, name, first, rel)
		}
		m.links[st.Ino] = rel
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return fileCopy(dfd, sfd, name, &st, rel)
	case unix.S_IFLNK:
		target, err := readlinkat(sfd, name)
		if err != nil {
			return fail("readlink", err)
		}
		if err := unix.Symlinkat(target, dfd, name); err != nil {
			return fail("symlink", err)
		}
	default:
		if err := unix.Mknodat(dfd, name, st.Mode, int(st.Rdev)); err != nil {
			return fail("mknod", err)
		}
		if err := unix.Fchmodat(dfd, name, st.Mode&0o7777, 0); err != nil {
			return fail("chmod", err)
		}
	}
	return copyMeta(dst, name, src, name, &st)
}

func (m *merger) link(dfd int, name, first, rel string) error {
	dir, base := splitName(first)
	f, err := pathrs.OpenatInRoot(m.dstRoot, dir)
	if err != nil {
		return fmt.Errorf("hardlink %q to %q: %w", "/"+rel, "/"+first, err)
	}
	defer f.Close()
	if err := unix.Linkat(int(f.Fd()), base, dfd, name, 0); err != nil {
		return fmt.Errorf("hardlink %q to %q: %w", "/"+rel, "/"+first, err)
	}
	return nil
}

func fileCopy(dfd, sfd int, name string, st *unix.Stat_t, rel string) error {
	in, err := unix.Openat(sfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open layer file %q: %w", "/"+rel, err)
	}
	src := os.NewFile(uintptr(in), name)
	defer src.Close()
	out, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create %q: %w", "/"+rel, err)
	}
	dst := os.NewFile(uintptr(out), name)
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil { // copy_file_range
		return fmt.Errorf("copy %q: %w", "/"+rel, err)
	}
	return copyMeta(dst, "", src, "", st)
}

// copyMeta gives dst[/dname] the owner, mode, xattrs (overlayfs' own left
// out) and times of src[/sname], whose stat is st.
func copyMeta(dst *os.File, dname string, src *os.File, sname string, st *unix.Stat_t) error {
	d, s := atName(dst, dname), atName(src, sname)
	if os.Geteuid() == 0 {
		if err := d.chown(int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		// Chmod follows, but d is never a symlink here, and after chown,
		// which clears setuid and setgid.
		if err := unix.Chmod(d.path, st.Mode&0o7777); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err := copyXattrs(d, s); err != nil {
		return err
	}
	if err := d.utimes([]unix.Timespec{st.Atim, st.Mtim}); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

func copyXattrs(d, s at) error {
	buf := make([]byte, 4096)
	n, err := s.listxattr(buf)
	if errors.Is(err, unix.ERANGE) {
		if n, err = s.listxattr(nil); err == nil {
			buf = make([]byte, n)
			n, err = s.listxattr(buf)
		}
	}
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list xattrs: %w", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" || strings.HasPrefix(name, overlayXattrs) {
			continue
		}
		val := make([]byte, 256)
		vn, err := s.getxattr(name, val)
		if errors.Is(err, unix.ERANGE) {
			if vn, err = s.getxattr(name, nil); err == nil {
				val = make([]byte, vn)
				vn, err = s.getxattr(name, val)
			}
		}
		if err != nil {
			return fmt.Errorf("get xattr %s: %w", name, err)
		}
		if err := d.setxattr(name, val[:vn]); err != nil {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}

func opaque(dirfd int, name string) bool {
	var v [1]byte
	n, err := unix.Lgetxattr("/proc/self/fd/"+strconv.Itoa(dirfd)+"/"+name, OpaqueXattr, v[:])
	return err == nil && n == 1 && v[0] == 'y'
}

func openDir(dirfd int, name string) (*os.File, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
