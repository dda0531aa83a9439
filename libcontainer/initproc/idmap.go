package initproc

import (
	"encoding/binary"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// recvIDMapTrees receives the idmapped trees the runtime sends after the
// config, one per idmap/ridmap mount entry, keyed by the entry's index.
func recvIDMapTrees(sync *os.File, s *specs.Spec) (map[int]*os.File, error) {
	want := 0
	for _, m := range s.Mounts {
		if o, err := rootfs.ParseOptions(m.Options, m.Type == "bind"); err == nil && o.IDMap {
			want++
		}
	}
	if want == 0 {
		return nil, nil
	}
	trees := make(map[int]*os.File, want)
	for len(trees) < want {
		msg, err := syncmsg.Read(sync)
		if err != nil {
			return nil, fmt.Errorf("receive idmapped mounts from the runtime: %w", err)
		}
		if msg.Type != syncmsg.MountFd || len(msg.Payload) != 4 {
			return nil, fmt.Errorf("receive idmapped mounts: unexpected message %d from the runtime", msg.Type)
		}
		idx := int(binary.NativeEndian.Uint32(msg.Payload))
		fd, err := syncmsg.RecvFd(int(sync.Fd()))
		if err != nil {
			return nil, fmt.Errorf("receive the idmapped tree of mount %d: %w", idx, err)
		}
		trees[idx] = os.NewFile(uintptr(fd), "idmapped-tree")
	}
	return trees, nil
}
