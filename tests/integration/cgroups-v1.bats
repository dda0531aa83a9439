#!/usr/bin/env bats
# cgroups on this host's v1 controllers (hybrid mode: v1 controllers plus a
# cgroup2 hierarchy), and in a legacy view without the cgroup2 mount: the
# container is placed in /<id> of every hierarchy, its limits are written
# and read back from the host and from inside, a value that needs a missing
# controller is a clear error, and delete leaves no cgroup behind.

load helpers

setup() {
	setup_busybox_bundle
	update_config '.root.readonly = false'
}

# v1 CONTROLLER FILE: the container's cgroup file in a v1 hierarchy.
v1() {
	cat "/sys/fs/cgroup/$1/$CID/$2"
}

@test "cgroups-v1: the init is in /<id> of every hierarchy before it runs" {
	requires_v1 memory pids
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	# Created, not started: already placed.
	grep -qx "$pid" "/sys/fs/cgroup/memory/$CID/cgroup.procs"
	grep -qx "$pid" "/sys/fs/cgroup/pids/$CID/cgroup.procs"
	if [[ -d /sys/fs/cgroup/unified ]]; then
		grep -qx "$pid" "/sys/fs/cgroup/unified/$CID/cgroup.procs"
	fi
	run cat "/proc/$pid/cgroup"
	[[ "$output" == *"memory:/$CID"* ]]
	berth delete --force "$CID"
	assert_no_leftovers "$CID"
}

@test "cgroups-v1: memory, pids, cpu and cpuset limits read back from the host and from inside" {
	requires_v1 memory pids cpu cpuset
	update_config '.linux.resources = {
		"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296, "swappiness": 10},
		"pids": {"limit": 42},
		"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
		/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpuset/cpuset.cpus; sleep 100'
	berth run -d --bundle "$BUNDLE" "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	[ "$(v1 memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(v1 memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(v1 memory memory.memsw.limit_in_bytes)" = 100663296 ]
	[ "$(v1 memory memory.swappiness)" = 10 ]
	[ "$(v1 pids pids.max)" = 42 ]
	[ "$(v1 cpu cpu.shares)" = 512 ]
	[ "$(v1 cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(v1 cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(v1 cpuset cpuset.cpus)" = 0 ]
	for _ in $(seq 20); do [[ -s $BATS_TEST_TMPDIR/out ]] && break; sleep 0.1; done
	run cat "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 42 ]
	[ "${lines[2]}" = 50000 ]
	[ "${lines[3]}" = 0 ]
}

@test "cgroups-v1: a container allocating past its memory limit is OOM-killed, run exits 137" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# tail keeps the endless line of /dev/zero in memory.
	set_args tail /dev/zero
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 137 ]
	assert_no_leftovers "$CID"
}

@test "cgroups-v1: a pids limit stops a fork bomb" {
	requires_v1 pids
	update_config '.linux.resources.pids = {"limit": 20}'
	# The bomb runs in a child shell, which dies when a fork fails; PID 1
	# stays to be counted.
	set_args sh -c 'sh -c "while true; do sleep 100 & done" 2>/dev/null; exec sleep 100'
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 50); do
		grep -q '^max [1-9]' "/sys/fs/cgroup/pids/$CID/pids.events" && break
		sleep 0.1
	done
	cat "/sys/fs/cgroup/pids/$CID/pids.events"
	grep -q '^max [1-9]' "/sys/fs/cgroup/pids/$CID/pids.events"
	[ "$(v1 pids pids.current)" -le 20 ]
	[ "$(v1 pids pids.current)" -ge 10 ]
}

@test "cgroups-v1: blkio throttles and weight are written (a weight without CFQ/BFQ is a clear error)" {
	requires_v1 blkio
	dev=$(stat -c '%d' /)
	major=$((dev >> 8)) minor=$((dev & 0xff))
	[[ -e /sys/dev/block/$major:$minor ]] || skip "the root filesystem is not on a block device ($major:$minor)"
	update_config '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}],
		"throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100}]}' \
		--argjson ma "$major" --argjson mi "$minor"
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	grep -qx "$major:$minor 1048576" "/sys/fs/cgroup/blkio/$CID/blkio.throttle.read_bps_device"
	grep -qx "$major:$minor 100" "/sys/fs/cgroup/blkio/$CID/blkio.throttle.write_iops_device"
	berth delete --force "$CID"
	# A weight needs CFQ's blkio.weight or BFQ's blkio.bfq.weight, which
	# exist in a child cgroup only with such a scheduler in use.
	update_config '.linux.resources.blockIO = {"weight": 300}'
	create_container "$CID-w"
	echo "$output"
	if [[ -e /sys/fs/cgroup/blkio/$CID-w/blkio.bfq.weight || -e /sys/fs/cgroup/blkio/$CID-w/blkio.weight ]]; then
		[ "$status" -eq 0 ]
		grep -hq 300 /sys/fs/cgroup/blkio/"$CID-w"/blkio*.weight
	else
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"blockIO weights need"* ]]
	fi
}

@test "cgroups-v1: a controller the host lacks is one clear error naming it, and nothing is left" {
	update_config '.linux.resources.network = {"classID": 1048577}'
	if _mounts | awk '$1 == "cgroup" && $3 ~ /net_cls/ {f=1} END {exit !f}'; then
		skip "this host has the net_cls controller"
	fi
	set_args true
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"container \"$CID\""* ]]
	[[ "$output" == *'"net_cls" cgroup controller'* ]]
	assert_no_leftovers "$CID"
}

@test "cgroups-v1: hugetlb limits go to the cgroup2 hierarchy of a hybrid host" {
	requires_cgroup2
	[[ -d /sys/fs/cgroup/unified ]] || skip "not a hybrid host"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "the cgroup2 hierarchy has no hugetlb controller"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/unified/$CID/hugetlb.2MB.max")" = 4194304 ]
}

@test "cgroups-v1: linux.cgroupsPath, absolute and relative to berth's own cgroup" {
	requires_v1 memory
	update_config '.linux.cgroupsPath = $p' --arg p "/berth-test-$CID/ctr"
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	grep -qx "$pid" "/sys/fs/cgroup/memory/berth-test-$CID/ctr/cgroup.procs"
	berth delete --force "$CID"
	[ ! -e "/sys/fs/cgroup/memory/berth-test-$CID/ctr" ]
	rmdir /sys/fs/cgroup/*/"berth-test-$CID" 2>/dev/null || true

	update_config '.linux.cgroupsPath = $p' --arg p "$CID-rel"
	create_container "$CID-2"
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID-2.pid")
	own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	grep -qx "$pid" "/sys/fs/cgroup/memory${own%/}/$CID-rel/cgroup.procs"
	berth delete --force "$CID-2"
	[ ! -e "/sys/fs/cgroup/memory${own%/}/$CID-rel" ]
}

@test "cgroups-v1: the systemd slice:prefix:name form is a clear error without systemd" {
	update_config '.linux.cgroupsPath = "system.slice:berth:abc"'
	set_args true
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd"*"not available"* ]]
	assert_no_leftovers "$CID"
}

@test "cgroups-v1: inside, /sys/fs/cgroup has each v1 hierarchy with the container's cgroup as root" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 67108864}'
	set_args sh -c 'ls /sys/fs/cgroup; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep memory /proc/self/cgroup; touch /sys/fs/cgroup/memory/x 2>&1'
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[[ "$output" == *memory* && "$output" == *pids* ]]
	[[ "$output" == *67108864* ]]
	[[ "$output" == *":memory:/"$'\n'* ]]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "cgroups-v1: without a cgroup namespace, inside sees only its own cgroup (bind), read-only" {
	requires_v1 memory
	update_config '.linux.namespaces |= map(select(.type != "cgroup")) | .linux.resources.memory = {"limit": 50331648}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup/memory | grep -c "^'"$CID"'$"; echo x > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1'
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "${lines[0]}" = 50331648 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "cgroups-v1: kill --all and delete --force reach every process without a pid namespace" {
	requires_v1 pids
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c "sleep 301 & sleep 302 & exec sleep 303"
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 30); do [ "$(wc -l <"/sys/fs/cgroup/pids/$CID/cgroup.procs")" -ge 3 ] && break; sleep 0.1; done
	[ "$(wc -l <"/sys/fs/cgroup/pids/$CID/cgroup.procs")" -ge 3 ]
	berth kill --all "$CID" KILL
	for _ in $(seq 30); do pgrep -f 'sleep 30[123]' >/dev/null || break; sleep 0.1; done
	! pgrep -af 'sleep 30[123]'
	berth delete "$CID"
	assert_no_leftovers "$CID"

	set_args sh -c "sleep 304 & exec sleep 305"
	berth run -d --bundle "$BUNDLE" "$CID-2" >/dev/null 2>&1 </dev/null
	berth delete --force "$CID-2"
	assert_no_leftovers "$CID-2" 'sleep 30[45]'
}

# count_cgroups: how many cgroup directories, in every hierarchy, belong to
# this test's containers ($CID, $CID-*). Counting only ours keeps the count
# exact while other tests or programs create cgroups of their own.
count_cgroups() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$CID*" | wc -l
}

@test "cgroups-v1: delete removes every cgroup it created, whatever state the container died in" {
	requires_v1 memory
	[ "$(count_cgroups)" -eq 0 ]
	hierarchies=$(_mounts | awk '$1 == "cgroup" && $3 !~ /name=/ || $1 == "cgroup2"' | wc -l)
	set_args sh -c 'exit 3'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
	set_args sleep 100
	create_container "$CID-c"
	# One directory per hierarchy while it exists.
	[ "$(count_cgroups)" -eq "$hierarchies" ]
	berth delete --force "$CID-c"
	berth run -d --bundle "$BUNDLE" "$CID-r" >/dev/null 2>&1 </dev/null
	pid=$(berth state "$CID-r" | jq .pid)
	kill -9 "$pid"
	for _ in $(seq 30); do [ "$(berth state "$CID-r" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	berth delete "$CID-r"
	echo "cgroup directories left: $(count_cgroups)"
	[ "$(count_cgroups)" -eq 0 ]
	assert_no_leftovers "$CID"
	assert_no_leftovers "$CID-c"
	assert_no_leftovers "$CID-r"
}

@test "cgroups-v1: a legacy host (no cgroup2 mount): placement, limits, freezer pause" {
	requires_v1 memory freezer
	CGROUP_VIEW=v1
	update_config '.linux.resources.memory = {"limit": 67108864}'
	set_args sleep 100
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	[ "$(v1 memory memory.limit_in_bytes)" = 67108864 ]
	[ ! -e "/sys/fs/cgroup/unified/$CID" ]
	berth pause "$CID"
	[ "$(v1 freezer freezer.state)" = FROZEN ]
	[ "$(berth state "$CID" | jq -r .status)" = paused ]
	berth resume "$CID"
	[ "$(v1 freezer freezer.state)" = THAWED ]
	berth delete --force "$CID"
	assert_no_leftovers "$CID"
}

@test "cgroups-v1: disableOOMKiller, kernelTCP, cpu burst, idle and realtime read back" {
	requires_v1 memory cpu
	update_config '.linux.resources = {
		"memory": {"limit": 67108864, "disableOOMKiller": true, "kernelTCP": 16777216},
		"cpu": {"quota": 50000, "period": 100000, "burst": 20000, "idle": 0,
			"realtimePeriod": 1000000, "realtimeRuntime": 10000}}'
	set_args sleep 100
	create_container "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'oom_kill_disable 1' "/sys/fs/cgroup/memory/$CID/memory.oom_control"
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.kmem.tcp.limit_in_bytes")" = 16777216 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.cfs_burst_us")" = 20000 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.idle")" = 0 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.rt_period_us")" = 1000000 ]
	[ "$(cat "/sys/fs/cgroup/cpu/$CID/cpu.rt_runtime_us")" = 10000 ]
}
