package libcontainer

import (
	"errors"
	"os"
	"testing"

	"github.com/berth-runtime/berth/libcontainer/syncmsg"
)

// An in-place init that fails in its namespace setup writes its error and
// exits before the runtime sends the plan: the caller gets that error,
// not the broken pipe of the write.
func TestInitFailureReturnsTheInitsMessage(t *testing.T) {
	parentFd, childFd, err := syncmsg.Socketpair()
	if err != nil {
		t.Fatal(err)
	}
	sync := os.NewFile(uintptr(parentFd), "sync")
	defer sync.Close()
	child := os.NewFile(uintptr(childFd), "child")
	if err := syncmsg.Write(child, syncmsg.Error, []byte("unshare namespaces 0x6c020000: No space left on device")); err != nil {
		t.Fatal(err)
	}
	child.Close()
	werr := syncmsg.Write(sync, syncmsg.Plan, make([]byte, 1<<20))
	if werr == nil {
		t.Fatal("writing to a closed peer succeeded")
	}
	got := initFailure(sync, werr)
	if got.Error() != "unshare namespaces 0x6c020000: No space left on device" {
		t.Fatalf("got %q", got)
	}
}

func TestInitFailureWithoutMessageKeepsTheWriteError(t *testing.T) {
	parentFd, childFd, err := syncmsg.Socketpair()
	if err != nil {
		t.Fatal(err)
	}
	sync := os.NewFile(uintptr(parentFd), "sync")
	defer sync.Close()
	os.NewFile(uintptr(childFd), "child").Close()
	werr := errors.New("send the plan to init: broken pipe")
	if got := initFailure(sync, werr); got != werr {
		t.Fatalf("got %v, want the write's error", got)
	}
}
