// Package hugeheap backs the Go heap of berth's runtime process with
// transparent huge pages while a command sets a container up.
//
// Why: on the VMs berth is benchmarked on, a first touch of an anonymous page
// costs about 11 µs (the guest's fault plus the hypervisor's), and a `run` of
// /bin/true touched about 235 pages of Go heap, most of them while the Go
// runtime and the package initialisers boot, before main. Debian's kernels
// give huge pages only to memory that asks for them
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise), and Go no longer
// asks (Go 1.21.1 dropped its MADV_HUGEPAGE calls). With the heap advised,
// those touches are two faults on 2 MiB pages: `run` of /bin/true went from
// 29.9 to 26.4 ms (interleaved, 50 runs each). Pre-faulting the same pages
// in 4 KiB units (MADV_POPULATE_WRITE) gained nothing.
//
// How: the Go runtime maps its heap through the C library's mmap when cgo is
// linked in (runtime/cgo's x_cgo_mmap), and glibc's mmap is a weak symbol, so
// hugeheap.c defines mmap. It passes every call straight to the kernel and
// advises MADV_HUGEPAGE only on the heap's arena mappings: anonymous,
// private, MAP_FIXED, read-write, 2 MiB-aligned and at least 2 MiB long. The
// runtime's other mappings (page-allocator metadata, which Go itself marks
// MADV_NOHUGEPAGE; thread stacks, which glibc maps through its internal
// __mmap) are left alone, and so are the container's init and the C stage,
// which never start the Go runtime.
//
// Cost: memory. The heap's resident size rounds up to 2 MiB pages: a
// foreground `run` holds about 4.5 MiB of anonymous memory instead of 1.4.
// A process that stays up (foreground run or exec, events, wait) calls
// Settle once the setup is done: the regions are marked MADV_NOHUGEPAGE, so
// that khugepaged never collapses more of them (it would fill a 2 MiB range
// that has a single page in use), and the heap grows in small pages from
// then on.
//
// Opt out with GODEBUG=disablethp=1, Go's own switch for the same thing.
package hugeheap
