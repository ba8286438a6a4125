#!/usr/bin/env bash
# One recipient's letter (Word's "Preview Results"): build --row N and
# --only KEY make just that letter, named and made as the whole run makes it.
# usage: tests/e2e/preview.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-preview.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
export SOURCE_DATE_EPOCH=1426550400
L=letters/cse-campaign.md
A=areas/liverpool
R=areas/liverpool/schools.csv

"$BIN" build $L --area $A -r $R -o "$WORK/all/{{recipient.urn}}-{{recipient._row}}.pdf" -q -j 2 ||
	bad "the whole run failed"
"$BIN" build $L --area $A -r $R -o "$WORK/row/{{recipient.urn}}-{{recipient._row}}.pdf" -q --row 3 ||
	bad "--row 3 failed"
check "--row 3: one letter" test "$(ls "$WORK/row")" = "900103-3.pdf"
check "--row 3: the bytes of the whole run's third letter" cmp -s "$WORK/all/900103-3.pdf" "$WORK/row/900103-3.pdf"
"$BIN" build $L --area $A -r tests/workbook/schools.ods -o "$WORK/only/{{recipient.urn}}-{{recipient._row}}.pdf" \
	-q --only 900102 || bad "--only 900102 failed"
check "--only 900102 (from a workbook): one letter" test "$(ls "$WORK/only")" = "900102-2.pdf"
check "--only: the same bytes" cmp -s "$WORK/all/900102-2.pdf" "$WORK/only/900102-2.pdf"
# the default name is the whole run's too
(cd "$WORK" && "$BIN" build "$SRC/$L" --area "$SRC/$A" -r "$SRC/$R" --fonts "$SRC/fonts" --row 2 -q) ||
	bad "--row 2 with the default name failed"
check "--row 2: named as the whole run names it" test -f "$WORK/cse-campaign-liverpool-2.pdf"

# errors: exit status and message, nothing written
expect() { # expect STATUS "message" args...
	local want=$1 msg=$2
	shift 2
	rm -rf "$WORK/none"
	"$BIN" build $L --area $A -o "$WORK/none/{{area.id}}-{{recipient._row}}.pdf" "$@" >/dev/null 2>"$WORK/err"
	local rc=$?
	check "exit $want for $*: got $rc" test "$rc" -eq "$want"
	check "message for $*: $(cat "$WORK/err")" grep -qF -- "$msg" "$WORK/err"
	check "nothing written for $*" test ! -e "$WORK/none"
}
expect 1 "error: there is no recipient row 9: the recipients file has 4 rows" -r $R --row 9
expect 1 "error: no recipient has 'x' in the first column ('urn')" -r $R --only x
expect 1 "error: no recipient in row 1 has '900102' in the first column ('urn')" -r $R --row 1 --only 900102
expect 1 "error: 2 letters match (in areas liverpool, cheshire-west-and-chester); give the one --area to make" \
	--area areas/cheshire-west-and-chester -r $R --row 1
expect 2 "--row and --only pick a recipient: give --recipients or --area-recipients" --row 1
expect 2 "--row N must be a row number" -r $R --row 0
expect 2 "--row and --only make one letter: leave out --shard" -r $R --row 1 --shard 1/2

finish preview
