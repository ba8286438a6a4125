#!/usr/bin/env bash
# Recipient workbooks: time and peak memory of reading N schools from CSV,
# .xlsx and .ods (the same rows; LibreOffice converts the CSV, so this needs
# soffice, unlike the tests).  Each run is `build --shard 1/S`, which reads
# and plans all N rows (twice through the file: the scan, then the paths)
# and writes about 100 letters.  Median of REPEAT (default 3) runs.
# usage: bench/workbook.sh [BUILD_DIR] [N ...]   (default: build 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
BIN=$BUILD/lettermerge
WORK=$(mktemp -d /tmp/lettermerge-wbbench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| file | rows | file MB | seconds | rows/s | peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	python3 bench/make-schools.py "$n" "$WORK/schools-$n.csv"
	for ext in xlsx ods; do
		soffice --headless -env:UserInstallation="file://$WORK/profile" --infilter=CSV:44,34,76,1 \
			--convert-to "$ext" --outdir "$WORK" "$WORK/schools-$n.csv" >/dev/null 2>&1
	done
	shards=$(( n / 100 > 1 ? n / 100 : 1 ))
	for ext in csv xlsx ods; do
		f=$WORK/schools-$n.$ext
		times=() mems=()
		for ((k = 0; k < ${REPEAT:-3}; k++)); do
			rm -rf "$WORK/out"
			/usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" build letters/cse-awareness.md \
				--area areas/liverpool --date 2015-03-17 -q --recipients "$f" \
				-o "$WORK/out/{{recipient.urn}}.pdf" --shard "1/$shards" --jobs 1 >/dev/null
			read -r t m < <(tail -1 "$WORK/time")
			times+=("$t")
			mems+=("$m")
		done
		t=$(printf '%s\n' "${times[@]}" | median)
		m=$(printf '%s\n' "${mems[@]}" | median)
		awk -v e="$ext" -v n="$n" -v t="$t" -v m="$m" -v b="$(stat -c %s "$f")" 'BEGIN {
			printf "| %-4s | %6d | %5.2f | %7.2f | %8.0f | %6.1f |\n", e, n, b / 1048576, t, (t > 0 ? n / t : 0), m / 1024 }'
	done
done
