/* test_pdfr.c - the PDF reader: object syntax, classic tables, xref and
 * object streams, incremental updates, hybrids, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "diag.h"
#include "pdfr.h"

/* ---- helpers ---- */

static struct lm_pobj *parse(const char *s, struct lm_diag *d)
{
	size_t pos = 0;
	lm_diag_clear(d);
	return lm_pdfr_parse_object(s, strlen(s), &pos, d);
}

/* A PDF built object by object: offs[n] is where object n starts. */
struct pdfb {
	struct lm_buf b;
	size_t offs[64];
	int max;
};

static void b_obj(struct pdfb *p, int num, const char *body)
{
	p->offs[num] = p->b.len;
	if (num > p->max)
		p->max = num;
	lm_buf_addf(&p->b, "%d 0 obj\n%s\nendobj\n", num, body);
}

static void b_stream(struct pdfb *p, int num, const char *dict_extra, const void *data, size_t n)
{
	p->offs[num] = p->b.len;
	if (num > p->max)
		p->max = num;
	lm_buf_addf(&p->b, "%d 0 obj\n<< /Length %zu %s >>\nstream\n", num, n, dict_extra);
	lm_buf_add(&p->b, data, n);
	lm_buf_adds(&p->b, "\nendstream\nendobj\n");
}

/* A classic table for objects from..to, the trailer `extra`, startxref. */
static size_t b_table(struct pdfb *p, const int *nums, int n, const char *extra)
{
	size_t x = p->b.len;
	lm_buf_adds(&p->b, "xref\n");
	for (int i = 0; i < n; i++) {
		if (nums[i] == 0)
			lm_buf_adds(&p->b, "0 1\n0000000000 65535 f \n");
		else
			lm_buf_addf(&p->b, "%d 1\n%010zu 00000 n \n", nums[i], p->offs[nums[i]]);
	}
	lm_buf_addf(&p->b, "trailer\n<< %s >>\nstartxref\n%zu\n%%%%EOF\n", extra, x);
	return x;
}

static void deflate_buf(const void *src, size_t n, struct lm_buf *out)
{
	uLongf cap = compressBound((uLong)n);
	lm_buf_grow(out, cap);
	assert_int_equal(compress2((Bytef *)out->ptr + out->len, &cap, src, (uLong)n, 9), Z_OK);
	out->len += cap;
}

static const char *const classic_objs[] = {
	NULL,
	"<< /Type /Catalog /Pages 2 0 R >>",
	"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
	"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
	NULL, /* 4: a stream */
	"<< /Type /Page /Parent 2 0 R >>",
	"<< /Title (Caf\\351 \\(one\\)) /Author <FEFF0041D83DDE00> >>",
};

static void classic(struct pdfb *p)
{
	memset(p, 0, sizeof(*p));
	lm_buf_init(&p->b);
	lm_buf_adds(&p->b, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
	for (int i = 1; i <= 6; i++) {
		if (i == 4)
			b_stream(p, 4, "", "BT (Hello) Tj ET", 16);
		else
			b_obj(p, i, classic_objs[i]);
	}
	int nums[] = { 0, 1, 2, 3, 4, 5, 6 };
	b_table(p, nums, 7, "/Size 7 /Root 1 0 R /Info 6 0 R");
}

static struct lm_pdfr *open_ok(const struct lm_buf *b)
{
	struct lm_pdfr *r = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_pdfr_open(&r, b->ptr, b->len, &d);
	if (rc)
		fprintf(stderr, "open: %s\n", d.msg);
	assert_int_equal(rc, 0);
	assert_non_null(r);
	return r;
}

static void open_fails(const struct lm_buf *b, const char *want)
{
	struct lm_pdfr *r = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfr_open(&r, b->ptr, b->len, &d), -1);
	assert_null(r);
	if (!strstr(d.msg, want))
		fprintf(stderr, "got: %s\nwant: %s\n", d.msg, want);
	assert_non_null(strstr(d.msg, want));
}

/* ---- object syntax ---- */

static void test_objects(void **state)
{
	(void)state;
	struct lm_diag d;
	struct lm_pobj *o = parse("  % comment\n << /A 1 /B -2.5 /C (a\\(b\\)\\n\\101\\\nc) /D <41 42 4>"
				  " /E /x#20y /F [1 0 R 2 true null] /G false /H .5 >>", &d);
	assert_non_null(o);
	assert_int_equal(o->kind, LM_PK_DICT);
	assert_int_equal(lm_pobj_get(o, "A")->i, 1);
	assert_true(lm_pobj_get(o, "B")->r == -2.5);
	assert_int_equal(lm_pobj_get(o, "B")->kind, LM_PK_REAL);
	const struct lm_pobj *c = lm_pobj_get(o, "C");
	assert_int_equal(c->n, 7);
	assert_memory_equal(c->s, "a(b)\nAc", 7);
	const struct lm_pobj *dd = lm_pobj_get(o, "D");
	assert_int_equal(dd->n, 3);
	assert_memory_equal(dd->s, "AB@", 3);
	assert_true(lm_pobj_is_name(lm_pobj_get(o, "E"), "x y"));
	const struct lm_pobj *f = lm_pobj_get(o, "F");
	assert_int_equal(f->nkids, 4);
	assert_int_equal(f->kids[0]->kind, LM_PK_REF);
	assert_int_equal(f->kids[0]->i, 1);
	assert_int_equal(f->kids[1]->kind, LM_PK_INT);
	assert_int_equal(f->kids[1]->i, 2);
	assert_int_equal(f->kids[2]->kind, LM_PK_BOOL);
	assert_int_equal(f->kids[3]->kind, LM_PK_NULL);
	assert_int_equal(lm_pobj_get(o, "G")->i, 0);
	assert_true(lm_pobj_get(o, "H")->r == 0.5);
	assert_null(lm_pobj_get(o, "Z"));
	lm_pobj_free(o);

	/* the hex string's place, as verify needs it for /Contents */
	size_t pos = 0;
	const char *s = "<< /Contents <00ff> >>";
	o = lm_pdfr_parse_object(s, strlen(s), &pos, &d);
	c = lm_pobj_get(o, "Contents");
	assert_int_equal(c->pos, 13);
	assert_int_equal(c->end, 19);
	assert_int_equal(pos, strlen(s));
	lm_pobj_free(o);
}

static void test_bad_objects(void **state)
{
	(void)state;
	struct lm_diag d;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "(never closed", "a string with no closing ')'" },
		{ "<41 4G>", "a hex string with a character that is not hex" },
		{ "<< /A 1", "a dictionary with no closing '>>'" },
		{ "[1 2", "an array with no closing ']'" },
		{ "<< 1 2 >>", "a dictionary key that is not a name" },
		{ "<< /A 1 > >>", "a '>' where '>>' was expected" },
		{ "bogus", "an unknown keyword where an object was expected" },
		{ ")", "an unexpected character where an object was expected" },
		{ "   ", "the end of the data where an object was expected" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct lm_pobj *o = parse(cases[i].in, &d);
		assert_null(o);
		if (!strstr(d.msg, cases[i].want))
			fprintf(stderr, "%s: got %s\n", cases[i].in, d.msg);
		assert_non_null(strstr(d.msg, cases[i].want));
		assert_non_null(strstr(d.msg, "the PDF is damaged"));
	}
	/* nesting is bounded, not a stack overflow */
	struct lm_buf deep = LM_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		lm_buf_addc(&deep, '[');
	assert_null(parse(deep.ptr, &d));
	assert_non_null(strstr(d.msg, "nested too deeply"));
	lm_buf_release(&deep);
	/* a number too large for an integer is a real, not undefined behaviour */
	struct lm_pobj *o = parse("99999999999999999999999", &d);
	assert_non_null(o);
	assert_int_equal(o->kind, LM_PK_REAL);
	lm_pobj_free(o);
}

static void test_text(void **state)
{
	(void)state;
	struct lm_pdfr *r;
	struct pdfb p;
	classic(&p);
	r = open_ok(&p.b);
	struct lm_pobj *info = NULL;
	struct lm_diag d;
	assert_int_equal(lm_pdfr_get(r, 0, 6, &info, &d), 0);
	char t[64];
	assert_int_equal(lm_pobj_text(lm_pobj_get(info, "Title"), t, sizeof(t)), 0);
	assert_string_equal(t, "Caf\xC3\xA9 (one)");
	assert_int_equal(lm_pobj_text(lm_pobj_get(info, "Author"), t, sizeof(t)), 0);
	assert_string_equal(t, "A\xF0\x9F\x98\x80");
	/* too small a buffer: cut, never overrun */
	assert_int_equal(lm_pobj_text(lm_pobj_get(info, "Author"), t, 3), 0);
	assert_string_equal(t, "A");
	assert_int_equal(lm_pobj_text(lm_pobj_get(info, "Nope"), t, sizeof(t)), -1);
	lm_pobj_free(info);
	lm_pdfr_free(r);
	lm_buf_release(&p.b);
}

/* ---- documents ---- */

static void test_classic(void **state)
{
	(void)state;
	struct pdfb p;
	classic(&p);
	struct lm_pdfr *r = open_ok(&p.b);
	assert_int_equal(lm_pdfr_nrevisions(r), 1);
	const struct lm_pdfr_rev *rv = lm_pdfr_revision(r, 0);
	assert_int_equal(rv->end, p.b.len);
	assert_int_equal(rv->xref_stream, 0);
	assert_int_equal(rv->hybrid, 0);
	assert_null(lm_pdfr_revision(r, 1));
	struct lm_pobj *o = NULL;
	struct lm_diag d;
	assert_int_equal(lm_pdfr_get(r, 0, 4, &o, &d), 0);
	assert_int_equal(o->kind, LM_PK_STREAM);
	assert_int_equal(o->data_len, 16);
	assert_memory_equal(o->data, "BT (Hello) Tj ET", 16);
	struct lm_buf s = LM_BUF_INIT;
	assert_int_equal(lm_pdfr_stream(r, 0, o, &s, &d), 0);
	assert_int_equal(s.len, 16);
	lm_buf_release(&s);
	lm_pobj_free(o);
	/* object 0 is free; 99 is absent: both are null */
	assert_int_equal(lm_pdfr_get(r, 0, 0, &o, &d), 1);
	assert_int_equal(lm_pdfr_get(r, 0, 99, &o, &d), 1);
	assert_null(o);
	long long *pages;
	size_t n;
	assert_int_equal(lm_pdfr_pages(r, 0, &pages, &n, &d), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pages[0], 3);
	assert_int_equal(pages[1], 5);
	free(pages);
	lm_pdfr_free(r);
	size_t np = 0;
	assert_int_equal(lm_pdfr_check_whole(p.b.ptr, p.b.len, &np, &d), 0);
	assert_int_equal(np, 2);
	lm_buf_release(&p.b);
}

/* Object streams, a compressed cross-reference stream with a PNG
 * predictor, then an incremental update with a classic table. */
static void test_xref_stream_and_update(void **state)
{
	(void)state;
	struct pdfb p;
	memset(&p, 0, sizeof(p));
	lm_buf_init(&p.b);
	lm_buf_adds(&p.b, "%PDF-1.7\n");
	/* objects 1..3 in object stream 5 */
	const char *bodies[] = { "<< /Type /Catalog /Pages 2 0 R >>",
				 "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				 "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>" };
	struct lm_buf hdr = LM_BUF_INIT, objs = LM_BUF_INIT, raw = LM_BUF_INIT, z = LM_BUF_INIT;
	for (int i = 0; i < 3; i++) {
		lm_buf_addf(&hdr, "%d %zu ", i + 1, objs.len);
		lm_buf_addf(&objs, "%s\n", bodies[i]);
	}
	lm_buf_add(&raw, hdr.ptr, hdr.len);
	lm_buf_add(&raw, objs.ptr, objs.len);
	deflate_buf(raw.ptr, raw.len, &z);
	char extra[128];
	snprintf(extra, sizeof(extra), "/Type /ObjStm /N 3 /First %zu /Filter /FlateDecode", hdr.len);
	b_stream(&p, 5, extra, z.ptr, z.len);
	lm_buf_reset(&z);
	const char *content = "BT (Hi) Tj ET";
	deflate_buf(content, strlen(content), &z);
	b_stream(&p, 4, "/Filter [/FlateDecode]", z.ptr, z.len);
	/* the xref stream: W [1 3 1], rows PNG-Up predicted (Columns 5) */
	size_t xoff = p.b.len;
	unsigned char rows[7][5];
	memset(rows, 0, sizeof(rows));
	rows[0][0] = 0;
	rows[0][4] = 0xFF; /* 0: free */
	for (int i = 1; i <= 3; i++) {
		rows[i][0] = 2;
		rows[i][3] = 5; /* in object stream 5 */
		rows[i][4] = (unsigned char)(i - 1);
	}
	for (int i = 4; i <= 6; i++) {
		size_t off = i == 6 ? xoff : p.offs[i];
		rows[i][0] = 1;
		rows[i][1] = (unsigned char)(off >> 16);
		rows[i][2] = (unsigned char)(off >> 8);
		rows[i][3] = (unsigned char)off;
	}
	unsigned char pred[7 * 6];
	for (int i = 0; i < 7; i++) {
		pred[i * 6] = 2; /* Up */
		for (int k = 0; k < 5; k++)
			pred[i * 6 + 1 + k] = (unsigned char)(rows[i][k] - (i ? rows[i - 1][k] : 0));
	}
	lm_buf_reset(&z);
	deflate_buf(pred, sizeof(pred), &z);
	p.offs[6] = xoff;
	lm_buf_addf(&p.b, "6 0 obj\n<< /Type /XRef /Size 7 /W [1 3 1] /Root 1 0 R /Filter /FlateDecode "
		    "/DecodeParms << /Predictor 12 /Columns 5 >> /Length %zu >>\nstream\n", z.len);
	lm_buf_add(&p.b, z.ptr, z.len);
	lm_buf_addf(&p.b, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xoff);
	size_t rev0_end = p.b.len;

	struct lm_pdfr *r = open_ok(&p.b);
	struct lm_diag d;
	assert_int_equal(lm_pdfr_nrevisions(r), 1);
	assert_int_equal(lm_pdfr_revision(r, 0)->xref_stream, 1);
	struct lm_pobj *o = NULL;
	assert_int_equal(lm_pdfr_get(r, 0, 3, &o, &d), 0);
	assert_true(lm_pobj_is_type(o, "Page"));
	assert_int_equal(o->in_objstm, 1);
	struct lm_pdfr_loc loc = lm_pdfr_locate(r, 0, 3);
	assert_int_equal(loc.where, LM_PDFR_IN_OBJSTM);
	assert_int_equal(loc.a, 5);
	assert_int_equal(loc.b, 2);
	lm_pobj_free(o);
	assert_int_equal(lm_pdfr_get(r, 0, 4, &o, &d), 0);
	struct lm_buf s = LM_BUF_INIT;
	assert_int_equal(lm_pdfr_stream(r, 0, o, &s, &d), 0);
	assert_string_equal(s.ptr, content);
	lm_pobj_free(o);
	size_t np = 0;
	assert_int_equal(lm_pdfr_check_whole(p.b.ptr, p.b.len, &np, &d), 0);
	assert_int_equal(np, 1);
	lm_pdfr_free(r);

	/* an update: page 3 gets new content (object 7); a classic table */
	b_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /Contents 7 0 R >>");
	b_stream(&p, 7, "", "BT (Changed) Tj ET", 18);
	char tr[128];
	snprintf(tr, sizeof(tr), "/Size 8 /Root 1 0 R /Prev %zu", xoff);
	int nums[] = { 3, 7 };
	b_table(&p, nums, 2, tr);
	r = open_ok(&p.b);
	assert_int_equal(lm_pdfr_nrevisions(r), 2);
	assert_int_equal(lm_pdfr_revision(r, 0)->end, rev0_end);
	assert_int_equal(lm_pdfr_revision(r, 1)->end, p.b.len);
	assert_int_equal(lm_pdfr_revision(r, 1)->xref_stream, 0);
	assert_int_equal(lm_pdfr_get(r, 0, 3, &o, &d), 0);
	assert_int_equal(lm_pobj_get(o, "Contents")->i, 4);
	lm_pobj_free(o);
	assert_int_equal(lm_pdfr_get(r, 1, 3, &o, &d), 0);
	assert_int_equal(lm_pobj_get(o, "Contents")->i, 7);
	assert_int_equal(o->in_objstm, 0);
	lm_pobj_free(o);
	assert_int_equal(lm_pdfr_locate(r, 1, 3).rev, 1);
	assert_int_equal(lm_pdfr_locate(r, 1, 2).rev, 0);
	assert_int_equal(lm_pdfr_get(r, 0, 7, &o, &d), 1); /* not yet there */
	lm_pdfr_free(r);

	lm_buf_release(&s);
	lm_buf_release(&hdr);
	lm_buf_release(&objs);
	lm_buf_release(&raw);
	lm_buf_release(&z);
	lm_buf_release(&p.b);
}

/* A classic table whose /XRefStm lists an object the table leaves out. */
static void test_hybrid(void **state)
{
	(void)state;
	struct pdfb p;
	classic(&p);
	/* objects 8 and the xref stream 9, appended as an update */
	b_obj(&p, 8, "(only in the stream)");
	size_t xs = p.b.len;
	unsigned char rows[1][5] = { { 1, (unsigned char)(p.offs[8] >> 16),
				       (unsigned char)(p.offs[8] >> 8), (unsigned char)p.offs[8], 0 } };
	lm_buf_addf(&p.b, "9 0 obj\n<< /Type /XRef /Size 10 /W [1 3 1] /Index [8 1] /Length 5 >>\nstream\n");
	lm_buf_add(&p.b, rows, 5);
	lm_buf_adds(&p.b, "\nendstream\nendobj\n");
	b_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /X 8 0 R >>");
	char tr[160];
	size_t prev = 0;
	{
		const char *sx = p.b.ptr;
		for (const char *q = strstr(sx, "startxref"); q; q = strstr(q + 1, "startxref"))
			prev = strtoul(q + 10, NULL, 10);
	}
	snprintf(tr, sizeof(tr), "/Size 10 /Root 1 0 R /Prev %zu /XRefStm %zu", prev, xs);
	int nums[] = { 3 };
	b_table(&p, nums, 1, tr);
	struct lm_pdfr *r = open_ok(&p.b);
	assert_int_equal(lm_pdfr_nrevisions(r), 2);
	assert_int_equal(lm_pdfr_revision(r, 1)->hybrid, 1);
	struct lm_pobj *o = NULL;
	struct lm_diag d;
	assert_int_equal(lm_pdfr_get(r, 1, 8, &o, &d), 0);
	assert_int_equal(o->kind, LM_PK_STRING);
	assert_string_equal(o->s, "only in the stream");
	lm_pobj_free(o);
	assert_int_equal(lm_pdfr_get(r, 0, 8, &o, &d), 1);
	lm_pdfr_free(r);
	lm_buf_release(&p.b);
}

static void test_wrong_length_and_indirect_length(void **state)
{
	(void)state;
	struct pdfb p;
	memset(&p, 0, sizeof(p));
	lm_buf_init(&p.b);
	lm_buf_adds(&p.b, "%PDF-1.4\n");
	b_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	b_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	b_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Other 6 0 R >>");
	p.offs[4] = p.b.len;
	lm_buf_adds(&p.b, "4 0 obj\n<< /Length 5 0 R >>\nstream\nabcdef\nendstream\nendobj\n");
	b_obj(&p, 5, "6");
	p.offs[6] = p.b.len;
	lm_buf_adds(&p.b, "6 0 obj\n<< /Length 999 >>\nstream\r\nxyz\r\nendstream\nendobj\n");
	int nums[] = { 0, 1, 2, 3, 4, 5, 6 };
	b_table(&p, nums, 7, "/Size 7 /Root 1 0 R");
	struct lm_pdfr *r = open_ok(&p.b);
	struct lm_pobj *o = NULL;
	struct lm_diag d;
	assert_int_equal(lm_pdfr_get(r, 0, 4, &o, &d), 0);
	assert_int_equal(o->data_len, 6);
	assert_memory_equal(o->data, "abcdef", 6);
	lm_pobj_free(o);
	/* a /Length past the end: the bytes up to "endstream" */
	assert_int_equal(lm_pdfr_get(r, 0, 6, &o, &d), 0);
	assert_int_equal(o->data_len, 3);
	assert_memory_equal(o->data, "xyz", 3);
	lm_pobj_free(o);
	lm_pdfr_free(r);
	lm_buf_release(&p.b);
}

static void test_hostile(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "hello");
	open_fails(&b, "not a PDF file (no '%PDF-' header)");
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\n1 0 obj\n<< >>\nendobj\n");
	open_fails(&b, "no 'startxref' at its end");
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\nstartxref\n99999\n%%EOF\n");
	open_fails(&b, "'startxref' is not followed by the offset");
	/* /Prev pointing back at itself */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 >>\n"
		       "startxref\n9\n%%EOF\n");
	open_fails(&b, "form a loop");
	/* a subsection claiming more entries than the file could hold */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\nxref\n0 8000000\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\n"
		       "startxref\n9\n%%EOF\n");
	open_fails(&b, "larger than the file");
	/* an xref stream with a bad /W */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\n1 0 obj\n<< /Type /XRef /Size 1 /W [1 99 1] /Length 0 >>\nstream\n\n"
		       "endstream\nendobj\nstartxref\n9\n%%EOF\n");
	open_fails(&b, "no valid /W");
	/* startxref at something else */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n9\n%%EOF\n");
	open_fails(&b, "not a cross-reference table or stream");

	/* a page tree that refers to itself */
	struct pdfb p, p2;
	memset(&p, 0, sizeof(p));
	lm_buf_init(&p.b);
	lm_buf_adds(&p.b, "%PDF-1.4\n");
	b_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	b_obj(&p, 2, "<< /Type /Pages /Kids [2 0 R] /Count 1 >>");
	b_obj(&p, 3, "<< /Type /ObjStm /N 1 /First 4 /Length 3 >>"); /* not a stream */
	int nums[] = { 0, 1, 2, 3 };
	b_table(&p, nums, 4, "/Size 4 /Root 1 0 R");
	/* object 4 said to be in "object stream" 3 */
	struct lm_pdfr *r = open_ok(&p.b);
	long long *pages;
	size_t n;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfr_pages(r, 0, &pages, &n, &d), -1);
	assert_non_null(strstr(d.msg, "refers to object 2 twice"));
	assert_int_equal(lm_pdfr_check_whole(p.b.ptr, p.b.len, NULL, &d), -1);
	lm_pdfr_free(r);
	/* bytes after the last %%EOF, or cut short inside an update */
	struct lm_buf more = LM_BUF_INIT;
	classic(&p2);
	lm_buf_add(&more, p2.b.ptr, p2.b.len);
	assert_int_equal(lm_pdfr_check_whole(more.ptr, more.len, NULL, &d), 0);
	lm_buf_adds(&more, "3 0 obj\n<< /Type /Page >>\nendobj\nxref\n0 1\n");
	assert_int_equal(lm_pdfr_check_whole(more.ptr, more.len, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "does not end with its last revision's '%%EOF'"));
	lm_buf_release(&more);
	lm_buf_release(&p2.b);
	/* cut short: no startxref left */
	assert_int_equal(lm_pdfr_check_whole(p.b.ptr, p.b.len / 2, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "incomplete"));
	lm_buf_release(&p.b);

	/* an object at the wrong offset */
	memset(&p, 0, sizeof(p));
	lm_buf_init(&p.b);
	lm_buf_adds(&p.b, "%PDF-1.4\n");
	b_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	b_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
	p.offs[2] = p.offs[1];
	int nums2[] = { 0, 1, 2 };
	b_table(&p, nums2, 3, "/Size 3 /Root 1 0 R");
	r = open_ok(&p.b);
	struct lm_pobj *o = NULL;
	assert_int_equal(lm_pdfr_get(r, 0, 2, &o, &d), -1);
	assert_non_null(strstr(d.msg, "object 1 is there"));
	lm_pdfr_free(r);
	lm_buf_release(&p.b);
	lm_buf_release(&b);
}

/* A zip bomb in an object stream stops at the bound, with a message. */
static void test_bomb(void **state)
{
	(void)state;
	/* 200 MB of zeros, deflated a chunk at a time (about 200 KB) */
	static char zeros[1 << 20];
	struct lm_buf z = LM_BUF_INIT;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit(&zs, 9), Z_OK);
	for (int i = 0; i < 200; i++) {
		zs.next_in = (Bytef *)zeros;
		zs.avail_in = sizeof(zeros);
		do {
			lm_buf_grow(&z, 65536);
			zs.next_out = (Bytef *)z.ptr + z.len;
			zs.avail_out = 65536;
			deflate(&zs, i == 199 ? Z_FINISH : Z_NO_FLUSH);
			z.len += 65536 - zs.avail_out;
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	struct pdfb p;
	memset(&p, 0, sizeof(p));
	lm_buf_init(&p.b);
	lm_buf_adds(&p.b, "%PDF-1.5\n");
	b_stream(&p, 1, "/Filter /FlateDecode", z.ptr, z.len);
	int nums[] = { 0, 1 };
	b_table(&p, nums, 2, "/Size 2");
	struct lm_pdfr *r = open_ok(&p.b);
	struct lm_pobj *o = NULL;
	struct lm_diag d;
	assert_int_equal(lm_pdfr_get(r, 0, 1, &o, &d), 0);
	struct lm_buf out = LM_BUF_INIT;
	assert_int_equal(lm_pdfr_stream(r, 0, o, &out, &d), -1);
	assert_non_null(strstr(d.msg, "decompresses to more than 128 MB"));
	lm_buf_release(&out);
	lm_pobj_free(o);
	lm_pdfr_free(r);
	lm_buf_release(&p.b);
	lm_buf_release(&z);
}

static void test_numset(void **state)
{
	(void)state;
	struct lm_numset s = LM_NUMSET_INIT;
	assert_int_equal(lm_numset_has(&s, 5), 0);
	for (long long i = 0; i < 10000; i += 3)
		assert_int_equal(lm_numset_add(&s, i), 1);
	assert_int_equal(lm_numset_add(&s, 9), 0);
	assert_int_equal(lm_numset_has(&s, 9999), 1);
	assert_int_equal(lm_numset_has(&s, 9998), 0);
	lm_numset_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_bad_objects),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_classic),
		cmocka_unit_test(test_xref_stream_and_update),
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_wrong_length_and_indirect_length),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_numset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
