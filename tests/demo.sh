#!/usr/bin/env bash
# berth demo: build an OCI image from the host's static busybox (no
# network), unpack it into a bundle whose rootfs is an overlay of cached
# layers, run a container from it that writes a file, and show that the
# file landed in the bundle's upper dir only. Run as root.
#
#   tests/demo.sh          (or: make demo)
#
# Environment: BERTH (default ./berth), MKIMAGE (tests/bin/mkimage),
# DEMO_DIR (default /tmp/berth-demo; the layer store is DEMO_DIR/store).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$REPO/berth}
MKIMAGE=${MKIMAGE:-$REPO/tests/bin/mkimage}
DEMO_DIR=${DEMO_DIR:-/tmp/berth-demo}
STORE=$DEMO_DIR/store
BUNDLE=$DEMO_DIR/bundle
ID=berth-demo

say() { printf '\n==> %s\n' "$*"; }

build() {
	if [[ ! -x $BERTH || ! -x $MKIMAGE ]]; then
		say "building berth and mkimage"
		make -C "$REPO" berth tests/bin/mkimage
	fi
}

# make_layers DIR: two layer directories. base: busybox, one symlink per
# applet, /etc/passwd and /etc/group; app: a greeting and a motd.
make_layers() {
	local dir=$1 applet
	rm -rf "$dir"
	mkdir -p "$dir"/base/{bin,proc,sys,dev,etc,tmp,root} "$dir/app/etc"
	chmod 1777 "$dir/base/tmp"
	cp /bin/busybox "$dir/base/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ $applet == busybox ]] || ln -s busybox "$dir/base/bin/$applet"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$dir/base/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$dir/base/etc/group"
	echo "hello from a berth image" >"$dir/app/etc/motd"
}

cleanup_previous() {
	# A previous demo's container and bundle would be in the way.
	"$BERTH" delete --force "$ID" >/dev/null 2>&1 || true
	if [[ -e $BUNDLE/berth-image.json ]]; then
		"$BERTH" image umount "$BUNDLE"
	fi
	rm -rf "$BUNDLE" "$DEMO_DIR/image" "$DEMO_DIR/layers"
}

main() {
	build
	mkdir -p "$DEMO_DIR"
	cleanup_previous

	say "making an OCI image from /bin/busybox in $DEMO_DIR/image (two gzip layers)"
	make_layers "$DEMO_DIR/layers"
	"$MKIMAGE" -tag latest \
		-config '{"Cmd":["sh","-c","cat /etc/motd; echo written by the container >/root/hello; ls -l /root"],"Env":["PATH=/bin"],"WorkingDir":"/root"}' \
		-layer "$DEMO_DIR/layers/base" -layer "$DEMO_DIR/layers/app" "$DEMO_DIR/image"
	ls "$DEMO_DIR/image" "$DEMO_DIR/image/blobs/sha256"

	say "$BERTH image unpack --store $STORE oci:$DEMO_DIR/image:latest $BUNDLE"
	"$BERTH" image unpack --store "$STORE" "oci:$DEMO_DIR/image:latest" "$BUNDLE"
	echo "bundle: $(ls "$BUNDLE" | tr '\n' ' ')"
	echo "process: $(jq -c .process.args "$BUNDLE/config.json")"
	echo "rootfs: $(findmnt -no FSTYPE "$BUNDLE/rootfs") mount, lowerdirs in $STORE/layers"

	say "$BERTH run --bundle $BUNDLE $ID"
	local rc=0
	"$BERTH" run --bundle "$BUNDLE" "$ID" || rc=$?
	echo "container exited with status $rc"

	say "the file the container wrote is in the bundle's upper dir, not in any cached layer:"
	find "$BUNDLE/upper" -type f -print -exec cat {} \;
	echo "in the layer store: $(find "$STORE/layers" -path '*/diff/root/hello' | wc -l) copies"

	say "$BERTH image ls --store $STORE"
	"$BERTH" image ls --store "$STORE"
	echo
	echo "Take it down with: $BERTH image umount $BUNDLE && $BERTH image prune --store $STORE"
	return "$rc"
}

main "$@"
