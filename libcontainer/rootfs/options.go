package rootfs

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Options is a mount entry's option list parsed into what the syscalls take.
type Options struct {
	Flags       uintptr // set on mount(2)
	ClearFlags  uintptr // explicitly cleared ("rw", "suid", ...)
	Propagation []uintptr
	Bind        bool
	Recursive   bool // rbind
	Data        []string
	// Recursive attributes applied with mount_setattr(AT_RECURSIVE).
	AttrSet, AttrClr uint64
	// RecAtime is the recursive atime mode (MOUNT_ATTR_RELATIME, which is
	// 0, NOATIME or STRICTATIME) when HasRecAtime.
	RecAtime    uint64
	HasRecAtime bool
	// IDMap: an idmapped bind mount (idmap, or ridmap with IDMapRecursive)
	// with the mount entry's uidMappings/gidMappings.
	IDMap, IDMapRecursive bool
}

type flagOpt struct {
	clear bool
	flag  uintptr
}

var flagOpts = map[string]flagOpt{
	"async":         {true, unix.MS_SYNCHRONOUS},
	"atime":         {true, unix.MS_NOATIME},
	"defaults":      {false, 0},
	"dev":           {true, unix.MS_NODEV},
	"diratime":      {true, unix.MS_NODIRATIME},
	"dirsync":       {false, unix.MS_DIRSYNC},
	"exec":          {true, unix.MS_NOEXEC},
	"iversion":      {false, unix.MS_I_VERSION},
	"lazytime":      {false, unix.MS_LAZYTIME},
	"loud":          {true, unix.MS_SILENT},
	"mand":          {false, unix.MS_MANDLOCK},
	"noatime":       {false, unix.MS_NOATIME},
	"nodev":         {false, unix.MS_NODEV},
	"nodiratime":    {false, unix.MS_NODIRATIME},
	"noexec":        {false, unix.MS_NOEXEC},
	"noiversion":    {true, unix.MS_I_VERSION},
	"nolazytime":    {true, unix.MS_LAZYTIME},
	"nomand":        {true, unix.MS_MANDLOCK},
	"norelatime":    {true, unix.MS_RELATIME},
	"nostrictatime": {true, unix.MS_STRICTATIME},
	"nosuid":        {false, unix.MS_NOSUID},
	"nosymfollow":   {false, unix.MS_NOSYMFOLLOW},
	"relatime":      {false, unix.MS_RELATIME},
	"remount":       {false, unix.MS_REMOUNT},
	"ro":            {false, unix.MS_RDONLY},
	"rw":            {true, unix.MS_RDONLY},
	"silent":        {false, unix.MS_SILENT},
	"strictatime":   {false, unix.MS_STRICTATIME},
	"suid":          {true, unix.MS_NOSUID},
	"symfollow":     {true, unix.MS_NOSYMFOLLOW},
	"sync":          {false, unix.MS_SYNCHRONOUS},
}

var propagationOpts = map[string]uintptr{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

type attrOpt struct {
	clear bool
	attr  uint64
}

// The "r" variants apply to every mount below the destination too.
var recursiveOpts = map[string]attrOpt{
	"rro":          {false, unix.MOUNT_ATTR_RDONLY},
	"rrw":          {true, unix.MOUNT_ATTR_RDONLY},
	"rnosuid":      {false, unix.MOUNT_ATTR_NOSUID},
	"rsuid":        {true, unix.MOUNT_ATTR_NOSUID},
	"rnodev":       {false, unix.MOUNT_ATTR_NODEV},
	"rdev":         {true, unix.MOUNT_ATTR_NODEV},
	"rnoexec":      {false, unix.MOUNT_ATTR_NOEXEC},
	"rexec":        {true, unix.MOUNT_ATTR_NOEXEC},
	"rnodiratime":  {false, unix.MOUNT_ATTR_NODIRATIME},
	"rdiratime":    {true, unix.MOUNT_ATTR_NODIRATIME},
	"rnosymfollow": {false, unix.MOUNT_ATTR_NOSYMFOLLOW},
	"rsymfollow":   {true, unix.MOUNT_ATTR_NOSYMFOLLOW},
}

// recursiveAtime: the atime modes are one field of mount_setattr, not
// flags (MOUNT_ATTR_RELATIME is 0). "ratime" and "rnostrictatime" (stop
// using noatime / strictatime) and "rnorelatime" (stop using relatime)
// mean the kernel's other modes.
var recursiveAtime = map[string]uint64{
	"rrelatime":      unix.MOUNT_ATTR_RELATIME,
	"rnoatime":       unix.MOUNT_ATTR_NOATIME,
	"rstrictatime":   unix.MOUNT_ATTR_STRICTATIME,
	"ratime":         unix.MOUNT_ATTR_RELATIME,
	"rnostrictatime": unix.MOUNT_ATTR_RELATIME,
	"rnorelatime":    unix.MOUNT_ATTR_STRICTATIME,
}

// ParseOptions splits a mount's options. Flags that the kernel knows become
// mount flags; anything else is filesystem data ("mode=755", "newinstance")
// for a real filesystem, and an error for a bind mount, which takes none:
// silently dropping an option a user relied on (say a misspelt "nosuid")
// would be worse than refusing the config.
func ParseOptions(opts []string, isBind bool) (Options, error) {
	var o Options
	for _, opt := range opts {
		if f, ok := flagOpts[opt]; ok {
			if f.clear {
				o.Flags &^= f.flag
				o.ClearFlags |= f.flag
			} else {
				o.Flags |= f.flag
				o.ClearFlags &^= f.flag
			}
			continue
		}
		if p, ok := propagationOpts[opt]; ok {
			o.Propagation = append(o.Propagation, p)
			continue
		}
		if a, ok := recursiveAtime[opt]; ok {
			o.RecAtime, o.HasRecAtime = a, true
			continue
		}
		if a, ok := recursiveOpts[opt]; ok {
			if a.clear {
				o.AttrClr |= a.attr
			} else {
				o.AttrSet |= a.attr
			}
			continue
		}
		switch opt {
		case "bind":
			o.Bind = true
			continue
		case "rbind":
			o.Bind, o.Recursive = true, true
			continue
		case "idmap":
			o.IDMap = true
			continue
		case "ridmap":
			o.IDMap, o.IDMapRecursive = true, true
			continue
		case "tmpcopyup":
			// A MAY of the spec that berth does not implement: refusing
			// beats passing it to the filesystem, which would fail with
			// a bare EINVAL.
			return o, fmt.Errorf("mount option %q is not supported", opt)
		case "":
			continue
		}
		if strings.ContainsAny(opt, "\n") {
			return o, fmt.Errorf("bad mount option %q", opt)
		}
		o.Data = append(o.Data, opt)
	}
	// Checked after the loop: "bind" may come after the unknown option.
	if (isBind || o.Bind) && len(o.Data) > 0 {
		return o, fmt.Errorf("unknown mount option %q for a bind mount", o.Data[0])
	}
	if o.IDMap && !(isBind || o.Bind) {
		return o, fmt.Errorf("mount option idmap/ridmap needs a bind mount")
	}
	return o, nil
}

// OptionNames lists every generic option ParseOptions knows, for the
// features document (filesystem data such as "mode=755" is not listed).
func OptionNames() []string {
	names := []string{"bind", "rbind", "idmap", "ridmap"}
	for n := range flagOpts {
		names = append(names, n)
	}
	for n := range propagationOpts {
		names = append(names, n)
	}
	for n := range recursiveOpts {
		names = append(names, n)
	}
	for n := range recursiveAtime {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Propagation maps a rootfsPropagation or mount propagation name to its
// mount(2) flags.
func Propagation(name string) (uintptr, bool) {
	p, ok := propagationOpts[name]
	return p, ok
}
