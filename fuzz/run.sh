#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for SECONDS (default 60).
#
#   fuzz/run.sh [SECONDS] [NAME...]      NAME: csv, template, letter, pdfr, verify, workbook (default: all)
#
# Seeds come from fuzz/corpus/NAME/; what the fuzzer learns goes to a work
# corpus under $LM_FUZZ_DIR (default build-fuzz/), never into the source
# tree.  An input that crashes, hangs (10 s) or runs out of memory (2 GB) is
# kept under tests/corpus/NAME/ (so tests/test_corpus.c replays it in every
# build from then on) and the script exits 1.  Without clang and libFuzzer
# (Debian: clang, libclang-rt-14-dev) it prints why and exits 0.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SECONDS_EACH=${1:-60}
shift || true
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(csv template letter pdfr verify workbook)
case $SECONDS_EACH in
'' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [csv|template|letter|pdfr|verify|workbook ...]" >&2; exit 2 ;;
esac

CC=${CLANG:-clang}
OUT=${LM_FUZZ_DIR:-$ROOT/build-fuzz}
mkdir -p "$OUT"

# clang, and its libFuzzer runtime (clang alone cannot link -fsanitize=fuzzer)
skip() {
	echo "fuzz: skipped, clang or libFuzzer not installed ($1)"
	exit 0
}
command -v "$CC" >/dev/null 2>&1 || skip "no $CC"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$OUT/probe.c"
"$CC" -fsanitize=fuzzer,address,undefined "$OUT/probe.c" -o "$OUT/probe" >/dev/null 2>&1 ||
	skip "$CC cannot link -fsanitize=fuzzer,address,undefined; install libclang-rt-14-dev"

PKGS="harfbuzz md4c yaml-0.1 libpng libzip libxml-2.0"
# libraries some modules use; the archive below pulls in only what the
# harnesses need, so one that is absent matters only if it is needed
for extra in harfbuzz-subset zlib libcrypto libjpeg libdeflate fribidi libunibreak; do
	pkg-config --exists "$extra" 2>/dev/null && PKGS="$PKGS $extra"
done
# shellcheck disable=SC2086
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -Isrc -Ifuzz
	$(pkg-config --cflags $PKGS)"
# shellcheck disable=SC2086
LIBS="$(pkg-config --libs $PKGS) -lz -lm"

# Every module into one archive: the linker takes only the objects a
# harness needs, so a module that does not build here (or needs a library
# that is missing) only matters if a harness uses it.
echo "fuzz: building in $OUT"
rm -f "$OUT/core.a"
objs=()
for src in src/*.c fuzz/targets.c fuzz/target_pdfr.c; do
	obj="$OUT/$(basename "$src" .c).o"
	# shellcheck disable=SC2086
	if "$CC" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj" 2>"$OUT/build.log"; then
		objs+=("$obj")
	else
		echo "fuzz: note: $src does not build with $CC; left out:" >&2
		head -5 "$OUT/build.log" >&2
	fi
done
ar rcs "$OUT/core.a" "${objs[@]}"

for name in "${NAMES[@]}"; do
	# shellcheck disable=SC2086
	if ! "$CC" $CFLAGS -fsanitize=fuzzer \
		-DLM_FUZZ_FONTS_DIR="\"$ROOT/fonts\"" -DLM_FUZZ_PARTIALS_DIR="\"$ROOT/fuzz/partials\"" \
		"fuzz/fuzz_$name.c" "$OUT/core.a" $LIBS -o "$OUT/fuzz_$name" 2>"$OUT/build.log"; then
		echo "fuzz: cannot build fuzz_$name:" >&2
		cat "$OUT/build.log" >&2
		exit 2
	fi
done

# Runs one fuzzer; its log is $OUT/NAME.log.
run_one() {
	local name=$1 work="$OUT/corpus/$name" keep="$ROOT/tests/corpus/$name"
	local dict=()
	mkdir -p "$work" "$keep"
	[ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$OUT/fuzz_$name" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len=$([ "$name" = letter ] && echo 4096 || echo 16384) \
		-print_final_stats=1 -artifact_prefix="$keep/" \
		"$work" "fuzz/corpus/$name" >"$OUT/$name.log" 2>&1
}

# All at once when there are cores for it, so a test run takes SECONDS, not 3x.
pids=()
if [ "$(nproc 2>/dev/null || echo 1)" -ge "${#NAMES[@]}" ]; then
	for name in "${NAMES[@]}"; do
		run_one "$name" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid"; done
else
	for name in "${NAMES[@]}"; do run_one "$name"; done
fi

status=0
for name in "${NAMES[@]}"; do
	log="$OUT/$name.log"
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$done_line" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal|ALARM: working on the last Unit|out-of-memory|runtime error:' "$log" ||
		[ -z "$done_line" ]; then
		status=1
		echo "fuzz: $name FAILED after ${execs:-?} runs; input kept in tests/corpus/$name/:"
		grep -E 'Test unit written to|SUMMARY:|ERROR:|runtime error:|ALARM|out-of-memory|invariant failed' "$log" | head -8 | sed 's/^/  /'
		echo "  full log: $log"
	else
		echo "fuzz: $name ok: ${SECONDS_EACH}s, ${execs:-?} runs (${speed:-?}/s), coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?}"
	fi
done
exit $status
