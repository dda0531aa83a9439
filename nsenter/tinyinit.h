// The built-in init (tinyinit.c); see doc.go.
#ifndef BERTH_TINYINIT_H
#define BERTH_TINYINIT_H

// tinyinit_start forks the container's init: it returns only in the child,
// which goes on into the Go runtime; the caller's process stays as PID 1.
void tinyinit_start(int syncfd);

#endif
