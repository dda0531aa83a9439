#!/usr/bin/env bats
# pause and resume: a paused container's counter stops advancing and
# restarts on resume; state says paused; kill and delete --force of a paused
# container work. On this host (hybrid) the cgroup2 freezer is used; the
# v2 and v1 views are in cgroups-v2.bats and cgroups-v1.bats.

load helpers

setup() {
	setup_busybox_bundle
	update_config '.root.readonly = false'
	set_args sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.05; done'
}

# counter: the last number the container wrote. The shell truncates the
# file before writing it, so an empty read is retried.
counter() {
	local v
	for _ in $(seq 20); do
		v=$(cat "$BUNDLE/rootfs/tmp/counter" 2>/dev/null)
		[[ -n $v ]] && break
		sleep 0.01
	done
	echo "${v:-0}"
}

start_counter() {
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 50); do [ "$(counter)" -gt 2 ] && return 0; sleep 0.1; done
	echo "the counter did not start"
	return 1
}

@test "pause stops a counter, resume restarts it, state shows paused" {
	start_counter
	berth pause "$CID"
	[ "$(berth state "$CID" | jq -r .status)" = paused ]
	berth list | grep -q "$CID.*paused"
	a=$(counter)
	sleep 0.5
	b=$(counter)
	echo "paused: $a then $b"
	[ "$a" = "$b" ]
	berth resume "$CID"
	[ "$(berth state "$CID" | jq -r .status)" = running ]
	sleep 0.5
	c=$(counter)
	echo "resumed: $c"
	[ "$c" -gt "$b" ]
}

@test "pause of a created or stopped container, resume of a running one: clear errors" {
	create_container "$CID"
	run berth pause "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"pause: it is created"* ]]
	run berth resume "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"resume: it is created, not paused"* ]]
}

@test "kill KILL of a paused container stops it" {
	start_counter
	berth pause "$CID"
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	berth delete "$CID"
	assert_no_leftovers "$CID"
}

@test "delete --force of a paused container leaves nothing" {
	start_counter
	berth pause "$CID"
	run berth delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"it is paused"* ]]
	berth delete --force "$CID"
	assert_no_leftovers "$CID"
}

@test "kill TERM of a paused container takes effect (at once on the v2 freezer, at resume on v1)" {
	# A shell that is not PID 1 of a pid namespace dies of TERM.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_counter
	berth pause "$CID"
	berth kill "$CID" TERM
	sleep 0.2
	if [ "$(berth state "$CID" | jq -r .status)" = paused ]; then
		berth resume "$CID"
	fi
	wait_for_status "$CID" stopped
}
