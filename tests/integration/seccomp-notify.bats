#!/usr/bin/env bats
# SCMP_ACT_NOTIFY: the runtime sends the seccomp listener and the container
# process state to linux.seccomp.listenerPath, and the agent
# (tests/cmd/seccompagent) answers the notified syscalls: mkdir and mkdirat
# "succeed" without creating anything, anything else fails with the
# agent's -errno.

load helpers

AGENT=$REPO/tests/bin/seccompagent

setup_file() {
	# `make integration` builds it; build it here for a bare `bats` run.
	if [[ ! -x $AGENT ]]; then
		(cd "$REPO" && make testbin) >&2
	fi
}

# start_agent [ERRNO]: run the agent on $SOCK; it records to $AGENT_LOG
# and writes each container's state to $STATES/<id>.json.
start_agent() {
	SOCK=$BATS_TEST_TMPDIR/agent.sock
	AGENT_LOG=$BATS_TEST_TMPDIR/agent.log
	STATES=$BATS_TEST_TMPDIR/states
	mkdir -p "$STATES"
	"$AGENT" -socket "$SOCK" -state "$STATES" -log "$AGENT_LOG" -errno "${1:-1}" \
		</dev/null >"$BATS_TEST_TMPDIR/agent.out" 2>&1 3>&- &
	AGENT_PID=$!
	local i
	for i in $(seq 50); do
		[[ -S $SOCK ]] && return 0
		sleep 0.1
	done
	echo "agent did not start:" >&2
	cat "$BATS_TEST_TMPDIR/agent.out" >&2
	return 1
}

# notify_profile NAMES-JSON [EXTRA-JQ]: default allow, NOTIFY for NAMES.
notify_profile() {
	update_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":$s,"listenerMetadata":"berth-test-meta",
		"syscalls":[{"names":$n,"action":"SCMP_ACT_NOTIFY"}]}' --arg s "$SOCK" --argjson n "$1"
}

setup() {
	setup_busybox_bundle
}

teardown() {
	teardown_containers
	local rc=$?
	if [[ -n ${AGENT_PID:-} ]]; then
		kill "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	return "$rc"
}

@test "seccomp-notify: the agent gets the state and the listener, and answers mkdir" {
	start_agent
	notify_profile '["mkdir","mkdirat"]'
	set_args sh -c 'mkdir /dev/shm/made-by-agent; echo "mkdir rc=$?"; ls -d /dev/shm/made-by-agent 2>&1; true'
	create_container "$CID"
	[ "$status" -eq 0 ]
	# The state came during create, as the runtime-spec's container
	# process state.
	local st=$STATES/$CID.json pid
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	cat "$st"
	[ "$(jq -r .ociVersion "$st")" != null ]
	[ "$(jq -c .fds "$st")" = '["seccompFd"]' ]
	[ "$(jq -r .pid "$st")" = "$pid" ]
	[ "$(jq -r .metadata "$st")" = berth-test-meta ]
	[ "$(jq -r .state.id "$st")" = "$CID" ]
	[ "$(jq -r .state.status "$st")" = creating ]
	[ "$(jq -r .state.pid "$st")" = "$pid" ]
	[ "$(jq -r .state.bundle "$st")" = "$BUNDLE" ]

	berth start "$CID"
	wait_for_status "$CID" stopped
	run cat "$BATS_TEST_TMPDIR/$CID.out"
	# The agent said yes, but made nothing: the answer came from it.
	[[ $output == *"mkdir rc=0"* ]]
	[[ $output == *"/dev/shm/made-by-agent: No such file or directory"* ]]
	grep -E "^mkdir(at)? /dev/shm/made-by-agent pid=$pid container=$CID\$" "$AGENT_LOG"
}

@test "seccomp-notify: the C init hands the listener over as the Go init does" {
	start_agent
	notify_profile '["mkdir","mkdirat"]'
	set_args sh -c 'mkdir /dev/shm/made-by-agent; echo "mkdir rc=$?"; ls -d /dev/shm/made-by-agent 2>&1; true'
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID-go"
	echo "Go init: $output"
	[ "$status" -eq 0 ]
	local go_out=$output
	BERTH_PHASES=$BATS_TEST_TMPDIR/phases run berth run --bundle "$BUNDLE" "$CID"
	echo "C init: $output"
	[ "$status" -eq 0 ]
	[ "$output" = "$go_out" ]
	[ "$(grep -c ' main$' "$BATS_TEST_TMPDIR/phases")" -eq 1 ] # the C init ran it
	[ -s "$STATES/$CID.json" ] && [ -s "$STATES/$CID-go.json" ]
}

@test "seccomp-notify: the agent's errno reaches the process" {
	start_agent 18
	notify_profile '["chmod","fchmodat"]'
	set_args sh -c 'touch /dev/shm/f; chmod 600 /dev/shm/f'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"chmod: /dev/shm/f: Invalid cross-device link"* ]]
	grep -qE "^(fchmodat|chmod) .*container=$CID\$" "$AGENT_LOG"
}

@test "seccomp-notify: a syscall of the init itself is answered too, no deadlock" {
	start_agent
	# The filter is in before Ready; the init's umask after start is
	# notified, answered by the agent (EPERM, ignored by umask's caller),
	# and the process still runs. WAIT_KILLABLE_RECV goes with it.
	notify_profile '["umask"]'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	set_args echo ran
	run timeout -s KILL 20 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *ran* ]]
	grep -q "^umask .*container=$CID\$" "$AGENT_LOG"
}

@test "seccomp-notify: works with noNewPrivileges false and a non-root user" {
	start_agent
	notify_profile '["mkdir","mkdirat"]'
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'mkdir /dev/shm/x; echo "rc=$?"; ls -d /dev/shm/x 2>&1; grep NoNewPrivs /proc/self/status; true'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"rc=0"* ]]
	[[ $output == *"No such file or directory"* ]]
	[[ $output =~ NoNewPrivs:[[:space:]]+0 ]]
	grep -q "container=$CID\$" "$AGENT_LOG"
}

@test "seccomp-notify: no agent at listenerPath: create fails clearly, nothing left" {
	SOCK=$BATS_TEST_TMPDIR/nobody-listens.sock
	notify_profile '["mkdir","mkdirat"]'
	create_container "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"container \"$CID\": create: connect to the seccomp agent at linux.seccomp.listenerPath \"$SOCK\""* ]]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	assert_no_leftovers "$CID" "$CID"
}

@test "seccomp-notify: profiles that could only hang are refused" {
	SOCK=$BATS_TEST_TMPDIR/agent.sock
	local bad
	for bad in \
		'.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}|need linux.seccomp.listenerPath' \
		'.linux.seccomp = {"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/x"}|cannot be the default action' \
		'.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/x","syscalls":[{"names":["write"],"action":"SCMP_ACT_NOTIFY"}]}|SCMP_ACT_NOTIFY cannot be used for "write"' \
		'.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerMetadata":"m"}|listenerMetadata is set but listenerPath is not'; do
		update_config "${bad%%|*}"
		create_container "$CID"
		echo "$output"
		[ "$status" -ne 0 ]
		[[ $output == *"create:"*"${bad#*|}"* ]]
		assert_no_leftovers "$CID" "$CID"
	done
}
