#!/usr/bin/env bats
# The built-in init (run --init, create --init, annotation run.berth.init):
# signals forwarded, zombies reaped, the child's status passed through.

load helpers

setup() {
	requires_berth
	setup_busybox_bundle
}

run_d() {
	berth run -d --bundle "$BUNDLE" "$@" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&-
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

@test "--init: stop of a bare sleep ends it with TERM (143) in under a second" {
	set_args sleep 100
	run_d --init "$CID"
	wait_for_status "$CID" running
	t0=$(now_ms)
	berth stop "$CID"
	t1=$(now_ms)
	echo "stop took $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 1000 ]
	run berth wait "$CID"
	[ "$status" -eq 143 ]
	[ "$(berth state "$CID" | jq -r .exitCode)" = 143 ]
}

@test "--init: PID 1 is berth-init, a single-threaded C process; the program is its child" {
	# shellcheck disable=SC2016 # the container's shell expands it
	set_args sh -c 'echo "me=$$ pid1=$(cat /proc/1/comm)"; exec sleep 100'
	run_d --init "$CID"
	wait_for_status "$CID" running
	for _ in $(seq 20); do grep -q pid1= "$BATS_TEST_TMPDIR/run.out" && break; sleep 0.1; done
	cat "$BATS_TEST_TMPDIR/run.out"
	grep -q 'pid1=berth-init' "$BATS_TEST_TMPDIR/run.out"
	! grep -q 'me=1 ' "$BATS_TEST_TMPDIR/run.out"
	pid=$(berth state "$CID" | jq -r .pid)
	[ "$(cat "/proc/$pid/comm")" = berth-init ]
	grep -E '^(VmRSS|Threads):' "/proc/$pid/status"
	[ "$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")" = 1 ]
	# Only CAP_KILL (bit 5) is left to it.
	grep -E '^Cap(Eff|Prm):' "/proc/$pid/status"
	[ "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" = 0000000000000020 ]
	# It keeps none of the runtime's fds (sync and start sockets).
	run ls -l "/proc/$pid/fd"
	echo "$output"
	[[ $output != *socket:* ]]
	child=$(pgrep -P "$pid")
	[ "$(cat "/proc/$child/comm")" = sleep ]
}

# zombies_under PID: how many zombie children PID has.
zombies_under() {
	ps -o stat= --ppid "$1" | grep -c '^Z' || true
}

@test "--init: zombies created in the container are reaped (without it they stay)" {
	# Each "sh -c 'sleep 0.2 &'" exits at once, orphaning its sleep, which
	# is reparented to PID 1. Then the program becomes "sleep 100", which
	# never reaps: only an init that does leaves no zombies.
	set_args sh -c 'for i in 1 2 3 4 5; do sh -c "sleep 0.2 &"; done; exec sleep 100'
	run_d "$CID"
	run_d --init "$CID-i"
	wait_for_status "$CID" running
	wait_for_status "$CID-i" running
	sleep 2
	bare=$(berth state "$CID" | jq -r .pid)
	init=$(berth state "$CID-i" | jq -r .pid)
	echo "zombies under sleep as PID 1: $(zombies_under "$bare"); under berth-init: $(zombies_under "$init")"
	[ "$(zombies_under "$bare")" -ge 1 ]
	[ "$(zombies_under "$init")" -eq 0 ]
}

@test "--init: the program's exit code passes through" {
	set_args sh -c 'exit 7'
	run_d --init "$CID"
	run berth wait "$CID"
	[ "$status" -eq 7 ]
	set_args sh -c 'exit 3'
	run berth run --init --bundle "$BUNDLE" "$CID-fg"
	[ "$status" -eq 3 ]
}

@test "--init: a program killed by signal N gives 128+N" {
	# shellcheck disable=SC2016
	set_args sh -c 'kill -KILL $$'
	run_d --init "$CID"
	run berth wait "$CID"
	[ "$status" -eq 137 ]
}

@test "--init: signals sent to the container reach the program" {
	set_args sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
	run_d --init "$CID"
	wait_for_status "$CID" running
	sleep 0.3
	berth kill "$CID" USR1
	run berth wait "$CID"
	[ "$status" -eq 42 ]
}

@test "annotation run.berth.init=true asks for the built-in init (create + start)" {
	set_args sleep 100
	update_config '.annotations["run.berth.init"] = "true"'
	create_container "$CID" --keep-exit-status
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	[ "$(cat "/proc/$pid/comm")" = berth-init ]
	berth start "$CID"
	berth kill "$CID" TERM
	run berth wait "$CID"
	[ "$status" -eq 143 ]
}

@test "without --init, a bare sleep as PID 1 ignores TERM: stop -t 1 ends it with KILL (137)" {
	set_args sleep 100
	run_d "$CID"
	wait_for_status "$CID" running
	berth stop -t 1 "$CID"
	run berth wait "$CID"
	[ "$status" -eq 137 ]
}

@test "--init: a failing setup is still reported whole, with nothing left behind" {
	set_args /no/such/program
	run berth run --init --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"/no/such/program"* ]]
	assert_no_leftovers "$CID"
}

@test "--init with a terminal: the program gets the pty as its controlling terminal" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; cat /proc/1/comm; awk "{print \"ttynr=\" \$7}" /proc/self/stat; exit 5'
	run script -qec "$BERTH --root $ROOT run --init --bundle $BUNDLE $CID" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"berth-init"* ]]
	# field 7 of stat: the controlling terminal's device number, 0 if none
	[[ $output == *ttynr=* ]]
	[[ $output != *"ttynr=0"* ]]
	assert_no_leftovers "$CID"
}
