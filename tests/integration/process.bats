#!/usr/bin/env bats
# The container's process: env, cwd, user and groups, umask, rlimits,
# no_new_privs, capabilities, oom_score_adj, file descriptors, and the
# root filesystem, masked and read-only paths and devices it sees.
# shellcheck disable=SC2016 # the container's shell expands the $s in set_args

load helpers

setup() {
	setup_busybox_bundle
}

# run_ct: `berth run` of $BUNDLE as $CID, with bats' run.
run_ct() {
	run berth run --bundle "$BUNDLE" "$CID"
	echo "status $status, output:"
	echo "$output"
}

@test "env: the config's variables reach the process" {
	update_config '.process.env += ["FOO=bar baz", "EMPTY="]'
	set_args sh -c 'echo "[$FOO]"; echo "[${EMPTY-unset}]"; echo "$PATH"'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[bar baz]" ]
	[ "${lines[1]}" = "[]" ]
	[ "${lines[2]}" = "$(jq -r '.process.env[] | select(startswith("PATH=")) | ltrimstr("PATH=")' "$BUNDLE/config.json")" ]
}

@test "cwd: the process starts in the config's cwd" {
	update_config '.process.cwd = "/tmp"'
	set_args pwd
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" = /tmp ]
}

@test "cwd: a cwd missing from the image is created (writable root)" {
	update_config '.root.readonly = false'
	[ ! -e "$BUNDLE/rootfs/work/dir" ]
	update_config '.process.cwd = "/work/dir"'
	set_args pwd
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" = /work/dir ]
	[ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "cwd: a cwd missing from the image is created (read-only root)" {
	jq -e '.root.readonly == true' "$BUNDLE/config.json"
	[ ! -e "$BUNDLE/rootfs/work/dir" ]
	update_config '.process.cwd = "/work/dir"'
	set_args sh -c 'pwd; ls -ld .'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /work/dir ]
	[[ ${lines[1]} == d* ]]
	[ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
	set_args sh -c 'id -u; id -g; id -G; grep "^Groups:" /proc/self/status'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	# the supplementary groups are exactly 10 and 20
	read -r -a groups <<<"$(cut -d: -f2 <<<"${lines[3]}")"
	[ "${groups[*]}" = "10 20" ]
	for g in 1000 10 20; do
		grep -qw "$g" <<<"${lines[2]}"
	done
}

@test "umask: 63 is 0077" {
	update_config '.process.user.umask = 63'
	set_args sh -c 'umask; touch /dev/shm/f; stat -c %a /dev/shm/f'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]
}

@test "rlimits: RLIMIT_NOFILE soft 512 hard 1024" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024}]'
	set_args sh -c 'ulimit -n; ulimit -Hn; grep "open files" /proc/self/limits'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 512 ]
	[ "${lines[1]}" = 1024 ]
	read -r -a f <<<"${lines[2]}"
	[ "${f[3]}" = 512 ]
	[ "${f[4]}" = 1024 ]
}

@test "noNewPrivileges: NoNewPrivs 1 when true, 0 when false" {
	update_config '.process.noNewPrivileges = true'
	set_args grep NoNewPrivs /proc/self/status
	run_ct
	[ "$status" -eq 0 ]
	[[ $output =~ ^NoNewPrivs:[[:space:]]+1$ ]]

	update_config '.process.noNewPrivileges = false'
	run berth run --bundle "$BUNDLE" "$CID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

# cap_field OUTPUT NAME: the hex value of NAME (CapEff, ...) in OUTPUT.
cap_field() {
	awk -v n="$2:" '$1 == n {print $2}' <<<"$1"
}

@test "capabilities: the default set" {
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
	jq -e '.process.capabilities.bounding | sort == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]' \
		"$BUNDLE/config.json"
	want=0000000020000420
	set_args grep Cap /proc/self/status
	run_ct
	[ "$status" -eq 0 ]
	[ "$(cap_field "$output" CapBnd)" = "$want" ]
	[ "$(cap_field "$output" CapEff)" = "$want" ]
	[ "$(cap_field "$output" CapPrm)" = "$want" ]
}

@test "capabilities: a custom set" {
	# CAP_CHOWN (0), CAP_DAC_OVERRIDE (1), CAP_NET_RAW (13); no ambient.
	# (For uid 0 execve makes the effective set the permitted one, so a
	# smaller effective set would not show.)
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_NET_RAW"],
		"permitted": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_NET_RAW"]}'
	set_args grep Cap /proc/self/status
	run_ct
	[ "$status" -eq 0 ]
	[ "$(cap_field "$output" CapBnd)" = 0000000000002003 ]
	[ "$(cap_field "$output" CapPrm)" = 0000000000002003 ]
	[ "$(cap_field "$output" CapEff)" = 0000000000002003 ]
	[ "$(cap_field "$output" CapAmb)" = 0000000000000000 ]
}

@test "oomScoreAdj: 100 in /proc/self/oom_score_adj" {
	update_config '.process.oomScoreAdj = 100'
	set_args cat /proc/self/oom_score_adj
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" = 100 ]
}

@test "fds: only stdio reaches the process, not the caller's fd 5" {
	set_args ls /proc/self/fd
	run berth run --bundle "$BUNDLE" "$CID" 5</dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	# 0, 1, 2 and the directory ls itself reads
	[ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 3 " ]
}

@test "fds: --preserve-fds 1 passes fd 3" {
	echo "from fd 3" >"$BATS_TEST_TMPDIR/f3"
	set_args sh -c 'cat <&3; ls /proc/self/fd | tr "\n" " "'
	run berth run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/f3" 5</dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "from fd 3" ]
	# ls's own directory fd is the next one free, 4; no fd 5
	[ "${lines[1]}" = "0 1 2 3 4 " ]
}

@test "root.readonly: true makes the root read-only, false writable" {
	update_config '.root.readonly = true'
	set_args touch /x
	run_ct
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/x" ]

	update_config '.root.readonly = false'
	run berth run --bundle "$BUNDLE" "$CID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$BUNDLE/rootfs/x" ]
}

@test "maskedPaths: /proc/kcore is empty" {
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$BUNDLE/config.json"
	[ -e /proc/kcore ] || skip "this host's kernel has no /proc/kcore"
	set_args sh -c 'wc -c </proc/kcore'
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" -eq 0 ]
}

@test "maskedPaths: /proc/keys and /proc/timer_list are empty" {
	for f in /proc/keys /proc/timer_list; do
		jq -e --arg f "$f" '.linux.maskedPaths | index($f)' "$BUNDLE/config.json"
		# not empty on the host
		[ "$(wc -c <"$f")" -gt 0 ]
	done
	set_args sh -c 'wc -c </proc/keys; wc -c </proc/timer_list'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 0 ]
	[ "${lines[1]}" -eq 0 ]
}

@test "readonlyPaths: /proc/sys is read-only" {
	jq -e '.linux.readonlyPaths | index("/proc/sys")' "$BUNDLE/config.json"
	set_args sh -c 'echo 1 >/proc/sys/vm/drop_caches && echo wrote; touch /proc/sys/x && echo touched; awk "\$5 == \"/proc/sys\" {print \$6}" /proc/self/mountinfo'
	run_ct
	[ "$status" -eq 0 ]
	[[ $output != *wrote* ]]
	[[ $output != *touched* ]]
	[[ $output == *"Read-only file system"* ]]
	[[ ${lines[-1]} == ro,* ]]
}

@test "devices: the default device nodes and /dev links" {
	set_args sh -c 'for d in null zero full random urandom tty; do
			echo "$d $(stat -c "%F %t:%T" /dev/$d)"
		done
		for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done
		echo hi >/dev/null && head -c 4 /dev/zero | wc -c'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "null character special file 1:3" ]
	[ "${lines[1]}" = "zero character special file 1:5" ]
	[ "${lines[2]}" = "full character special file 1:7" ]
	[ "${lines[3]}" = "random character special file 1:8" ]
	[ "${lines[4]}" = "urandom character special file 1:9" ]
	[ "${lines[5]}" = "tty character special file 5:0" ]
	[ "${lines[6]}" = "fd /proc/self/fd" ]
	[ "${lines[7]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[8]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[9]}" = "stderr /proc/self/fd/2" ]
	[ "${lines[10]}" = 4 ]
}

@test "BERTH_PHASES: runtime and init mark their steps; the process sees neither the variable nor the file" {
	requires_berth
	local log=$BATS_TEST_TMPDIR/phases
	set_args sh -c 'env; ls -l /proc/self/fd/'
	export BERTH_PHASES=$log
	run_ct
	unset BERTH_PHASES
	[ "$status" -eq 0 ]
	[[ $output != *BERTH_PHASES* ]]
	[[ $output != *"$log"* ]]
	cat "$log"
	# One file, two processes: the runtime's steps and the init's.
	grep -q ' config$' "$log"
	grep -q ' ready$' "$log"
	grep -q ' init-exec$' "$log"
	[ "$(awk '$3 == "init-exec" { print $2 }' "$log")" != "$(awk '$3 == "config" { print $2 }' "$log")" ]
}
