# Shared by the shell test scripts: counters, the checks, and the closing
# line ctest and CI read ("NAME: N passed, N failed").  Source it.

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check "name" command...
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}
# A PDF's text on one line, white space folded, so a fact wrapped over two
# lines is still found.
pdf_text() { pdftotext -enc UTF-8 "$1" - 2>/dev/null | tr '\n\f' '  ' | tr -s ' '; }
# Prints the closing line; exits 1 when anything failed.
finish() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
