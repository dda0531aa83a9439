#!/usr/bin/env bats
# OCI whiteouts become overlay whiteouts: .wh.NAME hides NAME of lower
# layers, .wh..wh..opq hides a whole lower directory but keeps the layer's
# own entries; deleting in the container makes whiteouts in upper only.

load helpers
load image-helpers

setup() {
	requires_berth
	IMG=$BATS_TEST_TMPDIR/img
	make_image "$IMG" >/dev/null
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

@test "the container sees whiteouts and opaque directories applied" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'ls /etc; echo --; ls /var/cache; echo --; cat /etc/issue'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "group
issue
passwd
--
new
--
issue 2" ]
}

@test "in the store, a whiteout is a 0:0 character device and no .wh. file is left" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE"
	run find "$STORE/layers" -name '.wh.*'
	[ -z "$output" ]
	run find "$STORE/layers" -path '*/diff/etc/motd' -type c
	[ "${#lines[@]}" -eq 1 ]
	[ "$(stat -c '%t:%T %u:%g' "${lines[0]}")" = "0:0 0:0" ]
	# The opaque directory hides lower entries even though the store's
	# copy of the lower layers still has them.
	[ -n "$(find "$STORE/layers" -path '*/diff/var/cache/old' -type f)" ]
	[ ! -e "$BUNDLE/rootfs/var/cache/old" ]
	[ ! -e "$BUNDLE/rootfs/var/cache/old2" ]
	[ ! -e "$BUNDLE/rootfs/var/cache/keep" ]
	[ -f "$BUNDLE/rootfs/var/cache/new" ]
}

@test "removing a lower file in the container whites it out in upper only" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'rm /etc/issue && rm -r /var/cache && ls /etc'
	update_config '.process.user = {uid: 0, gid: 0}'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "group
passwd" ]
	[ -c "$BUNDLE/upper/etc/issue" ]
	[ "$(find "$STORE/layers" -path '*/diff/etc/issue' -type f | wc -l)" -eq 2 ]
}
