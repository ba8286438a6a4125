#!/usr/bin/env bash
# Installs the Debian 12 packages lettermerge needs that are missing, then
# configures and builds it in build/ (or $1, with further cmake arguments).
# Never prompts: safe for CI and scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	build-essential cmake pkg-config   # compiler and build
	libmd4c-dev                        # Markdown (CommonMark + tables)
	libyaml-dev                        # letter front matter
	libzip-dev libxml2-dev             # .xlsx and .ods workbooks (zip archives of XML)
	libharfbuzz-dev                    # text shaping and font metrics (and subsetting)
	libfribidi-dev                     # the Unicode bidirectional algorithm: Arabic, Urdu, Hebrew lines
	libunibreak-dev                    # line-break opportunities (UAX #14), not spaces only
	fonts-noto-core                    # fallback faces for scripts Liberation Sans lacks (OFL 1.1; fonts/README.md)
	libpng-dev zlib1g-dev              # images decoded and deflated once per run
	libdeflate-dev                     # page, font and object streams deflated in half zlib's time
	libjpeg62-turbo-dev                # JPEGs decoded in full before they are embedded
	libssl-dev openssl                 # digital signatures (and sha256 for manifests); test CA
	libcmocka-dev                      # unit tests
	poppler-utils qpdf                 # checking the PDFs in tests
	ghostscript                        # an independent PDF reader in tests (strict mode)
	valgrind python3                   # leak checks; test fixtures
	mupdf-tools python3-pikepdf        # independent readers in tests; tamper tests for verify (updates saved by other tools)
	parallel                           # a run spread over shards as on many machines (tests/e2e/parallel.sh)
	clang libclang-rt-14-dev           # libFuzzer runs in the test suite
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
