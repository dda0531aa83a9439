#!/usr/bin/env bats
# The bundle's rootfs is an overlay: cached layers as lowerdirs (shared by
# every bundle of the image), upper and work in the bundle; writes land in
# the upper dir only; image umount takes it down and keeps the layers.

load helpers
load image-helpers

setup() {
	requires_berth
	IMG=$BATS_TEST_TMPDIR/img
	make_image "$IMG" >/dev/null
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

# lowerdirs BUNDLE: the overlay's lower directories, top first, one a line.
lowerdirs() {
	awk -v m="$1/rootfs" '$5 == m' /proc/self/mountinfo | tr ',' '\n' | sed -n 's/^lowerdir+\{0,1\}=//p' | tr ':' '\n'
}

@test "rootfs is an overlay of the store's layers, top layer first" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE"
	[ "$(awk -v m="$BUNDLE/rootfs" '$5 == m { for (i = 7; i < NF; i++) if ($i == "-") print $(i + 1) }' /proc/self/mountinfo)" = overlay ]
	run lowerdirs "$BUNDLE"
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[[ $l == "$STORE/layers/sha256/"*/diff ]]
	done
	# Top first: the top layer holds the whiteouts.
	[ -c "${lines[0]}/etc/motd" ]
	[ -x "${lines[2]}/bin/busybox" ]
	run awk -v m="$BUNDLE/rootfs" '$5 == m' /proc/self/mountinfo
	[[ $output == *"upperdir=$BUNDLE/upper"* ]]
	[[ $output == *"workdir=$BUNDLE/work"* ]]
}

@test "a file written in the container lands in the upper dir only" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'echo written >/tmp/new; echo changed >>/etc/issue'
	update_config '.process.user = {uid: 0, gid: 0}'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/upper/tmp/new")" = written ]
	[ "$(cat "$BUNDLE/rootfs/tmp/new")" = written ]
	# Copy-up: the changed file is in upper; the cached layer is intact.
	[ "$(cat "$BUNDLE/upper/etc/issue")" = "issue 2
changed" ]
	[ -z "$(find "$STORE/layers" -path '*/diff/tmp/new')" ]
	for l in $(lowerdirs "$BUNDLE"); do
		if [ -f "$l/etc/issue" ]; then
			run cat "$l/etc/issue"
			[[ $output == "issue "[12] ]]
		fi
	done
}

@test "two bundles of one image share the layers and do not see each other's writes" {
	b1=$BATS_TEST_TMPDIR/b1 b2=$BATS_TEST_TMPDIR/b2
	berth_image unpack -q "oci:$IMG:v1" "$b1" 'echo one >/tmp/mine; ls /tmp'
	berth_image unpack -q "oci:$IMG:v1" "$b2" 'echo two >/tmp/mine; ls /tmp; cat /tmp/mine'
	[ "$(lowerdirs "$b1")" = "$(lowerdirs "$b2")" ]

	run berth run --bundle "$b1" "$CID-1"
	[ "$status" -eq 0 ]
	run berth run --bundle "$b2" "$CID-2"
	[ "$status" -eq 0 ]
	[ "$output" = "mine
two" ]
	[ "$(cat "$b1/rootfs/tmp/mine")" = one ]
	[ "$(cat "$b2/rootfs/tmp/mine")" = two ]
}

@test "image umount: no mount, no upper or work, the layers stay cached" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'echo x >/tmp/x'
	berth run --bundle "$BUNDLE" "$CID"
	run berth_image umount "$BUNDLE"
	[ "$status" -eq 0 ]
	assert_no_mounts_under "$BUNDLE"
	[ ! -e "$BUNDLE/upper" ] && [ ! -e "$BUNDLE/work" ] && [ ! -e "$BUNDLE/rootfs" ]
	[ ! -e "$BUNDLE/berth-image.json" ]
	[ "$(store_layers | wc -l)" -eq 3 ]
	run berth_image ls
	[[ $output != *"$BUNDLE"* ]]

	run berth_image umount "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"was not made by 'berth image unpack'"* ]]
}

@test "an image with 80 layers mounts (lowerdir list past one page)" {
	many=$BATS_TEST_TMPDIR/many
	args=(-layer "$BATS_FILE_TMPDIR/layers/base")
	for i in $(seq 1 79); do
		mkdir -p "$BATS_TEST_TMPDIR/l/$i/etc/layers"
		echo "$i" >"$BATS_TEST_TMPDIR/l/$i/etc/layers/$i"
		echo "$i" >"$BATS_TEST_TMPDIR/l/$i/etc/top"
		args+=(-layer "$BATS_TEST_TMPDIR/l/$i:none")
	done
	"$MKIMAGE" -config '{"Cmd":["sh","-c","ls /etc/layers | wc -l; cat /etc/top"]}' "${args[@]}" "$many" >/dev/null
	berth_image unpack -q "oci:$many" "$BUNDLE"
	[ "$(lowerdirs "$BUNDLE" | wc -l)" -eq 80 ]
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "79
79" ]
}
