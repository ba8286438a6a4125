#!/usr/bin/env bash
# End to end: the same letters from CSV files and from the workbooks
# LibreOffice saved from them (tests/workbook/), byte for byte; and the
# errors a workbook can give, each naming its cell as FILE#SHEET!B7.
# usage: tests/e2e/workbook.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-wb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
WB=tests/workbook
export SOURCE_DATE_EPOCH=1426550400

# one area four ways: CSV files, one .xlsx, one .ods, a workbook a table
mkdir -p "$WORK/csv" "$WORK/xlsx/liverpool" "$WORK/ods/liverpool" "$WORK/each/liverpool"
cp -r areas/liverpool "$WORK/csv/"
for v in xlsx ods each; do cp areas/liverpool/*.png "$WORK/$v/liverpool/"; done
cp $WB/area.xlsx "$WORK/xlsx/liverpool/"
cp $WB/area.ods "$WORK/ods/liverpool/"
cp $WB/liverpool-csv/{area,contacts}.xlsx $WB/liverpool-csv/signatories.ods "$WORK/each/liverpool/"

for letter in letters/*.md; do
	case $letter in *.*.md) continue ;; esac # a translation (NAME.cy.md): tests/e2e/scripts.sh
	l=$(basename "$letter" .md)
	"$BIN" build "$letter" --area "$WORK/csv/liverpool" -o "$WORK/$l-csv.pdf" -q 2>"$WORK/err" ||
		bad "$l: from CSV: $(cat "$WORK/err")"
	for v in xlsx ods each; do
		if "$BIN" build "$letter" --area "$WORK/$v/liverpool" -o "$WORK/$l-$v.pdf" -q 2>"$WORK/err"; then
			check "$l: area from $v: the same bytes as from CSV" cmp -s "$WORK/$l-csv.pdf" "$WORK/$l-$v.pdf"
		else
			bad "$l: area from $v: $(cat "$WORK/err")"
		fi
	done
done
check "qpdf --check of a letter from a workbook" sh -c "qpdf --check '$WORK/cse-campaign-xlsx.pdf' >/dev/null"

# recipients: the schools as CSV, as Calc typed them, with a hidden sheet
letter=letters/cse-campaign.md
run() { # run NAME RECIPIENTS [options]: one letter per school into $WORK/NAME/
	local name=$1 rec=$2
	shift 2
	mkdir -p "$WORK/$name"
	"$BIN" build "$letter" --area "$WORK/xlsx/liverpool" -r "$rec" -o "$WORK/$name/{{recipient.urn}}.pdf" \
		-q -j 2 "$@" 2>"$WORK/err"
}
run rcsv areas/liverpool/schools.csv || bad "recipients from CSV: $(cat "$WORK/err")"
check "four letters from CSV" test "$(ls "$WORK/rcsv" | grep -c '\.pdf$')" -eq 4
for rec in $WB/schools.xlsx $WB/schools.ods $WB/liverpool-csv/schools.xlsx $WB/liverpool-csv/schools.ods \
	"$WB/schools.ods#schools"; do
	name=$(echo "$rec" | tr '/#.' '___')
	if run "$name" "$rec"; then
		check "$rec: the same four letters, byte for byte" diff -r "$WORK/rcsv" "$WORK/$name"
	else
		bad "$rec: $(cat "$WORK/err")"
	fi
done
if run sheet $WB/schools.xlsx --sheet schools; then
	check "--sheet: the same letters" diff -r "$WORK/rcsv" "$WORK/sheet"
else
	bad "--sheet schools: $(cat "$WORK/err")"
fi
"$BIN" build "$letter" --area "$WORK/xlsx/liverpool" -r $WB/schools.ods --combine "$WORK/all-ods.pdf" -q &&
	"$BIN" build "$letter" --area "$WORK/csv/liverpool" -r areas/liverpool/schools.csv --combine "$WORK/all-csv.pdf" -q
check "one print file from .ods recipients and from CSV: the same bytes" cmp -s "$WORK/all-csv.pdf" "$WORK/all-ods.pdf"

# a finding about a recipients sheet's column names its cell
"$BIN" check "$letter" --area "$WORK/xlsx/liverpool" -r $WB/schools.ods >/dev/null 2>"$WORK/err"
check "an unused column of a sheet, named by its cell: $(head -c 200 "$WORK/err")" grep -qxF \
	"$WB/schools.ods#schools!B1: warning: column 'name' is not used by the letter (nothing names {{recipient.name}}); if it should be printed, name it" "$WORK/err"

# --all-areas finds an area folder that has only a workbook
mkdir -p "$WORK/areas"
cp -r "$WORK/ods/liverpool" "$WORK/areas/"
"$BIN" check "$letter" --all-areas --areas-dir "$WORK/areas" -q 2>"$WORK/err"
check "--all-areas finds area.ods (exit $?): $(cat "$WORK/err")" test ! -s "$WORK/err"

# errors: each names the file, the sheet and the cell, and writes nothing
expect() { # expect "message" build-args...
	local want=$1
	shift
	rm -rf "$WORK/none" && mkdir "$WORK/none"
	"$BIN" build "$letter" --area "$WORK/xlsx/liverpool" -o "$WORK/none/{{recipient._row}}.pdf" "$@" \
		>/dev/null 2>"$WORK/err"
	local rc=$?
	check "exit 1 for $*: got $rc" test "$rc" -eq 1
	check "message for $*: $(head -c 300 "$WORK/err")" grep -qF -- "$want" "$WORK/err"
	check "nothing written for $*" test -z "$(ls "$WORK/none")"
}
expect "$WB/cells.xlsx#damaged!B2: error: this cell holds the number 1512330476: a phone number or reference that Excel turned into a number" \
	-r "$WB/cells.xlsx#damaged"
expect "$WB/cells.ods#formula error!A2: error: this cell shows the error #DIV/0!" -r $WB/cells.ods --sheet "formula error"
expect "$WB/schools.xlsx: error: '$WB/schools.xlsx' has no sheet called 'school'; its sheets are 'schools', 'notes' (hidden), 'other'" \
	-r "$WB/schools.xlsx#school"
# a fact the checks find wrong, in a workbook's cell: named by its cell
for x in xlsx ods; do
	mkdir -p "$WORK/badphone-$x/liverpool"
	cp areas/liverpool/*.png "$WORK/badphone-$x/liverpool/"
	cp $WB/badphone.$x "$WORK/badphone-$x/liverpool/area.$x"
	"$BIN" check "$letter" --area "$WORK/badphone-$x/liverpool" -q >/dev/null 2>"$WORK/err"
	check "a short phone number in area.$x: exit 1" test $? -eq 1
	check "... named by its cell: $(head -c 300 "$WORK/err")" \
		grep -qF "$WORK/badphone-$x/liverpool/area.$x#contacts!E4: error:" "$WORK/err"
done

# a GIAS export saved as a workbook: the same letters for the open schools,
# with one address: block and one --where, as from its CSV
{
	echo ---
	printf '%s\n' 'address:' '  - "The Headteacher"' '  - "{{recipient.establishment_name}}"' \
		'  - "{{recipient.street}}"' '  - "{{recipient.locality}}"' '  - "{{recipient.address3}}"' \
		'  - "{{recipient.town}}"' '  - "{{recipient.county_name}}"' '  - "{{recipient.postcode}}"'
	tail -n +2 letters/cse-awareness.md
} >"$WORK/gias.md"
cp -r letters "$WORK/letters"
mv "$WORK/gias.md" "$WORK/letters/gias.md" # beside the partials it includes
WHERE='EstablishmentStatus (name)=Open'
for src in tests/fixtures/gias/gias-utf8.csv $WB/gias.xlsx $WB/gias.ods; do
	name=gias-$(basename "$src" | tr '.' '_')
	"$BIN" build "$WORK/letters/gias.md" --area areas/liverpool -r "$src" --where "$WHERE" \
		-o "$WORK/$name/{{recipient.urn}}.pdf" -q 2>"$WORK/err" || bad "$src: $(cat "$WORK/err")"
done
check "GIAS from CSV: the three open schools" test "$(ls "$WORK/gias-gias-utf8_csv" | tr '\n' ' ')" = "900201.pdf 900202.pdf 900204.pdf "
check "GIAS from .xlsx: the same letters, byte for byte" diff -r "$WORK/gias-gias-utf8_csv" "$WORK/gias-gias_xlsx"
check "GIAS from .ods: the same letters, byte for byte" diff -r "$WORK/gias-gias-utf8_csv" "$WORK/gias-gias_ods"

finish workbook
