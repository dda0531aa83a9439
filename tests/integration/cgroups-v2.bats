#!/usr/bin/env bats
# cgroups on a pure cgroup v2 host, seen through a private mount namespace
# with the cgroup2 hierarchy on /sys/fs/cgroup (CGROUP_VIEW=v2). There the
# freezer, cgroup.kill, eBPF device filters and hugetlb work; memory, pids
# and cpu are not enabled on this host's cgroup2, and asking for them is a
# clear error naming the controller.

load helpers

setup() {
	requires_cgroup2
	CGROUP_VIEW=v2
	setup_busybox_bundle
	# The cgroup2 hierarchy as the host mounts it, where the v2 view's
	# /sys/fs/cgroup/<id> shows up.
	UNIFIED=$(_mounts | awk '$1 == "cgroup2" {print $2; exit}')
}

@test "cgroups-v2: the init is placed in <id> of the cgroup2 hierarchy, and delete removes it" {
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	grep -qx "$pid" "$UNIFIED/$CID/cgroup.procs"
	run cat "/proc/$pid/cgroup"
	[[ "$output" == *"0::/$CID"* ]]
	# Only the cgroup2 hierarchy exists in this view.
	[ ! -e "/sys/fs/cgroup/memory/$CID" ]
	berth delete --force "$CID"
	[ ! -e "$UNIFIED/$CID" ]
	assert_no_leftovers "$CID"
}

@test "cgroups-v2: memory, pids and cpu limits are clear errors naming the missing controller" {
	for res in '{"memory": {"limit": 67108864}}:memory' '{"pids": {"limit": 10}}:pids' '{"cpu": {"shares": 512}}:cpu'; do
		update_config '.linux.resources = $r' --argjson r "${res%:*}"
		set_args true
		run berth run --bundle "$BUNDLE" "$CID"
		echo "$output"
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"\"${res##*:}\" cgroup controller, which this host does not have"* ]]
		assert_no_leftovers "$CID"
	done
}

@test "cgroups-v2: unified keys are written; one for a missing controller is a clear error" {
	grep -qw hugetlb "$UNIFIED/cgroup.controllers" || skip "this host's cgroup2 has no hugetlb controller"
	update_config '.linux.resources.unified = {"hugetlb.2MB.max": "2097152", "cgroup.max.descendants": "5"}'
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$UNIFIED/$CID/hugetlb.2MB.max")" = 2097152 ]
	[ "$(cat "$UNIFIED/$CID/cgroup.max.descendants")" = 5 ]
	update_config '.linux.resources.unified = {"memory.high": "1000000"}'
	create_container "$CID-2"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'"memory" cgroup v2 controller'* ]]
}

@test "cgroups-v2: hugepage limits" {
	grep -qw hugetlb "$UNIFIED/cgroup.controllers" || skip "this host's cgroup2 has no hugetlb controller"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 6291456}]'
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$UNIFIED/$CID/hugetlb.2MB.max")" = 6291456 ]
}

@test "cgroups-v2: unified on a v1-only host is rejected" {
	requires_v1 memory
	CGROUP_VIEW=v1
	update_config '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
	set_args true
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.unified needs cgroup v2"* ]]
	assert_no_leftovers "$CID"
}

@test "cgroups-v2: pause and resume through cgroup.freeze" {
	set_args sleep 100
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	berth pause "$CID"
	grep -qx 'frozen 1' "$UNIFIED/$CID/cgroup.events"
	[ "$(berth state "$CID" | jq -r .status)" = paused ]
	berth resume "$CID"
	grep -qx 'frozen 0' "$UNIFIED/$CID/cgroup.events"
	[ "$(berth state "$CID" | jq -r .status)" = running ]
}

@test "cgroups-v2: kill --all uses cgroup.kill and reaches processes outside the pid namespace's init" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c "sleep 311 & sleep 312 & exec sleep 313"
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 30); do [ "$(wc -l <"$UNIFIED/$CID/cgroup.procs")" -ge 3 ] && break; sleep 0.1; done
	berth kill --all "$CID" KILL
	for _ in $(seq 30); do pgrep -f 'sleep 31[123]' >/dev/null || break; sleep 0.1; done
	! pgrep -af 'sleep 31[123]'
	berth delete "$CID"
	assert_no_leftovers "$CID"
}

@test "cgroups-v2: inside, /sys/fs/cgroup is a cgroup2 mount rooted at the container's cgroup" {
	set_args sh -c 'grep "^0::" /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo; ls /sys/fs/cgroup/cgroup.procs'
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0::/" ]
	[[ "${lines[1]}" == *" - cgroup2 "* ]]
	[ "${lines[2]}" = /sys/fs/cgroup/cgroup.procs ]
}
