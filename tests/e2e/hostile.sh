#!/usr/bin/env bash
# Hostile and faulty situations (issue 11): each one fed to the real binary
# and held to its exit status, its first error line and what is left on
# disk.
# usage: tests/e2e/hostile.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-hostile.XXXXXX)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
cp -r "$SRC/letters" letters
LETTER=letters/cse-awareness.md
export LETTERMERGE_FONTS="$SRC/fonts"
unset SOURCE_DATE_EPOCH

# a fresh copy of the Liverpool area in a/, to break
mk() { rm -rf a; cp -r "$SRC/areas/liverpool" a; }

# run CMD...: runs lettermerge with a time limit; $rc, files out and err
run() {
	timeout 60 "$BIN" "$@" >out 2>err
	rc=$?
}
# expect NAME EXIT 'first error line' -- args...: the exit status and the
# first line of stderr that is an error (or the first line when none says so)
expect() {
	local name=$1 code=$2 line=$3
	shift 4
	run "$@"
	local first
	first=$(grep -m1 -E 'error|lettermerge' err || head -n1 err)
	if [ "$rc" -ne "$code" ]; then
		bad "$name: exit $rc, wanted $code: $(head -c 600 err)"
	elif [ -n "$line" ] && [ "$first" != "$line" ]; then
		bad "$name: first error line '$first', wanted '$line'"
	else
		ok
	fi
}
# nothing_but NAME FILE...: the folder holds exactly these files (sorted)
nothing_but() {
	local name=$1
	shift
	local have want
	have=$(cd "$OUTDIR" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
	if [ "$have" != "$want" ]; then bad "$name: left on disk '$have', wanted '$want'"; else ok; fi
}
fresh_out() { rm -rf o; mkdir o; OUTDIR=o; }
mk

# ---- item 18: the exit status says what happened ----
fresh_out
expect "usage error exits 2" 2 "lettermerge build: give exactly one LETTER" \
	-- build --area a
expect "input error exits 1" 1 "" -- build nope.md --area a -o o/x.pdf
grep -q "^nope.md: error: cannot open 'nope.md'" err || bad "missing letter: $(cat err)"
# a full disk: a file size limit makes write() fail as a full disk does
(ulimit -f 8; trap '' XFSZ; exec "$BIN" build $LETTER --area a -o o/x.pdf -d 2015-03-17 -j1 >out 2>err)
rc=$?
check "full disk exits 3 ($rc)" [ "$rc" -eq 3 ]
check "full disk names the file" grep -qxF "o/x.pdf: error: cannot write the output file: File too large" err
nothing_but "full disk leaves nothing"
(ulimit -f 8; trap '' XFSZ; exec "$BIN" build $LETTER --area a --combine o/p.pdf -d 2015-03-17 >out 2>err)
rc=$?
check "full disk (print file) exits 3 ($rc)" [ "$rc" -eq 3 ]
nothing_but "full disk (print file) leaves nothing"
if [ "$(id -u)" -ne 0 ]; then
	# root reads and writes anything: only an ordinary user can see these
	fresh_out
	chmod 000 a/area.csv
	expect "unreadable area.csv exits 3" 3 "" -- build $LETTER --area a -o o/x.pdf -d 2015-03-17
	chmod 644 a/area.csv
	chmod 555 o
	expect "unwritable folder exits 3" 3 "" -- build $LETTER --area a -o o/x.pdf -d 2015-03-17
	chmod 755 o
fi
run --help
check "--help lists exit 3" grep -q '^  3   the system failed' out
check "--help lists exit 70" grep -q '^  70  a bug in lettermerge' out
run build --help
check "build --help lists exit 3" grep -q '^  3   the system failed' out

# ---- item 1: letters without front matter, empty, or with CR-only line ends ----
fresh_out
printf 'Dear parent,\n\nThis is {{area.name}}.\n' >letters/nofm.md
expect "no front matter builds" 0 "" -- build letters/nofm.md --area a -o o/nofm.pdf -d 2015-03-17
check "no front matter: the text" grep -q "This is Liverpool" <(pdf_text o/nofm.pdf)
: >letters/empty.md
expect "empty letter builds" 0 "" -- build letters/empty.md --area a -o o/empty.pdf -d 2015-03-17
check "empty letter: a whole PDF" qpdf --check o/empty.pdf >/dev/null
printf -- '---\rtitle: Old Mac\r---\rDear parent,\r\rThis is {{area.name}}.\r' >letters/cr.md
expect "CR-only line ends build" 0 "" -- build letters/cr.md --area a -o o/cr.pdf -d 2015-03-17
check "CR-only: the title" grep -q "Title: *Old Mac" <(pdfinfo o/cr.pdf)
check "CR-only: one paragraph a line" grep -q "This is Liverpool" <(pdf_text o/cr.pdf)
printf -- '---\rtitle: Old Mac\r---\rDear parent,\r\r{{area.nme}}.\r' >letters/cr-bad.md
expect "CR-only line ends count as lines" 1 \
	"letters/cr-bad.md:6:1: error: no value for 'area.nme'; did you mean 'area.name'?" \
	-- check letters/cr-bad.md --area a -d 2015-03-17
printf '{{area.nme}}\r' >letters/partials/crp.md
printf -- '---\ntitle: t\n---\nx\n\n{{> crp}}\n' >letters/crp.md
expect "CR-only partial" 1 "letters/partials/crp.md:1:1: error: no value for 'area.nme'; did you mean 'area.name'?" \
	-- check letters/crp.md --area a -d 2015-03-17
nothing_but "no front matter etc. leave their PDFs" cr.pdf empty.pdf nofm.pdf

# ---- item 2: SOURCE_DATE_EPOCH out of range is a usage error ----
for v in 9223372036854775807 18446744073709551617 253402300800; do
	SOURCE_DATE_EPOCH=$v expect "SOURCE_DATE_EPOCH=$v" 2 \
		"lettermerge build: SOURCE_DATE_EPOCH '$v' is not a date from 1970 to 9999 (0 to 253402300799 seconds)" \
		-- build $LETTER --area a -o o/x.pdf
	# even with --date: the signatures would use it
	SOURCE_DATE_EPOCH=$v expect "SOURCE_DATE_EPOCH=$v with --date" 2 "" \
		-- build $LETTER --area a -o o/x.pdf -d 2015-03-17
done
SOURCE_DATE_EPOCH=-1 expect "SOURCE_DATE_EPOCH=-1" 2 \
	"lettermerge check: SOURCE_DATE_EPOCH '-1' is not a number of seconds" -- check $LETTER --area a
SOURCE_DATE_EPOCH=253402300799 expect "SOURCE_DATE_EPOCH at 9999-12-31" 0 "" \
	-- build $LETTER --area a -o o/last.pdf
check "dated 31st December 9999" grep -q "31st December, 9999" <(pdf_text o/last.pdf)
rm -f o/last.pdf
nothing_but "bad SOURCE_DATE_EPOCH leaves nothing" cr.pdf empty.pdf nofm.pdf

# ---- item 3: no output may be an input of the run (by identity) ----
mk
fresh_out
cp a/schools.csv schools.orig
sum_inputs() { cat $LETTER a/*.csv letters/partials/* | md5sum; }
before=$(sum_inputs)
expect "-o names the letter" 1 \
	"$LETTER: error: -o would overwrite '$LETTER', an input of this run; give the output another name" \
	-- build $LETTER --area a -o $LETTER -d 2015-03-17
expect "-o names area.csv by another spelling" 1 \
	"./a/../a/area.csv: error: -o would overwrite 'a/area.csv', an input of this run; give the output another name" \
	-- build $LETTER --area a -o ./a/../a/area.csv -d 2015-03-17
ln a/contacts.csv hardlink.csv
expect "-o names a hard link to contacts.csv" 1 \
	"hardlink.csv: error: -o would overwrite 'a/contacts.csv', an input of this run; give the output another name" \
	-- build $LETTER --area a -o hardlink.csv -d 2015-03-17
expect "--combine names the recipients file" 1 \
	"a/schools.csv: error: --combine would overwrite 'a/schools.csv', an input of this run; give the output another name" \
	-- build $LETTER --area a --recipients a/schools.csv --combine a/schools.csv -d 2015-03-17
expect "--manifest names the recipients file" 1 \
	"a/schools.csv: error: --manifest would overwrite 'a/schools.csv', an input of this run; give the output another name" \
	-- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' --manifest a/schools.csv -d 2015-03-17
P1=further-information.md # one the letter uses
printf 'urn,part\n1,%s\n' "${P1%.md}" >parts.csv
expect "-o pattern names a partial" 1 \
	"parts.csv:2:1: error: this letter's output 'letters/partials/$P1': -o would overwrite 'letters/partials/$P1', an input of this run; give the output another name" \
	-- build $LETTER --area a --recipients parts.csv -o 'letters/partials/{{recipient.part}}.md' -d 2015-03-17
check "inputs untouched" [ "$(sum_inputs)" = "$before" ]
nothing_but "refused outputs write nothing"

# ---- items 4, 7: outputs of one run never share a path (case ignored) ----
expect "--manifest is one of the PDFs" 1 \
	"a/schools.csv:2:1: error: this letter would be written to 'o/1.pdf', which is also the file another output of the run (--manifest) goes to; give that option another name" \
	-- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient._row}}.pdf' --manifest o/1.pdf -d 2015-03-17
expect "--manifest is one of the PDFs but for case" 1 "" \
	-- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient._row}}.pdf' --manifest O/1.PDF -d 2015-03-17
grep -q "one file on a Windows share or a Mac disk" err || bad "case: $(cat err)"
expect "--manifest is the print file" 2 \
	"lettermerge build: --manifest and --combine name the same file; give them different names" \
	-- build $LETTER --area a --combine o/p.pdf --manifest ./o//p.pdf -d 2015-03-17
printf 'name,address_1\nSmith,x\nSMITH,y\n' >case.csv
expect "names that differ only by case" 1 \
	"case.csv:3:1: error: this letter and the one for case.csv:2 would both be written to 'o/SMITH.pdf' and 'o/Smith.pdf', one file on a Windows share or a Mac disk, which ignore case; put a placeholder that tells them apart into -o, e.g. {{area.id}} or {{recipient.urn}}" \
	-- build $LETTER --area a --recipients case.csv -o 'o/{{recipient.name}}.pdf' -d 2015-03-17
nothing_but "collisions write nothing"

# ---- item 5: never rename over what is not a regular file; --manifest - ----
mkfifo fifo.pdf
ln -s /dev/stdout stdout-link
mkdir folder.pdf
expect "-o /dev/null" 1 \
	"/dev/null: error: the output is a device, not a file; lettermerge replaces only regular files: give another name (-o)" \
	-- build $LETTER --area a -o /dev/null -d 2015-03-17
check "/dev/null is still a device" test -c /dev/null
expect "--manifest through a symbolic link" 1 \
	"stdout-link: error: the output is a symbolic link, not a file; lettermerge replaces only regular files: give another name (--manifest)" \
	-- build $LETTER --area a -o o/x.pdf --manifest stdout-link -d 2015-03-17
check "the link is still a link" test -L stdout-link
expect "-o a FIFO" 1 \
	"fifo.pdf: error: the output is a named pipe (FIFO), not a file; lettermerge replaces only regular files: give another name (-o)" \
	-- build $LETTER --area a -o fifo.pdf -d 2015-03-17
check "the FIFO is still a FIFO" test -p fifo.pdf
expect "--combine a folder" 1 \
	"folder.pdf: error: the output is a folder, not a file; lettermerge replaces only regular files: give another name (--combine)" \
	-- build $LETTER --area a --combine folder.pdf -d 2015-03-17
nothing_but "non-files refused: nothing written"
expect "--manifest - writes standard output" 0 "" \
	-- build $LETTER --area a -o o/x.pdf --manifest - -d 2015-03-17 -q
check "--manifest -: one JSON line on stdout" python3 -c "
import json,sys; l=open('out').read().splitlines(); assert len(l)==1, l; j=json.loads(l[0]); assert j['path']=='o/x.pdf', j"
check "--manifest -: no file named -" test ! -e ./-
expect "--manifest - with --json" 2 \
	"lettermerge build: --manifest - and --json both write to standard output; give the manifest a file name" \
	-- build $LETTER --area a -o o/x.pdf --manifest - --json -d 2015-03-17

# ---- item 6: a lock on the output folder; the holder is named ----
mk
fresh_out
/usr/bin/python3 -c "
import fcntl, os, time
fd = os.open('o/.lettermerge.lock', os.O_RDWR | os.O_CREAT)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)  # letter 1 of a run
open('held', 'w').close()
time.sleep(60)" &
holder=$!
for _ in $(seq 100); do [ -e held ] && break; sleep 0.1; done
expect "a second run into a locked folder" 3 "" \
	-- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
check "the second run names the holder" grep -q "^o: error: another run is writing these letters into this folder (process $holder: '/usr/bin/python3 -c .*'); wait for it to finish, or write somewhere else$" err
expect "a locked print file's folder" 3 "" -- build $LETTER --area a --combine o/p.pdf -d 2015-03-17
expect "a locked manifest folder" 3 "" \
	-- build $LETTER --area a -o x/x.pdf --manifest o/m.jsonl -d 2015-03-17
expect "another shard (other letters) may write beside it" 0 "" \
	-- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' --shard 2/2 -d 2015-03-17
kill $holder; wait $holder 2>/dev/null; rm -f held x/x.pdf; rmdir x 2>/dev/null
nothing_but "locked: only the other shard's letters" .lettermerge.lock 900103.pdf 900104.pdf

# ---- item 8: SIGINT and SIGTERM leave no temporary file ----
/usr/bin/python3 -c "
import csv
w = csv.writer(open('big.csv', 'w', newline=''))
w.writerow(['urn', 'name', 'address_line_1', 'address_line_2', 'postcode'])
for i in range(3000): w.writerow([100000 + i, 'School %d' % i, 'The Head', '1 Road', 'L1 1AA'])"
for sig in INT TERM; do
	fresh_out
	# started through python: a background job of a script ignores SIGINT;
	# stopped while letters wait under temporary names (the run keeps
	# them only once every one is known to be right)
	/usr/bin/python3 -c "
import os, signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(3000):
    if len([f for f in os.listdir('o') if f.startswith('.lettermerge-') and f.endswith('.tmp')] if os.path.isdir('o') else []) >= 20: break
    time.sleep(0.01)
p.send_signal(signal.SIG$sig)
sys.exit(-p.wait())" "$BIN" build $LETTER --area a --recipients big.csv -o 'o/{{recipient.urn}}.pdf' \
		--manifest o/manifest.jsonl -j2 -q -d 2015-03-17
	rc=$?
	check "SIG$sig kills the run (it died of signal $rc)" [ "$rc" -eq "$(kill -l $sig)" ]
	left=$(ls -A o | grep -v -e '^\.lettermerge\.lock$' | tr '\n' ' ')
	check "SIG$sig: no letter, temporary file or manifest left ('$left')" [ -z "$left" ]
done

# ---- one run, each letter laid out once: a bad row late in the run writes nothing ----
# (the letters are checked as they are written, and kept only when all are right)
printf -- '---\ntitle: "Letter for {{recipient.name}}"\n---\nDear parent,\n' >letters/rowtitle.md
/usr/bin/python3 -c "
print('urn,name,address_line_1,address_line_2,postcode')
for i in range(1, 51):
    print('%d,%s,The Head,1 Road,L1 1AA' % (i, 'N' * 40000 if i == 48 else 'School %d' % i))" >late.csv
for j in 1 2; do
	fresh_out
	expect "a bad row 48 of 50 (-j $j): exit 1, named" 1 \
		"letters/rowtitle.md:2:9: error: the title is 40011 bytes long once expanded; a PDF can carry at most 32767 bytes there: shorten it" \
		-- build letters/rowtitle.md --area a --recipients late.csv -o 'o/{{recipient.urn}}.pdf' -j $j \
		--manifest o/m.jsonl -d 2015-03-17
	check "... (-j $j) says nothing was written" grep -qxF "lettermerge build: 1 of 50 letters has errors; nothing was written (--keep-going writes the others)" err
	nothing_but "a bad row late in the run (-j $j): no letter, no temporary file, no manifest"
done
fresh_out
expect "a bad row late in a print file: exit 1" 1 "" \
	-- build letters/rowtitle.md --area a --recipients late.csv --combine o/all.pdf -d 2015-03-17
nothing_but "a bad row late in a print file: nothing"
fresh_out
expect "a bad row late, --keep-going: exit 1" 1 "" \
	-- build letters/rowtitle.md --area a --recipients late.csv -o 'o/{{recipient.urn}}.pdf' -j 2 -k -d 2015-03-17
check "... the 49 good letters written" [ "$(ls o | grep -c '\.pdf$')" -eq 49 ]
check "... not the bad one, and no temporary file" [ ! -e o/48.pdf -a -z "$(ls -A o | grep '^\.lettermerge-')" ]
rm -f late.csv

# ---- item 8: --skip-existing keeps only whole PDFs, removes stale temporaries ----
fresh_out
expect "a first run" 0 "" -- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
cp o/900102.pdf good.pdf
: >o/900101.pdf                            # a 0-byte "PDF"
head -c 5000 good.pdf >o/900102.pdf        # cut off by a full disk
printf 'not a pdf at all, but long enough to look like something\n%%%%EOF\n' >o/900103.pdf
sleep 60 & live=$!
: >o/.lettermerge-999999999-0.tmp          # a killed run's (no such process)
: >o/.lettermerge-$live-0.tmp              # a running shard's
expect "a resume" 0 "" -- build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' \
	--skip-existing --json -d 2015-03-17
check "resume wrote the three broken ones, kept one" /usr/bin/python3 -c "
import json; s = json.load(open('out')); assert s['written'] == 3 and s['skipped'] == 1, s"
for f in o/*.pdf; do check "$f is whole after the resume" qpdf --check "$f"; done >/dev/null
check "the killed run's temporary file is gone" test ! -e o/.lettermerge-999999999-0.tmp
check "a running run's temporary file is left" test -e o/.lettermerge-$live-0.tmp
kill $live
rm o/.lettermerge-$live-0.tmp
nothing_but "resume: the four letters" 900101.pdf 900102.pdf 900103.pdf 900104.pdf

# ---- item 9: what the PDF writer would refuse is found by check ----
mk
fresh_out
/usr/bin/python3 -c "
print('---'); print('title: ' + 'T' * 70000); print('---'); print('Dear parent,')" >letters/bigtitle.md
expect "a 70 KB title: check names it" 1 \
	"letters/bigtitle.md:2:8: error: the title is 70000 bytes long once expanded; a PDF can carry at most 32767 bytes there: shorten it" \
	-- check letters/bigtitle.md --area a -d 2015-03-17
expect "a 70 KB title: build writes nothing" 1 \
	"letters/bigtitle.md:2:8: error: the title is 70000 bytes long once expanded; a PDF can carry at most 32767 bytes there: shorten it" \
	-- build letters/bigtitle.md --area a -o o/x.pdf -d 2015-03-17
printf -- '---\ntitle: "Letter for {{recipient.name}}"\n---\nDear parent,\n' >letters/rowtitle.md
/usr/bin/python3 -c "
print('urn,name,address_line_1,address_line_2,postcode')
print('1,Small,The Head,1 Road,L1 1AA')
print('2,' + 'N' * 40000 + ',The Head,1 Road,L1 1AA')
print('3,Small,The Head,1 Road,L1 1AA')" >rows.csv
expect "one row's title too long: nothing written, even the good ones" 1 \
	"letters/rowtitle.md:2:9: error: the title is 40011 bytes long once expanded; a PDF can carry at most 32767 bytes there: shorten it" \
	-- build letters/rowtitle.md --area a --recipients rows.csv -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
/usr/bin/python3 -c "
import csv
rows = list(csv.reader(open('a/signatories.csv', newline='')))
h = rows[0]
if 'alt' not in h:
    h.append('alt'); [r.append('') for r in rows[1:]]
rows[1][h.index('alt')] = 'A' * 33000
csv.writer(open('a/signatories.csv', 'w', newline=''), lineterminator='\n').writerows(rows)"
expect "a 33 KB alt text" 1 "" -- check $LETTER --area a -d 2015-03-17
grep -q "^a/signatories.csv:2:[0-9]*: error: the signature's alt text is 33000 bytes long once expanded; a PDF can carry at most 32767 bytes there: shorten it$" err ||
	bad "alt text: $(grep error err)"
nothing_but "too long for a PDF: nothing written"

# ---- item 10: only regular files are read, and only the partials a letter uses ----
mk
fresh_out
mkfifo letters/fifo.md
expect "a FIFO as the letter" 1 \
	"letters/fifo.md: error: the letter 'letters/fifo.md' is a named pipe (FIFO), not a file; give the name of a saved file" \
	-- check letters/fifo.md --area a -d 2015-03-17
expect "a folder as the letter" 1 \
	"letters/partials: error: the letter 'letters/partials' is a folder, not a file; give the name of a saved file" \
	-- check letters/partials --area a -d 2015-03-17
rm a/contacts.csv
mkfifo a/contacts.csv
expect "a FIFO as contacts.csv" 1 \
	"a/contacts.csv: error: the spreadsheet file 'a/contacts.csv' is a named pipe (FIFO), not a file; give the name of a saved file" \
	-- check $LETTER --area a -d 2015-03-17
mk
mkfifo rfifo.csv
expect "a FIFO no one writes as the recipients file" 1 "" \
	-- build $LETTER --area a --recipients rfifo.csv -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
expect "-r <(cmd) is read like standard input" 0 "" \
	-- build $LETTER --area a --recipients <(cat a/schools.csv) -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
check "-r <(cmd): four letters" [ "$(ls o | grep -c '\.pdf$')" -eq 4 ]
rm -rf o
expect "a folder as the recipients file" 1 \
	"a: error: the recipients file 'a' is a folder, not a file; give the name of a saved file" \
	-- build $LETTER --area a --recipients a -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
mkfifo letters/partials/unused-fifo.md
mkdir letters/partials/unused-folder.md
expect "a FIFO and a folder among unused partials: build" 0 "" \
	-- build $LETTER --area a -o o/x.pdf -d 2015-03-17
expect "a FIFO and a folder among unused partials: check" 0 "" -- check $LETTER --area a -d 2015-03-17
printf -- '---\ntitle: t\n---\nx\n\n{{> unused-fifo}}\n' >letters/usesfifo.md
expect "a FIFO as a used partial" 1 \
	"letters/usesfifo.md:6:1: error: cannot use partial 'unused-fifo': the partial 'letters/partials/unused-fifo.md' is a named pipe (FIFO), not a file; give the name of a saved file" \
	-- check letters/usesfifo.md --area a -d 2015-03-17
rm -rf letters/partials/unused-fifo.md letters/partials/unused-folder.md letters/fifo.md rfifo.csv
nothing_but "not files: only the good letter" x.pdf

# ---- item 11: a size cap per kind of file, naming the file and the cap ----
fresh_out
mk
ln -sf /dev/zero a/area.csv
expect "/dev/zero as area.csv" 1 \
	"a/area.csv: error: the spreadsheet file 'a/area.csv' is a device, not a file; give the name of a saved file" \
	-- check $LETTER --area a -d 2015-03-17
mk
truncate -s 100M a/contacts.csv
expect "a 100 MB contacts.csv" 1 \
	"a/contacts.csv: error: the spreadsheet file is 104857600 bytes, more than the 64 MB a spreadsheet file may be; is it the right file?" \
	-- check $LETTER --area a -d 2015-03-17
mk
expect "/dev/zero as the letter" 1 \
	"/dev/zero: error: the letter '/dev/zero' is a device, not a file; give the name of a saved file" \
	-- check /dev/zero --area a -d 2015-03-17
truncate -s 50M letters/huge.md
expect "a 50 MB letter" 1 \
	"letters/huge.md: error: the letter is 52428800 bytes, more than the 4 MB a letter may be; is it the right file?" \
	-- build letters/huge.md --area a -o o/x.pdf -d 2015-03-17
rm letters/huge.md
nothing_but "too big: nothing written"

# ---- item 13: partials parsed once a run, the expansion bounded while parsing ----
mkdir -p deep/partials
for i in $(seq 0 29); do printf '{{> p%d}}{{> p%d}}\n' $((i + 1)) $((i + 1)) >deep/partials/p$i.md; done
echo 'some text that doubles at every level' >deep/partials/p30.md
printf -- '---\ntitle: t\n---\n{{> p0}}\n' >deep/letter.md
SECONDS=0
expect "30 levels of partials each included twice" 1 \
	"deep/partials/p11.md:1:10: error: partial 'p12' makes the letter longer than 16 MB before a single value is filled in (partials that include others more than once double it at each level); include each partial once" \
	-- check deep/letter.md --area a -d 2015-03-17
check "30 levels: at once, not minutes ($SECONDS s)" [ "$SECONDS" -lt 10 ]
# 12 levels stay under the bound and are parsed once each
printf 'x\n' >deep/partials/p12.md
expect "12 levels, 4096 copies of one line" 0 "" -- build deep/letter.md --area a -o o/deep.pdf -d 2015-03-17
check "12 levels: 4096 x's" [ "$(pdftotext o/deep.pdf - | grep -o x | wc -l)" -ge 4096 ]
rm -f o/deep.pdf

# ---- item 17: a partial's own faults are at its own lines ----
printf 'fine\n\nbad \xff here\n' >letters/partials/latin1.md
printf -- '---\ntitle: t\n---\nx\n\n{{> latin1}}\n' >letters/uses-latin1.md
expect "invalid UTF-8 in a partial is at the partial's line" 1 \
	"letters/partials/latin1.md:3:5: error: the partial is not UTF-8 (byte 0xFF here); save it as UTF-8 text" \
	-- check letters/uses-latin1.md --area a -d 2015-03-17
printf 'fine\nnul \0 here\n' >letters/partials/nul.md
printf -- '---\ntitle: t\n---\nx\n\n{{> nul}}\n' >letters/uses-nul.md
expect "a NUL in a partial is at the partial's line" 1 \
	"letters/partials/nul.md:2:5: error: the partial holds a NUL byte; is it really a text file?" \
	-- check letters/uses-nul.md --area a -d 2015-03-17
rm letters/partials/latin1.md letters/partials/nul.md

# ---- item 16: the copy of standard input goes to $TMPDIR ----
TMPDIR=$WORK/no-such-tmp expect "stdin copy honours TMPDIR" 3 \
	"<stdin>: error: cannot make a temporary copy of <stdin> in $WORK/no-such-tmp: No such file or directory (set TMPDIR to a writable folder)" \
	-- build $LETTER --area a --recipients - -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17 <a/schools.csv
mkdir tmpd
TMPDIR=$WORK/tmpd expect "stdin with a TMPDIR of our own" 0 "" \
	-- build $LETTER --area a --recipients - -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17 <a/schools.csv
check "the copy is unlinked at once" [ -z "$(ls -A tmpd)" ]
nothing_but "stdin: four letters" 900101.pdf 900102.pdf 900103.pdf 900104.pdf

# ---- item 12: a damaged JPEG is decoded in full and refused at its cell ----
mk
fresh_out
# a JPEG made by poppler from a letter page: a real encoder's output
"$BIN" build $LETTER --area a -o page.pdf -d 2015-03-17 -q
pdftoppm -jpeg -r 30 -f 1 -l 1 -singlefile page.pdf sig
rm page.pdf
size=$(stat -c %s sig.jpg)
sigcell() { sed -i "2s/signature-lead.png/$1/" a/signatories.csv; }
for f in cut headers liar; do
	mk
	cp sig.jpg a/good.jpg
	head -c $((size / 2)) sig.jpg >a/cut.jpg
	/usr/bin/python3 -c "
import sys
data = open('sig.jpg', 'rb').read()
sos = data.index(b'\xff\xda')
open('a/headers.jpg', 'wb').write(data[:sos])
i = 2
while True:
    m, n = data[i + 1], int.from_bytes(data[i + 2:i + 4], 'big')
    if 0xC0 <= m <= 0xC2: break
    i += 2 + n
b = bytearray(data)
b[i + 5:i + 7] = (4 * int.from_bytes(data[i + 5:i + 7], 'big')).to_bytes(2, 'big')
open('a/liar.jpg', 'wb').write(bytes(b))"
	sigcell $f.jpg
	expect "a damaged JPEG ($f)" 1 "" -- build $LETTER --area a -o o/x.pdf -d 2015-03-17
	first=$(grep -m1 error err)
	case $first in
	"a/signatories.csv:2:86: error: image 'a/$f.jpg' is a damaged JPEG ("*"); export it again as PNG or JPEG") ok ;;
	"a/signatories.csv:2:86: error: image 'a/$f.jpg' holds no picture; export it again as PNG or JPEG") ok ;;
	*) bad "damaged JPEG $f: $first" ;;
	esac
done
nothing_but "damaged JPEGs: nothing written"
mk
cp sig.jpg a/good.jpg
sigcell good.jpg
expect "a whole JPEG is embedded" 0 "" -- build $LETTER --area a -o o/x.pdf -d 2015-03-17
check "the JPEG is in the PDF" grep -q "jpeg" <(pdfimages -list o/x.pdf)
check "gs draws it" gs -q -dNOPAUSE -dBATCH -dPDFSTOPONERROR -sDEVICE=nullpage o/x.pdf
rm -f o/x.pdf sig.jpg

# ---- item 15: no fixed-size argument arrays ----
mk
fresh_out
expect "a letter to verify" 0 "" -- build $LETTER --area a -o o/x.pdf -d 2015-03-17
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=test -keyout ca.key \
	-out ca.pem -days 1 2>/dev/null
files=()
for i in $(seq 5000); do files+=(o/x.pdf); done
run verify --trust ca.pem "${files[@]}"
check "verify takes 5000 files (exit $rc)" [ "$rc" -eq 1 ]
check "verify answers for each of the 5000" [ "$(grep -c '^o/x.pdf: ' out)" -eq 5000 ]
check "no 'too many arguments'" test -z "$(grep "too many" err)"
areas=()
for i in $(seq 100); do cp -r a area$i; areas+=(--area area$i); done
expect "100 --area options" 0 "" -- check $LETTER "${areas[@]}" -d 2015-03-17 -q --stale-after 36500
rm -rf area* o/x.pdf ca.pem ca.key

# ---- item 16: --area-recipients is a file name inside each area folder; 255-byte names ----
mk
fresh_out
for bad in ../liverpool/schools.csv ../../../../etc/hostname /etc/hostname .hidden.csv 'sub\x.csv' ''; do
	expect "--area-recipients '$bad'" 2 \
		"lettermerge build: --area-recipients takes the name of a file inside each area folder (e.g. schools.csv), with no '/' and not starting with '.'; to give one file for every area, use --recipients" \
		-- build $LETTER --area a --area-recipients "$bad" -o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
done
expect "--area-recipients schools.csv" 0 "" -- build $LETTER --area a --area-recipients schools.csv \
	-o 'o/{{recipient.urn}}.pdf' -d 2015-03-17
rm -f o/*.pdf
long=$(printf 'x%.0s' $(seq 251)).pdf
expect "a 255-byte output name" 0 "" -- build $LETTER --area a -o "o/$long" -d 2015-03-17 --manifest "o/m$(printf 'y%.0s' $(seq 248)).jsonl"
check "the 255-byte file is whole" qpdf --check "o/$long"
check "no temporary file left" test -z "$(ls -A o | grep '^\.')"
rm -f o/*

# ---- item 17: messages that said the wrong thing ----
mk
fresh_out
sed -i 's/^date_format,.*/date_format,%d %q %Y/' a/area.csv
expect "an unknown date_format code is a warning" 0 "" -- check $LETTER --area a -d 2015-03-17 --stale-after 36500
check "the warning is at its cell" grep -qxF "a/area.csv:10:16: warning: date_format '%d %q %Y': '%q' is not a date code, and is printed as it is; use %d (day), %o (1st), %B (month), %m (01-12), %Y (year), %A (weekday) or %% (a %)" err
mk
bash "$SRC/scripts/make-test-ca.sh" ca >/dev/null 2>&1
printf '\xEF\xBB\xBF%s\r\n' "$(cat ca/signer.pass)" >bom.pass
expect "a password file saved with a byte-order mark" 0 "" \
	-- build $LETTER --area a -o o/signed.pdf -d 2015-03-17 --sign-key ca/signer.p12 --sign-pass-file bom.pass
check "signed with the BOM'd password" grep -q "Signature #1" <(pdfsig o/signed.pdf 2>&1)
rm -rf ca bom.pass o/signed.pdf
(ulimit -n 20; exec "$BIN" build $LETTER --area a --recipients big.csv -o 'o/{{recipient.urn}}.pdf' \
	-d 2015-03-17 -j 16 >out 2>err)
rc=$?
check "-j 16 under ulimit -n 20 exits 3 ($rc)" [ "$rc" -eq 3 ]
check "-j 16 under ulimit -n 20 names the limit" grep -q "too many open files for 16 workers (the limit, ulimit -n, is low): run with fewer --jobs, or raise the limit\|run with fewer --jobs, or raise ulimit -n" err
# the workers' results go to $TMPDIR, not always /tmp, and leave nothing there
fresh_out
TMPDIR="$PWD/no-such-folder" timeout 60 "$BIN" build $LETTER --area a --recipients a/schools.csv \
	-o 'o/{{recipient.urn}}.pdf' -d 2015-03-17 -j 2 >out 2>err
rc=$?
check "a missing \$TMPDIR: exit 3 ($rc)" [ "$rc" -eq 3 ]
check "a missing \$TMPDIR is named" grep -qF "cannot make a temporary file in $PWD/no-such-folder" err
nothing_but "a missing \$TMPDIR: nothing written"
rm -rf tmpdir; mkdir tmpdir
TMPDIR="$PWD/tmpdir" timeout 60 "$BIN" build $LETTER --area a --recipients a/schools.csv \
	-o 'o/{{recipient.urn}}.pdf' -d 2015-03-17 -j 2 >out 2>err
rc=$?
check "\$TMPDIR a folder: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "... and nothing left in it" [ -z "$(ls -A tmpdir)" ]
rm -rf tmpdir
rm -rf o; mkdir o
(ulimit -f 8; trap '' XFSZ; exec "$BIN" build $LETTER --area a --recipients a/schools.csv -o 'o/{{recipient.urn}}.pdf' \
	-d 2015-03-17 -j 1 >out 2>err)
rc=$?
check "a full destination exits 3 ($rc)" [ "$rc" -eq 3 ]
check "a full destination is reported once" [ "$(grep -c 'cannot write the output file' err)" -eq 1 ]
check "and the others counted" grep -qx "lettermerge build: 3 more letters could not be written for the same reason" err
nothing_but "a full destination: nothing left"
mk
iconv -f UTF-8 -t UTF-16 a/contacts.csv >c16 && mv c16 a/contacts.csv
expect "a UTF-16 CSV (Excel's Unicode Text) is read, not sent to Windows-1252" 0 "" \
	-- check $LETTER --area a -d 2015-03-17 --stale-after 36500 -q
for order in LE BE; do
	mk
	"$BIN" build $LETTER --area a -d 2015-03-17 -o utf8.pdf -q
	iconv -f UTF-8 -t UTF-16$order a/contacts.csv >c16 && mv c16 a/contacts.csv
	check "UTF-16$order without a byte-order mark has no BOM" [ "$(head -c 2 a/contacts.csv | od -An -tx1 | tr -d ' ')" != fffe ]
	expect "UTF-16$order without a byte-order mark (iconv's) is read by its zero bytes" 0 "" \
		-- check $LETTER --area a -d 2015-03-17 --stale-after 36500 -q
	"$BIN" build $LETTER --area a -d 2015-03-17 -o utf16.pdf -q
	check "UTF-16$order without a mark: the same letter as from UTF-8" \
		cmp -s <(pdftotext utf8.pdf -) <(pdftotext utf16.pdf -)
	rm -f utf8.pdf utf16.pdf
done

expect "--date 1899-12-31 is out of range, not 'not a real date'" 2 \
	"lettermerge check: --date '1899-12-31' is outside the years 1900 to 9999 a letter can carry" \
	-- check $LETTER --area a -d 1899-12-31
expect "--date 2015-02-30 is not a real date" 2 \
	"lettermerge check: --date '2015-02-30' is not a real date in the form YYYY-MM-DD" \
	-- check $LETTER --area a -d 2015-02-30

finish hostile
