#!/usr/bin/env bats
# berth's own failures: each exits non-zero with one error line that names
# the container and what is wrong, and leaves nothing behind.

load helpers

setup() {
	setup_busybox_bundle
	set_args sleep 601
}

# assert_one_error ID WORD...: status is non-zero and output is one line
# that contains ID and every WORD.
assert_one_error() {
	local id=$1 w
	shift
	echo "status $status, output:"
	echo "$output"
	[ "$status" -ne 0 ]
	# (create_container sets output but not lines)
	[ -n "$output" ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[[ $output == *"$id"* ]]
	for w in "$@"; do
		[[ $output == *"$w"* ]] || {
			echo "no '$w' in the error"
			false
		}
	done
}

# create_fails WORD...: create $CID fails with one error line naming it
# and every WORD, and leaves nothing.
create_fails() {
	create_container "$CID"
	assert_one_error "$CID" "$@"
	run berth state "$CID"
	[ "$status" -ne 0 ]
	assert_no_leftovers "$CID" "sleep 601"
}

@test "missing rootfs directory" {
	rm -rf "$BUNDLE/rootfs"
	create_fails rootfs "check root.path in $BUNDLE/config.json"
}

@test "a mount point missing from a read-only rootfs: the error says what to do" {
	update_config '.mounts += [{"destination": "/newdir", "type": "tmpfs", "source": "tmpfs"}]'
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount -o remount,bind,ro "$BUNDLE/rootfs"
	create_container "$CID"
	umount "$BUNDLE/rootfs"
	assert_one_error "$CID" '"/newdir"' "the rootfs is read-only: add /newdir to the image"
	assert_no_leftovers "$CID" "sleep 601"
}

@test "malformed config.json" {
	echo '{"ociVersion": "1.0.0", "process": {' >"$BUNDLE/config.json"
	create_fails config.json
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "foo"}]'
	create_fails '"foo"'
}

@test "unknown rlimit" {
	update_config '.process.rlimits += [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]'
	create_fails RLIMIT_FOO
}

@test "kill with an unknown signal" {
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth kill "$CID" FOO
	assert_one_error "$CID" FOO
	# the container is untouched
	[ "$(berth state "$CID" | jq -r .status)" = created ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
}

@test "args[0] that does not exist" {
	set_args /bin/nope
	create_fails /bin/nope
}

@test "args[0] that does not exist, with run" {
	set_args /bin/nope
	run berth run --bundle "$BUNDLE" "$CID"
	assert_one_error "$CID" /bin/nope
	assert_no_leftovers "$CID"
}

@test "duplicate ID: the second create fails, the first container is fine" {
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(berth state "$CID" | jq -r .pid)

	create_container "$CID"
	assert_one_error "$CID" exists

	run berth state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .pid <<<"$output")" = "$pid" ]
	[ -d "/proc/$pid" ]
	run berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	[ "$(pgrep -fc 'sleep 601')" -eq 1 ]
}

@test "invalid IDs: ../x, a/b and the empty ID" {
	# not create_container: it names its files after the ID
	for id in ../x a/b ""; do
		status=0
		berth create --bundle "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- || status=$?
		output=$(cat "$BATS_TEST_TMPDIR/create.out")
		if [[ -n $id ]]; then
			assert_one_error "\"$id\"" invalid
		else
			assert_one_error empty
		fi
	done
	# nothing was made for them, in the state root or outside it
	[ ! -e "$ROOT/../x" ]
	[ ! -e "$ROOT/a" ]
	if [[ -d $ROOT ]]; then
		[ -z "$(ls -A "$ROOT")" ]
	fi
	[ -z "$(pgrep -f 'sleep 601')" ]
}

@test "raising RLIMIT_NOFILE's hard limit without CAP_SYS_RESOURCE" {
	# CAP_SYS_RESOURCE is capability 24
	if (($(printf '%d' "0x$(awk '/^CapEff:/ {print $2}' /proc/self/status)") >> 24 & 1)); then
		skip "this host has CAP_SYS_RESOURCE, so the hard limit can be raised"
	fi
	hard=$(ulimit -Hn)
	want=30000
	((want > hard)) || want=$((hard + 1000))
	# shellcheck disable=SC2016 # $n is jq's
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $n, "hard": $n}]' --argjson n "$want"
	create_fails RLIMIT_NOFILE
}

@test "a bind mount whose source does not exist" {
	src=$BATS_TEST_TMPDIR/no-such-dir
	# shellcheck disable=SC2016 # $s is jq's
	update_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$src"
	create_fails "$src"
}
