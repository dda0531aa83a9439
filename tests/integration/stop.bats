#!/usr/bin/env bats
# berth stop: the stop signal, the timeout, then KILL through the cgroup.

load helpers

setup() {
	requires_berth
	setup_busybox_bundle
}

# run_d ID: `berth run -d` of $BUNDLE (stdout kept open by the container,
# so it goes to a file).
run_d() {
	berth run -d --bundle "$BUNDLE" "$1" </dev/null >"$BATS_TEST_TMPDIR/$1.out" 2>&1 3>&-
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

@test "stop -t 1 of a sleep that ignores TERM kills it after about 1 s" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	t0=$(now_ms)
	run berth --debug stop -t 1 "$CID"
	t1=$(now_ms)
	echo "$output"
	[ "$status" -eq 0 ]
	echo "stop took $((t1 - t0)) ms"
	[ $((t1 - t0)) -ge 1000 ]
	[ $((t1 - t0)) -lt 5000 ]
	[[ $output == *"sending SIGTERM"* ]]
	[[ $output == *"sending KILL"* ]]
	run berth state "$CID"
	[ "$(jq -r .status <<<"$output")" = stopped ]
}

@test "stop of a shell that traps TERM returns as soon as it exits" {
	set_args sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	run_d "$CID"
	wait_for_status "$CID" running
	sleep 0.2 # let the shell install its trap
	t0=$(now_ms)
	run berth --debug stop "$CID"
	t1=$(now_ms)
	echo "$output"
	[ "$status" -eq 0 ]
	echo "stop took $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 3000 ]
	[[ $output == *"stopped after SIGTERM"* ]]
	[[ $output != *"sending KILL"* ]]
	run berth state "$CID"
	[ "$(jq -r .status <<<"$output")" = stopped ]
}

@test "stop sends the org.opencontainers.image.stopSignal annotation's signal" {
	# TERM is ignored: only USR1 ends the shell before the 10 s timeout.
	set_args sh -c 'trap "" TERM; trap "exit 0" USR1; while :; do sleep 0.1; done'
	update_config '.annotations["org.opencontainers.image.stopSignal"] = "SIGUSR1"'
	run_d "$CID"
	wait_for_status "$CID" running
	sleep 0.2
	t0=$(now_ms)
	run berth --debug stop "$CID"
	t1=$(now_ms)
	echo "$output"
	[ "$status" -eq 0 ]
	[ $((t1 - t0)) -lt 3000 ]
	[[ $output == *"sending SIGUSR1"* ]]
	[[ $output == *"stopped after SIGUSR1"* ]]
}

@test "stop with a bad stopSignal annotation names it" {
	set_args sleep 100
	update_config '.annotations["org.opencontainers.image.stopSignal"] = "SIGNOPE"'
	run_d "$CID"
	wait_for_status "$CID" running
	run berth stop "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID"* ]]
	[[ $output == *"org.opencontainers.image.stopSignal"* ]]
	[[ $output == *"SIGNOPE"* ]]
	[ "$(berth state "$CID" | jq -r .status)" = running ]
}

@test "stop of a paused container thaws it so that it acts on TERM" {
	set_args sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	run_d "$CID"
	wait_for_status "$CID" running
	sleep 0.2
	berth pause "$CID"
	wait_for_status "$CID" paused
	t0=$(now_ms)
	run berth --debug stop "$CID"
	t1=$(now_ms)
	echo "$output"
	[ "$status" -eq 0 ]
	[ $((t1 - t0)) -lt 3000 ]
	[[ $output == *"thawing"* ]]
	[ "$(berth state "$CID" | jq -r .status)" = stopped ]
}

@test "stop kills the rest of the cgroup too, and the container can be deleted" {
	set_args sh -c 'sleep 7771 & exec sleep 7772'
	run_d "$CID"
	wait_for_status "$CID" running
	run berth stop -t 0 "$CID"
	[ "$status" -eq 0 ]
	[ "$(berth state "$CID" | jq -r .status)" = stopped ]
	berth delete "$CID"
	assert_no_leftovers "$CID" "sleep 777[12]"
}

@test "stop of a stopped container is a no-op that succeeds (as docker stop)" {
	set_args true
	run_d "$CID"
	wait_for_status "$CID" stopped
	run berth --debug stop "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"already stopped"* ]]
}

@test "stop of an unknown container fails naming it" {
	run berth stop "$CID-nope"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID-nope"* ]]
	[[ $output == *"does not exist"* ]]
}

@test "stop rejects a negative timeout" {
	run berth stop -t -1 "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"--time -1"* ]]
}
