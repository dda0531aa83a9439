#!/usr/bin/env bats
# Terminals handed to an engine: with --console-socket, create and exec -t
# send the pty master over the unix socket (SCM_RIGHTS); tests/cmd/recvtty
# plays the engine, resizes the pty and types into it. Without a socket, a
# foreground exec -t relays the caller's terminal.
# shellcheck disable=SC2016 # the container's shell expands the $s in its args

load helpers

setup() {
	setup_busybox_bundle
	RECVTTY=$(test_tool recvtty)
	SOCK=$BATS_TEST_TMPDIR/console.sock
}

teardown() {
	if [[ -n ${RPID:-} ]]; then
		kill "$RPID" 2>/dev/null || true
	fi
	teardown_containers
}

# start_recvtty ACTION...: recvtty on $SOCK in the background, its output in
# $BATS_TEST_TMPDIR/tty.out, once it listens.
start_recvtty() {
	"$RECVTTY" "$SOCK" "$@" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	RPID=$!
	for _ in $(seq 50); do
		[[ -S $SOCK ]] && return 0
		sleep 0.1
	done
	echo "recvtty did not listen on $SOCK"
	return 1
}

# wait_recvtty: wait for recvtty to see the container's side close; prints
# what it received.
wait_recvtty() {
	local rc=0
	wait "$RPID" || rc=$?
	RPID=
	echo "recvtty: status $rc, output:"
	cat -A "$BATS_TEST_TMPDIR/tty.out"
	cat "$BATS_TEST_TMPDIR/tty.err"
	return "$rc"
}

@test "tty: create --console-socket sends the master; its size and input reach the container" {
	update_config '.process.terminal = true'
	set_args sh -c 'read x; echo "got $x"; tty; stty size; [ -c /dev/console ] && echo console-ok'
	start_recvtty size=30x100 in=hello
	create_container "$CID" --console-socket "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_recvtty
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	grep -qx "got hello" <<<"$out"
	grep -qx /dev/pts/0 <<<"$out"
	grep -qx "30 100" <<<"$out"
	grep -qx console-ok <<<"$out"
	# the fd arrives with runc's name for it, which engines log
	grep -q "name=/dev/ptmx" "$BATS_TEST_TMPDIR/tty.err"
}

@test "tty: exec -t --console-socket; a resize on the master is seen by stty size" {
	set_args sleep 6071
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	start_recvtty size=30x100 in=a wait="30 100" size=40x120 in=b
	berth exec -d -t --console-socket "$SOCK" "$CID" sh -c 'read x; stty size; read y; stty size; tty; ls -l /proc/self/fd/0' \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1
	wait_recvtty
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	grep -qx "30 100" <<<"$out"
	grep -qx "40 120" <<<"$out"
	# a new pty of the container's devpts, the process's stdio
	grep -qx "/dev/pts/[0-9]*" <<<"$out"
	grep -q "0 -> /dev/pts/[0-9]*$" <<<"$out"
	# everything went through the pty, nothing through berth's stdio
	[ ! -s "$BATS_TEST_TMPDIR/exec.out" ]
}

@test "tty: a foreground exec -t relays the caller's terminal" {
	set_args sleep 6072
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	run script -qec "$BERTH --root $ROOT exec -t $CID sh -c 'tty; ls -l /proc/self/fd/1; exit 3'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *"1 -> /dev/pts/"* ]]
}

@test "tty: exec -t -d without --console-socket, and --console-socket without -t, are refused" {
	set_args sleep 6073
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	run berth exec -d -t "$CID" sleep 6074
	echo "$output"
	[ "$status" -eq 255 ]
	[[ $output == *"$CID"*"console-socket"* ]]
	run berth exec -d --console-socket "$SOCK" "$CID" sleep 6074
	echo "$output"
	[ "$status" -eq 255 ]
	[[ $output == *"$CID"*"--tty"* ]]
	! pgrep -f "sleep 6074"
}

@test "tty: a console socket nobody listens on fails create, leaving nothing" {
	update_config '.process.terminal = true'
	set_args sleep 6075
	create_container "$CID" --console-socket "$BATS_TEST_TMPDIR/nobody.sock"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID"*"nobody.sock"* ]]
	assert_no_leftovers "$CID" "sleep 6075"
}
