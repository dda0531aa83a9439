#!/usr/bin/env bash
# bench/floor.sh: what merely starting a process costs on this host, the
# floor under every number of bench/start.sh and bench/unpack.sh.
#
# What it measures, side by side in one hyperfine run (-N, no shell):
#   /bin/true             a C program doing nothing (dynamic glibc)
#   go, pure              `func main() {}` built with CGO_ENABLED=0
#   go, cgo static        the same with one cgo call, linked statically
#                         against glibc as berth is (berth needs cgo for its
#                         C stage and libseccomp)
#   berth --version       berth's own start: the Go runtime, the package
#                         initialisers of berth and its dependencies, the
#                         command line parser
#   crun --version, runc --version   the same for the runtimes we compare
#                         with (skipped when missing)
# The two Go programs are built into a temporary directory with the Go
# toolchain berth is built with.
#
# How to read it: a berth command can never be faster than "go, cgo static";
# the gap between that and "berth --version" is what berth's size and its
# dependencies' initialisers cost every berth process (a container start
# runs two: the command and the container's init).
#
# Environment: BERTH (./berth), RUNS (100), GO (go). Run anywhere.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100}
BERTH=${BERTH:-$REPO/berth}
GO=${GO:-go}
if ! command -v hyperfine >/dev/null; then
	echo "bench: hyperfine is required (apt-get install hyperfine)" >&2
	exit 1
fi

work=$(mktemp -d /tmp/berth-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pure" "$work/cgo"
printf 'module floor\n\ngo 1.21\n' >"$work/pure/go.mod"
printf 'module floor\n\ngo 1.21\n' >"$work/cgo/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$work/pure/main.go"
cat >"$work/cgo/main.go" <<'EOF'
package main

// #include <stdlib.h>
import "C"

func main() { _ = C.abs(1) }
EOF
(cd "$work/pure" && CGO_ENABLED=0 "$GO" build -o "$work/go-pure" .)
(cd "$work/cgo" && CGO_ENABLED=1 "$GO" build -tags "osusergo netgo" \
	-ldflags "-linkmode external -extldflags -static" -o "$work/go-cgo" .)

cmds=(-n "/bin/true" "/bin/true"
	-n "go, pure" "$work/go-pure"
	-n "go, cgo static" "$work/go-cgo"
	-n "berth --version" "$BERTH --version")
for rt in crun runc; do
	if command -v "$rt" >/dev/null; then
		cmds+=(-n "$rt --version" "$(command -v "$rt") --version")
	else
		echo "bench: skipping $rt: not found" >&2
	fi
done
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/floor.json" "${cmds[@]}" >/dev/null
echo "== process start floor (mean of $RUNS runs)"
jq -r '.results[] | [.command, (.mean * 1000), (.stddev * 1000)] | @tsv' "$work/floor.json" |
	awk -F'\t' 'BEGIN { printf "%-18s %8s %8s\n", "program", "mean ms", "sd ms" }
		{ printf "%-18s %8.2f %8.2f\n", $1, $2, $3 }'
