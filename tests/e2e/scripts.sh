#!/usr/bin/env bash
# Our own letters in other languages and scripts (letters/NAME.TAG.md),
# built by the real binary for Liverpool's area with its sentences in each
# language (tests/scripts/liverpool/), and read back by independent
# readers: pdftotext gives each text back in logical order (compared after
# Unicode NFKC normalisation); right-to-left paragraphs end at the right
# margin (pdftotext -bbox-layout); pdffonts shows every font embedded and
# subset; the catalog and the structure elements carry the right /Lang
# (pikepdf); qpdf and Ghostscript's strict mode read every file; a name
# written with a combining accent renders like the precomposed one, and a
# zero-width space renders as nothing (pdftoppm, pixels compared); a
# recipients file whose language column mixes en and cy gives each family
# its language, Welsh names with ŵ ŷ â included.
# usage: tests/e2e/scripts.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-scripts.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
export LETTERMERGE_FONTS=$SRC/fonts
PY=/usr/bin/python3
L=letters/cse-awareness.md
A=$WORK/liverpool
mkdir -p "$A"
cp areas/liverpool/* "$A/"
cp tests/scripts/liverpool/*.csv "$A/"
# the languages of the bundled translations, and those written right to left
LANGS=${SCRIPTS_LANGS:-cy ar ur he bn}
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
fonts_ok() { # every font embedded and subset (and there is one)
	pdffonts "$1" >"$WORK/fonts" 2>&1 || return 1
	awk 'NR > 2 { n++; if ($(NF-4) != "yes" || $(NF-3) != "yes" || $1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) bad = 1 }
	     END { exit bad || !n }' "$WORK/fonts"
}
readers_ok() {
	qpdf --check "$1" >/dev/null 2>&1 &&
		gs -q -dNOPAUSE -dBATCH -dPDFSTOPONERROR -sDEVICE=nullpage "$1" >/dev/null 2>&1
}
# Every run of the translation's own words (its body with the template's
# tags, comments, Markdown marks and one-line sections taken out) is in
# pdftotext's text, in order, after NFKC normalisation and with white space
# folded: the text copies out as written, in logical order.  With `words`,
# the runs are compared as their words (letters, marks and digits) alone:
# for right-to-left text, where poppler itself moves a bracket or colon
# that stands between a right-to-left and a left-to-right run (issue 14
# asks for the words in logical order).  Prints what is missing.
in_order() { # in_order PDF TRANSLATION.md [words]
	pdftotext -enc UTF-8 "$1" "$WORK/text.txt" 2>/dev/null
	"$PY" - "$WORK/text.txt" "$2" "${3:-}" <<'PYEOF'
import re, sys, unicodedata
words = sys.argv[3] == "words"
def norm(s):
    # poppler marks each right-to-left line's direction (U+202B … U+202C),
    # and each run's in a mixed line, where it may leave out the space
    # between the runs: marks, not text, but between words
    s = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", " " if words else "", s)
    s = unicodedata.normalize("NFKC", s)
    if words:
        return " ".join("".join(w) for w in re.findall(r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0980-\u09ff])+", s))
    return re.sub(r"\s+", " ", s).strip()
text = norm(open(sys.argv[1], encoding="utf-8").read())
src = open(sys.argv[2], encoding="utf-8").read()
body = src.split("\n---\n", 1)[1]
body = re.sub(r"\{\{!.*?\}\}", "", body, flags=re.S)
runs = []
for line in body.split("\n"):
    line = re.sub(r"^\s*(- |#+ )", "", line)
    # what a section on one line prints depends on the data: left out
    while True:
        cut = re.sub(r"\{\{[#^]([^}]*)\}\}((?:(?!\{\{[#^]).)*?)\{\{/\1\}\}", "{{-}}", line)
        if cut == line:
            break
        line = cut
    for part in re.split(r"\{\{[^}]*\}\}", line):
        part = norm(part)
        # a run of words, not a bit of punctuation between two values
        if len(part) >= 12:
            runs.append(part)
at, missing = 0, []
pad = " " if words else ""
text = pad + text + pad
for r in runs:
    i = text.find(pad + r + pad, at)
    if i < 0:
        missing.append(r if text.find(pad + r + pad) < 0 else "(out of order) " + r)
    else:
        at = i + len(r)
print("%d runs%s" % (len(runs), ", as words" if words else ""))
for m in missing[:5]:
    print("missing:", m)
sys.exit(1 if missing or len(runs) < 20 else 0)
PYEOF
}
# The catalog's /Lang, and every /Lang of a structure element, sorted, once each.
langs() {
	"$PY" - "$1" <<'PYEOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
seen, n = set(), 0
def walk(e):
    global n
    if not isinstance(e, pikepdf.Dictionary):
        return
    if "/S" in e:
        n += 1
        if "/Lang" in e:
            seen.add(str(e.Lang))
    k = e.get("/K")
    for x in (k if isinstance(k, pikepdf.Array) else [k]):
        walk(x)
walk(pdf.Root.StructTreeRoot)
print(str(pdf.Root.get("/Lang", "-")), n, " ".join(sorted(seen)) or "-")
PYEOF
}
# Lines of right-to-left text (Hebrew, Arabic) in the body, from
# pdftotext -bbox-layout: "N lines, M at the right margin, K short"
# (short: starting well inside the left margin, as a paragraph's last
# line does when it is aligned right).
rtl_lines() {
	pdftotext -bbox-layout "$1" "$WORK/layout.html" 2>/dev/null
	"$PY" - "$WORK/layout.html" <<'PYEOF'
import re, sys, html
doc = open(sys.argv[1], encoding="utf-8").read()
rtl = re.compile("[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
n = right = short = 0
for pw, ph, page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', doc, re.S):
    pw, ph = float(pw), float(ph)
    margin = 22 * 72 / 25.4
    for x0, y0, x1, y1, body in re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S):
        words = html.unescape(" ".join(re.findall(r">([^<]*)</word>", body)))
        x0, y0, x1 = float(x0), float(y0), float(x1)
        # above the footer, lines of some length in a right-to-left script
        if y0 > ph - 26 * 72 / 25.4 or not rtl.search(words) or len(words) < 12:
            continue
        n += 1
        # against the right margin; list items indented from it
        right += x1 > pw - margin - 40
        short += x0 > margin + 60
print("%d lines, %d at the right margin, %d short" % (n, right, short))
PYEOF
}

# ---- each translation on its own ----
for lang in $LANGS; do
	tr=${L%.md}.$lang.md
	out=$WORK/$lang.pdf
	"$BIN" build $L --area "$A" --lang "$lang" -o "$out" --date 2015-03-17 -q 2>"$WORK/err"
	check "$lang: builds (exit 0)" [ $? -eq 0 ]
	[ -s "$out" ] || { cat "$WORK/err"; continue; }
	check "$lang: qpdf and gs -dPDFSTOPONERROR read it" readers_ok "$out"
	check "$lang: pdffonts: every font embedded and subset" fonts_ok "$out"
	fonts_ok "$out" || cat "$WORK/fonts"
	check "$lang: every glyph shown has a ToUnicode entry" /usr/bin/python3 "$SRC/tests/pdf/tounicode.py" "$out"
	mode=
	case $lang in ar | ur | he) mode=words ;; esac
	in_order "$out" "$tr" $mode >"$WORK/order"
	check "$lang: pdftotext gives the text back in logical order (NFKC): $(head -1 "$WORK/order")" \
		[ "${PIPESTATUS[0]}" -eq 0 ]
	grep '^missing' "$WORK/order" | head -3
	set -- $(langs "$out")
	check "$lang: catalog /Lang $lang (got $1)" [ "$1" = "$lang" ]
	check "$lang: a structure tree ($2 elements), no element in another language (got $3)" \
		[ "$2" -gt 40 ] && [ "$3" = - ]
	check "$lang: the area's sentence in $lang, not in English" \
		sh -c "! pdftotext '$out' - | grep -q 'all children in the city'"
	case $lang in
	ar | ur | he)
		set -- $(rtl_lines "$out")
		check "$lang: right-to-left lines end at the right margin ($*)" \
			[ "$1" -gt 20 ] && [ "$3" -ge $(($1 * 9 / 10)) ] && [ "$8" -ge 3 ]
		;;
	esac
done

# ---- bilingual: Welsh and English side by side, one file ----
"$BIN" build $L --area "$A" --lang cy+en -o "$WORK/cyen.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "cy+en: builds" [ $? -eq 0 ]
check "cy+en: qpdf and gs read it" readers_ok "$WORK/cyen.pdf"
check "cy+en: fonts embedded and subset" fonts_ok "$WORK/cyen.pdf"
set -- $(langs "$WORK/cyen.pdf")
check "cy+en: catalog en-GB, the Welsh column's elements cy" [ "$1 $3" = "en-GB cy" ]
check "cy+en: both languages' text (pdfinfo -struct-text)" \
	sh -c "pdfinfo -struct-text '$WORK/cyen.pdf' | grep -q 'Annwyl Riant/Gofalwr' && pdfinfo -struct-text '$WORK/cyen.pdf' | grep -q 'Dear Parent/Carer'"

# ---- a recipients file mixing en and cy, Welsh names with ŵ ŷ â ----
cat >"$WORK/families.csv" <<'CSV'
family,language,address_line_1,address_line_2,postcode
F1,en,Mr Tom Hughes,12 Park Road,L4 0AA
F2,cy,Siôn Rhŷs,3 Lôn Ŵyn,L9 1AB
F3,cy,Angharad Ŵyn Jones,7 Heol y Dŵr,L8 2CD
F4,en,Mrs Jane Price,4 Church Lane,L9 3EF
CSV
"$BIN" build $L --area "$A" -r "$WORK/families.csv" -o "$WORK/fam-{{recipient.family}}.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "families: exit 0" [ $? -eq 0 ]
for f in F1:en-GB:Dear F2:cy:Annwyl F3:cy:Annwyl F4:en-GB:Dear; do
	IFS=: read -r fam lang word <<<"$f"
	set -- $(langs "$WORK/fam-$fam.pdf")
	check "families: $fam in $lang (catalog $1)" [ "$1" = "$lang" ]
	check "families: $fam opens '$word'" sh -c "pdftotext '$WORK/fam-$fam.pdf' - | grep -q '^$word'"
done
check "families: F2's address, ŷ and ŵ as written" sh -c "pdftotext '$WORK/fam-F2.pdf' - | grep -q 'Siôn Rhŷs' && pdftotext '$WORK/fam-F2.pdf' - | grep -q '3 Lôn Ŵyn'"
check "families: F3's Welsh letter has ŵ ŷ â" \
	sh -c "pdftotext '$WORK/fam-F3.pdf' - | tr '\n' ' ' | grep -q 'Heol y Dŵr.*ynglŷn â'"
check "families: F2's letter in Welsh has no English body" sh -c "! pdftotext '$WORK/fam-F2.pdf' - | grep -q 'I write to you on behalf'"

# ---- one family's name as a database may store it ----
# P precomposed é, D e + U+0301, N no accent; Z, J, R, W: a zero-width
# space, a zero-width joiner, a right-to-left mark and a word joiner inside
# (invisible characters a pasted name brings; Liberation Sans draws the
# space as nothing but the others as boxes, and has no word joiner at all);
# H a Hebrew name from the cell (drawn reversed before the engine)
printf 'family,address_line_1,address_line_2,postcode\n' >"$WORK/names.csv"
printf 'P,Mr Jos\xc3\xa9 Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'D,Mr Jose\xcc\x81 Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'N,Mr Jose Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'Z,Mr Jo\xe2\x80\x8bse Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'J,Mr Jo\xe2\x80\x8dse Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'R,Mr Jo\xe2\x80\x8fse Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'W,Mr Jo\xe2\x81\xa0se Smith,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
printf 'H,משפחת כהן,1 High Street,L1 1AA\n' >>"$WORK/names.csv"
"$BIN" build $L --area areas/liverpool -r "$WORK/names.csv" -o "$WORK/name-{{recipient.family}}.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "names: exit 0" [ $? -eq 0 ]
for f in P D N Z J R W; do
	pdftoppm -r 100 -gray -f 1 -l 1 "$WORK/name-$f.pdf" "$WORK/px-$f" 2>/dev/null
done
px() { ls "$WORK"/px-"$1"*.pgm 2>/dev/null | head -1; }
check "names: José with a combining accent renders as the precomposed José (pixels)" cmp -s "$(px P)" "$(px D)"
check "names: ... and the accent is drawn (not José = Jose)" sh -c "! cmp -s '$(px D)' '$(px N)'"
for f in Z:"zero-width space" J:"zero-width joiner" R:"right-to-left mark" W:"word joiner"; do
	check "names: a ${f#*:} renders as nothing (pixels)" cmp -s "$(px "${f%%:*}")" "$(px N)"
done
check "names: the combining accent copies out as é (NFKC)" \
	sh -c "pdftotext '$WORK/name-D.pdf' - | $PY -c 'import sys, unicodedata; sys.exit(0 if \"José Smith\" in unicodedata.normalize(\"NFKC\", sys.stdin.read()) else 1)'"
check "names: a Hebrew name from a cell in logical order, not reversed" \
	sh -c "pdftotext '$WORK/name-H.pdf' - | grep -q 'משפחת כהן' && ! pdftotext '$WORK/name-H.pdf' - | grep -q 'ןהכ תחפשמ'"

finish scripts
