/* test_tags.c - the structure tree writer (tags.c): marked-content ids in
 * reading order, kids and parents, the parent tree, link annotations,
 * several letters as Parts, the object streams and the update section. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "layout.h"
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

/* Runs the tree over one letter as pdf.c does, pages 10 and 20. */
static void run(struct lm_tags *t, struct fixture *fx, int mcid1[8], int mcid2[3], int keys[2])
{
	lm_tags_begin_letter(t, &fx->lay);
	lm_tags_begin_page(t, 10, fx->lay.pages[0].boxes, fx->lay.pages[0].n, mcid1);
	int rect[4] = { 120, 697, 170, 710 };
	size_t before = t->nannots;
	size_t a = lm_tags_link(t, fx->link, rect, 7, "example.org");
	assert_int_equal(a, 1 + before); /* hidden objects 1, 2 ... */
	assert_string_equal(lm_tags_type(t, fx->lbl), "Lbl");
	assert_string_equal(lm_tags_type(t, -1), "Artifact");
	keys[0] = lm_tags_end_page(t);
	lm_tags_begin_page(t, 20, fx->lay.pages[1].boxes, fx->lay.pages[1].n, mcid2);
	keys[1] = lm_tags_end_page(t);
	lm_tags_end_letter(t);
}

/* `what` in the file's bytes (compressed data holds NUL bytes) */
static const char *find_in(const char *p, size_t len, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(p + i, what, n))
			return p + i;
	return NULL;
}

static const char *find(const struct lm_buf *b, const char *what)
{
	return find_in(b->ptr, b->len, what);
}

/* The objects of the first object stream in `pdf`, inflated. */
static char *objstm(const char *pdf, size_t len, size_t *out_len)
{
	const char *s = find_in(pdf, len, "/Type/ObjStm");
	assert_non_null(s);
	const char *l = strstr(s, "/Length ");
	assert_non_null(l);
	size_t zlen = strtoul(l + 8, NULL, 10);
	const char *data = strstr(s, "stream\n");
	assert_non_null(data);
	data += 7;
	assert_true((size_t)(data - pdf) + zlen <= len);
	uLongf n = 1 << 20;
	char *raw = malloc(n + 1);
	assert_int_equal(uncompress((Bytef *)raw, &n, (const Bytef *)data, zlen), Z_OK);
	raw[n] = '\0';
	*out_len = n;
	return raw;
}

static void test_mcids(void **state)
{
	(void)state;
	struct fixture fx;
	make(&fx);
	struct lm_tags t;
	lm_tags_init(&t, "en-GB");
	int m1[8], m2[3], keys[2];
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
	/* keys: page 1, the link annotation, page 2 */
	assert_int_equal(keys[0], 1);
	assert_int_equal(keys[1], 2);
	lm_tags_release(&t);
	lm_layout_release(&fx.lay);
}

static void test_tree(void **state)
{
	(void)state;
	struct fixture fx;
	make(&fx);
	struct lm_tags t;
	lm_tags_init(&t, "en-GB");
	int m1[8], m2[3], keys[2];
	run(&t, &fx, m1, m2, keys);
	struct lm_buf pdf = LM_BUF_INIT;
	lm_buf_adds(&pdf, "%PDF-1.5\n...\n");
	assert_int_equal(lm_tags_write(&t, &pdf, 9, 100, 1, 3), 0);
	size_t n;
	char *raw = objstm(pdf.ptr, pdf.len, &n);
	/* 100 root, 101 the annotation, 102 parent tree, 103 the Document, then
	 * P 104, Link 105, L 106, LI 107, Lbl 108, LBody 109, P 110, Figure 111, P 112 */
	assert_non_null(strstr(raw, "<</Type/StructTreeRoot/K 103 0 R/ParentTree 102 0 R/ParentTreeNextKey 3>>"));
	assert_non_null(strstr(raw, "<</Subtype/Link/Rect[120 697 170 710]/Border[0 0 0]/A 7 0 R/StructParent 0/Contents(example.org)>>"));
	assert_non_null(strstr(raw, "<</Nums[0 105 0 R 1 [104 0 R 105 0 R 104 0 R 108 0 R 110 0 R] 2 [110 0 R 111 0 R 112 0 R]]>>"));
	assert_non_null(strstr(raw, "<</S/Document/P 100 0 R/K[104 0 R 106 0 R 111 0 R 112 0 R]>>"));
	/* mixed content in reading order */
	assert_non_null(strstr(raw, "<</S/P/P 103 0 R/Pg 10 0 R/K[0 105 0 R 2]>>"));
	assert_non_null(strstr(raw, "<</S/Link/P 104 0 R/Pg 10 0 R/K[1<</Type/OBJR/Obj 101 0 R>>]>>"));
	/* structure-only elements have no page and no content */
	assert_non_null(strstr(raw, "<</S/L/P 103 0 R/K 107 0 R>>"));
	assert_non_null(strstr(raw, "<</S/LI/P 106 0 R/K[108 0 R 109 0 R]>>"));
	/* content on another page is a marked-content reference */
	assert_non_null(strstr(raw, "<</S/P/P 109 0 R/Pg 10 0 R/K[4<</Type/MCR/Pg 20 0 R/MCID 0>>]>>"));
	/* alt text in UTF-16 when it is not ASCII; a language of its own */
	assert_non_null(strstr(raw, "/S/Figure/P 103 0 R/Pg 20 0 R/K 1/Alt<FEFF005300690067006E006100740075007200650020006F006600200053006900E2006E00200028004A006F006E006500730029>>"));
	/* (the alt is "Signature of Siân (Jones)") */
	assert_non_null(strstr(raw, "/K 2/Lang(cy)>>"));
	free(raw);
	/* the update section */
	assert_non_null(find(&pdf, "/Type/XRef/Size 115/Index[100 13]/W[1 1 1]"));
	assert_non_null(find(&pdf, "xref\n113 2\n"));
	assert_non_null(find(&pdf, "trailer\n<<\n/Size 115\n/Root 1 0 R\n/Info 3 0 R\n/Prev 9\n/XRefStm "));
	assert_non_null(find(&pdf, "%%EOF\n"));
	lm_buf_release(&pdf);
	lm_tags_release(&t);
	lm_layout_release(&fx.lay);
}

static void test_parts(void **state)
{
	(void)state;
	struct fixture a, b;
	make(&a);
	make(&b);
	struct lm_tags t;
	lm_tags_init(&t, "en-GB");
	int m1[8], m2[3], keys[2];
	run(&t, &a, m1, m2, keys);
	run(&t, &b, m1, m2, keys);
	assert_int_equal(keys[0], 4); /* 0-2 the first letter's, 3 the second's link */
	struct lm_buf pdf = LM_BUF_INIT;
	lm_buf_adds(&pdf, "%PDF-1.5\n");
	assert_int_equal(lm_tags_write(&t, &pdf, 9, 100, 1, 0), 0);
	size_t n;
	char *raw = objstm(pdf.ptr, pdf.len, &n);
	/* 100 root, 101-102 annotations, 103 parent tree, 104 Document, 105.. letters */
	assert_non_null(strstr(raw, "<</Type/StructTreeRoot/K 104 0 R/ParentTree 103 0 R/ParentTreeNextKey 6>>"));
	assert_non_null(strstr(raw, "<</S/Document/P 100 0 R/K[105 0 R 115 0 R]>>"));
	assert_non_null(strstr(raw, "<</S/Part/P 104 0 R/K[106 0 R 108 0 R 113 0 R 114 0 R]>>"));
	assert_non_null(strstr(raw, "<</S/Part/P 104 0 R/K[116 0 R 118 0 R 123 0 R 124 0 R]>>"));
	assert_null(find(&pdf, "/Info"));
	free(raw);
	lm_buf_release(&pdf);
	lm_tags_release(&t);
	lm_layout_release(&a.lay);
	lm_layout_release(&b.lay);
}

static void test_big_parent_tree(void **state)
{
	(void)state;
	/* 300 one-line letters: a parent tree of leaves, several object streams */
	struct lm_tags t;
	lm_tags_init(&t, NULL);
	struct lm_layout lays[300];
	for (int i = 0; i < 300; i++) {
		lm_layout_init(&lays[i], 595, 842);
		int p = lm_layout_elem(&lays[i], LM_ROLE_PARAGRAPH, 0, 0);
		struct lm_box b = text(p, 60, 700, "Hello");
		lm_layout_add(&lays[i], 0, &b);
		int m;
		lm_tags_begin_letter(&t, &lays[i]);
		lm_tags_begin_page(&t, (unsigned)(10 + i), lays[i].pages[0].boxes, 1, &m);
		assert_int_equal(m, 0);
		assert_int_equal(lm_tags_end_page(&t), i);
		lm_tags_end_letter(&t);
	}
	struct lm_buf pdf = LM_BUF_INIT;
	lm_buf_adds(&pdf, "%PDF-1.5\n");
	assert_int_equal(lm_tags_write(&t, &pdf, 9, 1000, 1, 2), 0);
	size_t n;
	char *raw = objstm(pdf.ptr, pdf.len, &n);
	/* root 1000, parent tree root 1001 over 5 leaves 1002-1006 */
	assert_non_null(strstr(raw, "<</Kids[1002 0 R 1003 0 R 1004 0 R 1005 0 R 1006 0 R]>>"));
	assert_non_null(strstr(raw, "<</Limits[0 63]/Nums[0 [1009 0 R]"));
	assert_non_null(strstr(raw, "<</Limits[256 299]/Nums["));
	free(raw);
	/* 1 + 6 + 1 + 600 hidden objects: 4 object streams of at most 200 */
	assert_non_null(find(&pdf, "/Index[1000 608]"));
	assert_non_null(find(&pdf, "xref\n1608 5\n"));
	lm_buf_release(&pdf);
	lm_tags_release(&t);
	for (int i = 0; i < 300; i++)
		lm_layout_release(&lays[i]);
}

static void test_strings(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_tags_text_string(&b, "a (b) \\c");
	assert_string_equal(b.ptr, "(a \\(b\\) \\\\c)");
	lm_buf_reset(&b);
	lm_tags_text_string(&b, "\xE2\x80\x99\xF0\x9F\x98\x80"); /* ’ and an emoji */
	assert_string_equal(b.ptr, "<FEFF2019D83DDE00>");
	lm_buf_reset(&b);
	lm_tags_xmp(&b, "Fish & <Chips>", "A \"B\"", NULL, "en-GB", "P", "C");
	assert_non_null(strstr(b.ptr, "<rdf:li xml:lang=\"x-default\">Fish &amp; &lt;Chips&gt;</rdf:li>"));
	assert_non_null(strstr(b.ptr, "<dc:creator><rdf:Seq><rdf:li>A &quot;B&quot;</rdf:li>"));
	assert_null(strstr(b.ptr, "dc:description"));
	assert_non_null(strstr(b.ptr, "<pdf:Producer>P</pdf:Producer>"));
	lm_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcids),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_big_parent_tree),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
