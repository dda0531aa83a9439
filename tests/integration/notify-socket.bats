#!/usr/bin/env bats
# NOTIFY_SOCKET: a container created with it gets /run/notify/notify.sock and
# NOTIFY_SOCKET pointing there; start (or run -d) waits for its READY=1 and
# forwards it, with MAINPID, to the caller's socket. tests/cmd/sdnotify is
# both the host's listener and the container's sender.
# shellcheck disable=SC2016 # the container's shell expands the $s in its args

load helpers

setup() {
	setup_busybox_bundle
	SDNOTIFY=$(test_tool sdnotify)
	cp "$SDNOTIFY" "$BUNDLE/rootfs/bin/sdnotify"
	update_config '.root.readonly = false'
	HOSTSOCK=$BATS_TEST_TMPDIR/host-notify.sock
	"$SDNOTIFY" listen "$HOSTSOCK" >"$BATS_TEST_TMPDIR/notify.out" 2>&1 3>&- &
	LPID=$!
	for _ in $(seq 50); do
		[[ -S $HOSTSOCK ]] && return 0
		sleep 0.1
	done
	echo "sdnotify did not listen on $HOSTSOCK"
	return 1
}

teardown() {
	kill "$LPID" 2>/dev/null || true
	teardown_containers
}

# wait_notified TEXT: the host's listener printed a line equal to TEXT.
wait_notified() {
	for _ in $(seq 50); do
		grep -qxF -- "$1" "$BATS_TEST_TMPDIR/notify.out" && return 0
		sleep 0.1
	done
	echo "the host's socket received:"
	cat "$BATS_TEST_TMPDIR/notify.out"
	return 1
}

@test "notify: start waits for READY=1 and forwards it with MAINPID" {
	# the marker is written just before READY=1, a second after start
	set_args sh -c 'sleep 1; sdnotify send STATUS=starting; touch /ready-sent; sdnotify send "READY=1"; exec sleep 6091'
	NOTIFY_SOCKET=$HOSTSOCK create_container "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	NOTIFY_SOCKET=$HOSTSOCK berth start "$CID"
	# start returned only after the container sent READY=1
	[ -e "$BUNDLE/rootfs/ready-sent" ]
	pid=$(berth state "$CID" | jq -r .pid)
	wait_notified "READY=1|MAINPID=$pid"
	# only the READY datagram is forwarded
	! grep -q STATUS "$BATS_TEST_TMPDIR/notify.out"
}

@test "notify: the container sees NOTIFY_SOCKET and the socket at /run/notify" {
	# /run is missing from the image: made before the root turns read-only
	update_config '.root.readonly = true'
	[ ! -e "$BUNDLE/rootfs/run" ]
	set_args sh -c 'echo "$NOTIFY_SOCKET"; [ -S /run/notify/notify.sock ] && echo socket-ok; sdnotify send READY=1; exec sleep 6092'
	NOTIFY_SOCKET=$HOSTSOCK create_container "$CID"
	[ "$status" -eq 0 ]
	NOTIFY_SOCKET=$HOSTSOCK berth start "$CID"
	pid=$(berth state "$CID" | jq -r .pid)
	wait_notified "READY=1|MAINPID=$pid"
	grep -qx /run/notify/notify.sock "$BATS_TEST_TMPDIR/$CID.out"
	grep -qx socket-ok "$BATS_TEST_TMPDIR/$CID.out"
	# the directory is read-only in the container, and exec gets the variable too
	run berth exec "$CID" sh -c 'echo $NOTIFY_SOCKET; touch /run/notify/x'
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = /run/notify/notify.sock ]
	[[ $output == *"Read-only"* ]]
}

@test "notify: run -d returns once the container is ready" {
	set_args sh -c 'sleep 1; touch /ready-sent; sdnotify send READY=1; exec sleep 6093'
	NOTIFY_SOCKET=$HOSTSOCK berth run -d --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&-
	[ -e "$BUNDLE/rootfs/ready-sent" ]
	pid=$(berth state "$CID" | jq -r .pid)
	wait_notified "READY=1|MAINPID=$pid"
}

@test "notify: a foreground run forwards READY=1 while the container runs" {
	set_args sh -c 'sdnotify send READY=1; sleep 1; exit 3'
	run env NOTIFY_SOCKET="$HOSTSOCK" "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -q "^READY=1|MAINPID=[0-9]*$" "$BATS_TEST_TMPDIR/notify.out"
}

@test "notify: a container that exits without READY does not hang start" {
	set_args true
	NOTIFY_SOCKET=$HOSTSOCK create_container "$CID"
	[ "$status" -eq 0 ]
	run env NOTIFY_SOCKET="$HOSTSOCK" "$BERTH" --root "$ROOT" start "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"READY=1"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/notify.out" ]
}

@test "notify: without NOTIFY_SOCKET at create, the container gets nothing" {
	set_args sh -c 'echo "[${NOTIFY_SOCKET-unset}]"; ls /run/notify 2>&1 || true'
	run env -u NOTIFY_SOCKET "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[unset]" ]
	[[ ${lines[1]} == *"No such file"* ]]
}
