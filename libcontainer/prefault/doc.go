// Package prefault maps berth's own code and read-only data into its page
// tables in one call, before the Go runtime starts.
//
// Why: on the VMs berth is benchmarked on, every page fault costs about
// 11 µs (the guest's fault plus the hypervisor's), and a berth command
// touches most of its 6.4 MiB of code and read-only data (the Go runtime's
// tables among them) in scattered order. How many faults that takes
// depends on the page cache: the kernel maps a whole cached folio per fault
// (up to its fault-around window), and the folios of the binary's file are
// as large as whatever wrote or read it made them: a binary fresh from the
// linker has large ones, a copy (`make install`, a package) 64 KiB ones,
// and a binary read back in by page faults after a reboot mostly 4 KiB
// ones. One MADV_POPULATE_READ per segment maps every page without a fault:
// `berth --version` of an installed copy went from 186 to 115 page faults,
// and a `run` of /bin/true from 18.00 to 16.77 ms (interleaved, 200 runs
// each; 18.83 to 17.08 in another round). A binary straight from the
// linker, which was that fast already, stays so (16.41 against 16.67 ms,
// and 17.66 against 17.02): with the prefault, how berth was installed no
// longer shows in its start time.
//
// How: a C constructor (prefault.c) runs before the Go runtime, reads the
// program headers from the auxiliary vector and advises each loadable
// segment that is not writable. The pages are the page cache's, shared with
// every other berth process: nothing is copied, and the process's resident
// size grows only by the few pages it would not have touched. On a kernel
// without MADV_POPULATE_READ (before 5.14) the call fails and the pages are
// faulted in as before.
package prefault
