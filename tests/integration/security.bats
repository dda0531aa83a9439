#!/usr/bin/env bats
# security: one test per class of runc's security advisories, each a real
# exploit attempt that must fail, and each checking that the host is
# untouched, not only that a command failed. The rootfs, its volumes and
# its /dev are the attacker's.
# shellcheck disable=SC2016 # the container's shell expands the $s in set_args

load helpers

setup() {
	setup_busybox_bundle
	update_config '.root.readonly = false'
	RACER=
}

teardown() {
	if [[ -n $RACER ]]; then
		kill "$RACER" 2>/dev/null || true
		wait "$RACER" 2>/dev/null || true
	fi
	teardown_containers
}

run_ct() {
	run berth run --bundle "$BUNDLE" "${1:-$CID}"
	echo "status $status, output:"
	echo "$output"
}

# create_fails WHAT...: create fails naming each WHAT and leaves nothing.
create_fails() {
	create_container "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	local w
	for w in "$@"; do
		[[ $output == *"$w"* ]]
	done
	assert_no_leftovers "$CID"
}

userns_config() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traverse "$BUNDLE"
}

# every capability the host's bounding set has, as JSON names
all_caps() {
	"$BERTH" features | jq -c --argjson bnd "$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))" \
		'[.linux.capabilities | to_entries[] | select(($bnd / pow(2; .key) | floor) % 2 == 1) | .value]'
}

@test "CVE-2016-9962: the init is not dumpable until exec: a fully capable process in its namespaces cannot read its fds" {
	userns_config
	set_args sleep 600
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(berth state "$CID" | jq -r .pid)
	# The attacker: root of the same user namespace, every capability
	# there, in the same pid namespace. Only non-dumpability stops it.
	B=$BATS_TEST_TMPDIR/b
	setup_busybox_bundle "$B"
	BUNDLE=$B userns_config
	BUNDLE=$B update_config '.root.readonly = false
		| .linux.namespaces |= map(if .type == "user" then .path = $u elif .type == "pid" then .path = $p else . end)
		| del(.linux.uidMappings, .linux.gidMappings)
		| .process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}' \
		--arg u "/proc/$pid/ns/user" --arg p "/proc/$pid/ns/pid" --argjson c "$(all_caps)"
	BUNDLE=$B set_args sh -c 'grep CapEff /proc/self/status; readlink /proc/1/exe || echo exe-denied; ls /proc/1/fd || echo fd-denied; cat /proc/1/environ || echo environ-denied'
	BUNDLE=$B run_ct "$CID-b"
	[ "$status" -eq 0 ]
	[[ $output == *exe-denied* ]]
	[[ $output == *fd-denied* ]]
	[[ $output == *environ-denied* ]]
	[[ $output == *"Permission denied"* ]]
	# The control: once the user's program runs, the same attacker can
	# read it, so it was the init's non-dumpability that stopped it.
	berth start "$CID"
	wait_for_status "$CID" running
	BUNDLE=$B run_ct "$CID-c"
	[ "$status" -eq 0 ]
	[[ $output != *fd-denied* ]]
	[[ $output == *busybox* ]]
	# exec (CVE-2016-9962's other half) is not built yet. Note: with
	# fs.suid_dumpable=0 the kernel also makes the init non-dumpable when
	# the C stage changes its uid in the user namespace; berth's own
	# PR_SET_DUMPABLE (repeated after each change of credentials) is what
	# holds on hosts where suid_dumpable is 1 or 2.
}

# cve_2019_5736: the attack below on the init of a container created as
# the caller's environment says (the C init starts as the standalone stage,
# the Go init as berth's binary); neither file may change.
cve_2019_5736() {
	# A copy, so that a failure of this test cannot destroy ./berth.
	cp "$BERTH" "$BATS_TEST_TMPDIR/berth"
	BERTH=$BATS_TEST_TMPDIR/berth
	sum=$(sha256sum <"$BERTH")
	export BERTH_STAGE_CACHE=$BATS_TEST_TMPDIR/stage
	X=$BATS_TEST_TMPDIR/x
	mkdir "$X"
	set_args sleep 600
	create_container "$CID"
	[ "$status" -eq 0 ]
	pid=$(berth state "$CID" | jq -r .pid)
	# The attacker shares the init's pid namespace and has CAP_SYS_PTRACE
	# (a privileged container): it keeps a handle on /proc/1/exe while the
	# init runs berth, waits until the init has executed the user's
	# program and no berth process is left, then writes through it.
	B=$BATS_TEST_TMPDIR/b
	setup_busybox_bundle "$B"
	BUNDLE=$B update_config '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)
		| .process.capabilities.bounding += ["CAP_SYS_PTRACE"] | .process.capabilities.effective += ["CAP_SYS_PTRACE"]
		| .process.capabilities.permitted += ["CAP_SYS_PTRACE"]
		| .mounts += [{"destination": "/x", "type": "bind", "source": $x, "options": ["bind"]}]' \
		--arg p "/proc/$pid/ns/pid" --arg x "$X"
	BUNDLE=$B set_args sh -c '
		exec 7</proc/1/exe || { echo open-failed >/x/result; exit 1; }
		cat /proc/1/exe >/x/ready.exe
		orig=$(readlink /proc/1/exe); echo "$orig" >/x/ready
		while [ "$(readlink /proc/1/exe)" = "$orig" ]; do sleep 0.05; done
		sleep 0.5
		{ echo pwned >/proc/self/fd/7 && echo WROTE; } >/x/result 2>&1
		echo done >>/x/result'
	berth run -d --bundle "$B" "$CID-b" </dev/null >"$BATS_TEST_TMPDIR/b.out" 2>&1 3>&-
	for _ in $(seq 100); do [ -e "$X/ready" ] && break; sleep 0.1; done
	cat "$X/ready"
	berth start "$CID"
	for _ in $(seq 100); do grep -q done "$X/result" 2>/dev/null && break; sleep 0.1; done
	cat "$X/result"
	grep -q done "$X/result"
	! grep -q WROTE "$X/result"
	grep -q "Read-only file system" "$X/result"
	[ "$(sha256sum <"$BERTH")" = "$sum" ]
	"$BERTH" --version
	for stage in "$BERTH_STAGE_CACHE"/*; do
		[ -e "$stage" ] || continue
		[ "$(sha256sum <"$stage" | cut -d' ' -f1)" = "$(basename "$stage")" ]
	done
}

@test "CVE-2019-5736: the standalone stage cannot be overwritten through the init's /proc/<pid>/exe" {
	cve_2019_5736
	grep -qx "$(ls "$BERTH_STAGE_CACHE")" <(sha256sum <"$X/ready.exe" | cut -d' ' -f1)
}

@test "CVE-2019-5736: the berth binary cannot be overwritten through the Go init's /proc/<pid>/exe" {
	BERTH_INIT=go cve_2019_5736
	cmp "$X/ready.exe" "$BERTH"
}

@test "CVE-2019-16884: a fake /proc over the real one is refused" {
	F=$BATS_TEST_TMPDIR/fakeproc
	mkdir -p "$F/self/attr" "$F/sys/kernel"
	echo untouched >"$F/self/attr/exec"
	echo untouched >"$F/sys/kernel/shmmax"
	update_config '.mounts += [{"destination": "/proc", "type": "bind", "source": $f, "options": ["rbind"]}]
		| .linux.sysctl = {"kernel.shmmax": "4242"}' --arg f "$F"
	create_fails "only a procfs may be mounted on /proc" CVE-2019-16884
	[ "$(cat "$F/self/attr/exec")" = untouched ]
	[ "$(cat "$F/sys/kernel/shmmax")" = untouched ]
	[ "$(cat /proc/sys/kernel/shmmax)" != 4242 ]
	update_config '.mounts |= map(select(.source != $f)) | .mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]' --arg f "$F"
	create_fails "only a procfs may be mounted on /proc"
}

@test "CVE-2019-19921: a mount through a symlink into /proc is refused, also while the symlink races" {
	S=$BATS_TEST_TMPDIR/s
	mkdir "$S"
	touch "$S/marker"
	ln -s /proc "$BUNDLE/rootfs/evil"
	update_config '.mounts += [{"destination": "/evil/sys", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$S"
	create_fails "inside /proc" CVE-2019-19921
	# A racing volume: /vol flips between a directory and a symlink to /proc.
	rm "$BUNDLE/rootfs/evil"
	update_config '.mounts |= map(select(.source != $s)) | .mounts += [{"destination": "/vol/sys", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$S"
	set_args sh -c '[ -e /proc/sys/marker ] && echo HIT; [ -e /vol/sys/marker ] && echo in-vol; true'
	R=$BUNDLE/rootfs
	(set +e; while :; do
		rm -rf "$R/vol" 2>/dev/null; mkdir "$R/vol" 2>/dev/null
		rm -rf "$R/vol" 2>/dev/null; ln -s /proc "$R/vol" 2>/dev/null
	done) &
	RACER=$!
	ok=0 refused=0
	for i in $(seq 20); do
		run berth run --bundle "$BUNDLE" "$CID-$i"
		[[ $output != *HIT* ]] || { echo "iteration $i: $output"; false; }
		if [ "$status" -eq 0 ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
	done
	echo "$ok ran, $refused refused"
	[ "$((ok + refused))" -eq 20 ]
}

@test "CVE-2021-30465: a bind destination swapped for a symlink in a loop never mounts outside its place" {
	S=$BATS_TEST_TMPDIR/s
	mkdir "$S"
	touch "$S/marker"
	R=$BUNDLE/rootfs
	mkdir "$R/escaped"
	# The symlink names the host path of the container's /escaped: a
	# runtime that let the kernel follow it would mount there.
	target=$R/escaped
	update_config '.mounts += [{"destination": "/dst", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$S"
	set_args sh -c '[ -e /escaped/marker ] && echo HIT; true'
	(set +e; while :; do
		rm -rf "$R/dst" 2>/dev/null; mkdir "$R/dst" 2>/dev/null
		rm -rf "$R/dst" 2>/dev/null; ln -s "$target" "$R/dst" 2>/dev/null
	done) &
	RACER=$!
	for i in $(seq 30); do
		run berth run --bundle "$BUNDLE" "$CID-$i"
		[[ $output != *HIT* ]] || { echo "iteration $i: $output"; false; }
		[ ! -e "$R/escaped/marker" ]
	done
	kill "$RACER"
	wait "$RACER" || true
	RACER=
	[ -z "$(ls -A "$R/escaped")" ]
	[ -z "$(ls -A "$S" | grep -v marker)" ]
}

@test "CVE-2022-29162: no inheritable capabilities unless the config asks: file capabilities give nothing" {
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) is not installed"
	R=$BUNDLE/rootfs
	# busybox picks its applet by name: a copy called grep is grep
	mkdir "$R/opt"
	cp "$R/bin/busybox" "$R/opt/grep"
	setcap cap_net_bind_service+ei "$R/opt/grep"
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false
		| .process.capabilities |= del(.inheritable, .ambient)'
	set_args /opt/grep -E '^Cap(Inh|Prm|Eff)' /proc/self/status
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapInh:	0000000000000000" ]
	[ "${lines[1]}" = "CapPrm:	0000000000000000" ]
	[ "${lines[2]}" = "CapEff:	0000000000000000" ]
	# asked for: the same file gains the capability
	update_config '.process.capabilities.inheritable = ["CAP_NET_BIND_SERVICE"]'
	run_ct "$CID-2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapInh:	0000000000000400" ]
	[ "${lines[1]}" = "CapPrm:	0000000000000400" ]
}

@test "CVE-2023-25809: without a cgroup namespace the host's cgroup tree is out of reach, even asked rw" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))
		| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options = ["nosuid", "noexec", "nodev", "rw"] else . end)'
	name=berth-cve-25809-$$
	# a cgroup of the host's, which the container must not see
	marker=berth-marker-$$
	top=()
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -e "$d/cgroup.procs" ] || continue
		mkdir "$d/$marker" && top+=("$d")
	done
	[ "${#top[@]}" -gt 0 ]
	set_args sh -c "find /sys/fs/cgroup -maxdepth 3 -name $marker; for d in /sys/fs/cgroup /sys/fs/cgroup/*; do mkdir \$d/$name 2>/dev/null; done; echo end"
	run_ct
	for d in "${top[@]}"; do rmdir "$d/$marker"; done
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = end ]
	# nothing made at the top of any host hierarchy
	for d in "${top[@]}"; do
		[ ! -e "$d/$name" ] || { echo "created $d/$name on the host"; false; }
	done
}

@test "CVE-2023-27561, CVE-2023-28642: a symlinked /proc or /sys in the image is refused" {
	H=$BATS_TEST_TMPDIR/hostdir
	mkdir "$H"
	R=$BUNDLE/rootfs
	rmdir "$R/proc"
	ln -s "$H" "$R/proc"
	create_fails "/proc in the rootfs is a symlink"
	[ -z "$(ls -A "$H")" ]
	rm "$R/proc"
	ln -s etc "$R/proc"
	create_fails "/proc in the rootfs is a symlink"
	rm "$R/proc"
	mkdir "$R/proc"
	rmdir "$R/sys"
	ln -s "../../../../../../../../$H" "$R/sys"
	create_fails "/sys in the rootfs is a symlink"
	[ -z "$(ls -A "$H")" ]
}

@test "CVE-2024-21626: process.cwd through a leaked fd fails cleanly, and no runtime fd reaches the container" {
	for n in 3 4 5 6 7 8 9 10 11 12; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		create_container "$CID-$n"
		echo "fd $n: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"process.cwd"* ]]
		assert_no_leftovers "$CID-$n"
	done
	update_config '.process.cwd = "/"'
	set_args sh -c 'for f in /proc/self/fd/*; do echo "$f $(readlink "$f")"; done'
	run berth run --bundle "$BUNDLE" "$CID" 5</dev/null 6<"$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	# stdio and the glob's own directory fd; nothing of the runtime's
	[ "${#lines[@]}" -le 4 ]
	[[ $output != *socket:* ]]
	[[ $output != *"$BATS_TEST_TMPDIR"* ]]
	[[ $output != */proc\ * ]]
}

@test "CVE-2024-45310: a mkdir race on a mount destination cannot create anything on the host" {
	H=$BATS_TEST_TMPDIR/hostdir
	mkdir "$H"
	R=$BUNDLE/rootfs
	update_config '.mounts += [{"destination": "/race/a/b/c", "type": "tmpfs", "source": "tmpfs"}]'
	set_args true
	(set +e; while :; do
		rm -rf "$R/race" 2>/dev/null; mkdir "$R/race" 2>/dev/null
		rm -rf "$R/race" 2>/dev/null; ln -s "$H" "$R/race" 2>/dev/null
	done) &
	RACER=$!
	for i in $(seq 30); do
		run berth run --bundle "$BUNDLE" "$CID-$i"
		[ -z "$(ls -A "$H")" ] || { echo "iteration $i created $(ls -A "$H") on the host"; false; }
	done
}

@test "CVE-2025-31133: /dev/null swapped for a symlink cannot unmask or redirect masked paths" {
	D=$BATS_TEST_TMPDIR/dev
	mkdir "$D"
	cp /proc/sys/kernel/core_pattern "$BATS_TEST_TMPDIR/core_pattern.before"
	ln -s /proc/sys/kernel/core_pattern "$D/null"
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))
		| .mounts += [{"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind"]}]' --arg d "$D"
	create_fails "/dev/null in the container is not the 1:3 character device"
	# racing: null flips between the real device and the symlink
	rm "$D/null"
	set_args sh -c 'wc -c </proc/keys; echo "|x" >/proc/sys/kernel/core_pattern && echo WROTE; true'
	(set +e; while :; do
		rm -f "$D/null.new"; mknod "$D/null.new" c 1 3 2>/dev/null && mv -fT "$D/null.new" "$D/null"
		ln -sfn /proc/sys/kernel/core_pattern "$D/null.new" && mv -fT "$D/null.new" "$D/null"
	done) &
	RACER=$!
	for i in $(seq 20); do
		run berth run --bundle "$BUNDLE" "$CID-$i"
		if [ "$status" -eq 0 ]; then
			[ "${lines[0]}" = 0 ] || { echo "iteration $i: /proc/keys not masked: $output"; false; }
		fi
		[[ $output != *WROTE* ]]
		cmp /proc/sys/kernel/core_pattern "$BATS_TEST_TMPDIR/core_pattern.before"
	done
}

@test "CVE-2025-52565: an image's /dev/console symlink is replaced; the console is the verified pty peer" {
	R=$BUNDLE/rootfs
	update_config '.process.terminal = true | .mounts |= map(select(.destination != "/dev"))'
	ln -s ../proc/sysrq-trigger "$R/dev/console"
	# a symlink planted as a pty name, for a runtime that looked up /dev/pts/N
	mkdir -p "$R/dev/pts"
	ln -s ../../proc/sys/kernel/core_pattern "$R/dev/pts/0"
	set_args sh -c 'stat -c "%F %t" /dev/console; readlink /proc/self/fd/0; awk "\$5 == \"/proc/sysrq-trigger\" || \$5 == \"/proc/sys/kernel/core_pattern\" {print \$5, \$9}" /proc/self/mountinfo'
	run script -qec "$BERTH --root $ROOT run --bundle $BUNDLE $CID" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"character special file 88"* ]]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output != *devpts* ]]
	[ -f "$R/dev/console" ] && [ ! -L "$R/dev/console" ]
}

@test "CVE-2025-52881: sysctl writes reach the kernel, never a file the image or a mount put in their way" {
	before=$(cat /proc/sys/kernel/shmmax)
	update_config '.linux.sysctl = {"kernel.shmmax": "4242"}'
	set_args cat /proc/sys/kernel/shmmax
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" = 4242 ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$before" ]
	# a mount that would put a file over /proc/sys/kernel/shmmax through a
	# symlink: refused
	F=$BATS_TEST_TMPDIR/fake
	echo untouched >"$F"
	ln -s /proc/sys/kernel "$BUNDLE/rootfs/k"
	update_config '.mounts += [{"destination": "/k/shmmax", "type": "bind", "source": $f, "options": ["bind"]}]' --arg f "$F"
	create_fails "inside /proc"
	[ "$(cat "$F")" = untouched ]
	# no procfs on /proc: the image's own /proc/sys files are not written
	update_config '.mounts |= map(select(.source != $f and .destination != "/proc"))' --arg f "$F"
	mkdir -p "$BUNDLE/rootfs/proc/sys/kernel"
	echo untouched >"$BUNDLE/rootfs/proc/sys/kernel/shmmax"
	set_args true
	run_ct "$CID-2"
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/rootfs/proc/sys/kernel/shmmax")" = untouched ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$before" ]
	# LSM attribute writes: berth has none (no AppArmor or SELinux support
	# yet), so there is nothing to redirect.
}

@test "CVE-2026-41579: an image /dev that is a symlink to a host directory is refused" {
	H=$BATS_TEST_TMPDIR/hostdev
	mkdir "$H"
	R=$BUNDLE/rootfs
	rmdir "$R/dev"
	ln -s "$H" "$R/dev"
	create_fails "/dev in the rootfs is a symlink"
	[ -z "$(ls -A "$H")" ]
	rm "$R/dev"
	ln -s "../../../../../../../../../../$H" "$R/dev"
	create_fails "/dev in the rootfs is a symlink"
	[ -z "$(ls -A "$H")" ]
	# without a /dev mount in the config, the devices are still not
	# created through the symlink
	update_config '.mounts |= map(select(.destination != "/dev"))'
	create_container "$CID-x"
	[ -z "$(ls -A "$H")" ]
}
