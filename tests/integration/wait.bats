#!/usr/bin/env bats
# berth wait: block until the container stops, exit with its status.

load helpers

setup() {
	requires_berth
	setup_busybox_bundle
}

run_d() {
	berth run -d --bundle "$BUNDLE" "$@" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&-
}

@test "wait exits 7 for sh -c 'exit 7' started with run -d" {
	set_args sh -c 'sleep 0.5; exit 7'
	run_d "$CID"
	run berth wait "$CID"
	[ "$status" -eq 7 ]
	[ "$output" = 7 ]
	[ "$(berth state "$CID" | jq -r .exitCode)" = 7 ]
}

@test "wait blocks until the container is stopped, then returns 137 after KILL" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	berth wait "$CID" >"$BATS_TEST_TMPDIR/wait.out" 2>&1 &
	waiter=$!
	sleep 0.5
	# Still waiting: the container runs.
	kill -0 "$waiter"
	berth kill "$CID" KILL
	rc=0
	wait "$waiter" || rc=$?
	cat "$BATS_TEST_TMPDIR/wait.out"
	[ "$rc" -eq 137 ]
}

@test "stop then wait: 137 for sleep as PID 1 (it ignores TERM)" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	berth stop -t 1 "$CID"
	run berth wait "$CID"
	[ "$status" -eq 137 ]
}

@test "stop then wait: 143 for sleep that is not a pid namespace's init" {
	# Without its own pid namespace, sleep gets TERM's default action.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	berth stop -t 5 "$CID"
	run berth wait "$CID"
	[ "$status" -eq 143 ]
	[ "$output" = 143 ]
}

@test "wait on a stopped container returns at once" {
	set_args sh -c 'exit 3'
	run_d "$CID"
	wait_for_status "$CID" stopped
	run berth wait "$CID"
	[ "$status" -eq 3 ]
}

@test "wait on a container created by an engine (no monitor) says why it cannot" {
	set_args sleep 100
	create_container "$CID"
	run berth wait "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID"* ]]
	[[ $output == *"--keep-exit-status"* ]]
}

@test "wait on an unknown container fails naming it" {
	run berth wait "$CID-nope"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID-nope"* ]]
}
