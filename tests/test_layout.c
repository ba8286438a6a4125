/* test_layout.c - line breaking and page flow (layout.c), measured with the
 * real fonts.
 *
 * The fonts folder comes from argv[1] or, failing that, LM_TEST_FONTS_DIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "font.h"
#include "layout.h"
#include "markdown.h"
#include "value.h"

#ifndef LM_TEST_FONTS_DIR
#define LM_TEST_FONTS_DIR "fonts"
#endif

#define PAGE_W 595.276
#define PAGE_H 841.89
#define LEFT 72.0
#define RIGHT 523.0
#define TOP 770.0
#define BOTTOM 72.0
#define SIZE 11.0
#define LEADING 14.3
#define EPS 0.01

static const char *fonts_dir = LM_TEST_FONTS_DIR;
static struct lm_fonts fonts;

static int load_fonts(void **state)
{
	(void)state;
	struct lm_diag d;
	lm_fonts_init(&fonts);
	lm_diag_clear(&d);
	if (lm_fonts_load(&fonts, fonts_dir, &d)) {
		fprintf(stderr, "cannot load fonts from %s: %s: %s\n", fonts_dir, d.file, d.msg);
		return -1;
	}
	return 0;
}

static int release_fonts(void **state)
{
	(void)state;
	lm_fonts_release(&fonts);
	return 0;
}

/* A fresh layout and flow per test. */
struct fixture {
	struct lm_layout lay;
	struct lm_flow flow;
	struct lm_doc doc;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	lm_layout_init(&fx->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fx->flow, &fx->lay, &fonts, LEFT, RIGHT, TOP, BOTTOM);
	lm_doc_init(&fx->doc);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	lm_layout_release(&fx->lay);
	lm_doc_release(&fx->doc);
	free(fx);
	return 0;
}

static struct lm_para_style body(void)
{
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = SIZE, .leading = LEADING };
	return st;
}

static struct lm_span span(const char *text)
{
	struct lm_span s = { .text = text, .len = strlen(text) };
	return s;
}

static double width(enum lm_face face, const char *s)
{
	/* shaped: kerning included */
	return lm_shape_width(&fonts, face, s, strlen(s), SIZE);
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-6)
		fail_msg("%.6f != %.6f", got, want);
}

/* The TEXT boxes of a page, in order. */
static size_t text_boxes(const struct lm_layout *lay, size_t page, const struct lm_box **out,
			 size_t max)
{
	size_t n = 0;
	assert_true(page < lay->npages);
	for (size_t i = 0; i < lay->pages[page].n; i++) {
		const struct lm_box *b = &lay->pages[page].boxes[i];
		if (b->kind == LM_BOX_TEXT) {
			assert_true(n < max);
			out[n++] = b;
		}
	}
	return n;
}

/* Every box on every page inside [left, right] (a little slack for rounding). */
static void assert_within(const struct lm_layout *lay, double left, double right)
{
	for (size_t p = 0; p < lay->npages; p++) {
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			const struct lm_box *b = &lay->pages[p].boxes[i];
			if (b->x < left - EPS || b->x + b->w > right + EPS)
				fail_msg("page %zu box %zu \"%s\": x %.3f .. %.3f outside %.3f .. %.3f", p,
					 i, b->kind == LM_BOX_TEXT ? b->text : "(rule)", b->x,
					 b->x + b->w, left, right);
		}
	}
}

static void test_one_line(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	struct lm_span s = span("Dear Parent/Carer, thank you.");
	int e = lm_layout_elem(&fx->lay, LM_ROLE_PARAGRAPH, 0, 0);
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, e), 1);
	assert_int_equal(fx->lay.npages, 1);
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 1);
	assert_string_equal(b[0]->text, "Dear Parent/Carer, thank you.");
	assert_int_equal(b[0]->elem, e);
	assert_int_equal(b[0]->face, LM_FACE_REGULAR);
	assert_null(b[0]->href);
	assert_near(b[0]->x, LEFT);
	assert_near(b[0]->y, TOP - LEADING * 0.78);
	assert_near(b[0]->w, width(LM_FACE_REGULAR, "Dear Parent/Carer, thank you."));
	assert_near(b[0]->h, SIZE);
	assert_near(fx->flow.y, TOP - LEADING);
	assert_int_equal(fx->flow.at_top, 0);
	assert_int_equal(fx->flow.page, 0);
}

static void test_styles_make_boxes(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	struct lm_span s[3] = { span("Plain "), span("bold"), span(" end") };
	s[1].style = LM_SPAN_BOLD;
	assert_int_equal(lm_flow_para(&fx->flow, s, 3, &st, 0), 1);
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 3);
	assert_string_equal(b[0]->text, "Plain");
	assert_string_equal(b[1]->text, "bold");
	assert_string_equal(b[2]->text, "end");
	assert_int_equal(b[0]->face, LM_FACE_REGULAR);
	assert_int_equal(b[1]->face, LM_FACE_BOLD);
	assert_int_equal(b[2]->face, LM_FACE_REGULAR);
	double sp_reg = lm_font_char_width(&fonts, LM_FACE_REGULAR, ' ') * SIZE / 1000.0;
	double sp_bold = lm_font_char_width(&fonts, LM_FACE_BOLD, ' ') * SIZE / 1000.0;
	assert_near(b[1]->x, LEFT + width(LM_FACE_REGULAR, "Plain") + sp_reg);
	/* the space before "end" follows bold text: a bold space */
	assert_near(b[2]->x, b[1]->x + width(LM_FACE_BOLD, "bold") + sp_bold);
}

/* Greedy breaking at spaces, as the layout should do it. */
static size_t expected_lines(const char *text, double w, char lines[][256], size_t max)
{
	double sp = lm_font_char_width(&fonts, LM_FACE_REGULAR, ' ') * SIZE / 1000.0;
	size_t n = 0;
	double x = 0;
	const char *p = text;
	lines[0][0] = '\0';
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char word[256];
		memcpy(word, p, len);
		word[len] = '\0';
		double ww = width(LM_FACE_REGULAR, word);
		if (lines[n][0] && x + sp + ww > w + 0.001) {
			assert_true(++n < max);
			lines[n][0] = '\0';
			x = 0;
		}
		if (lines[n][0]) {
			strcat(lines[n], " ");
			x += sp;
		}
		strcat(lines[n], word);
		x += ww;
		p += len;
		while (*p == ' ')
			p++;
	}
	return n + 1;
}

static void test_wrap_narrow(void **state)
{
	struct fixture *fx = *state;
	const char *text = "The school will be closed on Friday for staff training, and we "
			   "ask that children bring a packed lunch on Thursday afternoon.";
	const double right = LEFT + 120;
	fx->flow.right = right;
	struct lm_para_style st = body();
	struct lm_span s = span(text);
	char want[32][256];
	size_t nwant = expected_lines(text, 120, want, 32);
	assert_true(nwant > 3);
	int n = lm_flow_para(&fx->flow, &s, 1, &st, 0);
	assert_int_equal(n, (int)nwant);
	const struct lm_box *b[32];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 32), nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_string_equal(b[i]->text, want[i]);
		assert_near(b[i]->x, LEFT);
		assert_near(b[i]->y, TOP - LEADING * 0.78 - LEADING * (double)i);
		assert_true(b[i]->x + b[i]->w <= right + EPS);
		/* the next line's first word would not have fitted */
		if (i + 1 < nwant) {
			char first[256];
			sscanf(want[i + 1], "%255s", first);
			double sp = lm_font_char_width(&fonts, LM_FACE_REGULAR, ' ') * SIZE / 1000.0;
			assert_true(b[i]->w + sp + width(LM_FACE_REGULAR, first) > 120);
		}
	}
	assert_within(&fx->lay, LEFT, right);
	assert_near(fx->flow.y, TOP - LEADING * (double)nwant);
}

static void test_long_url(void **state)
{
	struct fixture *fx = *state;
	char url[400] = "https://www.liverpool.gov.uk/";
	/* segments short enough that a break after a '/' is always possible
	 * late enough in the line; the hyphens must not be chosen instead */
	static const char *const seg[] = { "schools/", "in-year/", "term-dates/", "transfer/",
					   "sixth-form/", "2015/", "appeals.html?id=7&x=/" };
	for (size_t i = 0; strlen(url) < 300; i++)
		strcat(url, seg[i % 7]);
	url[300] = '\0';
	assert_int_equal(strlen(url), 300);

	const double right = LEFT + 150;
	fx->flow.right = right;
	struct lm_para_style st = body();
	struct lm_span s = span(url);
	s.href = url;
	int e = lm_layout_elem(&fx->lay, LM_ROLE_PARAGRAPH, 0, 0);
	int n = lm_flow_para(&fx->flow, &s, 1, &st, e);
	assert_true(n >= 5);
	const struct lm_box *b[64];
	size_t nb = text_boxes(&fx->lay, 0, b, 64);
	assert_int_equal(nb, (size_t)n);
	struct lm_buf all = LM_BUF_INIT;
	for (size_t i = 0; i < nb; i++) {
		lm_buf_adds(&all, b[i]->text);
		assert_true(b[i]->x + b[i]->w <= right + EPS);
		assert_near(b[i]->y, TOP - LEADING * 0.78 - LEADING * (double)i);
		/* every line but the last breaks after a '/' */
		if (i + 1 < nb) {
			size_t len = strlen(b[i]->text);
			if (b[i]->text[len - 1] != '/')
				fail_msg("line %zu \"%s\" does not end after '/'", i, b[i]->text);
		}
		assert_non_null(b[i]->href);
		assert_string_equal(b[i]->href, url);
	}
	/* the pieces put together are the address, nothing lost or added */
	assert_string_equal(all.ptr, url);
	lm_buf_release(&all);
	assert_within(&fx->lay, LEFT, right);
	/* one link element however many lines it spans */
	int links = 0;
	for (size_t i = 0; i < fx->lay.nelems; i++)
		if (fx->lay.elems[i].role == LM_ROLE_LINK)
			links++;
	assert_int_equal(links, 1);
}

/* Where a '/' and a '-' both could end the line, the '/' is taken: a break
 * after a hyphen reads as a hyphenated word. */
static void test_url_breaks_after_slash_not_hyphen(void **state)
{
	struct fixture *fx = *state;
	const char *url = "https://www.example.org/first-second-third/fourth";
	/* "…/first-second-th" fits, "…/first-second-third/" does not */
	double w = width(LM_FACE_REGULAR, "https://www.example.org/first-second-th");
	fx->flow.right = LEFT + w;
	struct lm_para_style st = body();
	struct lm_span s = span(url);
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), 2);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 4), 2);
	assert_string_equal(b[0]->text, "https://www.example.org/");
	assert_string_equal(b[1]->text, "first-second-third/fourth");
	assert_within(&fx->lay, LEFT, LEFT + w);
}

static void test_long_word_no_break_chars(void **state)
{
	struct fixture *fx = *state;
	char word[301];
	memset(word, 'm', 300);
	word[300] = '\0';
	const double right = LEFT + 100;
	fx->flow.right = right;
	struct lm_para_style st = body();
	struct lm_span s[2] = { span("See "), span(word) };
	int n = lm_flow_para(&fx->flow, s, 2, &st, 0);
	double mw = width(LM_FACE_REGULAR, "m");
	int per_line = (int)floor(100 / mw);
	/* "See" alone, then as many m's as fit on each line */
	assert_int_equal(n, 1 + (300 + per_line - 1) / per_line);
	const struct lm_box *b[64];
	size_t nb = text_boxes(&fx->lay, 0, b, 64);
	assert_int_equal(nb, (size_t)n);
	assert_string_equal(b[0]->text, "See");
	for (size_t i = 1; i + 1 < nb; i++)
		assert_int_equal(strlen(b[i]->text), (size_t)per_line);
	assert_within(&fx->lay, LEFT, right);
}

static void test_link(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	st.rgb = 0x111111;
	struct lm_span s[3] = { span("Visit "), span("www.a.org"), span(" today") };
	s[1].href = "https://www.a.org";
	int e = lm_layout_elem(&fx->lay, LM_ROLE_PARAGRAPH, 0, 0);
	assert_int_equal(lm_flow_para(&fx->flow, s, 3, &st, e), 1);
	/* a LINK element under the paragraph, carrying the target */
	assert_int_equal(fx->lay.nelems, 3);
	assert_int_equal(fx->lay.elems[2].role, LM_ROLE_LINK);
	assert_int_equal(fx->lay.elems[2].parent, e);
	assert_string_equal(fx->lay.elems[2].href, "https://www.a.org");
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 3);
	assert_string_equal(b[0]->text, "Visit");
	assert_int_equal(b[0]->elem, e);
	assert_null(b[0]->href);
	assert_int_equal(b[0]->rgb, 0x111111);
	assert_string_equal(b[1]->text, "www.a.org");
	assert_int_equal(b[1]->elem, 2);
	assert_string_equal(b[1]->href, "https://www.a.org");
	assert_int_not_equal(b[1]->rgb, 0x111111);
	assert_string_equal(b[2]->text, "today");
	assert_int_equal(b[2]->elem, e);
	assert_null(b[2]->href);
	/* and an underline the width of the link, an artifact */
	int rules = 0;
	for (size_t i = 0; i < fx->lay.pages[0].n; i++) {
		const struct lm_box *r = &fx->lay.pages[0].boxes[i];
		if (r->kind != LM_BOX_RULE)
			continue;
		rules++;
		assert_int_equal(r->elem, -1);
		assert_near(r->x, b[1]->x);
		assert_near(r->w, b[1]->w);
		assert_true(r->y < b[1]->y);
	}
	assert_int_equal(rules, 1);
}

static void test_two_links_two_elements(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	struct lm_span s[3] = { span("a.org"), span(" and "), span("b.org") };
	s[0].href = "https://a.org";
	s[2].href = "https://b.org";
	lm_flow_para(&fx->flow, s, 3, &st, 0);
	assert_int_equal(fx->lay.nelems, 3);
	assert_int_equal(fx->lay.elems[1].role, LM_ROLE_LINK);
	assert_string_equal(fx->lay.elems[1].href, "https://a.org");
	assert_int_equal(fx->lay.elems[2].role, LM_ROLE_LINK);
	assert_string_equal(fx->lay.elems[2].href, "https://b.org");
}

static void test_hard_breaks(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	struct lm_span s[6] = { span("one"), span("\n"), span("two"), span("\n"), span("\n"),
				span("three") };
	assert_int_equal(lm_flow_para(&fx->flow, s, 6, &st, 0), 4);
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 3);
	double y0 = TOP - LEADING * 0.78;
	assert_string_equal(b[0]->text, "one");
	assert_near(b[0]->y, y0);
	assert_string_equal(b[1]->text, "two");
	assert_near(b[1]->y, y0 - LEADING);
	/* an empty line between the two breaks */
	assert_string_equal(b[2]->text, "three");
	assert_near(b[2]->y, y0 - 3 * LEADING);
	for (int i = 0; i < 3; i++)
		assert_near(b[i]->x, LEFT);
	assert_near(fx->flow.y, TOP - 4 * LEADING);
}

static void test_hard_break_in_short_line(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	/* "a b" would fit on one line; the break forces two */
	struct lm_span s[3] = { span("a "), span("\n"), span("b") };
	assert_int_equal(lm_flow_para(&fx->flow, s, 3, &st, 0), 2);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 4), 2);
	assert_string_equal(b[0]->text, "a");
	assert_string_equal(b[1]->text, "b");
	assert_near(b[1]->x, LEFT);
}

/* Sets the flow so that exactly `lines` lines of body text fit above the
 * bottom of page 1. */
static void leave_room(struct fixture *fx, int lines)
{
	struct lm_para_style st = body();
	struct lm_span s = span("Filler.");
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	fx->flow.y = BOTTOM + LEADING * lines + LEADING / 2;
}

static const char *four_lines =
	"We are writing to let you know that the school will close early on "
	"Friday, so that staff can attend training.";

static int count_lines_at(const char *text, double w)
{
	char lines[32][256];
	return (int)expected_lines(text, w, lines, 32);
}

static void test_orphan_moves(void **state)
{
	struct fixture *fx = *state;
	fx->flow.right = LEFT + 150;
	int want = count_lines_at(four_lines, 150);
	assert_true(want >= 3);
	leave_room(fx, 1);
	struct lm_para_style st = body();
	struct lm_span s = span(four_lines);
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), want);
	/* nothing of the paragraph on page 1: it all moved */
	const struct lm_box *b[32];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 32), 1); /* the filler */
	assert_int_equal(fx->lay.npages, 2);
	assert_int_equal(text_boxes(&fx->lay, 1, b, 32), (size_t)want);
	assert_near(b[0]->y, TOP - LEADING * 0.78);
	assert_int_equal(fx->flow.page, 1);
	assert_near(fx->flow.y, TOP - LEADING * want);
}

static void test_widow_avoided(void **state)
{
	struct fixture *fx = *state;
	fx->flow.right = LEFT + 150;
	int want = count_lines_at(four_lines, 150);
	assert_true(want >= 4);
	/* room for all but one line: one line would stand alone on page 2, so
	 * two go over */
	leave_room(fx, want - 1);
	struct lm_para_style st = body();
	struct lm_span s = span(four_lines);
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), want);
	const struct lm_box *b[32];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 32), 1 + (size_t)(want - 2));
	assert_int_equal(text_boxes(&fx->lay, 1, b, 32), 2);
	assert_near(b[0]->y, TOP - LEADING * 0.78);
	assert_near(b[1]->y, TOP - LEADING * 1.78);
}

static void test_split_across_pages(void **state)
{
	struct fixture *fx = *state;
	fx->flow.right = LEFT + 150;
	int want = count_lines_at(four_lines, 150);
	assert_true(want >= 4);
	/* room for two: two here, the rest over the page */
	leave_room(fx, 2);
	struct lm_para_style st = body();
	struct lm_span s = span(four_lines);
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	const struct lm_box *b[32];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 32), 3);
	assert_int_equal(text_boxes(&fx->lay, 1, b, 32), (size_t)want - 2);
}

static void test_too_tall_at_top(void **state)
{
	struct fixture *fx = *state;
	/* a frame one line high: at the top of a page lines are placed anyway,
	 * one per page, never looping */
	fx->flow.top = BOTTOM + LEADING + 1;
	fx->flow.y = fx->flow.top;
	fx->flow.right = LEFT + 150;
	int want = count_lines_at(four_lines, 150);
	struct lm_para_style st = body();
	struct lm_span s = span(four_lines);
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), want);
	assert_int_equal(fx->lay.npages, (size_t)want);
	for (int p = 0; p < want; p++) {
		const struct lm_box *b[4];
		assert_int_equal(text_boxes(&fx->lay, (size_t)p, b, 4), 1);
	}
}

static void test_flow_need(void **state)
{
	struct fixture *fx = *state;
	/* at the top of a page nothing is gained by a new page */
	lm_flow_need(&fx->flow, 10000);
	assert_int_equal(fx->flow.page, 0);
	assert_int_equal(fx->lay.npages, 1);
	struct lm_para_style st = body();
	struct lm_span s = span("First line.");
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	double y = fx->flow.y;
	/* fits: nothing happens */
	lm_flow_need(&fx->flow, y - BOTTOM);
	assert_int_equal(fx->flow.page, 0);
	assert_near(fx->flow.y, y);
	/* does not fit: a new page, at its top */
	lm_flow_need(&fx->flow, y - BOTTOM + 1);
	assert_int_equal(fx->flow.page, 1);
	assert_int_equal(fx->lay.npages, 2);
	assert_near(fx->flow.y, TOP);
	assert_int_equal(fx->flow.at_top, 1);
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 1, b, 4), 1);
	assert_near(b[0]->y, TOP - LEADING * 0.78);
}

static void test_flow_space(void **state)
{
	struct fixture *fx = *state;
	lm_flow_space(&fx->flow, 20); /* none at the top of a page */
	assert_near(fx->flow.y, TOP);
	struct lm_para_style st = body();
	struct lm_span s = span("x");
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	lm_flow_space(&fx->flow, 20);
	assert_near(fx->flow.y, TOP - LEADING - 20);
	assert_near(lm_flow_width(&fx->flow), RIGHT - LEFT);
}

static void test_right_aligned(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	st.align = LM_ALIGN_RIGHT;
	st.right_indent = 10;
	struct lm_span s = span("Liverpool L1 1AA");
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 4), 1);
	assert_near(b[0]->x + b[0]->w, RIGHT - 10);
	assert_near(b[0]->w, width(LM_FACE_REGULAR, "Liverpool L1 1AA"));

	/* every line of a wrapped paragraph, each box of a mixed line */
	fx->flow.right = LEFT + 120;
	struct lm_span m[2] = { span(four_lines), span(" Signed") };
	m[1].style = LM_SPAN_BOLD;
	st.right_indent = 0;
	size_t before = fx->lay.pages[0].n;
	int n = lm_flow_para(&fx->flow, m, 2, &st, 0);
	assert_true(n > 2);
	double line_end = -1, line_y = -1;
	int lines = 0;
	for (size_t i = before; i < fx->lay.pages[0].n; i++) {
		const struct lm_box *bx = &fx->lay.pages[0].boxes[i];
		if (bx->y != line_y) {
			if (line_y >= 0)
				assert_near(line_end, LEFT + 120);
			line_y = bx->y;
			lines++;
		}
		line_end = bx->x + bx->w;
	}
	assert_near(line_end, LEFT + 120);
	assert_int_equal(lines, n);
}

static void test_centred(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	st.align = LM_ALIGN_CENTER;
	struct lm_span s = span("Page 1 of 2");
	lm_flow_para(&fx->flow, &s, 1, &st, 0);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 4), 1);
	assert_near(b[0]->x + b[0]->w / 2, (LEFT + RIGHT) / 2);
}

static void test_para_height_matches(void **state)
{
	struct fixture *fx = *state;
	char url[320] = "See https://www.example.org/";
	while (strlen(url) < 300)
		strcat(url, "abc/defghij-");
	struct lm_span a[1] = { span(four_lines) };
	struct lm_span b[6] = { span("one"), span("\n"), span("two"), span("\n"), span("\n"),
				span("three") };
	struct lm_span c[1] = { span(url) };
	struct lm_span d[2] = { span("Short "), span("bold and longer text that wraps") };
	d[1].style = LM_SPAN_BOLD;
	struct {
		const struct lm_span *s;
		size_t n;
	} paras[] = { { a, 1 }, { b, 6 }, { c, 1 }, { d, 2 } };
	static const double widths[] = { 451, 200, 120, 61.5 };
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		for (size_t p = 0; p < sizeof(paras) / sizeof(paras[0]); p++) {
			struct lm_para_style st = body();
			st.indent = 5 * (double)p;
			st.right_indent = 3;
			/* on a fresh, very tall page every time: no page breaks */
			fx->flow.top = 100000;
			lm_flow_new_page(&fx->flow);
			fx->flow.right = LEFT + widths[w];
			double h = lm_para_height(&fonts, paras[p].s, paras[p].n, &st,
						  lm_flow_width(&fx->flow));
			double y = fx->flow.y;
			size_t page = fx->flow.page;
			int n = lm_flow_para(&fx->flow, paras[p].s, paras[p].n, &st, 0);
			assert_int_equal(fx->flow.page, page);
			assert_near(y - fx->flow.y, h);
			assert_near(h, n * LEADING);
		}
	}
}

static void test_doc_lists(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	const char *md = "- a\n- b\n  1. c\n- d\n\nAfter\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	static const struct {
		enum lm_role role;
		int parent;
	} want[] = {
		{ LM_ROLE_DOCUMENT, -1 },
		{ LM_ROLE_LIST, 0 },        /* 1 */
		{ LM_ROLE_LIST_ITEM, 1 },   /* 2: a */
		{ LM_ROLE_LABEL, 2 },       /* 3 */
		{ LM_ROLE_LIST_BODY, 2 },   /* 4 */
		{ LM_ROLE_PARAGRAPH, 4 },   /* 5 */
		{ LM_ROLE_LIST_ITEM, 1 },   /* 6: b */
		{ LM_ROLE_LABEL, 6 },       /* 7 */
		{ LM_ROLE_LIST_BODY, 6 },   /* 8 */
		{ LM_ROLE_PARAGRAPH, 8 },   /* 9 */
		{ LM_ROLE_LIST, 8 },        /* 10: nested in b's body */
		{ LM_ROLE_LIST_ITEM, 10 },  /* 11: c */
		{ LM_ROLE_LABEL, 11 },      /* 12 */
		{ LM_ROLE_LIST_BODY, 11 },  /* 13 */
		{ LM_ROLE_PARAGRAPH, 13 },  /* 14 */
		{ LM_ROLE_LIST_ITEM, 1 },   /* 15: d, back in the outer list */
		{ LM_ROLE_LABEL, 15 },      /* 16 */
		{ LM_ROLE_LIST_BODY, 15 },  /* 17 */
		{ LM_ROLE_PARAGRAPH, 17 },  /* 18 */
		{ LM_ROLE_PARAGRAPH, 0 },   /* 19: After */
	};
	assert_int_equal(fx->lay.nelems, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < fx->lay.nelems; i++) {
		if (fx->lay.elems[i].role != want[i].role || fx->lay.elems[i].parent != want[i].parent)
			fail_msg("element %zu: role %d parent %d, want role %d parent %d", i,
				 fx->lay.elems[i].role, fx->lay.elems[i].parent, want[i].role,
				 want[i].parent);
	}
	const struct lm_box *b[32];
	size_t nb = text_boxes(&fx->lay, 0, b, 32);
	static const struct {
		const char *text;
		int elem;
		int depth; /* list level of the text, 0 for labels */
	} boxes[] = {
		{ "\xE2\x80\xA2", 3, 0 }, { "a", 5, 1 },  { "\xE2\x80\xA2", 7, 0 }, { "b", 9, 1 },
		{ "1.", 12, 0 },	  { "c", 14, 2 }, { "\xE2\x80\xA2", 16, 0 }, { "d", 18, 1 },
		{ "After", 19, 0 },
	};
	assert_int_equal(nb, sizeof(boxes) / sizeof(boxes[0]));
	for (size_t i = 0; i < nb; i++) {
		assert_string_equal(b[i]->text, boxes[i].text);
		assert_int_equal(b[i]->elem, boxes[i].elem);
		if (boxes[i].depth || !strcmp(boxes[i].text, "After"))
			assert_near(b[i]->x, LEFT + SIZE * 1.6 * boxes[i].depth);
	}
	/* a label hangs left of its item's text, on the same baseline */
	for (size_t i = 0; i + 1 < nb; i += 2) {
		if (i == 8)
			break;
		assert_true(b[i]->x + b[i]->w < b[i + 1]->x);
		assert_true(b[i]->x >= LEFT);
		assert_near(b[i]->y, b[i + 1]->y);
	}
}

static void test_doc_loose_item_paragraphs(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	const char *md = "- p1\n\n  p2\n- q\n\n+ other\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	static const struct {
		enum lm_role role;
		int parent;
	} want[] = {
		{ LM_ROLE_DOCUMENT, -1 }, { LM_ROLE_LIST, 0 },      { LM_ROLE_LIST_ITEM, 1 },
		{ LM_ROLE_LABEL, 2 },     { LM_ROLE_LIST_BODY, 2 }, { LM_ROLE_PARAGRAPH, 4 },
		{ LM_ROLE_PARAGRAPH, 4 }, /* p2: the same item's body, no label */
		{ LM_ROLE_LIST_ITEM, 1 }, { LM_ROLE_LABEL, 7 },     { LM_ROLE_LIST_BODY, 7 },
		{ LM_ROLE_PARAGRAPH, 9 }, { LM_ROLE_LIST, 0 }, /* a new list */
		{ LM_ROLE_LIST_ITEM, 11 }, { LM_ROLE_LABEL, 12 }, { LM_ROLE_LIST_BODY, 12 },
		{ LM_ROLE_PARAGRAPH, 14 },
	};
	assert_int_equal(fx->lay.nelems, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < fx->lay.nelems; i++) {
		if (fx->lay.elems[i].role != want[i].role || fx->lay.elems[i].parent != want[i].parent)
			fail_msg("element %zu: role %d parent %d, want role %d parent %d", i,
				 fx->lay.elems[i].role, fx->lay.elems[i].parent, want[i].role,
				 want[i].parent);
	}
	const struct lm_box *b[32];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 32), 7);
	assert_string_equal(b[2]->text, "p2");
	assert_near(b[2]->x, b[1]->x); /* aligned with p1's text */
}

/* A later paragraph of an outer item, after a nested list ended, and a
 * quote inside an item: both stay in their own item's body (the fuzzer
 * once found the quote ending the list and leaving an empty one). */
static void test_doc_item_paragraph_after_nested_and_quote(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	const char *md = "1. a\n   - b\n\n   more\n2. c\n   > q\n\n   after q\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	static const struct {
		enum lm_role role;
		int parent;
	} want[] = {
		{ LM_ROLE_DOCUMENT, -1 }, { LM_ROLE_LIST, 0 },       { LM_ROLE_LIST_ITEM, 1 }, /* 2: a */
		{ LM_ROLE_LABEL, 2 },     { LM_ROLE_LIST_BODY, 2 },  { LM_ROLE_PARAGRAPH, 4 },
		{ LM_ROLE_LIST, 4 },      { LM_ROLE_LIST_ITEM, 6 },  { LM_ROLE_LABEL, 7 }, /* 7: b */
		{ LM_ROLE_LIST_BODY, 7 }, { LM_ROLE_PARAGRAPH, 9 },
		{ LM_ROLE_PARAGRAPH, 4 }, /* 11: more, in a's body */
		{ LM_ROLE_LIST_ITEM, 1 }, { LM_ROLE_LABEL, 12 },     { LM_ROLE_LIST_BODY, 12 }, /* 12: c */
		{ LM_ROLE_PARAGRAPH, 14 },
		{ LM_ROLE_PARAGRAPH, 14 }, /* 16: q, the quote in c's body */
		{ LM_ROLE_PARAGRAPH, 14 }, /* 17: after q */
	};
	assert_int_equal(fx->lay.nelems, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < fx->lay.nelems; i++) {
		if (fx->lay.elems[i].role != want[i].role || fx->lay.elems[i].parent != want[i].parent)
			fail_msg("element %zu: role %d parent %d, want role %d parent %d", i,
				 fx->lay.elems[i].role, fx->lay.elems[i].parent, want[i].role,
				 want[i].parent);
	}
	assert_int_equal(lm_layout_empty_elem(&fx->lay), -1);
}

static void test_doc_table(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	const double right = LEFT + 220;
	fx->flow.right = right;
	const char *md = "| Contact | Phone |\n"
			 "|:--|--:|\n"
			 "| Colette O'Brien, Head of Admissions and Transport | 0151 233 3000 |\n"
			 "| Pneumonoultramicroscopicsilicovolcanoconiosis-and-more | 0151 233 3001 |\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	assert_within(&fx->lay, LEFT, right);
	/* Table > rows > header/data cells */
	size_t i = 1;
	assert_int_equal(fx->lay.elems[i].role, LM_ROLE_TABLE);
	assert_int_equal(fx->lay.elems[i].parent, 0);
	int table = (int)i;
	int headers = 0, cells = 0, rows = 0;
	for (i = 2; i < fx->lay.nelems; i++) {
		const struct lm_elem *e = &fx->lay.elems[i];
		switch (e->role) {
		case LM_ROLE_TABLE_ROW:
			assert_int_equal(e->parent, table);
			rows++;
			break;
		case LM_ROLE_TABLE_HEADER:
			assert_int_equal(fx->lay.elems[e->parent].role, LM_ROLE_TABLE_ROW);
			headers++;
			break;
		case LM_ROLE_TABLE_CELL:
			assert_int_equal(fx->lay.elems[e->parent].role, LM_ROLE_TABLE_ROW);
			cells++;
			break;
		default:
			fail_msg("unexpected element %zu role %d", i, e->role);
		}
	}
	assert_int_equal(rows, 3);
	assert_int_equal(headers, 2);
	assert_int_equal(cells, 4);
	/* the table's text all there, none below the frame */
	struct lm_buf all = LM_BUF_INIT;
	for (size_t k = 0; k < fx->lay.pages[0].n; k++) {
		const struct lm_box *b = &fx->lay.pages[0].boxes[k];
		if (b->kind == LM_BOX_TEXT) {
			lm_buf_adds(&all, b->text);
			assert_true(b->y > BOTTOM);
		}
	}
	assert_non_null(strstr(all.ptr, "0151 233 3001"));
	assert_non_null(strstr(all.ptr, "Contact"));
	lm_buf_release(&all);
}

/* Every image is 3000 x 300 pixels (20 x 2 in at 150 dpi: wider than the
 * text), except "small.png", 150 x 75 (1 x 0.5 in). */
static int test_image_lookup(void *ctx, const char *src, unsigned *w, unsigned *h)
{
	(void)ctx;
	int small = !strcmp(src, "small.png");
	*w = small ? 150 : 3000;
	*h = small ? 75 : 300;
	return small ? 1 : 0;
}

static void test_doc_images(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	fx->flow.image = test_image_lookup;
	const char *md = "![A small map](small.png)\n\n"
			 "![A wide map](wide.png)\n\n"
			 "![](small.png){.decorative}\n\n"
			 "- ![In a list](small.png)\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	const struct lm_box *img[8];
	size_t n = 0;
	for (size_t k = 0; k < fx->lay.pages[0].n && n < 8; k++)
		if (fx->lay.pages[0].boxes[k].kind == LM_BOX_IMAGE)
			img[n++] = &fx->lay.pages[0].boxes[k];
	assert_int_equal(n, 4);
	/* natural size at 150 dpi: 150 px = 72 pt */
	assert_near(img[0]->w, 72.0);
	assert_near(img[0]->h, 36.0);
	assert_int_equal(img[0]->image, 1);
	assert_int_equal(fx->lay.elems[img[0]->elem].role, LM_ROLE_FIGURE);
	assert_string_equal(fx->lay.elems[img[0]->elem].alt, "A small map");
	/* never wider than the text: scaled down, proportions kept */
	assert_near(img[1]->w, RIGHT - LEFT);
	assert_near(img[1]->h, (RIGHT - LEFT) / 10);
	assert_true(img[1]->y < img[0]->y);
	/* decoration is an artifact */
	assert_int_equal(img[2]->elem, -1);
	/* in a list item: indented, a Figure in the item's body */
	assert_true(img[3]->x > LEFT + 1);
	int e = img[3]->elem;
	assert_int_equal(fx->lay.elems[e].role, LM_ROLE_FIGURE);
	assert_int_equal(fx->lay.elems[fx->lay.elems[e].parent].role, LM_ROLE_LIST_BODY);
	/* its bullet beside the image's top line, not on a line of its own */
	const struct lm_box *t[8];
	size_t nt = text_boxes(&fx->lay, 0, t, 8);
	assert_int_equal(nt, 1);
	assert_string_equal(t[0]->text, "\xE2\x80\xA2");
	assert_true(t[0]->y < img[3]->y + img[3]->h && t[0]->y > img[3]->y + img[3]->h - 2 * SIZE);
	assert_true(t[0]->x < img[3]->x);
	assert_int_equal(fx->lay.elems[t[0]->elem].role, LM_ROLE_LABEL);
	/* without a look-up, the alt text is printed */
	lm_layout_release(&fx->lay);
	lm_layout_init(&fx->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fx->flow, &fx->lay, fx->flow.fonts, LEFT, RIGHT, TOP, BOTTOM);
	fx->flow.image = NULL;
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 4); /* three alt texts and the bullet */
	assert_string_equal(b[0]->text, "A small map");
}

static void test_table_header_repeated(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	struct lm_buf md = LM_BUF_INIT;
	lm_buf_adds(&md, "| Name | Phone |\n| --- | --- |\n");
	for (int i = 0; i < 80; i++)
		lm_buf_addf(&md, "| Service %d | 0151 233 %04d |\n", i, i);
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md.ptr, md.len, &d), 0);
	lm_buf_release(&md);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	assert_true(fx->lay.npages >= 3);
	for (size_t p = 0; p < fx->lay.npages; p++) {
		/* each page's first text is the header */
		const struct lm_box *b[400];
		assert_true(text_boxes(&fx->lay, p, b, 400) >= 2);
		assert_string_equal(b[0]->text, "Name");
		assert_string_equal(b[1]->text, "Phone");
		/* read once: tagged on the first page, an artifact after */
		if (p == 0)
			assert_int_equal(fx->lay.elems[b[0]->elem].role, LM_ROLE_TABLE_HEADER);
		else
			assert_int_equal(b[0]->elem, -1);
	}
	size_t headers = 0;
	for (size_t e = 0; e < fx->lay.nelems; e++)
		headers += fx->lay.elems[e].role == LM_ROLE_TABLE_HEADER;
	assert_int_equal(headers, 2);
}

static void test_table_columns_fit(void **state)
{
	struct fixture *fx = *state;
	struct lm_diag d;
	const char *md = "| Service | Phone | Opening hours |\n| --- | --- | --- |\n"
			 "| Front Door | 01632 960 001 | Mon \xE2\x80\x93 Thur 9am to 5pm and Fri 9am to 4:30pm |\n"
			 "| Police | 101 | Any time |\n";
	assert_int_equal(lm_doc_parse(&fx->doc, "t.md", md, strlen(md), &d), 0);
	lm_flow_doc(&fx->flow, &fx->doc, SIZE, 0);
	assert_within(&fx->lay, LEFT, RIGHT);
	const struct lm_box *b[64];
	size_t n = text_boxes(&fx->lay, 0, b, 64);
	double x_phone = 0, x_hours = 0, y_mon = 0;
	int hours_lines = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(b[i]->text, "Phone"))
			x_phone = b[i]->x;
		if (!strcmp(b[i]->text, "Opening hours"))
			x_hours = b[i]->x;
		if (!strncmp(b[i]->text, "Mon", 3))
			y_mon = b[i]->y, hours_lines++;
	}
	/* the long column wider than the others, and its text on one line */
	assert_true(RIGHT - x_hours > 1.5 * (x_hours - x_phone));
	assert_true(RIGHT - x_hours > 1.5 * (x_phone - LEFT));
	assert_int_equal(hours_lines, 1);
	assert_true(y_mon > 0);
}

/* ---- bidi and line-break opportunities ---- */

/* The TEXT boxes of page 0 sorted left to right (one line). */
static size_t boxes_by_x(const struct lm_layout *lay, const struct lm_box **b, size_t max)
{
	size_t n = text_boxes(lay, 0, b, max);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && b[j - 1]->x > b[j]->x; j--) {
			const struct lm_box *t = b[j];
			b[j] = b[j - 1];
			b[j - 1] = t;
		}
	return n;
}

static const struct lm_box *box_with(const struct lm_box **b, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(b[i]->text, text))
			return b[i];
	fail_msg("no box \"%s\"", text);
	return NULL;
}

/* An Arabic paragraph flows right to left against the right margin; an
 * English word and a phone number inside it stay left to right. */
static void test_rtl_paragraph(void **state)
{
	struct fixture *fx = *state;
	fx->flow.lang = "ar";
	struct lm_para_style st = body();
	/* "we welcome you in" Liverpool "on" 0151 233 0476 "thanks" */
	struct lm_span s = span("\xD9\x86\xD8\xB1\xD8\xAD\xD8\xA8 \xD8\xA8\xD9\x83\xD9\x85 \xD9\x81\xD9\x8A "
				"Liverpool \xD8\xB9\xD9\x84\xD9\x89 0151 233 0476 \xD8\xB4\xD9\x83\xD8\xB1\xD8\xA7");
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), 1);
	const struct lm_box *b[16];
	size_t n = boxes_by_x(&fx->lay, b, 16);
	assert_int_equal(n, 5);
	/* right to left: the first words rightmost, at the margin */
	assert_string_equal(b[4]->text, "\xD9\x86\xD8\xB1\xD8\xAD\xD8\xA8 \xD8\xA8\xD9\x83\xD9\x85 \xD9\x81\xD9\x8A");
	assert_near(b[4]->x + b[4]->w, RIGHT);
	assert_int_equal(b[4]->rtl, 1);
	assert_string_equal(b[3]->text, "Liverpool");
	assert_int_equal(b[3]->rtl, 0);
	assert_int_equal(b[3]->font, LM_FACE_REGULAR);
	assert_string_equal(b[2]->text, "\xD8\xB9\xD9\x84\xD9\x89");
	/* the number whole and in its own order, not "0476 233 0151" */
	assert_string_equal(b[1]->text, "0151 233 0476");
	assert_int_equal(b[1]->rtl, 0);
	assert_int_equal(b[1]->glyphs[0].cluster, 0);
	assert_string_equal(b[0]->text, "\xD8\xB4\xD9\x83\xD8\xB1\xD8\xA7");
	/* Arabic in Naskh, its glyphs right to left: the first letter last */
	assert_int_equal(b[0]->font, LM_FACES + 2 * LM_FB_NASKH);
	assert_int_equal(b[0]->glyphs[b[0]->nglyphs - 1].cluster, 0);
	for (size_t i = 0; i + 1 < n; i++)
		assert_true(b[i]->x + b[i]->w <= b[i + 1]->x + EPS);
	assert_within(&fx->lay, LEFT, RIGHT);
}

/* A right-to-left list item: indented from the right, its bullet hung
 * right of the text. */
static void test_rtl_list_item(void **state)
{
	struct fixture *fx = *state;
	fx->flow.lang = "ar";
	struct lm_para_style st = body();
	st.indent = 20;
	st.marker = "\xE2\x80\xA2";
	st.marker_elem = lm_layout_elem(&fx->lay, LM_ROLE_LABEL, 0, 0);
	struct lm_span s = span("\xD8\xB4\xD9\x83\xD8\xB1\xD8\xA7");
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), 1);
	const struct lm_box *b[4];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 4), 2);
	const struct lm_box *bullet = b[0]->elem == st.marker_elem ? b[0] : b[1];
	const struct lm_box *text = bullet == b[0] ? b[1] : b[0];
	assert_near(text->x + text->w, RIGHT - 20);
	assert_true(bullet->x > text->x + text->w);
	assert_true(bullet->x + bullet->w <= RIGHT + EPS);
}

/* Urdu in Nastaliq; a wrapped right-to-left paragraph: every line at the
 * right margin, the lines in logical order down the page. */
static void test_rtl_wraps(void **state)
{
	struct fixture *fx = *state;
	fx->flow.lang = "ur";
	fx->flow.right = LEFT + 150;
	struct lm_para_style st = body();
	struct lm_buf t = LM_BUF_INIT;
	for (int i = 0; i < 12; i++)
		lm_buf_addf(&t, "%s\xD8\xA7\xD8\xB3\xDA\xA9\xD9\x88\xD9\x84 %d", i ? " " : "", i); /* اسکول */
	struct lm_span s = span(t.ptr);
	int lines = lm_flow_para(&fx->flow, &s, 1, &st, 0);
	assert_true(lines > 2);
	const struct lm_box *b[128];
	size_t n = text_boxes(&fx->lay, 0, b, 128);
	double last_y = 1e9;
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i]->y < last_y - EPS) {
			/* Nastaliq's tall letters: lines twice the size apart,
			 * not the style's 1.3 */
			if (last_y < 1e9)
				assert_true(last_y - b[i]->y > 1.9 * SIZE);
			/* a new line: its rightmost box ends at the margin */
			double right = 0;
			for (size_t j = i; j < n && fabs(b[j]->y - b[i]->y) < EPS; j++)
				if (b[j]->x + b[j]->w > right)
					right = b[j]->x + b[j]->w;
			assert_near(right, LEFT + 150);
			last_y = b[i]->y;
			seen++;
		}
		if (b[i]->rtl)
			assert_int_equal(b[i]->font, LM_FACES + 2 * LM_FB_NASTALIQ);
	}
	assert_int_equal(seen, lines);
	/* each number once, in reading order: down the lines, and right to
	 * left along each line */
	int seen_n[12] = { 0 }, last = -1;
	double last_x = 0, line_y = 1e9;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (sscanf(b[i]->text, "%d", &v) != 1)
			continue;
		assert_true(v >= 0 && v < 12);
		seen_n[v]++;
		if (b[i]->y < line_y - EPS) {
			line_y = b[i]->y;
		} else {
			assert_true(b[i]->x > last_x); /* boxes come left to right */
			assert_true(v < last);         /* so the numbers fall */
		}
		last = v;
		last_x = b[i]->x;
	}
	for (int v = 0; v < 12; v++)
		assert_int_equal(seen_n[v], 1);
	assert_within(&fx->lay, LEFT, LEFT + 150);
	lm_buf_release(&t);
}

/* Hebrew inside an English sentence: the paragraph stays left to right,
 * the Hebrew run is drawn right to left (not reversed letters). */
static void test_hebrew_in_english(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	struct lm_span s = span("School: \xD7\x91\xD7\x99\xD7\xAA \xD7\xA1\xD7\xA4\xD7\xA8 today");
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), 1);
	const struct lm_box *b[8];
	size_t n = boxes_by_x(&fx->lay, b, 8);
	assert_int_equal(n, 3);
	assert_string_equal(b[0]->text, "School:");
	assert_near(b[0]->x, LEFT);
	const struct lm_box *he = box_with(b, n, "\xD7\x91\xD7\x99\xD7\xAA \xD7\xA1\xD7\xA4\xD7\xA8");
	assert_ptr_equal(he, b[1]);
	assert_int_equal(he->rtl, 1);
	assert_int_equal(he->font, LM_FACES + 2 * LM_FB_HEBREW);
	/* visual order: the last letter (ר, byte 11) leftmost, the first (ב) rightmost */
	assert_int_equal(he->glyphs[0].cluster, 11);
	assert_int_equal(he->glyphs[he->nglyphs - 1].cluster, 0);
	assert_string_equal(b[2]->text, "today");
}

/* UAX #14: a line may break after a dash, not inside a hyphenated name
 * (readers drop a hyphen at a line's end when text is copied); a
 * zero-width space is a break with nothing drawn. */
static void test_break_opportunities(void **state)
{
	struct fixture *fx = *state;
	struct lm_para_style st = body();
	double w = width(LM_FACE_REGULAR, "Friday club opens");
	assert_true(w > width(LM_FACE_REGULAR, "Open Monday\xE2\x80\x94"));
	assert_true(width(LM_FACE_REGULAR, "Open Monday\xE2\x80\x94" "Friday") > w + 1);
	fx->flow.right = LEFT + w + 1;
	struct lm_span s = span("Open Monday\xE2\x80\x94" "Friday club opens");
	assert_int_equal(lm_flow_para(&fx->flow, &s, 1, &st, 0), 2);
	const struct lm_box *b[8];
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 2);
	assert_string_equal(b[0]->text, "Open Monday\xE2\x80\x94");
	assert_string_equal(b[1]->text, "Friday club opens");

	lm_layout_release(&fx->lay);
	lm_layout_init(&fx->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fx->flow, &fx->lay, &fonts, LEFT, LEFT + width(LM_FACE_REGULAR, "Our Stoke-on-") + 1, TOP, BOTTOM);
	struct lm_span h = span("Our Stoke-on-Trent office");
	assert_int_equal(lm_flow_para(&fx->flow, &h, 1, &st, 0), 3);
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 3);
	assert_string_equal(b[0]->text, "Our");
	assert_string_equal(b[1]->text, "Stoke-on-");
	assert_string_equal(b[2]->text, "Trent office");

	struct fixture *fy = fx;
	lm_layout_release(&fy->lay);
	lm_layout_init(&fy->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fy->flow, &fy->lay, &fonts, LEFT, LEFT + width(LM_FACE_REGULAR, "Safeguarding") + 1, TOP, BOTTOM);
	struct lm_span z = span("Safeguarding\xE2\x80\x8BPartnership");
	assert_int_equal(lm_flow_para(&fy->flow, &z, 1, &st, 0), 2);
	assert_int_equal(text_boxes(&fy->lay, 0, b, 8), 2);
	/* the ZWSP stays in the text (copied out as written) but draws nothing */
	assert_string_equal(b[0]->text, "Safeguarding\xE2\x80\x8B");
	assert_int_equal(b[0]->nglyphs, 12);
	assert_string_equal(b[1]->text, "Partnership");

	/* a soft hyphen draws nothing, but a hyphen where the line breaks at it */
	lm_layout_release(&fx->lay);
	lm_layout_init(&fx->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fx->flow, &fx->lay, &fonts, LEFT, LEFT + width(LM_FACE_REGULAR, "Our Safe-") + 1, TOP, BOTTOM);
	struct lm_span sh = span("Our Safe\xC2\xADguarding");
	assert_int_equal(lm_flow_para(&fx->flow, &sh, 1, &st, 0), 2);
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 3);
	assert_string_equal(b[0]->text, "Our Safe\xC2\xAD");
	assert_string_equal(b[1]->text, "-");
	assert_near(b[1]->x, b[0]->x + b[0]->w);
	assert_string_equal(b[2]->text, "guarding");
	assert_near(b[2]->y, b[0]->y - LEADING);
	lm_layout_release(&fx->lay);
	lm_layout_init(&fx->lay, PAGE_W, PAGE_H);
	lm_flow_begin(&fx->flow, &fx->lay, &fonts, LEFT, RIGHT, TOP, BOTTOM);
	assert_int_equal(lm_flow_para(&fx->flow, &sh, 1, &st, 0), 1);
	assert_int_equal(text_boxes(&fx->lay, 0, b, 8), 1);
	assert_near(b[0]->w, width(LM_FACE_REGULAR, "Our Safeguarding"));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fonts_dir = argv[1];
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_one_line),
		T(test_styles_make_boxes),
		T(test_wrap_narrow),
		T(test_long_url),
		T(test_url_breaks_after_slash_not_hyphen),
		T(test_long_word_no_break_chars),
		T(test_link),
		T(test_two_links_two_elements),
		T(test_hard_breaks),
		T(test_hard_break_in_short_line),
		T(test_orphan_moves),
		T(test_widow_avoided),
		T(test_split_across_pages),
		T(test_too_tall_at_top),
		T(test_flow_need),
		T(test_flow_space),
		T(test_right_aligned),
		T(test_centred),
		T(test_para_height_matches),
		T(test_doc_lists),
		T(test_doc_loose_item_paragraphs),
		T(test_doc_item_paragraph_after_nested_and_quote),
		T(test_doc_table),
		T(test_doc_images),
		T(test_table_header_repeated),
		T(test_table_columns_fit),
		T(test_rtl_paragraph),
		T(test_rtl_wraps),
		T(test_rtl_list_item),
		T(test_hebrew_in_english),
		T(test_break_opportunities),
	};
	return cmocka_run_group_tests(tests, load_fonts, release_fonts);
}
