package bundle

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// readImageFile reads a small file of the image (/etc/passwd, /etc/group)
// resolved inside root with openat2(RESOLVE_IN_ROOT): an image whose
// /etc/passwd is a symlink to ../../../etc/shadow reads its own
// /etc/shadow at most, never the host's. Only a regular file is opened
// for reading, so a FIFO planted there cannot hang the unpack. A missing
// file reads as empty.
func readImageFile(root *os.File, name string) ([]byte, error) {
	h, err := pathrs.OpenatInRoot(root, name)
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the image's %s: %w", name, err)
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return nil, fmt.Errorf("stat the image's %s: %w", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("the image's %s is not a regular file", name)
	}
	f, err := pathrs.Reopen(h, unix.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("open the image's %s: %w", name, err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4<<20))
}

type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

// fields splits colon-separated lines, skipping comments and short lines.
func fields(data []byte, n int, each func([]string)) {
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) >= n {
			each(f)
		}
	}
}

func parseID(s string) (uint32, bool) {
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

func parsePasswd(data []byte) []passwdEntry {
	var out []passwdEntry
	fields(data, 7, func(f []string) {
		uid, ok1 := parseID(f[2])
		gid, ok2 := parseID(f[3])
		if ok1 && ok2 {
			out = append(out, passwdEntry{name: f[0], uid: uid, gid: gid, home: f[5]})
		}
	})
	return out
}

func parseGroup(data []byte) []groupEntry {
	var out []groupEntry
	fields(data, 4, func(f []string) {
		if gid, ok := parseID(f[2]); ok {
			var members []string
			if f[3] != "" {
				members = strings.Split(f[3], ",")
			}
			out = append(out, groupEntry{name: f[0], gid: gid, members: members})
		}
	})
	return out
}

// resolveUser turns the image's User ("", NAME, UID, NAME:GROUP,
// UID:GID, ...) into ids, as docker does: a name must exist in the
// image's /etc/passwd (or /etc/group), a number need not; the primary
// group is the passwd entry's unless one is given; supplementary groups
// are those of /etc/group that list the user. It also returns the user's
// home directory ("" when unknown).
func resolveUser(root *os.File, user string) (specs.User, string, error) {
	var u specs.User
	name, group, hasGroup := strings.Cut(user, ":")
	if name == "" {
		name = "0"
	}
	passwdData, err := readImageFile(root, "/etc/passwd")
	if err != nil {
		return u, "", err
	}
	var ent *passwdEntry
	entries := parsePasswd(passwdData)
	uid, numeric := parseID(name)
	for i := range entries {
		if numeric && entries[i].uid == uid || !numeric && entries[i].name == name {
			ent = &entries[i]
			break
		}
	}
	home := ""
	switch {
	case ent != nil:
		u.UID, u.GID, home = ent.uid, ent.gid, ent.home
	case numeric:
		u.UID, u.GID = uid, 0
	default:
		return u, "", fmt.Errorf("user %q: no such user in the image's /etc/passwd", user)
	}
	if !hasGroup && ent == nil {
		return u, home, nil
	}
	groupData, err := readImageFile(root, "/etc/group")
	if err != nil {
		return u, "", err
	}
	groups := parseGroup(groupData)
	if hasGroup {
		gid, numeric := parseID(group)
		found := numeric
		for _, g := range groups {
			if !numeric && g.name == group {
				gid, found = g.gid, true
			}
		}
		if !found {
			return u, "", fmt.Errorf("user %q: no such group %q in the image's /etc/group", user, group)
		}
		u.GID = gid
	}
	if ent != nil {
		for _, g := range groups {
			for _, m := range g.members {
				if m == ent.name && g.gid != u.GID {
					u.AdditionalGids = append(u.AdditionalGids, g.gid)
				}
			}
		}
	}
	return u, home, nil
}
