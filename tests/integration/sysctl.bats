#!/usr/bin/env bats
# linux.sysctl: written in the container's namespaces, never the host's;
# refused for a namespace the container does not have and for keys no
# namespace holds.
# shellcheck disable=SC2016 # the container's shell expands the $s in set_args

load helpers

setup() {
	setup_busybox_bundle
}

run_ct() {
	run berth run --bundle "$BUNDLE" "${1:-$CID}"
	echo "status $status, output:"
	echo "$output"
}

@test "linux.sysctl: net, ipc and uts keys are set in the container's namespaces, not the host's" {
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	shm=$(cat /proc/sys/kernel/shmmni)
	mq=$(cat /proc/sys/fs/mqueue/msg_max)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net/ipv4/conf/all/forwarding": "1",
		"kernel.shmmni": "1234", "fs.mqueue.msg_max": "77", "kernel.domainname": "sysctl.example"}
		| .hostname = "box"'
	set_args cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1234 ]
	[ "${lines[2]}" = 77 ]
	[ "${lines[3]}" = sysctl.example ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$shm" ]
	[ "$(cat /proc/sys/fs/mqueue/msg_max)" = "$mq" ]
}

# sysctl_refused KEY NS-TO-DROP WHAT: create fails naming WHAT, host value kept.
sysctl_refused() {
	local key=$1 drop=$2 what=$3 file before
	file=/proc/sys/${key//.//}
	before=$(cat "$file")
	update_config '.linux.sysctl = {($k): "1"} | .linux.namespaces |= map(select(.type != $d))' --arg k "$key" --arg d "$drop"
	create_container "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$what"* ]]
	[[ $output == *"$key"* ]]
	assert_no_leftovers "$CID"
	[ "$(cat "$file")" = "$before" ]
}

@test "linux.sysctl: a net key without a network namespace is refused" {
	sysctl_refused net.ipv4.ip_forward network "belongs to the network namespace"
}

@test "linux.sysctl: an ipc key without an ipc namespace is refused" {
	sysctl_refused kernel.shmmni ipc "belongs to the ipc namespace"
}

@test "linux.sysctl: keys no namespace holds are refused" {
	sysctl_refused kernel.pid_max none "is not namespaced"
	sysctl_refused vm.overcommit_memory none "is not namespaced"
}
