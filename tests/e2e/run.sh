#!/usr/bin/env bash
# End-to-end tests: run the real binary on the bundled letters and areas and
# on broken inputs, and check the real PDFs with poppler and qpdf.
# usage: tests/e2e/run.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2



fonts_embedded() { # every font row says emb=yes
	local rows
	rows=$(pdffonts "$1" 2>/dev/null | tail -n +3)
	[ -n "$rows" ] && ! echo "$rows" | awk '{ if ($(NF-4) != "yes") bad=1 } END { exit !bad }'
}

has_uri() { qpdf --qdf --object-streams=disable "$1" - 2>/dev/null | grep -aqF "/URI ($2)"; }

# ---- every bundled letter for every bundled area ----
for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	l=$(basename "$letter" .md)
	for areadir in areas/*/; do
		a=$(basename "$areadir")
		out="$WORK/$l/$a.pdf"
		if ! "$BIN" build "$letter" --area "$areadir" -o "$out" --date 2015-03-17 2>"$WORK/err"; then
			bad "$l x $a: build failed: $(cat "$WORK/err")"
			continue
		fi
		ok
		check "$l x $a: qpdf --check" qpdf --check "$out" >/dev/null 2>&1
		check "$l x $a: fonts embedded" fonts_embedded "$out"
		pages=$(pdfinfo "$out" 2>/dev/null | awk '/^Pages:/ { print $2 }')
		check "$l x $a: 1 to 3 pages (got $pages)" test "${pages:-0}" -ge 1 -a "${pages:-0}" -le 3
		check "$l x $a: A4" sh -c "pdfinfo '$out' | grep -q '595.2[78]* x 841.89* pts (A4)'"
		text=$(pdf_text "$out")
		check "$l x $a: no unexpanded {{" test "${text#*\{\{}" = "$text"
		facts="tests/facts/${l}__${a}.txt"
		if [ -f "$facts" ]; then
			while IFS= read -r fact; do
				[ -z "$fact" ] && continue
				case "$text" in
				*"$fact"*) ok ;;
				*) bad "$l x $a: missing fact '$fact'" ;;
				esac
			done <"$facts"
		else
			bad "$l x $a: no facts file $facts"
		fi
		absent="tests/facts/${l}__${a}.absent.txt"
		if [ -f "$absent" ]; then
			lower=$(printf '%s' "$text" | tr '[:upper:]' '[:lower:]')
			while IFS= read -r fact; do
				[ -z "$fact" ] && continue
				f=$(printf '%s' "$fact" | tr '[:upper:]' '[:lower:]')
				case "$lower" in
				*"$f"*) bad "$l x $a: shows another area's fact '$fact'" ;;
				*) ok ;;
				esac
			done <"$absent"
		fi
		if [ "$a" = "$(basename "$areadir")" ] && [ -n "$(ls "$WORK/$l" | grep -v '\.pdf$')" ]; then
			bad "$l x $a: temporary files left behind: $(ls "$WORK/$l")"
		fi
	done
done

# ---- facts that only one combination shows ----
liv="$WORK/cse-awareness/liverpool.pdf"
if [ -f "$liv" ]; then
	text=$(pdf_text "$liv")
	case "$text" in *"Date: 17th March, 2015"*) ok ;; *) bad "liverpool: date not written as in seed 001" ;; esac
	check "liverpool: web link is clickable" has_uri "$liv" "https://www.ceop.police.uk"
	check "liverpool: email is a mailto link" has_uri "$liv" "mailto:colette.o'brien@liverpool.gov.uk"
	check "liverpool: two signature images" test "$(pdfimages -list "$liv" 2>/dev/null | awk 'NR>2 && $3=="image"' | wc -l)" -eq 2
	info=$(pdfinfo "$liv" 2>/dev/null)
	case "$info" in *"Title:"*"Child Sexual Exploitation – parental/carer awareness"*) ok ;; *) bad "liverpool: PDF title" ;; esac
	case "$info" in *"Author:"*"Liverpool Children's Services and Merseyside Police"*) ok ;; *) bad "liverpool: PDF author" ;; esac
	case "$text" in *"Page 1 of 2"*"Page 2 of 2"*) ok ;; *) bad "liverpool: page numbers" ;; esac
fi
ches="$WORK/cse-awareness/cheshire-west-and-chester.pdf"
if [ -f "$ches" ]; then
	case "$(pdf_text "$ches")" in *"17 March 2015"*) ok ;; *) bad "cheshire: default UK date format" ;; esac
fi

# ---- reproducible bytes ----
"$BIN" build letters/cse-awareness.md --area areas/liverpool -o "$WORK/r1.pdf" --date 2015-03-17 &&
	"$BIN" build letters/cse-awareness.md --area areas/liverpool -o "$WORK/r2.pdf" --date 2015-03-17
check "same inputs give byte-identical PDFs" cmp -s "$WORK/r1.pdf" "$WORK/r2.pdf"
SOURCE_DATE_EPOCH=1426550400 "$BIN" build letters/cse-awareness.md --area areas/liverpool -o "$WORK/r3.pdf"
check "SOURCE_DATE_EPOCH sets the date" cmp -s "$WORK/r1.pdf" "$WORK/r3.pdf"

# ---- a test area made from Liverpool's, to break on purpose ----
mkarea() { rm -rf "$WORK/area"; cp -r areas/liverpool "$WORK/area"; }

# data never becomes markup
mkarea
python3 - "$WORK/area/contacts.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, encoding="utf-8")))
h = rows[0]
for r in rows[1:]:
    if r[h.index("id")] == "careline":
        r[h.index("service")] = "*Care*line_x_ [link](http://evil.example) {{area.name}} <b>bold</b> # 1. &amp;"
csv.writer(open(p, "w", encoding="utf-8", newline="")).writerows(rows)
PY
if "$BIN" build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/md.pdf" --date 2015-03-17 2>"$WORK/err"; then
	text=$(pdf_text "$WORK/md.pdf")
	case "$text" in
	*"*Care*line_x_ [link](http://evil.example) {{area.name}} <b>bold</b> # 1. &amp;"*) ok ;;
	*) bad "markdown characters in data were not printed as typed: $text" ;;
	esac
else
	bad "build with markdown characters in data failed: $(cat "$WORK/err")"
fi

# Welsh and typographic characters come through
mkarea
sed -i 's/^careline,local,Careline,/careline,local,Llinell Gymorth ŵ ŷ £5 – ’,/' "$WORK/area/contacts.csv"
if "$BIN" build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/cy.pdf" --date 2015-03-17 2>"$WORK/err"; then
	case "$(pdf_text "$WORK/cy.pdf")" in *"Llinell Gymorth ŵ ŷ £5 – ’"*) ok ;; *) bad "Welsh characters lost" ;; esac
else
	bad "build with Welsh characters failed: $(cat "$WORK/err")"
fi

# expect_error NAME EXIT_CODE 'stderr pattern (grep -E)' build args...
expect_error() {
	local name=$1 code=$2 pattern=$3; shift 3
	rm -f "$WORK/fail.pdf"
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name: exit $rc, wanted $code; stderr: $(cat "$WORK/err")"
		return
	fi
	if ! grep -Eq -- "$pattern" "$WORK/err"; then
		bad "$name: stderr does not match '$pattern': $(cat "$WORK/err")"
		return
	fi
	if [ -e "$WORK/fail.pdf" ] || ls "$WORK" | grep -q 'fail.pdf.tmp'; then
		bad "$name: a PDF or temporary file was left behind"
		return
	fi
	ok
}

cp letters/cse-awareness.md "$WORK/typo.md"
cp -r letters/partials "$WORK/partials"
sed -i 's/{{area.police_force}}/{{area.polce_force}}/' "$WORK/typo.md"
line=$(grep -n 'area.polce_force' "$WORK/typo.md" | head -1 | cut -d: -f1)
expect_error "misspelt placeholder" 1 "typo.md:$line:[0-9]+: error: no value for 'area.polce_force'; did you mean 'area.police_force'\\?" \
	build "$WORK/typo.md" --area areas/liverpool -o "$WORK/fail.pdf"

mkarea
printf 'careline2,local,O\222Brien line,Liverpool City Council,0151 233 3027,,,,,,2026-11-01\n' >>"$WORK/area/contacts.csv"
n=$(wc -l <"$WORK/area/contacts.csv")
expect_error "Windows-1252 CSV said to be UTF-8" 1 "area/contacts.csv:$n:[0-9]+: error: .*not UTF-8.*--input-encoding utf-8" \
	build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/fail.pdf" --input-encoding utf-8

mkarea
printf 'not a png' >"$WORK/area/signature-police.png"
expect_error "damaged signature image" 1 "area/signatories.csv:3:[0-9]+: error: image .*signature-police.png" \
	build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/fail.pdf"

mkarea
head -c 200 areas/liverpool/signature-police.png >"$WORK/area/signature-police.png"
expect_error "truncated PNG does not abort" 1 "error: image .*signature-police.png" \
	build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/fail.pdf"

mkarea
rm "$WORK/area/signature-lead.png"
expect_error "missing signature image" 1 "area/signatories.csv:2:[0-9]+: error: .*signature-lead.png" \
	build letters/cse-awareness.md --area "$WORK/area" -o "$WORK/fail.pdf"

expect_error "missing area folder" 1 "error: .*no-such-area" \
	build letters/cse-awareness.md --area "$WORK/no-such-area" -o "$WORK/fail.pdf"
expect_error "missing letter" 1 "nope.md: error: cannot open '.*nope.md': No such file or directory" \
	build "$WORK/nope.md" --area areas/liverpool -o "$WORK/fail.pdf"
expect_error "unwritable output" 3 "error: cannot" \
	build letters/cse-awareness.md --area areas/liverpool -o /proc/lettermerge/x.pdf
expect_error "no --area is a usage error" 2 "--area or --all-areas is required" build letters/cse-awareness.md
expect_error "unknown option is a usage error" 2 "unknown option '--frobnicate'" \
	build letters/cse-awareness.md --area areas/liverpool --frobnicate
expect_error "bad date is a usage error" 2 "2015-02-30" \
	build letters/cse-awareness.md --area areas/liverpool --date 2015-02-30
expect_error "unknown command" 2 "unknown command 'bulid'" bulid

printf -- '---\ntitle: x\nsubjet: y\n---\nHello\n' >"$WORK/key.md"
expect_error "misspelt front matter key" 1 "key.md:3:1: error: unknown front matter key 'subjet'; did you mean 'subject'\\?" \
	build "$WORK/key.md" --area areas/liverpool -o "$WORK/fail.pdf"
printf -- '---\ntitle: x\n\nHello\n' >"$WORK/open.md"
expect_error "unclosed front matter" 1 "open.md:1:1: error: front matter" \
	build "$WORK/open.md" --area areas/liverpool -o "$WORK/fail.pdf"
printf -- '---\nsignatories: [lead, mayor]\n---\nHello\n' >"$WORK/sig.md"
expect_error "unknown signatory" 1 "sig.md:2:21: error: signatory 'mayor' is not in" \
	build "$WORK/sig.md" --area areas/liverpool -o "$WORK/fail.pdf"
printf -- '---\ntitle: x\n---\nHello \xe4\xb8\x80\n' >"$WORK/cjk.md"
expect_error "a character the font lacks" 1 "U\\+4E00" \
	build "$WORK/cjk.md" --area areas/liverpool -o "$WORK/fail.pdf"

# help and version
"$BIN" --help >"$WORK/out" 2>&1; check "--help exits 0" test $? -eq 0
check "--help lists build" grep -q "build" "$WORK/out"
"$BIN" build --help >"$WORK/out" 2>&1; check "build --help exits 0" test $? -eq 0
check "build --help lists every option" sh -c "grep -q -- '--area' '$WORK/out' && grep -q -- '--output' '$WORK/out' && grep -q -- '--date' '$WORK/out'"
"$BIN" --version >"$WORK/out" 2>&1; check "--version" grep -Eq "^lettermerge [0-9]+\.[0-9]+\.[0-9]+" "$WORK/out"

# the default output name derives from the letter and the area
(cd "$WORK" && "$BIN" build "$SRC/letters/cse-awareness.md" --area "$SRC/areas/liverpool" --fonts "$SRC/fonts" --date 2015-03-17 2>/dev/null)
check "default output name" test -f "$WORK/cse-awareness-liverpool.pdf"

finish e2e
