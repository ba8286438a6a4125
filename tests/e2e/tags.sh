#!/usr/bin/env bash
# Tagged PDF: every bundled letter for every bundled area is tagged, its
# structure tree reads the same words in the same order as the page
# (artifacts aside), signatures are Figures with alt text, links are tied to
# their annotations; a --combine --duplex print file is tagged across all its
# letters; and a large-print letter has no text under 16 pt and nothing past
# the margins.
# usage: tests/e2e/tags.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-tags.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2


# the words of the structure tree, in its order, one a line
# (pdfinfo prints an element's text apart from its children's, so the
# pieces are joined as they are: the spaces between words are in the text)
struct_words() {
	pdfinfo -struct-text "$1" 2>/dev/null | sed -n 's/^ *"\(.*\)"$/\1/p' | tr -d '\n' |
		tr -s ' \t' '\n\n' | sed '/^$/d'
}
# the words pdftotext reads, page by page, without the running footer
# (below MARGIN_BOTTOM: the footer, its rule and the page number)
page_words() {
	local pdf=$1 foot=${2:-62} mode=${3:-} pages h p
	pages=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
	h=$(pdfinfo "$pdf" | awk '/^Page size:/ { print int($5) }')
	for ((p = 1; p <= pages; p++)); do
		pdftotext $mode -enc UTF-8 -f "$p" -l "$p" -x 0 -y 0 -W 700 -H $((h - foot)) "$pdf" - 2>/dev/null
	done | tr -s ' \t\f' '\n\n\n' | sed '/^$/d'
}
same_words() { # same_words PDF [footer height [pdftotext mode]]
	struct_words "$1" >"$WORK/s.txt"
	page_words "$1" "${2:-62}" "${3:-}" >"$WORK/p.txt"
	[ -s "$WORK/s.txt" ] && diff -u "$WORK/p.txt" "$WORK/s.txt" >"$WORK/diff.txt"
}
qdf() { qpdf --qdf --object-streams=disable "$1" - 2>/dev/null; }
qpdf_clean() { local out; out=$(qpdf --check "$1" 2>&1) && ! grep -qi warning <<<"$out"; }
tagged() { pdfinfo "$1" 2>/dev/null | grep -q '^Tagged: *yes'; }
# every Figure has non-empty alt text
figures_have_alt() {
	local figs alts
	qdf "$1" >"$WORK/q.pdf"
	figs=$(grep -ac '^  /S /Figure' "$WORK/q.pdf")
	alts=$(grep -a -B12 '^  /S /Figure' "$WORK/q.pdf" | grep -ac '^  /Alt [(<][^)>]')
	[ "$figs" -ge 1 ] && [ "$figs" = "$alts" ]
}
# every link annotation has a /StructParent and /Contents; pages with links /Tabs /S
links_tied() {
	local q="$WORK/q.pdf" links sp ct tabs annotpages
	qdf "$1" >"$q"
	links=$(grep -ac '^  /Subtype /Link' "$q")
	sp=$(grep -ac '^  /StructParent ' "$q")
	ct=$(grep -a -B13 '^  /Subtype /Link' "$q" | grep -ac '^  /Contents ')
	tabs=$(grep -ac '^  /Tabs /S' "$q")
	annotpages=$(grep -ac '^  /Annots \[' "$q")
	[ "$links" = "$sp" ] && [ "$links" = "$ct" ] && [ "$tabs" = "$annotpages" ]
}
# every word inside the margins (22 mm = 62.4 pt a side), on the page
inside_margins() {
	pdftotext -bbox "$1" - 2>/dev/null | awk '
		/<page / { match($0, /width="[0-9.]+"/); w = substr($0, RSTART + 7, RLENGTH - 8) + 0 }
		/<word / {
			match($0, /xMin="[0-9.]+"/); x0 = substr($0, RSTART + 6, RLENGTH - 7) + 0
			match($0, /xMax="[0-9.]+"/); x1 = substr($0, RSTART + 6, RLENGTH - 7) + 0
			if (x0 < 62.36 - 0.5 || x1 > w - 62.36 + 0.5) { print "past the margin:", $0; bad = 1 }
		}
		END { exit bad }'
}
# every font size the content streams set is at least $2
min_font_size() {
	qdf "$1" | awk -v min="$2" '/ Tf$/ && $(NF-1) + 0 < min { print "font size", $(NF-1); bad = 1 } END { exit bad }'
}

for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	l=$(basename "$letter" .md)
	for areadir in areas/*/; do
		a=$(basename "$areadir")
		out="$WORK/$l-$a.pdf"
		if ! "$BIN" build "$letter" --area "$areadir" -o "$out" --date 2015-03-17 -q 2>"$WORK/err"; then
			bad "$l x $a: build failed: $(cat "$WORK/err")"
			continue
		fi
		check "$l x $a: Tagged: yes" tagged "$out"
		check "$l x $a: qpdf --check clean" qpdf_clean "$out"
		if same_words "$out"; then ok; else bad "$l x $a: structure words differ from the page's"; head -20 "$WORK/diff.txt"; fi
		check "$l x $a: headings in the tree" sh -c "pdfinfo -struct-text '$out' | grep -q '^  H1'"
		check "$l x $a: list items in the tree" sh -c "pdfinfo -struct-text '$out' | grep -q '^    LI'"
		check "$l x $a: signatures are Figures with alt text" figures_have_alt "$out"
		check "$l x $a: links tied to the tree" links_tied "$out"
		check "$l x $a: inside the margins" inside_margins "$out"
	done
done

# the signatory's own name as the alt text
out="$WORK/cse-awareness-liverpool.pdf"
check "Liverpool: alt text 'Signature of Colette O'Brien'" \
	sh -c "qpdf --qdf --object-streams=disable '$out' - 2>/dev/null | grep -aqF \"/Alt (Signature of Colette O'Brien)\""
check "Liverpool: document language" sh -c "qpdf --qdf --object-streams=disable '$out' - 2>/dev/null | grep -aq '^  /Lang (en-GB)'"
check "Liverpool: DisplayDocTitle" sh -c "qpdf --qdf --object-streams=disable '$out' - 2>/dev/null | grep -aq '/DisplayDocTitle true'"
check "Liverpool: XMP title" sh -c "qpdf --qdf --object-streams=disable '$out' - 2>/dev/null | grep -aq '<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Child Sexual Exploitation'"

# a print file: every letter a Part of one Document, read in order
python3 bench/make-schools.py 5 "$WORK/schools.csv"
comb="$WORK/all.pdf"
if "$BIN" build letters/cse-awareness.md --area areas/liverpool --recipients "$WORK/schools.csv" \
	--combine "$comb" --duplex --date 2015-03-17 -q 2>"$WORK/err"; then
	ok
	check "combined: Tagged: yes" tagged "$comb"
	check "combined: qpdf --check clean" qpdf_clean "$comb"
	parts=$(pdfinfo -struct-text "$comb" | grep -c '^  Part')
	check "combined: 5 letters, 5 Parts (got $parts)" test "$parts" = 5
	# beside the envelope window pdftotext's geometric order reads the
	# letterhead's first line, then the window, then the rest of the
	# letterhead; the tree reads the letterhead first.  So in the order
	# the page draws them (-raw), which is the layout's.
	if same_words "$comb" 62 -raw; then ok; else bad "combined: structure words differ from the pages'"; head -20 "$WORK/diff.txt"; fi
	check "combined: links tied to the tree" links_tied "$comb"
	check "combined: signatures have alt text" figures_have_alt "$comb"
else
	bad "combined build failed: $(cat "$WORK/err")"
fi

# large print, when this build has the option
if "$BIN" build --help 2>&1 | grep -q -- '--large-print'; then
	for letter in letters/*.md; do
		case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
		l=$(basename "$letter" .md)
		out="$WORK/$l-large.pdf"
		if ! "$BIN" build "$letter" --area areas/liverpool -o "$out" --date 2015-03-17 --large-print -q 2>"$WORK/err"; then
			bad "$l large print: build failed: $(cat "$WORK/err")"
			continue
		fi
		check "$l large print: no text under 16 pt" min_font_size "$out" 16
		check "$l large print: inside the margins" inside_margins "$out"
		check "$l large print: Tagged" tagged "$out"
		# the footer wraps to three lines at 16 pt, its rule 97 pt up
		if same_words "$out" 100; then ok; else bad "$l large print: structure words differ"; head -20 "$WORK/diff.txt"; fi
	done
	# chosen per recipient by a large_print column
	python3 - "$WORK/schools.csv" "$WORK/lp.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
w = csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8'))
w.writerow(rows[0] + ['large_print'])
w.writerow(rows[1] + ['Yes'])
w.writerow(rows[2] + [''])
EOF
	mkdir -p "$WORK/lp"
	if "$BIN" build letters/cse-awareness.md --area areas/liverpool --recipients "$WORK/lp.csv" \
		-o "$WORK/lp/{{recipient.urn}}.pdf" --date 2015-03-17 -q 2>"$WORK/err"; then
		check "large_print column: yes is large" min_font_size "$WORK/lp/100000.pdf" 16
		check "large_print column: empty is normal print" sh -c "qpdf --qdf --object-streams=disable '$WORK/lp/100001.pdf' - 2>/dev/null | grep -aq ' 11 Tf$'"
		check "large_print column: inside the margins" inside_margins "$WORK/lp/100000.pdf"
	else
		bad "large_print column: build failed: $(cat "$WORK/err")"
	fi
else
	bad "--large-print is missing from build --help"
fi

finish tags
