#!/usr/bin/env bats
# ps: the container's processes as host pids (json) or through ps(1).

load helpers

setup() {
	setup_busybox_bundle
	set_args sh -c 'sleep 321 & exec sleep 322'
}

@test "ps --format json lists the host pids of every process" {
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 30); do [ "$(berth ps --format json "$CID" | jq length)" -ge 2 ] && break; sleep 0.1; done
	run berth ps --format json "$CID"
	echo "$output"
	[ "$(jq length <<<"$output")" -eq 2 ]
	init=$(berth state "$CID" | jq .pid)
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
	for pid in $(jq '.[]' <<<"$output"); do
		tr "\0" " " <"/proc/$pid/cmdline" | grep -q "sleep 32[12]"
	done
}

@test "ps: a table through ps(1), with pass-through options" {
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	for _ in $(seq 30); do [ "$(berth ps --format json "$CID" | jq length)" -ge 2 ] && break; sleep 0.1; done
	run berth ps "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID*CMD* ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 321"* && "$output" == *"sleep 322"* ]]
	run berth ps "$CID" -o pid,comm
	echo "$output"
	[[ "${lines[0]}" == *PID*COMMAND* ]]
	[ "${#lines[@]}" -eq 3 ]
	run berth ps --format yaml "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown --format "yaml"'* ]]
}
