#!/usr/bin/env bash
# One run, every finding: build reports what check reports (every fault of
# a letter, each once), goes on past a broken area to check the others,
# names the area of each finding in a run over several, labels its two
# phases, and its summaries count what happened.
# usage: tests/e2e/findings.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-findings.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
export SOURCE_DATE_EPOCH=1426550400
mkdir -p "$WORK/letters"
cp -r areas "$WORK/areas"
sed -i '/^careline/d' "$WORK/areas/cheshire-west-and-chester/contacts.csv"
# three faults in one letter, one of them only in the area without careline
printf -- '---\nsignatories: [lead]\n---\nCall {{contacts.careline.phone}}, {{area.nope}} or {{area.nope2}}.\n\n{{#contacts}}{{phon}}{{/contacts}}\n' \
	>"$WORK/letters/t.md"
T=$WORK/letters/t.md

"$BIN" check "$T" --all-areas --areas-dir "$WORK/areas" 2>"$WORK/check.err"
check "check finds the faults: exit 1" test $? -eq 1
"$BIN" build "$T" --all-areas --areas-dir "$WORK/areas" -o "$WORK/out/{{area.id}}.pdf" -j 2 2>"$WORK/build.err"
check "build: exit 1" test $? -eq 1
check "build writes nothing" test ! -e "$WORK/out"
grep -v '^check: ' "$WORK/check.err" | sort >"$WORK/a"
grep -v '^lettermerge build: ' "$WORK/build.err" | sort >"$WORK/b"
check "build reports every finding check does: $(diff "$WORK/a" "$WORK/b" | head -5)" cmp -s "$WORK/a" "$WORK/b"
# (Staffordshire has no careline either)
check "... which is every fault, for each area ($(wc -l <"$WORK/b") lines)" test "$(wc -l <"$WORK/b")" -eq 11
check "a fault of the letter names its area" \
	grep -qxF "$T:4:35: error: no value for 'area.nope'; did you mean 'area.name'? (area 'liverpool')" "$WORK/b"
check "a fault of an area's data names its file" \
	grep -qF "$T:4:6: error: 'contacts' has no row with id 'careline' in $WORK/areas/cheshire-west-and-chester/contacts.csv" "$WORK/b"
check "the summary" grep -qxF "lettermerge build: 3 of 3 letters have errors; nothing was written (--keep-going writes the others)" "$WORK/build.err"
# one area: each fault once, no area named
"$BIN" build "$T" --area "$WORK/areas/liverpool" -o "$WORK/out/x.pdf" 2>"$WORK/one.err"
check "one area: three faults, each once ($(grep -c error: "$WORK/one.err"))" test "$(grep -c ': error: ' "$WORK/one.err")" -eq 3
check "one area: no area named" sh -c "! grep -q \"(area '\" '$WORK/one.err'"

# a broken area file: the others are still checked; nothing written
echo broken >"$WORK/areas/liverpool/contacts.csv"
L=letters/cse-campaign.md
"$BIN" build $L --all-areas --areas-dir "$WORK/areas" -o "$WORK/out/{{area.id}}.pdf" 2>"$WORK/err"
check "a broken area: exit 1" test $? -eq 1
check "... named: $(head -1 "$WORK/err")" grep -qF "$WORK/areas/liverpool/contacts.csv:1:1: error: column 'id' is missing" "$WORK/err"
check "... the run says so" grep -qxF "lettermerge build: 1 of 3 areas could not be read (see above); nothing was written (--keep-going writes the other areas' letters)" "$WORK/err"
check "... and writes nothing" test ! -e "$WORK/out"
"$BIN" build $L --all-areas --areas-dir "$WORK/areas" -o "$WORK/out/{{area.id}}.pdf" -k 2>"$WORK/err"
check "--keep-going: still exit 1" test $? -eq 1
check "--keep-going: the other two written" test "$(ls "$WORK/out" | wc -l)" -eq 2
check "--keep-going: the summary counts the area: $(tail -1 "$WORK/err")" \
	grep -qE '^lettermerge: 2 letters written .*; 1 area not read because of the errors above$' "$WORK/err"
# and a fault in the other areas' data is still found in the same run
sed -i 's/^lead,director,Colette/,director,Colette/' "$WORK/areas/cheshire-west-and-chester/signatories.csv" 2>/dev/null
grep -q '^,director' "$WORK/areas/cheshire-west-and-chester/signatories.csv" ||
	sed -i '2s/^[^,]*,/,/' "$WORK/areas/cheshire-west-and-chester/signatories.csv"
"$BIN" build $L --all-areas --areas-dir "$WORK/areas" -o "$WORK/out2/{{area.id}}.pdf" 2>"$WORK/err"
check "two broken areas, both reported in one run" test "$(grep -c ': error: ' "$WORK/err")" -eq 2
cp areas/liverpool/contacts.csv "$WORK/areas/liverpool/"
cp areas/cheshire-west-and-chester/signatories.csv "$WORK/areas/cheshire-west-and-chester/"

# --json counts the letters that failed, not every letter
R=$WORK/schools.csv
sed '3s/L9 1AB/NOT A POSTCODE/' areas/liverpool/schools.csv >"$R"
"$BIN" build $L --area areas/liverpool -r "$R" -o "$WORK/j/{{recipient.urn}}.pdf" --json -q >"$WORK/json" 2>/dev/null
check "--json with one bad row: failed 1 of 4: $(cat "$WORK/json")" grep -q '"letters":4,"written":0,"skipped":0,"failed":1,' "$WORK/json"
"$BIN" build $L --area areas/liverpool -r "$R" -o "$WORK/j/{{recipient.urn}}.pdf" --json -q -k >"$WORK/json" 2>/dev/null
check "--json --keep-going: 3 written, 1 failed: $(cat "$WORK/json")" grep -q '"letters":4,"written":3,"skipped":0,"failed":1,' "$WORK/json"
# --skip-existing: what was left counts apart
R=areas/liverpool/schools.csv
"$BIN" build $L --area areas/liverpool -r $R -o "$WORK/s/{{recipient.urn}}.pdf" 2>/dev/null
rm "$WORK/s/900102.pdf"
"$BIN" build $L --area areas/liverpool -r $R -o "$WORK/s/{{recipient.urn}}.pdf" --skip-existing --json >"$WORK/json" 2>"$WORK/err"
check "--skip-existing: the summary: $(cat "$WORK/err")" \
	grep -qE '^lettermerge: 1 letter written \(2 pages, [0-9]+ bytes\) in [0-9.]+ s; 3 existing left as they were$' "$WORK/err"
check "--skip-existing --json: $(cat "$WORK/json")" grep -q '"letters":4,"written":1,"skipped":3,"failed":0,' "$WORK/json"

# the progress bar (on a terminal only) names its phase
if command -v script >/dev/null; then
	script -qec "'$BIN' build $L --area areas/liverpool -r $R -o '$WORK/p/{{recipient.urn}}.pdf' -j 1" /dev/null |
		tr '\r' '\n' >"$WORK/tty"
	# one pass: each letter is checked as it is laid out and written
	check "progress: writing" grep -qE '^writing  \[#+\] 4/4' "$WORK/tty"
	check "progress: no checking pass before it" sh -c "! grep -q '^checking' '$WORK/tty'"
fi
"$BIN" build $L --area areas/liverpool -r $R -o "$WORK/p2/{{recipient.urn}}.pdf" 2>"$WORK/err"
check "no progress bar when not on a terminal" sh -c "! grep -q checking '$WORK/err'"

finish findings
