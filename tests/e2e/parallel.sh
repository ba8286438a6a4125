#!/usr/bin/env bash
# A national run spread over "machines": twelve areas, each with its own
# schools, built once in one run and again as six --shard slices through
# GNU parallel (as one would over --sshlogin hosts).  The slices'
# manifests, concatenated in slice order, must equal the one run's, and
# every file must be byte-identical.
# usage: tests/e2e/parallel.sh BUILD/lettermerge SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d /tmp/lettermerge-parallel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if ! command -v parallel >/dev/null 2>&1; then
	echo "parallel: GNU parallel is not installed (scripts/setup.sh installs it)"
	echo "parallel: 0 passed, 1 failed"
	exit 1
fi
cd "$WORK" || exit 2

# twelve areas: the three bundled ones, four copies each, every copy with
# its own number of schools so that no two areas' lists are the same
mkdir areas
n=0
for src in "$SRC"/areas/*/; do
	for copy in 1 2 3 4; do
		n=$((n + 1))
		id="$(basename "$src")-$copy"
		cp -r "$src" "areas/$id"
		python3 "$SRC/bench/make-schools.py" $((20 + n * 3)) "areas/$id/schools.csv"
	done
done
LETTER="$SRC/letters/cse-awareness.md"
run() { # run DIR [options...]: one build into DIR, relative paths in its manifest
	local dir=$1
	shift
	mkdir -p "$dir" && (cd "$dir" && "$BIN" build "$LETTER" --all-areas --areas-dir ../areas \
		--area-recipients schools.csv -o 'out/{{area.id}}/{{recipient.urn}}.pdf' \
		--date 2015-03-17 -q "$@")
}

run one --jobs 2 --manifest one.jsonl 2>one.err
check "one run succeeds" test $? -eq 0 -a ! -s one.err
total=$(wc -l <one/one.jsonl)
check "one run: a manifest line a letter for 12 areas ($total)" test "$total" -ge 400

# six slices through GNU parallel, two at a time, one worker each
export -f run
export BIN LETTER
parallel --will-cite --halt now,fail=1 -j 2 \
	'run sh --jobs 1 --shard {}/6 --manifest manifest-{}.jsonl' ::: 1 2 3 4 5 6 2>sh.err
check "six shards through GNU parallel succeed" test $? -eq 0 -a ! -s sh.err
for k in 1 2 3 4 5 6; do cat "sh/manifest-$k.jsonl"; done >sh/all.jsonl
check "the slices' manifests, concatenated, are the one run's" cmp -s one/one.jsonl sh/all.jsonl
check "every slice wrote something" sh -c 'for k in 1 2 3 4 5 6; do test -s sh/manifest-$k.jsonl || exit 1; done'
check "the same files, byte for byte" diff -r one/out sh/out
check "as many files as letters" test "$(find sh/out -name '*.pdf' | wc -l)" -eq "$total"

finish parallel
