package seccomp

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/cachedir"
	"github.com/berth-runtime/berth/libcontainer/logging"
)

// CacheEnv names the directory of the compiled-filter cache; "off" turns
// the cache off. Unset, it is DefaultCacheDir.
const CacheEnv = "BERTH_SECCOMP_CACHE"

// DefaultCacheDir is where compiled filters are kept: regenerable data,
// so under /var/cache (FHS).
const DefaultCacheDir = "/var/cache/berth/seccomp"

// maxCacheEntries bounds the cache: engines use a handful of profiles.
// Past it, the oldest entries are removed when one is added.
const maxCacheEntries = 64

// cacheMagic starts every entry; bump it when the entry layout or what
// build makes of a profile changes.
const cacheMagic = "berth-seccomp-cache-1\n"

// CacheDir is the cache directory this process uses, "" when it is off.
func CacheDir() string {
	return cachedir.FromEnv(CacheEnv, DefaultCacheDir)
}

// CompileCached is Compile with a cache of finished programs in dir ("":
// no cache). libseccomp takes about 20 ms to build a docker-sized profile
// here, in every create and every exec, and engines pass the same few
// profiles again and again; reading a cached program takes well under a
// millisecond.
//
// An entry's name is a hash of everything the program depends on: the
// profile, the libseccomp version and API level, the kernel release, the
// host's architecture, and the identity (device, inode, size, mtime) of
// this berth binary, so an upgrade of either, or another berth, never
// reads a stale program. The entry carries the hash of its own content,
// checked on every read, and must be a regular file owned by root that
// only root can write (as its directory): a torn or corrupted entry, or
// one planted by another user, could otherwise open the filter. Any
// problem with the cache falls back to compiling; only the profile's own
// errors are returned. The profile is checked (Validate) and the kernel's
// support for its flags probed on every call, cached or not.
func CompileCached(c *specs.LinuxSeccomp, dir string) (*Filter, error) {
	if c == nil {
		return nil, nil
	}
	if dir == "" {
		return Compile(c)
	}
	if err := Validate(c); err != nil {
		return nil, err
	}
	key, err := cacheKey(c)
	if err != nil {
		logging.Debug("seccomp cache: %v", err)
		return Compile(c)
	}
	if err := checkCacheDir(dir); err != nil {
		logging.Debug("seccomp cache: %v", err)
		return Compile(c)
	}
	path := filepath.Join(dir, key)
	out, err := readEntry(path)
	if err == nil {
		logging.Debug("seccomp: filter read from the cache, %s", path)
		return out, finish(c, out)
	}
	if !errors.Is(err, os.ErrNotExist) {
		logging.Debug("seccomp cache: %v", err)
	}
	if out, err = build(c); err != nil {
		return nil, err
	}
	if err := writeEntry(dir, key, out); err != nil {
		logging.Debug("seccomp cache: %v", err)
	} else {
		logging.Debug("seccomp: filter compiled and cached, %s", path)
	}
	return out, finish(c, out)
}

// checkCacheDir accepts a missing directory (writeEntry makes it) or one
// that only root can write.
func checkCacheDir(dir string) error {
	if err := cachedir.CheckDir(dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	return nil
}

func cacheKey(c *specs.LinuxSeccomp) (string, error) {
	var exe unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &exe); err != nil {
		return "", fmt.Errorf("stat /proc/self/exe: %w", err)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return "", fmt.Errorf("uname: %w", err)
	}
	profile, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	api, _ := libseccomp.GetAPI()
	arch, _ := libseccomp.GetNativeArch()
	h := sha256.New()
	fmt.Fprintf(h, "%sexe %d %d %d %d.%d\nlibseccomp %s api %d arch %s\nkernel %s %s\n",
		cacheMagic, exe.Dev, exe.Ino, exe.Size, exe.Mtim.Sec, exe.Mtim.Nsec,
		libVersion(), api, arch, unix.ByteSliceToString(uts.Release[:]), unix.ByteSliceToString(uts.Machine[:]))
	h.Write(profile)
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// An entry is cacheMagic, the SHA-256 of the rest, a notify byte and the
// program.
func encodeEntry(f *Filter) []byte {
	body := make([]byte, 0, 1+len(f.Program))
	if f.Notify {
		body = append(body, 1)
	} else {
		body = append(body, 0)
	}
	body = append(body, f.Program...)
	sum := sha256.Sum256(body)
	out := append([]byte(cacheMagic), sum[:]...)
	return append(out, body...)
}

func decodeEntry(b []byte) (*Filter, error) {
	if !bytes.HasPrefix(b, []byte(cacheMagic)) || len(b) < len(cacheMagic)+sha256.Size+1 {
		return nil, errors.New("not a cache entry")
	}
	b = b[len(cacheMagic):]
	sum, body := b[:sha256.Size], b[sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("content does not match its hash")
	}
	if body[0] > 1 {
		return nil, errors.New("bad notify byte")
	}
	prog, err := decode(body[1:])
	if err != nil {
		return nil, err
	}
	return &Filter{Program: encode(prog), Notify: body[0] == 1}, nil
}

func readEntry(path string) (*Filter, error) {
	// O_NOFOLLOW: an entry is never a symlink to somewhere else.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if err := cachedir.RootOnly(&st, path); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(len(cacheMagic)+sha256.Size+1+bpfMaxInsns*insnSize+1)))
	if err != nil {
		return nil, err
	}
	out, err := decodeEntry(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// writeEntry adds an entry atomically (temporary file, rename), so a
// reader sees a whole entry or none.
func writeEntry(dir, key string, f *Filter) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := checkCacheDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(encodeEntry(f)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, key)); err != nil {
		return err
	}
	trimCache(dir)
	return nil
}

// trimCache removes the oldest entries past maxCacheEntries.
func trimCache(dir string) {
	if cachedir.Trim(dir, maxCacheEntries, "") {
		logging.Debug("seccomp cache: trimmed %s to %d entries", dir, maxCacheEntries)
	}
}
