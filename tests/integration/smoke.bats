#!/usr/bin/env bats
# Smoke tests: the basic lifecycle, and a check of helpers.bash itself.
# They pass against runc too: BERTH=/usr/sbin/runc bats tests/integration/smoke.bats

load helpers

setup() {
	setup_busybox_bundle
}

@test "run /bin/true exits 0" {
	set_args /bin/true
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	assert_no_leftovers "$CID"
}

@test "run passes the container's exit code through" {
	set_args sh -c 'exit 3'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
	assert_no_leftovers "$CID"
}

@test "create then state: created, with the init's pid" {
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]

	run berth state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 1 ]
	[ -d "/proc/$pid" ]
	[ "$(cat "$BATS_TEST_TMPDIR/$CID.pid")" = "$pid" ]
}

@test "start: running, then stopped after kill KILL" {
	set_args sleep 102
	create_container "$CID"
	[ "$status" -eq 0 ]

	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running

	run berth kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run berth delete "$CID"
	[ "$status" -eq 0 ]
	assert_no_leftovers "$CID" "sleep 102"
}

@test "start: a process that exits leaves the container stopped" {
	set_args /bin/true
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill KILL makes a foreground run exit 137" {
	set_args sleep 101
	berth run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- &
	runpid=$!
	wait_for_status "$CID" running

	run berth kill "$CID" KILL
	[ "$status" -eq 0 ]

	rc=0
	wait "$runpid" || rc=$?
	cat "$BATS_TEST_TMPDIR/run.out"
	[ "$rc" -eq 137 ]
	assert_no_leftovers "$CID" "sleep 101"
}

@test "hostname inside is the config's hostname" {
	hn=$(jq -r .hostname "$BUNDLE/config.json")
	[ -n "$hn" ] && [ "$hn" != null ]
	set_args hostname
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "$hn" ]

	# shellcheck disable=SC2016 # $h is jq's
	update_config '.hostname = $h' --arg h smoke-host
	run berth run --bundle "$BUNDLE" "$CID-2"
	[ "$status" -eq 0 ]
	[ "$output" = smoke-host ]
}

@test "the container's process is PID 1" {
	set_args sh -c 'echo $$'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "delete removes the container from list" {
	set_args sleep 103
	create_container "$CID"
	[ "$status" -eq 0 ]

	run berth list -q
	[ "$status" -eq 0 ]
	grep -qx -- "$CID" <<<"$output"

	run berth delete "$CID"
	[ "$status" -eq 0 ]

	run berth list -q
	[ "$status" -eq 0 ]
	if grep -qx -- "$CID" <<<"$output"; then
		echo "$CID is still listed"
		false
	fi
	assert_no_leftovers "$CID" "sleep 103"
}

@test "berth's own failure: exit 1, one line on stderr, a JSON error line in --log" {
	requires_berth
	run berth state "$CID-missing"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]

	log=$BATS_TEST_TMPDIR/log.json
	run berth --log "$log" --log-format json state "$CID-missing"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(tail -n1 "$log" | jq -r .level)" = error ]
	[ -n "$(tail -n1 "$log" | jq -r .msg)" ]
}
