#!/usr/bin/env bash
# The letter's frame on letters of shapes we do not bundle (tests/frame/):
# a police letter whose body places a heading, the subject and the
# salutation above the body and a postscript with a web link after one
# signatory's block; a council leaflet with no salutation, date or
# signatories from an area with no signatories.csv; a guide that takes 3
# pages as written and 2 with `pages: 2`.  Parts in pdftotext order, the
# structure tree read with pikepdf (no empty element), page counts, and
# check's findings.
# usage: tests/e2e/frame.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-frame.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
T=tests/frame
NORTH=$T/areas/northshire
EAST=$T/areas/eastshire
DATE=(--date 2026-12-01)

# "a" comes before "b" before … in the PDF's text
in_order() {
	local rest=$1
	shift
	for s in "$@"; do
		if [[ "$rest" != *"$s"* ]]; then
			echo "  '$s' missing or out of order" >&2
			return 1
		fi
		rest=${rest#*"$s"}
	done
}
count() { printf '%s' "$1" | grep -o -F -- "$2" | wc -l; }
# Every structure element holds content (marked content, an object, or a
# child that does); prints the empty ones.  Table cells may be empty.
no_empty_elements() {
	/usr/bin/python3 - "$1" <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
empty = []
def full(e):
    if isinstance(e, int):
        return True
    if not isinstance(e, pikepdf.Dictionary):
        return False
    t = e.get('/Type')
    if t in ('/MCR', '/OBJR'):
        return True
    k = e.get('/K')
    if k is None:
        kids = []
    elif isinstance(k, pikepdf.Array):
        kids = list(k)
    else:
        kids = [k]
    ok = False
    for c in kids:
        ok = full(c) or ok
    if not ok and str(e.get('/S')) not in ('/TD', '/TH'):
        empty.append(str(e.get('/S')))
    return ok or str(e.get('/S')) in ('/TD', '/TH')
root = pdf.Root.StructTreeRoot
full(root)
empty = [s for s in empty if s != 'None']
print(' '.join(empty))
sys.exit(1 if empty else 0)
PY
}

# ---- a police letter: heading, subject and salutation placed by the body,
# one signatory, a postscript with a link after the signature block
"$BIN" build $T/letters/police.md --area $NORTH "${DATE[@]}" -o "$WORK/police.pdf" -q 2>"$WORK/err"
check "police letter builds" test -s "$WORK/police.pdf"
check "police letter: qpdf --check" qpdf --check "$WORK/police.pdf" >/dev/null
text=$(pdf_text "$WORK/police.pdf")
check "police letter: parts in the body's order" in_order "$text" \
	"Northshire Police" "1 December 2026" "Letter from Assistant Chief Constable Andrew Ward" \
	"Knife crime – what parents and carers can do" "Dear Parents & Carers," \
	"Across Northshire we have seen" "Thank you for your help" "Yours faithfully," \
	"Andrew Ward" "Assistant Chief Constable" "If you have information" "www.fearless.org"
check "police letter: the salutation printed once" test "$(count "$text" "Dear Parents")" = 1
check "police letter: the subject printed once" test "$(count "$text" "what parents and carers can do")" = 1
check "police letter: the closing printed once" test "$(count "$text" "Yours faithfully")" = 1
check "police letter: only the signatory it names" test "$(count "$text" "Rachel Hale")" = 0
check "police letter: the PDF's Subject is the front matter's" \
	grep -q "^Subject: *Knife crime – what parents and carers can do$" <(pdfinfo "$WORK/police.pdf")
check "police letter: one page" grep -q "^Pages: *1$" <(pdfinfo "$WORK/police.pdf")
check "police letter: no empty structure element" no_empty_elements "$WORK/police.pdf"
pdfinfo -struct-text "$WORK/police.pdf" >"$WORK/police.struct"
check "police letter: the heading is a heading, the subject too" \
	test "$(grep -c '^  H1' "$WORK/police.struct")" = 2
check "police letter: the signature is a Figure" grep -q '^  Figure' "$WORK/police.struct"
check "police letter: the postscript's link is tagged" grep -q 'Link' "$WORK/police.struct"
# the postscript is below the signature block, on the same page
pdftotext -bbox "$WORK/police.pdf" "$WORK/police.html"
y_of() { grep -m1 ">$1<" "$WORK/police.html" | sed 's/.*yMin="\([0-9.]*\)".*/\1/'; }
check "police letter: the postscript below the signatory's name" \
	awk -v a="$(y_of Ward)" -v b="$(y_of Crimestoppers)" 'BEGIN { exit !(b > a) }'
"$BIN" build $T/letters/police.md --area $NORTH "${DATE[@]}" --large-print -o "$WORK/police-lp.pdf" -q
check "police letter in large print: nothing empty" no_empty_elements "$WORK/police-lp.pdf"
check "police letter in large print: parts in order" in_order "$(pdf_text "$WORK/police-lp.pdf")" \
	"Letter from Assistant" "Knife crime" "Dear Parents" "Yours faithfully," "Andrew Ward" "If you have information"

# the letter's own list leaves a signatory out: say so
sed 's/^signatories: \[acc\]/signatories: []/' $T/letters/police.md >"$WORK/none-listed.md"
"$BIN" check "$WORK/none-listed.md" --area $NORTH "${DATE[@]}" >"$WORK/out" 2>&1
check "signatories: [] exits 1" test $? = 1
check "signatories: [] says the letter's list left the row out" \
	grep -q "signatory 'acc' is in $NORTH/signatories.csv, but this letter's 'signatories:' (line 6) leaves it out" "$WORK/out"
# a part placed inside a sentence
printf -- '---\ntitle: x\n---\nWe close. {{> signatures}}\n' >"$WORK/inline.md"
"$BIN" check "$WORK/inline.md" --area $NORTH "${DATE[@]}" >"$WORK/out" 2>&1
check "a part inside a line: exit 1" test $? = 1
check "a part inside a line: said where" grep -q "inline.md:4:11: error: '{{> signatures}}' places a part of the letter, so it goes on a line of its own" "$WORK/out"

# ---- a council leaflet: no salutation, date, closing or signatories,
# from an area with no signatories.csv
check "the leaflet's area has no signatories.csv" test ! -e $EAST/signatories.csv
"$BIN" build $T/letters/leaflet.md --area $EAST "${DATE[@]}" -o "$WORK/leaflet.pdf" -q 2>"$WORK/err"
check "leaflet builds" test -s "$WORK/leaflet.pdf"
text=$(pdf_text "$WORK/leaflet.pdf")
check "leaflet: parts in order" in_order "$text" "Eastshire County Council" \
	"Child exploitation – where to get help" "What should I look out for?" "Who can I contact?" \
	"Mon – Thur 9am to 5pm and Fri 9am to 4:30pm" "call 999"
for absent in "Dear" "Yours" "sincerely" "December 2026"; do
	check "leaflet: no '$absent'" test "$(count "$text" "$absent")" = 0
done
check "leaflet: no empty structure element" no_empty_elements "$WORK/leaflet.pdf"
check "leaflet: one page" grep -q "^Pages: *1$" <(pdfinfo "$WORK/leaflet.pdf")
"$BIN" check $T/letters/leaflet.md --area $EAST "${DATE[@]}" >"$WORK/out" 2>&1
check "leaflet: check finds nothing" grep -q "0 errors, 0 warnings" "$WORK/out"
# the same leaflet signed: that area has no one to sign it
sed '/^signatories: none/d' $T/letters/leaflet.md >"$WORK/signed.md"
"$BIN" build "$WORK/signed.md" --area $EAST "${DATE[@]}" -o "$WORK/signed.pdf" >"$WORK/out" 2>&1
check "a signed letter for an area without signatories.csv: exit 1" test $? = 1
check "... and how to fix it" grep -q "has no signatories.csv, but the letter is signed; add the file .*, or put 'signatories: none'" "$WORK/out"
check "... and nothing written" test ! -e "$WORK/signed.pdf"

# ---- pages: 2 — a guide that takes 3 pages as written
sed '/^pages:/d' $T/letters/long.md >"$WORK/long-free.md"
"$BIN" build "$WORK/long-free.md" --area $EAST "${DATE[@]}" -o "$WORK/long-free.pdf" -q
check "the guide takes 3 pages as written" grep -q "^Pages: *3$" <(pdfinfo "$WORK/long-free.pdf")
"$BIN" check "$WORK/long-free.md" --area $EAST "${DATE[@]}" >"$WORK/out" 2>&1
check "check warns of the short last page (exit 0)" test $? = 0
check "... saying by how much and what to do" \
	grep -q "long-free.md:1:1: warning: the letter runs onto page 3 by 1 line: shorten it or set pages: 2" "$WORK/out"
"$BIN" build $T/letters/long.md --area $EAST "${DATE[@]}" -o "$WORK/long.pdf" -q
check "with pages: 2 it takes 2" grep -q "^Pages: *2$" <(pdfinfo "$WORK/long.pdf")
words() { pdf_text "$1" | sed 's/Page [0-9] of [0-9]//g; s/Eastshire County Council, County Hall, Market Street, Easton ES4 5CD//g' | wc -w; }
check "... every word still there" test "$(words "$WORK/long.pdf")" = "$(words "$WORK/long-free.pdf")"
check "... and nothing empty" no_empty_elements "$WORK/long.pdf"
"$BIN" check $T/letters/long.md --area $EAST "${DATE[@]}" >"$WORK/out" 2>&1
check "... and check finds nothing" grep -q "0 errors, 0 warnings" "$WORK/out"
sed 's/^pages: 2/pages: 1/' $T/letters/long.md >"$WORK/long1.md"
"$BIN" build "$WORK/long1.md" --area $EAST "${DATE[@]}" -o "$WORK/long1.pdf" >"$WORK/out" 2>&1
check "pages: 1 cannot be met: exit 1" test $? = 1
check "... saying by how many lines" grep -q "long1.md:6:8: error: the letter does not fit in 1 page even at its tightest (10 pt, less space between paragraphs): it is [0-9]* lines over; shorten it by [0-9]* lines or set pages: 2" "$WORK/out"

finish frame
