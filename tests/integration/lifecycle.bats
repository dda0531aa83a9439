#!/usr/bin/env bats
# The container lifecycle: create, start, kill, delete, and the state,
# list and --pid-file views of it.

load helpers

setup() {
	setup_busybox_bundle
}

# pid_gone PID: wait up to 5s until PID has exited (no /proc entry, or a
# zombie waiting for the host's init, which is not ours to reap).
pid_gone() {
	local pid=$1 st
	for _ in $(seq 50); do
		st=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || st=
		[[ -z $st || $st == Z ]] && return 0
		sleep 0.1
	done
	echo "pid $pid is still alive: $(head -3 "/proc/$pid/status" 2>/dev/null)"
	return 1
}

# state_field ID FIELD: one field of `berth state ID`.
state_field() {
	berth state "$1" | jq -r ".$2"
}

@test "lifecycle: create, start, kill KILL, delete" {
	set_args sleep 201
	create_container "$CID"
	[ "$status" -eq 0 ]

	run berth state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]

	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	[ "$(state_field "$CID" pid)" = "$pid" ]
	[ -d "/proc/$pid" ]

	run berth kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run berth delete "$CID"
	[ "$status" -eq 0 ]

	run berth state "$CID"
	[ "$status" -ne 0 ]
	pid_gone "$pid"
	assert_no_leftovers "$CID" "sleep 201"
}

@test "start is recorded by the start socket's removal, not by rewriting state.json" {
	set_args sleep 202
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ -S "$ROOT/$CID/start.sock" ]
	before=$(stat -c %i "$ROOT/$CID/state.json")

	run berth start "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/$CID/start.sock" ]
	# The same file: start wrote no new record (a rewrite is a rename).
	[ "$(stat -c %i "$ROOT/$CID/state.json")" = "$before" ]
	[ "$(state_field "$CID" status)" = running ]
	run berth list --format json
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]

	berth delete --force "$CID"
	assert_no_leftovers "$CID" "sleep 202"
}

@test "state: the OCI fields" {
	set_args sleep 202
	create_container "$CID"
	[ "$status" -eq 0 ]

	run berth state "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	for f in ociVersion id status pid bundle created owner; do
		jq -e --arg f "$f" 'has($f)' <<<"$output" >/dev/null || {
			echo "state has no field $f"
			false
		}
	done
	[ -n "$(jq -r .ociVersion <<<"$output")" ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	created=$(jq -r .created <<<"$output")
	# an RFC 3339 time, no older than a minute
	t=$(date -d "$created" +%s)
	now=$(date +%s)
	((now - t < 60 && t - now < 5))
}

@test "list: table, --format json and -q" {
	set_args sleep 203
	create_container "$CID"
	[ "$status" -eq 0 ]
	create_container "$CID-2"
	[ "$status" -eq 0 ]
	run berth start "$CID-2"
	[ "$status" -eq 0 ]
	wait_for_status "$CID-2" running

	run berth list -q
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	grep -qx -- "$CID" <<<"$output"
	grep -qx -- "$CID-2" <<<"$output"

	run berth list --format json
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(jq 'length' <<<"$output")" -eq 2 ]
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
	[ "$(jq -r --arg id "$CID-2" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	pid=$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .pid' <<<"$output")
	[ "$pid" = "$(cat "$BATS_TEST_TMPDIR/$CID.pid")" ]
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .bundle' <<<"$output")" = "$BUNDLE" ]
	# The owner of the state directory, by name (runc's list).
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .owner' <<<"$output")" = "$(id -un)" ]

	run berth list
	[ "$status" -eq 0 ]
	grep -q -- "^$CID .*created .* $(id -un)\$" <<<"$output"
	grep -q -- "^$CID-2 .*running" <<<"$output"
}

@test "start of a running container fails" {
	set_args sleep 204
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running

	run berth start "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	wait_for_status "$CID" running
}

@test "start of a stopped container fails" {
	set_args /bin/true
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run berth start "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	wait_for_status "$CID" stopped
}

@test "kill of a stopped container fails" {
	set_args /bin/true
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run berth kill "$CID" KILL
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "delete of a running container without --force fails" {
	set_args sleep 205
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	pid=$(state_field "$CID" pid)

	run berth delete "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(state_field "$CID" status)" = running ]
	[ -d "/proc/$pid" ]
	[ "$(state_field "$CID" pid)" = "$pid" ]
}

@test "delete --force of a running container leaves nothing" {
	set_args sleep 206
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	pid=$(state_field "$CID" pid)

	run berth delete --force "$CID"
	[ "$status" -eq 0 ]
	pid_gone "$pid"
	run berth list -q
	[ "$status" -eq 0 ]
	if grep -qx -- "$CID" <<<"$output"; then
		echo "$CID is still listed"
		false
	fi
	assert_no_leftovers "$CID" "sleep 206"
}

@test "delete --force kills a process whose main thread exited while its other threads live" {
	# cgroup.kill signals a process through its thread-group leader; the
	# kernel drops that signal once the leader has exited, so the other
	# threads would outlive delete and keep the cgroup busy.
	cp "$REPO/tests/bin/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	set_args sysprobe leader-exit
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$CID" pid)
	run berth start "$CID"
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
		sleep 0.05
	done
	[[ $(awk '{print $3}' "/proc/$pid/stat") == Z ]]
	[ "$(ls "/proc/$pid/task" | wc -l)" -gt 1 ]

	run berth delete --force "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	pid_gone "$pid"
	assert_no_leftovers "$CID" "sysprobe leader-exit"
}

@test "delete --force of an unknown ID exits 0" {
	run berth delete --force "$CID-nosuch"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_no_leftovers "$CID-nosuch"
}

@test "delete of a created container kills its init" {
	set_args sleep 207
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$CID" pid)
	[ -d "/proc/$pid" ]

	run berth delete "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	pid_gone "$pid"
	assert_no_leftovers "$CID" "sleep 207"
}

@test "--pid-file holds the init's pid" {
	set_args sleep 208
	create_container "$CID"
	[ "$status" -eq 0 ]
	pidfile=$BATS_TEST_TMPDIR/$CID.pid
	[ -s "$pidfile" ]
	pid=$(cat "$pidfile")
	[ "$pid" = "$(state_field "$CID" pid)" ]
	# the pid is the container's init: its command line is the waiting
	# init before start and sleep 208 after
	[ -d "/proc/$pid" ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^sleep 208'

	# run -d writes one too
	set_args sleep 209
	berth run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/run.pid" "$CID-2" \
		</dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&-
	wait_for_status "$CID-2" running
	[ "$(cat "$BATS_TEST_TMPDIR/run.pid")" = "$(state_field "$CID-2" pid)" ]
	tr '\0' ' ' <"/proc/$(cat "$BATS_TEST_TMPDIR/run.pid")/cmdline" | grep -q '^sleep 209'
}
