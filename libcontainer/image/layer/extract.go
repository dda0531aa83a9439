package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

const (
	whiteoutPrefix = ".wh."
	// whiteoutMeta prefixes aufs bookkeeping entries (.wh..wh.plnk, ...),
	// which carry nothing an overlay needs.
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"

	// OpaqueXattr marks an overlay directory whose lower layers are hidden.
	OpaqueXattr = "trusted.overlay.opaque"
	// overlayXattrs are overlayfs' own attributes. A layer could use them
	// to redirect lookups or fake metacopy files inside the overlay, so
	// they are never taken from a tar entry; only the opaque marker is
	// set, and only from .wh..wh..opq.
	overlayXattrs = "trusted.overlay."
	paxXattr      = "SCHILY.xattr."
)

// Stats counts what Extract wrote.
type Stats struct {
	Entries int   // tar entries applied
	Bytes   int64 // regular file content written
}

// Extract unpacks the tar stream r into the directory root (an O_PATH or
// O_DIRECTORY handle of an empty directory) in overlay form. It stops at
// the tar end-of-archive marker and does not read r further; the caller
// drains and verifies the stream.
func Extract(root *os.File, r io.Reader) (Stats, error) {
	e := &extractor{
		root:  root,
		buf:   make([]byte, 1<<20),
		root0: os.Geteuid() == 0,
	}
	defer e.dropParent()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return e.stats, fmt.Errorf("read tar entry after %d entries: %w", e.stats.Entries, err)
		}
		if err := e.entry(hdr, tr); err != nil {
			return e.stats, fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		e.stats.Entries++
	}
	return e.stats, e.dirTimes()
}

type dirTime struct {
	name         string
	atime, mtime time.Time
}

type extractor struct {
	root  *os.File
	buf   []byte
	root0 bool // euid 0: chown and device nodes are possible
	stats Stats

	// The last parent directory used. Tar streams list a directory's
	// entries together, so one cached handle saves most lookups. Entries
	// only ever remove or replace children of the current parent, never
	// one of its ancestors, so the cached path cannot go stale.
	parentName string
	parent     *os.File

	// Directory times are set last: creating entries inside a directory
	// changes its mtime.
	dirs []dirTime
}

// CleanName turns a tar entry name into a path relative to the layer root
// ("" for the root itself). A leading "/" is dropped, as tar(1) does, so an
// absolute name stays inside the layer; a ".." component is refused
// outright rather than resolved, since no well-formed layer needs one.
func CleanName(name string) (string, error) {
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("path %q climbs out of the layer with \"..\"", name)
		}
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("path %q contains a NUL byte", name)
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

func splitName(name string) (dir, base string) {
	dir, base = path.Split(name)
	return strings.TrimSuffix(dir, "/"), base
}

func (e *extractor) entry(hdr *tar.Header, tr *tar.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := CleanName(hdr.Name)
	if err != nil {
		return err
	}
	if name == "" {
		// "./": the layer root's own metadata.
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("the layer root must be a directory, not type %q", hdr.Typeflag)
		}
		return e.dirMeta(e.root, ".", name, hdr)
	}
	dir, base := splitName(name)
	if strings.HasPrefix(base, whiteoutPrefix) {
		return e.whiteout(dir, base)
	}
	parent, err := e.openParent(dir)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return e.mkdir(parent, base, name, hdr)
	case tar.TypeReg, tar.TypeRegA:
		if sparse(hdr) {
			// The tar reader would read the holes back as zeros: a few
			// bytes of archive declaring a huge sparse file would fill
			// the disk. Image tools do not write sparse entries.
			return fmt.Errorf("sparse files are not supported")
		}
		return e.regular(parent, base, hdr, tr)
	case tar.TypeSymlink:
		if err := e.clear(parent, base); err != nil {
			return err
		}
		if err := unix.Symlinkat(hdr.Linkname, int(parent.Fd()), base); err != nil {
			return fmt.Errorf("symlink to %q: %w", hdr.Linkname, err)
		}
		return e.meta(parent, base, hdr, false)
	case tar.TypeLink:
		return e.hardlink(parent, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		mode := uint32(hdr.Mode) & 0o7777
		switch hdr.Typeflag {
		case tar.TypeChar:
			mode |= unix.S_IFCHR
		case tar.TypeBlock:
			mode |= unix.S_IFBLK
		default:
			mode |= unix.S_IFIFO
		}
		if !e.root0 && hdr.Typeflag != tar.TypeFifo {
			return nil // only root can make device nodes
		}
		if err := e.clear(parent, base); err != nil {
			return err
		}
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(int(parent.Fd()), base, mode, int(dev)); err != nil {
			return fmt.Errorf("mknod: %w", err)
		}
		return e.meta(parent, base, hdr, true)
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
}

// openParent returns a handle of the directory dir inside the layer,
// creating it (0755) when the tar did not list it. The lookup is
// openat2(RESOLVE_IN_ROOT): a symlink on the way, even "/etc" or
// "../../..", resolves inside the layer, so a symlink entry followed by an
// entry written "through" it cannot reach the host.
func (e *extractor) openParent(dir string) (*os.File, error) {
	if dir == "" {
		return e.root, nil
	}
	if e.parent != nil && e.parentName == dir {
		return e.parent, nil
	}
	e.dropParent()
	f, err := pathrs.OpenatInRoot(e.root, dir)
	if errors.Is(err, unix.ENOENT) {
		f, err = pathrs.MkdirAllHandle(e.root, dir, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("open parent directory %q: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat parent directory %q: %w", dir, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		f.Close()
		return nil, fmt.Errorf("parent %q is not a directory", dir)
	}
	e.parent, e.parentName = f, dir
	return f, nil
}

func (e *extractor) dropParent() {
	if e.parent != nil {
		e.parent.Close()
		e.parent, e.parentName = nil, ""
	}
}

// clear removes whatever is at parent/base, so that a later entry replaces
// an earlier one as tar(1) does.
func (e *extractor) clear(parent *os.File, base string) error {
	if _, err := RemoveAllAt(int(parent.Fd()), base); err != nil {
		return fmt.Errorf("replace existing entry: %w", err)
	}
	return nil
}

func (e *extractor) whiteout(dir, base string) error {
	parent, err := e.openParent(dir)
	if err != nil {
		return err
	}
	switch {
	case base == whiteoutOpaque:
		// The directory hides what lower layers have in it; the entries
		// this layer puts in it stay visible.
		if err := atName(parent, "").setxattr(OpaqueXattr, []byte("y")); err != nil {
			return fmt.Errorf("mark %q opaque: %w", dir, err)
		}
		return nil
	case strings.HasPrefix(base, whiteoutMeta):
		return nil
	}
	target := strings.TrimPrefix(base, whiteoutPrefix)
	if target == "" || target == "." {
		return fmt.Errorf("whiteout %q names nothing", base)
	}
	if err := e.clear(parent, target); err != nil {
		return err
	}
	// overlayfs' whiteout: a character device 0:0, owned by root.
	if err := unix.Mknodat(int(parent.Fd()), target, unix.S_IFCHR, 0); err != nil {
		return fmt.Errorf("whiteout %q: %w", target, err)
	}
	return nil
}

func (e *extractor) mkdir(parent *os.File, base, name string, hdr *tar.Header) error {
	var st unix.Stat_t
	err := unix.Fstatat(int(parent.Fd()), base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
		if err := e.clear(parent, base); err != nil {
			return err
		}
		err = unix.ENOENT
	}
	if errors.Is(err, unix.ENOENT) {
		err = unix.Mkdirat(int(parent.Fd()), base, 0o700)
	}
	if err != nil {
		return fmt.Errorf("mkdir: %w", err)
	}
	return e.dirMeta(parent, base, name, hdr)
}

func (e *extractor) dirMeta(parent *os.File, base, name string, hdr *tar.Header) error {
	if err := e.owner(parent, base, hdr); err != nil {
		return err
	}
	// fchmodat follows a symlink, but base was just made or checked to be
	// a directory without following, inside a private directory.
	if err := unix.Fchmodat(int(parent.Fd()), base, uint32(hdr.Mode)&0o7777, 0); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := e.xattrs(atName(parent, base), hdr); err != nil {
		return err
	}
	e.dirs = append(e.dirs, dirTime{name: name, atime: atime(hdr), mtime: hdr.ModTime})
	return nil
}

func (e *extractor) regular(parent *os.File, base string, hdr *tar.Header, tr *tar.Reader) error {
	if err := e.clear(parent, base); err != nil {
		return err
	}
	fd, err := unix.Openat(int(parent.Fd()), base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	// writerOnly hides os.File's ReadFrom, whose fallback copies through a
	// 32 KiB buffer; ours is larger.
	n, err := io.CopyBuffer(writerOnly{f}, tr, e.buf)
	e.stats.Bytes += n
	if err != nil {
		return fmt.Errorf("write content: %w", err)
	}
	if e.root0 {
		if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
			return fmt.Errorf("chown %d:%d: %w", hdr.Uid, hdr.Gid, err)
		}
	}
	// After chown, which clears setuid and setgid.
	if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := e.xattrs(atName(f, ""), hdr); err != nil {
		return err
	}
	return e.times(parent, base, hdr)
}

type writerOnly struct{ io.Writer }

func sparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// hardlink links base to another entry of this layer. The target's parent
// is resolved inside the layer like any other path and linkat does not
// follow a final symlink, so the link can only ever share an inode that
// this layer itself wrote.
func (e *extractor) hardlink(parent *os.File, base string, hdr *tar.Header) error {
	target, err := CleanName(hdr.Linkname)
	if err != nil {
		return fmt.Errorf("hardlink target: %w", err)
	}
	if target == "" {
		return fmt.Errorf("hardlink to the layer root")
	}
	tdir, tbase := splitName(target)
	if err := e.clear(parent, base); err != nil {
		return err
	}
	tparent, err := pathrs.OpenatInRoot(e.root, tdir)
	if err != nil {
		return fmt.Errorf("hardlink target %q: %w", hdr.Linkname, err)
	}
	defer tparent.Close()
	if err := unix.Linkat(int(tparent.Fd()), tbase, int(parent.Fd()), base, 0); err != nil {
		return fmt.Errorf("hardlink to %q: %w", hdr.Linkname, err)
	}
	return nil
}

// meta sets owner, xattrs and times of a non-directory, non-regular entry,
// never following base if it is a symlink.
func (e *extractor) meta(parent *os.File, base string, hdr *tar.Header, chmod bool) error {
	if err := e.owner(parent, base, hdr); err != nil {
		return err
	}
	if chmod {
		// mknod's mode is cut by the umask.
		if err := unix.Fchmodat(int(parent.Fd()), base, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err := e.xattrs(atName(parent, base), hdr); err != nil {
		return err
	}
	return e.times(parent, base, hdr)
}

func (e *extractor) owner(parent *os.File, base string, hdr *tar.Header) error {
	if !e.root0 {
		return nil
	}
	flags := unix.AT_SYMLINK_NOFOLLOW
	if base == "." {
		flags = 0
	}
	if err := unix.Fchownat(int(parent.Fd()), base, hdr.Uid, hdr.Gid, flags); err != nil {
		return fmt.Errorf("chown %d:%d: %w", hdr.Uid, hdr.Gid, err)
	}
	return nil
}

// xattrs applies the entry's PAX xattr records to a.
func (e *extractor) xattrs(a at, hdr *tar.Header) error {
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, paxXattr)
		if !ok || strings.HasPrefix(name, overlayXattrs) {
			continue
		}
		if strings.HasPrefix(name, "trusted.") && !e.root0 {
			continue
		}
		if err := a.setxattr(name, []byte(v)); err != nil {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}

func (e *extractor) times(parent *os.File, base string, hdr *tar.Header) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime(hdr).UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	if err := unix.UtimesNanoAt(int(parent.Fd()), base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

func (e *extractor) dirTimes() error {
	for i := len(e.dirs) - 1; i >= 0; i-- {
		d := e.dirs[i]
		f := e.root
		if d.name != "" {
			var err error
			if f, err = pathrs.OpenatInRoot(e.root, d.name); err != nil {
				if errors.Is(err, unix.ENOENT) {
					continue // a later entry removed it
				}
				return fmt.Errorf("directory %q: %w", d.name, err)
			}
		}
		ts := []unix.Timespec{unix.NsecToTimespec(d.atime.UnixNano()), unix.NsecToTimespec(d.mtime.UnixNano())}
		err := atName(f, "").utimes(ts)
		if f != e.root {
			f.Close()
		}
		if err != nil {
			return fmt.Errorf("directory %q: set times: %w", d.name, err)
		}
	}
	return nil
}

func atime(hdr *tar.Header) time.Time {
	if hdr.AccessTime.IsZero() {
		return hdr.ModTime
	}
	return hdr.AccessTime
}
