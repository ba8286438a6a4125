/* test_sign: PAdES signing and verification (src/sign.c).
 *
 * usage: test_sign [scripts/make-test-ca.sh]
 * Makes a throw-away CA with the script in a temporary folder, writes small
 * letters with pdf.c made to be signed, signs them and checks the result
 * byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "diag.h"
#include "font.h"
#include "layout.h"
#include "pdf.h"
#include "sign.h"
#include "verify.h"

#ifndef LM_MAKE_TEST_CA
#define LM_MAKE_TEST_CA "scripts/make-test-ca.sh"
#endif
#ifndef LM_TEST_FONTS_DIR
#define LM_TEST_FONTS_DIR "fonts"
#endif

#define SIGNER_CN "Liverpool Safeguarding Partnership (TEST)"
#define T_2015_03_17 1426550400LL

static const char *script = LM_MAKE_TEST_CA;
static char dir[256];
static char pass[128];
static struct lm_fonts fonts;
static struct lm_buf flat = LM_BUF_INIT; /* an unsigned 2-page letter */

static const char *path(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* A letter of `npages` pages, "Hello page N" on each, a link on page 1. */
static void make_layout(struct lm_layout *lay, int npages)
{
	lm_layout_init(lay, 595.276, 841.89);
	for (int i = 0; i < npages; i++) {
		int para = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
		char text[64];
		snprintf(text, sizeof(text), "Hello page %d", i + 1);
		struct lm_box t = { .kind = LM_BOX_TEXT, .elem = para, .x = 72, .y = 700, .w = 80, .h = 12,
				    .face = LM_FACE_REGULAR, .text = lm_arena_strdup(lay->arena, text) };
		lm_layout_add(lay, (size_t)i, &t);
		if (i == 0) {
			int link = lm_layout_elem(lay, LM_ROLE_LINK, 0, para);
			const char *href = lm_arena_strdup(lay->arena, "https://www.ceop.police.uk");
			lay->elems[link].href = href;
			struct lm_box l = { .kind = LM_BOX_TEXT, .elem = link, .x = 72, .y = 680, .w = 80,
					    .h = 12, .face = LM_FACE_REGULAR,
					    .text = lm_arena_strdup(lay->arena, "ceop.police.uk"), .href = href };
			lm_layout_add(lay, 0, &l);
		}
	}
	lay->sign_rect[0] = 360;
	lay->sign_rect[1] = 60;
	lay->sign_rect[2] = 540;
	lay->sign_rect[3] = 92;
}

/* Writes the letter (made to be signed by `name` when `s` is given), and
 * signs it: returns lm_sign_pdf's result, with the bytes in `out` and the
 * unsigned file's length in *base. */
static int make_signed(const struct lm_signer *s, int npages, int visible,
		       const struct lm_sign_info *info, struct lm_buf *out, size_t *base,
		       struct lm_diag *d)
{
	struct lm_layout lay;
	make_layout(&lay, npages);
	struct lm_pdf_sig sig = { .name = info && info->name ? info->name : SIGNER_CN,
				  .signing_time = info ? info->signing_time : 0, .visible = visible };
	struct lm_pdf_meta meta = { .title = "Hello", .author = "Liverpool City Council", .lang = "en-GB",
				    .sign = s ? &sig : NULL };
	struct lm_pdf pdf;
	lm_diag_clear(d);
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, d), 0);
	assert_int_equal(lm_pdf_add(&pdf, &lay, NULL, 0, d), 0);
	assert_int_equal(lm_pdf_finish(&pdf, d), 0);
	if (base)
		*base = lm_pdfw_tell(&pdf.w);
	int rc = s ? lm_sign_pdf(s, &pdf.target, info, d) : 0;
	size_t len;
	const char *bytes = lm_pdf_bytes(&pdf, &len);
	lm_buf_reset(out);
	lm_buf_add(out, bytes, len);
	lm_pdf_release(&pdf);
	lm_layout_release(&lay);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/lm-test-sign.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' >/dev/null", script, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_sign: '%s' failed\n", cmd);
		return -1;
	}
	FILE *fp = fopen(path("signer.pass"), "r");
	if (!fp || !fgets(pass, sizeof(pass), fp))
		return -1;
	fclose(fp);
	struct lm_diag d;
	lm_fonts_init(&fonts);
	if (lm_fonts_load(&fonts, LM_TEST_FONTS_DIR, &d))
		return -1;
	make_signed(NULL, 2, 0, NULL, &flat, NULL, &d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		return -1;
	lm_buf_release(&flat);
	lm_fonts_release(&fonts);
	return 0;
}

static struct lm_signer *load_p12(void)
{
	struct lm_signer *s = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_signer_load_p12(&s, path("signer.p12"), pass, &d);
	if (rc)
		fprintf(stderr, "%s: %s\n", d.file, d.msg);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

static const struct lm_sign_info default_info = {
	.name = NULL,
	.reason = "Issued by Liverpool Safeguarding Partnership",
	.location = "Liverpool",
	.signing_time = T_2015_03_17,
};

/* The 2-page letter signed invisibly; *base is the unsigned length. */
static void sign_ok(const struct lm_signer *s, const struct lm_sign_info *info, struct lm_buf *out,
		    size_t *base)
{
	struct lm_diag d;
	int rc = make_signed(s, 2, 0, info, out, base, &d);
	if (rc)
		fprintf(stderr, "sign: %s\n", d.msg);
	assert_int_equal(rc, 0);
}

static const char *find(const struct lm_buf *b, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= b->len; i++)
		if (!memcmp(b->ptr + i, needle, n))
			return b->ptr + i;
	return NULL;
}

/* The ByteRange of the signature appended after `orig_len`, checked. */
static void check_byte_range(const struct lm_buf *out, size_t orig_len)
{
	const char *p = find(out, orig_len, "/ByteRange[");
	assert_non_null(p);
	unsigned long long br[4];
	assert_int_equal(sscanf(p + 11, "%llu %llu %llu %llu", &br[0], &br[1], &br[2], &br[3]), 4);
	assert_int_equal(br[0], 0);
	assert_true(br[1] > orig_len);
	assert_int_equal(out->ptr[br[1]], '<');
	assert_int_equal(out->ptr[br[2] - 1], '>');
	assert_int_equal(br[2] + br[3], out->len);
	assert_memory_equal(out->ptr + br[1] - 9, "/Contents", 9);
	for (unsigned long long i = br[1] + 1; i < br[2] - 1; i++)
		assert_true(strchr("0123456789ABCDEF", out->ptr[i]) != NULL);
}

static void verify_ok(const struct lm_buf *b, const char *ca, struct lm_verify_result *r)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_verify_pdf(b->ptr, b->len, ca, r, &d);
	if (rc)
		fprintf(stderr, "verify: %s\n", d.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(r->status, LM_VERIFY_VALID);
}

static void test_sign_p12_and_verify(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	assert_string_equal(lm_signer_name(s), SIGNER_CN);
	struct lm_buf out = LM_BUF_INIT;
	size_t base;
	sign_ok(s, &default_info, &out, &base);
	/* the unsigned file, then one update */
	assert_true(out.len > base);
	assert_memory_equal(out.ptr + base - 6, "%%EOF\n", 6);
	check_byte_range(&out, base);
	assert_non_null(find(&out, base, "/SubFilter/ETSI.CAdES.detached"));
	assert_non_null(find(&out, base, "/M(D:20150317000000+00'00')"));
	assert_non_null(find(&out, base, "/Name(" "Liverpool Safeguarding Partnership \\(TEST\\))"));
	assert_non_null(find(&out, base, "/Reason(Issued by Liverpool Safeguarding Partnership)"));
	/* the field written unsigned, invisible with an empty appearance, filled in by the update */
	assert_non_null(find(&out, 0, "/SigFlags 3"));
	assert_non_null(find(&out, base, "/FT/Sig/T(Signature1)"));
	assert_non_null(find(&out, base, "/TU(Digital signature of Liverpool Safeguarding Partnership \\(TEST\\))"));
	assert_non_null(find(&out, base, "/Rect[0 0 0 0]/AP<</N "));
	assert_non_null(find(&out, base, "/V "));
	assert_null(find(&out, 0, "/Helvetica"));
	/* one update in the same syntax: a cross-reference stream with /Prev, no table */
	assert_non_null(find(&out, base, "/Type/XRef"));
	assert_non_null(find(&out, base, "/Prev "));
	assert_null(find(&out, 0, "\nxref"));
	assert_null(find(&out, 0, "trailer"));
	assert_memory_equal(out.ptr + out.len - 6, "%%EOF\n", 6);

	struct lm_verify_result r;
	verify_ok(&out, path("ca.pem"), &r);
	assert_string_equal(r.signer, SIGNER_CN);
	assert_int_equal(r.signing_time, T_2015_03_17);
	assert_int_equal(r.nsignatures, 1);
	assert_int_equal(r.covered, out.len);
	lm_buf_release(&out);
	lm_signer_free(s);
}

static void test_pem_with_chain_and_encrypted_key(void **state)
{
	(void)state;
	struct lm_diag d;
	struct lm_signer *s = NULL;
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer.key"), path("signer.pem"), path("ca.pem"),
					    NULL, &d), 0);
	struct lm_buf a = LM_BUF_INIT, b = LM_BUF_INIT;
	sign_ok(s, &default_info, &a, NULL);
	lm_signer_free(s);
	s = NULL;
	assert_int_equal(lm_signer_load_pem(&s, path("signer-enc.key"), path("signer.pem"), NULL,
					    pass, &d), 0);
	sign_ok(s, &default_info, &b, NULL);
	lm_signer_free(s);
	struct lm_verify_result r;
	verify_ok(&a, path("ca.pem"), &r);
	verify_ok(&b, path("ca.pem"), &r);
	/* without the chain the CA is still found in the trust file */
	assert_true(b.len < a.len);
	lm_buf_release(&a);
	lm_buf_release(&b);
}

static void test_tampered_content(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_buf out = LM_BUF_INIT;
	size_t base;
	sign_ok(s, &default_info, &out, &base);
	/* one byte of the document's title in its XMP metadata */
	char *p = (char *)find(&out, 0, ">Hello<");
	assert_non_null(p);
	assert_true(p < out.ptr + base);
	p[1] = 'J';
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_TAMPERED);
	assert_string_equal(d.file, "");
	assert_string_equal(d.msg, "the document was changed after it was signed: its digest does not "
				   "match the signature; do not use it: ask the sender for a fresh copy");
	/* one byte of the signature dictionary (outside the hole) too */
	p[1] = 'H';
	verify_ok(&out, path("ca.pem"), &r);
	p = (char *)find(&out, base, "/Location(Liverpool)");
	assert_non_null(p);
	p[10] = 'l';
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_TAMPERED);
	p[10] = 'L';
	verify_ok(&out, path("ca.pem"), &r);
	/* and one byte of the signature value itself (the last bytes of the
	 * DER before the zero padding; the certificates inside the CMS are
	 * not signed, so changing those need not fail) */
	p = (char *)find(&out, base, "/Contents<");
	assert_non_null(p);
	p = strchr(p, '>');
	while (p[-1] == '0')
		p--;
	p -= 20;
	*p = *p == '0' ? '1' : '0';
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("ca.pem"), &r, &d), -1);
	assert_int_not_equal(r.status, LM_VERIFY_VALID);
	lm_buf_release(&out);
	lm_signer_free(s);
}

static void test_not_covered(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_buf out = LM_BUF_INIT;
	sign_ok(s, &default_info, &out, NULL);
	size_t signed_len = out.len;
	lm_buf_adds(&out, "% added\n");
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_NOT_COVERED);
	char want[512];
	snprintf(want, sizeof(want), "8 bytes were added after the signature (it covers %zu of %zu "
		 "bytes); the additions are not signed: do not trust this file", signed_len, out.len);
	assert_string_equal(d.msg, want);
	lm_buf_release(&out);
	lm_signer_free(s);
}

static void test_untrusted_and_unsigned(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_buf out = LM_BUF_INIT;
	sign_ok(s, &default_info, &out, NULL);
	lm_signer_free(s);
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	const char *other = path("other-ca.pem");
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, other, &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_UNTRUSTED);
	/* the reason after "UTC: " is OpenSSL's own wording */
	char want[1024];
	snprintf(want, sizeof(want), "the signer's certificate \"" SIGNER_CN "\" is not trusted by '%s' "
		 "at the signing time 2015-03-17 00:00:00 UTC: ", other);
	assert_memory_equal(d.msg, want, strlen(want));
	const char *tail = "; check you have the authority's CA file";
	assert_true(strlen(d.msg) > strlen(want) + strlen(tail));
	assert_string_equal(d.msg + strlen(d.msg) - strlen(tail), tail);

	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("missing-ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_CA_ERROR);
	assert_string_equal(d.file, path("missing-ca.pem"));
	assert_string_equal(d.msg, "cannot read the CA file: No such file or directory; check the path");

	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf(flat.ptr, flat.len, path("ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_NO_SIGNATURE);
	assert_string_equal(d.msg, "the PDF is not signed (it has no signature field); do not trust it "
				   "as coming from the authority");

	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf("hello", 5, path("ca.pem"), &r, &d), -1);
	assert_string_equal(d.msg, "not a PDF file (no '%PDF-' header)");
	lm_buf_release(&out);
}

static void test_wrong_password(void **state)
{
	(void)state;
	struct lm_signer *s = (struct lm_signer *)1;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_p12(&s, path("signer.p12"), "not the password", &d), -1);
	assert_null(s);
	assert_string_equal(d.file, path("signer.p12"));
	assert_string_equal(d.msg, "wrong password for the PKCS#12 key bundle; check the password file "
				   "or environment variable");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_p12(&s, path("signer.p12"), NULL, &d), -1);
	assert_string_equal(d.msg, "wrong password for the PKCS#12 key bundle; check the password file "
				   "or environment variable");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer-enc.key"), path("signer.pem"), NULL,
					    "not the password", &d), -1);
	assert_string_equal(d.file, path("signer-enc.key"));
	assert_string_equal(d.msg, "wrong password for the private key; check the password file or "
				   "environment variable");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer-enc.key"), path("signer.pem"), NULL, NULL, &d),
			 -1);
	assert_string_equal(d.msg, "the private key is encrypted; give its password");
}

static void test_expired(void **state)
{
	(void)state;
	struct lm_signer *s = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer.key"), path("expired.pem"), NULL, NULL, &d), 0);
	const char *want = "the certificate \"Liverpool Safeguarding Partnership (TEST, EXPIRED)\" expired "
			   "on 2012-01-01 00:00:00 UTC, before the signing time 2015-03-17 00:00:00 UTC; "
			   "renew it with the certificate authority";
	assert_int_equal(lm_signer_check_time(s, T_2015_03_17, &d), -1);
	assert_string_equal(d.file, path("expired.pem"));
	assert_string_equal(d.msg, want);
	/* signing refuses too, and appends nothing */
	struct lm_buf out = LM_BUF_INIT;
	size_t base;
	assert_int_equal(make_signed(s, 2, 0, &default_info, &out, &base, &d), -1);
	assert_string_equal(d.msg, want);
	assert_int_equal(out.len, base);
	/* inside its validity it signs */
	assert_int_equal(lm_signer_check_time(s, 1300000000LL, &d), 0);
	lm_buf_release(&out);
	lm_signer_free(s);

	/* the good certificate is not valid before 2015 */
	s = load_p12();
	assert_int_equal(lm_signer_check_time(s, 1400000000LL, &d), -1);
	assert_string_equal(d.msg, "the certificate \"" SIGNER_CN "\" is not valid before 2015-01-01 "
				   "00:00:00 UTC, but the signing time is 2014-05-13 16:53:20 UTC; sign with "
				   "a later date or use the authority's current certificate");
	lm_signer_free(s);
}

static void test_mismatched_key(void **state)
{
	(void)state;
	struct lm_signer *s = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer.key"), path("mismatched.pem"), NULL, NULL, &d),
			 -1);
	assert_null(s);
	assert_string_equal(d.file, path("signer.key"));
	char want[1024];
	snprintf(want, sizeof(want), "the key and the certificate '%s' do not match: this is not the "
		 "private key of \"Liverpool Safeguarding Partnership (TEST, OTHER KEY)\"; give the key "
		 "the certificate was issued for", path("mismatched.pem"));
	assert_string_equal(d.msg, want);
}

static void test_missing_files(void **state)
{
	(void)state;
	struct lm_signer *s = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_p12(&s, path("nope.p12"), "x", &d), -1);
	assert_string_equal(d.file, path("nope.p12"));
	assert_string_equal(d.msg, "cannot read the PKCS#12 key bundle: No such file or directory; "
				   "check the path");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("nope.key"), path("signer.pem"), NULL, NULL, &d), -1);
	assert_string_equal(d.file, path("nope.key"));
	assert_string_equal(d.msg, "cannot read the private key: No such file or directory; check the path");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer.key"), path("nope.pem"), NULL, NULL, &d), -1);
	assert_string_equal(d.file, path("nope.pem"));
	assert_string_equal(d.msg, "cannot read the certificate: No such file or directory; check the path");
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_pem(&s, path("signer.key"), path("signer.pem"), path("nope.pem"),
					    NULL, &d), -1);
	assert_string_equal(d.msg, "cannot read the certificate chain: No such file or directory; "
				   "check the path");
	/* a file that is not a key bundle */
	lm_diag_clear(&d);
	assert_int_equal(lm_signer_load_p12(&s, path("ca.pem"), "x", &d), -1);
	assert_string_equal(d.msg, "not a PKCS#12 key bundle (.p12/.pfx); give the authority's bundle, "
				   "or PEM key and certificate files");
	assert_null(s);
}

static void test_reproducible(void **state)
{
	(void)state;
	struct lm_signer *s1 = load_p12(), *s2 = load_p12();
	struct lm_buf a = LM_BUF_INIT, b = LM_BUF_INIT, c = LM_BUF_INIT;
	sign_ok(s1, &default_info, &a, NULL);
	sign_ok(s2, &default_info, &b, NULL);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	/* another time changes /M and therefore the signature value */
	struct lm_sign_info later = default_info;
	later.signing_time += 3600;
	sign_ok(s1, &later, &c, NULL);
	assert_int_equal(c.len, a.len);
	assert_memory_not_equal(a.ptr, c.ptr, a.len);
	lm_buf_release(&a);
	lm_buf_release(&b);
	lm_buf_release(&c);
	lm_signer_free(s1);
	lm_signer_free(s2);
}

static void test_visible_on_last_page(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_sign_info info = default_info;
	info.visible = 1;
	info.name = "Liverpool Safeguarding Children Partnership \xe2\x80\x93 Caf\xc3\xa9";
	struct lm_buf out = LM_BUF_INIT;
	size_t base;
	struct lm_diag d;
	assert_int_equal(make_signed(s, 5, 1, &info, &out, &base, &d), 0);
	check_byte_range(&out, base);
	assert_non_null(find(&out, base, "/Rect[360 60 540 92]/AP<</N "));
	/* a non-ASCII name in PDFDocEncoding (– is 0x85); our own font in the box */
	assert_non_null(find(&out, base, "/Name(Liverpool Safeguarding Children Partnership \x85 Caf\xE9)"));
	assert_null(find(&out, 0, "/Helvetica"));
	struct lm_verify_result r;
	verify_ok(&out, path("ca.pem"), &r);
	lm_buf_release(&out);
	lm_signer_free(s);
}

/* A file made without a signature field cannot be signed. */
static void test_no_field(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_layout lay;
	make_layout(&lay, 1);
	struct lm_pdf_meta meta = { .title = "Hello" };
	struct lm_pdf pdf;
	struct lm_diag d;
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, &d), 0);
	assert_int_equal(lm_pdf_add(&pdf, &lay, NULL, 0, &d), 0);
	assert_int_equal(lm_pdf_finish(&pdf, &d), 0);
	size_t before = lm_pdfw_tell(&pdf.w);
	assert_int_equal(lm_sign_pdf(s, &pdf.target, &default_info, &d), -1);
	assert_string_equal(d.msg, "the PDF was made without a signature field; this is a bug in lettermerge");
	assert_int_equal(lm_pdfw_tell(&pdf.w), before);
	lm_pdf_release(&pdf);
	lm_layout_release(&lay);
	lm_signer_free(s);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		script = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_p12_and_verify),
		cmocka_unit_test(test_pem_with_chain_and_encrypted_key),
		cmocka_unit_test(test_tampered_content),
		cmocka_unit_test(test_not_covered),
		cmocka_unit_test(test_untrusted_and_unsigned),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_mismatched_key),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_visible_on_last_page),
		cmocka_unit_test(test_no_field),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
