#!/usr/bin/env bats
# process.terminal: a pty from the container's devpts, relayed by a foreground
# run (script(1) gives the run a terminal of its own), refused when detached
# without a console socket.

load helpers

setup() {
	setup_busybox_bundle
	update_config '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
}

@test "terminal: foreground run relays a pty that is stdio and /dev/console" {
	set_args sh -c 'tty; [ -c /dev/console ] && echo console-ok; ls -l /proc/self/fd/0 /proc/self/fd/1; exit 5'
	run script -qec "$BERTH --root $ROOT run --bundle $BUNDLE $CID" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"console-ok"* ]]
	[[ "$output" == *"0 -> /dev/pts/0"* ]]
	[[ "$output" == *"1 -> /dev/pts/0"* ]]
	assert_no_leftovers "$CID"
}

@test "terminal: run -d without --console-socket is refused and leaves nothing" {
	set_args sleep 100
	run berth run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"console-socket"* ]]
	assert_no_leftovers "$CID"
}
