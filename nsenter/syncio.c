// Framed messages on the sync socket; see syncio.h.
#define _GNU_SOURCE
#include "syncio.h"

#include <errno.h>
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
