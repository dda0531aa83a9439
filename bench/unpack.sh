#!/usr/bin/env bash
# bench/unpack.sh: how long `berth image unpack` takes to turn a realistic
# multi-layer image into a bundle, side by side with `umoci unpack`, and
# how long a second bundle takes once the layers are cached.
#
# The image: debootstrap and a Debian mirror are not available offline, so
# the layers are cut from this host's own Debian files, standing in for a
# minbase system plus language runtimes (about 170 MB and 11k files
# uncompressed, gzip, built once by tests/bin/mkimage into OUT/image):
#   1 base     /etc, /usr/sbin, /usr/share/zoneinfo, busybox as /bin
#   2 perl     /usr/share/perl, /usr/share/perl5, /usr/share/i18n
#   3 python   /usr/lib/python3.11
#   4 packages /usr/lib/python3 (dist-packages)
#   5 app      /usr/lib/apt, plus whiteouts of two base files
# (The files are staged with hard links, cp -al, so staging costs nothing.)
#
# What it measures, with hyperfine, one invocation for the cold group so
# the numbers are side by side:
#   berth        berth image unpack into an empty store: verify, gunzip and
#                extract every layer (in parallel) into the store, mount the
#                overlay, write config.json
#   berth --flat the same, then copy the layers into a plain rootfs (what
#                umoci's result is)
#   umoci        umoci unpack --image IMG:bench (flattens into rootfs/ and
#                writes its mtree manifest, as it always does)
# Every run starts from nothing (--prepare removes the store and bundle).
# Then the warm group: berth image unpack of a second bundle whose layers
# are all in the store (goal: under 10 ms).
#
# How to read it: the summary gives means and the ratio umoci/berth; above
# 1 means berth is faster. Full results: OUT/unpack-cold.json,
# OUT/unpack-warm.json. The image is read from the page cache in every
# run; the store and bundles are on the same filesystem as OUT.
#
# Environment: BERTH (./berth), MKIMAGE (tests/bin/mkimage), UMOCI (umoci),
# RUNS (10), WARM_RUNS (50), OUT (bench/out). Run as root. umoci is a
# Debian package (apt-get install umoci); it is not a test dependency.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$REPO/berth}
MKIMAGE=${MKIMAGE:-$REPO/tests/bin/mkimage}
UMOCI=${UMOCI:-umoci}
RUNS=${RUNS:-10}
WARM_RUNS=${WARM_RUNS:-50}
OUT=${OUT:-$REPO/bench/out}
IMG=$OUT/image
W=$OUT/unpack-work

for tool in hyperfine jq "$UMOCI"; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: $tool is required (apt-get install ${tool##*/})" >&2
		exit 1
	fi
done
UMOCI=$(command -v "$UMOCI")

build_image() {
	[[ -f $IMG/index.json ]] && return 0
	local s=$OUT/stage
	rm -rf "$s" "$IMG"
	mkdir -p "$s"/1/usr/share "$s"/1/bin "$s"/2/usr/share "$s"/3/usr/lib "$s"/4/usr/lib "$s"/5/usr/lib "$s"/5/etc
	cp -al /etc "$s/1/etc"
	cp -al /usr/sbin "$s/1/usr/sbin"
	cp -al /usr/share/zoneinfo "$s/1/usr/share/zoneinfo"
	cp /bin/busybox "$s/1/bin/busybox"
	ln -s busybox "$s/1/bin/sh"
	cp -al /usr/share/perl /usr/share/perl5 /usr/share/i18n "$s/2/usr/share/"
	cp -al /usr/lib/python3.11 "$s/3/usr/lib/"
	cp -al /usr/lib/python3 "$s/4/usr/lib/"
	cp -al /usr/lib/apt "$s/5/usr/lib/"
	: >"$s/5/etc/.wh.motd"
	: >"$s/5/etc/.wh.issue"
	echo "bench: building the image in $IMG" >&2
	"$MKIMAGE" -tag bench -config '{"Cmd":["/bin/sh"]}' \
		-layer "$s/1" -layer "$s/2" -layer "$s/3" -layer "$s/4" -layer "$s/5" "$IMG" >/dev/null
	rm -rf "$s"
}

main() {
	mkdir -p "$OUT"
	build_image
	echo "image: $(du -sh "$IMG" | cut -f1) in $IMG, $(jq -r '.manifests[0].digest' "$IMG/index.json")"
	echo "umoci: $("$UMOCI" --version)"

	rm -rf "$W"
	mkdir -p "$W"
	local b=$W/berth-bundle s=$W/berth-store f=$W/flat-bundle fs=$W/flat-store u=$W/umoci-bundle
	local reset="$BERTH image umount $b >/dev/null 2>&1; rm -rf $b $s"
	local reset_flat="$BERTH image umount $f >/dev/null 2>&1; rm -rf $f $fs"
	hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/unpack-cold.json" \
		--prepare "$reset" -n berth "$BERTH image unpack -q --store $s oci:$IMG:bench $b" \
		--prepare "$reset_flat" -n "berth --flat" "$BERTH image unpack -q --flat --store $fs oci:$IMG:bench $f" \
		--prepare "rm -rf $u" -n umoci "$UMOCI unpack --image $IMG:bench $u"
	# Sanity: the results have the same files.
	local nb nu
	nb=$(find "$f/rootfs" | wc -l)
	nu=$(find "$u/rootfs" | wc -l)
	echo "files in the rootfs: berth --flat $nb, umoci $nu"

	# Warm: the layers are in the store; a second bundle only mounts and
	# writes config.json.
	local ws=$W/warm-store wb=$W/warm-bundle
	"$BERTH" image unpack -q --store "$ws" "oci:$IMG:bench" "$W/first" >/dev/null
	hyperfine -N --runs "$WARM_RUNS" --warmup 3 --export-json "$OUT/unpack-warm.json" \
		--prepare "sh -c '$BERTH image umount $wb >/dev/null 2>&1; rm -rf $wb'" \
		-n "berth, cached layers" "$BERTH image unpack -q --store $ws oci:$IMG:bench $wb"

	"$BERTH" image umount "$wb" >/dev/null 2>&1 || true
	"$BERTH" image umount "$W/first"
	"$BERTH" image umount "$b" >/dev/null 2>&1 || true
	"$BERTH" image umount "$f" >/dev/null 2>&1 || true

	local bm fm um wm
	bm=$(jq '.results[] | select(.command == "berth") | .mean' "$OUT/unpack-cold.json")
	fm=$(jq '.results[] | select(.command == "berth --flat") | .mean' "$OUT/unpack-cold.json")
	um=$(jq '.results[] | select(.command == "umoci") | .mean' "$OUT/unpack-cold.json")
	wm=$(jq '.results[0].mean' "$OUT/unpack-warm.json")
	echo
	echo "summary (means, one run of this script):"
	printf '  berth image unpack (overlay)  %8.1f ms\n' "$(jq -n "$bm * 1000")"
	printf '  berth image unpack --flat     %8.1f ms\n' "$(jq -n "$fm * 1000")"
	printf '  umoci unpack                  %8.1f ms\n' "$(jq -n "$um * 1000")"
	printf '  umoci / berth                 %8.2fx\n' "$(jq -n "$um / $bm")"
	printf '  umoci / berth --flat          %8.2fx\n' "$(jq -n "$um / $fm")"
	printf '  second bundle, cached layers  %8.2f ms\n' "$(jq -n "$wm * 1000")"
	rm -rf "$W"
}

main "$@"
