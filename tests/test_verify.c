/* test_verify.c - verify: every signature, and what changed after each.
 *
 *   test_verify MAKE-TEST-CA.SH
 *
 * Small PDFs are built here byte by byte, signed here with OpenSSL
 * (CMS_sign, CAdES attributes: independent of src/sign.c), updated the way
 * an editing tool would, and checked with lm_verify_pdf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "diag.h"
#include "verify.h"

static char cadir[256];
static const char *ca_script;

static const char *path(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", cadir, name);
	return buf[k];
}

static int setup(void **state)
{
	(void)state;
	snprintf(cadir, sizeof(cadir), "/tmp/lettermerge-test-verify.XXXXXX");
	if (!mkdtemp(cadir))
		return -1;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' >/dev/null 2>&1", ca_script, cadir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cadir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- a PDF and its updates ---- */

struct doc {
	struct lm_buf b;
	size_t last_xref;
	int size;       /* next free object number */
	int fields[8];  /* signature widgets so far */
	int nfields;
};

/* Appends an update: objects nums[i] with bodies[i], a classic table. */
static void update(struct doc *x, int n, const int *nums, const char *const *bodies)
{
	size_t offs[16];
	for (int i = 0; i < n; i++) {
		offs[i] = x->b.len;
		lm_buf_addf(&x->b, "%d 0 obj\n%s\nendobj\n", nums[i], bodies[i]);
		if (nums[i] >= x->size)
			x->size = nums[i] + 1;
	}
	size_t xref = x->b.len;
	lm_buf_adds(&x->b, "xref\n");
	if (!x->last_xref)
		lm_buf_adds(&x->b, "0 1\n0000000000 65535 f \n");
	for (int i = 0; i < n; i++)
		lm_buf_addf(&x->b, "%d 1\n%010zu 00000 n \n", nums[i], offs[i]);
	lm_buf_addf(&x->b, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R", x->size);
	if (x->last_xref)
		lm_buf_addf(&x->b, " /Prev %zu", x->last_xref);
	lm_buf_addf(&x->b, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	x->last_xref = xref;
}

static void make_doc(struct doc *x)
{
	memset(x, 0, sizeof(*x));
	lm_buf_init(&x->b);
	lm_buf_adds(&x->b, "%PDF-1.7\n");
	static const int nums[] = { 1, 2, 3, 4, 5 };
	static const char *const bodies[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << >> >>",
		"<< /Length 20 >>\nstream\n0 0 1 rg 0 0 9 9 re f\nendstream",
		"<< /Title (A letter) >>",
	};
	update(x, 5, nums, bodies);
}

static void page_and_catalog(struct doc *x, char *page, char *cat, size_t n, const char *extra_annot)
{
	char list[128] = "";
	for (int i = 0; i < x->nfields; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%d 0 R ", x->fields[i]);
	snprintf(page, n, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << >> /Annots [%s%s] >>",
		 list, extra_annot ? extra_annot : "");
	snprintf(cat, n, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] /SigFlags 3 >> >>", list);
}

/* Signs as `key`/`cert` (files in cadir) with /Name `name`.  `short_by`
 * makes the byte range end that many bytes before the revision does. */
static void sign(struct doc *x, const char *key, const char *cert, const char *name, int short_by)
{
	int widget = x->size, sig = x->size + 1;
	x->fields[x->nfields++] = widget;
	char page[512], cat[512], w[256], s[20000];
	page_and_catalog(x, page, cat, sizeof(page), NULL);
	snprintf(w, sizeof(w), "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig%d) /V %d 0 R /P 3 0 R "
		 "/Rect [0 0 0 0] /F 132 >>", widget, sig);
	char zeros[16385];
	memset(zeros, '0', 16384);
	zeros[16384] = '\0';
	snprintf(s, sizeof(s), "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
		 "/M (D:20150317000000Z) /Name (%s) /ByteRange [0 0000000000 0000000000 0000000000] "
		 "/Contents <%s> >>", name, zeros);
	const int nums[] = { 1, 3, widget, sig };
	const char *const bodies[] = { cat, page, w, s };
	size_t start = x->b.len;
	update(x, 4, nums, bodies);
	char *br = strstr(x->b.ptr + start, "/ByteRange [") + 11;
	size_t a = (size_t)(strstr(br, "/Contents <") + 10 - x->b.ptr), b = a + 16386;
	size_t end = x->b.len - (size_t)short_by;
	char brs[64];
	snprintf(brs, sizeof(brs), "[0 %010zu %010zu %010zu]", a, b, end - b);
	memcpy(br, brs, strlen(brs));

	struct lm_buf content = LM_BUF_INIT;
	lm_buf_add(&content, x->b.ptr, a);
	lm_buf_add(&content, x->b.ptr + b, end - b);
	FILE *fp = fopen(path(key), "rb");
	assert_non_null(fp);
	EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	fp = fopen(path(cert), "rb");
	assert_non_null(fp);
	X509 *c = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(k);
	assert_non_null(c);
	BIO *bio = BIO_new_mem_buf(content.ptr, (int)content.len);
	CMS_ContentInfo *cms = CMS_sign(c, k, NULL, bio, CMS_DETACHED | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP);
	assert_non_null(cms);
	unsigned char *der = NULL;
	int n = i2d_CMS_ContentInfo(cms, &der);
	assert_true(n > 0 && n <= 8192);
	for (int i = 0; i < n; i++) {
		char hx[3];
		snprintf(hx, sizeof(hx), "%02X", der[i]);
		memcpy(x->b.ptr + a + 1 + 2 * i, hx, 2);
	}
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(bio);
	EVP_PKEY_free(k);
	X509_free(c);
	lm_buf_release(&content);
}

static void sign1(struct doc *x)
{
	sign(x, "signer.key", "signer.pem", "Liverpool City Council", 0);
}

static void sign2(struct doc *x)
{
	sign(x, "other.key", "mismatched.pem", "Merseyside Police", 0);
}

static void expect_valid(struct doc *x, int nsigs)
{
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_verify_pdf(x->b.ptr, x->b.len, path("ca.pem"), &r, &d);
	if (rc)
		fprintf(stderr, "verify: %s\n", d.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(r.status, LM_VERIFY_VALID);
	assert_int_equal(r.nsignatures, nsigs);
	lm_buf_release(&x->b);
}

static void expect_fail(struct doc *x, enum lm_verify_status status, const char *msg)
{
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_verify_pdf(x->b.ptr, x->b.len, path("ca.pem"), &r, &d), -1);
	if (r.status != status || strncmp(d.msg, msg, strlen(msg)))
		fprintf(stderr, "status %d, message: %s\nwanted: %s\n", r.status, d.msg, msg);
	assert_int_equal(r.status, status);
	assert_memory_equal(d.msg, msg, strlen(msg));
	lm_buf_release(&x->b);
}

#define AFTER1 " after Liverpool City Council signed it; nobody signed the change: do not use this letter"

/* ---- tests ---- */

static void test_one_and_two_signatures(void **state)
{
	(void)state;
	struct doc x;
	make_doc(&x);
	sign1(&x);
	struct lm_verify_result r;
	struct lm_diag d;
	assert_int_equal(lm_verify_pdf(x.b.ptr, x.b.len, path("ca.pem"), &r, &d), 0);
	assert_string_equal(r.sig[0].signer, "Liverpool Safeguarding Partnership (TEST)");
	assert_string_equal(r.sig[0].name, "Liverpool City Council");
	assert_int_equal(r.sig[0].signing_time, 1426550400);
	assert_int_equal(r.sig[0].revision, 1);
	assert_int_equal(r.covered, x.b.len);
	sign2(&x);
	assert_int_equal(lm_verify_pdf(x.b.ptr, x.b.len, path("ca.pem"), &r, &d), 0);
	assert_int_equal(r.nsignatures, 2);
	assert_string_equal(r.sig[1].signer, "Liverpool Safeguarding Partnership (TEST, OTHER KEY)");
	assert_int_equal(r.sig[1].revision, 2);
	lm_buf_release(&x.b);
}

static void test_changed_content(void **state)
{
	(void)state;
	struct doc x;
	make_doc(&x);
	sign1(&x);
	const int nums[] = { 4 };
	const char *const bodies[] = { "<< /Length 20 >>\nstream\n1 0 0 rg 0 0 9 9 re f\nendstream" };
	update(&x, 1, nums, bodies);
	expect_fail(&x, LM_VERIFY_CHANGED, "page 1 was changed" AFTER1);

	/* and then signed again: still the first signer's letter changed */
	make_doc(&x);
	sign1(&x);
	update(&x, 1, nums, bodies);
	sign2(&x);
	expect_fail(&x, LM_VERIFY_CHANGED, "page 1 was changed after Liverpool City Council signed it; "
					    "then it was signed again by Merseyside Police, which does "
					    "not make the change right");
}

static void test_changed_elsewhere(void **state)
{
	(void)state;
	struct doc x;
	char page[512], cat[512];
	/* the title */
	make_doc(&x);
	sign1(&x);
	const int info[] = { 5 };
	const char *const title[] = { "<< /Title (Another letter) >>" };
	update(&x, 1, info, title);
	expect_fail(&x, LM_VERIFY_CHANGED,
		    "the document's title or other details (its /Info) was changed" AFTER1);
	/* a page added */
	make_doc(&x);
	sign1(&x);
	const int pages[] = { 2, 9 };
	const char *const two[] = { "<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 2 /MediaBox [0 0 200 200] >>",
				    "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>" };
	update(&x, 2, pages, two);
	expect_fail(&x, LM_VERIFY_CHANGED, "pages were added (1 when signed, 2 now)" AFTER1);
	/* an inherited attribute changed in the page tree */
	make_doc(&x);
	sign1(&x);
	const int tree[] = { 2 };
	const char *const bigger[] = { "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 400 400] >>" };
	update(&x, 1, tree, bigger);
	expect_fail(&x, LM_VERIFY_CHANGED, "page 1 was changed" AFTER1);
	/* a link added to page 1 */
	make_doc(&x);
	sign1(&x);
	page_and_catalog(&x, page, cat, sizeof(page), "9 0 R");
	const int link[] = { 3, 9 };
	const char *const linked[] = { page, "<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
					     "/A << /S /URI /URI (https://example.org) >> >>" };
	update(&x, 2, link, linked);
	expect_fail(&x, LM_VERIFY_CHANGED, "a link was added to page 1" AFTER1);
	/* an action run on opening */
	make_doc(&x);
	sign1(&x);
	page_and_catalog(&x, page, cat, sizeof(page), NULL);
	cat[strlen(cat) - 2] = '\0';
	strcat(cat, "/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>");
	const int c1[] = { 1 };
	const char *const opened[] = { cat };
	update(&x, 1, c1, opened);
	expect_fail(&x, LM_VERIFY_CHANGED, "an action run when the document opens was changed" AFTER1);
	/* a form field that is not a signature */
	make_doc(&x);
	sign1(&x);
	snprintf(cat, sizeof(cat), "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%d 0 R 9 0 R] "
		 "/SigFlags 3 >> >>", x.fields[0]);
	const int f[] = { 1, 9 };
	const char *const field[] = { cat, "<< /FT /Tx /T (Name) /V (Someone else) >>" };
	update(&x, 2, f, field);
	expect_fail(&x, LM_VERIFY_CHANGED, "a form field that is not a signature was added" AFTER1);
}

static void test_invisible_updates_pass(void **state)
{
	(void)state;
	struct doc x;
	make_doc(&x);
	sign1(&x);
	/* the same title written again with a saving tool's stamps, and an
	 * object nothing refers to */
	const int nums[] = { 5, 20 };
	const char *const bodies[] = { "<< /Title (A letter) /Producer (pyHanko) /ModDate (D:2026) >>",
				       "(unused)" };
	update(&x, 2, nums, bodies);
	expect_valid(&x, 1);
}

static void test_not_covered(void **state)
{
	(void)state;
	struct doc x;
	make_doc(&x);
	sign1(&x);
	size_t n = x.b.len;
	lm_buf_adds(&x.b, "junk\n");
	char want[256];
	snprintf(want, sizeof(want), "5 bytes were added after the signature (it covers %zu of %zu bytes)",
		 n, n + 5);
	expect_fail(&x, LM_VERIFY_NOT_COVERED, want);
	/* a byte range that stops short of its revision's end */
	make_doc(&x);
	sign(&x, "signer.key", "signer.pem", "Liverpool City Council", 3);
	snprintf(want, sizeof(want), "the signature of Liverpool City Council covers %zu bytes, which is "
		 "not where a version of the file ends", x.b.len - 3);
	expect_fail(&x, LM_VERIFY_NOT_COVERED, want);
	/* a flipped byte in the signed revision */
	make_doc(&x);
	sign1(&x);
	char *p = strstr(x.b.ptr, "0 0 1 rg");
	p[0] = '1';
	expect_fail(&x, LM_VERIFY_TAMPERED, "the document was changed after it was signed: its digest "
					     "does not match the signature");
	/* not trusted */
	make_doc(&x);
	sign1(&x);
	struct lm_verify_result r;
	struct lm_diag d;
	assert_int_equal(lm_verify_pdf(x.b.ptr, x.b.len, path("other-ca.pem"), &r, &d), -1);
	assert_int_equal(r.status, LM_VERIFY_UNTRUSTED);
	lm_buf_release(&x.b);
	/* damaged: the error of the reader */
	make_doc(&x);
	sign1(&x);
	x.b.len = 40;
	expect_fail(&x, LM_VERIFY_MALFORMED, "the PDF is incomplete (no 'startxref' at its end)");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_verify MAKE-TEST-CA.SH\n");
		return 2;
	}
	ca_script = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_and_two_signatures),
		cmocka_unit_test(test_changed_content),
		cmocka_unit_test(test_changed_elsewhere),
		cmocka_unit_test(test_invisible_updates_pass),
		cmocka_unit_test(test_not_covered),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
