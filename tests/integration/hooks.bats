#!/usr/bin/env bats
# OCI hooks: the order of the six kinds across create, start and delete,
# the state they read on stdin, and what a failing or slow hook does.

load helpers

setup() {
	setup_busybox_bundle
	HOOKDIR=$BATS_TEST_TMPDIR/hooks
	mkdir -p "$HOOKDIR" "$BUNDLE/rootfs/hooklog"
	chmod 0777 "$HOOKDIR"
	# shellcheck disable=SC2016 # $d is jq's
	update_config '.mounts += [{"destination": "/hooklog", "type": "bind", "source": $d, "options": ["rbind", "rw"]}]' \
		--arg d "$HOOKDIR"
}

# hook_json NAME LOG: a hook that appends "NAME STATUS ID" to LOG, STATUS
# and ID read from the state JSON on its stdin, with the shell's sed (the
# host's, or busybox's inside the container).
hook_json() {
	local script
	# shellcheck disable=SC2016 # for the hook's shell
	script='s=$(cat); st=$(echo "$s" | sed -n "s/.*\"status\": *\"\([a-z]*\)\".*/\1/p"); id=$(echo "$s" | sed -n "s/.*\"id\": *\"\([^\"]*\)\".*/\1/p"); echo "$0 $st $id" >>"$1"'
	jq -n --arg name "$1" --arg log "$2" --arg s "$script" \
		'{path: "/bin/sh", args: ["sh", "-c", $s, $name, $log]}'
}

# add_hook KIND HOOK-JSON: append a hook to .hooks.KIND.
add_hook() {
	# shellcheck disable=SC2016 # $k and $h are jq's
	update_config '.hooks[$k] += [$h]' --arg k "$1" --argjson h "$2"
}

@test "hooks run in order: prestart, createRuntime, createContainer, startContainer, poststart, poststop" {
	log=$HOOKDIR/log
	for k in prestart createRuntime createContainer poststart poststop; do
		add_hook "$k" "$(hook_json "$k" "$log")"
	done
	# startContainer runs after pivot_root: /bin/sh and the log are the
	# container's (the log is the bind-mounted $HOOKDIR)
	add_hook startContainer "$(hook_json startContainer /hooklog/log)"
	set_args sh -c 'echo process >>/hooklog/log'

	create_container "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$log"
	[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]

	run berth start "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run berth delete "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$log"
	[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = \
		"prestart createRuntime createContainer startContainer process poststart poststop " ] ||
		[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = \
			"prestart createRuntime createContainer startContainer poststart process poststop " ]
	# every hook read the state of this container
	[ "$(grep -vc "^process" "$log")" -eq 6 ]
	[ "$(grep -v "^process" "$log" | cut -d' ' -f3 | sort -u)" = "$CID" ]
	# the status each one saw
	[ "$(awk '$1 == "prestart" {print $2}' "$log")" = creating ]
	[ "$(awk '$1 == "createRuntime" {print $2}' "$log")" = creating ]
	[ "$(awk '$1 == "createContainer" {print $2}' "$log")" = creating ]
	[ "$(awk '$1 == "startContainer" {print $2}' "$log")" = created ]
	[ "$(awk '$1 == "poststop" {print $2}' "$log")" = stopped ]
	assert_no_leftovers "$CID"
}

@test "poststart sees a running container" {
	add_hook poststart "$(hook_json poststart "$HOOKDIR/log")"
	set_args sleep 501
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$HOOKDIR/log"
	[ "$(cat "$HOOKDIR/log")" = "poststart running $CID" ]
}

@test "a hook reads the container's state JSON on stdin" {
	add_hook createRuntime "$(jq -n --arg f "$HOOKDIR/state.json" \
		'{path: "/bin/sh", args: ["sh", "-c", "cat >\"$0\"", $f]}')"
	set_args sleep 502
	create_container "$CID"
	[ "$status" -eq 0 ]
	cat "$HOOKDIR/state.json"
	[ "$(jq -r .id "$HOOKDIR/state.json")" = "$CID" ]
	[ "$(jq -r .bundle "$HOOKDIR/state.json")" = "$BUNDLE" ]
	[ -n "$(jq -r .ociVersion "$HOOKDIR/state.json")" ]
	[ "$(jq -r .pid "$HOOKDIR/state.json")" = "$(berth state "$CID" | jq -r .pid)" ]
}

@test "a failing prestart hook fails create and leaves nothing" {
	add_hook prestart '{"path": "/bin/sh", "args": ["sh", "-c", "echo no >&2; exit 1"]}'
	set_args sleep 503
	create_container "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *prestart* ]]
	[[ $output == *"$CID"* ]]
	run berth state "$CID"
	[ "$status" -ne 0 ]
	assert_no_leftovers "$CID" "sleep 503"
}

@test "a failing poststart hook only warns" {
	add_hook poststart '{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}'
	add_hook poststart "$(hook_json poststart-2 "$HOOKDIR/log")"
	set_args sleep 504
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *poststart* ]]
	wait_for_status "$CID" running
	# the hooks after the failing one still run
	[ "$(cat "$HOOKDIR/log")" = "poststart-2 running $CID" ]
}

@test "a hook that outlives its timeout fails create (hook is the sleep)" {
	add_hook prestart '{"path": "/bin/sleep", "args": ["sleep", "5"], "timeout": 1}'
	set_args sleep 506
	start=$(date +%s%N)
	create_container "$CID"
	end=$(date +%s%N)
	echo "$output"
	echo "took $(((end - start) / 1000000)) ms"
	[ "$status" -ne 0 ]
	[[ $output == *prestart* ]]
	[ $(((end - start) / 1000000)) -lt 3000 ]
	assert_no_leftovers "$CID" "sleep 506"
}

# A shell hook's sleep is the shell's child and holds the hook's stdout and
# stderr open: the timeout must not wait for it.
@test "a hook that outlives its timeout fails create (sh -c 'sleep 5')" {
	add_hook prestart '{"path": "/bin/sh", "args": ["sh", "-c", "sleep 5"], "timeout": 1}'
	set_args sleep 505
	start=$(date +%s%N)
	create_container "$CID"
	end=$(date +%s%N)
	echo "$output"
	echo "took $(((end - start) / 1000000)) ms"
	[ "$status" -ne 0 ]
	[[ $output == *prestart* ]]
	[ $(((end - start) / 1000000)) -lt 3000 ]
	assert_no_leftovers "$CID" "sleep 505"
}
