#!/usr/bin/env bash
# Letters in Welsh, English or both (tests/lang/): a translation beside the
# letter (termly.cy.md) built with --lang cy reads the area's Welsh fields
# (organisation_cy, service_cy, title_cy), dates and the default salutation
# and closing in Welsh; --lang cy+en is one letter, Welsh first, each part
# numbered on its own and signed, the Welsh part's structure elements
# carrying /Lang cy; a recipients file (saved by LibreOffice) whose
# `language` column mixes en, cy, cy+en and a missing ur gives each family
# its language in a --duplex print file; check warns about a fact one
# language prints and the other does not; bad requests and translations.
# usage: tests/e2e/lang.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-lang.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC/tests/lang" || exit 2
PY=/usr/bin/python3
L=letters/termly.md
A=areas/ynys-test
has() { pdf_text "$1" | grep -qF -- "$2"; }
hasnt() { ! pdf_text "$1" | grep -qF -- "$2"; }
page_has() { pdftotext -enc UTF-8 -f "$2" -l "$2" "$1" - 2>/dev/null | grep -qF -- "$3"; }
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
# the catalog's /Lang, then for every structure element on a page: its
# page (1-based), type and /Lang ("-" without), one a line
struct_langs() {
	"$PY" - "$1" <<'PYEOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
pages = {p.objgen: i + 1 for i, p in enumerate(pdf.pages)}
print("catalog", str(pdf.Root.get("/Lang", "-")))
def walk(e):
    if not isinstance(e, pikepdf.Dictionary):
        return
    if "/S" in e and "/Pg" in e:
        print(pages.get(e.Pg.objgen, 0), str(e.S)[1:], str(e.get("/Lang", "-")))
    k = e.get("/K")
    for x in (k if isinstance(k, pikepdf.Array) else [k]):
        walk(x)
walk(pdf.Root.StructTreeRoot)
PYEOF
}
figures() { # the alt text of every Figure, in order, one a line
	"$PY" - "$1" <<'PYEOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
def walk(e):
    if not isinstance(e, pikepdf.Dictionary):
        return
    if e.get("/S") == "/Figure" and "/Alt" in e:
        print(str(e.Alt))
    k = e.get("/K")
    for x in (k if isinstance(k, pikepdf.Array) else [k]):
        walk(x)
walk(pdf.Root.StructTreeRoot)
PYEOF
}
valid_pdf() {
	qpdf --check "$1" >/dev/null 2>&1 && ! pdffonts "$1" 2>/dev/null | awk 'NR > 2 && $(NF-4) != "yes"' | grep -q .
}

# ---- Welsh ----
"$BIN" build $L --area $A --lang cy -o "$WORK/cy.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "--lang cy exits 0" [ $? -eq 0 ]
check "Welsh letter is a valid PDF, fonts embedded" valid_pdf "$WORK/cy.pdf"
for t in "Annwyl Riant/Gofalwr," "Yn gywir," "Dyddiad: 17eg Mawrth 2015" "Cyngor Sir Ynys Test" \
	"Swyddfeydd y Cyngor" "Bwrdd Diogelu Ynys Test" "Hwb Plant ar 01248 752733" \
	"Dydd Llun i ddydd Gwener 9yb i 5yp" "Cyfarwyddwr Gwasanaethau Cymdeithasol" \
	"ynglŷn â chadw" "Mae'r ŵyl, y tŷ a'r ŷd" "Siân Ŵyn Jones"; do
	check "Welsh letter has '$t'" has "$WORK/cy.pdf" "$t"
done
for t in "Dear Parent" "Yours sincerely" "Ynys Test County Council" "Children's Hub" "March" \
	"Director of Social Services" "Council Offices"; do
	check "Welsh letter has no '$t'" hasnt "$WORK/cy.pdf" "$t"
done
struct_langs "$WORK/cy.pdf" >"$WORK/cy.langs"
check "Welsh letter: catalog /Lang cy" grep -qx "catalog cy" "$WORK/cy.langs"
check "Welsh letter: no element needs its own /Lang" [ "$(awk 'NR > 1 && $3 != "-"' "$WORK/cy.langs")" = "" ]
figures "$WORK/cy.pdf" >"$WORK/cy.figs"
check "Welsh letter: signature alt text in Welsh" grep -qx "Llofnod Siân Ŵyn Jones" "$WORK/cy.figs"

# ---- English, the same area: the plain fields ----
"$BIN" build $L --area $A -o "$WORK/en.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "English exits 0" [ $? -eq 0 ]
for t in "Dear Parent/Carer," "Yours sincerely," "Date: 17th March 2015" "Ynys Test County Council" \
	"Children's Hub on 01248 752733" "Director of Social Services"; do
	check "English letter has '$t'" has "$WORK/en.pdf" "$t"
done
check "English letter has no Welsh field" hasnt "$WORK/en.pdf" "Cyngor Sir"

# ---- bilingual, Welsh first ----
"$BIN" build $L --area $A --lang cy+en --large-print -o "$WORK/cyen.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "--lang cy+en exits 0" [ $? -eq 0 ]
check "bilingual letter is a valid PDF" valid_pdf "$WORK/cyen.pdf"
check "bilingual large-print letter: 4 pages" [ "$(pages "$WORK/cyen.pdf")" = 4 ]
pdftotext -enc UTF-8 "$WORK/cyen.pdf" - | grep -oE "Annwyl Riant/Gofalwr,|Dear Parent/Carer,|Yn gywir,|Yours sincerely,|Tudalen [0-9] o [0-9]|Page [0-9] of [0-9]" >"$WORK/order"
printf '%s\n' "Annwyl Riant/Gofalwr," "Tudalen 1 o 2" "Yn gywir," "Tudalen 2 o 2" \
	"Dear Parent/Carer," "Page 1 of 2" "Yours sincerely," "Page 2 of 2" >"$WORK/want"
check "bilingual: Welsh first, each part numbered on its own, a closing each" diff -u "$WORK/want" "$WORK/order"
check "bilingual: page 3 starts the English part" page_has "$WORK/cyen.pdf" 3 "Dear Parent/Carer,"
figures "$WORK/cyen.pdf" >"$WORK/figs"
printf '%s\n' "Llofnod Siân Ŵyn Jones" "Signature of Siân Ŵyn Jones" >"$WORK/want"
check "bilingual: one signature block a part" diff -u "$WORK/want" "$WORK/figs"
struct_langs "$WORK/cyen.pdf" >"$WORK/cyen.langs"
check "bilingual: catalog /Lang en-GB (the letter's own)" grep -qx "catalog en-GB" "$WORK/cyen.langs"
check "bilingual: every element of the Welsh pages has /Lang cy" \
	[ "$(awk 'NR > 1 && $1 <= 2 && $3 != "cy"' "$WORK/cyen.langs")" = "" ]
check "bilingual: the Welsh pages have elements" [ "$(awk 'NR > 1 && $1 <= 2' "$WORK/cyen.langs" | wc -l)" -gt 10 ]
check "bilingual: no element of the English pages has a /Lang" \
	[ "$(awk 'NR > 1 && $1 > 2 && $3 != "-"' "$WORK/cyen.langs")" = "" ]
check "bilingual: title in both languages" \
	sh -c "pdfinfo '$WORK/cyen.pdf' | grep -qF 'Cadw plant yn ddiogel y tymor hwn / Keeping children safe this term'"
# with normal print each part is one page; --duplex (print file) starts the
# English part on a front side
"$BIN" build $L --area $A --lang cy+en --combine "$WORK/cyen-duplex.pdf" --duplex --date 2015-03-17 -q 2>"$WORK/err"
check "bilingual --duplex exits 0" [ $? -eq 0 ]
check "bilingual --duplex: 3 pages (a blank back after the Welsh part)" [ "$(pages "$WORK/cyen-duplex.pdf")" = 3 ]
check "bilingual --duplex: English on page 3" page_has "$WORK/cyen-duplex.pdf" 3 "Dear Parent/Carer,"
check "bilingual --duplex: page 2 blank" [ -z "$(pdftotext -f 2 -l 2 "$WORK/cyen-duplex.pdf" - | tr -d ' \n\f')" ]

# ---- a recipients file mixing languages ----
for R in families.csv families.xlsx; do
	"$BIN" build $L --area $A -r $R --combine "$WORK/print.pdf" --duplex --date 2015-03-17 2>"$WORK/err"
	check "$R: mixed languages exit 0" [ $? -eq 0 ]
	# F001 en (1, blank), F002 cy (3, blank), F003 cy+en (5, blank, 7, blank),
	# F004 empty: the letter's own (9, blank), F005 ur: no translation, English (11)
	check "$R: 11 pages" [ "$(pages "$WORK/print.pdf")" = 11 ]
	for p in 1:Dear 3:Annwyl 5:Annwyl 7:Dear 9:Dear 11:Dear; do
		check "$R: page ${p%%:*} starts '${p#*:}'" page_has "$WORK/print.pdf" "${p%%:*}" "${p#*:}"
	done
	check "$R: F002 is addressed and in Welsh" page_has "$WORK/print.pdf" 3 "Rhiant/Gofalwr Dafydd Hughes"
	check "$R: a warning for the missing ur translation, at its cell" grep -q "families.*: warning: there is no 'ur' translation of letters/termly.md" "$WORK/err"
	check "$R: warned once" [ "$(grep -c "no 'ur' translation" "$WORK/err")" = 1 ]
done
"$BIN" build $L --area $A -r families.csv --combine "$WORK/print.pdf" --date 2015-03-17 2>"$WORK/err"
check "the warning names the CSV cell" grep -q "^families.csv:6:8: warning" "$WORK/err"
"$BIN" build $L --area $A -r families.csv -o "$WORK/{{recipient.family}}.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "separate files exit 0" [ $? -eq 0 ]
check "F001 in English" has "$WORK/F001.pdf" "Dear Parent/Carer,"
struct_langs "$WORK/F002.pdf" >"$WORK/F002.langs"
check "F002 in Welsh, catalog cy" grep -qx "catalog cy" "$WORK/F002.langs"
check "F003 bilingual" sh -c "pdftotext '$WORK/F003.pdf' - | grep -q Annwyl && pdftotext '$WORK/F003.pdf' - | grep -q 'Dear Parent'"
check "F005 (ur, missing) in English" has "$WORK/F005.pdf" "Dear Parent/Carer,"

# ---- check: a fact one language prints and the other does not ----
mkdir -p "$WORK/l"
cp $L "$WORK/l/termly.md"
grep -v "contacts.web.web" letters/termly.cy.md >"$WORK/l/termly.cy.md"
"$BIN" check "$WORK/l/termly.md" --area $A --lang cy+en --date 2015-03-17 >"$WORK/out" 2>&1
check "check: a missing fact is a warning (exit 0)" [ $? -eq 0 ]
check "check: names the fact and the original" grep -qF "$WORK/l/termly.cy.md: warning: the translation never prints {{contacts.web.web}} (\"www.example.gov.uk\"), which $WORK/l/termly.md prints" "$WORK/out"
"$BIN" check $L --area $A --lang cy --date 2015-03-17 >"$WORK/out" 2>&1
check "check: the bundled translation prints every fact" [ "$(grep -c ': warning:' "$WORK/out")" = 0 ]

# ---- errors ----
"$BIN" build $L --area $A --lang 'x!' -o "$WORK/bad.pdf" --date 2015-03-17 2>"$WORK/err"
check "--lang that is no language exits 2" [ $? -eq 2 ]
check "... says so" grep -q "lang 'x!' is not a language" "$WORK/err"
"$BIN" build $L --area $A --lang pl -o "$WORK/bad.pdf" --date 2015-03-17 2>"$WORK/err"
check "--lang of a missing translation exits 1" [ $? -eq 1 ]
check "... names the file to write" grep -q "there is no translation letters/termly.pl.md" "$WORK/err"
check "... writes nothing" [ ! -e "$WORK/bad.pdf" ]
ADDR='address_line_1,address_line_2,postcode'
printf 'family,language,%s\nF1,Klingon!,1 Stryd Fawr,Llangefni,LL77 7AA\n' "$ADDR" >"$WORK/bad.csv"
"$BIN" build $L --area $A -r "$WORK/bad.csv" -o "$WORK/bad-{{recipient.family}}.pdf" --date 2015-03-17 2>"$WORK/err"
check "a language cell that is no language exits 1" [ $? -eq 1 ]
check "... at its cell" grep -q "bad.csv:2:4: error: language 'Klingon!' is not a language tag" "$WORK/err"
check "... writes nothing" [ ! -e "$WORK/bad-F1.pdf" ]
printf 'family,language,%s\nF1,Welsh,1 Stryd Fawr,Llangefni,LL77 7AA\n' "$ADDR" >"$WORK/named.csv"
"$BIN" build $L --area $A -r "$WORK/named.csv" -o "$WORK/named.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "a language written by name (Welsh) is cy" has "$WORK/named.pdf" "Annwyl Riant/Gofalwr,"
# a Polish translation without a salutation: lettermerge knows no Polish default
cp $L "$WORK/l/termly.md"
printf -- '---\ntitle: "Bezpieczeństwo dzieci"\ncontacts_note: x\n---\nTekst {{contacts.hub.phone}}.\n' >"$WORK/l/termly.pl.md"
"$BIN" build "$WORK/l/termly.md" --area $A --lang pl -o "$WORK/pl.pdf" --date 2015-03-17 2>"$WORK/err"
check "a broken translation exits 1" [ $? -eq 1 ]
check "... with its own error" grep -q "termly.pl.md:3:1: error: unknown front matter key 'contacts_note'" "$WORK/err"
"$BIN" build "$WORK/l/termly.md" --area $A --lang en -o "$WORK/en2.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "a broken translation stops no other language" [ $? -eq 0 ]
printf -- '---\ntitle: "Bezpieczeństwo dzieci"\n---\nTekst {{contacts.hub.phone}}.\n' >"$WORK/l/termly.pl.md"
"$BIN" build "$WORK/l/termly.md" --area $A --lang pl -o "$WORK/pl.pdf" --date 2015-03-17 2>"$WORK/err"
check "Polish without a salutation exits 1" [ $? -eq 1 ]
check "... asks for one" grep -q "termly.pl.md:1:1: error: the letter is in 'pl': write its 'salutation:'" "$WORK/err"
check "... writes nothing" [ ! -e "$WORK/pl.pdf" ]
# ---- bilingual: columns: Welsh on the left, English on the right ----
mkdir -p "$WORK/col"
cp letters/termly.cy.md "$WORK/col/"
sed '0,/^date_format:/s//bilingual: columns\ndate_format:/' $L >"$WORK/col/termly.md"
CL=$WORK/col/termly.md
"$BIN" build "$CL" --area $A --lang cy+en -o "$WORK/col.pdf" --date 2015-03-17 -q 2>"$WORK/err"
check "columns: exit 0" [ $? -eq 0 ]
check "columns: a valid PDF, fonts embedded" valid_pdf "$WORK/col.pdf"
check "columns: 2 pages (the parts share them)" [ "$(pages "$WORK/col.pdf")" = 2 ]
# every word only one language has, by where pdftotext -bbox finds it:
# Welsh in the left half, English in the right, but for the letterhead
# (both names) and the one signature block under both columns
"$BIN" build $L --area $A --lang cy -o "$WORK/only-cy.pdf" --date 2015-03-17 -q
"$BIN" build $L --area $A --lang en -o "$WORK/only-en.pdf" --date 2015-03-17 -q
pdftotext -bbox "$WORK/col.pdf" "$WORK/col.html"
sides() {
	"$PY" - "$WORK/col.html" "$WORK/only-cy.pdf" "$WORK/only-en.pdf" <<'PYEOF'
import re, subprocess, sys, html
def words(pdf):
    t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True).stdout
    return set(t.split())
cy, en = words(sys.argv[2]), words(sys.argv[3])
only = {w: "cy" for w in cy - en}
only.update({w: "en" for w in en - cy})
doc = open(sys.argv[1], encoding="utf-8").read()
pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', doc, re.S)
bad, seen = [], {"cy": 0, "en": 0}
for n, (pw, ph, body) in enumerate(pages, 1):
    pw, ph = float(pw), float(ph)
    ws = [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in
          re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
    top = min([y for x, y, X, Y, t in ws if t == "Dyddiad:"] or [0]) if n == 1 else 0
    close = [y for x, y, X, Y, t in ws if t == "gywir,"]
    for x, y, X, Y, t in ws:
        side = only.get(t)
        if not side or y < top - 1 or (close and close[0] + 5 < y < ph - 90):
            continue
        seen[side] += 1
        if (side == "cy") != (X <= pw / 2):
            bad.append("page %d: %s word %r at x %.0f-%.0f" % (n, side, t, x, X))
print("\n".join(bad) if bad else "ok %d %d" % (seen["cy"], seen["en"]))
PYEOF
}
sides >"$WORK/sides"
check "columns: every Welsh word on the left, every English word on the right" grep -qE '^ok [0-9]{3,} [0-9]{3,}$' "$WORK/sides"
[ "$(head -c 2 "$WORK/sides")" = ok ] || head -5 "$WORK/sides"
# the two languages' paragraphs line up: the same baseline for each pair
ypos() { # the yMin of the first word $2 on page $3 of the bbox file
	awk -v w="$2" -v p="$3" '/<page / { n++ } n == p && $0 ~ ">" w "</word>" { sub(/.*yMin="/, ""); sub(/".*/, ""); print; exit }' "$1"
}
for pair in "Annwyl:Dear:1" "Cadw:Keeping:1" "Ysgrifennwn:We:1" "Beth:What:1" "Siaradwch:Talk:1" "Dywedwch:Tell:2" "Yn:Yours:2"; do
	IFS=: read -r w1 w2 pg <<<"$pair"
	y1=$(ypos "$WORK/col.html" "$w1" "$pg") y2=$(ypos "$WORK/col.html" "$w2" "$pg")
	check "columns: '$w1' and '$w2' side by side (y $y1, $y2)" [ -n "$y1" ] && [ "$y1" = "$y2" ]
done
check "columns: page numbers in both languages" sh -c "pdftotext -f 1 -l 1 '$WORK/col.pdf' - | grep -q 'Tudalen 1 o 2' && pdftotext -f 1 -l 1 '$WORK/col.pdf' - | grep -q 'Page 1 of 2'"
check "columns: both organisations in the letterhead" sh -c "pdftotext -f 1 -l 1 '$WORK/col.pdf' - | grep -q 'Cyngor Sir Ynys Test' && pdftotext -f 1 -l 1 '$WORK/col.pdf' - | grep -q 'Ynys Test County Council'"
figures "$WORK/col.pdf" >"$WORK/figs"
check "columns: one signature block, its alt text in Welsh" [ "$(cat "$WORK/figs")" = "Llofnod Siân Ŵyn Jones" ]
check "columns: the title in both languages (once each)" \
	sh -c "pdftotext '$WORK/col.pdf' - | grep -c 'Cyfarwyddwr Gwasanaethau Cymdeithasol\|Director of Social Services' | grep -qx 2"
# the structure: a section per column, Welsh first, in its language
"$PY" - "$WORK/col.pdf" >"$WORK/sects" <<'PYEOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
print("catalog", str(pdf.Root.get("/Lang", "-")))
def kids(e):
    k = e.get("/K")
    return [x for x in (k if isinstance(k, pikepdf.Array) else [k]) if isinstance(x, pikepdf.Dictionary) and "/S" in x]
def langs(e, out):
    out.add(str(e.get("/Lang", "-")))
    for x in kids(e):
        langs(x, out)
    return out
doc = kids(pdf.Root.StructTreeRoot)[0]
for e in kids(doc):
    if e.S == "/Sect":
        inside = langs(e, set()) - {str(e.get("/Lang", "-"))}
        print("Sect", str(e.get("/Lang", "-")), len(kids(e)), ",".join(sorted(inside)) or "same")
PYEOF
printf '%s\n' "catalog en-GB" >"$WORK/want"
check "columns: catalog /Lang en-GB" grep -qx "catalog en-GB" "$WORK/sects"
check "columns: two sections, Welsh (/Lang cy, every element in it too) then English (no /Lang)" \
	sh -c "grep '^Sect' '$WORK/sects' | sed 's/ [0-9]* / N /' | tr '\n' '|' | grep -qx 'Sect cy N same|Sect - N same|'"
pdfinfo -struct-text "$WORK/col.pdf" | grep -E '^  Sect$|"(Annwyl Riant/Gofalwr|Dear Parent/Carer|Yn gywir|Yours sincerely), "' | tr -s ' ' >"$WORK/st"
printf '%s\n' " Sect" ' "Annwyl Riant/Gofalwr, "' ' "Yn gywir, "' " Sect" ' "Dear Parent/Carer, "' ' "Yours sincerely, "' >"$WORK/want"
check "columns: pdfinfo -struct-text reads the Welsh column, then the English" diff -u "$WORK/want" "$WORK/st"
# beside the envelope window, in a print file
"$BIN" build "$CL" --area $A -r families.csv --only F003 --combine "$WORK/colp.pdf" --duplex --date 2015-03-17 -q 2>"$WORK/err"
check "columns: a cy+en family, addressed, exit 0" [ $? -eq 0 ]
check "... 2 pages, no blank between the languages" [ "$(pages "$WORK/colp.pdf")" = 2 ]
check "... the address in the window" page_has "$WORK/colp.pdf" 1 "Rhiant/Gofalwr Gwen Roberts"
check "... both languages on page 1" sh -c "pdftotext -f 1 -l 1 '$WORK/colp.pdf' - | grep -q Annwyl && pdftotext -f 1 -l 1 '$WORK/colp.pdf' - | grep -q 'Dear Parent'"
# large print is never in columns (RNIB): one part after the other
"$BIN" build "$CL" --area $A --lang cy+en --large-print -o "$WORK/col-lp.pdf" --date 2015-03-17 -q
check "columns, large print: the parts one after the other" cmp -s "$WORK/col-lp.pdf" "$WORK/cyen.pdf"
# one language: no columns
"$BIN" build "$CL" --area $A --lang cy -o "$WORK/col-cy.pdf" --date 2015-03-17 -q
check "columns, Welsh alone: the Welsh letter" cmp -s "$WORK/col-cy.pdf" "$WORK/cy.pdf"
# a paragraph missing from one language: a warning, lined up at headings
grep -v '^Rhagor o help' letters/termly.cy.md >"$WORK/col/termly.cy.md"
"$BIN" check "$CL" --area $A --lang cy+en --date 2015-03-17 >"$WORK/out" 2>&1
check "columns: a paragraph short is a warning, exit 0" [ $? -eq 0 ]
check "... naming both texts and what lines up" grep -qF "$WORK/col/termly.cy.md: warning: bilingual: columns: $WORK/col/termly.cy.md has 7 paragraphs, headings, lists and tables and $WORK/col/termly.md has 8, so the columns line up only at their headings, salutations and closings" "$WORK/out"
"$BIN" build "$CL" --area $A --lang cy+en -o "$WORK/col2.pdf" --date 2015-03-17 -q
pdftotext -bbox "$WORK/col2.pdf" "$WORK/col2.html"
y1=$(ypos "$WORK/col2.html" Beth 1) y2=$(ypos "$WORK/col2.html" What 1)
check "... the headings still side by side" [ -n "$y1" ] && [ "$y1" = "$y2" ]
cp letters/termly.cy.md "$WORK/col/termly.cy.md"
sed -i 's/^bilingual: columns/bilingual: sideways/' "$CL"
"$BIN" build "$CL" --area $A --lang cy+en -o "$WORK/bad.pdf" --date 2015-03-17 2>"$WORK/err"
check "bilingual: sideways exits 1" [ $? -eq 1 ]
check "... at its line" grep -qF "termly.md:4:12: error: bilingual: takes 'columns' (the languages side by side, the first on the left) or 'pages'" "$WORK/err"

# ---- fields --lang: the translation's names, the area's Welsh values ----
"$BIN" fields $L --area $A --lang cy --date 2015-03-17 >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang cy exits 0" [ $? -eq 0 ]
check "fields --lang cy: the Welsh organisation, used" grep -qE '^used +area\.organisation +Cyngor Sir Ynys Test$' "$WORK/f.out"
check "fields --lang cy: the Welsh hours, used" grep -qE '^used +contacts\.hub\.hours +Dydd Llun i ddydd Gwener' "$WORK/f.out"
check "fields --lang cy: the date in Welsh" grep -qE '^used +date +17eg Mawrth 2015$' "$WORK/f.out"
check "fields --lang cy: says which letter" grep -qF "(letters/termly.cy.md, cy)" "$WORK/f.err"
"$BIN" fields $L --area $A --date 2015-03-17 >"$WORK/f.out" 2>"$WORK/f.err"
check "fields without --lang: the English organisation" grep -qE '^used +area\.organisation +Ynys Test County Council$' "$WORK/f.out"
check "fields without --lang: the date in English" grep -qE '^used +date +17th March 2015$' "$WORK/f.out"
"$BIN" fields $L --area $A --lang en --date 2015-03-17 >"$WORK/f2.out" 2>/dev/null
check "fields --lang en is the letter itself" cmp -s "$WORK/f.out" "$WORK/f2.out"
"$BIN" fields $L --area $A --lang cyy >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang cyy (no such translation) exits 1" [ $? -eq 1 ]
check "... did you mean cy" grep -qF "error: --lang cyy: there is no translation letters/termly.cyy.md; did you mean 'cy'?" "$WORK/f.err"
check "... prints no fields" [ ! -s "$WORK/f.out" ]
"$BIN" fields $L --area $A --lang fr >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang fr exits 1" [ $? -eq 1 ]
check "... lists the letter's languages" grep -qF "or leave 'fr' out (the letter is in en-GB; its translations: cy)" "$WORK/f.err"
"$BIN" build $L --area $A --lang en+cyy -o "$WORK/bad.pdf" 2>"$WORK/err"
check "build --lang en+cyy exits 1, did you mean cy" \
	sh -c "[ $? -eq 1 ] && grep -qF \"there is no translation letters/termly.cyy.md; did you mean 'cy'?\" '$WORK/err'"
"$BIN" fields $L --area $A --lang cy+en >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang cy+en exits 2" [ $? -eq 2 ]
check "... one language at a time" grep -qF "fields shows one language at a time; give --lang cy, then --lang en" "$WORK/f.err"
"$BIN" fields $L --area $A --lang 'x!' >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang 'x!' exits 2" [ $? -eq 2 ]
check "... is not a language" grep -qF "fields: --lang 'x!' is not a language" "$WORK/f.err"
mkdir -p "$WORK/broken"
cp $L "$WORK/broken/termly.md"
printf -- '---\ntitle: x\nnope: 1\n---\nTestun.\n' >"$WORK/broken/termly.cy.md"
"$BIN" fields "$WORK/broken/termly.md" --area $A --lang cy >"$WORK/f.out" 2>"$WORK/f.err"
check "fields --lang cy of a broken translation exits 1 with its error" \
	sh -c "[ $? -eq 1 ] && grep -q 'termly.cy.md:3:1: error: unknown front matter key' '$WORK/f.err'"

# ---- watch --lang ----
mkdir -p "$WORK/w"
cp -r letters "$WORK/w/letters"
OUT=$WORK/w/preview.pdf
wait_for() { # waits up to $2 s for the preview to say $1
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$OUT" ] && pdf_text "$OUT" | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
"$BIN" watch "$WORK/w/letters/termly.md" --area $A --lang cy+en -o "$OUT" --date 2015-03-17 >"$WORK/w.log" 2>&1 &
WPID=$!
check "watch --lang cy+en: the Welsh part" wait_for "Annwyl Riant/Gofalwr," 10
check "watch --lang cy+en: and the English" wait_for "Dear Parent/Carer," 1
sed -i 's/Rhagor o help:/Mwy o help:/' "$WORK/w/letters/termly.cy.md"
check "watch --lang: an edited translation shows" wait_for "Mwy o help:" 5
kill -TERM $WPID
wait $WPID
check "watch stops with exit 0" [ $? -eq 0 ]
rm -f "$OUT"
"$BIN" watch "$WORK/w/letters/termly.md" --area $A --lang pl -o "$OUT" --date 2015-03-17 >"$WORK/w.log" 2>&1 &
WPID=$!
sleep 1.5
check "watch --lang pl (no translation yet): says so" grep -qF "error: --lang pl: there is no translation $WORK/w/letters/termly.pl.md; write it" "$WORK/w.log"
check "... writes nothing" [ ! -e "$OUT" ]
printf -- '---\ntitle: "Bezpieczne dzieci"\nsalutation: "Szanowni Państwo,"\nclosing: "Z poważaniem,"\n---\nProsimy dzwonić pod {{contacts.hub.phone}}. {{contacts.web.web}}\n' \
	>"$WORK/w/letters/termly.pl.md"
check "watch --lang pl: the translation, once written, is previewed" wait_for "Szanowni Państwo," 5
kill -TERM $WPID
wait $WPID
"$BIN" watch $L --area $A --lang 'x!' -o "$WORK/w/x.pdf" >"$WORK/w.log" 2>&1
check "watch --lang 'x!' exits 2 at once" [ $? -eq 2 ]
check "... is not a language" grep -qF "watch: --lang 'x!' is not a language" "$WORK/w.log"
"$BIN" watch $L --lang cy -o "$WORK/w/x.pdf" >"$WORK/w.log" 2>&1
check "watch without --area exits 2" [ $? -eq 2 ]
check "... says --area is required" grep -qF "watch: --area DIR is required" "$WORK/w.log"
finish lang
