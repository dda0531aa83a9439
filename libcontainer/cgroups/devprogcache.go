package cgroups

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/logging"
)

// The device-program cache keeps loaded BPF_PROG_TYPE_CGROUP_DEVICE
// programs alive between containers, so that a start with the same device
// rules as an earlier one attaches that program instead of loading its own.
//
// Why: loading runs the verifier and the JIT (0.3-0.7 ms of bpf(2) here),
// and the program is freed again once the container's cgroup is gone: in
// all about 1 ms of each `run` on this project's VMs (interleaved, 200
// runs each, with and without a device program), most of a start's cgroup
// work on a cgroup2 host. Engines start most containers with one device
// list.
//
// How: a program lives as long as something holds it. Without a mounted
// bpffs to pin it in (and mounting one would change the host's mount
// table), the holder is a cgroup: each program stays attached to an empty
// cgroup of its own, <cgroup2 mount>/berth:device-filters/<hash>, where
// <hash> is the first half of the SHA-256 of its instructions, in hex. ':' is not allowed in a
// container ID, so no default container cgroup ("/<id>") can be that
// directory. An empty cgroup runs nothing, and a device program applies
// only to the cgroup it is attached to and the cgroups below it, which
// these have none of.
//
// Trust: anyone who can create cgroups at the hierarchy's root could plant
// a program there, so a cached program is used only when the kernel's copy
// of its instructions (BPF_OBJ_GET_INFO_BY_FD, xlated) is byte for byte the
// program berth would load. Where the kernel does not show that copy
// (kernel.kptr_restrict=2), the cache is not used at all.
// BERTH_DEVICE_FILTER_CACHE=off turns it off; removing the directories
// (rmdir) empties it (README.md, "Device filter cache").
const (
	deviceCacheEnv  = "BERTH_DEVICE_FILTER_CACHE"
	deviceCacheName = "berth:device-filters"
	// maxCachedDevicePrograms bounds the cache: past it, the other entries
	// go when a new one is added.
	maxCachedDevicePrograms = 16
)

// deviceCacheDir is the cache's cgroup directory in the cgroup2 hierarchy
// mounted at mount, or "" when the cache is off.
func deviceCacheDir(mount string) string {
	if mount == "" || os.Getenv(deviceCacheEnv) == "off" {
		return ""
	}
	return filepath.Join(mount, deviceCacheName)
}

func deviceProgramKey(code []byte) string {
	sum := sha256.Sum256(code)
	return hex.EncodeToString(sum[:16])
}

// The leading fields of struct bpf_prog_info (include/uapi/linux/bpf.h).
type progInfo struct {
	progType, id                uint32
	tag                         [8]byte
	jitedProgLen, xlatedProgLen uint32
	jitedProgInsns, xlatedInsns uint64
}

type objInfoAttr struct {
	bpfFd, infoLen uint32
	info           uint64
}

// errNoDump: the kernel does not show a program's instructions to this
// process, so no cached program can be checked.
var errNoDump = errors.New("the kernel does not show BPF instructions (kernel.kptr_restrict)")

// sameProgram says whether the loaded program prog is the device program
// code (encoded instructions).
func sameProgram(prog int, code []byte) (bool, error) {
	buf := make([]byte, len(code)+8) // room to see a longer program
	info := progInfo{xlatedProgLen: uint32(len(buf)), xlatedInsns: uint64(uintptr(unsafe.Pointer(&buf[0])))}
	attr := objInfoAttr{bpfFd: uint32(prog), infoLen: uint32(unsafe.Sizeof(info)), info: uint64(uintptr(unsafe.Pointer(&info)))}
	err := bpf(unix.BPF_OBJ_GET_INFO_BY_FD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(buf)
	runtime.KeepAlive(&info)
	if err != nil {
		return false, err
	}
	if info.progType != unix.BPF_PROG_TYPE_CGROUP_DEVICE || info.xlatedProgLen != uint32(len(code)) {
		return false, nil
	}
	if info.xlatedInsns == 0 {
		return false, errNoDump
	}
	return bytes.Equal(buf[:len(code)], code), nil
}

// cachedDeviceProgram returns an fd of the cached program whose encoded
// instructions are code, or -1. usable is false when nothing should be
// cached either (the kernel hides instructions, or the cache is off).
func cachedDeviceProgram(cache string, code []byte) (prog int, usable bool) {
	if cache == "" {
		return -1, false
	}
	fd, err := unix.Open(filepath.Join(cache, deviceProgramKey(code)), unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, true
	}
	defer unix.Close(fd)
	progs, _ := attachedDevicePrograms(fd)
	prog, usable = -1, true
	for _, p := range progs {
		same, err := sameProgram(p, code)
		if errors.Is(err, errNoDump) {
			usable = false
		}
		if same && prog < 0 {
			prog = p
			continue
		}
		unix.Close(p)
	}
	if !usable {
		logging.Debug("device filter cache %s: %v; not used", cache, errNoDump)
		if prog >= 0 {
			unix.Close(prog)
		}
		return -1, false
	}
	return prog, true
}

// cacheDeviceProgram attaches prog, loaded from code, to its cache cgroup,
// and trims the cache. A failure only means that the next start loads the
// program again: it is logged (debug), not returned.
func cacheDeviceProgram(cache string, code []byte, prog int) {
	if err := cacheDeviceProgramErr(cache, code, prog); err != nil {
		logging.Debug("device filter cache: %v", err)
	}
}

func cacheDeviceProgramErr(cache string, code []byte, prog int) error {
	if same, err := sameProgram(prog, code); err != nil || !same {
		// Never cache what a later start could not check.
		if err == nil {
			err = errors.New("the kernel's copy of the program differs from what was loaded")
		}
		return err
	}
	if err := unix.Mkdir(cache, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return &os.PathError{Op: "mkdir", Path: cache, Err: err}
	}
	key := deviceProgramKey(code)
	d := filepath.Join(cache, key)
	if err := unix.Mkdir(d, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return &os.PathError{Op: "mkdir", Path: d, Err: err}
	}
	fd, err := unix.Open(d, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: d, Err: err}
	}
	defer unix.Close(fd)
	// No flags: the one program of this cgroup (a second berth racing to
	// cache the same program replaces it with its identical copy).
	attach := progAttachAttr{targetFd: uint32(fd), attachBpfFd: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE}
	if err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attach), unsafe.Sizeof(attach)); err != nil {
		unix.Rmdir(d)
		return &os.PathError{Op: "attach the device program to", Path: d, Err: err}
	}
	trimDeviceCache(cache, key)
	return nil
}

// trimDeviceCache removes every entry but keep once there are more than
// maxCachedDevicePrograms: removing an empty cgroup detaches its program,
// which is freed once no container's cgroup holds it either.
func trimDeviceCache(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != keep {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) < maxCachedDevicePrograms {
		return
	}
	for _, n := range dirs {
		unix.Rmdir(filepath.Join(cache, n))
	}
}
