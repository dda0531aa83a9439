#!/usr/bin/env bats
# mounts: every option of the runtime-spec's Linux mount options table, read
# back from /proc/self/mountinfo inside the container; bind mounts of files
# and directories; filesystems with data (tmpfs, overlay); idmap and ridmap;
# propagation and rootfsPropagation; and the errors for options berth
# refuses.
# shellcheck disable=SC2016 # the container's shell expands the $s in set_args

load helpers

setup() {
	setup_busybox_bundle
	update_config '.root.readonly = false'
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	HOSTMOUNTS=()
}

teardown() {
	local m
	for m in "${HOSTMOUNTS[@]}"; do
		umount -R "$m" 2>/dev/null || true
	done
	teardown_containers
}

# host_tmpfs DIR OPTS: a tmpfs on the host at DIR (unmounted by teardown).
host_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1"
	HOSTMOUNTS+=("$1")
}

# add_mount DEST TYPE SOURCE OPT...: append a mounts entry.
add_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	jq --arg d "$dest" --arg t "$type" --arg s "$src" \
		'.mounts += [{"destination": $d, "type": $t, "source": $s, "options": $ARGS.positional}]' \
		"$BUNDLE/config.json" --args "$@" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# MI: a shell function for the container that prints, for mount point $1,
# "PER-MOUNT-OPTIONS OPTIONAL-FIELDS | FSTYPE SUPER-OPTIONS" (the last
# mount on $1).
MI='mi() { awk -v d="$1" '\''$5 == d { o = $6; for (i = 7; $i != "-"; i++) o = o " " $i; l = o " | " $(i + 1) " " $(i + 3) } END { print l }'\'' /proc/self/mountinfo; }'

run_ct() {
	run berth run --bundle "$BUNDLE" "$CID"
	echo "status $status, output:"
	echo "$output"
}

# has LINE WORD...: every WORD is a comma or space separated item of LINE.
has() {
	local line=" ${1//,/ } " w
	shift
	for w in "$@"; do
		[[ $line == *" $w "* ]] || { echo "'$w' missing from '$1'"; return 1; }
	done
}

# lacks LINE WORD...: no WORD is an item of LINE.
lacks() {
	local line=" ${1//,/ } " w
	shift
	for w in "$@"; do
		[[ $line != *" $w "* ]] || { echo "'$w' present in '$1'"; return 1; }
	done
}

@test "bind: ro, nosuid, nodev, noexec read back, and writes fail" {
	add_mount /m bind "$SRC" bind ro nosuid nodev noexec
	set_args sh -c "$MI; mi /m; touch /m/x"
	run_ct
	[ "$status" -ne 0 ]
	has "${lines[0]}" ro nosuid nodev noexec
	[[ $output == *"Read-only file system"* ]]
	[ ! -e "$SRC/x" ]
}

@test "bind: rw, suid, dev, exec, atime clear the source mount's flags" {
	host_tmpfs "$SRC" ro,nosuid,nodev,noexec,noatime
	add_mount /m bind "$SRC" bind rw suid dev exec atime
	add_mount /n bind "$SRC" bind
	set_args sh -c "$MI; mi /m; mi /n"
	run_ct
	[ "$status" -eq 0 ]
	# per-mount flags only: the tmpfs's superblock stays ro
	lacks "${lines[0]%%|*}" ro nosuid nodev noexec noatime
	has "${lines[0]%%|*}" rw
	has "${lines[1]%%|*}" ro nosuid nodev noexec noatime
}

@test "bind: atime family and nosymfollow on a bind remount" {
	add_mount /a bind "$SRC" bind noatime
	add_mount /b bind "$SRC" bind strictatime
	add_mount /c bind "$SRC" bind relatime nodiratime
	add_mount /d bind "$SRC" bind nosymfollow
	add_mount /e bind "$SRC" bind noatime diratime symfollow
	set_args sh -c "$MI; for m in /a /b /c /d /e; do mi \$m; done"
	run_ct
	[ "$status" -eq 0 ]
	has "${lines[0]}" noatime
	lacks "${lines[1]}" noatime relatime
	has "${lines[2]}" relatime nodiratime
	has "${lines[3]}" nosymfollow
	has "${lines[4]}" noatime
	lacks "${lines[4]}" nodiratime nosymfollow
}

@test "tmpfs: atime family, sync, dirsync, lazytime, silent and data options" {
	add_mount /t1 tmpfs tmpfs noatime
	add_mount /t2 tmpfs tmpfs strictatime
	add_mount /t3 tmpfs tmpfs relatime nodiratime
	add_mount /t4 tmpfs tmpfs sync dirsync lazytime silent loud iversion
	add_mount /t5 tmpfs tmpfs nosuid nodev noexec mode=1750 size=1m uid=1000 gid=1000 defaults
	add_mount /t6 tmpfs tmpfs ro async nolazytime norelatime nostrictatime noiversion nomand
	set_args sh -c "$MI; for m in /t1 /t2 /t3 /t4 /t5 /t6; do mi \$m; done; stat -c '%a %u:%g' /t5"
	run_ct
	[ "$status" -eq 0 ]
	has "${lines[0]}" noatime
	lacks "${lines[1]}" noatime relatime
	has "${lines[2]}" relatime nodiratime
	has "${lines[3]}" sync dirsync lazytime
	has "${lines[4]}" nosuid nodev noexec mode=1750 size=1024k uid=1000 gid=1000
	has "${lines[5]}" ro
	lacks "${lines[5]}" sync lazytime
	[ "${lines[6]}" = "1750 1000:1000" ]
}

@test "recursive: rro, rnosuid, rnodev, rnoexec, rnoatime reach submounts; ro does not" {
	mkdir -p "$SRC"
	host_tmpfs "$SRC/sub" rw
	add_mount /r bind "$SRC" rbind rro rnosuid rnodev rnoexec rnoatime rnodiratime rnosymfollow
	add_mount /p bind "$SRC" rbind ro
	set_args sh -c "$MI; mi /r; mi /r/sub; mi /p; mi /p/sub"
	run_ct
	[ "$status" -eq 0 ]
	has "${lines[0]}" ro nosuid nodev noexec noatime nodiratime nosymfollow
	has "${lines[1]}" ro nosuid nodev noexec noatime nodiratime nosymfollow
	has "${lines[2]}" ro
	has "${lines[3]}" rw
}

@test "recursive: rrw, rsuid, rdev, rexec, ratime, rdiratime, rsymfollow, rrelatime, rstrictatime clear and set" {
	host_tmpfs "$SRC" rw
	host_tmpfs "$SRC/sub" rw
	for m in "$SRC" "$SRC/sub"; do
		mount -o remount,bind,ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow "$m"
	done
	add_mount /r bind "$SRC" rbind rrw rsuid rdev rexec rdiratime rsymfollow rrelatime
	add_mount /s bind "$SRC" rbind rstrictatime
	add_mount /u bind "$SRC" rbind ratime rnorelatime rnostrictatime
	set_args sh -c "$MI; mi /r; mi /r/sub; mi /s/sub; mi /u/sub"
	run_ct
	[ "$status" -eq 0 ]
	for l in "${lines[0]%%|*}" "${lines[1]%%|*}"; do
		has "$l" rw relatime
		lacks "$l" ro nosuid nodev noexec noatime nodiratime nosymfollow
	done
	lacks "${lines[2]%%|*}" noatime relatime
	lacks "${lines[3]%%|*}" noatime
}

@test "propagation: shared, slave, private, unbindable and r-variants" {
	host_tmpfs "$SRC" rw
	mount --make-shared "$SRC"
	add_mount /sh bind "$SRC" bind shared
	add_mount /rsh bind "$SRC" rbind rshared
	add_mount /sl bind "$SRC" bind slave
	add_mount /rsl bind "$SRC" rbind rslave
	add_mount /pr bind "$SRC" bind private
	add_mount /rpr bind "$SRC" rbind rprivate
	add_mount /ub bind "$SRC" bind unbindable
	add_mount /rub bind "$SRC" rbind runbindable
	set_args sh -c "$MI; for m in /sh /rsh /sl /rsl /pr /rpr /ub /rub; do mi \$m; done"
	run_ct
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" shared:"* ]]
	[[ ${lines[1]} == *" shared:"* ]]
	[[ ${lines[2]} == *" master:"* && ${lines[2]} != *" shared:"* ]]
	[[ ${lines[3]} == *" master:"* && ${lines[3]} != *" shared:"* ]]
	[[ ${lines[4]} != *" shared:"* && ${lines[4]} != *" master:"* ]]
	[[ ${lines[5]} != *" shared:"* && ${lines[5]} != *" master:"* ]]
	[[ ${lines[6]} == *" unbindable"* ]]
	[[ ${lines[7]} == *" unbindable"* ]]
}

@test "rootfsPropagation: shared and private root mounts" {
	update_config '.linux.rootfsPropagation = "shared"'
	set_args sh -c "$MI; mi /"
	run_ct
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" shared:"* ]]
	update_config '.linux.rootfsPropagation = "private"'
	run berth run --bundle "$BUNDLE" "$CID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} != *" shared:"* && ${lines[0]} != *" master:"* ]]
}

@test "bind of a file and of a directory: destinations created in the rootfs, relative destination" {
	echo content >"$BATS_TEST_TMPDIR/file"
	echo in-dir >"$SRC/f"
	add_mount /a/b/c/file bind "$BATS_TEST_TMPDIR/file" bind ro
	add_mount x/y bind "$SRC" rbind
	set_args sh -c 'cat /a/b/c/file /x/y/f; [ -f /a/b/c/file ] && echo is-file'
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = content ]
	[ "${lines[1]}" = in-dir ]
	[ "${lines[2]}" = is-file ]
	[ -f "$BUNDLE/rootfs/a/b/c/file" ]
	[ -d "$BUNDLE/rootfs/x/y" ]
}

@test "overlay: lowerdir, upperdir, workdir as data; writes land in upperdir" {
	mkdir -p "$BATS_TEST_TMPDIR"/{lower,upper,work}
	echo from-lower >"$BATS_TEST_TMPDIR/lower/l"
	add_mount /ov overlay overlay "lowerdir=$BATS_TEST_TMPDIR/lower" "upperdir=$BATS_TEST_TMPDIR/upper" "workdir=$BATS_TEST_TMPDIR/work" nosuid
	set_args sh -c "$MI; cat /ov/l; echo new >/ov/u; mi /ov"
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-lower ]
	has "${lines[1]}" nosuid
	[[ ${lines[1]} == *"upperdir=$BATS_TEST_TMPDIR/upper"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/upper/u")" = new ]
	[ ! -e "$BATS_TEST_TMPDIR/lower/u" ]
}

@test "mqueue, proc, sysfs, devpts: other filesystem types with their options" {
	set_args sh -c "$MI; mi /dev/mqueue; mi /proc; mi /sys; mi /dev/pts"
	run_ct
	[ "$status" -eq 0 ]
	has "${lines[0]}" nosuid nodev noexec mqueue
	has "${lines[1]}" proc
	has "${lines[2]}" ro nosuid nodev noexec sysfs
	has "${lines[3]}" nosuid noexec devpts
	[[ ${lines[3]} == *ptmxmode=666* ]]
}

@test "idmap: a bind mount's uidMappings/gidMappings, without a user namespace" {
	chown 1000:1000 "$SRC"
	touch "$SRC/owned-by-1000"
	chown 1000:1000 "$SRC/owned-by-1000"
	update_config '.mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}],
		"gidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}]}]' --arg s "$SRC"
	set_args sh -c "$MI; stat -c %u:%g /m/owned-by-1000; touch /m/made-by-root; mi /m"
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0:0 ]
	has "${lines[1]}" idmapped
	# the container's root wrote a file that is 1000's on disk
	[ "$(stat -c %u:%g "$SRC/made-by-root")" = 1000:1000 ]
}

@test "idmap: the container's user namespace mappings when the mount has none; ro applies" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traverse "$BUNDLE"
	touch "$SRC/host-root-file"
	# the container's root may not write the bundle's rootfs
	mkdir "$BUNDLE/rootfs/m"
	add_mount /m bind "$SRC" bind idmap ro
	set_args sh -c "$MI; stat -c %u:%g /m/host-root-file; mi /m; touch /m/x"
	run_ct
	[ "$status" -ne 0 ]
	# host uid 0 on disk is the container's root through the mapping
	[ "${lines[0]}" = 0:0 ]
	has "${lines[1]%%|*}" idmapped ro
	[[ $output == *"Read-only file system"* ]]
}

@test "ridmap maps submounts too; idmap only the top" {
	host_tmpfs "$SRC/sub" rw
	chown 1000:1000 "$SRC" "$SRC/sub"
	update_config '.mounts += [
		{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind", "ridmap"],
		 "uidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}], "gidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}]},
		{"destination": "/i", "type": "bind", "source": $s, "options": ["rbind", "idmap"],
		 "uidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}], "gidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}]}]' --arg s "$SRC"
	set_args sh -c "$MI; stat -c %u /r/sub /i /i/sub; mi /r/sub; mi /i/sub"
	run_ct
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 1000 ]
	has "${lines[3]}" idmapped
	lacks "${lines[4]}" idmapped
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

@test "errors: a misspelt option on a bind mount" {
	add_mount /m bind "$SRC" rbind nosiud
	create_fails '"nosiud"' /m
}

@test "errors: tmpcopyup is refused, not passed to the filesystem" {
	add_mount /t tmpfs tmpfs tmpcopyup
	create_fails tmpcopyup /t
}

@test "errors: idmap on a tmpfs, idmap without mappings or user namespace, mappings without idmap" {
	add_mount /t tmpfs tmpfs idmap
	create_fails idmap /t
	update_config '.mounts |= map(select(.destination != "/t"))'
	add_mount /m bind "$SRC" bind idmap
	create_fails idmap "user namespace"
	update_config '.mounts |= map(select(.destination != "/m")) | .mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": ["bind"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' --arg s "$SRC"
	create_fails uidMappings
}
