// Shared between the C stage (nsenter.c) and the exit-status monitor
// (monitor.c); see doc.go.
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H

#include <sys/types.h>

// monitor_open_dir opens the directory of the exit-status file at path
// (before any namespace is joined, so that it names the host's state dir)
// and points *base at the file's name inside it. Returns -1 on failure.
int monitor_open_dir(const char *path, const char **base);

// monitor_run never returns: it becomes the container's tiny parent. It
// reaps the namespace stage (stage), then the init that the stage cloned
// with CLONE_PARENT, and writes the init's status into dirfd/base.
__attribute__((noreturn)) void monitor_run(int dirfd, const char *base, pid_t stage);

#endif
