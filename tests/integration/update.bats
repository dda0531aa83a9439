#!/usr/bin/env bats
# update: runc's flags and -r change the live cgroup and the recorded
# config; bad values and missing controllers are clear errors.

load helpers

setup() {
	setup_busybox_bundle
	set_args sleep 100
}

@test "update: --memory --memory-swap --pids-limit --cpu-* --cpuset-cpus change the live cgroup" {
	requires_v1 memory pids cpu cpuset
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	berth update --memory 64m --memory-swap 128m --memory-reservation 32m --pids-limit 50 \
		--cpu-share 256 --cpu-period 200000 --cpu-quota 100000 --cpuset-cpus 0 "$CID"
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.limit_in_bytes")" = $((64 << 20)) ]
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.memsw.limit_in_bytes")" = $((128 << 20)) ]
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.soft_limit_in_bytes")" = $((32 << 20)) ]
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 50 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.shares")" = 256 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.cfs_period_us")" = 200000 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.cfs_quota_us")" = 100000 ]
	[ "$(cat "/sys/fs/cgroup/cpuset/$CID/cpuset.cpus")" = 0 ]
	# Lowering below the current memsw limit orders the writes.
	berth update --memory 16m --memory-swap 16m "$CID"
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.limit_in_bytes")" = $((16 << 20)) ]
	# The record follows.
	jq -e '.config.linux.resources.memory.limit == 16777216 and .config.linux.resources.pids.limit == 50' "$ROOT/$CID/state.json"
	berth update --pids-limit -1 "$CID"
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = max ]
}

@test "update -r: a resources file and stdin" {
	requires_v1 memory pids
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	echo '{"memory": {"limit": 100663296}, "pids": {"limit": 77}}' >"$BATS_TEST_TMPDIR/r.json"
	berth update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.limit_in_bytes")" = 100663296 ]
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 77 ]
	echo '{"pids": {"limit": 78}}' | berth update -r - "$CID"
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 78 ]
}

@test "update: bad values, a stopped container and checkBeforeUpdate are clear errors" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"checkBeforeUpdate": true}'
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	run berth update --memory lots "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--memory "lots": not a size'* ]]
	run berth update --blkio-weight 5 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"out of range"* ]]
	echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' >"$BATS_TEST_TMPDIR/r.json"
	run berth update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"below the current usage"* ]]
	run berth update -r /nonexistent "$CID"
	[ "$status" -ne 0 ]
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	run berth update --pids-limit 5 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"update: it is stopped"* ]]
}

@test "update: a pure v2 host without the memory controller says so" {
	requires_cgroup2
	CGROUP_VIEW=v2
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	run berth update --memory 64m "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'"memory" cgroup controller, which this host does not have'* ]]
}
