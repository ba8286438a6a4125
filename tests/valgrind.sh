#!/usr/bin/env bash
# Every bundled letter for every bundled area under valgrind: no invalid
# access, no leak.  usage: tests/valgrind.sh BUILD/lettermerge SOURCE_DIR
set -u
BIN=$(realpath "$1")
cd "$2" || exit 2
WORK=$(mktemp -d /tmp/lettermerge-vg.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
for letter in letters/*.md; do
	for area in areas/*/; do
		name="$(basename "$letter" .md) x $(basename "$area")"
		if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 "$BIN" build "$letter" --area "$area" \
			-o "$WORK/out.pdf" --date 2015-03-17 2>"$WORK/log"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL: $name"
			cat "$WORK/log"
		fi
	done
done
# an error path too: it must free what it loaded
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	"$BIN" build letters/cse-awareness.md --area "$WORK/none" -o "$WORK/x.pdf" 2>"$WORK/log"
if [ $? -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: error path"; cat "$WORK/log"; fi
# the body's images and tables, and the findings on its Markdown (exit 1)
for args in "build tests/body/letters/body.md -o $WORK/body.pdf" "check tests/body/letters/html.md"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$BIN" $args --area tests/body/areas/testshire --date 2026-12-01 >/dev/null 2>"$WORK/log"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $args"; cat "$WORK/log"; fi
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
