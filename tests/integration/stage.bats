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
