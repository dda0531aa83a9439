#!/usr/bin/env bats
# linux.resources.devices: default deny plus runc's default allow list,
# checked from inside by opening device nodes the container creates itself
# (CAP_MKNOD added): on this host's v1 devices controller and, in the v2
# view, through the eBPF program berth attaches to the cgroup.

load helpers

setup() {
	setup_busybox_bundle
	update_config '.root.readonly = false
		| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	# c 1:1 is /dev/mem (never in the default list); c 10:200 is
	# /dev/net/tun, which open(2) accepts without other capabilities.
	set_args sh -c 'mknod /tmp/mem c 1 1 && echo mknod-ok
		head -c1 /tmp/mem >/dev/null 2>&1 && echo mem-open || echo mem-denied
		mknod /tmp/tun c 10 200; (exec 3</tmp/tun) 2>/dev/null && echo tun-open || echo tun-denied
		echo x >/dev/null && echo null-open
		head -c1 /dev/urandom >/dev/null && echo urandom-open'
}

check_default_rules() {
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *mknod-ok* ]] # mknod of any node is allowed ("c *:* m")
	[[ "$output" == *mem-denied* ]]
	[[ "$output" == *tun-denied* ]]
	[[ "$output" == *null-open* ]]
	[[ "$output" == *urandom-open* ]]
}

check_allow_rule() {
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]'
	run berth run --bundle "$BUNDLE" "$CID-allow"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *tun-open* ]]
	[[ "$output" == *mem-denied* ]]
}

@test "devices (v1 devices controller): default deny, default list allowed" {
	requires_v1 devices
	check_default_rules
}

@test "devices (v1): an allow rule opens one device and no other" {
	requires_v1 devices
	check_allow_rule
}

@test "devices (v1): devices.list of a running container is the rule list" {
	requires_v1 devices
	set_args sleep 100
	create_container "$CID"
	[ "$status" -eq 0 ]
	run cat "/sys/fs/cgroup/devices/$CID/devices.list"
	echo "$output"
	[[ "$output" == *"c 1:3 rwm"* ]]
	[[ "$output" == *"c 136:* rwm"* ]]
	[[ "$output" != *"a *:* rwm"* ]]
}

@test "devices (cgroup v2 eBPF): default deny, default list allowed" {
	requires_cgroup2
	CGROUP_VIEW=v2
	check_default_rules
}

@test "devices (cgroup v2 eBPF): an allow rule opens one device and no other" {
	requires_cgroup2
	CGROUP_VIEW=v2
	check_allow_rule
}

@test "devices (cgroup v2 eBPF): allow-all (privileged) opens everything" {
	requires_cgroup2
	CGROUP_VIEW=v2
	update_config '.linux.resources.devices = [{"allow": true, "access": "rwm"}]'
	run berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[[ "$output" == *tun-open* ]]
}

# v2_mount: where this host mounts its cgroup2 hierarchy (the v2 view's
# /sys/fs/cgroup).
v2_mount() {
	_mounts | awk '$1 == "cgroup2" {print $2; exit}'
}

@test "devices (cgroup v2 eBPF): the second container with the same rules attaches the cached program" {
	requires_berth
	requires_cgroup2
	CGROUP_VIEW=v2
	local mnt cgprogs first second d
	mnt=$(v2_mount)
	cgprogs=$(test_tool cgprogs)

	# Created, not started: the probe of setup runs only in the last step.
	create_container "$CID"
	[ "$status" -eq 0 ]
	first=$("$cgprogs" "$mnt/$CID")
	[ "$(wc -l <<<"$first")" -eq 1 ]
	# One cache entry holds that program.
	for d in "$mnt/berth:device-filters"/*/; do "$cgprogs" "$d"; done | grep -qx "$first"
	berth delete --force "$CID"
	assert_no_leftovers "$CID"

	# The first container's cgroup is gone; its program lives on.
	create_container "$CID-2"
	[ "$status" -eq 0 ]
	second=$("$cgprogs" "$mnt/$CID-2")
	[ "$second" = "$first" ]
	berth delete --force "$CID-2"

	# The cached program enforces the rules as a fresh one does.
	check_default_rules
}

@test "devices (cgroup v2 eBPF): BERTH_DEVICE_FILTER_CACHE=off loads a program of the container's own" {
	requires_berth
	requires_cgroup2
	CGROUP_VIEW=v2
	local mnt cgprogs own before after d
	mnt=$(v2_mount)
	cgprogs=$(test_tool cgprogs)
	set_args sleep 204
	before=$(find "$mnt/berth:device-filters" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)

	BERTH_DEVICE_FILTER_CACHE=off create_container "$CID"
	[ "$status" -eq 0 ]
	own=$("$cgprogs" "$mnt/$CID")
	[ "$(wc -l <<<"$own")" -eq 1 ]
	for d in "$mnt/berth:device-filters"/*/; do
		[ -d "$d" ] || continue
		if "$cgprogs" "$d" | grep -qx "$own"; then
			echo "the container's program $own is the cached one in $d"
			return 1
		fi
	done
	after=$(find "$mnt/berth:device-filters" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
	[ "$after" = "$before" ]
	berth delete --force "$CID"
	assert_no_leftovers "$CID" "sleep 204"
}

@test "devices: a bad rule is a clear error and leaves nothing" {
	update_config '.linux.resources.devices += [{"allow": true, "type": "x", "access": "rwm"}]'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.resources.devices[1].type "x"'* ]]
	assert_no_leftovers "$CID"
}
