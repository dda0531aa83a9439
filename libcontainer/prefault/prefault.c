// See doc.go: map the binary's read-only segments before the Go runtime
// starts.
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

// For the tests: segments populated, and the errno of the last failure.
static int populated;
static int failed_errno;

__attribute__((constructor)) static void prefault_segments(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t page = getauxval(AT_PAGESZ);
	if (ph == NULL || page == 0)
		return;
	// The load bias: zero for berth (a static, non-PIE executable), the
	// distance between where the headers are and where PT_PHDR says
	// they would be for a position-independent one.
	uintptr_t bias = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W) != 0 || ph[i].p_memsz == 0)
			continue;
		uintptr_t start = (bias + ph[i].p_vaddr) & ~(page - 1);
		uintptr_t end = (bias + ph[i].p_vaddr + ph[i].p_memsz + page - 1) & ~(page - 1);
		if (madvise((void *)start, end - start, MADV_POPULATE_READ) == 0)
			populated++;
		else
			failed_errno = errno;
	}
}

int prefault_populated(void)
{
	return populated;
}

int prefault_failed_errno(void)
{
	return failed_errno;
}
