#!/usr/bin/env bash
# Big recipient files: does memory stay flat as the rows grow?
#
# For N synthetic schools (cse-awareness x liverpool, two pages each):
#   check     - `lettermerge check` over every row (reads the file, checks
#               every row's facts, lays every letter out, writes nothing)
#   plan      - `build -o out/{{recipient.urn}}.pdf --shard 1/S`: reads and
#               plans all N rows (output paths, collisions) but writes only
#               about 1,000 letters, so the planning cost shows at any N
#   stdin     - plan, with the recipients piped in on standard input
# Reports the median of REPEAT runs (1 for N >= 1,000,000): seconds, rows
# per second, peak memory (/usr/bin/time %M), and MB of the CSV itself.
# usage: bench/rows.sh [BUILD_DIR] [N ...]   (default: build 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
BIN=$BUILD/lettermerge
WORK=$(mktemp -d /tmp/lettermerge-rows.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# row LABEL N CSV_MB REPEAT CMD...: runs CMD (a shell string) and prints a table row
row() {
	local label=$1 n=$2 mb=$3 repeat=$4 cmd=$5
	local times=() mems=()
	for ((k = 0; k < repeat; k++)); do
		rm -rf "$WORK/out"
		/usr/bin/time -f "%e %M" -o "$WORK/time" bash -c "$cmd" >/dev/null 2>"$WORK/err" || {
			echo "failed: $cmd" >&2
			cat "$WORK/err" >&2
			exit 1
		}
		read -r t m < <(tail -1 "$WORK/time")
		times+=("$t")
		mems+=("$m")
	done
	local t m
	t=$(printf '%s\n' "${times[@]}" | median)
	m=$(printf '%s\n' "${mems[@]}" | median)
	awk -v l="$label" -v n="$n" -v t="$t" -v m="$m" -v mb="$mb" 'BEGIN {
		printf "| %-6s | %9d | %6.1f | %8.2f | %8.0f | %7.1f |\n", l, n, mb, t, (t > 0 ? n / t : 0), m / 1024 }'
}

echo "| run | rows | CSV MB | seconds | rows/s | peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	csv=$WORK/schools-$n.csv
	python3 bench/make-schools.py "$n" "$csv"
	mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { print b / 1048576 }')
	repeat=${REPEAT:-3}
	[ "$n" -lt 1000000 ] || repeat=1
	shards=$(( n / 1000 > 1 ? n / 1000 : 1 ))
	common="letters/cse-awareness.md --area areas/liverpool --date 2015-03-17 -q"
	row check "$n" "$mb" "$repeat" "$BIN check $common --recipients $csv"
	row plan "$n" "$mb" "$repeat" \
		"$BIN build $common --recipients $csv -o '$WORK/out/{{recipient.urn}}.pdf' --shard 1/$shards --jobs 2"
	row stdin "$n" "$mb" "$repeat" \
		"$BIN build $common --recipients - -o '$WORK/out/{{recipient.urn}}.pdf' --shard 1/$shards --jobs 2 < $csv"
done
