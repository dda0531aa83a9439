#!/usr/bin/env bats
# The C init (nsenter/cinit.c): a container's init runs a plan compiled by
# the runtime without starting a Go runtime, and makes the same container as
# the Go init (package initproc, kept behind BERTH_INIT=go for the features
# not ported yet). The other files test each feature on whichever init runs
# it; this one checks which init runs, and that both build the same thing.
# shellcheck disable=SC2016 # the container's shell expands the $s in set_args

load helpers

setup() {
	requires_berth
	setup_busybox_bundle
}

# threads_of_init ID [CREATE-ENV]: create ID and print its init's thread
# count while it waits for start (the Go runtime runs several threads from
# its first instruction; the C init one).
threads_of_init() {
	local id=$1
	shift
	env "$@" "$BERTH" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>&1 3>&-
	local pid
	pid=$(berth state "$id" | jq -r .pid)
	awk '$1 == "Threads:" {print $2}' "/proc/$pid/status"
	berth delete --force "$id" >/dev/null
}

@test "cinit: the default bundle's init runs in C, one thread, no Go runtime" {
	n=$(threads_of_init "$CID")
	echo "threads: $n"
	[ "$n" -eq 1 ]
}

@test "cinit: BERTH_INIT=go runs the Go init instead" {
	n=$(threads_of_init "$CID" BERTH_INIT=go)
	echo "threads: $n"
	[ "$n" -gt 1 ]
}

@test "cinit: idmapped mounts: the C init attaches the runtime's tree as the Go init does" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	touch "$BATS_TEST_TMPDIR/src/f"
	chown 1000:1000 "$BATS_TEST_TMPDIR/src/f"
	update_config '.mounts += [{destination: "/m", type: "bind", source: $s, options: ["bind", "idmap", "ro"],
		uidMappings: [{containerID: 1000, hostID: 0, size: 1}], gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]' \
		--arg s "$BATS_TEST_TMPDIR/src"
	set_args sh -c 'stat -c %u:%g /m/f; awk "\$5 == \"/m\" {print \$6}" /proc/self/mountinfo; touch /m/x 2>&1; echo done'
	run_both idmap
	grep -qx 0:0 "$BATS_TEST_TMPDIR/idmap.c"
	grep -q '^ro,.*idmapped' "$BATS_TEST_TMPDIR/idmap.c"
	grep -q 'Read-only file system' "$BATS_TEST_TMPDIR/idmap.c"
	BERTH_PHASES=$BATS_TEST_TMPDIR/phases run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' main$' "$BATS_TEST_TMPDIR/phases")" -eq 1 ] # the C init ran it
}

# probe: what the container's process sees of itself and its filesystem,
# minus what differs between any two runs (mount ids, device numbers of new
# filesystems, times).
probe_args() {
	set_args sh -c '
		id; umask; ulimit -Sn; ulimit -Hn; hostname; cat /proc/sys/kernel/domainname; pwd
		env | sort
		grep -E "^(Cap|NoNewPrivs|Seccomp|Groups)" /proc/self/status
		cat /proc/self/oom_score_adj
		ls /proc/self/fd
		awk "{ \$1 = \$2 = \$3 = \"\"; print }" /proc/self/mountinfo
		for f in /dev/* /dev/pts/ptmx; do stat -c "%n %F %a %u %g %t:%T %N" "$f"; done
		ls -la /data /scratch 2>&1; cat /etc/probe-file
		touch /data/x 2>&1; touch /scratch/x 2>&1; touch /x 2>&1
		cat /proc/kcore /proc/keys 2>&1 | head -c 200; echo
		echo done'
}

# run_both NAME [RUN-OPTS...]: run the probe with the Go init, then with the
# C init, and fail on any difference.
run_both() {
	local name=$1
	shift
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" run "$@" --preserve-fds 1 --bundle "$BUNDLE" "$CID-go" 3</etc/hostname
	echo "Go init: status $status"
	echo "$output" >"$BATS_TEST_TMPDIR/$name.go"
	[ "$status" -eq 0 ]
	run "$BERTH" --root "$ROOT" run "$@" --preserve-fds 1 --bundle "$BUNDLE" "$CID-c" 3</etc/hostname
	echo "C init: status $status"
	echo "$output" >"$BATS_TEST_TMPDIR/$name.c"
	[ "$status" -eq 0 ]
	[[ $output == *done* ]] # a terminal ends it with \r
	diff -u "$BATS_TEST_TMPDIR/$name.go" "$BATS_TEST_TMPDIR/$name.c"
}

# probe_config: a config that uses every attribute the C init sets.
probe_config() {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	echo "a file" >"$BATS_TEST_TMPDIR/probe-file"
	update_config '
		.hostname = "probe" | .domainname = "example.org"
		| .process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 63}
		| .process.cwd = "/work/here"
		| .process.env = ["PATH=/bin", "A=b c"]
		| .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}]
		| .process.oomScoreAdj = 100
		| .process.capabilities = {
			bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
			effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
			permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_NET_BIND_SERVICE"],
			ambient: ["CAP_NET_BIND_SERVICE", "CAP_KILL"]}
		| .mounts += [
			{destination: "/data", type: "bind", source: $data, options: ["rbind", "ro", "nosuid"]},
			{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=1777", "noexec", "rprivate"]},
			{destination: "/etc/probe-file", type: "bind", source: $file, options: ["bind", "rro", "nodev"]}]
		| .linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 384, uid: 0, gid: 0}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rwm"}]
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["syslog"], action: "SCMP_ACT_ERRNO"}]}' \
		--arg data "$BATS_TEST_TMPDIR/data" --arg file "$BATS_TEST_TMPDIR/probe-file"
	probe_args
}

@test "cinit: the C and Go inits make the same container (user, caps, rlimits, mounts, devices, seccomp)" {
	probe_config
	run_both full
	# And the probe saw what the config asked for.
	grep -q '^uid=1000(user) gid=1000(user)' "$BATS_TEST_TMPDIR/full.c"
	grep -qx 'Groups:	10 20 ' "$BATS_TEST_TMPDIR/full.c"
	grep -qx 0077 "$BATS_TEST_TMPDIR/full.c"
	grep -qx /work/here "$BATS_TEST_TMPDIR/full.c"
	grep -qx HOME=/home/user "$BATS_TEST_TMPDIR/full.c"
	grep -qx 'CapAmb:	0000000000000400' "$BATS_TEST_TMPDIR/full.c"
	grep -qx 'Seccomp:	2' "$BATS_TEST_TMPDIR/full.c"
	grep -q '^/dev/fuse character special file 600 0 0 a:e5' "$BATS_TEST_TMPDIR/full.c"
	grep -q '/data .*ro,nosuid' "$BATS_TEST_TMPDIR/full.c"
}

@test "cinit: the C and Go inits make the same container (user namespace, no no_new_privs, --no-pivot)" {
	grep -qw user <(ls /proc/self/ns) || skip "no user namespaces on this host"
	probe_config
	chown -R 100000:100000 "$BUNDLE/rootfs"
	# The container's root (host uid 100000) must reach the rootfs and
	# the bind sources: bats makes its temporary directories 0700.
	allow_traverse "$BATS_TEST_TMPDIR" "$BUNDLE"
	update_config '
		.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .process.noNewPrivileges = false
		| .root.readonly = false'
	run_both userns --no-pivot
	grep -qx 'NoNewPrivs:	0' "$BATS_TEST_TMPDIR/userns.c"
	grep -qx 'Seccomp:	2' "$BATS_TEST_TMPDIR/userns.c"
}

@test "cinit: the C and Go inits give the same terminal (pty stdio, controlling tty, /dev/console, size)" {
	update_config '.process.terminal = true | .process.consoleSize = {height: 33, width: 101}'
	set_args sh -c '
		tty; for f in 0 1 2; do stat -L -c "%F %t:%T" /proc/self/fd/$f; done
		stat -c "%F %t:%T" /dev/console; stty size 2>&1
		awk "{print \$7}" /proc/self/stat; ls /proc/self/fd
		awk "\$5 == \"/dev/console\" || \$5 == \"/dev/pts\" { print \$5, \$9, \$10 }" /proc/self/mountinfo
		echo done'
	run_both terminal
	grep -q '^/dev/pts/0' "$BATS_TEST_TMPDIR/terminal.c"
	[ "$(grep -c '^character special file 88:0' "$BATS_TEST_TMPDIR/terminal.c")" -eq 4 ] # fds 0-2, /dev/console
	grep -q '^34816' "$BATS_TEST_TMPDIR/terminal.c" # controlling tty: 136:0
	grep -q '^/dev/console devpts' "$BATS_TEST_TMPDIR/terminal.c"
	# The C init ran it: only the runtime marks "main" (a Go init marks it
	# again when its Go runtime starts).
	BERTH_PHASES=$BATS_TEST_TMPDIR/phases run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' main$' "$BATS_TEST_TMPDIR/phases")" -eq 1 ]
	grep -q ' init-exec$' "$BATS_TEST_TMPDIR/phases"
}

@test "cinit: the C init writes linux.sysctl; a value the kernel refuses is the same error as the Go init's" {
	update_config '.linux.sysctl = {"kernel.shmmni": "1234", "net/ipv4/conf/all/forwarding": "1"}'
	set_args cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/conf/all/forwarding
	BERTH_PHASES=$BATS_TEST_TMPDIR/phases run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1234 ] && [ "${lines[1]}" = 1 ]
	[ "$(grep -c ' main$' "$BATS_TEST_TMPDIR/phases")" -eq 1 ] # the C init ran it

	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "forty-two"}'
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "Go init: $output"
	[ "$status" -ne 0 ]
	go_err=$output
	run berth run --bundle "$BUNDLE" "$CID"
	echo "C init: $output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"container \"$CID\": create: sysctl net.ipv4.ip_forward = \"forty-two\": invalid argument"* ]]
	[ "$output" = "$go_err" ]
	assert_no_leftovers "$CID"
}

@test "cinit: berth exec: the C and Go inits set up the process alike (user, caps, rlimits, env, cwd, fds, seccomp)" {
	update_config '.process.args = ["sleep", "1000"]
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["syslog"], action: "SCMP_ACT_ERRNO"}]}'
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	probe='id; umask; ulimit -Sn; pwd; env | sort; grep -E "^(Cap|NoNewPrivs|Seccomp|Groups)" /proc/self/status; ls /proc/self/fd; echo done'
	exec_args=(--user 1000:1000 --additional-gids 10 --cwd /tmp --env A=b --cap CAP_KILL --preserve-fds 1)
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" exec "${exec_args[@]}" "$CID" sh -c "$probe" 3</etc/hostname
	echo "Go init: $output"
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/exec.go"
	run "$BERTH" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/log" exec "${exec_args[@]}" "$CID" sh -c "$probe" 3</etc/hostname
	echo "C init: $output"
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/exec.c"
	diff -u "$BATS_TEST_TMPDIR/exec.go" "$BATS_TEST_TMPDIR/exec.c"
	grep -q '^uid=1000(user) gid=1000(user) groups=10' "$BATS_TEST_TMPDIR/exec.c"
	grep -qx 'Seccomp:	2' "$BATS_TEST_TMPDIR/exec.c"
	grep -q 'exec: the C init sets up the process' "$BATS_TEST_TMPDIR/log"

	# A missing program: one line, the same from both.
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" exec "$CID" /no/such
	go_out=$output
	run berth exec "$CID" /no/such
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$output" = "$go_out" ]
}

# both_fail: run the config with the Go init, then the C init: both fail
# with the same one line (but for the container ID), and leave nothing.
both_fail() {
	run env BERTH_INIT=go "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID-go"
	echo "Go init: status $status: $output"
	[ "$status" -ne 0 ]
	local go_out=$output
	run berth run --bundle "$BUNDLE" "$CID"
	echo "C init: status $status: $output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${output//"$CID"/ID}" = "${go_out//"$CID-go"/ID}" ]
	assert_no_leftovers "$CID"
	assert_no_leftovers "$CID-go"
}

@test "cinit: createContainer and startContainer hooks run in C, and fail as in the Go init" {
	# createContainer runs before pivot_root (host paths), startContainer
	# after it (the container's /log is the same directory).
	mkdir -p "$BATS_TEST_TMPDIR/log"
	chmod 0777 "$BATS_TEST_TMPDIR/log"
	update_config '.mounts += [{destination: "/log", type: "bind", source: $d, options: ["rbind", "rw"]}]
		| .hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat >$0/create; ls /proc/self/fd >$0/fds", $d], env: ["A=1"]}]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat >/log/start; echo >>/log/start; echo $A >>/log/start"], env: ["A=2"]}]' \
		--arg d "$BATS_TEST_TMPDIR/log"
	BERTH_PHASES=$BATS_TEST_TMPDIR/phases run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' main$' "$BATS_TEST_TMPDIR/phases")" -eq 1 ] # the C init ran it
	jq -e --arg id "$CID" '.id == $id and .status == "creating" and .pid > 0' "$BATS_TEST_TMPDIR/log/create"
	# Only stdio reaches a hook (3 is ls's own directory), none of the
	# init's sockets.
	[ "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/log/fds")" = "0 1 2 3 " ]
	head -1 "$BATS_TEST_TMPDIR/log/start" | jq -e --arg id "$CID" '.id == $id and .status == "created"'
	[ "$(tail -1 "$BATS_TEST_TMPDIR/log/start")" = 2 ]

	update_config '.hooks.startContainer = [] | .hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo broken >&2; exit 3"]}]'
	both_fail
	[[ $output == *"create: createContainer hook #0 (/bin/sh): exit status 3: broken" ]]
	update_config '.hooks.createContainer = [{path: "/bin/sleep", args: ["sleep", "10"], timeout: 1}]'
	both_fail
	[[ $output == *"createContainer hook #0 (/bin/sleep): timed out after 1s" ]]
	update_config '.hooks.createContainer = [{path: "/no/such/hook"}]'
	both_fail
	[[ $output == *"createContainer hook #0 (/no/such/hook): fork/exec /no/such/hook: no such file or directory" ]]
	update_config '.hooks.createContainer = [] | .hooks.startContainer = [{path: "/bin/true"}, {path: "/bin/sh", args: ["sh", "-c", "kill -9 $$"]}]'
	both_fail
	[[ $output == *"startContainer hook #1 (/bin/sh): signal: killed" ]]
}

@test "cinit: errors from the C init name the container, the step and the path" {
	update_config '.mounts += [{destination: "/proc/sys/kernel", type: "tmpfs", source: "tmpfs"}]'
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"container \"$CID\": create: mount tmpfs on \"/proc/sys/kernel\": the destination resolves to /proc/sys/kernel, inside /proc"* ]]
	assert_no_leftovers "$CID"
}
