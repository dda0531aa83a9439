#!/usr/bin/env bats
# zstd-compressed layers (application/vnd.oci.image.layer.v1.tar+zstd),
# alone and mixed with gzip and uncompressed ones in one image.

load helpers
load image-helpers

setup() {
	requires_berth
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

@test "zstd: every layer zstd-compressed; unpack and run" {
	img=$BATS_TEST_TMPDIR/zst
	LAYER_COMP="zstd zstd zstd" make_image "$img" >/dev/null
	[ "$(jq -r '.manifests[0].digest' "$img/index.json" | cut -d: -f2 | xargs -I{} jq -r '[.layers[].mediaType] | unique | .[]' "$img/blobs/sha256/{}")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	berth_image unpack -q "oci:$img" "$BUNDLE"
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the image" ]
}

@test "zstd: mixed with gzip and uncompressed layers, in an oci-archive" {
	archive=$BATS_TEST_TMPDIR/mixed.tar
	LAYER_COMP="zstd gzip none" make_image "$archive" -format oci-archive >/dev/null
	berth_image unpack -q "oci-archive:$archive" "$BUNDLE" 'cat /etc/issue; ls /var/cache'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "issue 2
new" ]
}

@test "zstd: a corrupted zstd layer fails with the digest named and nothing cached" {
	img=$BATS_TEST_TMPDIR/zst
	LAYER_COMP="zstd zstd zstd" make_image "$img" >/dev/null
	manifest=$(jq -r '.manifests[0].digest' "$img/index.json" | cut -d: -f2)
	layer=$(jq -r '.layers[0].digest' "$img/blobs/sha256/$manifest" | cut -d: -f2)
	size=$(stat -c %s "$img/blobs/sha256/$layer")
	printf 'X' | dd of="$img/blobs/sha256/$layer" bs=1 seek=$((size / 2)) conv=notrunc status=none
	run berth_image unpack -q "oci:$img" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"sha256:$layer"*"digest mismatch"* ]]
	[ ! -e "$BUNDLE" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ ! -e "$STORE/layers/sha256/$(jq -r '.rootfs.diff_ids[0]' "$img/blobs/sha256/$(jq -r '.config.digest' "$img/blobs/sha256/$manifest" | cut -d: -f2)" | cut -d: -f2)" ]
}
