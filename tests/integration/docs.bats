#!/usr/bin/env bats
# Man pages and bash completion are generated from the CLI definitions.

load helpers

@test "gen-man writes berth.8 and a page per command, with their flags" {
	requires_berth
	"$BERTH" gen-man "$BATS_TEST_TMPDIR/man"
	[ -s "$BATS_TEST_TMPDIR/man/berth.8" ]
	for cmd in create start run state kill delete list pause resume update events ps spec features completion; do
		[ -s "$BATS_TEST_TMPDIR/man/berth-$cmd.8" ]
	done
	grep -q '^\.TH BERTH-UPDATE 8' "$BATS_TEST_TMPDIR/man/berth-update.8"
	grep -q 'pids\\-limit' "$BATS_TEST_TMPDIR/man/berth-update.8"
	grep -q 'berth\\-pause' "$BATS_TEST_TMPDIR/man/berth.8"
	# Hidden commands and help get no page; subcommands are in their
	# command's page.
	[ ! -e "$BATS_TEST_TMPDIR/man/berth-gen-man.8" ]
	[ ! -e "$BATS_TEST_TMPDIR/man/berth-help.8" ]
	for sub in unpack umount ls prune; do
		grep -q "^\.SS $sub" "$BATS_TEST_TMPDIR/man/berth-image.8"
	done
}

@test "completion bash completes commands, flags and container IDs" {
	requires_berth
	setup_busybox_bundle
	set_args sleep 100
	create_container "$CID"
	"$BERTH" completion bash >"$BATS_TEST_TMPDIR/comp.bash"
	export ROOT
	run bash -c '
		source "$1"
		berth() { "$BERTH" --root "$ROOT" "$@"; }
		COMP_WORDS=(berth pa); COMP_CWORD=1; _berth; echo "cmds: ${COMPREPLY[*]}"
		COMP_WORDS=(berth update --pids); COMP_CWORD=2; _berth; echo "flags: ${COMPREPLY[*]}"
		COMP_WORDS=(berth kill ""); COMP_CWORD=2; _berth; echo "ids: ${COMPREPLY[*]}"
	' sh "$BATS_TEST_TMPDIR/comp.bash"
	echo "$output"
	[[ "$output" == *"cmds: pause"* ]]
	[[ "$output" == *"flags: --pids-limit"* ]]
	[[ "$output" == *"ids: $CID"* ]]
	run "$BERTH" completion zsh
	[ "$status" -ne 0 ]
	[[ "$output" == *"only bash"* ]]
}

@test "berth --help and every command's --help show examples" {
	requires_berth
	run "$BERTH" --help
	[[ "$output" == *"Examples:"* ]]
	cmds=$("$BERTH" --help | awk '/^COMMANDS:/ {on=1; next} on && /^[A-Z]/ {on=0} on && NF {sub(/,.*/, "", $1); print $1}')
	[ -n "$cmds" ]
	for cmd in $cmds; do
		[[ $cmd == help || $cmd == h ]] && continue
		if [[ $cmd == image ]]; then
			sub=unpack
			out=$("$BERTH" image unpack --help)
		else
			out=$("$BERTH" "$cmd" --help)
		fi
		[[ $out == *Example* ]] || {
			echo "no example in 'berth $cmd --help'"
			false
		}
	done
}
