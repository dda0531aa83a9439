// Package ttyrelay owns a foreground run's terminal: it puts the caller's
// terminal in raw mode (restored on exit), copies bytes both ways between it
// and the container's pty master, and passes window-size changes on.
package ttyrelay
