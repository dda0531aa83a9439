#!/usr/bin/env bats
# linux.seccomp: actions, errno values, argument filters, the ENOSYS rule
# for allow-lists, flags, bad profiles, and both load points (after
# no_new_privs, and before the user change when noNewPrivileges is false).
# Notify agents are in seccomp-notify.bats.

load helpers

# Syscall numbers differ per architecture; the tests that use numbers
# take them from the C headers (gcc is a build dependency for cgo).
syscall_table() {
	echo '#include <sys/syscall.h>' | gcc -dM -E - |
		awk '$2 ~ /^__NR_/ && $3 ~ /^[0-9]+$/ { sub("__NR_", "", $2); print $2, $3 }'
}

# seccomp PROFILE-JSON: set linux.seccomp.
seccomp() {
	update_config '.linux.seccomp = $p' --argjson p "$1"
}

# deny ACTION [EXTRA-JQ]: a default-allow profile whose one rule applies
# ACTION to mkdir and mkdirat (busybox's mkdir uses one or the other).
deny_mkdir() {
	seccomp "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"$1\"${2:+,$2}}]}"
}

setup() {
	setup_busybox_bundle
}

@test "seccomp: SCMP_ACT_ERRNO denies with EPERM by default" {
	deny_mkdir SCMP_ACT_ERRNO
	set_args sh -c 'mkdir /dev/shm/d; echo "rc=$?"; touch /dev/shm/f && echo other-syscalls-work'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"can't create directory '/dev/shm/d': Operation not permitted"* ]]
	[[ $output == *"rc=1"* ]]
	[[ $output == *other-syscalls-work* ]]
}

@test "seccomp: errnoRet sets the errno (EXDEV, ENOSYS)" {
	deny_mkdir SCMP_ACT_ERRNO '"errnoRet":18'
	set_args mkdir /dev/shm/d
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"Invalid cross-device link"* ]]

	deny_mkdir SCMP_ACT_ERRNO '"errnoRet":38'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"Function not implemented"* ]]
}

@test "seccomp: args filter only the matching calls (EQ, MASKED_EQ)" {
	# chmod(path, mode) has the mode at index 1, fchmodat(dirfd, path,
	# mode) at index 2. Denied: mode 0700 exactly (EACCES), and any mode
	# with the world-write bit (mask 0002, EPERM).
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["chmod"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":1,"value":448,"op":"SCMP_CMP_EQ"}]},
		{"names":["fchmodat"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":2,"value":448,"op":"SCMP_CMP_EQ"}]},
		{"names":["chmod"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":2,"valueTwo":2,"op":"SCMP_CMP_MASKED_EQ"}]},
		{"names":["fchmodat"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":2,"valueTwo":2,"op":"SCMP_CMP_MASKED_EQ"}]}]}'
	set_args sh -c 'touch /dev/shm/f
		for m in 700 750 757 644 602; do chmod $m /dev/shm/f 2>&1 && echo "$m ok"; done; true'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/shm/f: Permission denied"* ]]   # 700
	[[ $output == *"750 ok"* ]]
	[[ $output == *"/dev/shm/f: Operation not permitted"* ]] # 757
	[[ $output == *"644 ok"* ]]
	[[ $output != *"700 ok"* && $output != *"757 ok"* && $output != *"602 ok"* ]]
}

@test "seccomp: allow-list: defaultErrnoRet for left-out syscalls, ENOSYS for newer ones" {
	requires_berth # the ENOSYS rule is berth's (runc's differs in detail)
	cp "$REPO/tests/bin/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	local table clone3 mkdir names
	table=$(syscall_table)
	clone3=$(awk '$1 == "clone3" { print $2 }' <<<"$table")
	mkdir=$(awk '$1 == "mkdirat" { print $2 }' <<<"$table")
	[[ -n $clone3 && -n $mkdir ]]
	# Everything older than clone3 but mkdir/mkdirat.
	names=$(awk -v max="$clone3" '$2 < max && $1 != "mkdir" && $1 != "mkdirat" { print $1 }' <<<"$table" | jq -R . | jq -s -c .)
	seccomp "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":13,\"syscalls\":[{\"names\":$names,\"action\":\"SCMP_ACT_ALLOW\"}]}"
	set_args sh -c "mkdir /dev/shm/d; sysprobe $clone3 $mkdir"
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# mkdirat is older than the profile's newest syscall: the author left
	# it out on purpose, so the default errno (13, EACCES) applies.
	[[ $output == *"can't create directory '/dev/shm/d': Permission denied"* ]]
	[[ $output == *"$mkdir EACCES"* ]]
	# clone3 is newer than everything the profile names: ENOSYS, so that
	# libc falls back to clone.
	[[ $output == *"$clone3 ENOSYS"* ]]
}

@test "seccomp: SCMP_ACT_KILL, KILL_THREAD and KILL_PROCESS end the process with SIGSYS (159)" {
	set_args mkdir /dev/shm/d
	local act
	for act in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS; do
		deny_mkdir "$act"
		run berth run --bundle "$BUNDLE" "$CID"
		echo "$act: status $status"
		[ "$status" -eq 159 ]
		assert_no_leftovers "$CID"
	done
}

@test "seccomp: SCMP_ACT_TRAP sends SIGSYS, which a handler can catch" {
	# ash's umask builtin runs in the shell itself: with TRAP the shell's
	# SIGSYS trap runs and the shell goes on (KILL would end it).
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["umask"],"action":"SCMP_ACT_TRAP"}]}'
	set_args sh -c 'trap "echo caught SIGSYS" SYS; umask 077; echo still here'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"caught SIGSYS"* ]]
	[[ $output == *"still here"* ]]
	# Uncaught, it ends the process like a kill: 128+SIGSYS.
	deny_mkdir SCMP_ACT_TRAP
	set_args mkdir /dev/shm/d
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 159 ]
}

@test "seccomp: SCMP_ACT_LOG allows the syscall and logs it" {
	deny_mkdir SCMP_ACT_LOG
	set_args sh -c 'mkdir /dev/shm/logged && ls -d /dev/shm/logged'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/shm/logged"* ]]
	# The kernel logs it (audit type 1326, SECCOMP_RET_LOG = 0x7ffc0000)
	# when "log" is among the logged actions and the log is readable. The
	# line names the process's host pid: mkdir runs as the init here.
	grep -qw log /proc/sys/kernel/seccomp/actions_logged || skip "the kernel does not log SCMP_ACT_LOG here (actions_logged)"
	dmesg >/dev/null 2>&1 || skip "dmesg is not readable here"
	set_args mkdir /dev/shm/logged
	create_container "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	berth start "$CID"
	wait_for_status "$CID" stopped
	dmesg | grep 'type=1326' | grep "pid=$pid comm=\"mkdir\"" | grep -q 'code=0x7ffc0000'
}

@test "seccomp: syscall names unknown to libseccomp are skipped (logged with --debug)" {
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["berth_no_such_syscall","mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'mkdir /dev/shm/d'
	# A fresh filter cache: a cached program is not compiled, so nothing
	# would be skipped or logged.
	BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache run "$BERTH" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/log" run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"Operation not permitted"* ]]
	grep -q 'skipping syscall \\\?"berth_no_such_syscall' "$BATS_TEST_TMPDIR/log"
}

@test "seccomp: compiled filters are cached; a damaged entry is compiled again, never used" {
	export BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache
	deny_mkdir SCMP_ACT_ERRNO
	set_args sh -c 'mkdir /dev/shm/d'
	runlog() { # runlog N: a run logged at debug level to log.N
		run "$BERTH" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/log.$1" run --bundle "$BUNDLE" "$CID"
		[ "$status" -eq 1 ]
		[[ $output == *"Operation not permitted"* ]]
	}
	runlog 1
	grep -q 'filter compiled and cached' "$BATS_TEST_TMPDIR/log.1"
	entries=("$BERTH_SECCOMP_CACHE"/*)
	[ "${#entries[@]}" -eq 1 ]
	[ "$(stat -c %a "$BERTH_SECCOMP_CACHE")" = 700 ]
	[ "$(stat -c %a "${entries[0]}")" = 600 ]

	runlog 2
	grep -q 'filter read from the cache' "$BATS_TEST_TMPDIR/log.2"

	# A damaged entry (one instruction short: the hash no longer
	# matches) is not used; the filter is built again and still denies.
	truncate -s -8 "${entries[0]}"
	runlog 3
	grep -q 'does not match its hash' "$BATS_TEST_TMPDIR/log.3"
	grep -q 'filter compiled and cached' "$BATS_TEST_TMPDIR/log.3"
	runlog 4
	grep -q 'filter read from the cache' "$BATS_TEST_TMPDIR/log.4"

	# Another profile is another entry; "off" writes nothing.
	deny_mkdir SCMP_ACT_ERRNO '"errnoRet":1'
	runlog 5
	entries=("$BERTH_SECCOMP_CACHE"/*)
	[ "${#entries[@]}" -eq 2 ]
	deny_mkdir SCMP_ACT_ERRNO '"errnoRet":1' # same rule as errnoRet 1 is EPERM
	update_config '.linux.seccomp.syscalls[0].names += ["rmdir"]'
	BERTH_SECCOMP_CACHE=off runlog 6
	! grep -q 'seccomp cache\|from the cache\|and cached' "$BATS_TEST_TMPDIR/log.6"
	entries=("$BERTH_SECCOMP_CACHE"/*)
	[ "${#entries[@]}" -eq 2 ]
}

@test "seccomp: filter flags are passed to the kernel" {
	deny_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
	set_args sh -c 'mkdir /dev/shm/d; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output == *"Seccomp:"*2* ]]
}

@test "seccomp: noNewPrivileges false: loaded before the user change, works for a non-root user" {
	deny_mkdir SCMP_ACT_ERRNO
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'id -u; mkdir /dev/shm/d; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *1000* ]]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output =~ NoNewPrivs:[[:space:]]+0 ]]
	[[ $output =~ Seccomp:[[:space:]]+2 ]]

	# With no_new_privs the same profile goes in last, after the bit.
	update_config '.process.noNewPrivileges = true'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output =~ NoNewPrivs:[[:space:]]+1 ]]
}

@test "seccomp: a profile that kills the init's own syscalls fails with a clear error, no hang" {
	requires_berth
	# noNewPrivileges false: the filter is in before the user change, whose
	# capset it kills. Thread kill (the Go init keeps other threads) and
	# process kill both end in one error and nothing left.
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	local act
	for act in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS; do
		seccomp "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"capset\"],\"action\":\"$act\"}]}"
		create_container "$CID"
		echo "$act: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"create:"*"seccomp"*"init"* ]]
		[ "$(wc -l <<<"$output")" -eq 1 ]
		assert_no_leftovers "$CID" "$CID"
	done
	# noNewPrivileges true: loaded last, so only execve is left to kill;
	# start reports it.
	update_config '.process.noNewPrivileges = true'
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_KILL"}]}'
	create_container "$CID"
	[ "$status" -eq 0 ]
	run berth start "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"start:"*"linux.seccomp killed the container's init"* ]]
}

@test "seccomp: bad action, arch, operator or flag: one clear error, nothing left" {
	local bad
	for bad in \
		'{"defaultAction":"SCMP_ACT_BOGUS"}|"SCMP_ACT_BOGUS"' \
		'{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}|"SCMP_ARCH_Z80"' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOPE"}]}|syscalls[0].action: unknown action "SCMP_ACT_NOPE"' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}|unknown operator "SCMP_CMP_LIKE"' \
		'{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_BOGUS"]}|unknown flag "SECCOMP_FILTER_FLAG_BOGUS"' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_KILL","errnoRet":1}]}|errnoRet is set but action SCMP_ACT_KILL takes no errno'; do
		seccomp "${bad%%|*}"
		create_container "$CID"
		echo "$output"
		[ "$status" -ne 0 ]
		[[ $output == *"container \"$CID\": create:"*"linux.seccomp"*"${bad#*|}"* ]]
		[ "$(wc -l <<<"$output")" -eq 1 ]
		assert_no_leftovers "$CID" "$CID"
	done
}

@test "seccomp: an architecture libseccomp cannot add here is refused before anything starts" {
	requires_berth
	[[ $(uname -m) == x86_64 ]] || skip "the case is written for an x86_64 host"
	# s390x is big-endian: it cannot share the native filter.
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_S390X"]}'
	create_container "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"linux.seccomp.architectures[1]: SCMP_ARCH_S390X"* ]]
	assert_no_leftovers "$CID" "$CID"
	# The x86 family is fine.
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	set_args mkdir /dev/shm/d
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"Operation not permitted"* ]]
}
