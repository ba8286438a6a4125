#!/usr/bin/env bash
# Independent readers on every kind of file lettermerge writes: Ghostscript
# in strict mode, MuPDF (draw and show), qpdf --check, pdfsig for signed
# files, and tests/pdf/check.py (pikepdf: one revision's syntax, /ID, no
# empty compressed stream, no unreferenced object, the structure tree).
# usage: tests/e2e/readers.sh BUILD_DIR SOURCE_DIR [big]
#   big: a print file of 20,000 letters instead, made in at most 64 MB
#   (peak resident, /usr/bin/time), its first and last pages drawn.
# Prints "readers: N passed, N failed"; exit status 0 only if none failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
BIG=${3:-}
LM=$BIN/lettermerge
WORK=$(mktemp -d /tmp/lettermerge-readers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
for tool in gs mutool qpdf pdfsig pdfinfo /usr/bin/time; do
	command -v "$tool" >/dev/null || { bad "$tool is not installed (see scripts/setup.sh)"; finish readers; }
done
/usr/bin/python3 -c 'import pikepdf' 2>/dev/null || { bad "python3-pikepdf is not installed"; finish readers; }

# each reader exits 0 and complains about nothing
gs_strict() { # gs_strict FILE [first last]
	local range=()
	[ $# -gt 1 ] && range=(-dFirstPage="$2" -dLastPage="$3")
	gs -q -dPDFSTOPONERROR -dNOPAUSE -dBATCH -sDEVICE=nullpage "${range[@]}" "$1" >"$WORK/gs.log" 2>&1 &&
		! grep -qi "error\|warning" "$WORK/gs.log"
}
quiet() { ! grep -v "ICC support is not available\|^page " "$1" | grep -qi "error\|warning\|trying to repair"; }
mutool_draw() { mutool draw -o /dev/null "$@" >"$WORK/mu.log" 2>&1 && quiet "$WORK/mu.log"; }
mutool_show() { mutool show "$1" trailer >"$WORK/mu.log" 2>&1 && grep -q "/ID" "$WORK/mu.log" && quiet "$WORK/mu.log"; }
qpdf_clean() { qpdf --check "$1" >"$WORK/q.log" 2>&1 && ! grep -qi "warning\|error:" "$WORK/q.log"; }
pikepdf_walk() { /usr/bin/python3 tests/pdf/check.py "$@" >"$WORK/py.log" 2>&1 || { cat "$WORK/py.log"; return 1; }; }
pdfsig_valid() { pdfsig "$1" >"$WORK/sig.log" 2>&1 && grep -q "Signature is Valid" "$WORK/sig.log" &&
	! grep -q "Not total document signed" "$WORK/sig.log"; }
readers() { # readers NAME FILE [signed]
	check "$1: gs -dPDFSTOPONERROR" gs_strict "$2"
	check "$1: mutool draw" mutool_draw "$2"
	check "$1: mutool show" mutool_show "$2"
	check "$1: qpdf --check" qpdf_clean "$2"
	check "$1: pikepdf walk" pikepdf_walk "$2"
	[ "${3:-}" = signed ] && check "$1: pdfsig" pdfsig_valid "$2"
}
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }

if [ "$BIG" = big ]; then
	python3 bench/make-schools.py 20000 "$WORK/schools.csv"
	out=$WORK/print.pdf
	if /usr/bin/time -v -o "$WORK/time" "$LM" build letters/cse-awareness.md --area areas/liverpool \
		--recipients "$WORK/schools.csv" --combine "$out" --date 2015-03-17 -q 2>"$WORK/err"; then
		ok
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time")
		check "20,000 letters in <= 64 MB (peak $kb KB)" test "$kb" -le 65536
		n=$(pages "$out")
		check "40,000 pages (got $n)" test "$n" = 40000
		check "big: gs -dPDFSTOPONERROR, first pages" gs_strict "$out" 1 4
		check "big: gs -dPDFSTOPONERROR, last pages" gs_strict "$out" 39997 40000
		check "big: mutool draw, first and last pages" mutool_draw "$out" 1-4,39997-40000
		check "big: mutool show" mutool_show "$out"
		check "big: qpdf --check" qpdf_clean "$out"
		check "big: pikepdf (syntax, page and parent trees)" pikepdf_walk --big "$out"
	else
		bad "20,000 letters: $(cat "$WORK/err")"
	fi
	finish readers-big
fi

# every bundled letter for every bundled area
for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	l=$(basename "$letter" .md)
	for areadir in areas/*/; do
		a=$(basename "$areadir")
		out="$WORK/$l-$a.pdf"
		if "$LM" build "$letter" --area "$areadir" -o "$out" --date 2015-03-17 -q 2>"$WORK/err"; then
			readers "$l x $a" "$out"
		else
			bad "$l x $a: build failed: $(cat "$WORK/err")"
		fi
	done
done

# signed: RSA and ECDSA keys, invisible and visible
CA=$WORK/ca
bash scripts/make-test-ca.sh "$CA" >/dev/null 2>&1 || { bad "scripts/make-test-ca.sh failed"; finish readers; }
LETTER=(letters/cse-awareness.md --area areas/liverpool --date 2015-03-17 -q)
for kind in rsa ecdsa visible; do
	key=$CA/signer.p12 extra=()
	[ $kind = ecdsa ] && key=$CA/ec.p12
	[ $kind = visible ] && extra=(--sign-visible)
	out=$WORK/signed-$kind.pdf
	if "$LM" build "${LETTER[@]}" -o "$out" --sign-key "$key" --sign-pass-file "$CA/signer.pass" \
		"${extra[@]}" 2>"$WORK/err"; then
		readers "signed ($kind)" "$out" signed
	else
		bad "signed ($kind): build failed: $(cat "$WORK/err")"
	fi
done

# a large-print duplex print file with blank backs, and the same signed
python3 bench/make-schools.py 4 "$WORK/schools.csv"
for kind in unsigned signed; do
	extra=()
	[ $kind = signed ] && extra=(--sign-key "$CA/signer.p12" --sign-pass-file "$CA/signer.pass")
	out=$WORK/duplex-$kind.pdf
	if "$LM" build letters/cse-awareness.md --area areas/cheshire-west-and-chester --recipients "$WORK/schools.csv" \
		--combine "$out" --duplex --large-print --date 2015-03-17 -q "${extra[@]}" 2>"$WORK/err"; then
		# the same letters as separate files: each odd one but the last gets a back
		rm -rf "$WORK/sep"
		"$LM" build letters/cse-awareness.md --area areas/cheshire-west-and-chester --recipients "$WORK/schools.csv" \
			-o "$WORK/sep/{{recipient._row}}.pdf" --large-print --date 2015-03-17 -q "${extra[@]}" 2>/dev/null
		want=0 blanks=0
		for i in 1 2 3 4; do
			p=$(pages "$WORK/sep/$i.pdf")
			want=$((want + p))
			[ $i -lt 4 ] && [ $((p % 2)) = 1 ] && want=$((want + 1)) && blanks=$((blanks + 1))
		done
		check "duplex $kind: $blanks blank backs, $want pages (got $(pages "$out"))" \
			test "$blanks" -ge 1 -a "$(pages "$out")" = "$want"
		readers "large-print duplex ($kind)" "$out" $([ $kind = signed ] && echo signed)
	else
		bad "duplex $kind: build failed: $(cat "$WORK/err")"
	fi
done
finish readers
