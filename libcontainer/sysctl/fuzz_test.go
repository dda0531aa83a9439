package sysctl

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzCheck: any key either is refused or splits into plain names that
// keep the /proc/sys path it becomes below /proc/sys.
func FuzzCheck(f *testing.F) {
	f.Add("net.ipv4.ip_forward")
	f.Add("net/ipv4/conf/eth0.100/forwarding")
	f.Add("net/../../etc/passwd")
	all := map[specs.LinuxNamespaceType]bool{specs.NetworkNamespace: true, specs.IPCNamespace: true, specs.UTSNamespace: true}
	f.Fuzz(func(t *testing.T, key string) {
		if Check(key, all) != nil {
			return
		}
		parts, err := split(key)
		if err != nil {
			t.Fatalf("Check accepted %q, split refuses it: %v", key, err)
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." || strings.ContainsAny(p, "/\x00") {
				t.Fatalf("%q: component %q", key, p)
			}
		}
	})
}
