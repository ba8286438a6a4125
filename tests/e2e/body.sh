#!/usr/bin/env bash
# The letter body beyond words (tests/body/): images from the area's folder
# (JPEG) and the letter's (PNG) drawn at 150 dpi as Figures with their alt
# text, a decorative image as an artifact; a contacts table whose columns
# fit their content; a table across a page break with its header repeated
# (as an artifact); <br> in a table cell; and check's findings on raw HTML,
# footnotes and images without alt text, at their file:line:column.
# usage: tests/e2e/body.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-body.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
T=tests/body
AREA=$T/areas/testshire

"$BIN" build $T/letters/body.md --area $AREA --date 2026-12-01 -o "$WORK/body.pdf" -q 2>"$WORK/err"
check "body letter builds" test -s "$WORK/body.pdf"
check "body letter: qpdf --check" qpdf --check "$WORK/body.pdf" >/dev/null
check "body letter: ghostscript reads it" gs -q -dNOPAUSE -dBATCH -dPDFSTOPONERROR -sDEVICE=nullpage "$WORK/body.pdf"

# Figures with their alt text, in reading order; the decorative band is none
pdfinfo -struct-text "$WORK/body.pdf" >"$WORK/struct.txt"
qpdf --qdf --object-streams=disable "$WORK/body.pdf" "$WORK/q.pdf"
check "two Figures in the structure tree" test "$(grep -c '^ *Figure' "$WORK/struct.txt")" = 2
check "the crest's alt text" grep -aq '/Alt (Testshire County Council crest)' "$WORK/q.pdf"
check "the map's alt text" grep -aq '/Alt (Map of the three family hubs beside the river)' "$WORK/q.pdf"
# three images drawn on page 1, at 150 dpi (natural size), one of them decorative
pdfimages -list "$WORK/body.pdf" | awk 'NR > 2' >"$WORK/images.txt"
check "three images on page 1" test "$(awk '$1 == 1' "$WORK/images.txt" | wc -l)" = 3
check "images at 150 dpi" test "$(awk '$13 == 150 && $14 == 150' "$WORK/images.txt" | wc -l)" = 3
check "the JPEG is embedded as JPEG" test "$(awk '$9 == "jpeg"' "$WORK/images.txt" | wc -l)" = 1
# (the content: each image drawn in its own marked sequence)
grep -a -B1 ' Do Q$' "$WORK/q.pdf" | grep -a 'BDC$\|BMC$' >"$WORK/marks.txt"
check "two images drawn as Figures" test "$(grep -c '^/Figure<<' "$WORK/marks.txt")" = 2
check "the decorative image drawn as an artifact" test "$(grep -c '^/Artifact BMC' "$WORK/marks.txt")" = 1

# drawn where the map belongs: between the paragraph above it and the rule,
# red hubs, a blue river and green land (page 1 at 72 dpi: a pixel a point)
pdftoppm -r 72 -f 1 -l 1 "$WORK/body.pdf" "$WORK/page"
pdftotext -bbox -f 1 -l 1 "$WORK/body.pdf" "$WORK/bbox.html"
check "the map is drawn below its paragraph" /usr/bin/python3 - "$WORK"/page*.ppm "$WORK/bbox.html" <<'PY'
import re, sys
ppm, bbox = sys.argv[1], sys.argv[2]
data = open(ppm, 'rb').read()
m = re.match(rb'P6\s+(\d+)\s+(\d+)\s+255\s', data)
w, h = int(m.group(1)), int(m.group(2))
px = data[m.end():]
words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', open(bbox).read())
para = max(float(y2) for y1, y2, t in words if t == 'Testshire.')
head = min(float(y1) for y1, y2, t in words if t == 'Who')
seen = {'red': 0, 'blue': 0, 'green': 0}
for y in range(int(para) + 2, int(head) - 2):
    for x in range(60, 300):
        r, g, b = px[3 * (y * w + x): 3 * (y * w + x) + 3]
        if r > 170 and g < 70 and b < 70: seen['red'] += 1
        if b > 170 and r < 80: seen['blue'] += 1
        if g > 210 and r > 180 and b > 170 and g - b > 25: seen['green'] += 1
print(seen)
sys.exit(0 if all(v > 50 for v in seen.values()) else 1)
PY

# the contacts table: columns from their content, not equal thirds, and
# the long opening hours on one line
pdftotext -bbox -f 1 -l 1 "$WORK/body.pdf" - >"$WORK/bbox1.html"
x_of() { grep -m1 ">$1<" "$WORK/bbox1.html" | sed 's/.*xMin="\([0-9.]*\)".*/\1/'; }
y_of() { grep -m1 ">$1<" "$WORK/bbox1.html" | sed 's/.*yMin="\([0-9.]*\)".*/\1/'; }
c1=$(x_of Service) c2=$(x_of Phone) c3=$(x_of Opening)
check "columns fit their content (not thirds)" /usr/bin/python3 -c "
a, b, c = $c1, $c2, $c3
w1, w2, w3 = b - a, c - b, 533 - c   # 533: the right margin
print(w1, w2, w3)
assert w3 > 1.5 * w2 and w3 > 1.2 * w1 and abs(w1 - w2) > 10
"
check "long opening hours on one line" test "$(y_of Mon)" = "$(y_of '4:30pm')"
# <br> in a cell: a line break inside the cell
check "<br> breaks a cell's line" /usr/bin/python3 - "$WORK/bbox1.html" <<'PY'
import re, sys
words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<', open(sys.argv[1]).read())
i = [t for y, t in words].index('Road')             # "1 North Road", then "Testbury" in the same cell
assert words[i + 1][1] == 'Testbury' and float(words[i + 1][0]) > float(words[i][0]) + 8, words[i:i + 2]
PY

# the table across the page break: the header again at the top of page 2,
# read once in the structure tree
pdftotext -f 2 -l 2 "$WORK/body.pdf" - | sed '/^$/d' | head -3 | tr '\n' ' ' >"$WORK/p2.txt"
check "header repeated on page 2" grep -q '^Hub Address Open' "$WORK/p2.txt"
check "the repeated header is not read twice" test "$(grep -c '"Hub "' "$WORK/struct.txt")" = 1
check "the hubs table's last row is there" grep -q 'Yew Tree 20 Yew Tree Court Testbury Mon to Fri' <(pdf_text "$WORK/body.pdf")
check "every row once in the text" test "$(pdftotext "$WORK/body.pdf" - | grep -c 'Testbury$')" -ge 20

# check: every finding on the HTML letter at its place, exit 1
"$BIN" check $T/letters/html.md --area $AREA --date 2026-12-01 >"$WORK/check.out" 2>&1
rc=$?
check "check exits 1 on the image without alt text" test $rc = 1
cat >"$WORK/expected" <<'OUT'
tests/body/letters/html.md:4:18: warning: HTML tag <u> is not printed (the text around it is): underlining marks links in a letter: write **bold** or *italic* for emphasis
tests/body/letters/html.md:6:1: warning: an HTML block is printed as plain text without its tags; write Markdown instead (a blank line between paragraphs, **bold**, *italic*, # Heading, - list items, [link](https://…))
tests/body/letters/html.md:10:7: warning: <br> is a line break here, but in a paragraph write a backslash (\) at the end of the line instead; <br> is for line breaks inside table cells
tests/body/letters/html.md:10:29: warning: footnotes are not printed as footnotes ('[^1]' prints as typed): write the note in brackets after the sentence, or as a paragraph at the end
tests/body/letters/html.md:12:1: warning: footnotes are not printed as footnotes ('[^1]' prints as typed): write the note in brackets after the sentence, or as a paragraph at the end
tests/body/letters/html.md:14:1: warning: an HTML comment is not printed; for a note to the letter's editors write {{! note }}
tests/body/letters/html.md:16:9: warning: struck-through text (~~…~~) is printed without the line through it: delete the words, or say in words what has changed
tests/body/letters/html.md:18:1: error: image 'hubs.png' has no alt text: write what it shows for readers who cannot see it between the brackets, e.g. ![Map of our family hubs](hubs.png), or, if it is only decoration, write ![](hubs.png){.decorative}
tests/body/letters/partials/bits.md:5:6: warning: HTML tag <b> is not printed (the text around it is): write **bold**
check: 1 error, 8 warnings in 1 letter for 1 area
OUT
check "check's findings, exactly" diff -u "$WORK/expected" "$WORK/check.out"
"$BIN" build $T/letters/html.md --area $AREA --date 2026-12-01 -o "$WORK/html.pdf" -q 2>/dev/null
rc=$?
check "build refuses the image without alt text" test $rc = 1 -a ! -e "$WORK/html.pdf"

# images that are not there, not images, or named by a placeholder
mkdir -p "$WORK/l"
printf -- '---\ntitle: x\n---\nText.\n\n![A map](nothere.png)\n' >"$WORK/l/missing.md"
"$BIN" check "$WORK/l/missing.md" --area $AREA --date 2026-12-01 >"$WORK/out" 2>&1
check "a missing image: its place and both folders" grep -q "missing.md:6:1: error: image 'nothere.png' not found: there is no $AREA/nothere.png nor $WORK/l/nothere.png" "$WORK/out"
echo 'not a picture' >"$WORK/l/fake.png"
printf -- '---\ntitle: x\n---\n![A map](fake.png)\n' >"$WORK/l/fake.md"
"$BIN" build "$WORK/l/fake.md" --area $AREA --date 2026-12-01 -o "$WORK/fake.pdf" >"$WORK/out" 2>&1
rc=$?
check "not an image: refused at its place" grep -q "fake.md:4:1: error: image '$WORK/l/fake.png' is neither PNG nor JPEG" "$WORK/out"
check "not an image: exit 1, nothing written" test $rc = 1 -a ! -e "$WORK/fake.pdf"
printf -- '---\ntitle: x\n---\nSee ![{{area.name}}]({{area.name}}.png) and ![Logo](https://example.org/a.png).\n' >"$WORK/l/ph.md"
"$BIN" check "$WORK/l/ph.md" --area $AREA --date 2026-12-01 >"$WORK/out" 2>&1
check "a placeholder as file name" grep -q "ph.md:4:5: error: the image's file name '{{area.name}}.png' holds a placeholder" "$WORK/out"
check "a web address as file name" grep -q "ph.md:4:45: error: image 'https://example.org/a.png' is a web address" "$WORK/out"
# data never becomes an image: a value spelling one prints as typed
printf 'field,value\nname,Dataland\npartnership,P\norganisation,"![x](hubs.png){.decorative} <b>O</b>"\n' >"$WORK/area.csv"
mkdir -p "$WORK/dataland" && cp "$WORK/area.csv" $AREA/contacts.csv $AREA/signatories.csv "$WORK/dataland/"
printf -- '---\ntitle: x\n---\n{{area.organisation}}\n' >"$WORK/l/data.md"
"$BIN" build "$WORK/l/data.md" --area "$WORK/dataland" --date 2026-12-01 -o "$WORK/data.pdf" -q
check "a value's markup prints as typed" grep -qF '![x](hubs.png){.decorative} <b>O</b>' <(pdf_text "$WORK/data.pdf")
check "a value's markup makes no image" test "$(pdfimages -list "$WORK/data.pdf" | awk 'NR > 2' | wc -l)" = 0

finish body
