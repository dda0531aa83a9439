#!/usr/bin/env bats
# The runtime's own memory. Its Go heap is backed by huge pages while a
# command sets a container up (libcontainer/hugeheap); a process that stays
# up, as a foreground run does for as long as its container runs, stops
# asking for them once it only waits, so that khugepaged never fills its
# heap's 2 MiB ranges.

load helpers

setup() {
	setup_busybox_bundle
}

# advised_huge PID: how many mappings of PID carry MADV_HUGEPAGE ("hg" in
# the VmFlags of /proc/PID/smaps).
advised_huge() {
	grep '^VmFlags:' "/proc/$1/smaps" | grep -cw hg || true
}

@test "a foreground run waits for its container with no mapping asking for huge pages" {
	set_args sh -c 'echo ready; trap "exit 4" TERM; while :; do sleep 0.1; done'
	run_bg
	wait_file "$BATS_TEST_TMPDIR/run.out" '^ready$'
	# The heap's mappings are there, marked MADV_NOHUGEPAGE (by Go for
	# its own metadata, by Settle for the heap).
	grep '^VmFlags:' "/proc/$runpid/smaps" | grep -qw nh
	[ "$(advised_huge "$runpid")" -eq 0 ]
	kill -TERM "$runpid"
	wait_run
	[ "$rc" -eq 4 ]
	assert_no_leftovers "$CID"
}
