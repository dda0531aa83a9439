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

@test "devices: a bad rule is a clear error and leaves nothing" {
	update_config '.linux.resources.devices += [{"allow": true, "type": "x", "access": "rwm"}]'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.resources.devices[1].type "x"'* ]]
	assert_no_leftovers "$CID"
}
