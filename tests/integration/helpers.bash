#!/usr/bin/env bash
# Helpers for berth's bats integration tests. Every test file starts with
#
#   load helpers
#
# and gets, per test:
#
#   BERTH    absolute path of the runtime under test: $REPO/berth, or
#            whatever BERTH names (BERTH=runc checks the suite against runc).
#   ROOT     a private state root ($BATS_TEST_TMPDIR/state).
#   CID      a container id unique to this test and process; tests use it
#            (or "$CID-2", "$CID-x", ...) so that teardown can find leftovers.
#   BUNDLE   the current bundle ($BATS_TEST_TMPDIR/bundle until
#            setup_busybox_bundle is given another directory).
#   berth    a function: "$BERTH" --root "$ROOT" "$@".
#
# and a default teardown() that calls teardown_containers. A file that
# defines its own teardown() must call teardown_containers from it.
#
# Containers created with `create` or `run -d` keep the caller's stdout and
# stderr open until they exit, so never capture them with bats' `run` or
# $(...): redirect them to a file (see create_container).
#
# The bundle's config.json is `$BERTH spec` with terminal false, so its root
# is read-only as spec writes it (update_config '.root.readonly = false').

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

BERTH=${BERTH:-$REPO/berth}
if [[ $BERTH != */* ]]; then
	BERTH=$(command -v "$BERTH" || echo "$BERTH")
fi
if [[ ! -x $BERTH ]]; then
	echo "helpers: runtime binary $BERTH not found or not executable; run 'make berth' or set BERTH" >&2
	return 1
fi
BERTH=$(cd "$(dirname "$BERTH")" && pwd)/$(basename "$BERTH")
export BERTH

# Per-test state. setup_file and teardown_file have no BATS_TEST_TMPDIR.
_helpers_tmp=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-$(mktemp -d)}}
ROOT=$_helpers_tmp/state
BUNDLE=$_helpers_tmp/bundle
CID=berth-t${BATS_SUITE_TEST_NUMBER:-0}-$$

# CGROUP_VIEW picks the cgroups berth sees (set it in a test or setup):
#   host  this machine as it is (hybrid: v1 controllers + cgroup2 at
#         /sys/fs/cgroup/unified)
#   v2    a pure cgroup v2 host: a private mount namespace with the cgroup2
#         hierarchy mounted on /sys/fs/cgroup
#   v1    a legacy host: a private mount namespace without the cgroup2 mount
# The private namespaces change nothing on the host.
CGROUP_VIEW=host

berth() {
	case $CGROUP_VIEW in
	v2)
		unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh \
			"$BERTH" --root "$ROOT" "$@"
		;;
	v1)
		unshare -m sh -c 'for m in $1; do umount "$m" || exit 1; done; shift; exec "$@"' sh \
			"$(_mounts | awk '$1 == "cgroup2" {print $2}')" "$BERTH" --root "$ROOT" "$@"
		;;
	*) "$BERTH" --root "$ROOT" "$@" ;;
	esac
}

# _mounts: "FSTYPE MOUNTPOINT SUPER-OPTIONS" for each mount (mountinfo's
# optional fields make its column numbers vary).
_mounts() {
	sed -n 's/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - \([^ ]*\) [^ ]* \([^ ]*\)$/\2 \1 \3/p' /proc/self/mountinfo
}

# requires_v1 CONTROLLER...: skip unless the host mounts each as cgroup v1.
requires_v1() {
	local c
	for c in "$@"; do
		_mounts | awk -v c="$c" '$1 == "cgroup" && ("," $3 ",") ~ ("," c ",") {found=1} END {exit !found}' ||
			skip "this host has no cgroup v1 $c controller"
	done
}

# requires_cgroup2: skip unless the host has a cgroup2 hierarchy.
requires_cgroup2() {
	_mounts | awk '$1 == "cgroup2" {found=1} END {exit !found}' ||
		skip "this host has no cgroup2 hierarchy"
}

# test_tool NAME: the path of the helper program built from tests/cmd/NAME
# (make testbin; make integration builds them).
test_tool() {
	local p=$REPO/tests/bin/$1
	if [[ ! -x $p ]]; then
		echo "test_tool: $p is missing; run 'make testbin'" >&2
		return 1
	fi
	echo "$p"
}

# is_berth: true when the runtime under test is berth itself.
is_berth() {
	[[ $(basename "$BERTH") == berth* ]]
}

# requires_berth: skip a test that checks behaviour only berth promises.
requires_berth() {
	is_berth || skip "berth-only behaviour"
}

# make_busybox_rootfs DIR: a minimal root filesystem in DIR built from the
# host's static busybox. Used once per run to fill the cache below.
make_busybox_rootfs() {
	local dir=$1 busybox=/bin/busybox applet
	if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
		# `file` may be absent: fall back to ldd, which fails on static binaries.
		if ldd "$busybox" >/dev/null 2>&1; then
			echo "make_busybox_rootfs: $busybox is not static; install busybox-static" >&2
			return 1
		fi
	fi
	mkdir -p "$dir"
	chmod 0755 "$dir"
	mkdir -p "$dir"/{bin,proc,sys,dev,etc,tmp,root,home/user}
	chmod 1777 "$dir/tmp"
	chmod 0700 "$dir/root"
	chown 1000:1000 "$dir/home/user"
	cp "$busybox" "$dir/bin/busybox"
	for applet in $("$busybox" --list); do
		[[ $applet == busybox ]] && continue
		ln -s busybox "$dir/bin/$applet"
	done
	cat >"$dir/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		user:x:1000:1000:user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$dir/etc/group" <<-'EOF'
		root:x:0:
		user:x:1000:
		nobody:x:65534:
	EOF
}

# _bundle_cache: the rootfs and the runtime's default config.json, made once
# per bats run in $BATS_RUN_TMPDIR. Built aside and renamed into place, so
# that parallel tests (bats --jobs) never see a half-built cache.
_bundle_cache() {
	local cache=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/berth-bundle-cache tmp
	if [[ ! -d $cache ]]; then
		tmp=$(mktemp -d "$cache.XXXXXX")
		make_busybox_rootfs "$tmp/rootfs" || return
		"$BERTH" spec --bundle "$tmp" >&2 || return
		jq '.process.terminal = false' "$tmp/config.json" >"$tmp/config.json.new" &&
			mv "$tmp/config.json.new" "$tmp/config.json" || return
		mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$cache"
}

# setup_busybox_bundle [DIR]: a bundle in DIR (default $BUNDLE) with the
# busybox rootfs and `$BERTH spec`'s config.json, terminal false. Sets BUNDLE
# to DIR; set_args and update_config edit $BUNDLE (to edit another bundle:
# BUNDLE=other set_args ...).
setup_busybox_bundle() {
	local dir=${1:-$BUNDLE} cache
	cache=$(_bundle_cache) || return
	mkdir -p "$dir"
	cp -a "$cache/rootfs" "$dir/rootfs"
	cp "$cache/config.json" "$dir/config.json"
	BUNDLE=$(cd "$dir" && pwd)
}

# update_config JQ-EXPR [JQ-ARGS...]: edit $BUNDLE/config.json in place, e.g.
#   update_config '.hostname = $h' --arg h box
update_config() {
	local expr=$1
	shift
	jq "$@" "$expr" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args CMD [ARG...]: the container's process.args, as given.
set_args() {
	jq '.process.args = $ARGS.positional' "$BUNDLE/config.json" --args -- "$@" \
		>"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# create_container ID [CREATE-OPTS...]: `berth create --bundle $BUNDLE
# --pid-file $BATS_TEST_TMPDIR/ID.pid OPTS ID` with stdin from /dev/null and
# stdout+stderr in $BATS_TEST_TMPDIR/ID.out (the container keeps them open);
# sets status to create's exit code and output to the file's content, like
# bats' run, but never fails by itself.
# shellcheck disable=SC2034 # status and output are bats' run variables
create_container() {
	local id=$1 out=$_helpers_tmp/$1.out
	shift
	status=0
	berth create --bundle "$BUNDLE" --pid-file "$_helpers_tmp/$id.pid" "$@" "$id" \
		</dev/null >"$out" 2>&1 3>&- || status=$?
	output=$(cat "$out")
}

# wait_for_status ID STATUS [TRIES]: poll `berth state ID` every 0.1s, TRIES
# times (default 50), until its status is STATUS.
wait_for_status() {
	local id=$1 want=$2 tries=${3:-50} got=
	while ((tries-- > 0)); do
		got=$(berth state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || got=
		[[ $got == "$want" ]] && return 0
		sleep 0.1
	done
	echo "wait_for_status: container $id is '${got:-<no state>}', wanted '$want'" >&2
	berth state "$id" >&2 || true
	return 1
}

# _find_cgroups ID...: cgroup directories named ID, or starting with $CID,
# in any hierarchy under /sys/fs/cgroup (a few levels deep, which covers the
# default /<id> and a /<parent>/<id> cgroupsPath).
_find_cgroups() {
	local id args=(-name "$CID*")
	for id in "$@"; do
		args+=(-o -name "$id")
	done
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d \( "${args[@]}" \) -print 2>/dev/null
}

# run_bg: `berth run` of $BUNDLE as $CID in the background;
# runpid is the pid of berth itself (not of a subshell: no `berth` function
# here), its output goes to $BATS_TEST_TMPDIR/run.out.
run_bg() {
	"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- &
	runpid=$!
}

# wait_run: rc is the exit status of the background run.
wait_run() {
	rc=0
	wait "$runpid" || rc=$?
	echo "run exited $rc; its output:"
	cat "$BATS_TEST_TMPDIR/run.out"
}

# wait_file FILE PATTERN: wait up to 5s for a line matching PATTERN in FILE.
wait_file() {
	for _ in $(seq 50); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no '$2' in $1:"
	cat "$1" 2>/dev/null
	return 1
}

# assert_no_leftovers ID [MARKER]: no state directory $ROOT/ID, no cgroup
# directory named ID, and, with MARKER, no process whose command line
# contains MARKER (pgrep -f). Prints what it found and fails.
assert_no_leftovers() {
	local id=$1 marker=${2:-} left=0 found
	if [[ -e $ROOT/$id ]]; then
		echo "leftover state directory $ROOT/$id:"
		ls -la "$ROOT/$id"
		left=1
	fi
	found=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$id" -print 2>/dev/null)
	if [[ -n $found ]]; then
		echo "leftover cgroups for $id:"
		echo "$found"
		left=1
	fi
	if [[ -n $marker ]] && found=$(pgrep -af -- "$marker"); then
		echo "leftover processes matching '$marker':"
		echo "$found"
		left=1
	fi
	return "$left"
}

# allow_traverse DIR...: chmod o+x each DIR and every directory above it, so
# that a container's root mapped to another host uid (a user namespace) can
# reach the bundle: bats makes its temporary directories 0700.
allow_traverse() {
	local d
	for d in "$@"; do
		while [[ $d != / ]]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
	done
}

# teardown_containers: delete --force every container in the state root, then
# fail, printing them, if any state or (berth only) cgroup remains.
teardown_containers() {
	local ids id left=0 found
	if [[ -d $ROOT ]]; then
		if ! ids=$(berth list -q); then
			echo "teardown: '$BERTH list -q' failed"
			left=1
			ids=$(ls -A "$ROOT")
		fi
		for id in $ids; do
			berth delete --force "$id" </dev/null || {
				echo "teardown: '$BERTH delete --force $id' failed"
				left=1
			}
		done
		if [[ -n $(ls -A "$ROOT") ]]; then
			echo "teardown: left in state root $ROOT:"
			ls -la "$ROOT"
			left=1
		fi
	fi
	if is_berth; then
		# shellcheck disable=SC2086 # ids is a whitespace-separated list
		found=$(_find_cgroups $ids)
		if [[ -n $found ]]; then
			echo "teardown: leftover cgroups:"
			echo "$found"
			left=1
		fi
	fi
	return "$left"
}

# stop_run_bg: a run_bg still going when a test ends (it failed before
# wait_run) is stopped with its container, so that nothing outlives the
# test. Its container may not exist yet: it is waited for, up to 5s, before
# it is deleted; a run that never creates it is killed.
stop_run_bg() {
	[[ -n ${runpid:-} ]] && kill -0 "$runpid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		berth state "$CID" >/dev/null 2>&1 && break
		kill -0 "$runpid" 2>/dev/null || break
		sleep 0.1
	done
	berth delete --force "$CID" </dev/null >/dev/null 2>&1 || true
	for _ in $(seq 50); do
		kill -0 "$runpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$runpid" 2>/dev/null || true
	wait "$runpid" 2>/dev/null || true
}

teardown() {
	stop_run_bg
	teardown_containers
}
