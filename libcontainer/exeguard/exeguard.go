package exeguard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// Kind says how the binary is protected.
type Kind string

const (
	ReadonlyMount Kind = "read-only detached mount"
	SealedMemfd   Kind = "sealed memfd"
)

// guarded is one protected executable, opened once per process on first
// use: berth's binary (Path) or the standalone stage (StagePath).
type guarded struct {
	open   func() (int, Kind, error)
	mu     sync.Mutex
	opened bool
	fd     int
	kind   Kind
	first  error
}

var self = guarded{open: open}

// Path returns a path that executes this binary through its protected
// handle, for a child started by os/exec with `inherited` fds (stdio plus
// ExtraFiles). The path names a close-on-exec fd of this process: the
// kernel resolves it during execve, before close-on-exec fds are closed.
//
// os/exec's child dup2s the inherited fds onto 0..inherited-1 and, to do
// so, may first move some of them to fds up to 2*inherited; the handle is
// therefore kept above that range, or the child would execute whatever was
// moved over it.
func Path(inherited int) (string, error) { return self.path(inherited) }

// Mode reports how the binary is protected ("" before the first Path).
func Mode() Kind { return self.mode() }

func (g *guarded) path(inherited int) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		g.fd, g.kind, g.first = g.open()
		g.opened = true
	}
	if g.first != nil {
		return "", g.first
	}
	if low := 2*inherited + 3; g.fd < low {
		nfd, err := unix.FcntlInt(uintptr(g.fd), unix.F_DUPFD_CLOEXEC, low)
		if err != nil {
			return "", fmt.Errorf("move the guarded executable's handle above fd %d: %w", low, err)
		}
		unix.Close(g.fd)
		g.fd = nfd
	}
	return "/proc/self/fd/" + strconv.Itoa(g.fd), nil
}

func (g *guarded) mode() Kind {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.kind
}

func open() (int, Kind, error) {
	fd, errMount := openReadonlyMount("/proc/self/exe")
	if errMount == nil {
		return fd, ReadonlyMount, nil
	}
	fd, errMemfd := openSealedMemfd("/proc/self/exe")
	if errMemfd == nil {
		return fd, SealedMemfd, nil
	}
	return -1, "", fmt.Errorf("protect the berth binary from the container: read-only mount: %v; sealed memfd: %w", errMount, errMemfd)
}

// openReadonlyMount clones the mount of the running executable into a
// detached mount of that file alone and makes it read-only. The clone is
// owned by this process's user namespace (the host's), so nothing in the
// container can change its flags; once the last handle on it is closed it
// is dissolved, while the init still executing from it keeps it alive and
// read-only.
func openReadonlyMount(exe string) (int, error) {
	return cloneReadonly(unix.AT_FDCWD, exe, 0, exe)
}

// cloneReadonly is openReadonlyMount for the file at dirfd/path (flags:
// AT_EMPTY_PATH for dirfd itself); what names it in errors.
func cloneReadonly(dirfd int, path string, flags int, what string) (int, error) {
	fd, err := unix.OpenTree(dirfd, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|uint(flags))
	if err != nil {
		return -1, fmt.Errorf("open_tree(%s): %w", what, err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("mount_setattr(%s, MOUNT_ATTR_RDONLY): %w", what, err)
	}
	return fd, nil
}

// openSealedMemfd copies the binary into a memfd and seals it against any
// change: a reopen through /proc/<pid>/exe gets the memfd, never the file.
func openSealedMemfd(exe string) (int, error) {
	src, err := os.Open(exe)
	if err != nil {
		return -1, err
	}
	defer src.Close()
	return sealedMemfd(src)
}

// sealedMemfd copies src into a memfd sealed against any change and
// returns a read-only handle on it.
func sealedMemfd(src io.Reader) (int, error) {
	fd, err := unix.MemfdCreate("berth", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) {
		// Kernels before 6.3 know no MFD_EXEC; their memfds are executable.
		fd, err = unix.MemfdCreate("berth", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return -1, fmt.Errorf("memfd_create: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "berth-memfd")
	if _, err := io.Copy(mem, src); err != nil {
		mem.Close()
		return -1, fmt.Errorf("copy the binary into a memfd: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return -1, fmt.Errorf("seal the memfd: %w", err)
	}
	// execve refuses a file open for writing anywhere (ETXTBSY): keep a
	// read-only handle only. Reopening the memfd through /proc/self/fd is
	// safe here, in the runtime, before any container exists.
	nfd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(mem.Fd())), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	mem.Close()
	if err != nil {
		return -1, fmt.Errorf("reopen the memfd read-only: %w", err)
	}
	return nfd, nil
}
