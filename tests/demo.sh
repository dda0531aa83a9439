#!/usr/bin/env bash
# berth demo: build berth if needed, make an OCI bundle from the host's static
# busybox under /tmp/berth-demo, and run one container in it. Run as root.
#
#   tests/demo.sh          (or: make demo)
#
# Environment: BERTH (default ./berth), DEMO_DIR (default /tmp/berth-demo).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$REPO/berth}
DEMO_DIR=${DEMO_DIR:-/tmp/berth-demo}
ID=berth-demo

say() { printf '\n==> %s\n' "$*"; }

build_berth() {
	if [[ ! -x $BERTH ]]; then
		say "building berth"
		make -C "$REPO" berth
	fi
}

# make_rootfs DIR: the container's root filesystem. Today: the host's static
# busybox plus one symlink per applet. (An image-to-bundle step will replace
# this function; everything after it only needs DIR/rootfs to exist.)
make_rootfs() {
	local rootfs=$1/rootfs applet
	rm -rf "$rootfs"
	mkdir -p "$rootfs"/{bin,proc,sys,dev,etc,tmp,root}
	chmod 1777 "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'user:x:1000:1000:user:/home/user:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$rootfs/etc/passwd"
	printf '%s\n' 'root:x:0:' 'user:x:1000:' 'nobody:x:65534:' >"$rootfs/etc/group"
}

# make_config DIR ARGS...: `berth spec`'s default config.json, with no
# terminal and ARGS as the process.
make_config() {
	local dir=$1
	shift
	rm -f "$dir/config.json"
	"$BERTH" spec --bundle "$dir"
	jq '.process.terminal = false | .process.args = $ARGS.positional' \
		"$dir/config.json" --args -- "$@" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

main() {
	build_berth

	say "making a busybox bundle in $DEMO_DIR"
	mkdir -p "$DEMO_DIR"
	make_rootfs "$DEMO_DIR"
	# shellcheck disable=SC2016 # expanded by the container's shell
	make_config "$DEMO_DIR" sh -c 'echo hello from $(hostname), pid $$; ls /'
	echo "rootfs: $(find "$DEMO_DIR/rootfs" -mindepth 1 | wc -l) entries"
	echo "process: $(jq -c .process.args "$DEMO_DIR/config.json")"

	# A container left by an interrupted demo would make the ID a duplicate.
	"$BERTH" delete --force "$ID" >/dev/null 2>&1 || true

	say "$BERTH run --bundle $DEMO_DIR $ID"
	local rc=0
	"$BERTH" run --bundle "$DEMO_DIR" "$ID" || rc=$?
	say "container exited with status $rc; run deleted it: '$BERTH list' shows:"
	"$BERTH" list
	return "$rc"
}

main "$@"
