#!/usr/bin/env bats
# Passing fds into the container: --preserve-fds N hands the caller's fds
# 3..3+N-1 to the process (run, create and exec); a socket-activated berth
# (LISTEN_PID is its pid) passes its LISTEN_FDS fds first, with LISTEN_FDS,
# LISTEN_PID (the process's pid in the container) and LISTEN_FDNAMES set.
# shellcheck disable=SC2016 # the container's shell expands the $s in its args

load helpers

setup() {
	setup_busybox_bundle
	echo one >"$BATS_TEST_TMPDIR/f3"
	echo two >"$BATS_TEST_TMPDIR/f4"
	echo three >"$BATS_TEST_TMPDIR/f5"
}

# fds_script: what the container runs to show its fds 3..6 and the
# socket-activation variables.
fds_script='for fd in 3 4 5 6; do if [ -e /proc/self/fd/$fd ]; then read -r l <&$fd; echo "$fd:$l"; else echo "$fd:-"; fi; done; echo "LISTEN_FDS=${LISTEN_FDS-unset} LISTEN_PID=${LISTEN_PID-unset} LISTEN_FDNAMES=${LISTEN_FDNAMES-unset}"'

@test "preserve-fds: run passes fds 3 and 4, and no further one" {
	set_args sh -c "$fds_script"
	run berth run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3:one ]
	[ "${lines[1]}" = 4:two ]
	[ "${lines[2]}" = 5:- ]
	[ "${lines[4]}" = "LISTEN_FDS=unset LISTEN_PID=unset LISTEN_FDNAMES=unset" ]
}

@test "preserve-fds: exec passes the caller's fd 3, and no further one" {
	set_args sleep 6081
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	run berth exec --preserve-fds 1 "$CID" sh -c "$fds_script" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3:one ]
	[ "${lines[1]}" = 4:- ]
}

@test "LISTEN_FDS: a socket-activated run passes its fds with LISTEN_PID=1, then --preserve-fds ones" {
	set_args sh -c "$fds_script"
	# exec keeps the shell's pid, so LISTEN_PID names berth, as systemd sets it
	run bash -c 'export LISTEN_FDS=2 LISTEN_PID=$$ LISTEN_FDNAMES=web:admin; exec "$@"' _ \
		"$BERTH" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$CID" \
		3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3:one ]
	[ "${lines[1]}" = 4:two ]
	[ "${lines[2]}" = 5:three ]
	[ "${lines[3]}" = 6:- ]
	[ "${lines[4]}" = "LISTEN_FDS=2 LISTEN_PID=1 LISTEN_FDNAMES=web:admin" ]
}

@test "LISTEN_FDS: LISTEN_PID is the process's own pid without a pid namespace" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'echo "$LISTEN_PID $$"; read -r l <&3; echo "$l"'
	run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"' _ \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/f3"
	echo "$output"
	[ "$status" -eq 0 ]
	read -r lpid self <<<"${lines[0]}"
	[ "$lpid" = "$self" ]
	[ "$lpid" -gt 1 ]
	[ "${lines[1]}" = one ]
}

@test "LISTEN_FDS: meant for another process (LISTEN_PID not berth's), nothing is passed" {
	set_args sh -c "$fds_script"
	run env LISTEN_FDS=1 LISTEN_PID=1 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/f3"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3:- ]
	[ "${lines[4]}" = "LISTEN_FDS=unset LISTEN_PID=unset LISTEN_FDNAMES=unset" ]
}

@test "preserve-fds: an fd the caller did not open is an error, never one of berth's" {
	set_args sh -c "$fds_script"
	# fd 3 is open, fd 4 is not: berth's own files would land there
	run berth run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/f3" 4<&-
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$CID"*"fd 4 is not open"* ]]
	assert_no_leftovers "$CID"
	set_args sleep 6082
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	run berth exec --preserve-fds 3 "$CID" true 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<&-
	echo "$output"
	[ "$status" -eq 255 ]
	[[ $output == *"$CID"*"fd 5 is not open"* ]]
}
