package sysctl

import (
	"errors"
	"fmt"
	"os"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/cyphar/filepath-securejoin/pathrs-lite/procfs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ipcKeys are the kernel.* sysctls that belong to the IPC namespace.
var ipcKeys = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true,
	"kernel.sem": true, "kernel.shmall": true, "kernel.shmmax": true,
	"kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// split returns a key's components. A key with a "/" is in path form
// ("net/ipv4/conf/eth0.100/forwarding": dots belong to the names), any other
// in dotted form. Every component must be a plain name, so that the path
// built from them cannot leave /proc/sys.
func split(key string) ([]string, error) {
	sep := "."
	if strings.Contains(key, "/") {
		sep = "/"
	}
	parts := strings.Split(key, sep)
	for _, c := range parts {
		if c == "" || c == "." || c == ".." || strings.ContainsAny(c, "/\x00\n") {
			return nil, fmt.Errorf("sysctl key %q is not a valid name", key)
		}
	}
	return parts, nil
}

// ProcPath is key's file relative to the root of procfs
// ("sys/net/ipv4/ip_forward"); its components are plain names.
func ProcPath(key string) (string, error) {
	parts, err := split(key)
	if err != nil {
		return "", err
	}
	return "sys/" + strings.Join(parts, "/"), nil
}

// Check says whether key may be set in a container that has the
// namespaces in ns (new or joined).
func Check(key string, ns map[specs.LinuxNamespaceType]bool) error {
	parts, err := split(key)
	if err != nil {
		return err
	}
	k := strings.Join(parts, ".")
	need := specs.LinuxNamespaceType("")
	switch {
	case strings.HasPrefix(k, "net."):
		need = specs.NetworkNamespace
	case ipcKeys[k] || strings.HasPrefix(k, "fs.mqueue."):
		need = specs.IPCNamespace
	case k == "kernel.hostname" || k == "kernel.domainname":
		need = specs.UTSNamespace
	default:
		return fmt.Errorf("sysctl %q is not namespaced: setting it would change the host", key)
	}
	if !ns[need] {
		return fmt.Errorf("sysctl %q belongs to the %s namespace, and the container has none of its own: it would change the host's", key, need)
	}
	return nil
}

// Write sets one sysctl for the calling process's namespaces.
func Write(key, value string) error {
	path, err := ProcPath(key)
	if err != nil {
		return err
	}
	proc, err := procfs.OpenProcRoot()
	if err != nil {
		return fmt.Errorf("sysctl %s: open procfs: %w", key, err)
	}
	defer proc.Close()
	// The components are plain names (split) and the lookup refuses
	// symlinks and magic links: the path cannot leave /proc/sys.
	h, err := proc.OpenRoot(path)
	if err != nil {
		return fmt.Errorf("sysctl %s: %w", key, err)
	}
	defer h.Close()
	f, err := pathrs.Reopen(h, unix.O_WRONLY)
	if err != nil {
		return fmt.Errorf("sysctl %s: open for writing: %w", key, err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("sysctl %s: statfs: %w", key, err)
	}
	if st.Type != unix.PROC_SUPER_MAGIC {
		return fmt.Errorf("sysctl %s: the file opened is not on procfs (type %#x)", key, st.Type)
	}
	if _, err := f.WriteString(value); err != nil {
		// The kernel's answer alone: the file's name is pathrs's
		// description of its handle, and the key says which file.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("sysctl %s = %q: %w", key, value, err)
	}
	return nil
}
