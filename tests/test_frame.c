/* test_frame.c - where each part of a letter goes (frame.c), on letters
 * and areas held in memory: the address inside the envelope window, the
 * closing kept with the signature block, the parts in reading order,
 * nothing empty in the structure tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"

static const char AREA_CSV[] =
	"field,value\n"
	"name,Wirral\n"
	"partnership,Wirral Safeguarding Children Partnership\n"
	"organisation,Wirral Council\n"
	"address,\"Wallasey Town Hall\nBrighton Street\nCH44 8ED\"\n"
	"address_oneline,\"Wallasey Town Hall, Brighton Street, CH44 8ED\"\n";
static const char CONTACTS_CSV[] = "id,group,service,phone\n"
				   "careline,local,Careline,0151 606 2008\n";
static const char SIGNATORIES_CSV[] =
	"id,name,title,organisation\n"
	"lead,Ann Lee,Director of Children's Services,Wirral Council\n"
	"police,Bob Stone,Chief Superintendent,Merseyside Police\n";

struct fx {
	struct lm_fonts fonts;
	struct lm_arena *arena;
	struct lm_area area;
	struct lm_assets assets;
	struct lm_letter letter;
	struct lm_layout lay;
	struct lm_pdf_meta meta;
	struct lm_diag d;
	int have_letter, have_layout;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	lm_fonts_init(&f->fonts);
	if (lm_fonts_load(&f->fonts, LM_TEST_FONTS_DIR, &f->d))
		return -1;
	f->arena = lm_arena_new();
	lm_area_init(&f->area);
	lm_assets_init(&f->assets);
	struct lm_area_files files = {
		{ AREA_CSV, sizeof(AREA_CSV) - 1 },
		{ CONTACTS_CSV, sizeof(CONTACTS_CSV) - 1 },
		{ SIGNATORIES_CSV, sizeof(SIGNATORIES_CSV) - 1 },
	};
	if (lm_area_parse(&f->area, f->arena, "mem/wirral", &files, 0, &f->d) ||
	    lm_assets_load(&f->assets, &f->area, &f->d))
		return -1;
	*state = f;
	return 0;
}

static void drop(struct fx *f)
{
	if (f->have_layout)
		lm_layout_release(&f->lay);
	if (f->have_letter)
		lm_letter_release(&f->letter);
	f->have_layout = f->have_letter = 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	drop(f);
	lm_assets_release(&f->assets);
	lm_area_release(&f->area);
	lm_arena_free(f->arena);
	lm_fonts_release(&f->fonts);
	free(f);
	return 0;
}

/* Lays `text` (a whole letter) out for the area, for `row` (a recipient
 * map, or NULL).  Returns what lm_frame_layout returned. */
static int lay_out(struct fx *f, const char *text, const struct lm_value *row, int large)
{
	drop(f);
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", text, strlen(text), NULL, &f->d), 0);
	f->have_letter = 1;
	struct lm_recipient rec;
	struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .large_print = large };
	if (row) {
		assert_int_equal(lm_recipient_build(&rec, row, large, &f->d), 0);
		o.recipient = &rec;
	}
	memset(&f->meta, 0, sizeof(f->meta));
	lm_layout_init(&f->lay, 0, 0);
	f->have_layout = 1;
	return lm_frame_layout(&f->letter, &f->area, &f->assets, &o, &f->fonts, &f->lay, &f->meta,
			       &f->d);
}

/* The text of element `e`'s own boxes, in order; caller frees. */
static char *elem_text(const struct lm_layout *lay, int e)
{
	struct lm_buf b = LM_BUF_INIT;
	for (size_t p = 0; p < lay->npages; p++)
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			const struct lm_box *x = &lay->pages[p].boxes[i];
			if (x->elem != e || x->kind != LM_BOX_TEXT)
				continue;
			if (b.len)
				lm_buf_addc(&b, ' ');
			lm_buf_adds(&b, x->text);
		}
	return lm_buf_detach(&b, NULL);
}

/* The first element whose own text contains `needle`, or -1. */
static int find_elem(const struct lm_layout *lay, const char *needle)
{
	for (size_t e = 1; e < lay->nelems; e++) {
		char *t = elem_text(lay, (int)e);
		int hit = strstr(t, needle) != NULL;
		free(t);
		if (hit)
			return (int)e;
	}
	return -1;
}

/* The page of element `e`'s first box and last box. */
static void elem_pages(const struct lm_layout *lay, int e, long *first, long *last)
{
	*first = *last = -1;
	for (size_t p = 0; p < lay->npages; p++)
		for (size_t i = 0; i < lay->pages[p].n; i++)
			if (lay->pages[p].boxes[i].elem == e) {
				if (*first < 0)
					*first = (long)p;
				*last = (long)p;
			}
}

static const char LETTER[] =
	"---\n"
	"title: Keeping children safe\n"
	"subject: Child exploitation - what to look for\n"
	"---\n"
	"We write about keeping children safe.\n\n"
	"Call the Careline on {{contacts.careline.phone}}.\n";

static struct lm_value *school(struct lm_arena *a, int nlines)
{
	static const char *const lines[] = { "The Headteacher", "Dale Park Primary School",
					     "12 Park Road", "Anfield", "Liverpool",
					     "Merseyside", "England" };
	struct lm_value *row = lm_value_map(a);
	lm_value_set(a, row, "urn", lm_value_strz(a, "900101"));
	for (int i = 0; i < nlines - 1 && i < 7; i++) {
		char k[32];
		snprintf(k, sizeof(k), "address_line_%d", i + 1);
		lm_value_set(a, row, k, lm_value_strz(a, lines[i]));
	}
	lm_value_set(a, row, "postcode", lm_value_strz(a, "L4 0AA"));
	return row;
}

static void test_parts_in_order(void **state)
{
	struct fx *f = *state;
	assert_int_equal(lay_out(f, LETTER, NULL, 0), 0);
	const char *parts[] = { "Wirral Council", "20 November 2026", "Dear Parent/Carer,",
				"Child exploitation", "We write about", "0151 606 2008",
				"Yours sincerely,", "Ann Lee", "Bob Stone" };
	int prev = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		int e = find_elem(&f->lay, parts[i]);
		if (e <= prev)
			fail_msg("'%s' is element %d, not after element %d", parts[i], e, prev);
		prev = e;
	}
	/* the subject is a heading, and the PDF's Subject */
	int h = find_elem(&f->lay, "Child exploitation");
	assert_int_equal(f->lay.elems[h].role, LM_ROLE_HEADING);
	assert_string_equal(f->meta.subject, "Child exploitation - what to look for");
	assert_string_equal(f->meta.title, "Keeping children safe");
	assert_int_equal(f->lay.npages, 1);
}

static void test_nothing_empty(void **state)
{
	struct fx *f = *state;
	for (int large = 0; large < 2; large++) {
		assert_int_equal(lay_out(f, LETTER, NULL, large), 0);
		assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
		assert_int_equal(lay_out(f, LETTER, school(f->arena, 5), large), 0);
		assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	}
}

/* A list item with no text of its own: a table under "2." goes in its
 * body, and an empty "3." is its label alone, not an empty body. */
static void test_list_item_without_text(void **state)
{
	struct fx *f = *state;
	assert_int_equal(lay_out(f, "---\ntitle: x\n---\n1. First\n2. Second\n    ---: |\n3.\n",
				 NULL, 0), 0);
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	int th = find_elem(&f->lay, "Second");
	assert_int_equal(f->lay.elems[th].role, LM_ROLE_TABLE_HEADER);
	int up = th;
	while (up > 0 && f->lay.elems[up].role != LM_ROLE_LIST_BODY)
		up = f->lay.elems[up].parent;
	assert_true(up > 0);
	int label = find_elem(&f->lay, "3.");
	assert_int_equal(f->lay.elems[label].role, LM_ROLE_LABEL);
}

/* An element with no box is found, in a child or not. */
static void test_empty_elem_found(void **state)
{
	(void)state;
	struct lm_layout lay;
	lm_layout_init(&lay, 100, 100);
	int p = lm_layout_elem(&lay, LM_ROLE_PARAGRAPH, 0, 0);
	int l = lm_layout_elem(&lay, LM_ROLE_LIST, 0, 0);
	int li = lm_layout_elem(&lay, LM_ROLE_LIST_ITEM, 0, l);
	struct lm_box b = { .kind = LM_BOX_TEXT, .elem = p, .text = "x", .x = 1, .y = 1 };
	lm_layout_add(&lay, 0, &b);
	assert_int_equal(lm_layout_empty_elem(&lay), l);
	b.elem = li;
	lm_layout_add(&lay, 0, &b);
	assert_int_equal(lm_layout_empty_elem(&lay), -1);
	lm_layout_elem(&lay, LM_ROLE_ARTIFACT, 0, 0); /* an artifact is never read */
	assert_int_equal(lm_layout_empty_elem(&lay), -1);
	lm_layout_release(&lay);
}

/* Every line of the address, 3 to 7 of them, in print and large print,
 * starts inside the window and (in standard print) ends inside it. */
static void test_address_in_window(void **state)
{
	struct fx *f = *state;
	for (int large = 0; large < 2; large++)
		for (int n = 3; n <= 7; n++) {
			assert_int_equal(lay_out(f, LETTER, school(f->arena, n), large), 0);
			int e = find_elem(&f->lay, "L4 0AA");
			assert_true(e > 0);
			double top = f->lay.page_h - LM_WINDOW_TOP, bottom = top - LM_WINDOW_H;
			int lines = 0;
			const struct lm_page *pg = &f->lay.pages[0];
			for (size_t i = 0; i < pg->n; i++) {
				const struct lm_box *b = &pg->boxes[i];
				if (b->elem != e)
					continue;
				lines++;
				assert_true(b->x >= LM_WINDOW_X - 0.01);
				assert_true(b->x + b->w <= LM_WINDOW_X + LM_WINDOW_W + 0.01);
				/* Liberation Sans: ascender 0.905 em, descender 0.212 em */
				assert_true(b->y + b->h * 0.905 <= top + 0.01);
				if (!large || n <= 4) /* at 16 pt a long address runs below */
					assert_true(b->y - b->h * 0.212 >= bottom - 0.01);
			}
			assert_int_equal(lines, n);
			/* and nothing else of the letter in the window */
			for (size_t i = 0; i < pg->n; i++) {
				const struct lm_box *b = &pg->boxes[i];
				if (b->elem == e || b->kind != LM_BOX_TEXT)
					continue;
				int inside = b->x < LM_WINDOW_X + LM_WINDOW_W && b->x + b->w > LM_WINDOW_X &&
					     b->y < top && b->y + b->h > bottom;
				if (inside)
					fail_msg("'%s' is in the address window", b->text);
			}
		}
}

/* However long the body, the closing line is on the page of the whole
 * signature block, and that block is on one page. */
static void test_signatures_kept_with_closing(void **state)
{
	struct fx *f = *state;
	int moved = 0;
	for (int n = 1; n <= 40; n++) {
		struct lm_buf text = LM_BUF_INIT;
		lm_buf_adds(&text, "---\nsubject: A long letter\n---\n");
		for (int i = 0; i < n; i++)
			lm_buf_addf(&text, "Paragraph %d says something a parent should know, at a "
					   "length that takes a line and a bit of the page.\n\n", i);
		assert_int_equal(lay_out(f, text.ptr, NULL, 0), 0);
		lm_buf_release(&text);
		long c0, c1, a0, a1, b0, b1;
		elem_pages(&f->lay, find_elem(&f->lay, "Yours sincerely,"), &c0, &c1);
		elem_pages(&f->lay, find_elem(&f->lay, "Ann Lee"), &a0, &a1);
		elem_pages(&f->lay, find_elem(&f->lay, "Bob Stone"), &b0, &b1);
		assert_true(c0 >= 0);
		assert_int_equal(c0, c1);
		assert_int_equal(a0, c0);
		assert_int_equal(a1, c0);
		assert_int_equal(b0, c0);
		assert_int_equal(b1, c0);
		/* the case this is about: the block did not fit below the body
		 * and went over, so the page starts with it (or with the
		 * paragraph before it) */
		char last[32];
		snprintf(last, sizeof(last), "Paragraph %d ", n - 1);
		int last_para = find_elem(&f->lay, last);
		for (size_t i = 0; c0 > 0 && i < f->lay.pages[c0].n; i++) {
			int e = f->lay.pages[c0].boxes[i].elem;
			if (e < 0)
				continue;
			if (e >= last_para)
				moved++;
			break;
		}
		assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	}
	assert_true(moved > 0);
}

/* The letter from a buffer: errors name the letter and its line. */
static void test_letter_from_memory(void **state)
{
	(void)state;
	struct lm_letter l;
	struct lm_diag d;
	static const char bad[] = "---\ntitle: x\nsalutaton: Dear all\n---\nBody\n";
	assert_int_equal(lm_letter_parse(&l, "mem/bad.md", bad, sizeof(bad) - 1, NULL, &d), -1);
	assert_string_equal(d.file, "mem/bad.md");
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.msg, "did you mean 'salutation'"));
	static const char ok[] = "---\ntitle: x\n---\nHello {{area.name}}\n";
	assert_int_equal(lm_letter_parse(&l, "mem/ok.md", ok, sizeof(ok) - 1, NULL, &d), 0);
	assert_string_equal(lm_value_str(l.fm, "title", ""), "x");
	lm_letter_release(&l);
	/* a partial without a partials folder is an error, not a read of '.' */
	static const char part[] = "---\ntitle: x\n---\n{{> contacts}}\n";
	assert_int_equal(lm_letter_parse(&l, "mem/p.md", part, sizeof(part) - 1, NULL, &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parts_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_empty, setup, teardown),
		cmocka_unit_test(test_empty_elem_found),
		cmocka_unit_test_setup_teardown(test_list_item_without_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_in_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signatures_kept_with_closing, setup, teardown),
		cmocka_unit_test(test_letter_from_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
