// Package phase marks how far a berth process has got, for finding where
// the time of a container start goes (bench/phases.sh).
//
// When the environment has BERTH_PHASES=FILE, Mark appends one line
// "MICROSECONDS PID NAME" (wall clock, microseconds since the epoch) to
// FILE; otherwise it does nothing. The runtime passes the variable on to
// the container's init, whose environment is otherwise its own, so both
// processes of a start write to one file. The init opens the file before
// pivot_root and keeps it (close-on-exec, so the container's process never
// has it); like the sync socket it is unreachable from the container while
// the init runs, because the init is not dumpable until it executes the
// process (see nsenter).
//
// A debugging aid for the runtime's developers, not a log: the names are
// the steps of create, run and the init, and may change with them.
package phase
