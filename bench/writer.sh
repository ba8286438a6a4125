#!/usr/bin/env bash
# The PDF writer before and after (issue 10): two builds side by side on
# cse-awareness x liverpool for N synthetic schools, interleaved, REPEAT
# runs each (median).  Reports bytes of a one-letter file, bytes per letter
# of a print file, seconds (wall and CPU) and peak memory for print files of
# N letters and for N separate files (--jobs 1).
# usage: bench/writer.sh BEFORE_BUILD AFTER_BUILD [N ...]   (default 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$1 AFTER=$2
shift 2
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
REPEAT=${REPEAT:-3}
WORK=$(mktemp -d /tmp/lettermerge-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run BIN N ARGS...: "wall cpu peakKB bytes" (medians)
run() {
	local bin=$1 n=$2
	shift 2
	local w=() c=() m=() bytes=0
	for ((k = 0; k < REPEAT; k++)); do
		rm -rf "$WORK/out"
		if ! /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$bin/lettermerge" build \
			letters/cse-awareness.md --area areas/liverpool --recipients "$WORK/schools-$n.csv" \
			--date 2015-03-17 -q "$@" 2>"$WORK/err"; then
			echo "fails: $(head -c 120 "$WORK/err")"
			return
		fi
		read -r t u s kb <"$WORK/time"
		w+=("$t")
		c+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
		m+=("$kb")
		bytes=$(find "$WORK/out" -type f -name "*.pdf" -printf "%s\n" | awk '{ s += $1 } END { print s + 0 }')
	done
	echo "$(printf '%s\n' "${w[@]}" | median) $(printf '%s\n' "${c[@]}" | median) $(printf '%s\n' "${m[@]}" | median) $bytes"
}

python3 bench/make-schools.py 1 "$WORK/schools-1.csv"
k=0
for b in "$BEFORE" "$AFTER"; do
	k=$((k + 1))
	"$b/lettermerge" build letters/cse-awareness.md --area areas/liverpool -o "$WORK/one-$k.pdf" \
		--date 2015-03-17 -q
	echo "one letter, $b: $(stat -c %s "$WORK/one-$k.pdf") bytes"
done
echo
echo "| run | letters | build | wall s | CPU s | peak MB | bytes/letter |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
for n in "${SIZES[@]}"; do
	python3 bench/make-schools.py "$n" "$WORK/schools-$n.csv"
	for kind in combine separate; do
		[ "$kind" = separate ] && [ "$n" -gt 1000 ] && continue
		for b in "$BEFORE" "$AFTER"; do
			if [ $kind = combine ]; then
				r=$(run "$b" "$n" --combine "$WORK/out/all.pdf" --jobs 1)
			else
				r=$(run "$b" "$n" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 1)
			fi
			case $r in
			fails*) echo "| $kind | $n | $b | $r | | | |" ;;
			*) read -r w c kb bytes <<<"$r"
			   awk -v k="$kind" -v n="$n" -v b="$b" -v w="$w" -v c="$c" -v kb="$kb" -v by="$bytes" 'BEGIN {
				printf "| %s | %d | %s | %.2f | %.2f | %.1f | %.0f |\n", k, n, b, w, c, kb / 1024, by / n }' ;;
			esac
		done
	done
done
