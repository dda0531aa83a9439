package libcontainer

import "testing"

func TestParseUser(t *testing.T) {
	good := []struct {
		in       string
		uid, gid uint32
		hasGid   bool
	}{
		{"0", 0, 0, false},
		{"1", 1, 0, false},
		{"1000:100", 1000, 100, true},
		{"4294967295:0", 4294967295, 0, true},
	}
	for _, g := range good {
		uid, gid, hasGid, err := ParseUser(g.in)
		if err != nil || uid != g.uid || gid != g.gid || hasGid != g.hasGid {
			t.Errorf("ParseUser(%q) = %d, %d, %v, %v; want %d, %d, %v", g.in, uid, gid, hasGid, err, g.uid, g.gid, g.hasGid)
		}
	}
	for _, bad := range []string{"", "root", "1a", "-1", "1:", ":1", "1:root", "4294967296", "1:2:3", " 1"} {
		if _, _, _, err := ParseUser(bad); err == nil {
			t.Errorf("ParseUser(%q) succeeded, want an error", bad)
		}
	}
}
