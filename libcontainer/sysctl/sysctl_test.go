package sysctl

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCheck(t *testing.T) {
	all := map[specs.LinuxNamespaceType]bool{specs.NetworkNamespace: true, specs.IPCNamespace: true, specs.UTSNamespace: true}
	none := map[specs.LinuxNamespaceType]bool{}
	for _, tc := range []struct {
		key        string
		okAll, okN bool
	}{
		{"net.ipv4.ip_forward", true, false},
		{"net/ipv4/ip_forward", true, false},
		{"kernel.shmmax", true, false},
		{"kernel.sem", true, false},
		{"fs.mqueue.msg_max", true, false},
		{"kernel.domainname", true, false},
		{"kernel.pid_max", false, false},
		{"vm.overcommit_memory", false, false},
		{"kernel.core_pattern", false, false},
		{"fs.file-max", false, false},
		{"net..x", false, false},
		{"", false, false},
		{"net.ipv4.conf.all.forwarding\nkernel.x", false, false},
	} {
		if err := Check(tc.key, all); (err == nil) != tc.okAll {
			t.Errorf("Check(%q, all namespaces) = %v", tc.key, err)
		}
		if err := Check(tc.key, none); (err == nil) != tc.okN {
			t.Errorf("Check(%q, no namespaces) = %v", tc.key, err)
		}
	}
}

func TestSplit(t *testing.T) {
	p, err := split("net/ipv4/conf/eth0.100/forwarding")
	if err != nil || len(p) != 5 || p[3] != "eth0.100" {
		t.Errorf("split path form = %q, %v", p, err)
	}
	for _, bad := range []string{"..", "net.", ".net", "net//ipv4", "net/../../etc", "a/./b"} {
		if _, err := split(bad); err == nil {
			t.Errorf("split(%q) should fail", bad)
		}
	}
}
