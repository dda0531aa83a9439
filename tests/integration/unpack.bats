#!/usr/bin/env bats
# berth image unpack: from an OCI layout or archive to a bundle that runs,
# config.json from the image config, sources and platforms, errors, the
# layer cache (ls, prune), progress output, --flat.

load helpers
load image-helpers

setup() {
	requires_berth
	IMG=$BATS_TEST_TMPDIR/img
	DIGEST=$(make_image "$IMG")
	BUNDLE=$BATS_TEST_TMPDIR/bundle
}

@test "unpack an OCI layout: bundle, config.json from the image, final line digest and bundle" {
	run berth_image unpack "oci:$IMG:v1" "$BUNDLE"
	[ "$status" -eq 0 ]
	# Not a terminal: no progress, just the result line.
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "$DIGEST $BUNDLE" ]
	[ -f "$BUNDLE/config.json" ] && [ -d "$BUNDLE/upper" ] && [ -d "$BUNDLE/work" ]
	mountpoint -q "$BUNDLE/rootfs"

	cfg=$BUNDLE/config.json
	[ "$(jq -c .process.args "$cfg")" = '["/bin/sh","-c","echo hello from the image"]' ]
	[ "$(jq -r .process.cwd "$cfg")" = /home/user ]
	[ "$(jq -c .process.user "$cfg")" = '{"uid":1000,"gid":1000,"additionalGids":[10]}' ]
	jq -e '.process.env | index("FOO=bar") and index("PATH=/bin") and index("HOME=/home/user")' "$cfg"
	[ "$(jq -r '.process.env | map(select(startswith("PATH="))) | length' "$cfg")" = 1 ]
	[ "$(jq -r ".process.terminal // false" "$cfg")" = false ]
	[ "$(jq -r '.annotations["org.opencontainers.image.stopSignal"]' "$cfg")" = SIGINT ]
	[ "$(jq -r '.annotations["org.example.label"]' "$cfg")" = yes ]
	# The runtime's defaults are kept: namespaces, mounts, capabilities.
	[ "$(jq -r '.linux.namespaces | length' "$cfg")" -ge 5 ]
	jq -e '.mounts | map(.destination) | index("/proc")' "$cfg"
	[ "$(jq -r ".root.readonly // false" "$cfg")" = false ]
}

@test "the unpacked bundle runs with berth run, as the image's user" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE"
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the image" ]

	rm "$BUNDLE/config.json"
	berth_image umount "$BUNDLE"
	# shellcheck disable=SC2016 # expanded in the container
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" -- 'id; pwd; echo $FOO $HOME'
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=1000(user) gid=1000(user) groups=10(wheel)" ]
	[ "${lines[1]}" = /home/user ]
	[ "${lines[2]}" = "bar /home/user" ]
	assert_no_leftovers "$CID"
}

@test "trailing arguments replace Cmd; --entrypoint replaces Entrypoint and drops Cmd" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'echo replaced'
	[ "$(jq -c .process.args "$BUNDLE/config.json")" = '["/bin/sh","-c","echo replaced"]' ]
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$output" = replaced ]

	berth_image unpack -q --entrypoint /bin/echo "oci:$IMG:v1" "$BATS_TEST_TMPDIR/b2"
	[ "$(jq -c .process.args "$BATS_TEST_TMPDIR/b2/config.json")" = '["/bin/echo"]' ]
	berth_image unpack -q --entrypoint "/bin/echo -n" "oci:$IMG:v1" "$BATS_TEST_TMPDIR/b3" -- a b
	[ "$(jq -c .process.args "$BATS_TEST_TMPDIR/b3/config.json")" = '["/bin/echo","-n","a","b"]' ]
}

@test "sources: bare layout directory, @digest, oci-archive with and without tag" {
	run berth_image unpack -q "$IMG" "$BATS_TEST_TMPDIR/b1"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "$DIGEST $BATS_TEST_TMPDIR/b1" ]

	run berth_image unpack -q "oci:$IMG@$DIGEST" "$BATS_TEST_TMPDIR/b2"
	[ "$status" -eq 0 ]

	archive=$BATS_TEST_TMPDIR/img.tar
	make_image "$archive" -format oci-archive >/dev/null
	run berth_image unpack -q "oci-archive:$archive:v1" "$BATS_TEST_TMPDIR/b3"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "$DIGEST $BATS_TEST_TMPDIR/b3" ]
	run berth_image unpack -q "oci-archive:$archive" "$BATS_TEST_TMPDIR/b4"
	[ "$status" -eq 0 ]
	BUNDLE=$BATS_TEST_TMPDIR/b4
	set_args cat /etc/issue
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$output" = "issue 2" ]
}

@test "multi-platform index: the host's platform by default, --platform picks another" {
	case $(uname -m) in
	x86_64) host=linux/amd64 other=linux/arm64 ;;
	aarch64) host=linux/arm64 other=linux/amd64 ;;
	*) skip "no test platform pair for $(uname -m)" ;;
	esac
	multi=$BATS_TEST_TMPDIR/multi
	make_image "$multi" -also "$other" -also linux/s390x >/dev/null

	berth_image unpack -q "oci:$multi:v1" "$BATS_TEST_TMPDIR/h"
	[ "$(cat "$BATS_TEST_TMPDIR/h/rootfs/etc/platform")" = "$host" ]
	berth_image unpack -q --platform "$other" "oci:$multi:v1" "$BATS_TEST_TMPDIR/o"
	[ "$(cat "$BATS_TEST_TMPDIR/o/rootfs/etc/platform")" = "$other" ]

	run berth_image unpack -q --platform linux/mips "oci:$multi:v1" "$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 1 ]
	[[ $output == *"no image for platform linux/mips"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/m" ]
}

@test "bad input: one error line, exit 1, no bundle, no mount" {
	mkdir "$BATS_TEST_TMPDIR/full"
	touch "$BATS_TEST_TMPDIR/full/x"
	run berth_image unpack "oci:$IMG:v1" "$BATS_TEST_TMPDIR/full"
	[ "$status" -eq 1 ]
	[ "$output" = "berth: bundle $BATS_TEST_TMPDIR/full exists and is not empty" ]

	run berth_image unpack "oci:$IMG:nosuchtag" "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *'no image tagged "nosuchtag" in the layout (tags: v1)'* ]]

	run berth_image unpack "docker://busybox" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *'unknown transport "docker"'* ]]

	# A user the image's /etc/passwd does not have: found after the
	# overlay is mounted, which must then be taken down again.
	"$MKIMAGE" -config '{"Cmd":["sh"],"User":"nobody-here"}' -layer "$BATS_FILE_TMPDIR/layers/base" "$BATS_TEST_TMPDIR/baduser" >/dev/null
	run berth_image unpack "oci:$BATS_TEST_TMPDIR/baduser" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *'user "nobody-here": no such user in the image'"'"'s /etc/passwd'* ]]
	[ ! -e "$BUNDLE" ]
	assert_no_mounts_under "$BATS_TEST_TMPDIR"

	"$MKIMAGE" -layer "$BATS_FILE_TMPDIR/layers/base" "$BATS_TEST_TMPDIR/nocmd" >/dev/null
	run berth_image unpack "oci:$BATS_TEST_TMPDIR/nocmd" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"the image has no Entrypoint or Cmd"* ]]
	[ ! -e "$BUNDLE" ]
}

@test "layers are cached: a second bundle extracts nothing; ls shows users; prune keeps used layers" {
	berth_image unpack -q "oci:$IMG:v1" "$BATS_TEST_TMPDIR/b1"
	[ "$(store_layers | wc -l)" -eq 3 ]
	before=$(stat -c %Y "$(store_layers | head -1)/layer.json")
	berth_image unpack -q "oci:$IMG:v1" "$BATS_TEST_TMPDIR/b2"
	[ "$(store_layers | wc -l)" -eq 3 ]
	[ "$(stat -c %Y "$(store_layers | head -1)/layer.json")" = "$before" ]

	run berth_image ls
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "LAYER "*"SIZE "*"FILES "*BUNDLES ]]
	[ "${#lines[@]}" -eq 4 ]
	[[ $output == *"$BATS_TEST_TMPDIR/b1,$BATS_TEST_TMPDIR/b2"* ]]

	run berth_image prune
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "removed 0 layers, 0B" ]

	berth_image umount "$BATS_TEST_TMPDIR/b1"
	berth_image umount "$BATS_TEST_TMPDIR/b2"
	run berth_image prune
	[[ $(last_line) == "removed 3 layers, "*MB ]]
	[ "$(store_layers | wc -l)" -eq 0 ]
}

@test "prune drops the record of a bundle removed by hand, then its layers" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE"
	umount "$BUNDLE/rootfs"
	rm -rf "$BUNDLE"
	run berth_image prune
	[ "$status" -eq 0 ]
	[[ $(last_line) == "removed 3 layers,"* ]]
}

@test "concurrent unpacks of one image into a fresh store extract each layer once" {
	for i in 1 2 3 4; do
		berth_image unpack -q "oci:$IMG:v1" "$BATS_TEST_TMPDIR/c$i" >"$BATS_TEST_TMPDIR/c$i.out" 2>&1 &
	done
	wait
	for i in 1 2 3 4; do
		[ "$(cat "$BATS_TEST_TMPDIR/c$i.out")" = "$DIGEST $BATS_TEST_TMPDIR/c$i" ]
	done
	[ "$(store_layers | wc -l)" -eq 3 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ "$(cat "$BATS_TEST_TMPDIR/c4/rootfs/etc/issue")" = "issue 2" ]
}

@test "progress is shown on a terminal, not with --quiet" {
	run script -qec "$BERTH image unpack --store $STORE oci:$IMG:v1 $BATS_TEST_TMPDIR/t1" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"unpacking: layers 0/3"* ]]
	[[ $output == *"$DIGEST $BATS_TEST_TMPDIR/t1"* ]]

	run script -qec "$BERTH image unpack --quiet --store $STORE-2 oci:$IMG:v1 $BATS_TEST_TMPDIR/t2" /dev/null
	[ "$status" -eq 0 ]
	[[ $output != *unpacking* ]]
	[[ $output == *"$DIGEST $BATS_TEST_TMPDIR/t2"* ]]
	berth_image umount "$BATS_TEST_TMPDIR/t2"
	rm -rf "$STORE-2"
}

@test "--flat: a plain rootfs with the whiteouts applied, which runs" {
	berth_image unpack -q --flat "oci:$IMG:v1" "$BUNDLE"
	! mountpoint -q "$BUNDLE/rootfs"
	[ ! -e "$BUNDLE/upper" ]
	[ ! -e "$BUNDLE/rootfs/etc/motd" ]
	[ "$(ls "$BUNDLE/rootfs/var/cache")" = new ]
	[ -z "$(find "$BUNDLE/rootfs" -type c)" ]
	set_args cat /etc/issue
	run berth run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "issue 2" ]
	berth_image umount "$BUNDLE"
	[ ! -e "$BUNDLE/rootfs" ]
}

@test "delete of a container leaves its bundle alone" {
	berth_image unpack -q "oci:$IMG:v1" "$BUNDLE" 'echo kept >/home/user/file'
	create_container "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	berth delete "$CID"
	assert_no_leftovers "$CID"
	[ -f "$BUNDLE/config.json" ]
	mountpoint -q "$BUNDLE/rootfs"
	[ "$(cat "$BUNDLE/upper/home/user/file")" = kept ]
	[ "$(cat "$BUNDLE/rootfs/home/user/file")" = kept ]
}
