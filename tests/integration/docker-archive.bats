#!/usr/bin/env bats
# docker-archive: sources, a `docker save` tar (manifest.json, config
# HEX.json, uncompressed HEX/layer.tar), by RepoTag, by @N or alone.

load helpers
load image-helpers

setup() {
	requires_berth
	ARCHIVE=$BATS_TEST_TMPDIR/busybox.tar
	ID=$(make_image "$ARCHIVE" -format docker-archive -tag busybox:test)
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

@test "docker-archive: unpack by tag and run; the digest is the image ID" {
	# docker save's layout: manifest.json lists the config and layer tars.
	tar -tf "$ARCHIVE" | grep -qx manifest.json
	[ "$(tar -xOf "$ARCHIVE" manifest.json | jq -r '.[0].Config')" = "${ID#sha256:}.json" ]
	run berth_image unpack -q "docker-archive:$ARCHIVE:busybox:test" "$BUNDLE"
	[ "$status" -eq 0 ]
	[ "$output" = "$ID $BUNDLE" ]
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the image" ]
}

@test "docker-archive: without a reference, by @0, and a missing tag" {
	run berth_image unpack -q "docker-archive:$ARCHIVE" "$BATS_TEST_TMPDIR/b1"
	[ "$status" -eq 0 ]
	run berth_image unpack -q "docker-archive:$ARCHIVE:@0" "$BATS_TEST_TMPDIR/b2"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/b2/rootfs/etc/issue")" = "issue 2" ]
	[ ! -e "$BATS_TEST_TMPDIR/b2/rootfs/etc/motd" ]
	run berth_image unpack -q "docker-archive:$ARCHIVE:other:tag" "$BATS_TEST_TMPDIR/b3"
	[ "$status" -eq 1 ]
	[[ $output == *'no image tagged "other:tag" in the archive (tags: busybox:test)'* ]]
	run berth_image unpack -q "docker-archive:$ARCHIVE:@3" "$BATS_TEST_TMPDIR/b4"
	[ "$status" -eq 1 ]
	[[ $output == *"the archive holds 1 images"* ]]
}

@test "docker-archive: gzip-compressed layer tars are recognised by their magic" {
	gz=$BATS_TEST_TMPDIR/gz.tar
	LAYER_COMP="gzip zstd gzip" make_image "$gz" -format docker-archive -tag bb:gz >/dev/null
	berth_image unpack -q "docker-archive:$gz" "$BUNDLE"
	set_args cat /etc/issue
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$output" = "issue 2" ]
}

@test "docker-archive: the layers are shared with the same image from an OCI layout" {
	berth_image unpack -q "docker-archive:$ARCHIVE" "$BATS_TEST_TMPDIR/d"
	LAYER_COMP="none none none" make_image "$BATS_TEST_TMPDIR/oci" >/dev/null
	berth_image unpack -q "oci:$BATS_TEST_TMPDIR/oci" "$BATS_TEST_TMPDIR/o"
	# Same diff IDs, so the store holds three layers, not six.
	[ "$(store_layers | wc -l)" -eq 3 ]
}
