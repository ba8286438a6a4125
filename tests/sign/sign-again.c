/* sign-again - test helper: adds one more signature to any PDF, as a second
 * signer's software would, for verify's tests (a letter signed twice; a
 * changed letter signed again to hide the change).  Not installed.
 *
 *   sign-again --key KEY.pem --cert CERT.pem [--name N] [--time EPOCH] [--reserve BYTES]
 *              IN.pdf OUT.pdf
 *
 * lettermerge's own signer signs only files it has just written; this one
 * reads IN.pdf through the PDF reader (src/pdfr.c), so it works on files
 * from any writer.  It appends one incremental update with a
 * cross-reference stream: an invisible signature field on page 1, page 1
 * and the catalog (or its form) rewritten to hold it, and a /Sig
 * dictionary whose detached CMS (OpenSSL CMS_sign, CAdES attributes)
 * covers the whole file but its /Contents.  The signing time in /M is
 * --time, else SOURCE_DATE_EPOCH, else now.  Exit status: 0 done, 1 error,
 * 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "pdfr.h"


static int die(const char *what, const char *detail)
{
	fprintf(stderr, "sign-again: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

static int regular(int c)
{
	return c > 32 && c < 127 && !strchr("()<>[]{}/%#", c);
}

/* PDF syntax for a parsed object (never a stream: only dictionaries that
 * are rewritten here). */
static void emit(struct lm_buf *b, const struct lm_pobj *o)
{
	switch (o->kind) {
	case LM_PK_NULL:
		lm_buf_adds(b, "null");
		break;
	case LM_PK_BOOL:
		lm_buf_adds(b, o->i ? "true" : "false");
		break;
	case LM_PK_INT:
		lm_buf_addf(b, "%lld", o->i);
		break;
	case LM_PK_REAL:
		lm_buf_addf(b, "%.6f", o->r);
		break;
	case LM_PK_STRING:
		lm_buf_addc(b, '<');
		for (size_t i = 0; i < o->n; i++)
			lm_buf_addf(b, "%02X", (unsigned char)o->s[i]);
		lm_buf_addc(b, '>');
		break;
	case LM_PK_NAME:
		lm_buf_addc(b, '/');
		for (size_t i = 0; i < o->n; i++) {
			unsigned char c = (unsigned char)o->s[i];
			if (regular(c))
				lm_buf_addc(b, (char)c);
			else
				lm_buf_addf(b, "#%02X", c);
		}
		break;
	case LM_PK_REF:
		lm_buf_addf(b, "%lld %d R", o->i, o->gen);
		break;
	case LM_PK_ARRAY:
		lm_buf_addc(b, '[');
		for (size_t i = 0; i < o->nkids; i++) {
			if (i)
				lm_buf_addc(b, ' ');
			emit(b, o->kids[i]);
		}
		lm_buf_addc(b, ']');
		break;
	case LM_PK_DICT:
	case LM_PK_STREAM:
		lm_buf_adds(b, "<<");
		for (size_t i = 0; i + 1 < o->nkids; i += 2) {
			lm_buf_addc(b, ' ');
			emit(b, o->kids[i]);
			lm_buf_addc(b, ' ');
			emit(b, o->kids[i + 1]);
		}
		lm_buf_adds(b, " >>");
		break;
	}
}

/* A dictionary's entries but `skip` (and `skip2`), without the brackets. */
static void emit_entries(struct lm_buf *b, const struct lm_pobj *d, const char *skip, const char *skip2)
{
	for (size_t i = 0; i + 1 < d->nkids; i += 2) {
		if (!strcmp(d->kids[i]->s, skip) || (skip2 && !strcmp(d->kids[i]->s, skip2)))
			continue;
		lm_buf_addc(b, ' ');
		emit(b, d->kids[i]);
		lm_buf_addc(b, ' ');
		emit(b, d->kids[i + 1]);
	}
}

/* The elements of an array (direct or not), and one more reference. */
static void emit_array_plus(struct lm_buf *b, struct lm_pdfr *r, size_t rev, const struct lm_pobj *v,
			    long long add)
{
	struct lm_pobj *hold = NULL;
	const struct lm_pobj *a = lm_pdfr_deref(r, rev, v, &hold, NULL);
	lm_buf_addc(b, '[');
	if (a && a->kind == LM_PK_ARRAY)
		for (size_t i = 0; i < a->nkids; i++) {
			emit(b, a->kids[i]);
			lm_buf_addc(b, ' ');
		}
	lm_buf_addf(b, "%lld 0 R]", add);
	lm_pobj_free(hold);
}

struct entry {
	long long num;
	size_t off;
};

int main(int argc, char **argv)
{
	const char *key_path = NULL, *cert_path = NULL, *name = NULL, *in = NULL, *outp = NULL;
	long long when = -1;
	int reserve = 8192; /* bytes for the CMS in /Contents */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--key") && i + 1 < argc)
			key_path = argv[++i];
		else if (!strcmp(a, "--cert") && i + 1 < argc)
			cert_path = argv[++i];
		else if (!strcmp(a, "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(a, "--time") && i + 1 < argc)
			when = strtoll(argv[++i], NULL, 10);
		else if (!strcmp(a, "--reserve") && i + 1 < argc)
			reserve = atoi(argv[++i]);
		else if (a[0] != '-' && !in)
			in = a;
		else if (a[0] != '-' && !outp)
			outp = a;
		else
			in = outp = NULL, i = argc;
	}
	if (!key_path || !cert_path || !in || !outp || reserve < 1024 || reserve > 65536) {
		fprintf(stderr, "usage: sign-again --key KEY.pem --cert CERT.pem [--name N] [--time EPOCH] "
				"[--reserve BYTES] IN.pdf OUT.pdf\n");
		return 2;
	}
	if (when < 0) {
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		when = sde && *sde ? strtoll(sde, NULL, 10) : (long long)time(NULL);
	}

	FILE *fp = fopen(key_path, "rb");
	EVP_PKEY *key = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	fp = fopen(cert_path, "rb");
	X509 *cert = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	if (!key || !cert)
		return die("cannot read the key or certificate", key ? cert_path : key_path);

	struct lm_buf pdf = LM_BUF_INIT, up = LM_BUF_INIT, content = LM_BUF_INIT;
	struct lm_diag d;
	lm_diag_clear(&d);
	if (lm_read_file(in, &pdf, &d))
		return die(in, d.msg);
	struct lm_pdfr *r = NULL;
	if (lm_pdfr_open(&r, pdf.ptr, pdf.len, &d))
		return die(in, d.msg);
	size_t rev = lm_pdfr_nrevisions(r) - 1;
	const struct lm_pdfr_rev *last = lm_pdfr_revision(r, rev);
	const struct lm_pobj *root = lm_pobj_get(last->trailer, "Root"),
			     *info = lm_pobj_get(last->trailer, "Info"),
			     *id = lm_pobj_get(last->trailer, "ID"),
			     *size = lm_pobj_get(last->trailer, "Size");
	long long *pages = NULL;
	size_t npages = 0;
	struct lm_pobj *cat = NULL, *page = NULL, *acro_obj = NULL;
	if (!root || root->kind != LM_PK_REF || !size || size->kind != LM_PK_INT ||
	    lm_pdfr_get(r, rev, root->i, &cat, &d) || lm_pdfr_pages(r, rev, &pages, &npages, &d) ||
	    !npages || lm_pdfr_get(r, rev, pages[0], &page, &d))
		return die("cannot read the catalog or page 1", d.msg);

	long long widget = size->i, sig = size->i + 1, xref = size->i + 2;
	struct entry ent[6];
	int nent = 0;
	lm_buf_add(&up, pdf.ptr, pdf.len);
	if (up.len && up.ptr[up.len - 1] != '\n')
		lm_buf_addc(&up, '\n');

	/* page 1 with the widget among its annotations */
	ent[nent++] = (struct entry){ pages[0], up.len };
	lm_buf_addf(&up, "%lld 0 obj\n<<", pages[0]);
	emit_entries(&up, page, "Annots", NULL);
	lm_buf_adds(&up, " /Annots ");
	emit_array_plus(&up, r, rev, lm_pobj_get(page, "Annots"), widget);
	lm_buf_adds(&up, " >>\nendobj\n");

	/* the form: in its own object, or in the catalog */
	const struct lm_pobj *acro = lm_pobj_get(cat, "AcroForm");
	struct lm_buf form = LM_BUF_INIT;
	const struct lm_pobj *acro_d = lm_pdfr_deref(r, rev, acro, &acro_obj, NULL);
	lm_buf_adds(&form, "<<");
	if (acro_d && acro_d->kind == LM_PK_DICT)
		emit_entries(&form, acro_d, "Fields", "SigFlags");
	lm_buf_adds(&form, " /Fields ");
	emit_array_plus(&form, r, rev, acro_d ? lm_pobj_get(acro_d, "Fields") : NULL, widget);
	lm_buf_adds(&form, " /SigFlags 3 >>");
	if (acro && acro->kind == LM_PK_REF) {
		ent[nent++] = (struct entry){ acro->i, up.len };
		lm_buf_addf(&up, "%lld 0 obj\n%s\nendobj\n", acro->i, form.ptr);
	} else {
		ent[nent++] = (struct entry){ root->i, up.len };
		lm_buf_addf(&up, "%lld 0 obj\n<<", root->i);
		emit_entries(&up, cat, "AcroForm", NULL);
		lm_buf_addf(&up, " /AcroForm %s >>\nendobj\n", form.ptr);
	}
	lm_buf_release(&form);

	ent[nent++] = (struct entry){ widget, up.len };
	lm_buf_addf(&up, "%lld 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature%lld) /V "
		    "%lld 0 R /F 132 /P %lld 0 R /Rect [0 0 0 0] >>\nendobj\n", widget, widget, sig, pages[0]);

	char m[32];
	time_t tt = (time_t)when;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(m, sizeof(m), "D:%Y%m%d%H%M%S+00'00'", &tm);
	ent[nent++] = (struct entry){ sig, up.len };
	lm_buf_addf(&up, "%lld 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
		    "/M (%s) ", sig, m);
	if (name) {
		lm_buf_adds(&up, "/Name <");
		for (const char *p = name; *p; p++)
			lm_buf_addf(&up, "%02X", (unsigned char)*p);
		lm_buf_adds(&up, "> ");
	}
	lm_buf_adds(&up, "/ByteRange ");
	size_t br_at = up.len;
	lm_buf_adds(&up, "[0 0000000000 0000000000 0000000000] /Contents ");
	size_t hole_a = up.len;
	lm_buf_addc(&up, '<');
	for (int i = 0; i < 2 * reserve; i++)
		lm_buf_addc(&up, '0');
	lm_buf_addc(&up, '>');
	size_t hole_b = up.len;
	lm_buf_adds(&up, " >>\nendobj\n");

	/* the cross-reference stream: W [1 4 2], one subsection per object */
	size_t xoff = up.len;
	ent[nent++] = (struct entry){ xref, xoff };
	for (int i = 1; i < nent; i++) /* sorted by number, as /Index wants them */
		for (int k = i; k > 0 && ent[k].num < ent[k - 1].num; k--) {
			struct entry t = ent[k];
			ent[k] = ent[k - 1];
			ent[k - 1] = t;
		}
	lm_buf_addf(&up, "%lld 0 obj\n<< /Type /XRef /Size %lld /W [1 4 2] /Index [", xref, xref + 1);
	for (int i = 0; i < nent; i++)
		lm_buf_addf(&up, "%s%lld 1", i ? " " : "", ent[i].num);
	lm_buf_addf(&up, "] /Root %lld 0 R /Prev %zu", root->i, last->xref_pos);
	if (info && info->kind == LM_PK_REF)
		lm_buf_addf(&up, " /Info %lld 0 R", info->i);
	if (id) {
		lm_buf_adds(&up, " /ID ");
		emit(&up, id);
	}
	lm_buf_addf(&up, " /Length %d >>\nstream\n", nent * 7);
	for (int i = 0; i < nent; i++) {
		unsigned char row[7] = { 1, (unsigned char)(ent[i].off >> 24), (unsigned char)(ent[i].off >> 16),
					 (unsigned char)(ent[i].off >> 8), (unsigned char)ent[i].off, 0, 0 };
		lm_buf_add(&up, row, 7);
	}
	lm_buf_addf(&up, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xoff);

	/* the byte range, then the CMS over it */
	char brs[40];
	snprintf(brs, sizeof(brs), "[0 %010zu %010zu %010zu]", hole_a, hole_b, up.len - hole_b);
	memcpy(up.ptr + br_at, brs, strlen(brs));
	lm_buf_add(&content, up.ptr, hole_a);
	lm_buf_add(&content, up.ptr + hole_b, up.len - hole_b);
	BIO *bio = BIO_new_mem_buf(content.ptr, (int)content.len);
	CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, bio,
					CMS_DETACHED | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP);
	unsigned char *der = NULL;
	int n = cms ? i2d_CMS_ContentInfo(cms, &der) : -1;
	if (n <= 0 || n > reserve)
		return die("cannot make the CMS signature", ERR_reason_error_string(ERR_get_error()));
	for (int i = 0; i < n; i++) {
		char hx[3];
		snprintf(hx, sizeof(hx), "%02X", der[i]);
		memcpy(up.ptr + hole_a + 1 + 2 * i, hx, 2);
	}
	int rc = 0;
	if (lm_write_atomic(outp, up.ptr, up.len, &d))
		rc = die(outp, d.msg);

	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(bio);
	EVP_PKEY_free(key);
	X509_free(cert);
	lm_pobj_free(cat);
	lm_pobj_free(page);
	lm_pobj_free(acro_obj);
	free(pages);
	lm_pdfr_free(r);
	lm_buf_release(&pdf);
	lm_buf_release(&up);
	lm_buf_release(&content);
	return rc;
}
