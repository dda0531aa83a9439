#!/usr/bin/env bash
# bench/start.sh: how long one container takes from `run` to exit.
#
# What it measures: the wall time of `<runtime> --root DIR run --bundle B bench`
# where B is a busybox bundle whose process is /bin/true (terminal false), so
# nearly all of the time is the runtime's own work: parse the config, create
# the state and cgroups, clone the namespaces, set up the rootfs (mounts,
# pivot_root, devices), exec, wait, and delete. `run` deletes the container
# when it exits, so every run reuses the id "bench". hyperfine runs each
# command directly (-N, no shell), --warmup 5 times, then RUNS times
# (default 50).
#
# Two hyperfine runs, each comparing its runtimes side by side:
#   host     berth and runc on this (hybrid cgroup) host;
#   cgroup2  crun and berth, inside `unshare -m` with cgroup2 mounted on
#            /sys/fs/cgroup, because crun refuses hybrid hosts. crun runs
#            with --cgroup-manager=disabled: its cgroupfs manager raises
#            RLIMIT_MEMLOCK to load its device eBPF program, which fails on
#            a host without CAP_SYS_RESOURCE (ours). berth still creates a
#            cgroup, sets its device program and removes the cgroup in each
#            run, so this group flatters crun. The numbers of this group are
#            only comparable with each other, not with the host group.
# Each group also times the same bundle with a docker-sized seccomp profile
# (bench/seccomp-allowlist.json: 345 syscalls allowed by name on x86_64, x86
# and x32, clone only without namespace flags, everything else EPERM), as
# engines always pass one. Those runs are named RUNTIME-seccomp. runc and
# crun build the filter with libseccomp in every start; berth builds it once
# (in the warmup runs) and reads it from its filter cache afterwards
# (README.md, "Seccomp filter cache"), as it does for an engine that starts
# many containers with one profile.
# berth runs from a copy installed in the work directory, as runc and crun
# run from their packages' files (see below). A runtime whose binary is
# missing is skipped (and said so).
#
# How to read it: the summary gives the mean and standard deviation in ms per
# runtime and the ratios berth/runc and berth/crun of the means; below 1.00
# means berth is faster. The full hyperfine results (every run's time, min,
# max, median) are in bench/out/host.json and bench/out/cgroup2.json.
# Means of a few ms move with CPU frequency and load: compare runtimes within
# one invocation, not across machines or days.
#
# Environment: BERTH (default ./berth), RUNC (runc), CRUN (crun), RUNS (50),
# OUT (bench/out). Run as root.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-50}
OUT=${OUT:-$REPO/bench/out}
ID=bench

for tool in hyperfine jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: $tool is required (apt-get install $tool)" >&2
		exit 1
	fi
done

# runtime NAME PATH-OR-COMMAND: prints the binary's absolute path, or says
# that NAME is skipped and prints nothing.
runtime() {
	local name=$1 bin=$2
	if [[ $bin != */* ]]; then
		bin=$(command -v "$bin" || true)
	fi
	if [[ -n $bin && -x $bin ]]; then
		echo "$bin"
	else
		echo "bench: skipping $name: ${2} not found" >&2
	fi
}

berth=$(runtime berth "${BERTH:-$REPO/berth}")
runc=$(runtime runc "${RUNC:-runc}")
crun=$(runtime crun "${CRUN:-crun}")

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
	local name bin
	for name in berth runc crun; do
		bin=${!name}
		if [[ -n $bin ]]; then
			"$bin" --root "$work/state-$name" delete --force "$ID" >/dev/null 2>&1 || true
		fi
	done
	rm -rf "$work"
}
trap cleanup EXIT

# berth runs from an installed copy, as runc and crun do: a binary straight
# from the linker has other page-cache folios than a copy, and so another
# number of page faults per start (libcontainer/prefault/doc.go).
if [[ -n $berth ]]; then
	install -m 0755 "$berth" "$work/berth"
	berth=$work/berth
fi

# The bundle: the host's static busybox (same recipe as
# tests/integration/helpers.bash), config.json from the first runtime's spec.
bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,etc,tmp,root}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[[ $applet == busybox ]] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$bundle/rootfs/etc/passwd"
echo 'root:x:0:' >"$bundle/rootfs/etc/group"
spec_by=
for bin in "$berth" "$runc" "$crun"; do
	if [[ -n $bin ]] && (cd "$bundle" && "$bin" spec >/dev/null 2>&1); then
		spec_by=$bin
		break
	fi
done
if [[ -z $spec_by ]]; then
	echo "bench: no runtime could write config.json; nothing to measure" >&2
	exit 1
fi
# crun 1.8 refuses ociVersion values newer than it knows ("unknown version
# specified"); every runtime here accepts 1.0.2 and none needs a newer field.
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"]' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
# The same rootfs with the seccomp profile (root.path made absolute: runc
# refuses a rootfs reached through a symlink).
sbundle=$work/bundle-seccomp
mkdir -p "$sbundle"
jq --arg root "$bundle/rootfs" --slurpfile p "$REPO/bench/seccomp-allowlist.json" \
	'.root.path = $root | .linux.seccomp = $p[0]' "$bundle/config.json" >"$sbundle/config.json"
echo "bench: bundle $bundle (config.json from $spec_by spec), $RUNS runs per runtime"

mkdir -p "$OUT"
rm -f "$OUT/host.json" "$OUT/cgroup2.json"
common=(-N --warmup 5 --runs "$RUNS")

# Each runtime gets its own state root; -N splits commands on whitespace, so
# none of these paths may contain spaces.
host=()
[[ -n $berth ]] && host+=(-n berth "$berth --root $work/state-berth run --bundle $bundle $ID")
[[ -n $runc ]] && host+=(-n runc "$runc --root $work/state-runc run --bundle $bundle $ID")
[[ -n $berth ]] && host+=(-n berth-seccomp "$berth --root $work/state-berth run --bundle $sbundle $ID")
[[ -n $runc ]] && host+=(-n runc-seccomp "$runc --root $work/state-runc run --bundle $sbundle $ID")
if ((${#host[@]})); then
	echo
	echo "== host: berth and runc"
	hyperfine "${common[@]}" --export-json "$OUT/host.json" "${host[@]}"
fi

priv=()
[[ -n $crun ]] && priv+=(-n crun "$crun --cgroup-manager=disabled --root $work/state-crun run --bundle $bundle $ID")
[[ -n $berth ]] && priv+=(-n berth "$berth --root $work/state-berth run --bundle $bundle $ID")
[[ -n $crun ]] && priv+=(-n crun-seccomp "$crun --cgroup-manager=disabled --root $work/state-crun run --bundle $sbundle $ID")
[[ -n $berth ]] && priv+=(-n berth-seccomp "$berth --root $work/state-berth run --bundle $sbundle $ID")
if ((${#priv[@]})); then
	echo
	echo "== private mount namespace with cgroup2 on /sys/fs/cgroup: crun and berth"
	# shellcheck disable=SC2016 # "$@" is expanded by the inner sh
	unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec hyperfine "$@"' sh \
		"${common[@]}" --export-json "$OUT/cgroup2.json" "${priv[@]}"
fi

# Summary: one row per (group, runtime), then the ratios within each group.
echo
echo "== summary (mean of $RUNS runs)"
for f in "$OUT/host.json" "$OUT/cgroup2.json"; do
	[[ -f $f ]] || continue
	jq -r --arg group "$(basename "$f" .json)" \
		'.results[] | [$group, .command, (.mean * 1000), (.stddev * 1000)] | @tsv' "$f"
done | awk -F'\t' '
	BEGIN { printf "%-8s %-14s %10s %10s\n", "group", "runtime", "mean ms", "stddev ms" }
	{ printf "%-8s %-14s %10.2f %10.2f\n", $1, $2, $3, $4 }'

# ratio FILE A B: mean(A)/mean(B) from one hyperfine export, or n/a.
ratio() {
	local r=
	if [[ -f $1 ]]; then
		r=$(jq -r --arg a "$2" --arg b "$3" '
			[.results[] | {(.command): .mean}] | add as $m
			| if $m[$a] and $m[$b] then $m[$a] / $m[$b] else empty end' "$1")
	fi
	if [[ -n $r ]]; then printf '%.2f\n' "$r"; else echo n/a; fi
}
echo
echo "berth/runc (host):    $(ratio "$OUT/host.json" berth runc)"
echo "berth/crun (cgroup2): $(ratio "$OUT/cgroup2.json" berth crun)   (crun without cgroups)"
echo "with the seccomp profile:"
echo "berth/runc (host):    $(ratio "$OUT/host.json" berth-seccomp runc-seccomp)"
echo "berth/crun (cgroup2): $(ratio "$OUT/cgroup2.json" berth-seccomp crun-seccomp)   (crun without cgroups)"
for f in "$OUT/host.json" "$OUT/cgroup2.json"; do
	if [[ -f $f ]]; then echo "results: $f"; fi
done
