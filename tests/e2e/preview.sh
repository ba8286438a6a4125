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

# ---- lettermerge fields ----
F="$WORK/fields"
"$BIN" fields $L --area $A -r $R >"$F.out" 2>"$F.err"
check "fields: exit 0" test $? -eq 0
has() { # has MARK NAME VALUE: a line of the listing
	awk -v m="$1" -v n="$2" -v v="$3" '$1 == m && $2 == n { sub(/^[a-z]* +[^ ]+ +/, ""); if ($0 == v) f = 1 }
		m == "" && $1 == n { sub(/^ *[^ ]+ +/, ""); if ($0 == v) f = 1 } END { exit !f }' "$F.out"
}
check "fields: area.name used" has used area.name Liverpool
check "fields: a multi-line value on one line" has used area.address "Municipal Buildings / Dale Street / Liverpool / L2 2DH"
check "fields: an area field the letter leaves out" has "" area.our_ref "CO'B/AW/CK - Parents/carer/CSE15"
check "fields: a contact's phone the body prints" has used contacts.careline.phone "0151 233 3027"
check "fields: a contact's id it does not" has "" contacts.emergency.id emergency
check "fields: a group, as its ids" has used groups.web "(listentomystory, ceop)"
check "fields: the signatory the letter chose" has used signatories.lead.name "Colette O'Brien"
check "fields: one it did not" has "" signatories.police.name "Andrew Ward"
check "fields: the date" grep -qE '^used +date +' "$F.out"
check "fields: a recipient column it ignores" has ignored recipient.urn 900101
check "fields: the address in the window" has used recipient.postcode "L4 0AA"
check "fields: the row number" has "" recipient._row 1
check "fields: the summary: $(cat "$F.err")" grep -qx "fields: 40 used; 2 recipient columns ignored" "$F.err"
# a letter that names a recipient column, and a list's column in a section
mkdir -p "$WORK/letters"
printf -- '---\nsignatories: [lead]\n---\nTo {{recipient.name}}.\n\n{{#contacts}}- {{service}}\n{{/contacts}}\n' \
	>"$WORK/letters/mine.md"
"$BIN" fields "$WORK/letters/mine.md" --area $A -r tests/workbook/schools.xlsx >"$F.out" 2>"$F.err"
check "fields (workbook recipients): exit 0: $(cat "$F.err")" test $? -eq 0
check "fields: a recipient column the body prints" has used recipient.name "Dale Park Primary School"
check "fields: every row of a section's list" has used contacts.ceop.service ceop.police.uk
check "fields: ... but not what the section leaves out" has "" contacts.ceop.web www.ceop.police.uk
"$BIN" fields "$WORK/letters/mine.md" --area $A --used >"$F.out" 2>"$F.err"
check "fields --used: used names only" sh -c "! grep -qv '^used ' '$F.out'"
check "fields --used: without recipients, no recipient lines" sh -c "! grep -q recipient '$F.out'"
# the same values from a workbook area
mkdir -p "$WORK/wb/liverpool"
cp areas/liverpool/*.png tests/workbook/area.ods "$WORK/wb/liverpool/"
cp -r $A "$WORK/wb/csv-liverpool"
"$BIN" fields $L --area "$WORK/wb/liverpool" -r tests/workbook/schools.ods >"$WORK/f1" 2>/dev/null
"$BIN" fields $L --area $A -r $R >"$WORK/f2" 2>/dev/null
# (but for the paths of the signature images, which are in another folder)
check "fields: an .ods area and recipients show the CSV's values" \
	cmp -s <(grep -v signature_path "$WORK/f1") <(grep -v signature_path "$WORK/f2")
check "... all of them" test "$(wc -l <"$WORK/f1")" -gt 90
# a letter whose address: names GIAS's columns: those are used, the default
# address columns are not, and the columns it leaves out are ignored
{
	printf '%s\n' --- 'address:' '  - "{{recipient.establishment_name}}"' '  - "{{recipient.postcode}}"'
	tail -n +2 $L
} >"$WORK/letters/gias.md"
cp -r letters/partials "$WORK/letters/"
"$BIN" fields "$WORK/letters/gias.md" --area $A -r tests/workbook/gias.xlsx >"$F.out" 2>"$F.err"
check "fields, address: block: exit 0 ($(cat "$F.err"))" test $? -eq 0
check "fields: a column address: names" has used recipient.EstablishmentName "St Thérèse's Catholic Primary School"
check "fields: the postcode, as address: names it" has used recipient.Postcode "L4 0AA"
check "fields: a column address: leaves out" has ignored recipient.Town Liverpool
"$BIN" fields $L >/dev/null 2>"$F.err"
check "fields without --area: exit 2" test $? -eq 2
"$BIN" fields $L --area $A -r "$WORK/nothing.csv" >/dev/null 2>"$F.err"
check "fields with a missing recipients file: exit 1" test $? -eq 1
check "... naming it: $(cat "$F.err")" grep -qF "$WORK/nothing.csv: error: cannot open" "$F.err"

finish preview
