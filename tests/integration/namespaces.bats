#!/usr/bin/env bats
# Namespaces: what a container sees of uts, pid, net, mount, ipc and cgroup
# namespaces of its own, user namespace id mappings, joining a namespace by
# path, and time namespace offsets.

load helpers

setup() {
	setup_busybox_bundle
}

@test "uts: hostname inside is the config's hostname" {
	update_config '.hostname = "ns-box"'
	set_args hostname
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = ns-box ]
	[ "$(hostname)" != ns-box ]
}

@test "pid: the container's shell is PID 1" {
	set_args sh -c 'echo $$'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "pid: /proc shows only the container's few processes" {
	set_args sh -c 'ls -d /proc/[0-9]* | cat'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	# sh, ls and cat at most
	[ "${#lines[@]}" -ge 1 ]
	[ "${#lines[@]}" -le 3 ]
	grep -qx /proc/1 <<<"$output"
	hostn=$(find /proc -maxdepth 1 -name "[0-9]*" | wc -l)
	[ "$hostn" -gt 3 ]
}

@test "net: only lo in the container's network namespace" {
	set_args sh -c 'ls /sys/class/net; echo --; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$output" = "$(printf '%s\n' lo -- lo)" ]
}

@test "mount: the container's mount table does not show the bundle" {
	set_args cat /proc/self/mountinfo
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -gt 0 ]
	# field 5 is the mount point (field 4, the root of the mount within its
	# filesystem, is the rootfs's host path for the bind-mounted root)
	mountpoints=$(awk '{print $5}' <<<"$output")
	if grep -F -- "$BUNDLE" <<<"$mountpoints"; then
		echo "the bundle path $BUNDLE is a mount point in the container"
		false
	fi
	# nothing of the host's mount table is left: every mount point is one
	# of the config's, under /proc, /dev or /sys, or the root
	if grep -Ev '^/$|^/(proc|dev|sys)(/|$)' <<<"$mountpoints"; then
		echo "mount points from outside the config"
		false
	fi
	# one root, and /proc is the container's own
	[ "$(grep -cx / <<<"$mountpoints")" -eq 1 ]
	grep -q ' /proc .* - proc ' <<<"$output"
}

@test "ipc, uts, mount, cgroup, net, pid: namespaces differ from the host's" {
	types="ipc uts mnt cgroup net pid"
	for t in pid network ipc uts mount cgroup; do
		jq -e --arg t "$t" '.linux.namespaces | any(.type == $t)' "$BUNDLE/config.json" >/dev/null
	done
	# shellcheck disable=SC2016 # $t is the container shell's
	set_args sh -c 'for t in '"$types"'; do echo "$t $(readlink /proc/self/ns/$t)"; done'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 6 ]
	for t in $types; do
		inside=$(awk -v t="$t" '$1 == t {print $2}' <<<"$output")
		host=$(readlink "/proc/self/ns/$t")
		echo "$t: inside $inside host $host"
		[[ $inside == "$t:["*"]" ]]
		[ "$inside" != "$host" ]
	done
}

@test "user: uid/gid mappings, root inside is 100000 on the host" {
	grep -qw user <(ls /proc/self/ns) || skip "no user namespaces on this host"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# the container's root (host uid 100000) must be able to reach the
	# rootfs: bats makes its temporary directories 0700
	allow_traverse "$BUNDLE"
	# shellcheck disable=SC2016 # the container's shell expands it
	set_args sh -c 'echo "$(id -u) $(id -g)"; cat /proc/self/uid_map; exec sleep 401'
	out=$BATS_TEST_TMPDIR/run.out
	berth run -d --bundle "$BUNDLE" "$CID" </dev/null >"$out" 2>&1 3>&-
	wait_for_status "$CID" running
	for _ in $(seq 50); do
		[ -s "$out" ] && grep -q 100000 "$out" && break
		sleep 0.1
	done
	cat "$out"
	[ "$(head -n1 "$out")" = "0 0" ]
	read -r a b c < <(sed -n 2p "$out")
	[ "$a $b $c" = "0 100000 65536" ]

	pid=$(berth state "$CID" | jq -r .pid)
	grep Uid "/proc/$pid/status"
	read -r _ ruid euid _ < <(grep '^Uid:' "/proc/$pid/status")
	[ "$ruid" -eq 100000 ]
	[ "$euid" -eq 100000 ]
	read -r _ rgid _ < <(grep '^Gid:' "/proc/$pid/status")
	[ "$rgid" -eq 100000 ]
	[ "$(ps -o uid= -p "$pid" | tr -d ' ')" -eq 100000 ]
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
}

@test "joining a network namespace by path" {
	set_args sleep 402
	create_container "$CID-a"
	[ "$status" -eq 0 ]
	run berth start "$CID-a"
	[ "$status" -eq 0 ]
	wait_for_status "$CID-a" running
	pida=$(berth state "$CID-a" | jq -r .pid)
	netns=$(readlink "/proc/$pida/ns/net")
	[ "$netns" != "$(readlink /proc/self/ns/net)" ]

	setup_busybox_bundle "$BATS_TEST_TMPDIR/bundle-b"
	# shellcheck disable=SC2016 # $p is jq's
	update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$pida/ns/net"
	set_args readlink /proc/self/ns/net
	run berth run --bundle "$BUNDLE" "$CID-b"
	[ "$status" -eq 0 ]
	echo "A: $netns B: $output"
	[ "$output" = "$netns" ]
	# A is unaffected by B
	wait_for_status "$CID-a" running
}

@test "time: a boottime offset shows in /proc/uptime" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this host"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
	set_args cat /proc/uptime
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	hostup=$(cut -d. -f1 /proc/uptime)
	inside=${output%%.*}
	echo "inside: $output host: $hostup"
	[ "$inside" -ge 86400 ]
	[ "$inside" -ge $((hostup + 86400 - 10)) ]
	[ "$inside" -le $((hostup + 86400 + 10)) ]
}
