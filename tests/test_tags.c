/* test_tags.c - the structure tree writer (tags.c): marked-content ids in
 * reading order, kids and parents, the parent tree, link annotations,
 * several letters as Parts, the signature's Form, a parent tree of any depth. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "layout.h"
#include "pdfw.h"
#include "tags.h"

/* A letter: Document > P (with a Link), L > LI > (Lbl, LBody > P), Figure
 * with alt text, a P in Welsh; boxes on two pages, the P running over. */
struct fixture {
	struct lm_layout lay;
	int p, link, list, li, lbl, body, bp, fig, cy;
};

static struct lm_box text(int elem, double x, double y, const char *t)
{
	return (struct lm_box){ .kind = LM_BOX_TEXT, .elem = elem, .x = x, .y = y, .w = 50, .h = 11,
				.text = t };
}

static void make(struct fixture *fx)
{
	struct lm_layout *lay = &fx->lay;
	lm_layout_init(lay, 595, 842);
	fx->p = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
	fx->link = lm_layout_elem(lay, LM_ROLE_LINK, 0, fx->p);
	lay->elems[fx->link].href = "https://example.org";
	fx->list = lm_layout_elem(lay, LM_ROLE_LIST, 0, 0);
	fx->li = lm_layout_elem(lay, LM_ROLE_LIST_ITEM, 0, fx->list);
	fx->lbl = lm_layout_elem(lay, LM_ROLE_LABEL, 0, fx->li);
	fx->body = lm_layout_elem(lay, LM_ROLE_LIST_BODY, 0, fx->li);
	fx->bp = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, fx->body);
	fx->fig = lm_layout_elem(lay, LM_ROLE_FIGURE, 0, 0);
	lay->elems[fx->fig].alt = "Signature of Siân (Jones)";
	fx->cy = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
	lay->elems[fx->cy].lang = "cy";
	struct lm_box b[] = {
		text(fx->p, 60, 700, "Visit"),           /* 0 */
		text(fx->link, 120, 700, "example.org"), /* 1 */
		{ .kind = LM_BOX_RULE, .elem = -1, .x = 120, .y = 698, .w = 50, .h = 1 }, /* 2: underline */
		text(fx->p, 175, 700, "today"),          /* 3 */
		text(fx->p, 60, 686, "and again"),       /* 4: same element, shares 3's id */
		text(fx->lbl, 60, 670, "1."),            /* 5 */
		text(fx->bp, 80, 670, "item"),           /* 6 */
		text(-1, 60, 40, "Page 1 of 2"),         /* 7: artifact */
	};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		lm_layout_add(lay, 0, &b[i]);
	struct lm_box b2[] = {
		text(fx->bp, 80, 780, "continued"),     /* 0: on page 2 */
		{ .kind = LM_BOX_IMAGE, .elem = fx->fig, .x = 60, .y = 700, .w = 80, .h = 40 }, /* 1 */
		text(fx->cy, 60, 650, "Bore da"),        /* 2 */
	};
	for (size_t i = 0; i < sizeof(b2) / sizeof(b2[0]); i++)
		lm_layout_add(lay, 1, &b2[i]);
}

/* Runs the tree over one letter as pdf.c does, pages 10 and 20, the
 * link's annotation object 7. */
static void run(struct lm_tags *t, struct fixture *fx, int mcid1[8], int mcid2[3], int keys[3])
{
	lm_tags_begin_letter(t, &fx->lay);
	lm_tags_begin_page(t, 10, fx->lay.pages[0].boxes, fx->lay.pages[0].n, NULL, mcid1);
	keys[2] = lm_tags_link(t, fx->link, 7);
	assert_string_equal(lm_tags_type(t, fx->lbl), "Lbl");
	assert_string_equal(lm_tags_type(t, -1), "Artifact");
	assert_int_equal(lm_tags_link(t, -1, 8), -1); /* an artifact's link has no key */
	keys[0] = lm_tags_end_page(t);
	lm_tags_begin_page(t, 20, fx->lay.pages[1].boxes, fx->lay.pages[1].n, NULL, mcid2);
	keys[1] = lm_tags_end_page(t);
	lm_tags_end_letter(t);
}

/* `what` in the file's bytes (compressed data holds NUL bytes) */
static const char *find(const struct lm_buf *b, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= b->len; i++)
		if (!memcmp(b->ptr + i, what, n))
			return b->ptr + i;
	return NULL;
}

/* Every deflated stream of the file, inflated and joined. */
static char *inflate_all(const struct lm_buf *pdf)
{
	struct lm_buf all = LM_BUF_INIT;
	for (const char *p = pdf->ptr; (p = find(&(struct lm_buf){ (char *)p, pdf->len - (size_t)(p - pdf->ptr), 0 }, "/Filter/FlateDecode/Length ")); p++) {
		size_t zlen = strtoul(p + 27, NULL, 10);
		const char *data = strstr(p, ">>\nstream\n");
		assert_non_null(data);
		data += 10;
		uLongf n = 4 << 20;
		char *raw = malloc(n + 1);
		assert_int_equal(uncompress((Bytef *)raw, &n, (const Bytef *)data, zlen), Z_OK);
		lm_buf_add(&all, raw, n);
		lm_buf_addc(&all, '\n');
		free(raw);
	}
	for (size_t i = 0; i < all.len; i++)
		if (!all.ptr[i])
			all.ptr[i] = ' ';
	return lm_buf_detach(&all, NULL);
}

static void finish(struct lm_tags *t, struct lm_pdfw *w, char **raw)
{
	lm_tags_finish(t);
	struct lm_diag d;
	assert_int_equal(lm_pdfw_finish(w, t->root_num, 0, &d), 0);
	*raw = inflate_all(&w->out);
}

static void test_mcids(void **state)
{
	(void)state;
	struct fixture fx;
	make(&fx);
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	struct lm_tags t;
	lm_tags_init(&t, &w, "en-GB");
	int m1[8], m2[3], keys[3];
	run(&t, &fx, m1, m2, keys);
	/* in reading order; a run of one element shares an id; artifacts -1 */
	assert_int_equal(m1[0], 0);
	assert_int_equal(m1[1], 1);
	assert_int_equal(m1[2], -1);
	assert_int_equal(m1[3], 2);
	assert_int_equal(m1[4], 2);
	assert_int_equal(m1[5], 3);
	assert_int_equal(m1[6], 4);
	assert_int_equal(m1[7], -1);
	/* ids count from 0 on every page */
	assert_int_equal(m2[0], 0);
	assert_int_equal(m2[1], 1);
	assert_int_equal(m2[2], 2);
	/* keys: the link annotation, page 1, page 2 */
	assert_int_equal(keys[2], 0);
	assert_int_equal(keys[0], 1);
	assert_int_equal(keys[1], 2);
	lm_tags_release(&t);
	lm_pdfw_release(&w);
	lm_layout_release(&fx.lay);
}

static void test_tree(void **state)
{
	(void)state;
	struct fixture fx;
	make(&fx);
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	struct lm_tags t;
	lm_tags_init(&t, &w, "en-GB");
	int m1[8], m2[3], keys[3];
	run(&t, &fx, m1, m2, keys);
	char *raw;
	finish(&t, &w, &raw);
	/* 1 root, then the letter's elements as it ends: Document 2, P 3,
	 * Link 4, L 5, LI 6, Lbl 7, LBody 8, P 9, Figure 10, P 11; the parent
	 * tree 12 */
	assert_non_null(strstr(raw, "<</Type/StructTreeRoot/K 2 0 R/ParentTree 12 0 R/ParentTreeNextKey 3>>"));
	assert_non_null(strstr(raw, "<</Nums[0 4 0 R 1 [3 0 R 4 0 R 3 0 R 7 0 R 9 0 R] 2 [9 0 R 10 0 R 11 0 R]]>>"));
	assert_non_null(strstr(raw, "<</S/Document/P 1 0 R/K[3 0 R 5 0 R 10 0 R 11 0 R]>>"));
	/* mixed content in reading order */
	assert_non_null(strstr(raw, "<</S/P/P 2 0 R/Pg 10 0 R/K[0 4 0 R 2]>>"));
	assert_non_null(strstr(raw, "<</S/Link/P 3 0 R/Pg 10 0 R/K[1<</Type/OBJR/Obj 7 0 R>>]>>"));
	/* structure-only elements have no page and no content */
	assert_non_null(strstr(raw, "<</S/L/P 2 0 R/K 6 0 R>>"));
	assert_non_null(strstr(raw, "<</S/LI/P 5 0 R/K[7 0 R 8 0 R]>>"));
	/* content on another page is a marked-content reference */
	assert_non_null(strstr(raw, "<</S/P/P 8 0 R/Pg 10 0 R/K[4<</Type/MCR/Pg 20 0 R/MCID 0>>]>>"));
	/* alt text in PDFDocEncoding ("Signature of Siân (Jones)"); a language of its own */
	assert_non_null(strstr(raw, "/S/Figure/P 2 0 R/Pg 20 0 R/K 1/Alt(Signature of Si\xE2n \\(Jones\\))>>"));
	assert_non_null(strstr(raw, "/K 2/Lang(cy)>>"));
	free(raw);
	/* one cross-reference stream, no table */
	assert_non_null(find(&w.out, "/Type/XRef"));
	assert_null(find(&w.out, "\nxref"));
	assert_non_null(find(&w.out, "%%EOF\n"));
	lm_tags_release(&t);
	lm_pdfw_release(&w);
	lm_layout_release(&fx.lay);
}

static void test_parts_and_form(void **state)
{
	(void)state;
	struct fixture a, b;
	make(&a);
	make(&b);
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	struct lm_tags t;
	lm_tags_init(&t, &w, "en-GB");
	int m1[8], m2[3], keys[3];
	run(&t, &a, m1, m2, keys);
	run(&t, &b, m1, m2, keys);
	assert_int_equal(keys[0], 4); /* 0-2 the first letter's, 3 the second's link */
	/* the signature field after the letters: the next key */
	assert_int_equal(lm_tags_form(&t, 30, 20), 6);
	char *raw;
	finish(&t, &w, &raw);
	/* 1 root, 2-11 the first letter, 12-21 the second, 22 the Document, 23 the Form */
	assert_non_null(strstr(raw, "<</Type/StructTreeRoot/K 22 0 R/ParentTree 24 0 R/ParentTreeNextKey 7>>"));
	assert_non_null(strstr(raw, "<</S/Document/P 1 0 R/K[2 0 R 12 0 R 23 0 R]>>"));
	assert_non_null(strstr(raw, "<</S/Part/P 22 0 R/K[3 0 R 5 0 R 10 0 R 11 0 R]>>"));
	assert_non_null(strstr(raw, "<</S/Part/P 22 0 R/K[13 0 R 15 0 R 20 0 R 21 0 R]>>"));
	assert_non_null(strstr(raw, "<</S/Form/P 22 0 R/Pg 20 0 R/K<</Type/OBJR/Obj 30 0 R>>>>"));
	assert_non_null(strstr(raw, " 6 23 0 R]>>"));
	free(raw);
	lm_tags_release(&t);
	lm_pdfw_release(&w);
	lm_layout_release(&a.lay);
	lm_layout_release(&b.lay);
}

/* n one-line letters; returns the inflated streams. */
static char *many(int n)
{
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	struct lm_tags t;
	lm_tags_init(&t, &w, NULL);
	for (int i = 0; i < n; i++) {
		struct lm_layout lay;
		lm_layout_init(&lay, 595, 842);
		int p = lm_layout_elem(&lay, LM_ROLE_PARAGRAPH, 0, 0);
		struct lm_box b = text(p, 60, 700, "Hello");
		lm_layout_add(&lay, 0, &b);
		int m;
		lm_tags_begin_letter(&t, &lay);
		lm_tags_begin_page(&t, (unsigned)(100000 + i), lay.pages[0].boxes, 1, NULL, &m);
		assert_int_equal(m, 0);
		assert_int_equal(lm_tags_end_page(&t), i);
		lm_tags_end_letter(&t);
		lm_layout_release(&lay);
	}
	char *raw;
	finish(&t, &w, &raw);
	lm_tags_release(&t);
	lm_pdfw_release(&w);
	return raw;
}

static void test_big_parent_tree(void **state)
{
	(void)state;
	/* 300 keys: a root over five leaves, each with its limits */
	char *raw = many(300);
	assert_non_null(strstr(raw, "<</Limits[0 63]/Nums[0 ["));
	assert_non_null(strstr(raw, "<</Limits[256 299]/Nums["));
	const char *kids = strstr(raw, "<</Kids[");
	assert_non_null(kids);
	int refs = 0;
	for (const char *k = kids; *k != ']'; k++)
		refs += *k == 'R';
	assert_int_equal(refs, 5);
	assert_true(strncmp(strchr(kids, ']'), "]>>", 3) == 0); /* no /Limits on the root */
	assert_non_null(strstr(raw, "/ParentTreeNextKey 300>>"));
	free(raw);
	/* 5,000 keys: 79 leaves under two nodes under the root */
	raw = many(5000);
	assert_non_null(strstr(raw, "/Limits[0 4095]>>"));
	assert_non_null(strstr(raw, "/Limits[4096 4999]>>"));
	assert_non_null(strstr(raw, "/ParentTreeNextKey 5000>>"));
	free(raw);
}

/* A table's header cells head their columns (PDF/UA-1 7.5). */
static void test_header_scope(void **state)
{
	(void)state;
	struct lm_layout lay;
	lm_layout_init(&lay, 595, 842);
	int table = lm_layout_elem(&lay, LM_ROLE_TABLE, 0, 0);
	int row = lm_layout_elem(&lay, LM_ROLE_TABLE_ROW, 0, table);
	int th = lm_layout_elem(&lay, LM_ROLE_TABLE_HEADER, 0, row);
	int row2 = lm_layout_elem(&lay, LM_ROLE_TABLE_ROW, 0, table);
	int td = lm_layout_elem(&lay, LM_ROLE_TABLE_CELL, 0, row2);
	struct lm_box b[] = { text(th, 60, 700, "Service"), text(td, 60, 680, "Careline") };
	lm_layout_add(&lay, 0, &b[0]);
	lm_layout_add(&lay, 0, &b[1]);
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	struct lm_tags t;
	lm_tags_init(&t, &w, NULL);
	int m[2];
	lm_tags_begin_letter(&t, &lay);
	lm_tags_begin_page(&t, 10, lay.pages[0].boxes, 2, NULL, m);
	lm_tags_end_page(&t);
	lm_tags_end_letter(&t);
	char *raw;
	finish(&t, &w, &raw);
	assert_non_null(strstr(raw, "/S/TH/"));
	assert_non_null(strstr(raw, "/A<</O/Table/Scope/Column>>"));
	const char *td_elem = strstr(raw, "/S/TD/");
	assert_non_null(td_elem);
	assert_null(strstr(strstr(raw, "/S/TD/"), "Scope"));
	free(raw);
	lm_tags_release(&t);
	lm_pdfw_release(&w);
	lm_layout_release(&lay);
}

static void test_strings(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_pdfw_text(&b, "a (b) \\c");
	assert_string_equal(b.ptr, "(a \\(b\\) \\\\c)");
	lm_buf_reset(&b);
	lm_pdfw_text(&b, "\xE2\x80\x99\xF0\x9F\x98\x80"); /* ’ and an emoji */
	assert_string_equal(b.ptr, "<FEFF2019D83DDE00>");
	lm_buf_reset(&b);
	lm_pdfw_text(&b, "caf\xC3\xA9 \xE2\x80\x94 (x)"); /* PDFDocEncoding, not ASCII */
	assert_string_equal(b.ptr, "(caf\xE9 \x84 \\(x\\))");
	lm_buf_reset(&b);
	lm_pdfw_literal(&b, "a\rb()\\", 6);
	assert_string_equal(b.ptr, "(a\\rb\\(\\)\\\\)");
	lm_buf_reset(&b);
	lm_tags_xmp(&b, "Fish & <Chips>", "A \"B\"", NULL, "en-GB", "P", "C");
	assert_non_null(strstr(b.ptr, "<rdf:li xml:lang=\"x-default\">Fish &amp; &lt;Chips&gt;</rdf:li>"));
	assert_non_null(strstr(b.ptr, "<dc:creator><rdf:Seq><rdf:li>A &quot;B&quot;</rdf:li>"));
	assert_null(strstr(b.ptr, "dc:description"));
	assert_non_null(strstr(b.ptr, "<pdf:Producer>P</pdf:Producer>"));
	/* the PDF/UA-1 identifier */
	assert_non_null(strstr(b.ptr, "<pdfuaid:part>1</pdfuaid:part>"));
	lm_buf_release(&b);
}

/* Whole numbers and references at every digit count's edges, appended
 * to what the buffer holds. */
static void test_numbers(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "x");
	static const size_t v[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999, 100000,
				    4294967295u, (size_t)-1 };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		lm_buf_addc(&b, ' ');
		lm_pdfw_uint(&b, v[i]);
	}
	char want[400];
	snprintf(want, sizeof(want), "x 0 1 9 10 11 99 100 101 999 1000 12345 99999 100000 4294967295 %zu",
		 (size_t)-1);
	assert_string_equal(b.ptr, want);
	lm_buf_reset(&b);
	lm_pdfw_ref(&b, 0);
	lm_pdfw_ref(&b, 7);
	lm_pdfw_ref(&b, 10);
	lm_pdfw_ref(&b, 4294967295u);
	assert_string_equal(b.ptr, "0 0 R7 0 R10 0 R4294967295 0 R");
	lm_buf_reset(&b);
	static const double d[] = { 0, 1.5, -2.25, 0.05, -0.004, -0.006, 12.3456, 595.276, 100, -1e6 };
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		lm_pdfw_num(&b, d[i]);
	assert_string_equal(b.ptr, "0 1.5 -2.25 0.05 0 -0.01 12.35 595.28 100 -1000000 ");
	assert_int_equal(b.len, strlen(b.ptr));
	lm_buf_release(&b);
}

/* Objects made in place are the bytes lm_pdfw_obj writes, in an object
 * stream and in an update alike. */
static void test_obj_in_place(void **state)
{
	(void)state;
	struct lm_pdfw w[2];
	struct lm_diag d;
	for (int k = 0; k < 2; k++) {
		lm_pdfw_init(&w[k], NULL);
		unsigned root = lm_pdfw_reserve(&w[k]);
		for (unsigned i = 0; i < 450; i++) { /* three object streams */
			char body[64];
			int n = snprintf(body, sizeof(body), "<</N %u/S(%*s)>>", i, (int)(i % 37), "");
			unsigned num = i ? lm_pdfw_reserve(&w[k]) : root;
			if (k) {
				lm_buf_add(lm_pdfw_obj_begin(&w[k], num), body, (size_t)n);
				lm_pdfw_obj_end(&w[k]);
			} else {
				lm_pdfw_obj(&w[k], num, body, (size_t)n);
			}
		}
		assert_int_equal(lm_pdfw_finish(&w[k], root, 0, &d), 0);
		lm_pdfw_update_begin(&w[k]);
		if (k) {
			lm_buf_adds(lm_pdfw_obj_begin(&w[k], root), "<</Updated true>>");
			lm_pdfw_obj_end(&w[k]);
		} else {
			lm_pdfw_obj(&w[k], root, "<</Updated true>>", 17);
		}
		assert_int_equal(lm_pdfw_update_finish(&w[k], root, 0, &d), 0);
	}
	assert_int_equal(w[0].out.len, w[1].out.len);
	assert_memory_equal(w[0].out.ptr, w[1].out.ptr, w[0].out.len);
	assert_non_null(find(&w[1].out, "1 0 obj\n<</Updated true>>\nendobj"));
	for (int k = 0; k < 2; k++)
		lm_pdfw_release(&w[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcids),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_parts_and_form),
		cmocka_unit_test(test_big_parent_tree),
		cmocka_unit_test(test_header_scope),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_obj_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
