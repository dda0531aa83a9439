package initproc

import (
	"os"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
)

// EnvSyncFd names the environment variable that marks an init and carries
// the sync socket's fd number; the C stage reads it too.
const EnvSyncFd = "_BERTH_SYNCFD"

// EnvStartFd carries the listening start socket's fd number.
const EnvStartFd = "_BERTH_STARTFD"

// InitConfig is what the runtime sends the init once it exists.
type InitConfig struct {
	ID           string      `json:"id"`
	Bundle       string      `json:"bundle"`
	Rootfs       string      `json:"rootfs"`
	Spec         *specs.Spec `json:"spec"`
	NoPivot      bool        `json:"noPivot"`
	NoNewKeyring bool        `json:"noNewKeyring"`
	PreserveFDs  int         `json:"preserveFds"`
	HostPid      int         `json:"hostPid"` // the init's pid as the runtime sees it
	UserNS       bool        `json:"userNS"`
	// Cgroups lets the init mount "cgroup" entries as the host has them.
	Cgroups *rootfs.CgroupView `json:"cgroups,omitempty"`
	// Seccomp is linux.seccomp, compiled by the runtime (nil: none).
	Seccomp *seccomp.Filter `json:"seccomp,omitempty"`
}

// IsInit reports whether this process was started as a container's init.
func IsInit() bool { return os.Getenv(EnvSyncFd) != "" }

func init() {
	if IsInit() {
		// Capabilities and the final execve are per thread: keep the
		// whole init on the main thread.
		runtime.LockOSThread()
	}
}
