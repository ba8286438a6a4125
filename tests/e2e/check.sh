#!/usr/bin/env bash
# lettermerge check: every finding it must make, fed a broken file and held
# to the exact file:line:column and message.  Also: build refuses what check
# finds, and warnings alone do not fail.
# usage: tests/e2e/check.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
cp -r "$SRC/letters" letters
LETTER=letters/cse-awareness.md
export LETTERMERGE_FONTS="$SRC/fonts"


# a fresh copy of the Liverpool area in a/, to break
mk() { rm -rf a; cp -r "$SRC/areas/liverpool" a; }

# expect NAME EXIT 'exact line' -- check args...
expect() {
	local name=$1 code=$2 line=$3
	shift 4
	"$BIN" check "$@" >out 2>err
	local rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name: exit $rc, wanted $code: $(cat err)"
	elif [ -n "$line" ] && ! grep -qxF -- "$line" err; then
		bad "$name: no line '$line' in: $(cat err)"
	else
		ok
	fi
}

# ---- templates ----
mk
printf -- '---\ntitle: t\n---\nCall {{contacts.first_respnse.phone}} or {{area.polce_force}}.\n' >typo.md
expect "missing contact" 1 \
	"typo.md:4:6: error: 'contacts' has no row with id 'first_respnse' in a/contacts.csv; add the row, or put the text in {{#contacts.first_respnse}}…{{/contacts.first_respnse}} to leave it out where there is none" \
	-- typo.md --area a
expect "misspelt placeholder, found in the same run" 1 \
	"typo.md:4:42: error: no value for 'area.polce_force'; did you mean 'area.police_force'?" \
	-- typo.md --area a
expect "misspelt contact with a suggestion" 1 \
	"typo.md:4:6: error: no value for 'contacts.first_respnse.phone'; did you mean 'contacts.first_response.phone'?" \
	-- typo.md --area "$SRC/areas/staffordshire-and-stoke-on-trent"
printf -- '---\ntitle: t\n---\n{{#area.name}}\nHello\n' >unclosed.md
expect "unclosed section" 1 "unclosed.md:4:1: error: section 'area.name' is never closed; add {{/area.name}}" \
	-- unclosed.md --area a
printf -- '---\ntitle: t\n---\n{{#area.name}}x{{/area.police_force}}\n' >mismatch.md
expect "mismatched section" 1 \
	"mismatch.md:4:16: error: '{{/area.police_force}}' does not match section 'area.name' opened at line 4; close that first with {{/area.name}}" \
	-- mismatch.md --area a
printf -- '---\ntitle: t\n---\n{{> nope}}\n' >letters/nopartial.md
expect "missing partial" 1 \
	"letters/nopartial.md:4:1: error: partial 'nope' not found: no file letters/partials/nope.md; check the name or create the file" \
	-- letters/nopartial.md --area a
printf '{{> selfy}}\n' >letters/partials/selfy.md
printf -- '---\ntitle: t\n---\n{{> selfy}}\n' >letters/self.md
expect "partial including itself" 1 \
	"letters/partials/selfy.md:1:1: error: partial 'selfy' includes itself (selfy → selfy); remove the {{> selfy}} that closes the loop" \
	-- letters/self.md --area a
rm letters/partials/selfy.md

# ---- area data ----
mk
sed -i 's/^organisation,Liverpool City Council/organisation,/' a/area.csv
expect "required field empty" 1 "a/area.csv:4:14: error: field 'organisation' is empty; fill in its value" -- $LETTER --area a
mk
rm a/signature-lead.png
expect "signature missing" 1 \
	"a/signatories.csv:2:86: error: signature file 'signature-lead.png' is not in the area folder 'a'; copy it there or correct the name" \
	-- $LETTER --area a
mk
echo hello >a/signature-lead.png
expect "signature not an image" 1 \
	"a/signatories.csv:2:86: error: image 'a/signature-lead.png' is neither PNG nor JPEG; save it as PNG" -- $LETTER --area a
mk
head -c 300 "$SRC/areas/liverpool/signature-lead.png" >a/signature-lead.png
expect "signature truncated" 1 \
	"a/signatories.csv:2:86: error: image 'a/signature-lead.png' is damaged (Read Error); export it again as PNG" \
	-- $LETTER --area a
mk
python3 - <<'PY'
import struct, zlib
w, h = 9000, 2
raw = b"".join(b"\0" + b"\xff" * (w * 4) for _ in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open("a/signature-lead.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
expect "signature absurdly large" 1 \
	"a/signatories.csv:2:86: error: image 'a/signature-lead.png' is 9000x2 pixels, larger than 8000 on a side; scale it down" \
	-- $LETTER --area a

# ---- CSV files as Excel writes them, and as it should not ----
mk
printf 'careline2,local,O\222Brien line,,0151 233 3027,,,,,,2026-11-01\n' >>a/contacts.csv
expect "Windows-1252 CSV is read, with a warning naming the file" 0 \
	"a/contacts.csv:7:18: warning: the file is not UTF-8 (byte 0x92 here), so it is read as Windows-1252, what Excel's plain \"CSV\" save writes, where that byte is \"’\"; if that is right, all is well; to be sure, save it as \"CSV UTF-8 (Comma delimited)\"" \
	-- $LETTER --area a
"$BIN" check $LETTER --area a --input-encoding windows-1252 >out 2>err && ! grep -q ': warning:' err && ok ||
	bad "--input-encoding windows-1252 reads it without a warning: $(cat err)"
expect "--input-encoding utf-8 is checked" 1 \
	"a/contacts.csv:7:18: error: the file is not UTF-8 (byte 0x92 at this point), but --input-encoding utf-8 says it is; leave that option out to read it as the Windows-1252 that Excel's plain \"CSV\" save writes, or save it as \"CSV UTF-8 (Comma delimited)\"" \
	-- $LETTER --area a --input-encoding utf-8
mk
printf 'careline2,local,Colette O’Brien,,0151 233 3027,,,,,,2026-11-01\n' >>a/contacts.csv
expect "UTF-8 said to be Windows-1252 is an error, not Oâ€™Brien" 1 \
	"a/contacts.csv:7:26: error: the file is UTF-8, but --input-encoding windows-1252 says it is Windows-1252: read so, this character would print as two or three wrong ones (O’Brien as Oâ€™Brien); leave the option out (each file's encoding is found by itself)" \
	-- $LETTER --area a --input-encoding windows-1252
mk
printf 'excel1,local,Careline,,1.51233E+09,,,,,,2026-11-01\n' >>a/contacts.csv
expect "a phone number Excel turned into a number" 1 \
	"a/contacts.csv:7:24: error: contact 'excel1': 'phone' is not a valid UK phone number: \"1.51233E+09\" is not a phone number: Excel turned this into a number (and dropped its last digits and its leading 0): format the column as text and type the number again" \
	-- $LETTER --area a
mk
printf 'excel2,local,Careline,,0151 233 3027,,,,,,17/03/2026\n' >>a/contacts.csv
expect "a verified date UK Excel rewrote: read day first, with a warning" 0 \
	"a/contacts.csv:7:43: warning: contact 'excel2': 'verified': \"17/03/2026\" is read as 17 March 2026 (day first, as UK Excel writes dates); write 2026-03-17 (Excel rewrites dates: format the column as text)" \
	-- $LETTER --area a --date 2026-11-23
mk
printf 'x,local,a\0b,,101,,,,,,\n' >>a/contacts.csv
expect "NUL byte" 1 \
	"a/contacts.csv:7:10: error: the file contains a NUL byte, so it is not a text CSV (perhaps saved as \"Unicode Text\" or as a workbook): save it as \"CSV UTF-8 (Comma delimited)\"" \
	-- $LETTER --area a
mk
printf 'x,local,"open quote,,101,,,,,,\n' >>a/contacts.csv
expect "unclosed quote" 1 \
	"a/contacts.csv:7:9: error: the quote that opens this field is never closed; add the closing '\"' (a quote inside a value is written twice: \"\")" \
	-- $LETTER --area a
mk
printf 'x,local,short\n' >>a/contacts.csv
expect "too few fields" 1 \
	"a/contacts.csv:7:1: error: row has 3 fields but the header row has 11; add the missing cells (a line break inside a value needs the value in double quotes)" \
	-- $LETTER --area a
mk
sed -i '1s/^id,group,service,provider,phone/id,group,service,phone,phone/' a/contacts.csv
expect "duplicate column" 1 \
	"a/contacts.csv:1:24: error: column 'phone' appears twice in the header row (columns 4 and 5); rename or delete one" \
	-- $LETTER --area a
mk
sed -i '1s/^id,group,service,/id,grp,service,/' a/contacts.csv
expect "missing column" 1 \
	"a/contacts.csv:1:1: error: column 'group' is missing from the header row; add it (this file needs the columns id, group and service)" \
	-- $LETTER --area a
mk
printf 'careline,local,Careline again,,0151 233 3027,,,,,,2026-11-01\n' >>a/contacts.csv
expect "duplicate contact id" 1 \
	"a/contacts.csv:7:1: error: contact id 'careline' is used twice (first on line 4); ids must be unique, so rename or delete one" \
	-- $LETTER --area a
mk
: >empty.csv
expect "empty recipients file" 1 "empty.csv: error: file is empty: it needs a header row" \
	-- $LETTER --area a --recipients empty.csv
printf 'urn,address_line_1,postcode\n' >header.csv
expect "header-only recipients file" 1 \
	"header.csv:1:1: error: the recipients file has a header row but no recipients; there is no letter to write" \
	-- $LETTER --area a --recipients header.csv

# ---- limits: clear errors, never a crash or a hang ----
mk
python3 - <<'PY'
import csv
rows = list(csv.reader(open("a/contacts.csv", encoding="utf-8")))
rows[3][2] = "x" * 10_000_000
csv.writer(open("a/contacts.csv", "w", encoding="utf-8", newline="")).writerows(rows)
PY
expect "a 10 MB cell" 1 \
	"a/contacts.csv:4:16: error: this cell holds 10000000 bytes; a cell may hold at most 65536 (is a quote left open, or is this not the right file?)" \
	-- $LETTER --area a
mk
python3 - <<'PY'
import csv
rows = list(csv.reader(open("a/contacts.csv", encoding="utf-8")))
rows[3][2] = "Careline" + "x" * 3000 + " www.example.org/" + "a/b-c" * 400
csv.writer(open("a/contacts.csv", "w", encoding="utf-8", newline="")).writerows(rows)
PY
if "$BIN" build $LETTER --area a -o long.pdf 2>err; then
	# every word inside the page, right margin included (595 pt wide, 22 mm margins)
	over=$(pdftotext -bbox long.pdf - 2>/dev/null | grep -o 'xMax="[0-9.]*"' | tr -dc '0-9.\n' |
		awk '$1 > 533.0 { n++ } END { print n + 0 }')
	[ "$over" -eq 0 ] && ok || bad "very long word and URL: $over words past the right margin"
else
	bad "very long word and URL: $(cat err)"
fi
printf -- '---\ntitle: empty\n---\n' >letters/empty.md
"$BIN" build letters/empty.md --area a -o empty.pdf 2>err && qpdf --check empty.pdf >/dev/null 2>&1 && ok ||
	bad "an empty template builds a letter with its frame: $(cat err)"
printf -- '---\ntitle: t\n---\n%s%s\n' "$(printf '{{#contacts}}%.0s' $(seq 1 120))" "$(printf '{{/contacts}}%.0s' $(seq 1 120))" >letters/deep.md
expect "sections nested too deep" 1 "" -- letters/deep.md --area a
grep -q "letters/deep.md:4:.*error: .*nest" err && ok || bad "deep nesting message: $(cat err)"

# ---- the facts ----
mk
sed -i 's/careline,local,Careline,Liverpool City Council,0151 233 3027/careline,local,Careline,Liverpool City Council,0151 233 302/' a/contacts.csv
expect "phone number a digit short" 1 \
	"a/contacts.csv:4:48: error: contact 'careline': 'phone' is not a valid UK phone number: \"0151 233 302\" has 10 digits; a number starting 01 needs 11 (0151 xxx xxxx)" \
	-- $LETTER --area a
mk
sed -i 's/^direct_line,.*/direct_line,0909 233 0476/' a/area.csv
expect "premium-rate number" 1 \
	"a/area.csv:18:13: error: area field 'direct_line' is not a valid UK phone number: \"0909 233 0476\": 09 numbers are premium rate; families cannot be asked to pay to report abuse, so give the service's 01, 02, 03 or 0800 number" \
	-- $LETTER --area a
mk
sed -i 's/,www.ceop.police.uk,/,www..ceop.police.uk,/' a/contacts.csv
expect "malformed web address" 1 \
	"a/contacts.csv:6:28: error: contact 'ceop': 'web' is not a valid web address: \"www..ceop.police.uk\" has two dots in a row in the site name" \
	-- $LETTER --area a
mk
sed -i "s/^email,.*/email,colette.o'brien@liverpool/" a/area.csv
expect "malformed email address" 1 \
	"a/area.csv:19:7: error: area field 'email' is not a valid email address: \"colette.o'brien@liverpool\" has no dot after the \"@\"; it needs an ending such as .uk or .org" \
	-- $LETTER --area a
mk
expect "colette.o'brien@liverpool.gov.uk is valid, and so is every bundled fact" 0 \
	"check: 0 errors, 0 warnings in 1 letter for 1 area" -- $LETTER --area a --date 2026-11-23
mk
sed -i 's/,2026-11-01$/,2025-01-02/' a/signatories.csv
expect "stale signatory is a warning, not an error" 0 \
	"a/signatories.csv:3:92: warning: signatory 'police' was last verified on 2025-01-02, 690 days before the letter's date; check it is still right and update 'verified'" \
	-- $LETTER --area a --date 2026-11-23
expect "--stale-after sets the limit" 0 "check: 0 errors, 0 warnings in 1 letter for 1 area" \
	-- $LETTER --area a --date 2026-11-23 --stale-after 800

# ---- recipients' postal addresses ----
mk
printf 'urn,address_line_1,address_line_2,address_line_3,postcode\n1,The Head,School,Street,L2 2DH\n2,The Head,,,L2\n3,L2 2DH,A,B,C\n' >r.csv
expect "too few address lines" 1 \
	"r.csv:3:1: error: recipient row 2 has 2 address lines; a UK postal address needs 3 to 7 (name, street, town, postcode)" \
	-- $LETTER --area a --recipients r.csv
expect "postcode not valid" 1 \
	"r.csv:3:14: error: recipient row 2: the last address line 'L2' is not a UK postcode; the postcode goes on the last line (e.g. L2 2DH)" \
	-- $LETTER --area a --recipients r.csv
expect "postcode not on the last line" 1 \
	"r.csv:4:3: error: recipient row 3: postcode 'L2 2DH' is not on the last address line" \
	-- $LETTER --area a --recipients r.csv

# ---- --structure: what a screen reader will read ----
"$BIN" check $LETTER --area "$SRC/areas/liverpool" --structure >out 2>err
grep -qxF '  H1: "Child Sexual Exploitation – parental/carer awareness"' out && ok || bad "--structure: subject heading: $(head -20 out)"
grep -qxF '  Figure (alt: "Signature of Colette O'"'"'Brien")' out && ok || bad "--structure: signature figure"
grep -qF 'Link -> https://www.ceop.police.uk: "www.ceop.police.uk"' out && ok || bad "--structure: link"
[ "$(grep -c '^      Lbl: "•"$' out)" -ge 10 ] && ok || bad "--structure: list labels"

# ---- a character the font lacks is blamed on its cell ----
mk
printf 'urn,name\n1,Zhang 张\n' >zh.csv
printf -- '---\ntitle: t\nsalutation: "Dear {{recipient.name}},"\n---\nHello\n' >letters/zh.md
expect "character the font lacks, in a recipient cell" 1 \
	"zh.csv:2:3: error: character U+5F20 (张) in \"Dear Zhang 张,\" is in no font lettermerge has (Liberation Sans, or Noto for Arabic, Urdu, Hebrew, Bengali, Gurmukhi, Gujarati, Devanagari and Tamil); replace it" \
	-- letters/zh.md --area a --recipients zh.csv

# ---- build runs the same checks and writes nothing ----
mk
sed -i 's/careline,local,Careline,Liverpool City Council,0151 233 3027/careline,local,Careline,Liverpool City Council,0151 233 302/' a/contacts.csv
"$BIN" build $LETTER --area a -o out.pdf >out 2>err
rc=$?
if [ $rc -eq 1 ] && grep -q "a/contacts.csv:4:48: error: contact 'careline'" err && [ ! -e out.pdf ]; then ok; else
	bad "build with a wrong phone number: exit $rc, file $(ls out.pdf 2>/dev/null): $(cat err)"; fi
"$BIN" build $LETTER --area a --recipients r.csv -o 'o/{{recipient.urn}}.pdf' --keep-going >out 2>err
rc=$?
if [ $rc -eq 1 ] && [ ! -e o ]; then ok; else bad "--keep-going with an area error wrote letters: exit $rc, $(ls o 2>/dev/null)"; fi
mk
"$BIN" build $LETTER --area a --recipients r.csv -o 'o/{{recipient.urn}}.pdf' --keep-going >out 2>err
rc=$?
if [ $rc -eq 1 ] && [ -f o/1.pdf ] && [ ! -e o/2.pdf ] && [ ! -e o/3.pdf ]; then ok; else
	bad "--keep-going writes the good rows only: exit $rc, $(ls o 2>/dev/null)"; fi
mk
printf 'careline2,local,Caf\351 O\222Brien line,,0151 233 3027,,,,,,2026-11-01\n' >>a/contacts.csv
sed -i 's/{{contacts.careline.service}}/{{contacts.careline2.service}}/' $LETTER
if "$BIN" build $LETTER --area a -o cp.pdf --input-encoding windows-1252 2>err && pdftotext cp.pdf - 2>/dev/null | tr '\n' ' ' | grep -q "Café O’Brien line"; then ok; else
	bad "windows-1252 CSV built with Café O’Brien: $(cat err)"; fi
cp "$SRC/$LETTER" $LETTER

finish check
