#!/usr/bin/env bats
# Every blob is verified against its digest and size while it streams: a
# corrupt layer, config or manifest is one clear error, and leaves no
# bundle, no mount and no partial layer in the store (complete, verified
# layers of the same image stay cached).

load helpers
load image-helpers

setup() {
	requires_berth
	IMG=$BATS_TEST_TMPDIR/img
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

# blob_of JQ: the hex digest the image's manifest names at JQ
# (e.g. .layers[2].digest, .config.digest).
manifest_hex() { jq -r '.manifests[0].digest' "$IMG/index.json" | cut -d: -f2; }
blob_of() { jq -r "$1" "$IMG/blobs/sha256/$(manifest_hex)" | cut -d: -f2; }

# flip FILE: change one byte in the middle of FILE, keeping its size.
flip() {
	local size
	size=$(stat -c %s "$1")
	printf 'X' | dd of="$1" bs=1 seek=$((size / 2)) conv=notrunc status=none
}

assert_nothing_written() {
	[ ! -e "$BUNDLE" ]
	assert_no_mounts_under "$BATS_TEST_TMPDIR"
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ -z "$(find "$STORE/bundles" -type f)" ]
}

# assert_only_complete_layers: whatever the store holds is whole (other
# layers may or may not have finished before the failure stopped them).
assert_only_complete_layers() {
	local l
	for l in $(store_layers); do
		[ -f "$l/layer.json" ]
	done
}

@test "bad digest: a flipped byte in the top layer" {
	LAYER_COMP="none none none" make_image "$IMG" >/dev/null
	top=$(blob_of '.layers[2].digest')
	flip "$IMG/blobs/sha256/$top"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "berth: layer 3/3: layer sha256:$top: digest mismatch: content hashes to sha256:"*", expected sha256:$top" ]]
	assert_nothing_written
	assert_only_complete_layers
	[ "$(store_layers | wc -l)" -le 2 ]
	[ -z "$(grep -rlx 'issue 2' "$STORE/layers")" ] # the top layer's file
}

@test "bad digest: a corrupt gzip layer is reported as a digest mismatch, not a gzip error" {
	make_image "$IMG" >/dev/null
	base=$(blob_of '.layers[0].digest')
	flip "$IMG/blobs/sha256/$base"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"layer sha256:$base: digest mismatch"* ]]
	assert_nothing_written
	[ ! -e "$STORE/layers/sha256/$(jq -r '.rootfs.diff_ids[0]' "$IMG/blobs/sha256/$(blob_of .config.digest)" | cut -d: -f2)" ]
}

@test "bad size: a blob longer or shorter than its descriptor" {
	LAYER_COMP="none gzip none" make_image "$IMG" >/dev/null
	mid=$(blob_of '.layers[1].digest')
	printf 'trailing' >>"$IMG/blobs/sha256/$mid"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"layer sha256:$mid: size mismatch"* ]]
	assert_nothing_written

	make_image "$IMG.2" >/dev/null
	IMG=$IMG.2
	top=$(blob_of '.layers[2].digest')
	truncate -s -10 "$IMG/blobs/sha256/$top"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"sha256:$top"* ]]
	assert_nothing_written
}

@test "bad digest: config and manifest blobs are verified before any layer" {
	make_image "$IMG" >/dev/null
	cfg=$(blob_of '.config.digest')
	sed -i 's/FOO=bar/FOO=baz/' "$IMG/blobs/sha256/$cfg"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"blob sha256:$cfg: digest mismatch"* ]]
	assert_nothing_written
	[ "$(store_layers | wc -l)" -eq 0 ]

	make_image "$IMG.2" >/dev/null
	IMG=$IMG.2
	m=$(manifest_hex)
	sed -i 's/"schemaVersion":2/"schemaVersion":3/' "$IMG/blobs/sha256/$m"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"blob sha256:$m: digest mismatch"* ]]
	assert_nothing_written
}

@test "bad diff ID: a layer whose tar is not the config's diff ID is refused" {
	LAYER_COMP="none none none" make_image "$IMG" >/dev/null
	# Swap the base layer's blob for the top layer's content, with a
	# manifest and config that are each self-consistent except for the
	# diff ID: only the uncompressed check can catch it.
	cfg=$(blob_of '.config.digest')
	top_diff=$(jq -r '.rootfs.diff_ids[2]' "$IMG/blobs/sha256/$cfg")
	jq -c --arg d "$top_diff" '.rootfs.diff_ids[0] = "sha256:" + ("0" * 64)' "$IMG/blobs/sha256/$cfg" >"$BATS_TEST_TMPDIR/cfg"
	new_cfg=$(sha256sum "$BATS_TEST_TMPDIR/cfg" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/cfg" "$IMG/blobs/sha256/$new_cfg"
	jq -c --arg d "sha256:$new_cfg" --argjson s "$(stat -c %s "$BATS_TEST_TMPDIR/cfg")" '.config.digest = $d | .config.size = $s' "$IMG/blobs/sha256/$(manifest_hex)" >"$BATS_TEST_TMPDIR/m"
	new_m=$(sha256sum "$BATS_TEST_TMPDIR/m" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/m" "$IMG/blobs/sha256/$new_m"
	jq -c --arg d "sha256:$new_m" --argjson s "$(stat -c %s "$BATS_TEST_TMPDIR/m")" '.manifests[0].digest = $d | .manifests[0].size = $s' "$IMG/index.json" >"$BATS_TEST_TMPDIR/i"
	cp "$BATS_TEST_TMPDIR/i" "$IMG/index.json"
	run berth_image unpack "oci:$IMG" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"(uncompressed, diff ID sha256:0000000000000000000000000000000000000000000000000000000000000000): digest mismatch"* ]]
	assert_nothing_written
	[ ! -e "$STORE/layers/sha256/0000000000000000000000000000000000000000000000000000000000000000" ]
}
