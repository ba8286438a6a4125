#!/usr/bin/env bash
# Signing end to end: real letters signed with a throw-away CA by
# `lettermerge build --sign-key`, checked with poppler (pdfsig, pdftoppm,
# pdftotext), qpdf, Ghostscript, MuPDF and `lettermerge verify`.
# usage: tests/sign/run.sh BIN_DIR SOURCE_DIR
# Prints "sign: N passed, N failed"; exit status 0 only if none failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
BIN=$(realpath "$1")
SRC=$(realpath "$2")
LM=$BIN/lettermerge
VERIFY=("$LM" verify)
WORK=$(mktemp -d /tmp/lettermerge-sign.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$SRC" || exit 2

for tool in pdfsig qpdf pdftoppm pdftotext gs mutool; do
	command -v "$tool" >/dev/null || { bad "$tool is not installed (see scripts/setup.sh)"; finish sign; }
done
[ -x "$LM" ] || { bad "no lettermerge in $BIN"; finish sign; }

CA=$WORK/ca
if ! bash scripts/make-test-ca.sh "$CA" >"$WORK/ca.log" 2>&1; then
	bad "scripts/make-test-ca.sh: $(cat "$WORK/ca.log")"
	finish sign
fi
P12=(--sign-key "$CA/signer.p12" --sign-pass-file "$CA/signer.pass")
LETTER=(letters/cse-awareness.md --area areas/liverpool --date 2015-03-17)
T2015=1426550400

pdfsig_valid() { # the signature verifies and covers the whole file
	local out
	out=$(pdfsig "$1" 2>&1)
	grep -q "Signature Validation: Signature is Valid." <<<"$out" &&
		grep -q "Total document signed" <<<"$out" && ! grep -q "Not total document signed" <<<"$out"
}
qpdf_clean() { # qpdf --check exits 0 and warns about nothing
	local out
	out=$(qpdf --check "$1" 2>&1) && ! grep -qi "warning\|error:" <<<"$out"
}
renders() { # every page renders to a non-empty image
	rm -f "$WORK"/page-*.png
	pdftoppm -r 30 -png "$1" "$WORK/page" 2>/dev/null && [ -n "$(find "$WORK" -name 'page-*.png' -size +1k)" ]
}
gs_strict() { gs -q -dPDFSTOPONERROR -dNOPAUSE -dBATCH -sDEVICE=nullpage "$1" >"$WORK/gs.log" 2>&1 && ! grep -qi "error" "$WORK/gs.log"; }
# (this mupdf is built without ICC support and says so on every file)
mutool_clean() { mutool draw -o /dev/null "$1" >"$WORK/mu.log" 2>&1 && ! grep -v "ICC support is not available" "$WORK/mu.log" | grep -qi "error\|warning"; }
revisions() { grep -ac '%%EOF' "$1"; }
flip_in_first_stream() { # change one byte inside the first stream (the XMP metadata)
	local off
	off=$(grep -abo -m1 'stream' "$1" | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	printf 'X' | dd of="$1" bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null
}

# ---- a real letter, unsigned and signed invisibly and visibly ----
if ! "$LM" build "${LETTER[@]}" -o "$WORK/letter.pdf" 2>"$WORK/err"; then
	bad "build failed: $(cat "$WORK/err")"
	finish sign
fi
for kind in invisible visible ecdsa; do
	extra=("${P12[@]}")
	[ $kind = visible ] && extra+=(--sign-visible)
	[ $kind = ecdsa ] && extra=(--sign-key "$CA/ec.p12" --sign-pass-file "$CA/signer.pass")
	out=$WORK/signed-$kind.pdf
	if ! SOURCE_DATE_EPOCH=$T2015 "$LM" build "${LETTER[@]}" -o "$out" "${extra[@]}" 2>"$WORK/err"; then
		bad "$kind: build --sign-key failed: $(cat "$WORK/err")"
		continue
	fi
	ok
	check "$kind: one revision, then one update" test "$(revisions "$out")" -eq 2
	check "$kind: pdfsig valid, whole document" pdfsig_valid "$out"
	check "$kind: pdfsig ETSI.CAdES.detached" sh -c "pdfsig '$out' | grep -q 'Signature Type: ETSI.CAdES.detached'"
	check "$kind: qpdf --check clean" qpdf_clean "$out"
	check "$kind: Ghostscript strict" gs_strict "$out"
	check "$kind: mutool draw clean" mutool_clean "$out"
	check "$kind: renders" renders "$out"
	check "$kind: verify" sh -c "'$LM' verify --trust '$CA/ca.pem' '$out' | grep -q ': valid, signed by Liverpool Safeguarding Partnership (TEST.*) on 2015-03-17'"
	check "$kind: same text as unsigned" sh -c "[ \"\$(pdftotext -f 1 -l 1 '$out' - 2>/dev/null)\" = \"\$(pdftotext -f 1 -l 1 '$WORK/letter.pdf' - 2>/dev/null)\" ]"
done
check "visible: box text on the last page" sh -c "pdftotext -f 2 -l 2 '$WORK/signed-visible.pdf' - 2>/dev/null | grep -q 'Digitally signed by Liverpool Safeguarding'"
check "visible: drawn with our embedded font, not Helvetica" sh -c "! pdffonts '$WORK/signed-visible.pdf' | grep -q Helvetica && ! grep -aq Helvetica '$WORK/signed-visible.pdf'"

# ---- reproducible: same input, key and time give the same bytes (RSA) ----
SOURCE_DATE_EPOCH=$T2015 "$LM" build "${LETTER[@]}" -o "$WORK/again.pdf" "${P12[@]}" 2>/dev/null
check "reproducible" cmp -s "$WORK/signed-invisible.pdf" "$WORK/again.pdf"

# ---- a letter dated 2015 signed now, with a certificate issued today ----
before=$(date -u +%s)
if "$LM" build "${LETTER[@]}" -o "$WORK/today.pdf" --sign-key "$CA/today.p12" \
	--sign-pass-file "$CA/signer.pass" 2>"$WORK/err"; then
	ok
	check "signed today: pdfsig valid" pdfsig_valid "$WORK/today.pdf"
	when=$(pdfsig "$WORK/today.pdf" 2>/dev/null | sed -n 's/.*Signing Time: //p' | head -1)
	check "signed today: pdfsig shows today ($when)" sh -c "[ \"\$(date -u -d '$when' +%s 2>/dev/null || echo 0)\" -ge $((before - 120)) ]"
	check "signed today: the letter still says 17 March 2015" sh -c "pdftotext '$WORK/today.pdf' - | grep -q '17th March, 2015'"
else
	bad "a letter dated 2015 cannot be signed with today's certificate: $(cat "$WORK/err")"
fi

# ---- tampering is caught ----
cp "$WORK/signed-invisible.pdf" "$WORK/tampered.pdf"
off=$(grep -abo -m1 '<dc:title>' "$WORK/tampered.pdf" | head -1 | cut -d: -f1)
printf 'X' | dd of="$WORK/tampered.pdf" bs=1 seek=$((off + 60)) conv=notrunc 2>/dev/null
check "tampered: bytes differ" sh -c "! cmp -s '$WORK/tampered.pdf' '$WORK/signed-invisible.pdf'"
check "tampered: pdfsig says digest mismatch" sh -c "pdfsig '$WORK/tampered.pdf' 2>&1 | grep -q 'Digest Mismatch'"
check "tampered: pdfsig does not say valid" sh -c "! pdfsig '$WORK/tampered.pdf' 2>&1 | grep -q 'Signature is Valid'"
"$LM" verify --trust "$CA/ca.pem" "$WORK/tampered.pdf" >"$WORK/out" 2>&1
check "tampered: verify exits 1" test $? -eq 1
check "tampered: verify says changed" grep -q "tampered.pdf: error: the document was changed after it was signed" "$WORK/out"

cp "$WORK/signed-invisible.pdf" "$WORK/appended.pdf"
printf '%% added later\n' >>"$WORK/appended.pdf"
check "appended: pdfsig not total" sh -c "pdfsig '$WORK/appended.pdf' 2>&1 | grep -q 'Not total document signed'"
"$LM" verify --trust "$CA/ca.pem" "$WORK/appended.pdf" >"$WORK/out" 2>&1
check "appended: verify exits 1" test $? -eq 1
check "appended: verify says added" grep -q "bytes were added after the signature" "$WORK/out"

"$LM" verify --trust "$CA/other-ca.pem" "$WORK/signed-invisible.pdf" >"$WORK/out" 2>&1
check "other CA: verify exits 1" test $? -eq 1
check "other CA: verify says not trusted" grep -q "is not trusted by" "$WORK/out"

# a batch: all valid -> 0; one unsigned among them -> 1, one line per file
"$LM" verify --trust "$CA/ca.pem" "$WORK/signed-invisible.pdf" "$WORK/signed-visible.pdf" >"$WORK/out" 2>&1
check "batch valid: exit 0" test $? -eq 0
check "batch valid: two lines" test "$(grep -c ': valid, signed by' "$WORK/out")" -eq 2
"$LM" verify --trust "$CA/ca.pem" "$WORK/signed-invisible.pdf" "$WORK/letter.pdf" >"$WORK/out" 2>&1
check "batch with unsigned: exit 1" test $? -eq 1
check "batch with unsigned: says not signed" grep -q "letter.pdf: error: the PDF is not signed" "$WORK/out"
"$LM" verify "$WORK/signed-invisible.pdf" >/dev/null 2>&1
check "verify without --trust: exit 2" test $? -eq 2

# ---- every signature, and what changed after each (lettermerge verify) ----
# The first signature by `build --sign-key`; a second one, from another
# certificate of the same CA (other.key with its certificate: mismatched.pem
# only mismatches signer.key), by the sign-again helper, which reads any PDF.
SA=$BIN/sign-again
[ -x "$SA" ] || SA=$BIN/tests/sign-again
SIGN2=(--key "$CA/other.key" --cert "$CA/mismatched.pem" --name "Liverpool City Council (TEST)")
verify_fails() { # verify_fails NAME FILE "expected message"
	"${VERIFY[@]}" --trust "$CA/ca.pem" "$2" >"$WORK/out" 2>&1
	check "$1: verify exits 1" test $? -eq 1
	check "$1: message" grep -qF -- "$(basename "$2"): error: $3" "$WORK/out"
}
S1=$WORK/signed-once.pdf
if ! SOURCE_DATE_EPOCH=1426550400 "$LM" build letters/cse-awareness.md --area areas/liverpool -o "$S1" \
	--date 2015-03-17 --sign-key "$CA/signer.p12" --sign-pass-file "$CA/signer.pass" 2>"$WORK/err"; then
	bad "build --sign-key: $(cat "$WORK/err")"
fi
if "$SA" "${SIGN2[@]}" --time 1426636800 "$S1" "$WORK/two.pdf" 2>"$WORK/err"; then
	"${VERIFY[@]}" --trust "$CA/ca.pem" "$WORK/two.pdf" >"$WORK/out" 2>&1
	check "two signatures: verify exits 0" test $? -eq 0
	check "two signatures: both named" grep -q "two.pdf: valid, signed by Liverpool Safeguarding Partnership (TEST) on 2015-03-17 00:00:00 UTC, then by Liverpool Safeguarding Partnership (TEST, OTHER KEY) on 2015-03-18" "$WORK/out"
	check "two signatures: pdfsig valid" sh -c "pdfsig '$WORK/two.pdf' | grep -c 'Signature is Valid' | grep -qx 2"
	check "two signatures: qpdf --check" qpdf_clean "$WORK/two.pdf"
else
	bad "second signature: $(cat "$WORK/err")"
fi
# a byte flipped in the first signer's revision of a twice-signed letter
cp "$WORK/two.pdf" "$WORK/flipped.pdf"
flip_in_first_stream "$WORK/flipped.pdf"
verify_fails "byte flipped" "$WORK/flipped.pdf" \
	"the document was changed after it was signed: its digest does not match the signature"
EDIT=(/usr/bin/python3 tests/sign/edit-pdf.py)
# content appended by a classic-table incremental update, not signed
if "${EDIT[@]}" append-content "$S1" "$WORK/appended-content.pdf" 2>"$WORK/err"; then
	check "appended content: qpdf reads it" sh -c "qpdf --check '$WORK/appended-content.pdf' >/dev/null 2>&1"
	verify_fails "appended content" "$WORK/appended-content.pdf" \
		"page 1 was changed after Liverpool Safeguarding Partnership (TEST) signed it; nobody signed the change: do not use this letter"
else
	bad "edit-pdf append-content: $(cat "$WORK/err")"
fi
# a comment added to page 1
if "${EDIT[@]}" add-annot "$S1" "$WORK/comment.pdf" 2>"$WORK/err"; then
	verify_fails "comment added" "$WORK/comment.pdf" \
		"a comment was added to page 1 after Liverpool Safeguarding Partnership (TEST) signed it"
else
	bad "edit-pdf add-annot: $(cat "$WORK/err")"
fi
# page 1 changed, then signed again with another certificate from the same CA
if "${EDIT[@]}" replace-content "$S1" "$WORK/changed.pdf" 2>"$WORK/err" &&
	"$SA" "${SIGN2[@]}" "$WORK/changed.pdf" "$WORK/forged.pdf" 2>>"$WORK/err"; then
	check "forged: pdfsig says the first does not cover it" sh -c "pdfsig '$WORK/forged.pdf' | grep -q 'Not total document signed'"
	verify_fails "forged" "$WORK/forged.pdf" \
		"page 1 was changed after Liverpool Safeguarding Partnership (TEST) signed it; then it was signed again by Liverpool City Council (TEST), which does not make the change right"
else
	bad "forged: $(cat "$WORK/err")"
fi
# the first signature taken out of the form, page 1 changed, then signed
# by another: a reader that looks only at the fields now sees one signature
if "${EDIT[@]}" strip-signature "$S1" "$WORK/stripped.pdf" 2>"$WORK/err" &&
	"$SA" "${SIGN2[@]}" "$WORK/stripped.pdf" "$WORK/stripped-signed.pdf" 2>>"$WORK/err"; then
	verify_fails "stripped" "$WORK/stripped-signed.pdf" \
		"page 1 was changed after Liverpool Safeguarding Partnership (TEST) signed it; then it was signed again by Liverpool City Council (TEST)"
else
	bad "stripped: $(cat "$WORK/err")"
fi
# the Info title changed by MuPDF, saved as an update with a cross-reference stream
if command -v mutool >/dev/null; then
	cat >"$WORK/title.js" <<'JS'
var doc = new PDFDocument(scriptArgs[0]);
doc.getTrailer().get("Info").put("Title", doc.newString("Changed"));
doc.save(scriptArgs[1], "incremental");
JS
	if mutool run "$WORK/title.js" "$WORK/two.pdf" "$WORK/retitled.pdf" 2>"$WORK/err"; then
		check "retitled: saved with a cross-reference stream" sh -c "tail -c 600 '$WORK/retitled.pdf' | grep -aq '/Type */XRef'"
		verify_fails "retitled" "$WORK/retitled.pdf" \
			"the document's title or other details (its /Info) was changed after Liverpool Safeguarding Partnership (TEST) signed it; nobody signed the change"
	else
		bad "mutool run: $(cat "$WORK/err")"
	fi
else
	bad "mutool is not installed (mupdf-tools)"
fi

# any number of files in one run (the CA loaded once): 2,000 copies of the
# letter signed twice, and one forgery among them
mkdir -p "$WORK/many"
for i in $(seq 1 2000); do ln -f "$WORK/two.pdf" "$WORK/many/$i.pdf" 2>/dev/null || cp "$WORK/two.pdf" "$WORK/many/$i.pdf"; done
"${VERIFY[@]}" --trust "$CA/ca.pem" "$WORK/many"/*.pdf >"$WORK/out" 2>&1
check "2,000 files: exit 0" test $? -eq 0
check "2,000 files: 2,000 lines valid" test "$(grep -c ': valid, signed by' "$WORK/out")" -eq 2000
rm -f "$WORK/many/1000.pdf" && cp "$WORK/forged.pdf" "$WORK/many/1000.pdf"
"${VERIFY[@]}" --trust "$CA/ca.pem" "$WORK/many"/*.pdf >"$WORK/out" 2>&1
check "2,000 files, one forged: exit 1" test $? -eq 1
check "2,000 files, one forged: 1,999 valid" test "$(grep -c ': valid, signed by' "$WORK/out")" -eq 1999
check "2,000 files, one forged: it is named" grep -q "many/1000.pdf: error: page 1 was changed" "$WORK/out"
rm -rf "$WORK/many"

# ---- key problems: clear message, nothing written ----
sign_fails() { # sign_fails NAME "expected message part" build signing args...
	local name=$1 want=$2; shift 2
	rm -f "$WORK/never.pdf"
	if SOURCE_DATE_EPOCH=$T2015 "$LM" build "${LETTER[@]}" -o "$WORK/never.pdf" "$@" 2>"$WORK/err"; then
		bad "$name: signing succeeded"
		return
	fi
	ok
	check "$name: message" grep -qF -- "$want" "$WORK/err"
	check "$name: nothing written" test ! -e "$WORK/never.pdf"
	check "$name: no temporary left" sh -c "! ls '$WORK' | grep -q 'never.pdf.tmp'"
}
printf 'wrong' >"$WORK/wrong.pass"
sign_fails "wrong password" "signer.p12: error: wrong password for the PKCS#12 key bundle" \
	--sign-key "$CA/signer.p12" --sign-pass-file "$WORK/wrong.pass"
sign_fails "expired certificate" "expired.pem: error: the certificate \"Liverpool Safeguarding Partnership (TEST, EXPIRED)\" expired on 2012-01-01" \
	--sign-key "$CA/signer.key" --sign-cert "$CA/expired.pem"
sign_fails "key and certificate not matching" "signer.key: error: the key and the certificate" \
	--sign-key "$CA/signer.key" --sign-cert "$CA/mismatched.pem"
sign_fails "missing key file" "missing.p12: error: cannot read the PKCS#12 key bundle: No such file or directory" \
	--sign-key "$CA/missing.p12" --sign-pass-file "$CA/signer.pass"

finish sign
