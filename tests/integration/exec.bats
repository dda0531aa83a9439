#!/usr/bin/env bats
# berth exec: a new process in a running container joins all its namespaces
# (uts, pid, mount, net, ipc, cgroup, user, time) and cgroups, takes the
# process attributes from the config and the flags, exits with the process's
# status, and fails with 255 and one error line when it cannot start.
# shellcheck disable=SC2016 # the container's shell expands the $s in its args

load helpers

setup() {
	setup_busybox_bundle
	update_config '.hostname = "exec-box"'
	set_args sleep 6061
}

teardown() {
	teardown_containers
	local rc=$?
	if [[ -n ${AGENT_PID:-} ]]; then
		kill "$AGENT_PID" 2>/dev/null || true
	fi
	return "$rc"
}

# start_ct: create and start $CID from $BUNDLE; INITPID is its init's pid.
start_ct() {
	create_container "$CID" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	berth start "$CID"
	INITPID=$(berth state "$CID" | jq -r .pid)
	[ "$INITPID" -gt 0 ]
}

# exec_ct ARGS...: bats' run of `berth exec`, output printed for failures.
exec_ct() {
	run berth exec "$@"
	echo "exec $*: status $status, output:"
	echo "$output"
}

# assert_exec_error WORD...: status 255 and one error line that names the
# container and every WORD.
assert_exec_error() {
	local w
	[ "$status" -eq 255 ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[[ $output == *"$CID"* ]]
	for w in "$@"; do
		[[ $output == *"$w"* ]] || {
			echo "no '$w' in the error"
			false
		}
	done
}

@test "exec: joins each of the container's namespaces, sees its hostname and root" {
	update_config '.mounts += [{"destination": "/extra", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	start_ct
	exec_ct "$CID" sh -c 'hostname; for n in mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done; grep -c " /extra " /proc/self/mountinfo; ls /'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-box ]
	i=1
	for n in mnt pid net ipc uts cgroup; do
		[ "${lines[i]}" = "$(readlink "/proc/$INITPID/ns/$n")" ]
		[ "${lines[i]}" != "$(readlink "/proc/self/ns/$n")" ]
		i=$((i + 1))
	done
	# the container's own tmpfs, and its root: no /usr in the busybox image
	[ "${lines[7]}" = 1 ]
	[[ $output != *usr* ]]
}

@test "exec: ps shows the container's init as pid 1 and the exec'd process" {
	start_ct
	exec_ct "$CID" ps -o pid,args
	[ "$status" -eq 0 ]
	grep -E '^ +1 +sleep 6061$' <<<"$output"
	grep -E 'ps -o pid,args$' <<<"$output"
	# nothing of the host
	[ "${#lines[@]}" -eq 3 ]
}

@test "exec: joins the user namespace, with the container's id mappings" {
	grep -qw user <(ls /proc/self/ns) || skip "no user namespaces on this host"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traverse "$BUNDLE"
	start_ct
	exec_ct "$CID" sh -c 'readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$INITPID/ns/user")" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/user)" ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 100000 65536" ]
}

@test "exec: root in the user namespace is uid 100000 on the host" {
	grep -qw user <(ls /proc/self/ns) || skip "no user namespaces on this host"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traverse "$BUNDLE"
	start_ct
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/p.pid" -u 7 "$CID" sleep 6062 </dev/null >"$BATS_TEST_TMPDIR/x.out" 2>&1
	pid=$(cat "$BATS_TEST_TMPDIR/p.pid")
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 100007 ]
}

@test "exec: joins the time namespace (its offsets show)" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this host"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
	start_ct
	exec_ct "$CID" sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$INITPID/ns/time")" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
	hostup=$(cut -d. -f1 /proc/uptime)
	[ "${lines[1]}" -ge $((hostup + 86400 - 5)) ]
}

@test "exec: into a --no-pivot container, the container's root" {
	start_ct --no-pivot
	exec_ct "$CID" sh -c 'hostname; ls /bin/busybox; [ ! -e /usr ]'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-box ]
}

@test "exec: exit status, 128+N when killed by signal N" {
	start_ct
	exec_ct "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	exec_ct "$CID" true
	[ "$status" -eq 0 ]
	exec_ct "$CID" sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	exec_ct "$CID" sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
}

@test "exec: signals to berth are forwarded to the process" {
	start_ct
	# not the berth function: $! must be berth's own pid
	"$BERTH" --root "$ROOT" exec "$CID" sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	bpid=$!
	for _ in $(seq 50); do
		grep -q ready "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$bpid"
	status=0
	wait "$bpid" || status=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 42 ]
}

@test "exec: a missing or non-executable program is 255 with an error naming it" {
	start_ct
	exec_ct "$CID" /bin/nope
	assert_exec_error /bin/nope
	exec_ct "$CID" nope-in-path
	assert_exec_error nope-in-path PATH
	exec_ct "$CID" /etc/passwd
	assert_exec_error /etc/passwd executable
	# the container is untouched
	[ "$(berth state "$CID" | jq -r .status)" = running ]
	# and no half-started process is left
	! pgrep -f 'berth.*exec-init'
}

@test "exec: no command is an error" {
	start_ct
	exec_ct "$CID"
	assert_exec_error command
}

@test "exec: --user is a numeric uid[:gid], parsed strictly" {
	start_ct
	exec_ct -u 1 "$CID" sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 0 ]
	exec_ct --user 1000:1000 -g 5 -g 6 "$CID" sh -c 'id -u; id -g; id -G'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = "1000 5 6" ]
	exec_ct -u root "$CID" id
	assert_exec_error '"root"'
	exec_ct -u 1:x "$CID" id
	assert_exec_error '"x"'
	exec_ct -u -1 "$CID" id
	assert_exec_error '"-1"'
	exec_ct -g abc "$CID" id
	assert_exec_error '"abc"'
}

@test "exec: --env adds to the config's environment, --cwd sets the directory" {
	update_config '.process.env += ["FROMCONFIG=yes"]'
	start_ct
	exec_ct -e FOO=bar -e "BAZ=a b" --cwd /tmp "$CID" sh -c 'echo "$FOO|$BAZ|$FROMCONFIG"; pwd; echo $PATH'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bar|a b|yes" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
	exec_ct --cwd /no/such/dir "$CID" true
	assert_exec_error /no/such/dir
	exec_ct --cwd relative "$CID" true
	assert_exec_error relative absolute
	exec_ct -e NOEQUALS "$CID" true
	assert_exec_error NOEQUALS
}

@test "exec: --cap adds a capability, --no-new-privs sets no_new_privs" {
	update_config '.process.noNewPrivileges = false'
	start_ct
	# CAP_SYS_ADMIN is bit 21, not in berth spec's default set
	exec_ct "$CID" sh -c 'eff=0x$(awk "/^CapEff/ {print \$2}" /proc/self/status); echo $(( (eff >> 21) & 1 )); grep NoNewPrivs /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} == *0 ]]
	exec_ct --cap CAP_SYS_ADMIN --no-new-privs "$CID" sh -c 'eff=0x$(awk "/^CapEff/ {print \$2}" /proc/self/status); echo $(( (eff >> 21) & 1 )); grep NoNewPrivs /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ ${lines[1]} == *1 ]]
	exec_ct --cap CAP_NOPE "$CID" true
	assert_exec_error CAP_NOPE
}

@test "exec: --apparmor and --process-label are clear errors" {
	start_ct
	exec_ct --apparmor myprofile "$CID" true
	assert_exec_error apparmor myprofile
	exec_ct --process-label system_u:system_r:container_t:s0 "$CID" true
	assert_exec_error process-label
}

@test "exec: --process runs a process.json" {
	start_ct
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'EOF2'
		{"args": ["sh", "-c", "echo $X; pwd; id -u"], "env": ["X=from-json"], "cwd": "/etc", "user": {"uid": 2, "gid": 2}}
	EOF2
	exec_ct -p "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-json ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = 2 ]
}

@test "exec -d: returns at once, --pid-file has the process's host pid" {
	start_ct
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/p.pid" "$CID" sleep 6062 </dev/null >"$BATS_TEST_TMPDIR/x.out" 2>&1
	pid=$(cat "$BATS_TEST_TMPDIR/p.pid")
	[ -n "$pid" ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 6062 " ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INITPID/ns/pid")" ]
	# it is a process of the container: gone with it
	berth delete --force "$CID"
	for _ in $(seq 50); do
		[ -e "/proc/$pid" ] || break
		sleep 0.1
	done
	[ ! -e "/proc/$pid" ]
}

@test "exec: into a created container works, into a stopped one is refused" {
	create_container "$CID"
	[ "$status" -eq 0 ]
	exec_ct "$CID" hostname
	[ "$status" -eq 0 ]
	[ "$output" = exec-box ]
	[ "$(berth state "$CID" | jq -r .status)" = created ]
	berth delete --force "$CID"

	set_args true
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	exec_ct "$CID" true
	assert_exec_error stopped
	exec_ct "$CID-nosuch" true
	[ "$status" -eq 255 ]
	[[ $output == *"$CID-nosuch"* ]]
}

@test "exec: no fd of berth's or the caller's leaks into the process" {
	start_ct
	# ls lists its own fds: stdio and the one it reads /proc/self/fd with
	exec_ct "$CID" ls /proc/self/fd 5</dev/null 7<"$BUNDLE/config.json"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2 3" ]
	# ls's own fd 3 is gone by the time it reads its link: no "->"
	exec_ct "$CID" sh -c 'ls -l /proc/self/fd 2>/dev/null | grep -- "->"' 9<"$BUNDLE/config.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output != *config.json* ]]
	[[ $output != *state* ]]
}

@test "exec: the process is in the container's cgroups, or a --cgroup sub-cgroup" {
	start_ct
	dirs=$(jq -r '.cgroups // {} | .[]' "$ROOT/$CID/state.json")
	[ -n "$dirs" ]
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/p.pid" "$CID" sleep 6062 </dev/null >"$BATS_TEST_TMPDIR/x.out" 2>&1
	pid=$(cat "$BATS_TEST_TMPDIR/p.pid")
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$INITPID/cgroup")" ]
	for d in $dirs; do
		grep -qx "$pid" "$d/cgroup.procs"
		mkdir "$d/sub"
		# a new v1 cpuset takes no process until it has cpus and mems
		if [[ -e $d/cpuset.cpus ]]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/q.pid" --cgroup sub "$CID" sleep 6063 </dev/null >"$BATS_TEST_TMPDIR/y.out" 2>&1
	pid=$(cat "$BATS_TEST_TMPDIR/q.pid")
	for d in $dirs; do
		grep -qx "$pid" "$d/sub/cgroup.procs"
	done
	exec_ct --cgroup nosuch "$CID" true
	assert_exec_error nosuch
	exec_ct --cgroup ../escape "$CID" true
	assert_exec_error escape
}

@test "exec: into a paused container is refused, and works again after resume" {
	start_ct
	berth pause "$CID"
	[ "$(berth state "$CID" | jq -r .status)" = paused ]
	exec_ct "$CID" true
	assert_exec_error paused
	berth resume "$CID"
	exec_ct "$CID" hostname
	[ "$status" -eq 0 ]
	[ "$output" = exec-box ]
}

@test "exec: a FIFO in place of /etc/passwd does not hang exec (HOME falls back to /)" {
	rm "$BUNDLE/rootfs/etc/passwd"
	mkfifo "$BUNDLE/rootfs/etc/passwd"
	start_ct
	run timeout 20 "$BERTH" --root "$ROOT" exec -u 1000 "$CID" sh -c 'echo "$HOME"'
	echo "status $status, output: $output"
	[ "$status" -eq 0 ]
	[ "$output" = / ]
}

@test "exec: the process gets the container's seccomp filter, loaded late or early" {
	update_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]}'
	# noNewPrivileges true (the default): loaded right before execve
	start_ct
	exec_ct "$CID" sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /dev/shm/d'
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == *2 ]]
	[[ $output == *"Invalid cross-device link"* ]]
	berth delete --force "$CID"
	# noNewPrivileges false: loaded before the user change, as uid 1000
	update_config '.process.noNewPrivileges = false'
	start_ct
	exec_ct -u 1000 "$CID" sh -c 'grep "^NoNewPrivs:" /proc/self/status; mkdir /dev/shm/d'
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == *0 ]]
	[[ $output == *"Invalid cross-device link"* ]]
}

@test "exec: a NOTIFY filter's listener for the exec'd process goes to the agent" {
	local agent=$REPO/tests/bin/seccompagent sock=$BATS_TEST_TMPDIR/agent.sock states=$BATS_TEST_TMPDIR/states
	[[ -x $agent ]] || (cd "$REPO" && make testbin) >&2
	mkdir -p "$states"
	"$agent" -socket "$sock" -state "$states" -log "$BATS_TEST_TMPDIR/agent.log" -errno 1 \
		</dev/null >"$BATS_TEST_TMPDIR/agent.out" 2>&1 3>&- &
	AGENT_PID=$!
	for _ in $(seq 50); do
		[[ -S $sock ]] && break
		sleep 0.1
	done
	update_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":$s,
		"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}' --arg s "$sock"
	start_ct
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/p.pid" "$CID" sh -c 'mkdir /dev/shm/by-exec; echo "rc=$?" >/dev/shm/rc; exec sleep 6065' \
		</dev/null >"$BATS_TEST_TMPDIR/x.out" 2>&1
	pid=$(cat "$BATS_TEST_TMPDIR/p.pid")
	# the agent's answer (success, making nothing) reached the exec'd process
	for _ in $(seq 50); do
		grep -q "by-exec pid=$pid " "$BATS_TEST_TMPDIR/agent.log" && break
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/agent.log"
	grep -E "^mkdir(at)? /dev/shm/by-exec pid=$pid container=$CID\$" "$BATS_TEST_TMPDIR/agent.log"
	# the state sent with it names the exec'd process in a running container
	[ "$(jq -r .pid "$states/$CID.json")" = "$pid" ]
	[ "$(jq -r .state.status "$states/$CID.json")" = running ]
	[ "$(jq -r .state.pid "$states/$CID.json")" = "$INITPID" ]
	run berth exec "$CID" sh -c 'cat /dev/shm/rc; ls -d /dev/shm/by-exec 2>&1'
	echo "$output"
	[ "${lines[0]}" = rc=0 ]
	[[ ${lines[1]} == *"No such file"* ]]
	kill "$AGENT_PID"
}
