#!/usr/bin/env bats
# Exit statuses recorded by the monitor (run -d, --keep-exit-status) and
# shown by state and list; engines' create keeps no monitor.

load helpers

setup() {
	requires_berth
	setup_busybox_bundle
}

run_d() {
	berth run -d --bundle "$BUNDLE" "$@" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&-
}

# state_field ID JQ: one field of `berth state ID`.
state_field() {
	berth state "$1" | jq -r "$2"
}

@test "run -d: state shows exitCode 7 once sh -c 'exit 7' has stopped" {
	set_args sh -c 'exit 7'
	run_d "$CID"
	wait_for_status "$CID" stopped
	berth state "$CID"
	[ "$(state_field "$CID" .exitCode)" = 7 ]
	[ "$(state_field "$CID" .oomKilled)" = false ]
	run berth list --format json
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .exitCode' <<<"$output")" = 7 ]
	berth delete "$CID"
	assert_no_leftovers "$CID"
}

@test "run -d: exit 0 is recorded as exitCode 0, not left out" {
	set_args true
	run_d "$CID"
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = 0 ]
}

@test "a running container shows no exitCode" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	[ "$(state_field "$CID" .exitCode)" = null ]
}

@test "killed by KILL: exitCode 137" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = 137 ]
	[ "$(state_field "$CID" .oomKilled)" = false ]
}

@test "killed by kill --all KILL (cgroup.kill): the monitor survives and records 137" {
	set_args sh -c 'sleep 100 & exec sleep 101'
	run_d "$CID"
	wait_for_status "$CID" running
	berth kill --all "$CID" KILL
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = 137 ]
}

@test "OOM-killed in a memory-limited container: exitCode 137 and oomKilled true" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args tail /dev/zero
	run_d "$CID"
	wait_for_status "$CID" stopped 100
	berth state "$CID"
	[ "$(state_field "$CID" .exitCode)" = 137 ]
	[ "$(state_field "$CID" .oomKilled)" = true ]
}

@test "the monitor is a tiny process outside the container's cgroup and namespaces" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	mon=$(jq -r .monitorPid "$ROOT/$CID/state.json")
	pid=$(berth state "$CID" | jq -r .pid)
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")" = "$mon" ]
	[ "$(cat "/proc/$mon/comm")" = berth-monitor ]
	grep -E '^(VmRSS|Threads):' "/proc/$mon/status"
	[ "$(awk '/^Threads:/ {print $2}' "/proc/$mon/status")" = 1 ]
	# Not in any of the container's cgroups, so cgroup.kill spares it.
	! grep -q "$CID" "/proc/$mon/cgroup"
	# It holds only /dev/null and the state directory: not the caller's
	# stdout, the sync socket or the start socket.
	run ls -l "/proc/$mon/fd"
	echo "$output"
	[[ $output != *socket:* ]]
	[[ $output != *run.out* ]]
	berth delete --force "$CID"
	# delete waits for the monitor to exit (it may stay a zombie until the
	# process it was reparented to reaps it).
	state=$(awk '/^State:/ {print $2}' "/proc/$mon/status" 2>/dev/null) || state=gone
	echo "monitor after delete: ${state:-gone}"
	[[ ${state:-gone} == gone || $state == Z || $(cat "/proc/$mon/comm") != berth-monitor ]]
	assert_no_leftovers "$CID"
}

@test "create --keep-exit-status + start: exit code recorded" {
	set_args sh -c 'exit 42'
	create_container "$CID" --keep-exit-status
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = 42 ]
}

@test "engines' create --pid-file: no monitor, the init's parent is not berth" {
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
	echo "init $pid, parent $ppid: $(cat "/proc/$ppid/comm")"
	[ "$(cat "/proc/$ppid/comm")" != berth-monitor ]
	[ "$(cat "/proc/$ppid/comm")" != berth ]
	[ "$(jq -r '.monitorPid // 0' "$ROOT/$CID/state.json")" = 0 ]
	berth start "$CID"
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = null ]
}

@test "run -d --pid-file without --keep-exit-status keeps no monitor; with it, one" {
	set_args sleep 100
	run_d --pid-file "$BATS_TEST_TMPDIR/a.pid" "$CID"
	[ "$(jq -r '.monitorPid // 0' "$ROOT/$CID/state.json")" = 0 ]
	run_d --pid-file "$BATS_TEST_TMPDIR/b.pid" --keep-exit-status "$CID-2"
	mon=$(jq -r .monitorPid "$ROOT/$CID-2/state.json")
	[ "$(cat "/proc/$mon/comm")" = berth-monitor ]
}

@test "foreground run --keep --keep-exit-status records the status itself" {
	set_args sh -c 'exit 5'
	run berth run --keep --keep-exit-status --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 5 ]
	[ "$(state_field "$CID" .exitCode)" = 5 ]
}

@test "run -d in a user namespace: the status is still recorded" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# the container's root (host uid 100000) must reach the rootfs: bats
	# makes its temporary directories 0700
	allow_traverse "$BUNDLE"
	set_args sh -c 'exit 9'
	run_d "$CID" || { cat "$BATS_TEST_TMPDIR/run.out"; false; }
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" .exitCode)" = 9 ]
}

@test "run -d whose setup fails leaves no state, cgroup or monitor (not even a zombie)" {
	before=$(pgrep -x berth-monitor | sort)
	set_args /no/such/program
	status=0
	berth run -d --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/run.out")
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"/no/such/program"* ]]
	after=$(pgrep -x berth-monitor | sort)
	new=$(comm -13 <(echo "$before") <(echo "$after"))
	if [[ -n $new ]]; then
		echo "new monitor processes:"
		ps -o pid,ppid,stat,comm -p "$(echo $new | tr ' ' ,)"
		false
	fi
	assert_no_leftovers "$CID"
}
