// See doc.go: an mmap that advises huge pages for the Go heap's arenas.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HUGE_PAGE (2UL << 20)
#define MAX_REGIONS 64

static struct {
	uintptr_t start;
	size_t len;
} regions[MAX_REGIONS];
static int nregions;
// 1 while heap mappings are advised; 0 after Settle or with
// GODEBUG=disablethp=1. The runtime maps from any of its threads: the lock
// orders an advice against Settle, so that none is left behind it.
static int advising;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

// hugeheap_disabled_by reports whether a GODEBUG value sets disablethp=1
// (the last setting of the key wins, as in Go's own parsing).
int hugeheap_disabled_by(const char *g)
{
	int off = 0;
	while (g != NULL && *g != '\0') {
		const char *end = strchr(g, ',');
		size_t n = end != NULL ? (size_t)(end - g) : strlen(g);
		if (n > 11 && strncmp(g, "disablethp=", 11) == 0)
			off = n == 12 && g[11] == '1';
		g = end != NULL ? end + 1 : NULL;
	}
	return off;
}

// Before the Go runtime starts, and before any thread could call setenv,
// read the environment once.
__attribute__((constructor)) static void hugeheap_init(void)
{
	advising = !hugeheap_disabled_by(getenv("GODEBUG"));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r == -1)
		return MAP_FAILED; // syscall() has set errno
	void *p = (void *)r;
	const int heap = MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED;
	if ((flags & heap) != heap || prot != (PROT_READ | PROT_WRITE) || len < HUGE_PAGE ||
	    ((uintptr_t)p & (HUGE_PAGE - 1)) != 0)
		return p;
	int saved = errno;
	pthread_mutex_lock(&lock);
	// Only advice: where it fails (a kernel without THP) the heap
	// simply keeps small pages. Past MAX_REGIONS the heap's later
	// mappings keep them too, so that Settle can undo every advice.
	if (advising && nregions < MAX_REGIONS && madvise(p, len, MADV_HUGEPAGE) == 0) {
		regions[nregions].start = (uintptr_t)p;
		regions[nregions].len = len;
		nregions++;
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
	return p;
}

void hugeheap_settle(void)
{
	pthread_mutex_lock(&lock);
	if (advising) {
		advising = 0;
		for (int i = 0; i < nregions; i++)
			madvise((void *)regions[i].start, regions[i].len, MADV_NOHUGEPAGE);
	}
	pthread_mutex_unlock(&lock);
}

int hugeheap_regions(void)
{
	pthread_mutex_lock(&lock);
	int n = nregions;
	pthread_mutex_unlock(&lock);
	return n;
}
