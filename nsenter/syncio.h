// Framed messages on the sync socket, shared by the C stage (nsenter.c) and
// the C init (cinit*.c). A frame is a uint32 type and a uint32 length in the
// host's byte order, then the payload; libcontainer/syncmsg is the Go side.
#ifndef BERTH_SYNCIO_H
#define BERTH_SYNCIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

// Message types; libcontainer/syncmsg mirrors these values.
enum {
	MSG_BOOTSTRAP = 1,
	MSG_USERMAP_REQ = 2,
	MSG_ACK = 3,
	MSG_CHILD_PID = 4,
	MSG_ERROR = 5,
	MSG_HOOKS_REQ = 7, // init -> parent: run prestart and createRuntime hooks
	MSG_HOOKS_DONE = 8, // parent -> init: they ran
	MSG_READY = 9, // init -> parent: created, waiting for start
	MSG_CONSOLE = 10, // init -> parent: then one byte carrying the pty master
	MSG_MOUNT_FD = 11, // parent -> init: a mount's index, then one byte carrying its idmapped tree
	MSG_SECCOMP_FD = 12, // init -> parent: then one byte carrying the notify listener
	MSG_PLAN = 14, // parent -> C init: the plan (cinit.h)
	MSG_STAGE_PID = 20, // stage -> parent: place me in the cgroup (monitor mode)
};

// write_all and read_all retry on EINTR and short transfers; read_all fails
// with EPIPE at end of file. Both return 0 or -1 with errno set.
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);

// send_frame writes one frame; read_header reads a frame's type and length.
int send_frame(int fd, uint32_t type, const void *data, uint32_t len);
int read_header(int fd, uint32_t *type, uint32_t *len);

// send_fd_frame writes an empty frame of type, then one byte carrying fd
// (SCM_RIGHTS), as syncmsg.RecvFd reads them.
int send_fd_frame(int sock, uint32_t type, char byte, int fd);

// recv_fd reads the one byte and the fd (SCM_RIGHTS, close-on-exec) that
// follow such a frame; it fails with EPROTO when no fd came.
int recv_fd(int sock);

// format_error writes fmt's text and then ": <cause>" (when cause is not
// NULL) into buf, cut to fit, and returns its length: the one-line error
// messages the C stage and the C init send the runtime.
size_t format_error(char *buf, size_t size, const char *cause, const char *fmt, va_list ap);

#endif
