#!/usr/bin/env bash
# Real school lists in: a GIAS-shaped export as downloaded (Windows-1252,
# every cell quoted, CRLF, its own column names, a closed school) becomes
# correctly addressed letters for the open schools with one address: block
# and one --where; the same list saved by LibreOffice as UTF-8, semicolon,
# tab, UTF-16 and Windows-1252 CSV gives byte-identical PDFs; each case
# that used to give a silently wrong letter is an error or a warning with
# its exact message.  Fixtures: tests/fixtures/gias (see make.sh there).
# usage: tests/e2e/gias.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-gias.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
cp -r "$SRC/letters" letters
cp "$SRC"/tests/fixtures/gias/*.csv .
export LETTERMERGE_FONTS="$SRC/fonts" SOURCE_DATE_EPOCH=1426550400
AREA="$SRC/areas/liverpool"
WHERE='EstablishmentStatus (name)=Open'

# the bundled letter with one address: block naming GIAS's columns
{
	echo ---
	cat <<'YAML'
address:
  - "The Headteacher"
  - "{{recipient.establishment_name}}"
  - "{{recipient.street}}"
  - "{{recipient.locality}}"
  - "{{recipient.address3}}"
  - "{{recipient.town}}"
  - "{{recipient.county_name}}"
  - "{{recipient.postcode}}"
YAML
	tail -n +2 letters/cse-awareness.md
} >letters/gias.md

# ---- the export as downloaded ----
"$BIN" build letters/gias.md --area "$AREA" -r gias.csv --where "$WHERE" -o 'out/{{recipient.urn}}.pdf' >log 2>&1
check "GIAS export: exit 0 ($(cat log))" test $? -eq 0
check "three letters, for the open schools" test "$(ls out | tr '\n' ' ')" = "900201.pdf 900202.pdf 900204.pdf "
check "the closed school has none" test ! -e out/900203.pdf
check "the summary says what --where left out" grep -qxF \
	"lettermerge: gias.csv: 2 of 5 rows left out: 2 where 'EstablishmentStatus (name)' is not 'Open'" log
check "Windows-1252 found, with a warning naming the file" grep -qxF \
	"gias.csv:2:16: warning: the file is not UTF-8 (byte 0xE9 here), so it is read as Windows-1252, what Excel's plain \"CSV\" save writes, where that byte is \"é\"; if that is right, all is well; to be sure, save it as \"CSV UTF-8 (Comma delimited)\"" log
# the envelope window (24.6 mm from the left, 39.5 mm from the top)
window() { pdftotext -enc UTF-8 -f 1 -l 1 -x 60 -y 100 -W 280 -H 130 "$1" - | sed '/^\s*$/d'; }
check "900201's address, empty Address3 dropped" test "$(window out/900201.pdf)" = "$(printf '%s\n' \
	'The Headteacher' "St Thérèse's Catholic Primary School" '12 Abbey Road' 'Brook Green' 'Liverpool' 'Merseyside' 'L4 0AA')"
check "900202's address, ’ as typed" test "$(window out/900202.pdf)" = "$(printf '%s\n' \
	'The Headteacher' 'O’Connell Community High School' '1 Mill Lane' 'Birkenhead' 'Merseyside' 'CH41 2AB')"
check "900204's address" test "$(window out/900204.pdf)" = "$(printf '%s\n' \
	'The Headteacher' 'Hope Valley Academy' 'Hope Street' 'Unit 4, The Quays' 'Liverpool' 'L1 9AB')"
check "letters differ" test "$(cat out/*.pdf | sha256sum)" != "$(cat out/900201.pdf out/900201.pdf out/900201.pdf | sha256sum)"
for f in out/*.pdf; do qpdf --check "$f" >/dev/null 2>&1 && ok || bad "qpdf --check $f"; done
"$BIN" check letters/gias.md --area "$AREA" -r gias.csv --where "$WHERE" >log 2>&1
check "check: exit 0, the one warning" grep -qxF "check: 0 errors, 1 warning in 3 letters for 1 area" log

# ---- the same list as LibreOffice saves it: the same bytes ----
want=$(cd out && sha256sum *.pdf)
for v in gias-utf8 gias-semicolon gias-tab gias-utf16 gias-1252; do
	"$BIN" build letters/gias.md --area "$AREA" -r $v.csv --where "$WHERE" -o "$v/{{recipient.urn}}.pdf" -q 2>err
	check "$v.csv: built ($(cat err))" test $? -eq 0
	check "$v.csv: byte-identical PDFs" test "$(cd $v 2>/dev/null && sha256sum *.pdf)" = "$want"
done
"$BIN" check letters/gias.md --area "$AREA" -r gias-utf8.csv --where "$WHERE" >log 2>&1
check "UTF-8 needs no warning" grep -qxF "check: 0 errors, 0 warnings in 3 letters for 1 area" log
"$BIN" build letters/gias.md --area "$AREA" -r gias-semicolon.csv --delimiter ';' --where "$WHERE" \
	-o 'forced/{{recipient.urn}}.pdf' -q && test "$(cd forced && sha256sum *.pdf)" = "$want" && ok ||
	bad "--delimiter ';' reads the semicolon file"

# expect NAME EXIT 'exact line' -- lettermerge args...
expect() {
	local name=$1 code=$2 line=$3
	shift 4
	"$BIN" "$@" >out.txt 2>err
	local rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name: exit $rc, wanted $code: $(cat err)"
	elif ! grep -qxF -- "$line" err; then
		bad "$name: no line '$line' in: $(cat err)"
	else
		ok
	fi
}

# ---- each silent case, now said ----
expect "no address from any row: the columns and the address: lines that would map them" 1 \
	"gias-utf8.csv:1:1: error: the letter prints an address in the envelope window, but no row of this file gives one; its columns are URN, EstablishmentName, EstablishmentStatus (name), Street, Locality, Address3, Town, County (name), Postcode; by default the address is the columns address_line_1 to address_line_7 and postcode; to print these columns, put into the letter's front matter: address: [\"{{recipient.establishment_name}}\", \"{{recipient.street}}\", \"{{recipient.locality}}\", \"{{recipient.address3}}\", \"{{recipient.town}}\", \"{{recipient.county_name}}\", \"{{recipient.postcode}}\"]; for letters handed out with no envelope write address: none" \
	-- build letters/cse-awareness.md --area "$AREA" -r gias-utf8.csv -o 'x/{{recipient.urn}}.pdf'
check "... and nothing is written" test ! -e x
expect "every letter the same: a warning" 1 \
	"gias-semicolon.csv:1:1: warning: every one of the 5 letters for this file comes out the same: the letter prints no recipient column whose value differs between rows; name one with {{recipient.COLUMN}}" \
	-- check letters/cse-awareness.md --area "$AREA" -r gias-semicolon.csv
sed '/address3/d' letters/gias.md >letters/no3.md
expect "a column the letter never uses: a warning, once" 0 \
	"gias-utf8.csv:1:76: warning: column 'Address3' is not used by the letter (nothing names {{recipient.address3}}); if it should be printed, name it" \
	-- check letters/no3.md --area "$AREA" -r gias-utf8.csv --where "$WHERE"
check "... once, not per row" test "$(grep -c "Address3" err)" -eq 1
expect "UTF-8 read as Windows-1252 is an error, not Oâ€™Connell" 1 \
	"gias-utf8.csv:2:16: error: the file is UTF-8, but --input-encoding windows-1252 says it is Windows-1252: read so, this character would print as two or three wrong ones (O’Brien as Oâ€™Brien); leave the option out (each file's encoding is found by itself)" \
	-- build letters/gias.md --area "$AREA" -r gias-utf8.csv --input-encoding windows-1252 -o 'x/{{recipient.urn}}.pdf'
cp -r "$AREA" w1252
sed "s/Colette O'Brien/Colette O’Brien/" "$AREA/signatories.csv" | iconv -f UTF-8 -t WINDOWS-1252 >w1252/signatories.csv
"$BIN" build letters/gias.md --area w1252 -r gias-utf8.csv --where "$WHERE" -o 'mixed/{{recipient.urn}}.pdf' >log 2>&1
check "a Windows-1252 area with a UTF-8 list: each file read as it is ($(cat log))" \
	grep -q "w1252/signatories.csv:.*warning: the file is not UTF-8" log
check "... the school's name as typed" test "$(window mixed/900201.pdf | sed -n 2p)" = "St Thérèse's Catholic Primary School"
check "... the area's as typed" sh -c "pdftotext mixed/900201.pdf - | grep -q 'Colette O’Brien'"
sed 's/Postcode/Post Code/; s/"Town"/"postcode"/' gias-utf8.csv >two.csv
expect "two headers of one name: an error naming both" 1 \
	"two.csv:1:114: error: columns 'postcode' (column 7) and 'Post Code' (column 9) have one name to a letter, which ignores case, spaces, '_', '-' and brackets; rename or delete one" \
	-- check letters/gias.md --area "$AREA" -r two.csv
expect "--where on a column the file lacks" 1 \
	"gias.csv:1:1: error: --where 'Status=Open': the file has no column 'Status'; its columns are URN, EstablishmentName, EstablishmentStatus (name), Street, Locality, Address3, Town, County (name), Postcode" \
	-- check letters/gias.md --area "$AREA" -r gias.csv --where 'Status=Open'
expect "--where that leaves nothing" 1 \
	"gias.csv:1:1: error: --where leaves out every one of the 5 rows of the recipients file; there is no letter to write (check the column's values)" \
	-- build letters/gias.md --area "$AREA" -r gias.csv --where 'Town=Leeds' -o 'x/{{recipient.urn}}.pdf'
expect "--where needs COLUMN=VALUE" 2 "lettermerge build: --where 'Open' needs COLUMN=VALUE or COLUMN!=VALUE" \
	-- build letters/gias.md --area "$AREA" -r gias.csv --where 'Open' -o 'x/{{recipient.urn}}.pdf'
"$BIN" build letters/gias.md --area "$AREA" -r gias.csv --where 'EstablishmentStatus (name)!=Closed' \
	--where 'town != southport' -o 'ne/{{recipient.urn}}.pdf' >log 2>&1
check "--where != and repeated: all must hold" test "$(ls ne | tr '\n' ' ')" = "900201.pdf 900202.pdf 900204.pdf "
check "... the summary gives each reason" grep -qxF \
	"lettermerge: gias.csv: 2 of 5 rows left out: 1 where 'EstablishmentStatus (name)' is 'Closed'; 1 where 'town' is 'southport'" log
printf -- '---\ntitle: t\naddress: none\n---\nHello {{recipient.establishment_name}}.\n' >letters/none.md
"$BIN" build letters/none.md --area "$AREA" -r gias.csv --where "$WHERE" -o 'none/{{recipient.urn}}.pdf' -q 2>err
check "address: none: no address printed ($(cat err))" sh -c "pdftotext none/900201.pdf - | grep -q 'Hello St Thérèse' && ! pdftotext none/900201.pdf - | grep -q 'Abbey Road'"
"$BIN" build letters/none.md --area "$AREA" -r gias-utf8.csv -o 'pp/{{recipient.town}}-{{recipient.urn}}.pdf' 2>err
check "a column -o names is used ($(grep -c warning err) warnings)" sh -c "grep -q \"column 'Street' is not used\" err && ! grep -q \"column 'Town'\" err"
finish gias
