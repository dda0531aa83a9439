// Package caps owns the five capability sets of the container's process:
// names to numbers, the bounding set dropped with PR_CAPBSET_DROP, the
// effective/permitted/inheritable sets set with capset(2) on the thread that
// will execve, and the ambient set raised last.
package caps
