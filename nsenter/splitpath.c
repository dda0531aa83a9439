// A path's directory and last component, for the monitor (the exit-status
// file's directory on the host) and the C init (a file mount destination's
// directory in the rootfs).
#include <errno.h>
#include <string.h>

#include "splitpath.h"

const char *split_path(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	size_t n = (size_t)(slash - path);
	if (n == 0)
		n = 1; // the root itself
	if (n >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return slash + 1;
}
