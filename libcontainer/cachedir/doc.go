// Package cachedir owns the rules berth's on-disk caches share (the
// seccomp filter cache, libcontainer/seccomp, and the installed standalone
// stage, libcontainer/exeguard): what they hold decides what a container
// runs with, so a directory or entry is used only when root alone could
// have written it, and a cache is kept to a bounded number of entries by
// removing the oldest.
package cachedir
