#!/usr/bin/env bash
# lettermerge watch: started here on a copy of tests/body, it writes the
# preview of one recipient row; a CSV edited (in place, and saved as
# spreadsheet programs do: a new file renamed over it) shows in the PDF
# within 5 s; an edit that makes an error leaves the last good PDF and
# watching goes on; a fixed letter is built again; SIGINT and SIGTERM stop
# it cleanly (exit 0, no temporary file left).
# usage: tests/e2e/watch.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-watch.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
export LETTERMERGE_FONTS=$SRC/fonts

cp -r tests/body/areas/testshire "$WORK/area"
mkdir -p "$WORK/letters/partials"
cp tests/body/letters/hubs.png "$WORK/letters/"
printf 'name,child\nAlice Able,Amy\nBob Baker,Ben\n' >"$WORK/rec.csv"
cat >"$WORK/letters/preview.md" <<'MD'
---
title: Preview
address: none
---
Dear {{recipient.name}}, this is about {{recipient.child}}.

![Map of the family hubs](hubs.png)

{{> foot}}
MD
echo 'Call {{contacts.front_door.phone}}.' >"$WORK/letters/partials/foot.md"
OUT=$WORK/preview.pdf

# waits up to $2 seconds for the preview to say $1; prints the seconds taken
# (a PDF that cannot be read says nothing, and the wait goes on)
wait_for() {
	local want=$1 limit=$(($2 * 1000)) start now
	start=$(($(date +%s%N) / 1000000))
	while :; do
		now=$(($(date +%s%N) / 1000000))
		if [ -s "$OUT" ] && pdf_text "$OUT" | grep -qF "$want"; then
			printf '%d.%03d\n' $(((now - start) / 1000)) $(((now - start) % 1000))
			return 0
		fi
		[ $((now - start)) -gt "$limit" ] && return 1
		sleep 0.1
	done
}
start_watch() {
	"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -r "$WORK/rec.csv" --row 2 \
		-o "$OUT" --date 2026-12-01 >"$WORK/log" 2>&1 &
	PID=$!
}

start_watch
check "first build: row 2" wait_for "Dear Bob Baker, this is about Ben." 10 >/dev/null
check "first build: the image" test "$(pdfimages -list "$OUT" | awk 'NR > 2' | wc -l)" = 1
check "first build: the partial" wait_for "Call 01632 960 001." 1 >/dev/null

# the CSV edited in place
sed -i 's/Bob Baker/Bob Changed/' "$WORK/rec.csv"
t=$(wait_for "Dear Bob Changed," 5)
echo "watch: an edited CSV showed in ${t:-more than 5} s"
check "an edited CSV shows within 5 s (took ${t:-more than 5} s)" test -n "$t"
# saved as a spreadsheet program saves: a new file renamed over the old
printf 'name,child\nAlice Able,Amy\nBob Renamed,Ben\n' >"$WORK/rec.new"
mv "$WORK/rec.new" "$WORK/rec.csv"
t=$(wait_for "Dear Bob Renamed," 5)
check "a CSV saved by rename shows within 5 s (took ${t:-more than 5} s)" test -n "$t"
# a partial, and an area file
echo 'Ring {{contacts.front_door.phone}} now.' >"$WORK/letters/partials/foot.md"
check "an edited partial shows" wait_for "Ring 01632 960 001 now." 5 >/dev/null
sed -i 's/01632 960 001/01632 960 009/' "$WORK/area/contacts.csv"
check "an edited area file shows" wait_for "Ring 01632 960 009 now." 5 >/dev/null

# an error: reported, the last good PDF kept, still watching
cp "$OUT" "$WORK/good.pdf"
sed -i 's/{{recipient.child}}/{{recipient.chid}}/' "$WORK/letters/preview.md"
for _ in $(seq 50); do grep -q "recipient.chid" "$WORK/log" && break; sleep 0.1; done
check "the error is printed with its place" grep -q "preview.md:5:.*recipient.chid.*did you mean 'recipient.child'" "$WORK/log"
sleep 0.3
check "the last good PDF is kept" cmp -s "$OUT" "$WORK/good.pdf"
check "still watching after an error" kill -0 $PID
sed -i 's/{{recipient.chid}}/{{recipient.child}} (fixed)/' "$WORK/letters/preview.md"
check "built again once fixed" wait_for "this is about Ben (fixed)." 5 >/dev/null
check "the preview is a whole PDF" qpdf --check "$OUT" >/dev/null

# a stop: SIGINT, exit 0, nothing left behind
kill -INT $PID
for _ in $(seq 50); do kill -0 $PID 2>/dev/null || break; sleep 0.1; done
wait $PID
rc=$?
PID=
check "SIGINT stops it, exit 0" test $rc = 0
check "it says it stopped" grep -q 'stopped (SIGINT)' "$WORK/log"
check "no temporary file left" test -z "$(ls "$WORK" | grep tmp)"
# SIGTERM too (once it is watching: a signal before that ends it as any program)
rm -f "$OUT"
start_watch
wait_for "Dear Bob Renamed," 10 >/dev/null
for _ in $(seq 100); do grep -q 'watching' "$WORK/log" && break; sleep 0.1; done
kill -TERM $PID
wait $PID
rc=$?
PID=
check "SIGTERM stops it, exit 0" test $rc = 0

# usage errors
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" >/dev/null 2>&1
check "-o is needed: exit 2" test $? = 2
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -o "$OUT" --row 2 >/dev/null 2>&1
check "--row without --recipients: exit 2" test $? = 2
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -r "$WORK/rec.csv" --row 0 -o "$OUT" >/dev/null 2>&1
check "--row 0: exit 2" test $? = 2
# --only KEY picks the recipient by its first column, as build --only
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -r "$WORK/rec.csv" --only 'Alice Able' \
	-o "$WORK/alice.pdf" --date 2026-12-01 >"$WORK/logonly" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q 'watching' "$WORK/logonly" && break; sleep 0.1; done
check "--only picks the recipient" grep -qF "Dear Alice Able, this is about Amy" <(pdf_text "$WORK/alice.pdf")
kill -INT $PID
wait $PID
PID=
# never written over an input: an error, the input as it was
cp "$WORK/rec.csv" "$WORK/rec.keep"
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -r "$WORK/rec.csv" -o "$WORK/rec.csv" \
	--date 2026-12-01 >"$WORK/login" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q 'not written' "$WORK/login" && break; sleep 0.1; done
check "-o over an input is refused" grep -q "rec.csv" "$WORK/login"
check "the input is left as it was" cmp -s "$WORK/rec.csv" "$WORK/rec.keep"
kill -INT $PID
wait $PID
PID=
# a row past the end: an error, still watching; stopped
"$BIN" watch "$WORK/letters/preview.md" --area "$WORK/area" -r "$WORK/rec.csv" --row 9 \
	-o "$WORK/nine.pdf" --date 2026-12-01 >"$WORK/log9" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q 'not written' "$WORK/log9" && break; sleep 0.1; done
check "a row past the end is an error" grep -q -- 'there is no recipient row 9: the recipients file has 2 rows' "$WORK/log9"
check "a row past the end writes nothing" test ! -e "$WORK/nine.pdf"
kill -INT $PID
wait $PID
PID=

finish watch
