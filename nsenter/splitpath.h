#ifndef BERTH_SPLITPATH_H
#define BERTH_SPLITPATH_H

#include <stddef.h>

// split_path copies the directory part of path (everything before its last
// '/', "/" when that is the only one) into dir and returns the last
// component, which points into path. It fails with EINVAL when path has no
// '/' or ends with one, and with ENAMETOOLONG when dir is too small.
const char *split_path(const char *path, char *dir, size_t size);

#endif
