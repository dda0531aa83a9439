#!/usr/bin/env bats
# device nodes: linux.devices (char, block, fifo with mode and owner;
# bind-mounted from the host in a user namespace), /dev/pts and /dev/ptmx.
# (devices.bats is the cgroup device controller.)
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

@test "linux.devices: char, block and fifo with fileMode, uid and gid" {
	update_config '.linux.devices = [
		{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 1000, "gid": 1000},
		{"path": "/dev/loop-test", "type": "b", "major": 7, "minor": 200, "fileMode": 416, "uid": 0, "gid": 6},
		{"path": "/dev/sub/fifo", "type": "p", "fileMode": 420}]'
	set_args sh -c 'for d in /dev/fuse /dev/loop-test /dev/sub/fifo; do stat -c "%n %F %t:%T %a %u:%g" $d; done'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/fuse character special file a:e5 600 1000:1000" ]
	[ "${lines[1]}" = "/dev/loop-test block special file 7:c8 640 0:6" ]
	[ "${lines[2]}" = "/dev/sub/fifo fifo 0:0 644 0:0" ]
}

@test "linux.devices: a config entry replaces a default device" {
	update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 0, "gid": 0}]'
	set_args stat -c "%a %t:%T" /dev/null
	run_ct
	[ "$status" -eq 0 ]
	[ "$output" = "660 1:3" ]
}

@test "linux.devices in a user namespace: bind-mounted from the host" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
	allow_traverse "$BUNDLE"
	set_args sh -c 'stat -c "%F %t:%T" /dev/null /dev/fuse; awk "\$5 == \"/dev/null\" || \$5 == \"/dev/fuse\" {print \$5}" /proc/self/mountinfo; echo x >/dev/null && echo null-ok'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3" ]
	[ "${lines[1]}" = "character special file a:e5" ]
	[ "${lines[2]}" = /dev/null ]
	[ "${lines[3]}" = /dev/fuse ]
	[ "${lines[4]}" = null-ok ]
}

@test "/dev/pts is a new devpts instance and /dev/ptmx its ptmx" {
	set_args sh -c 'readlink /dev/ptmx; ls /dev/pts; stat -c "%F %t:%T" /dev/pts/ptmx; grep " /dev/pts " /proc/self/mountinfo'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = pts/ptmx ]
	# none of the host's ptys
	[ "${lines[1]}" = ptmx ]
	[ "${lines[2]}" = "character special file 5:2" ]
	[[ ${lines[3]} == *" - devpts "*ptmxmode=666* ]]
}
