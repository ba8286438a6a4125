#!/usr/bin/env bash
# Bulk runs: recipients, output patterns with unsafe values, collisions,
# print files (duplex, copies, per-letter page numbers), manifests, workers,
# shards, an interrupted run and --skip-existing.
# usage: tests/e2e/bulk.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-bulk.XXXXXX)
trap 'kill %1 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
cp -r "$SRC/letters" letters
export LETTERMERGE_FONTS="$SRC/fonts"
AREA="$SRC/areas/liverpool"
LETTER=letters/cse-awareness.md


python3 "$SRC/bench/make-schools.py" 1000 schools.csv
# the letter for recipients without a postal address (handed out in school)
{ echo ---; echo 'address: none'; tail -n +2 $LETTER; } >letters/noaddr.md

# ---- unsafe values in output paths ----
printf 'urn,name\n../../escape,A\na/b,B\nCON,C\n"tab\there",D\n.hidden,E\n' >unsafe.csv
if "$BIN" build letters/noaddr.md --area "$AREA" --recipients unsafe.csv -o 'u/{{recipient.urn}}.pdf' -q 2>err; then
	check "no file outside the output folder" test -z "$(find . -name '*.pdf' -not -path './u/*')"
	check "'..' and '/' made safe" test -f "u/_._.__escape.pdf" -a -f "u/a_b.pdf"
	check "Windows reserved name made safe" test -f "u/CON_.pdf"
	check "control character made safe" test -f "u/tab_here.pdf"
	check "no hidden file" test -f "u/_hidden.pdf"
	check "five files" test "$(ls u | wc -l)" -eq 5
else
	bad "unsafe values: $(cat err)"
fi

# ---- two letters, one path ----
printf 'urn,name\n1,A\n2,B\n1,C\n' >dup.csv
"$BIN" build $LETTER --area "$AREA" --recipients dup.csv -o 'd/{{recipient.urn}}.pdf' 2>err
rc=$?
check "collision is a data error" test $rc -eq 1
check "collision names both rows" grep -q "dup.csv:4:1: error: this letter and the one for dup.csv:2 would both be written to 'd/1.pdf'" err
check "collision writes nothing" test ! -e d

# ---- print file: duplex, copies, page numbers per letter ----
{
	sed -n '1,/^---$/p' $LETTER | head -n -1
	echo "address: none"
	echo "---"
	for i in $(seq 1 45); do echo "Paragraph $i of a long letter, long enough to take three pages when printed in full, with more words here."; echo; done
} >letters/long.md
printf 'urn,name,copies\n1,A,1\n2,B,2\n' >two.csv
if "$BIN" build letters/long.md --area "$AREA" --recipients two.csv --combine long.pdf --duplex -q 2>err; then
	pages=$(pdfinfo long.pdf | awk '/^Pages:/ { print $2 }')
	single=$("$BIN" build letters/long.md --area "$AREA" -o one.pdf -q && pdfinfo one.pdf | awk '/^Pages:/ { print $2 }')
	check "the long letter has an odd page count ($single)" test $((single % 2)) -eq 1
	check "duplex: 3 letters x $((single + 1)) pages but the last blank ($pages)" test "$pages" -eq $((3 * (single + 1) - 1))
	t=$(pdf_text long.pdf)
	check "page numbers count within each letter" test "$(grep -o "Page 1 of $single" <<<"$t" | wc -l)" -eq 3
	check "no page number counts across the file" sh -c "! grep -q 'Page $((single + 1)) of' long.pdf.txt 2>/dev/null && ! echo '$t' | grep -q 'of $pages'"
	qpdf --check long.pdf >/dev/null 2>&1 && ok || bad "print file qpdf --check"
else
	bad "duplex print file: $(cat err)"
fi

# ---- a print file writes what its letters share once (tests/pdf/shared.py) ----
# five schools, the second twice (copies): its copies share even their own part
python3 - schools.csv three.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
w = csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8'))
w.writerow(rows[0] + ['copies'])
for i, r in enumerate(rows[1:6]):
    w.writerow(r + ['2' if i == 1 else '1'])
PY
if "$BIN" build $LETTER --area "$AREA" --recipients three.csv --combine three.pdf -q --date 2015-03-17 2>err; then
	check "shared and own content streams (tests/pdf/shared.py)" /usr/bin/python3 "$SRC/tests/pdf/shared.py" three.pdf three.csv 2
	t=$(pdf_text three.pdf)
	pc1=$(sed -n 2p three.csv | tr -d '\r' | awk -F, '{ print $(NF-1) }')
	pc3=$(sed -n 4p three.csv | tr -d '\r' | awk -F, '{ print $(NF-1) }')
	case "$t" in *"$pc1"*"$pc3"*) ok ;; *) bad "each letter keeps its own address ($pc1, $pc3)" ;; esac
	[ "$(pdftotext -f 4 -l 4 three.pdf - 2>/dev/null | md5sum)" = "$(pdftotext -f 2 -l 2 three.pdf - 2>/dev/null | md5sum)" ] && ok || bad "shared page reads the same"
	# a file of one letter gains nothing from more streams: one a page
	"$BIN" build $LETTER --area "$AREA" --recipients three.csv --row 3 -o 'one/{{recipient.urn}}.pdf' -q --date 2015-03-17 2>err
	check "a single letter's pages are one stream each" sh -c "qpdf --show-pages one/*.pdf | grep -c '^    [0-9]* 0 R$' | grep -qx 2"
else
	bad "five-letter print file: $(cat err)"
fi

# ---- 1,000 rows: manifest, workers, reproducible bytes ----
if "$BIN" build $LETTER --area "$AREA" --recipients schools.csv -o 'j1/{{recipient.urn}}.pdf' --jobs 1 --date 2015-03-17 \
	--manifest j1.jsonl -q 2>err &&
	"$BIN" build $LETTER --area "$AREA" --recipients schools.csv -o 'j2/{{recipient.urn}}.pdf' --jobs 2 --date 2015-03-17 \
		--manifest j2.jsonl -q --json >summary.json 2>err; then
	check "manifest has 1000 lines" test "$(wc -l <j1.jsonl)" -eq 1000
	check "1000 files" test "$(ls j1 | wc -l)" -eq 1000
	check "--jobs 2 gives the same bytes as --jobs 1" sh -c "cd j1 && sha256sum *.pdf | (cd ../j2 && sha256sum -c --quiet -)"
	check "manifest sha256 is the file's" sh -c "python3 - <<'PY'
import hashlib, json
for line in open('j1.jsonl'):
    r = json.loads(line)
    assert hashlib.sha256(open(r['path'], 'rb').read()).hexdigest() == r['sha256'], r
    assert r['pages'] == 2 and r['area'] == 'liverpool' and r['recipient'].startswith('10'), r
PY"
	check "--json summary" python3 -c "import json; s = json.load(open('summary.json')); assert s['letters'] == 1000 and s['written'] == 1000 and s['failed'] == 0"
else
	bad "1000-row run: $(cat err)"
fi

# ---- shards: disjoint, together everything ----
"$BIN" build $LETTER --area "$AREA" --recipients schools.csv -o 's/{{recipient.urn}}.pdf' --shard 1/3 -q --date 2015-03-17 --manifest s1.jsonl &&
	"$BIN" build $LETTER --area "$AREA" --recipients schools.csv -o 's/{{recipient.urn}}.pdf' --shard 2/3 -q --date 2015-03-17 --manifest s2.jsonl &&
	"$BIN" build $LETTER --area "$AREA" --recipients schools.csv -o 's/{{recipient.urn}}.pdf' --shard 3/3 -q --date 2015-03-17 --manifest s3.jsonl
check "three shards write all 1000" test "$(ls s | wc -l)" -eq 1000
check "shards are disjoint" test "$(cat s1.jsonl s2.jsonl s3.jsonl | wc -l)" -eq 1000
check "a shard's bytes are the full run's" sh -c "cd s && sha256sum *.pdf | (cd ../j1 && sha256sum -c --quiet -)"

# ---- an empty slice is not an error; --json answers on failure too ----
printf 'urn,name\n1,A\n' >onerow.csv
"$BIN" build $LETTER --area "$AREA" --recipients onerow.csv --combine empty.pdf --shard 2/3 -q --json >e.json 2>err
check "an empty shard succeeds and writes nothing" sh -c "test $? -eq 0 && test ! -e empty.pdf"
check "an empty shard's summary" python3 -c "import json; s = json.load(open('e.json')); assert s['letters'] == 0 and s['exit'] == 0, s"
"$BIN" build $LETTER --area "$WORK/no-such-area" -o x.pdf -q --json >f.json 2>err
check "--json on a failed run" python3 -c "import json; s = json.load(open('f.json')); assert s['exit'] == 1 and s['written'] == 0, s"

# ---- recipients on stdin ----
head -4 schools.csv | "$BIN" build $LETTER --area "$AREA" --recipients - -o 'in/{{recipient.urn}}.pdf' -q
check "recipients from stdin" test "$(ls in 2>/dev/null | wc -l)" -eq 3

# ---- a big recipients file is streamed, not held ----
# A one-line letter keeps 100,000 layouts quick; peak memory (RSS) must not
# grow with the rows.  Sanitizer builds keep freed memory in quarantine, so
# the memory checks are for the plain build only.
mkdir -p tiny
printf -- '---\ntitle: "Note"\n---\nA note for {{recipient.name}}.\n' >tiny/note.md
python3 "$SRC/bench/make-schools.py" 10000 s10k.csv
python3 "$SRC/bench/make-schools.py" 100000 s100k.csv
asan=0
grep -q __asan_init "$BIN" && asan=1
peak() { /usr/bin/time -f %M -o peak.txt "$@" >/dev/null 2>peak.err; tail -1 peak.txt; }
m10=$(peak "$BIN" check tiny/note.md --area "$AREA" --recipients s10k.csv -q)
m100=$(peak "$BIN" check tiny/note.md --area "$AREA" --recipients s100k.csv -q)
check "check reads 100,000 rows" grep -q "check: 0 errors, 0 warnings in 100000 letters" <("$BIN" check tiny/note.md --area "$AREA" --recipients s100k.csv 2>&1)
[ $asan = 1 ] || check "check: memory flat from 10,000 to 100,000 rows (${m10} KB, ${m100} KB)" test "$m100" -lt $((m10 * 5 / 4))
p10=$(peak "$BIN" build tiny/note.md --area "$AREA" --recipients s10k.csv -o 'p/{{recipient.urn}}.pdf' --shard 1/1000 --jobs 2 -q)
p100=$(peak "$BIN" build tiny/note.md --area "$AREA" --recipients s100k.csv -o 'p/{{recipient.urn}}.pdf' --shard 1/1000 --jobs 2 -q)
check "a shard of a 100,000-row run writes its 100" test "$(ls p | wc -l)" -eq 100
# a row's path: 8 bytes for the collision check; the CSV is 11 MB
[ $asan = 1 ] || check "build plans 100,000 paths in bounded memory (${p10} KB, ${p100} KB)" test "$p100" -lt $((p10 + 4096))
rm -rf p
s100=$(peak sh -c "\"$BIN\" build tiny/note.md --area \"$AREA\" --recipients - -o 'p/{{recipient.urn}}.pdf' --shard 1000/1000 --jobs 2 -q <s100k.csv")
check "stdin: the last shard of 100,000 rows" test "$(ls p | wc -l)" -eq 100 -a -f p/199999.pdf
[ $asan = 1 ] || check "stdin is spooled, not held (${s100} KB)" test "$s100" -lt $((p10 + 4096))
# the faults of row 60,000 and of the last row are found where they are
awk 'NR == 60002 { sub(/\r$/, ",extra\r") } { print }' s100k.csv >ragged.csv
"$BIN" build tiny/note.md --area "$AREA" --recipients ragged.csv -o 'r/{{recipient.urn}}.pdf' -q 2>err
check "a ragged row deep in the file: its line, nothing written" \
	sh -c "grep -q '^ragged.csv:60002:[0-9]*: error: row has 8 fields but the header row has 7' err && test ! -e r"
{ cat s100k.csv; sed -n 2p s100k.csv; } >twice.csv
"$BIN" build tiny/note.md --area "$AREA" --recipients twice.csv -o 'r/{{recipient.urn}}.pdf' -q 2>err
check "a collision between the first and the 100,001st row" \
	grep -q "^twice.csv:100002:1: error: this letter and the one for twice.csv:2 would both be written to 'r/100000.pdf'" err
check "... writes nothing" test ! -e r
rm -f s10k.csv s100k.csv ragged.csv twice.csv

# ---- many areas, each with its own recipients file ----
# the batch once kept pointers into its array of recipient files, which
# moved when a ninth file was added
mkdir -p many
for k in $(seq -w 1 12); do
	cp -r "$AREA" "many/area$k"
	printf 'urn,name\n%s01,First %s\n%s02,Second %s\n' "$k" "$k" "$k" "$k" >"many/area$k/schools.csv"
done
printf -- '---\ntitle: "Note"\naddress: none\n---\nA note for {{recipient.name}}.\n' >tiny/note.md
"$BIN" build tiny/note.md --all-areas --areas-dir many --area-recipients schools.csv \
	-o 'm/{{area.id}}-{{recipient.urn}}.pdf' -q 2>err
check "twelve areas' own recipients: 24 letters" test "$(ls m 2>/dev/null | wc -l)" -eq 24
check "... each from its own file" sh -c "pdftotext m/area12-1202.pdf - | grep -q 'A note for Second 12'"
rm -rf many m

# ---- an interrupted run puts no letter in place, and a resume writes them all ----
# letters wait under temporary names until every one of the run is known
# to be right (each is laid out once, checked as it is written)
python3 "$SRC/bench/make-schools.py" 3000 big.csv
"$BIN" build $LETTER --area "$AREA" --recipients big.csv -o 'k/{{recipient.urn}}.pdf' --jobs 2 -q --date 2015-03-17 2>/dev/null &
pid=$!
temps() { ls -A k 2>/dev/null | grep -c '^\.lettermerge-.*\.tmp$'; }
for _ in $(seq 1 200); do
	[ "$(temps)" -gt 50 ] && break
	sleep 0.02
done
kill -9 $pid 2>/dev/null
sleep 0.2 # workers die with the run (PR_SET_PDEATHSIG)
wait $pid 2>/dev/null
got=$(temps)
sleep 0.5
check "workers stop with the run" test "$(temps)" -eq "$got"
check "killed mid-way ($got of 3000 waiting)" test "$got" -gt 0 -a "$got" -lt 3000
check "no letter in place after the kill ($(ls k | grep -c '\.pdf$'))" test "$(ls k | grep -c '\.pdf$')" -eq 0
"$BIN" build $LETTER --area "$AREA" --recipients big.csv -o 'k/{{recipient.urn}}.pdf' --jobs 2 -q --date 2015-03-17 \
	--skip-existing --json >resume.json 2>err
check "--skip-existing resumes" test "$(ls k | grep -c '\.pdf$')" -eq 3000
check "--skip-existing wrote them all" python3 -c "import json; s = json.load(open('resume.json')); assert s['skipped'] == 0 and s['written'] == 3000, s"
check "--skip-existing removed the killed run's temporary files" test -z "$(ls -A k | grep '^\.lettermerge-.*\.tmp$')"
broken=0
for f in $(ls k/*.pdf | head -50); do qpdf --check "$f" >/dev/null 2>&1 || broken=$((broken + 1)); done
check "the letters written are whole ($broken broken)" test "$broken" -eq 0
"$BIN" build $LETTER --area "$AREA" --recipients big.csv -o 'k/{{recipient.urn}}.pdf' --jobs 2 -q --date 2015-03-17 \
	--skip-existing --json >resume.json 2>err
check "a second resume skips them all" python3 -c "import json; s = json.load(open('resume.json')); assert s['skipped'] == 3000 and s['written'] == 0, s"

finish bulk
