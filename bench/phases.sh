#!/usr/bin/env bash
# bench/phases.sh: where the time of one `berth run` of /bin/true goes.
#
# What it measures: RUNS (default 30) runs of `berth run` of /bin/true on a
# busybox bundle (the recipe of bench/start.sh), each with BERTH_PHASES set
# (package libcontainer/phase): the runtime and the container's init append
# "MICROSECONDS PID NAME" to one file at each step. Before each run the
# script appends its own "exec" line, so times count from just before the
# runtime was executed (a fork and exec of the shell included, about 1 ms).
#
# How to read it: one row per step, in the order they happen, with the
# mean time since "exec" and the mean time since the step before (in that
# run, whichever came before), in ms. Steps named init* (and "main#2", with
# the Go init: BERTH_INIT=go) are the container's init; the rest are the
# runtime. With the Go init, its Go runtime boots between init-pid and
# main#2; between init-exec and exited, the kernel executes /bin/true,
# which runs and exits, and the runtime reaps it.
# Compare rows within one run of the script, not across machines.
#
# Environment: BERTH (./berth), RUNS (30), BERTH_INIT (go: the Go init).
# Run as root.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
BERTH=${BERTH:-$REPO/berth}

work=$(mktemp -d /tmp/berth-phases.XXXXXX)
trap '"$BERTH" --root "$work/state" delete --force phases >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,etc,tmp,root}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[[ $applet == busybox ]] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && "$BERTH" spec)
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$bundle/config.json"

log=$work/phases.log
for ((i = 0; i < RUNS; i++)); do
	echo "${EPOCHREALTIME/./} 0 exec" >>"$log"
	BERTH_PHASES=$log "$BERTH" --root "$work/state" run --bundle "$bundle" phases
	echo "${EPOCHREALTIME/./} 0 returned" >>"$log"
	echo "---" >>"$log"
done

echo "== berth run of /bin/true, mean of $RUNS runs (ms)"
awk '
	$0 == "---" { n = 0; delete seen; next }
	{
		if (n == 0) { t0 = $1; prev = $1 }
		n++
		# A step is its name and which time it is seen in the run ("main"
		# is the runtime'"'"'s and, with the Go init, the init'"'"'s too): the
		# runtime and the init race, so positions vary from run to run.
		key = $3 "#" ++seen[$3]
		since[key] += ($1 - t0) / 1000
		step[key] += ($1 - prev) / 1000
		count[key]++
		prev = $1
	}
	END {
		for (k in since) printf "%.2f %s %.2f %d\n", since[k] / count[k], k, step[k] / count[k], count[k]
	}' "$log" | sort -n | awk -v runs="$RUNS" '
	BEGIN { printf "%-14s %9s %9s\n", "step", "at", "+step" }
	$4 == runs { name = $2; sub(/#1$/, "", name); printf "%-14s %9.2f %9.2f\n", name, $1, $3 }'
