// __fprintf_chk for musl builds: see fortify.go.
#include <stdio.h>

#ifndef __GLIBC__
#include <stdarg.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

// flag asks glibc to check %n and positional arguments; musl's vfprintf
// gets the format as it is, as an unfortified fprintf would.
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}
#endif
