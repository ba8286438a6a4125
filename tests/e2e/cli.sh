#!/usr/bin/env bash
# The command line as people mistype it: "did you mean" for commands,
# options and area folders, and `lettermerge help COMMAND`.
# usage: tests/e2e/cli.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2
L=letters/cse-campaign.md

expect() { # expect STATUS "stderr line" args...
	local want=$1 msg=$2
	shift 2
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	check "exit $want for $*: got $rc" test "$rc" -eq "$want"
	check "message for $*: $(cat "$WORK/err")" grep -qxF -- "$msg" "$WORK/err"
}
expect 2 "lettermerge: unknown command 'biuld'; did you mean 'build'? (see 'lettermerge --help')" biuld $L
expect 2 "lettermerge: unknown command 'compile'; see 'lettermerge --help'" compile
expect 2 "lettermerge build: unknown option '--aera'; did you mean '--area'? (see 'lettermerge build --help')" \
	build $L --aera areas/liverpool
expect 2 "lettermerge check: unknown option '--all-area'; did you mean '--all-areas'? (see 'lettermerge check --help')" \
	check $L --all-area
expect 2 "lettermerge build: unknown option '--sheets'; did you mean '--sheet'? (see 'lettermerge build --help')" \
	build $L --sheets=x
expect 1 "areas/liverpol: error: area folder 'areas/liverpol' does not exist; did you mean 'areas/liverpool'?" \
	build $L --area areas/liverpol -o "$WORK/x.pdf"
expect 1 "areas/nowhere: error: area folder 'areas/nowhere' does not exist; check the area id, or create the folder with area.csv, contacts.csv and signatories.csv" \
	build $L --area areas/nowhere -o "$WORK/x.pdf"
check "nothing written" test ! -e "$WORK/x.pdf"

# help COMMAND is COMMAND --help
for c in build check fields verify watch; do
	"$BIN" help $c >"$WORK/a" 2>&1
	check "help $c: exit 0" test $? -eq 0
	"$BIN" $c --help >"$WORK/b" 2>&1
	check "help $c is $c --help" cmp -s "$WORK/a" "$WORK/b"
	check "help $c starts with its usage" grep -q "^usage: lettermerge $c" "$WORK/a"
done
expect 2 "lettermerge: unknown command 'biuld'; did you mean 'build'? (see 'lettermerge --help')" help biuld
"$BIN" help >"$WORK/a"
check "help alone: the commands" grep -q "^  fields " "$WORK/a"

finish cli
