// Package procinfo owns the identity of a host process: its start time, read
// from /proc/<pid>/stat, tells a container's init apart from an unrelated
// process that later got the same PID, and signals are sent through a pidfd
// so that the process checked is the process signalled.
package procinfo
