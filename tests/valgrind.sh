#!/usr/bin/env bash
# Every bundled letter for every bundled area under valgrind: no invalid
# access, no leak.  usage: tests/valgrind.sh BUILD/lettermerge SOURCE_DIR
set -u
BIN=$(realpath "$1")
cd "$2" || exit 2
WORK=$(mktemp -d /tmp/lettermerge-vg.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	for area in areas/*/; do
		name="$(basename "$letter" .md) x $(basename "$area")"
		if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 "$BIN" build "$letter" --area "$area" \
			-o "$WORK/out.pdf" --date 2015-03-17 2>"$WORK/log"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL: $name"
			cat "$WORK/log"
		fi
	done
done
# an error path too: it must free what it loaded
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	"$BIN" build letters/cse-awareness.md --area "$WORK/none" -o "$WORK/x.pdf" 2>"$WORK/log"
if [ $? -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: error path"; cat "$WORK/log"; fi
# the body's images and tables, and the findings on its Markdown (exit 1)
for args in "build tests/body/letters/body.md -o $WORK/body.pdf" "check tests/body/letters/html.md"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$BIN" $args --area tests/body/areas/testshire --date 2026-12-01 >/dev/null 2>"$WORK/log"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $args"; cat "$WORK/log"; fi
done
# the frame's parts placed and done without, pages: 2 fitted, pages: 1 refused (exit 1)
sed 's/^pages: 2/pages: 1/' tests/frame/letters/long.md >"$WORK/long1.md"
for args in "build tests/frame/letters/police.md --area tests/frame/areas/northshire -o $WORK/p.pdf" \
	"check tests/frame/letters/leaflet.md --area tests/frame/areas/eastshire" \
	"build tests/frame/letters/long.md --area tests/frame/areas/eastshire -o $WORK/l.pdf" \
	"build $WORK/long1.md --area tests/frame/areas/eastshire -o $WORK/l1.pdf"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$BIN" $args --date 2026-12-01 >/dev/null 2>"$WORK/log"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $args"; cat "$WORK/log"; fi
done
# workbooks (src/workbook.c: libzip, libxml2): an .ods area, .xlsx recipients
# (two workers), fields, and a damaged cell (exit 1)
mkdir -p "$WORK/wb/liverpool"
cp areas/liverpool/*.png tests/workbook/area.ods "$WORK/wb/liverpool/"
for args in "build letters/cse-campaign.md -r tests/workbook/schools.xlsx -j 2 -o $WORK/wb/{{recipient.urn}}.pdf" \
	"fields letters/cse-campaign.md -r tests/workbook/schools.ods" \
	"check letters/cse-campaign.md -r tests/workbook/cells.xlsx#damaged"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--trace-children=yes "$BIN" $args --area "$WORK/wb/liverpool" --date 2015-03-17 >/dev/null 2>"$WORK/log"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $args"; cat "$WORK/log"; fi
done
# signing (src/pdfw.c, src/sign.c): a letter signed with a visible box, and
# a signed large-print duplex print file (streamed, with blank backs)
vg() { # vg WANT_EXIT ARGS...: lettermerge under valgrind
	local want=$1
	shift
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$BIN" "$@" >/dev/null 2>"$WORK/log"
	local rc=$?
	if [ $rc -eq "$want" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $* ($rc)"; cat "$WORK/log"; fi
}
if bash scripts/make-test-ca.sh "$WORK/ca" >/dev/null 2>&1; then
	SIGN=(--sign-key "$WORK/ca/signer.p12" --sign-pass-file "$WORK/ca/signer.pass")
	vg 0 build letters/cse-awareness.md --area areas/liverpool -o "$WORK/sv.pdf" --date 2015-03-17 "${SIGN[@]}" --sign-visible
	python3 bench/make-schools.py 3 "$WORK/s3.csv"
	vg 0 build letters/cse-awareness.md --area areas/cheshire-west-and-chester -r "$WORK/s3.csv" \
		--combine "$WORK/print.pdf" --duplex --large-print --date 2015-03-17 "${SIGN[@]}"
else
	failed=$((failed + 1))
	echo "FAIL: scripts/make-test-ca.sh"
fi
# translations: a bilingual letter, and a recipients file mixing languages
# (with a missing one: a warning) in a duplex print file; a missing one (exit 1)
LA=(--area tests/lang/areas/ynys-test --date 2015-03-17)
vg 0 build tests/lang/letters/termly.md --lang cy+en -o "$WORK/cyen.pdf" "${LA[@]}"
vg 0 build tests/lang/letters/termly.md -r tests/lang/families.csv --combine "$WORK/fam.pdf" --duplex -j 1 "${LA[@]}"
vg 1 check tests/lang/letters/termly.md --lang pl "${LA[@]}"
# verify (src/verify.c, src/pdfr.c): a letter signed twice (valid), then
# changed and signed again (exit 1)
SA=$(dirname "$BIN")/tests/sign-again
if [ -x "$SA" ] &&
	"$BIN" build letters/cse-awareness.md --area areas/liverpool -o "$WORK/v1.pdf" --date 2015-03-17 \
		"${SIGN[@]}" 2>/dev/null &&
	"$SA" --key "$WORK/ca/other.key" --cert "$WORK/ca/mismatched.pem" "$WORK/v1.pdf" "$WORK/v2.pdf" &&
	/usr/bin/python3 tests/sign/edit-pdf.py replace-content "$WORK/v1.pdf" "$WORK/vc.pdf" &&
	"$SA" --key "$WORK/ca/other.key" --cert "$WORK/ca/mismatched.pem" "$WORK/vc.pdf" "$WORK/vf.pdf"; then
	vg 0 verify --trust "$WORK/ca/ca.pem" "$WORK/v2.pdf"
	vg 1 verify --trust "$WORK/ca/ca.pem" "$WORK/vf.pdf"
else
	failed=$((failed + 1))
	echo "FAIL: could not make signed letters for verify"
fi
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
