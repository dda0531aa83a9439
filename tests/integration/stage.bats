#!/usr/bin/env bats
# The standalone stage (libcontainer/exeguard/stage.go): the container's
# init starts as a small executable of its own, embedded in berth, which
# is installed once per build in the stage cache and executed through a
# read-only detached mount (a sealed memfd where that cannot be), never
# from a file the container could write through /proc/<pid>/exe.

load helpers

setup() {
	setup_busybox_bundle
	export BERTH_STAGE_CACHE=$BATS_TEST_TMPDIR/stage
	set_args sleep 600
}

# installed: the one stage in the cache; its name is its SHA-256.
installed() {
	local files=("$BERTH_STAGE_CACHE"/*)
	[ "${#files[@]}" -eq 1 ]
	echo "${files[0]}"
}

@test "stage: the C init starts as the standalone stage, installed once in the cache" {
	[ ! -e "$BERTH_STAGE_CACHE" ]
	create_container "$CID"
	[ "$status" -eq 0 ]
	stage=$(installed)
	[ "$(sha256sum <"$stage" | cut -d' ' -f1)" = "$(basename "$stage")" ]
	[ "$(stat -c '%u %a' "$stage")" = "0 555" ]
	[ "$(stat -c '%a' "$BERTH_STAGE_CACHE")" = 700 ]
	# Waiting for start, the init is still the stage: not berth's binary.
	pid=$(berth state "$CID" | jq -r .pid)
	cmp "/proc/$pid/exe" "$stage"
	! cmp -s "/proc/$pid/exe" "$BERTH"
	# It cannot be written while it runs (ETXTBSY); once nothing runs it,
	# its read-only mount refuses (security.bats, CVE-2019-5736).
	run sh -c "echo pwned >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	[[ $output == *"Text file busy"* ]]
	[ "$(sha256sum <"$stage" | cut -d' ' -f1)" = "$(basename "$stage")" ]
	berth start "$CID"
	# A second container uses the same file.
	mtime=$(stat -c %Y.%i "$stage")
	create_container "$CID-2"
	[ "$status" -eq 0 ]
	[ "$(installed)" = "$stage" ]
	[ "$(stat -c %Y.%i "$stage")" = "$mtime" ]
}

@test "stage: a damaged stage in the cache is replaced, not executed" {
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth delete --force "$CID"
	stage=$(installed)
	chmod u+w "$stage"
	printf '#!/bin/sh\ntouch %s/pwned\n' "$BATS_TEST_TMPDIR" >"$stage"
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/pwned" ]
	[ "$(installed)" = "$stage" ]
	[ "$(sha256sum <"$stage" | cut -d' ' -f1)" = "$(basename "$stage")" ]
	pid=$(berth state "$CID" | jq -r .pid)
	cmp "/proc/$pid/exe" "$stage"
}

@test "stage: a cache directory others can write is not used: a sealed memfd is" {
	mkdir -m 0777 "$BERTH_STAGE_CACHE"
	chmod 0777 "$BERTH_STAGE_CACHE"
	create_container "$CID"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$BERTH_STAGE_CACHE")" ]
	pid=$(berth state "$CID" | jq -r .pid)
	[[ $(readlink "/proc/$pid/exe") == "/memfd:berth"* ]]
	run sh -c "echo pwned >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	berth start "$CID"
}

@test "stage: BERTH_STAGE_CACHE=off runs the stage from a sealed memfd" {
	BERTH_STAGE_CACHE=off create_container "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/off" ]
	pid=$(berth state "$CID" | jq -r .pid)
	[[ $(readlink "/proc/$pid/exe") == "/memfd:berth"* ]]
	! cmp -s "/proc/$pid/exe" "$BERTH"
	run sh -c "echo pwned >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
}

@test "stage: the Go init runs berth's own binary" {
	BERTH_INIT=go create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(berth state "$CID" | jq -r .pid)
	cmp "/proc/$pid/exe" "$BERTH"
	run sh -c "echo pwned >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	[ ! -e "$BERTH_STAGE_CACHE" ]
}

@test "stage: exec's process starts as the standalone stage too" {
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	stage=$(installed)
	rm -f "$stage"
	berth exec "$CID" true
	# exec installed it again: it ran from the cache.
	[ "$(installed)" = "$stage" ]
}

# create_logged ID [ENV...]: create ID with --debug into $BATS_TEST_TMPDIR/ID.log.
create_logged() {
	local id=$1
	shift
	env "$@" "$BERTH" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/$id.log" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&-
}

@test "stage: for the default bundle the runtime starts the init itself, already in its pid namespace" {
	create_logged "$CID"
	grep -q 'the stage is the init itself (in place)' "$BATS_TEST_TMPDIR/$CID.log"
	pid=$(berth state "$CID" | jq -r .pid)
	# Every namespace of the config is the init's own, and it is PID 1.
	for ns in pid mnt net ipc uts cgroup; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ]
	done
	grep -q "^NSpid:.*[[:space:]]1$" "/proc/$pid/status"
	[ "$(awk '$1 == "Threads:" {print $2}' "/proc/$pid/status")" -eq 1 ]
	berth start "$CID"
	# Its cgroup namespace is rooted at its own cgroup.
	run berth exec "$CID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ $output == *"0::/"* ]]
	[[ $output != *"0::/."* ]]
	# The in-place init without a pid namespace of its own: TERM kills it.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sleep 601
	create_logged "$CID-b"
	grep -q 'the stage is the init itself (in place)' "$BATS_TEST_TMPDIR/$CID-b.log"
	berth start "$CID-b"
	berth kill "$CID-b" TERM
	wait_for_status "$CID-b" stopped
}

@test "stage: a new user namespace, a namespace joined by path or a monitor keep the stage's fork" {
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.json"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traverse "$BUNDLE"
	create_logged "$CID-user"
	grep -q 'the stage forks the init' "$BATS_TEST_TMPDIR/$CID-user.log"
	pid=$(berth state "$CID-user" | jq -r .pid)
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	berth delete --force "$CID-user"

	cp "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/config.json"
	create_logged "$CID-a"
	a=$(berth state "$CID-a" | jq -r .pid)
	update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/proc/$a/ns/net"
	create_logged "$CID-path"
	grep -q 'the stage forks the init' "$BATS_TEST_TMPDIR/$CID-path.log"
	pid=$(berth state "$CID-path" | jq -r .pid)
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink "/proc/$a/ns/net")" ]
	berth delete --force "$CID-path"

	cp "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/config.json"
	"$BERTH" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/mon.log" run -d --bundle "$BUNDLE" "$CID-mon" </dev/null >/dev/null 2>&1 3>&-
	grep -q 'the stage forks the init' "$BATS_TEST_TMPDIR/mon.log"
	wait_for_status "$CID-mon" running
}
