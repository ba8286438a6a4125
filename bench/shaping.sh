#!/usr/bin/env bash
# What the shaping text engine (issue 14: HarfBuzz shaping, FriBidi,
# libunibreak, Noto fallback, text drawn by glyph) costs the bundled English
# letters: the build before it (69ab923, text drawn a code point at a time)
# against this one, on each bundled letter (not its translations) for
# Liverpool.  Reports, as medians of REPEAT runs with the two builds
# interleaved: the bytes of one letter; the wall and CPU time per letter and
# the bytes per letter of a print file of N letters and the wall and CPU
# time per letter of a print file of NT letters (--jobs 1; NT large enough
# for /usr/bin/time's hundredths); and the instructions (valgrind
# --tool=callgrind) of one letter and of the N-letter print file.  The
# issue asks for less than 15% more.
# usage: bench/shaping.sh [BEFORE_BUILD [AFTER_BUILD]]
#   BEFORE_BUILD: a build folder of 69ab923 (default: made here from
#   `git archive 69ab923` in a temporary folder); AFTER_BUILD: default build/
#   N (default 200), NT (default 2000) and REPEAT (default 3) from the
#   environment; BASE names the before build in the table (default 69ab923).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
NT=${NT:-2000}
REPEAT=${REPEAT:-3}
BASE=${BASE:-69ab923}
WORK=$(mktemp -d /tmp/lettermerge-shaping.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
BEFORE=${1:-}
AFTER=${2:-build}
if [ -z "$BEFORE" ]; then
	echo "building $BASE in $WORK/before ..." >&2
	mkdir -p "$WORK/before-src"
	git archive "$BASE" | tar -x -C "$WORK/before-src"
	cmake -S "$WORK/before-src" -B "$WORK/before" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$WORK/before" -j 2 --target lettermerge >/dev/null
	BEFORE=$WORK/before
fi
for b in "$BEFORE" "$AFTER"; do
	[ -x "$b/lettermerge" ] || { echo "bench/shaping.sh: no $b/lettermerge" >&2; exit 2; }
done
export LETTERMERGE_FONTS=$PWD/fonts
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
python3 bench/make-schools.py "$N" "$WORK/schools.csv"
python3 bench/make-schools.py "$NT" "$WORK/schools-t.csv"

# timed BIN ARGS...: "wall cpu" of one run
timed() {
	local bin=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$WORK/time" "$bin/lettermerge" build "$@" --date 2015-03-17 -q
	awk '{ print $1, $2 + $3 }' "$WORK/time"
}
# instructions BIN ARGS...: what callgrind counts for one run
instructions() {
	local bin=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/lettermerge" build "$@" \
		--date 2015-03-17 -q 2>&1 | awk '/Collected :/ { print $NF }'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%+.1f%%", (b - a) * 100 / a; else print "-" }'; }

echo "| letter | measure | before ($BASE) | after | change |"
echo "| --- | --- | ---: | ---: | ---: |"
for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation: not an English letter
	l=$(basename "$letter" .md)
	declare -A wall=() cpu=() bytes=() one=()
	for ((k = 0; k < REPEAT; k++)); do
		for side in before after; do
			b=$BEFORE
			[ $side = after ] && b=$AFTER
			"$b/lettermerge" build "$letter" --area areas/liverpool -o "$WORK/one-$side.pdf" --date 2015-03-17 -q
			one[$side]=$(stat -c %s "$WORK/one-$side.pdf")
			read -r w c < <(timed "$b" "$letter" --area areas/liverpool -r "$WORK/schools-t.csv" \
				--combine "$WORK/print-$side.pdf" --jobs 1)
			wall[$side]+="$w "
			cpu[$side]+="$c "
			"$b/lettermerge" build "$letter" --area areas/liverpool -r "$WORK/schools.csv" \
				--combine "$WORK/print-$side.pdf" --jobs 1 --date 2015-03-17 -q
			bytes[$side]=$(stat -c %s "$WORK/print-$side.pdf")
		done
	done
	for side in before after; do
		wall[$side]=$(printf '%s\n' ${wall[$side]} | median)
		cpu[$side]=$(printf '%s\n' ${cpu[$side]} | median)
	done
	ms() { awk -v s="$1" -v n="$NT" 'BEGIN { printf "%.3f", s * 1000 / n }'; }
	printf '| %s | bytes, one letter | %d | %d | %s |\n' "$l" "${one[before]}" "${one[after]}" \
		"$(pct "${one[before]}" "${one[after]}")"
	printf '| %s | bytes per letter, %d-letter print file | %d | %d | %s |\n' "$l" "$N" \
		$((bytes[before] / N)) $((bytes[after] / N)) "$(pct "${bytes[before]}" "${bytes[after]}")"
	printf '| %s | ms per letter (wall), %d-letter print file | %s | %s | %s |\n' "$l" "$NT" "$(ms "${wall[before]}")" \
		"$(ms "${wall[after]}")" "$(pct "${wall[before]}" "${wall[after]}")"
	printf '| %s | ms per letter (CPU), %d-letter print file | %s | %s | %s |\n' "$l" "$NT" "$(ms "${cpu[before]}")" \
		"$(ms "${cpu[after]}")" "$(pct "${cpu[before]}" "${cpu[after]}")"
	i1b=$(instructions "$BEFORE" "$letter" --area areas/liverpool -o "$WORK/cg.pdf")
	i1a=$(instructions "$AFTER" "$letter" --area areas/liverpool -o "$WORK/cg.pdf")
	printf '| %s | instructions, one letter | %s | %s | %s |\n' "$l" "$i1b" "$i1a" "$(pct "$i1b" "$i1a")"
	iNb=$(instructions "$BEFORE" "$letter" --area areas/liverpool -r "$WORK/schools.csv" \
		--combine "$WORK/cg.pdf" --jobs 1)
	iNa=$(instructions "$AFTER" "$letter" --area areas/liverpool -r "$WORK/schools.csv" \
		--combine "$WORK/cg.pdf" --jobs 1)
	printf '| %s | instructions, %d-letter print file | %s | %s | %s |\n' "$l" "$N" "$iNb" "$iNa" \
		"$(pct "$iNb" "$iNa")"
	unset wall cpu bytes one
done
