#!/usr/bin/env bash
# What tagging (structure tree, marked content, XMP) costs: the same letters
# built by this tree and by the last commit before letters were tagged,
# interleaved, median of REPEAT runs each.  usage: bench/tagging.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
REPEAT=${REPEAT:-5}
BASE=${BASE:-c332179} # "Keep freed memory between letters…", the commit before tagging
WORK=$(mktemp -d /tmp/lettermerge-tagbench.XXXXXX)
trap 'git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git worktree add --detach "$WORK/base" "$BASE" >/dev/null 2>&1
cmake -S "$WORK/base" -B "$WORK/base/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$WORK/base/build" -j 2 --target lettermerge >/dev/null
[ -x build/lettermerge ] || scripts/setup.sh build
python3 bench/make-schools.py "$N" "$WORK/s.csv"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# measure BIN MODE: prints "seconds bytes"
measure() {
	local bin=$1 mode=$2 out=$WORK/out
	rm -rf "$out"
	local args=(-o "$out/{{recipient.urn}}.pdf" --jobs 1)
	[ "$mode" = combine ] && args=(--combine "$out/all.pdf" --jobs 1)
	[ "$mode" = one ] && args=(-o "$out/one.pdf" --jobs 1)
	local rec=(--recipients "$WORK/s.csv")
	[ "$mode" = one ] && rec=()
	/usr/bin/time -f "%U %S" -o "$WORK/t" "$bin" build letters/cse-awareness.md --area areas/liverpool \
		"${rec[@]}" --date 2015-03-17 -q "${args[@]}" --fonts fonts
	awk '{ printf "%.3f ", $1 + $2 }' "$WORK/t"
	find "$out" -name '*.pdf' -printf '%s\n' | awk '{ s += $1 } END { print s }'
}
echo "| files | untagged CPU s | tagged CPU s | time | untagged bytes | tagged bytes | size |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for mode in one separate combine; do
	: >"$WORK/a" && : >"$WORK/b"
	for ((k = 0; k < REPEAT; k++)); do
		measure "$WORK/base/build/lettermerge" $mode >>"$WORK/a"
		measure build/lettermerge $mode >>"$WORK/b"
	done
	ta=$(cut -d' ' -f1 "$WORK/a" | median) tb=$(cut -d' ' -f1 "$WORK/b" | median)
	ba=$(cut -d' ' -f2 "$WORK/a" | median) bb=$(cut -d' ' -f2 "$WORK/b" | median)
	label=$mode
	[ $mode = separate ] && label="$N separate files"
	[ $mode = combine ] && label="one print file of $N"
	[ $mode = one ] && label="one letter"
	awk -v l="$label" -v ta="$ta" -v tb="$tb" -v ba="$ba" -v bb="$bb" 'BEGIN {
		printf "| %s | %.3f | %.3f | %+.1f%% | %d | %d | %+.1f%% |\n", l, ta, tb, (ta > 0 ? 100 * (tb - ta) / ta : 0), ba, bb, 100 * (bb - ba) / ba }'
done

# CPU seconds on a shared 2-core machine wander by several per cent from run
# to run; instruction counts (callgrind) do not.  100 letters each way.
if command -v valgrind >/dev/null; then
	python3 bench/make-schools.py 100 "$WORK/s100.csv"
	instr() { # BIN ARGS...: instructions of one run
		local bin=$1
		shift
		rm -rf "$WORK/out"
		valgrind --tool=callgrind --callgrind-out-file="$WORK/cg" "$bin" build letters/cse-awareness.md \
			--area areas/liverpool --recipients "$WORK/s100.csv" --date 2015-03-17 -q --jobs 1 \
			--fonts fonts "$@" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ','
	}
	echo
	echo "| 100 letters | untagged instructions | tagged instructions | change |"
	echo "| --- | ---: | ---: | ---: |"
	for mode in separate combine; do
		args=(-o "$WORK/out/{{recipient.urn}}.pdf")
		[ $mode = combine ] && args=(--combine "$WORK/out/all.pdf")
		a=$(instr "$WORK/base/build/lettermerge" "${args[@]}")
		b=$(instr build/lettermerge "${args[@]}")
		awk -v m="$mode" -v a="$a" -v b="$b" 'BEGIN { printf "| %s | %d | %d | %+.1f%% |\n", m, a, b, 100 * (b - a) / a }'
	done
fi
