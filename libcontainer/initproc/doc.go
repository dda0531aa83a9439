// Package initproc owns the Go init: the process that the C stage (package
// nsenter) forked into the container's namespaces, when it returns into the
// Go runtime. It runs only with BERTH_INIT=go, for a container's init or a
// process of `berth exec`; by default the C init (nsenter/cinit.c) does the
// same from a plan, and the tests compare the two.
// It receives its InitConfig over the sync socket, builds the filesystem
// view, lets the runtime run the prestart/createRuntime hooks, pivots, sets
// the process attributes, reports ready, waits on the start socket and
// finally execs the user's program as PID 1. Any failure goes back to the
// runtime as one line of text naming the step and the path or value.
package initproc
