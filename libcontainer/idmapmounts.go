package libcontainer

import (
	"encoding/binary"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// sendIDMapTrees makes, on the host, the idmapped tree of every idmap or
// ridmap mount entry and hands each to the init right after its config
// (see rootfs.IDMappedTree for why the init cannot make them itself).
func sendIDMapTrees(sync *os.File, spec *specs.Spec, bundle string) error {
	for i, m := range spec.Mounts {
		o, err := rootfs.ParseOptions(m.Options, m.Type == "bind")
		if err != nil || !o.IDMap {
			continue // a bad entry is reported by the init, in order
		}
		tree, err := rootfs.IDMappedTree(bundle, m, o, spec.Linux.UIDMappings, spec.Linux.GIDMappings)
		if err != nil {
			return err
		}
		var idx [4]byte
		binary.NativeEndian.PutUint32(idx[:], uint32(i))
		err = syncmsg.Write(sync, syncmsg.MountFd, idx[:])
		if err == nil {
			err = unix.Sendmsg(int(sync.Fd()), []byte{'m'}, unix.UnixRights(int(tree.Fd())), nil, 0)
		}
		tree.Close()
		if err != nil {
			return fmt.Errorf("send the idmapped tree of mount %q to the init: %w", m.Destination, err)
		}
	}
	return nil
}
