package layer

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// procPath names f (and base inside it, when given) through /proc/self/fd,
// for the calls that have no *at form (setxattr, utimensat on a handle).
// The kernel resolves the fd link to the very inode we hold, so a path
// swapped under us cannot redirect the call.
func procPath(f *os.File, base string) string {
	p := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	if base != "" && base != "." {
		p += "/" + base
	}
	return p
}

// RemoveAllAt removes name, a single path component in the directory dirfd,
// and everything under it, without following symlinks (a symlink is
// removed, never its target). It reports whether anything was there.
func RemoveAllAt(dirfd int, name string) (bool, error) {
	err := unix.Unlinkat(dirfd, name, 0)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOENT):
		return false, nil
	case !errors.Is(err, unix.EISDIR):
		return false, fmt.Errorf("unlink %q: %w", name, err)
	}
	if err := ClearDirAt(dirfd, name); err != nil {
		return false, err
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil {
		return false, fmt.Errorf("rmdir %q: %w", name, err)
	}
	return true, nil
}

// ClearDirAt removes everything inside the directory name in dirfd (O_NOFOLLOW:
// a symlink there is an error, not a way out).
func ClearDirAt(dirfd int, name string) error {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %q: %w", name, err)
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read directory %q: %w", name, err)
	}
	for _, n := range names {
		if _, err := RemoveAllAt(fd, n); err != nil {
			return fmt.Errorf("in %q: %w", name, err)
		}
	}
	return nil
}

// at names base inside f for the path-only calls (xattrs, lchown,
// utimensat): through /proc/self/fd/N/base, which does not follow a final
// symlink with the l* calls, or, for base "", the magic link of f itself,
// which must be followed (nofollow would act on the /proc link, not the
// file).
type at struct {
	path     string
	nofollow bool
}

func atName(f *os.File, base string) at {
	if base == "" || base == "." {
		return at{path: procPath(f, ""), nofollow: false}
	}
	return at{path: procPath(f, base), nofollow: true}
}

func (a at) setxattr(name string, val []byte) error {
	if a.nofollow {
		return unix.Lsetxattr(a.path, name, val, 0)
	}
	return unix.Setxattr(a.path, name, val, 0)
}

func (a at) getxattr(name string, val []byte) (int, error) {
	if a.nofollow {
		return unix.Lgetxattr(a.path, name, val)
	}
	return unix.Getxattr(a.path, name, val)
}

func (a at) listxattr(buf []byte) (int, error) {
	if a.nofollow {
		return unix.Llistxattr(a.path, buf)
	}
	return unix.Listxattr(a.path, buf)
}

func (a at) chown(uid, gid int) error {
	if a.nofollow {
		return unix.Lchown(a.path, uid, gid)
	}
	return unix.Chown(a.path, uid, gid)
}

func (a at) utimes(ts []unix.Timespec) error {
	flags := 0
	if a.nofollow {
		flags = unix.AT_SYMLINK_NOFOLLOW
	}
	return unix.UtimesNanoAt(unix.AT_FDCWD, a.path, ts, flags)
}
