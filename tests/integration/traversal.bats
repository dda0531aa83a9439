#!/usr/bin/env bats
# Layers that try to write outside their directory: "../" names, absolute
# names, a symlink then a write through it, a hardlink to a host file. Each
# is refused, or stays inside the layer; the host file is never touched.

load helpers
load image-helpers

setup() {
	requires_berth
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	VICTIM=$BATS_TEST_TMPDIR/victim/secret
	mkdir -p "$(dirname "$VICTIM")"
	echo host >"$VICTIM"
}

# evil_image KIND: the busybox base layer plus a crafted KIND layer
# aiming at $VICTIM.
evil_image() {
	make_image "$BATS_TEST_TMPDIR/img" >/dev/null # fills the layer cache dir
	"$MKIMAGE" -config '{"Cmd":["sh"]}' -layer "$BATS_FILE_TMPDIR/layers/base" -evil "$1:$VICTIM" "$BATS_TEST_TMPDIR/evil" >/dev/null
}

assert_victim_untouched() {
	[ "$(cat "$VICTIM")" = host ]
	[ "$(stat -c %h "$VICTIM")" = 1 ]
	[ "$(ls "$(dirname "$VICTIM")")" = secret ]
}

@test "traversal: a ../ entry is refused and nothing is cached for its layer" {
	evil_image dotdot
	run berth_image unpack "oci:$BATS_TEST_TMPDIR/evil" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"climbs out of the layer"* ]]
	assert_victim_untouched
	[ ! -e "$BUNDLE" ]
	[ "$(store_layers | wc -l)" -le 1 ] # the base layer at most
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "traversal: an absolute name lands inside the layer" {
	evil_image absolute
	berth_image unpack -q "oci:$BATS_TEST_TMPDIR/evil" "$BUNDLE"
	assert_victim_untouched
	[ "$(cat "$BUNDLE/rootfs$VICTIM")" = pwned ]
}

@test "traversal: a symlink to a host directory, then a write through it, stays inside the layer" {
	evil_image symlink
	run berth_image unpack -q "oci:$BATS_TEST_TMPDIR/evil" "$BUNDLE"
	assert_victim_untouched
	if [ "$status" -eq 0 ]; then
		# Resolved inside the layer: the file is under the layer's own
		# copy of the directory, the symlink kept as it was.
		[ "$(readlink "$BUNDLE/rootfs/escape")" = "$(dirname "$VICTIM")" ]
		[ "$(cat "$BUNDLE/rootfs$VICTIM")" = pwned ]
	else
		[[ $output == *"escape"* ]]
	fi
}

@test "traversal: a hardlink to a host file is refused" {
	evil_image hardlink
	run berth_image unpack "oci:$BATS_TEST_TMPDIR/evil" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"climbs out of the layer"* ]]
	assert_victim_untouched
	[ ! -e "$BUNDLE" ]
}

@test "traversal: an image /etc/passwd symlinked to a host file is read inside the image" {
	mkdir -p "$BATS_TEST_TMPDIR/pw/etc"
	ln -s "../../../../../../../../$VICTIM" "$BATS_TEST_TMPDIR/pw/etc/passwd"
	"$MKIMAGE" -config '{"Cmd":["sh"],"User":"host"}' -layer "$BATS_TEST_TMPDIR/pw" "$BATS_TEST_TMPDIR/pwimg" >/dev/null
	run berth_image unpack "oci:$BATS_TEST_TMPDIR/pwimg" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *'user "host": no such user'* ]]
	assert_victim_untouched
}
