package seccomp

// Debian's libseccomp.a, which berth links statically, is compiled with
// _FORTIFY_SOURCE against glibc and calls __fprintf_chk (from
// seccomp_export_pfc). berth is linked against musl, which has no
// fortified functions: fortify.c supplies that one. Built against glibc
// (go test or go vet without make), it compiles to nothing.

import "C"
