// Framed messages on the sync socket; see syncio.h.
#define _GNU_SOURCE
#include "syncio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <stdio.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int send_frame(int fd, uint32_t type, const void *data, uint32_t len)
{
	uint32_t hdr[2] = { type, len };
	if (write_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	if (len > 0 && write_all(fd, data, len) < 0)
		return -1;
	return 0;
}

// One byte and room for one fd of control data: what SCM_RIGHTS frames
// carry here.
struct fd_msg {
	char byte;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static void fd_msg_init(struct fd_msg *m, char byte)
{
	memset(m, 0, sizeof(*m));
	m->byte = byte;
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->u.buf;
	m->msg.msg_controllen = sizeof(m->u.buf);
}

int send_fd_frame(int sock, uint32_t type, char byte, int fd)
{
	if (send_frame(sock, type, NULL, 0) < 0)
		return -1;
	struct fd_msg m;
	fd_msg_init(&m, byte);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &m.msg, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int recv_fd(int sock)
{
	struct fd_msg m;
	fd_msg_init(&m, 0);
	ssize_t n;
	do
		n = recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	if (n != 1 || c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = EPROTO;
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int read_header(int fd, uint32_t *type, uint32_t *len)
{
	uint32_t hdr[2];
	if (read_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	*type = hdr[0];
	*len = hdr[1];
	return 0;
}

size_t format_error(char *buf, size_t size, const char *cause, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	if (cause != NULL)
		n += snprintf(buf + n, size - (size_t)n, ": %s", cause);
	if ((size_t)n >= size)
		n = (int)size - 1;
	return (size_t)n;
}
