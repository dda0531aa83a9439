#!/usr/bin/env bash
# Helpers for the `berth image` tests (unpack, overlay, whiteouts, ...).
# A test file loads both:
#
#   load helpers
#   load image-helpers
#
# Images are written by tests/bin/mkimage (make integration builds it) from
# layer directories made here out of the host's static busybox; nothing
# comes from a network. Per test:
#
#   STORE    a private layer store ($BATS_TEST_TMPDIR/store)
#   berth_image ARGS...   "$BERTH" image ARGS with --store "$STORE" added
#                         to the subcommands that take it
#
# and a teardown() that runs `image umount` on every bundle left under
# $BATS_TEST_TMPDIR, deletes the containers (teardown_containers) and fails
# if a mount is still there.

MKIMAGE=${MKIMAGE:-$REPO/tests/bin/mkimage}
if [[ ! -x $MKIMAGE ]]; then
	echo "image-helpers: $MKIMAGE not found; run 'make tests/bin/mkimage'" >&2
	return 1
fi
STORE=$_helpers_tmp/store

berth_image() {
	local sub=$1
	shift
	case $sub in
	unpack | ls | prune) "$BERTH" --root "$ROOT" image "$sub" --store "$STORE" "$@" ;;
	*) "$BERTH" --root "$ROOT" image "$sub" "$@" ;;
	esac
}

# busybox_layers DIR: three layer directories under DIR, bottom first:
#   base  busybox and its applets, /etc/passwd and /etc/group (root, user
#         1000 in group wheel 10), /tmp, /home/user, /var/cache/{old,keep}
#   etc   /etc/motd, /etc/issue, /var/cache/old2
#   top   whiteouts: .wh.motd in /etc, /var/cache made opaque with a new
#         file, /etc/issue replaced
busybox_layers() {
	local dir=$1
	[[ -d $dir/base ]] && return 0
	make_busybox_rootfs "$dir/base" || return
	cat >"$dir/base/etc/group" <<-'EOF2'
		root:x:0:
		wheel:x:10:user
		user:x:1000:
		nobody:x:65534:
	EOF2
	mkdir -p "$dir/base/var/cache" "$dir/etc/etc" "$dir/etc/var/cache" "$dir/top/etc" "$dir/top/var/cache"
	echo old >"$dir/base/var/cache/old"
	echo keep >"$dir/base/var/cache/keep"
	echo "welcome" >"$dir/etc/etc/motd"
	echo "issue 1" >"$dir/etc/etc/issue"
	echo old2 >"$dir/etc/var/cache/old2"
	: >"$dir/top/etc/.wh.motd"
	: >"$dir/top/var/cache/.wh..wh..opq"
	echo new >"$dir/top/var/cache/new"
	echo "issue 2" >"$dir/top/etc/issue"
}

# The image's config: a shell that runs its arguments, as user 1000.
IMAGE_CONFIG='{"Entrypoint":["/bin/sh","-c"],"Cmd":["echo hello from the image"],"Env":["FOO=bar","PATH=/bin"],"WorkingDir":"/home/user","User":"user","StopSignal":"SIGINT","Labels":{"org.example.label":"yes"}}'

# make_image OUT [MKIMAGE-OPTS...]: the busybox image (three layers, gzip
# by default; -format and per-layer compression via LAYER_COMP="gzip zstd
# none") written to OUT; prints the digest mkimage reports.
make_image() {
	local out=$1 layers=${BATS_FILE_TMPDIR:-$_helpers_tmp}/layers comps c i=0
	shift
	busybox_layers "$layers" || return
	read -r -a comps <<<"${LAYER_COMP:-gzip gzip gzip}"
	local args=()
	for l in base etc top; do
		c=${comps[i]:-gzip}
		args+=(-layer "$layers/$l:$c")
		((i++)) || true
	done
	"$MKIMAGE" -tag v1 -config "$IMAGE_CONFIG" "${args[@]}" "$@" "$out"
}

# last_line: the last line of $output.
last_line() {
	tail -n 1 <<<"$output"
}

# assert_no_mounts_under DIR: no mount point at or below DIR.
assert_no_mounts_under() {
	local found
	found=$(awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo)
	if [[ -n $found ]]; then
		echo "mounts left under $1:"
		echo "$found"
		return 1
	fi
}

# store_layers: the committed layer directories of $STORE, one per line.
store_layers() {
	find "$STORE/layers" -mindepth 2 -maxdepth 2 -type d 2>/dev/null
}

teardown_images() {
	local marker left=0
	for marker in "$_helpers_tmp"/*/berth-image.json "$_helpers_tmp"/*/*/berth-image.json; do
		[[ -e $marker ]] || continue
		"$BERTH" image umount "$(dirname "$marker")" || left=1
	done
	if ! assert_no_mounts_under "$_helpers_tmp"; then
		awk -v d="$_helpers_tmp" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo |
			sort -r | xargs -r -n1 umount -l
		left=1
	fi
	return "$left"
}

teardown() {
	local rc=0
	teardown_containers || rc=1
	teardown_images || rc=1
	return "$rc"
}
