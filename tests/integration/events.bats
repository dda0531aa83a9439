#!/usr/bin/env bats
# events: runc-shaped JSON statistics (--stats once, or every --interval)
# and OOM events.

load helpers

setup() {
	setup_busybox_bundle
}

@test "events --stats: cpu, memory, pids and blkio in runc's shape" {
	requires_v1 memory pids cpuacct
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 33}}'
	set_args sleep 100
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	run berth events --stats "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	jq -e '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.pids.current == 1 and .data.pids.limit == 33' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | length) > 0' <<<"$output"
	jq -e '.data.memory.raw | has("rss")' <<<"$output"
	jq -e '.data | has("blkio") and has("hugetlb")' <<<"$output"
}

@test "events: stats every --interval, an oom event, and the end when the container stops" {
	requires_v1 memory
	update_config '.root.readonly = false | .linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# The OOM victim is a child: PID 1 lives on to be watched, then exits.
	set_args sh -c 'sleep 1; sh -c "tail /dev/zero"; sleep 1'
	berth run -d --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null
	run timeout 20 "$BERTH" --root "$ROOT" events --interval 300ms "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '"type":"stats"' <<<"$output")" -ge 3 ]
	grep -q "{\"type\":\"oom\",\"id\":\"$CID\"}" <<<"$output"
}

@test "events of a stopped container and a bad interval are clear errors" {
	set_args true
	create_container "$CID"
	run berth events --interval 0s "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--interval must be positive"* ]]
	berth start "$CID"
	wait_for_status "$CID" stopped
	run berth events --stats "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"events: it is stopped"* ]]
}
