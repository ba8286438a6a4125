#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build,
# and run every test twice: on the normal build (unit, end-to-end, valgrind)
# and on an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
(cd build && ctest --output-on-failure)
scripts/setup.sh build-asan -DLM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure)
