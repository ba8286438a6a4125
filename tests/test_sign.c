/* test_sign: PAdES signing and verification (src/sign.c).
 *
 * usage: test_sign [scripts/make-test-ca.sh]
 * Makes a throw-away CA with the script in a temporary folder, builds small
 * PDFs with libharu, signs them and checks the result byte by byte.
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
#include <hpdf.h>
#include <hpdf_objects.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"
#include "verify.h"

#ifndef LM_MAKE_TEST_CA
#define LM_MAKE_TEST_CA "scripts/make-test-ca.sh"
#endif

#define SIGNER_CN "Liverpool Safeguarding Partnership (TEST)"
#define T_2015_03_17 1426550400LL

static const char *script = LM_MAKE_TEST_CA;
static char dir[256];
static char pass[128];
static struct lm_buf flat = LM_BUF_INIT;   /* 2 pages, a link on page 1 */
static struct lm_buf nested = LM_BUF_INIT; /* 5 pages, nested page tree */
static long nested_last_page;

static const char *path(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void HPDF_STDCALL hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
	(void)user;
	fprintf(stderr, "libharu error 0x%04lX (%lu)\n", (unsigned long)code, (unsigned long)detail);
	abort();
}

/* A PDF with `npages` pages of uncompressed text "Hello page N", a link on
 * page 1, and at most `per_node` pages per page-tree node (0: flat). */
static void make_pdf(struct lm_buf *out, int npages, unsigned per_node, long *last_page)
{
	HPDF_Doc doc = HPDF_New(hpdf_error, NULL);
	assert_non_null(doc);
	HPDF_SetCompressionMode(doc, HPDF_COMP_NONE);
	if (per_node)
		HPDF_SetPagesConfiguration(doc, per_node);
	HPDF_Font font = HPDF_GetFont(doc, "Helvetica", NULL);
	for (int i = 1; i <= npages; i++) {
		HPDF_Page page = HPDF_AddPage(doc);
		HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
		char text[64];
		snprintf(text, sizeof(text), "Hello page %d", i);
		HPDF_Page_BeginText(page);
		HPDF_Page_SetFontAndSize(page, font, 12);
		HPDF_Page_TextOut(page, 72, 700, text);
		HPDF_Page_EndText(page);
		if (i == 1) {
			HPDF_Rect r = { 72, 690, 200, 715 };
			HPDF_Page_CreateURILinkAnnot(page, r, "https://www.ceop.police.uk");
		}
		if (last_page)
			*last_page = (long)(((HPDF_Obj_Header *)page)->obj_id & 0x00FFFFFF);
	}
	HPDF_SaveToStream(doc);
	HPDF_UINT32 size = HPDF_GetStreamSize(doc);
	lm_buf_grow(out, size);
	HPDF_UINT32 got = size;
	HPDF_ReadFromStream(doc, (HPDF_BYTE *)out->ptr, &got);
	assert_int_equal(got, size);
	out->len = size;
	out->ptr[size] = '\0';
	HPDF_Free(doc);
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
	make_pdf(&flat, 2, 0, NULL);
	make_pdf(&nested, 5, 2, &nested_last_page);
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
	lm_buf_release(&nested);
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

static void sign_ok(const struct lm_signer *s, const struct lm_buf *in, const struct lm_sign_info *info,
		    struct lm_buf *out)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_sign_pdf(s, in->ptr, in->len, info, out, &d);
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
	const char *p = find(out, orig_len, "/ByteRange [");
	assert_non_null(p);
	unsigned long long br[4];
	assert_int_equal(sscanf(p + 12, "%llu %llu %llu %llu", &br[0], &br[1], &br[2], &br[3]), 4);
	assert_int_equal(br[0], 0);
	assert_true(br[1] > orig_len);
	assert_int_equal(out->ptr[br[1]], '<');
	assert_int_equal(out->ptr[br[2] - 1], '>');
	assert_int_equal(br[2] + br[3], out->len);
	assert_memory_equal(out->ptr + br[1] - 10, "/Contents ", 10);
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
	sign_ok(s, &flat, &default_info, &out);
	/* the original bytes, unchanged, then the update */
	assert_true(out.len > flat.len);
	assert_memory_equal(out.ptr, flat.ptr, flat.len);
	check_byte_range(&out, flat.len);
	assert_non_null(find(&out, flat.len, "/SubFilter /ETSI.CAdES.detached"));
	assert_non_null(find(&out, flat.len, "/M (D:20150317000000+00'00')"));
	assert_non_null(find(&out, flat.len, "/Name (" "Liverpool Safeguarding Partnership \\(TEST\\))"));
	assert_non_null(find(&out, flat.len, "/Reason (Issued by Liverpool Safeguarding Partnership)"));
	assert_non_null(find(&out, flat.len, "/SigFlags 3"));
	assert_non_null(find(&out, flat.len, "/Rect [ 0 0 0 0 ]"));
	assert_null(find(&out, flat.len, "/AP"));
	/* the link annotation of page 1 is kept beside the widget */
	const char *annots = find(&out, flat.len, "/Annots [ ");
	assert_non_null(annots);
	long a1, a2;
	assert_int_equal(sscanf(annots + 10, "%ld 0 R %ld 0 R ]", &a1, &a2), 2);
	assert_true(a1 != a2);
	assert_non_null(find(&out, flat.len, "/Prev "));
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
	sign_ok(s, &flat, &default_info, &a);
	lm_signer_free(s);
	s = NULL;
	assert_int_equal(lm_signer_load_pem(&s, path("signer-enc.key"), path("signer.pem"), NULL,
					    pass, &d), 0);
	sign_ok(s, &flat, &default_info, &b);
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
	sign_ok(s, &flat, &default_info, &out);
	/* one byte of the first page's text, inside its content stream */
	char *p = (char *)find(&out, 0, "(Hello page 1)");
	assert_non_null(p);
	assert_true(p < out.ptr + flat.len);
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
	p = (char *)find(&out, flat.len, "/Location (Liverpool)");
	assert_non_null(p);
	p[11] = 'l';
	assert_int_equal(lm_verify_pdf(out.ptr, out.len, path("ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_TAMPERED);
	p[11] = 'L';
	/* and one byte of the signature value itself (the last bytes of the
	 * DER before the zero padding; the certificates inside the CMS are
	 * not signed, so changing those need not fail) */
	p = (char *)find(&out, flat.len, "/Contents <");
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
	sign_ok(s, &flat, &default_info, &out);
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
	sign_ok(s, &flat, &default_info, &out);
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
	/* signing refuses too, and leaves `out` as it was */
	struct lm_buf out = LM_BUF_INIT;
	lm_buf_adds(&out, "keep");
	lm_diag_clear(&d);
	assert_int_equal(lm_sign_pdf(s, flat.ptr, flat.len, &default_info, &out, &d), -1);
	assert_string_equal(d.msg, want);
	assert_string_equal(out.ptr, "keep");
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
	sign_ok(s1, &flat, &default_info, &a);
	sign_ok(s2, &flat, &default_info, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	/* another time changes /M and therefore the signature value */
	struct lm_sign_info later = default_info;
	later.signing_time += 3600;
	sign_ok(s1, &flat, &later, &c);
	assert_int_equal(c.len, a.len);
	assert_memory_not_equal(a.ptr, c.ptr, a.len);
	lm_buf_release(&a);
	lm_buf_release(&b);
	lm_buf_release(&c);
	lm_signer_free(s1);
	lm_signer_free(s2);
}

static void test_visible_on_last_page_of_nested_tree(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_sign_info info = default_info;
	info.visible = 1;
	info.rect[0] = 360;
	info.rect[1] = 60;
	info.rect[2] = 540;
	info.rect[3] = 92;
	info.name = "Liverpool Safeguarding Children Partnership \xe2\x80\x93 Caf\xc3\xa9";
	struct lm_buf out = LM_BUF_INIT;
	sign_ok(s, &nested, &info, &out);
	check_byte_range(&out, nested.len);
	char want[64];
	snprintf(want, sizeof(want), "/P %ld 0 R", nested_last_page);
	assert_non_null(find(&out, nested.len, want));
	snprintf(want, sizeof(want), "\n%ld 0 obj\n", nested_last_page);
	assert_non_null(find(&out, nested.len, want));
	assert_non_null(find(&out, nested.len, "/AP << /N "));
	assert_non_null(find(&out, nested.len, "/BaseFont /Helvetica"));
	assert_non_null(find(&out, nested.len, "/Rect [ 360.0000 60.0000 540.0000 92.0000 ]"));
	/* a non-ASCII name: UTF-16BE in /Name, WinAnsi in the appearance */
	assert_non_null(find(&out, nested.len, "/Name <FEFF004C0069"));
	assert_non_null(find(&out, nested.len, "Partnership \\226 Caf\\351) Tj"));
	struct lm_verify_result r;
	verify_ok(&out, path("ca.pem"), &r);

	/* an empty box is refused */
	struct lm_diag d;
	lm_diag_clear(&d);
	info.rect[2] = info.rect[0];
	struct lm_buf none = LM_BUF_INIT;
	assert_int_equal(lm_sign_pdf(s, nested.ptr, nested.len, &info, &none, &d), -1);
	assert_string_equal(d.msg, "the visible signature box [360 60 360 92] is empty; give x1 y1 x2 y2 "
				   "with x2 > x1 and y2 > y1");
	assert_int_equal(none.len, 0);
	lm_buf_release(&out);
	lm_signer_free(s);
}

static void test_sign_twice(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_buf once = LM_BUF_INIT, twice = LM_BUF_INIT;
	sign_ok(s, &flat, &default_info, &once);
	sign_ok(s, &once, &default_info, &twice);
	assert_memory_equal(twice.ptr, once.ptr, once.len);
	assert_non_null(find(&twice, once.len, "/T (Signature2)"));
	struct lm_verify_result r;
	verify_ok(&twice, path("ca.pem"), &r);
	assert_int_equal(r.nsignatures, 2);
	assert_int_equal(r.covered, twice.len);
	lm_buf_release(&once);
	lm_buf_release(&twice);
	lm_signer_free(s);
}

static void test_not_a_pdf(void **state)
{
	(void)state;
	struct lm_signer *s = load_p12();
	struct lm_buf out = LM_BUF_INIT;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_sign_pdf(s, "not a pdf", 9, &default_info, &out, &d), -1);
	assert_string_equal(d.msg, "not a PDF file (no '%PDF-' header)");
	/* truncated: no startxref */
	lm_diag_clear(&d);
	assert_int_equal(lm_sign_pdf(s, flat.ptr, flat.len / 2, &default_info, &out, &d), -1);
	assert_string_equal(d.msg, "the PDF has no 'startxref' near its end; the file is truncated or "
				   "damaged");
	assert_int_equal(out.len, 0);
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
		cmocka_unit_test(test_visible_on_last_page_of_nested_tree),
		cmocka_unit_test(test_sign_twice),
		cmocka_unit_test(test_not_a_pdf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
