#!/usr/bin/env bats
# Exit codes of a foreground run, signals sent with kill, signals forwarded
# by `berth run`, and run --keep.

load helpers

setup() {
	setup_busybox_bundle
}

@test "run exits 0 for a process that exits 0" {
	set_args sh -c 'exit 0'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	assert_no_leftovers "$CID"
}

@test "run exits 3 for a process that exits 3" {
	set_args sh -c 'echo out; exit 3'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	assert_no_leftovers "$CID"
}

@test "kill ID KILL: the foreground run exits 137" {
	set_args sleep 301
	run_bg
	wait_for_status "$CID" running
	run berth kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_run
	[ "$rc" -eq 137 ]
	assert_no_leftovers "$CID" "sleep 301"
}

@test "kill ID TERM without a pid namespace: the run exits 143" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sleep 302
	run_bg
	wait_for_status "$CID" running
	run berth kill "$CID" TERM
	[ "$status" -eq 0 ]
	wait_run
	[ "$rc" -eq 143 ]
	assert_no_leftovers "$CID" "sleep 302"
}

@test "kill ID TERM: a PID 1 with a TERM trap exits with its own code" {
	set_args sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done'
	run_bg
	wait_for_status "$CID" running
	wait_file "$BATS_TEST_TMPDIR/run.out" '^ready$'
	run berth kill "$CID" TERM
	[ "$status" -eq 0 ]
	wait_run
	[ "$rc" -eq 42 ]
	assert_no_leftovers "$CID"
}

@test "run forwards USR1, HUP and INT to the container" {
	out=$BATS_TEST_TMPDIR/out
	mkdir -p "$out" "$BUNDLE/rootfs/out"
	# shellcheck disable=SC2016 # $src is jq's
	update_config '.mounts += [{"destination": "/out", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]' --arg src "$out"
	set_args sh -c '
		trap "echo usr1 >>/out/log" USR1
		trap "echo hup >>/out/log" HUP
		trap "echo int >>/out/log; exit 7" INT
		echo ready >>/out/log
		while :; do sleep 0.1; done'
	run_bg
	wait_file "$out/log" '^ready$'
	# the signals go to berth itself, not to a shell around it
	[ "$(readlink "/proc/$runpid/exe")" = "$BERTH" ]

	kill -USR1 "$runpid"
	wait_file "$out/log" '^usr1$'
	kill -HUP "$runpid"
	wait_file "$out/log" '^hup$'
	kill -INT "$runpid"
	wait_file "$out/log" '^int$'

	wait_run
	[ "$rc" -eq 7 ]
	[ "$(cat "$out/log")" = "$(printf '%s\n' ready usr1 hup int)" ]
	assert_no_leftovers "$CID"
}

@test "run forwards USR2, QUIT, PIPE, WINCH and real-time signals, and keeps running" {
	out=$BATS_TEST_TMPDIR/out
	mkdir -p "$out" "$BUNDLE/rootfs/out"
	# shellcheck disable=SC2016 # $src is jq's
	update_config '.mounts += [{"destination": "/out", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]' --arg src "$out"
	# 37 is SIGRTMIN+3, 64 SIGRTMAX (glibc's numbering, as kill -l shows).
	set_args sh -c '
		for s in USR2 QUIT PIPE WINCH 37 64; do trap "echo $s >>/out/log" $s; done
		trap "exit 5" TERM
		echo ready >>/out/log
		while :; do sleep 0.1; done'
	run_bg
	wait_file "$out/log" '^ready$'
	for s in USR2 QUIT PIPE WINCH 37 64; do
		kill "-$s" "$runpid"
		wait_file "$out/log" "^$s\$"
	done
	# None of them ended berth (by default all but WINCH would).
	kill -0 "$runpid"
	kill -TERM "$runpid"
	wait_run
	[ "$rc" -eq 5 ]
	[ "$(cat "$out/log")" = "$(printf '%s\n' ready USR2 QUIT PIPE WINCH 37 64)" ]
	assert_no_leftovers "$CID"
}

@test "run forwards TERM to the container" {
	set_args sh -c 'trap "echo term; exit 9" TERM; echo ready; while :; do sleep 0.1; done'
	run_bg
	wait_file "$BATS_TEST_TMPDIR/run.out" '^ready$'
	kill -TERM "$runpid"
	wait_run
	[ "$rc" -eq 9 ]
	grep -qx term "$BATS_TEST_TMPDIR/run.out"
	assert_no_leftovers "$CID"
}

@test "run --keep leaves the container stopped and listed" {
	set_args sh -c 'exit 5'
	run berth run --keep --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 5 ]

	run berth state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = stopped ]
	run berth list -q
	[ "$status" -eq 0 ]
	grep -qx -- "$CID" <<<"$output"

	run berth delete "$CID"
	[ "$status" -eq 0 ]
	assert_no_leftovers "$CID"
}

@test "run without --keep deletes the container after it exits" {
	set_args sh -c 'exit 5'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 5 ]

	run berth state "$CID"
	[ "$status" -ne 0 ]
	run berth list -q
	[ "$status" -eq 0 ]
	if grep -qx -- "$CID" <<<"$output"; then
		echo "$CID is still listed"
		false
	fi
	assert_no_leftovers "$CID"
}
