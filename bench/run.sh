#!/usr/bin/env bash
# Bulk-run benchmark: cse-awareness x liverpool (a two-page letter) for N
# synthetic schools, as separate files (--jobs 2) and as one --combine print
# file (one core), unsigned and signed.  Reports the median of REPEAT runs:
# letters per second, bytes per letter, peak memory (/usr/bin/time).
# usage: bench/run.sh [BUILD_DIR] [N ...]      (default: build 1 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1 1000 10000)
REPEAT=${REPEAT:-3}
BIN=$BUILD/lettermerge
WORK=$(mktemp -d /tmp/lettermerge-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
bash scripts/make-test-ca.sh "$WORK/ca" >/dev/null 2>&1
SIGN=(--sign-key "$WORK/ca/signer.p12" --sign-pass-file "$WORK/ca/signer.pass")

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run LABEL N ARGS...: prints one table row
run() {
	local label=$1 n=$2
	shift 2
	local times=() mems=() bytes=0
	for ((k = 0; k < REPEAT; k++)); do
		rm -rf "$WORK/out"
		/usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" build letters/cse-awareness.md \
			--area areas/liverpool --recipients "$WORK/schools-$n.csv" --date 2015-03-17 -q "$@"
		read -r t m <"$WORK/time"
		times+=("$t")
		mems+=("$m")
		bytes=$(find "$WORK/out" -type f -name "*.pdf" -printf "%s\n" | awk "{ s += \$1 } END { print s + 0 }")
	done
	local t m
	t=$(printf '%s\n' "${times[@]}" | median)
	m=$(printf '%s\n' "${mems[@]}" | median)
	awk -v l="$label" -v n="$n" -v t="$t" -v m="$m" -v b="$bytes" 'BEGIN {
		rate = t > 0 ? n / t : 0
		printf "| %-28s | %6d | %7.2f | %8.0f | %9.1f | %7.1f |\n", l, n, t, rate, b / n / 1024, m / 1024 }'
}

echo "| run | letters | seconds | letters/s | KB/letter | peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	python3 bench/make-schools.py "$n" "$WORK/schools-$n.csv"
	run "separate files, --jobs 2" "$n" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2
	run "separate files, --jobs 1" "$n" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 1
	run "one --combine file" "$n" --combine "$WORK/out/all.pdf" --jobs 1
	run "separate, signed, --jobs 2" "$n" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2 "${SIGN[@]}"
	run "one --combine file, signed" "$n" --combine "$WORK/out/all.pdf" --jobs 1 "${SIGN[@]}"
done
