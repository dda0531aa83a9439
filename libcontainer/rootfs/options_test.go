package rootfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions([]string{"nosuid", "noexec", "mode=755", "size=65536k", "ro", "rw", "rprivate", "rro"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Flags != unix.MS_NOSUID|unix.MS_NOEXEC {
		t.Errorf("flags %#x", o.Flags)
	}
	if o.ClearFlags&unix.MS_RDONLY == 0 {
		t.Errorf("rw after ro should clear MS_RDONLY")
	}
	if len(o.Data) != 2 || o.Data[0] != "mode=755" {
		t.Errorf("data %v", o.Data)
	}
	if len(o.Propagation) != 1 || o.Propagation[0] != unix.MS_PRIVATE|unix.MS_REC {
		t.Errorf("propagation %v", o.Propagation)
	}
	if o.AttrSet != unix.MOUNT_ATTR_RDONLY {
		t.Errorf("recursive attrs %#x", o.AttrSet)
	}
}

func TestBindRejectsUnknownOption(t *testing.T) {
	if _, err := ParseOptions([]string{"rbind", "nosiud"}, false); err == nil {
		t.Fatal("a misspelt option on a bind mount must be an error")
	}
	o, err := ParseOptions([]string{"rbind", "ro"}, true)
	if err != nil || !o.Bind || !o.Recursive || o.Flags != unix.MS_RDONLY {
		t.Fatalf("rbind,ro = %+v, %v", o, err)
	}
}
