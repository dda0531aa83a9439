package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func ptr[T any](v T) *T { return &v }

// DefaultDevices are created in every container whose /dev is not a bind of
// the user's: engines such as podman rely on the runtime for them.
var DefaultDevices = []specs.LinuxDevice{
	{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
	{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
	{Path: "/dev/full", Type: "c", Major: 1, Minor: 7, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
	{Path: "/dev/random", Type: "c", Major: 1, Minor: 8, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
	{Path: "/dev/urandom", Type: "c", Major: 1, Minor: 9, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
	{Path: "/dev/tty", Type: "c", Major: 5, Minor: 0, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
}

var devSymlinks = [][2]string{
	{"/proc/self/fd", "fd"},
	{"/proc/self/fd/0", "stdin"},
	{"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"},
	{"pts/ptmx", "ptmx"},
}

// Devices lists the device nodes to create: DefaultDevices, then the
// config's linux.devices, whose entry for a default path replaces it.
func Devices(s *specs.Spec) []specs.LinuxDevice {
	devs := append([]specs.LinuxDevice(nil), DefaultDevices...)
	if s.Linux == nil {
		return devs
	}
	for _, d := range s.Linux.Devices {
		replaced := false
		for i := range devs {
			if devs[i].Path == d.Path {
				devs[i], replaced = d, true
			}
		}
		if !replaced {
			devs = append(devs, d)
		}
	}
	return devs
}

func createDevices(root *os.File, c *Config) error {
	for _, d := range Devices(c.Spec) {
		if err := createDevice(root, d, c.UserNS); err != nil {
			return fmt.Errorf("create device %q: %w", d.Path, err)
		}
	}
	dev, err := pathrs.MkdirAllHandle(root, "/dev", 0o755)
	if err != nil {
		return fmt.Errorf("create /dev in the rootfs: %w", err)
	}
	defer dev.Close()
	for _, l := range devSymlinks {
		if err := unix.Symlinkat(l[0], int(dev.Fd()), l[1]); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("symlink /dev/%s -> %s: %w", l[1], l[0], err)
		}
	}
	return nil
}

// DeviceMode is a device's file type and permission bits, for mknod.
func DeviceMode(d specs.LinuxDevice) (uint32, error) {
	var t uint32
	switch d.Type {
	case "c", "u":
		t = unix.S_IFCHR
	case "b":
		t = unix.S_IFBLK
	case "p":
		t = unix.S_IFIFO
	default:
		return 0, fmt.Errorf("unknown device type %q", d.Type)
	}
	perm := uint32(0o666)
	if d.FileMode != nil {
		perm = uint32(d.FileMode.Perm())
	}
	return t | perm, nil
}

func createDevice(root *os.File, d specs.LinuxDevice, userNS bool) error {
	if !filepath.IsAbs(d.Path) {
		return errors.New("device path must be absolute")
	}
	mode, err := DeviceMode(d)
	if err != nil {
		return err
	}
	dir, err := pathrs.MkdirAllHandle(root, filepath.Dir(d.Path), 0o755)
	if err != nil {
		return err
	}
	defer dir.Close()
	base := filepath.Base(d.Path)
	if userNS {
		// mknod is refused in a user namespace: bind the host's node
		// over an empty file instead.
		if mode&unix.S_IFMT == unix.S_IFIFO {
			return unix.Mkfifoat(int(dir.Fd()), base, mode&0o7777)
		}
		target, err := openDest(root, d.Path, true)
		if err != nil {
			return err
		}
		defer target.Close()
		return unix.Mount(d.Path, procFd(target), "", unix.MS_BIND, "")
	}
	dev := unix.Mkdev(uint32(d.Major), uint32(d.Minor))
	err = unix.Mknodat(int(dir.Fd()), base, mode, int(dev))
	if errors.Is(err, unix.EEXIST) {
		// Replace whatever the image left there (a file, a symlink):
		// unlinkat removes the entry itself, never a symlink's target.
		if err = unix.Unlinkat(int(dir.Fd()), base, 0); err == nil {
			err = unix.Mknodat(int(dir.Fd()), base, mode, int(dev))
		}
	}
	if err != nil {
		return err
	}
	uid, gid := 0, 0
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	return unix.Fchownat(int(dir.Fd()), base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
}
