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

/* Findings reported while checking. */
struct found {
	struct lm_diag v[16];
	size_t n;
};

static void collect(void *ctx, const struct lm_diag *d)
{
	struct found *f = ctx;
	if (f->n < 16)
		f->v[f->n++] = *d;
}

/* lay_out, as `check` does: findings go to `found`. */
static int check_out(struct fx *f, const char *text, struct found *found)
{
	drop(f);
	memset(found, 0, sizeof(*found));
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", text, strlen(text), NULL, &f->d), 0);
	f->have_letter = 1;
	struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .report = collect, .report_ctx = found };
	memset(&f->meta, 0, sizeof(f->meta));
	lm_layout_init(&f->lay, 0, 0);
	f->have_layout = 1;
	return lm_frame_layout(&f->letter, &f->area, &f->assets, &o, &f->fonts, &f->lay, &f->meta,
			       &f->d);
}

/* How many elements' own text contains `needle`. */
static int count_elems(const struct lm_layout *lay, const char *needle);

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

static int count_elems(const struct lm_layout *lay, const char *needle)
{
	int n = 0;
	for (size_t e = 1; e < lay->nelems; e++) {
		char *t = elem_text(lay, (int)e);
		n += strstr(t, needle) != NULL;
		free(t);
	}
	return n;
}

/* `n` paragraphs of about two lines each, as a letter's body. */
static char *long_body(const char *front, int n)
{
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, front);
	for (int i = 0; i < n; i++)
		lm_buf_addf(&b, "Paragraph %d says something a parent should know, at a "
				"length that takes a line and a bit of the page.\n\n", i);
	return lm_buf_detach(&b, NULL);
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
			/* the closing never opens a page: the paragraph before
			 * it ends on the closing's page */
			long l0, l1;
			elem_pages(&f->lay, last_para, &l0, &l1);
			assert_true(e <= last_para);
			assert_int_equal(l1, c0);
			moved++;
			break;
		}
		assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	}
	assert_true(moved > 0);
}


/* The body places the parts: a heading above the subject and the
 * salutation, a postscript after the signatures; none printed twice. */
static void test_parts_placed_by_body(void **state)
{
	struct fx *f = *state;
	static const char text[] =
		"---\ntitle: Police letter\nsubject: Knife crime in the county\n"
		"salutation: Dear Parents & Carers,\nsignatories: [police]\n---\n"
		"# Letter from the Chief Superintendent\n\n"
		"{{> subject}}\n\n"
		"{{> salutation}}\n\n"
		"We write to you about knife crime.\n\n"
		"{{> signatures}}\n\n"
		"PS: more at www.merseyside.police.uk\n";
	assert_int_equal(lay_out(f, text, NULL, 0), 0);
	const char *order[] = { "Letter from the Chief", "Knife crime in the county",
				"Dear Parents & Carers,", "We write to you", "Yours sincerely,",
				"Bob Stone", "PS: more at" };
	int prev = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int e = find_elem(&f->lay, order[i]);
		if (e <= prev)
			fail_msg("'%s' is element %d, not after element %d", order[i], e, prev);
		prev = e;
	}
	assert_int_equal(count_elems(&f->lay, "Dear Parents"), 1);
	assert_int_equal(count_elems(&f->lay, "Knife crime in the county"), 1);
	assert_int_equal(count_elems(&f->lay, "Yours sincerely"), 1);
	assert_int_equal(count_elems(&f->lay, "Ann Lee"), 0);
	assert_string_equal(f->meta.subject, "Knife crime in the county");
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	/* the postscript comes after the block, below it on the page */
	long c0, c1, p0, p1;
	elem_pages(&f->lay, find_elem(&f->lay, "Bob Stone"), &c0, &c1);
	elem_pages(&f->lay, find_elem(&f->lay, "PS: more at"), &p0, &p1);
	assert_true(p0 >= c1);
}

static void test_part_errors(void **state)
{
	struct fx *f = *state;
	struct lm_letter l;
	struct lm_diag d;
	static const char inline_part[] = "---\ntitle: x\n---\nSigned {{> signatures}} here.\n";
	assert_int_equal(lm_letter_parse(&l, "mem/a.md", inline_part, sizeof(inline_part) - 1,
					 "/nonexistent", &d), -1);
	assert_int_equal(d.line, 4);
	assert_non_null(strstr(d.msg, "on a line of its own"));
	/* placed twice: a section that repeats */
	static const char twice[] = "---\ntitle: x\n---\n{{#signatories}}\n{{> salutation}}\n{{/signatories}}\n";
	assert_int_not_equal(lay_out(f, twice, NULL, 0), 0);
	assert_non_null(strstr(f->d.msg, "more than once"));
	/* a value never places a part */
	struct lm_buf esc = LM_BUF_INIT;
	lm_template_escape(&esc, "\x1Esignatures\x1E", 12, LM_ESCAPE_MARKDOWN);
	assert_null(memchr(esc.ptr, LM_TEMPLATE_PART_MARK, esc.len));
	lm_buf_release(&esc);
}

/* A leaflet: no salutation, closing, signatories, date or reference, and
 * nothing empty or out of place for them. */
static void test_parts_done_without(void **state)
{
	struct fx *f = *state;
	static const char text[] =
		"---\ntitle: Leaflet\nsubject: Where to get help\nsalutation: none\n"
		"signatories: none\ndate: none\nreference: none\n---\n"
		"## Who can help\n\nCall the Careline.\n";
	for (int large = 0; large < 2; large++) {
		assert_int_equal(lay_out(f, text, NULL, large), 0);
		assert_int_equal(find_elem(&f->lay, "Dear"), -1);
		assert_int_equal(find_elem(&f->lay, "Yours"), -1);
		assert_int_equal(find_elem(&f->lay, "Ann Lee"), -1);
		assert_int_equal(find_elem(&f->lay, "November 2026"), -1);
		assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
		/* the subject comes straight after the letterhead */
		assert_int_equal(find_elem(&f->lay, "Where to get help"),
				 find_elem(&f->lay, "CH44 8ED") + 1);
	}
	/* empty text is the same as none: no empty paragraph */
	static const char empty[] = "---\ntitle: x\nsalutation: \"\"\nclosing: \"\"\n---\nBody.\n";
	assert_int_equal(lay_out(f, empty, NULL, 0), 0);
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	assert_int_equal(find_elem(&f->lay, "Yours"), -1);
	assert_true(find_elem(&f->lay, "Ann Lee") > find_elem(&f->lay, "Body."));
	/* closing: none keeps the signature block */
	static const char noclose[] = "---\ntitle: x\nclosing: none\n---\nBody.\n";
	assert_int_equal(lay_out(f, noclose, NULL, 0), 0);
	assert_int_equal(find_elem(&f->lay, "Yours"), -1);
	assert_true(find_elem(&f->lay, "Bob Stone") > 0);
	/* 'date' takes only none */
	static const char baddate[] = "---\ntitle: x\ndate: 2026-01-01\n---\nBody.\n";
	assert_int_not_equal(lay_out(f, baddate, NULL, 0), 0);
	assert_int_equal(f->d.line, 3);
	assert_non_null(strstr(f->d.msg, "only 'none'"));
}

/* An area without signatories.csv: only an unsigned letter. */
static void test_area_without_signatories(void **state)
{
	struct fx *f = *state;
	struct lm_area area;
	struct lm_assets assets;
	struct lm_area_files files = {
		{ AREA_CSV, sizeof(AREA_CSV) - 1 },
		{ CONTACTS_CSV, sizeof(CONTACTS_CSV) - 1 },
		{ NULL, 0 },
	};
	lm_area_init(&area);
	lm_assets_init(&assets);
	assert_int_equal(lm_area_parse(&area, f->arena, "mem/leaflets", &files, 0, &f->d), 0);
	assert_int_equal(area.no_signatories, 1);
	assert_int_equal(lm_assets_load(&assets, &area, &f->d), 0);
	static const char signed_letter[] = "---\ntitle: x\n---\nBody.\n";
	static const char unsigned_letter[] = "---\ntitle: x\nsignatories: none\n---\nBody.\n";
	const char *texts[] = { signed_letter, unsigned_letter };
	for (int k = 0; k < 2; k++) {
		struct lm_letter l;
		struct lm_layout lay;
		struct lm_pdf_meta meta = { 0 };
		struct lm_frame_opts o = { .date = { 2026, 11, 20 } };
		assert_int_equal(lm_letter_parse(&l, "mem/l.md", texts[k], strlen(texts[k]), NULL, &f->d), 0);
		lm_layout_init(&lay, 0, 0);
		int rc = lm_frame_layout(&l, &area, &assets, &o, &f->fonts, &lay, &meta, &f->d);
		if (k == 0) {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(f->d.msg, "has no signatories.csv"));
			assert_non_null(strstr(f->d.msg, "signatories: none"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(lm_layout_empty_elem(&lay), -1);
		}
		lm_layout_release(&lay);
		lm_letter_release(&l);
	}
	lm_assets_release(&assets);
	lm_area_release(&area);
}

/* signatories: [] and a body that names one: the letter left it out. */
static void test_signatory_left_out(void **state)
{
	struct fx *f = *state;
	static const char text[] = "---\ntitle: x\nsignatories: []\n---\nAsk {{signatories.police.name}}.\n";
	assert_int_not_equal(lay_out(f, text, NULL, 0), 0);
	assert_non_null(strstr(f->d.msg, "signatory 'police' is in mem/wirral/signatories.csv, but this letter's 'signatories:' (line 3) leaves it out"));
	struct found found;
	assert_int_not_equal(check_out(f, text, &found), 0);
	assert_int_equal(found.n, 1);
	assert_non_null(strstr(found.v[0].msg, "leaves it out"));
	/* a row the area lacks is still the area's */
	static const char other[] = "---\ntitle: x\nsignatories: [lead]\n---\nAsk {{signatories.acc.name}}.\n";
	assert_int_not_equal(lay_out(f, other, NULL, 0), 0);
	assert_null(strstr(f->d.msg, "leaves it out"));
}

/* pages: N tightens the letter until it fits, or says by how much not. */
static void test_pages_fit(void **state)
{
	struct fx *f = *state;
	/* find a length that takes two pages as written */
	int n = 10;
	for (;; n++) {
		char *t = long_body("---\ntitle: x\nsignatories: none\n---\n", n);
		assert_int_equal(lay_out(f, t, NULL, 0), 0);
		free(t);
		if (f->lay.npages == 2)
			break;
	}
	/* n: just onto page 2 */
	char *loose = long_body("---\ntitle: x\nsignatories: none\n---\n", n);
	char *tight = long_body("---\ntitle: x\nsignatories: none\npages: 1\n---\n", n);
	assert_int_equal(lay_out(f, loose, NULL, 0), 0);
	assert_int_equal(f->lay.npages, 2);
	/* checking warns of the short last page */
	struct found found;
	assert_int_equal(check_out(f, loose, &found), 0);
	assert_int_equal(found.n, 1);
	assert_int_equal(found.v[0].severity, LM_WARNING);
	assert_non_null(strstr(found.v[0].msg, "the letter runs onto page 2 by"));
	assert_non_null(strstr(found.v[0].msg, "shorten it or set pages: 1"));
	assert_int_equal(lay_out(f, tight, NULL, 0), 0);
	assert_int_equal(f->lay.npages, 1);
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	/* the text is still 10 pt or more */
	for (size_t i = 0; i < f->lay.pages[0].n; i++)
		if (f->lay.pages[0].boxes[i].kind == LM_BOX_TEXT && f->lay.pages[0].boxes[i].elem >= 0)
			assert_true(f->lay.pages[0].boxes[i].h >= 9 - 0.01);
	assert_int_equal(check_out(f, tight, &found), 0);
	assert_int_equal(found.n, 0);
	free(loose);
	free(tight);
	/* far too long: by how many lines */
	char *huge = long_body("---\ntitle: x\nsignatories: none\npages: 1\n---\n", 3 * n);
	assert_int_equal(lay_out(f, huge, NULL, 0), -1);
	assert_int_equal(f->d.line, 4);
	assert_non_null(strstr(f->d.msg, "does not fit in 1 page even at its tightest"));
	assert_non_null(strstr(f->d.msg, "lines over"));
	free(huge);
	/* large print never goes below 16 pt */
	char *lp = long_body("---\ntitle: x\npages: 2\n---\n", n);
	int rc = lay_out(f, lp, NULL, 1);
	for (size_t p = 0; p < f->lay.npages; p++)
		for (size_t i = 0; i < f->lay.pages[p].n; i++) {
			const struct lm_box *b = &f->lay.pages[p].boxes[i];
			if (b->kind == LM_BOX_TEXT && b->elem >= 0)
				assert_true(b->h >= 16 - 0.01);
		}
	(void)rc;
	free(lp);
	static const char bad[] = "---\ntitle: x\npages: two\n---\nx\n";
	assert_int_equal(lay_out(f, bad, NULL, 0), -1);
	assert_non_null(strstr(f->d.msg, "'pages' must be a number"));
}

/* The letter from a buffer: errors name the letter and its line. */
/* The baseline of element e's first box, and its x. */
static void elem_at(const struct lm_layout *lay, int e, long *page, double *x, double *y)
{
	*page = -1;
	for (size_t p = 0; p < lay->npages && *page < 0; p++)
		for (size_t i = 0; i < lay->pages[p].n; i++)
			if (lay->pages[p].boxes[i].elem == e) {
				*page = (long)p, *x = lay->pages[p].boxes[i].x, *y = lay->pages[p].boxes[i].y;
				break;
			}
}

/* bilingual: columns: two letters side by side; the body places its
 * sign-off, text follows it; paragraphs paired across three pages. */
static void test_columns(void **state)
{
	struct fx *f = *state;
	char *en = long_body("---\ntitle: Safe\nbilingual: columns\n---\n{{> salutation}}\n\n", 40);
	char *cy = long_body("---\ntitle: Diogel\nlang: cy\nsignatories: [lead]\n---\n{{> salutation}}\n\n", 40);
	struct lm_buf enb = LM_BUF_INIT, cyb = LM_BUF_INIT;
	lm_buf_addf(&enb, "%s{{> signatures}}\n\nPS: see the website.\n", en);
	lm_buf_addf(&cyb, "%s{{> signatures}}\n\nOl-nodyn: gweler y wefan.\n", cy);
	struct lm_letter l_en, l_cy;
	assert_int_equal(lm_letter_parse(&l_en, "mem/x.md", enb.ptr, enb.len, NULL, &f->d), 0);
	assert_int_equal(lm_letter_parse(&l_cy, "mem/x.cy.md", cyb.ptr, cyb.len, NULL, &f->d), 0);
	const struct lm_letter *parts[2] = { &l_cy, &l_en };
	struct found found = { 0 };
	struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .doc_lang = "en-GB", .report = collect,
				   .report_ctx = &found };
	drop(f);
	lm_layout_init(&f->lay, 0, 0);
	f->have_layout = 1;
	memset(&f->meta, 0, sizeof(f->meta));
	assert_int_equal(lm_frame_layout_parts(parts, 2, &f->area, &f->assets, &o, &f->fonts, &f->lay,
					       &f->meta, &f->d), 0);
	/* 40 paragraphs a column: the same blocks, so no warning */
	assert_int_equal(found.n, 0);
	assert_true(f->lay.npages >= 3);
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	/* two sections, Welsh first, each holding its own column */
	int sect[2] = { -1, -1 }, ns = 0;
	for (size_t e = 1; e < f->lay.nelems; e++)
		if (f->lay.elems[e].role == LM_ROLE_SECTION && ns < 2)
			sect[ns++] = (int)e;
	assert_int_equal(ns, 2);
	assert_string_equal(f->lay.elems[sect[0]].lang, "cy");
	assert_null(f->lay.elems[sect[1]].lang);
	assert_string_equal(lm_role_name(&f->lay.elems[sect[0]]), "Sect");
	/* paragraph i of each column on one baseline, Welsh left of English */
	double mid = f->lay.page_w / 2;
	for (int i = 0; i < 40; i += 13) {
		char needle[32];
		snprintf(needle, sizeof(needle), "Paragraph %d says", i);
		int a = -1, b = -1;
		for (size_t e = 1; e < f->lay.nelems; e++) {
			char *t = elem_text(&f->lay, (int)e);
			if (strstr(t, needle) && f->lay.elems[e].parent == sect[0] && a < 0)
				a = (int)e;
			else if (strstr(t, needle) && f->lay.elems[e].parent == sect[1] && b < 0)
				b = (int)e;
			free(t);
		}
		assert_true(a > 0 && b > 0);
		long pa, pb;
		double xa, ya, xb, yb;
		elem_at(&f->lay, a, &pa, &xa, &ya);
		elem_at(&f->lay, b, &pb, &xb, &yb);
		assert_int_equal(pa, pb);
		assert_true(ya == yb);
		assert_true(xa < mid && xb > mid);
	}
	/* closings side by side, one signature block, the postscripts after it */
	long p1, p2, p3;
	double x1, y1, x2, y2, x3, y3;
	elem_at(&f->lay, find_elem(&f->lay, "Yn gywir,"), &p1, &x1, &y1);
	elem_at(&f->lay, find_elem(&f->lay, "Yours sincerely,"), &p2, &x2, &y2);
	assert_int_equal(p1, p2);
	assert_true(y1 == y2 && x1 < mid && x2 > mid);
	assert_int_equal(count_elems(&f->lay, "Ann Lee"), 1);
	assert_int_equal(count_elems(&f->lay, "Bob Stone"), 0); /* the Welsh part chose [lead] */
	elem_at(&f->lay, find_elem(&f->lay, "Ann Lee"), &p3, &x3, &y3);
	assert_true(p3 == p1 && y3 < y1);
	int ps_cy = find_elem(&f->lay, "Ol-nodyn"), ps_en = find_elem(&f->lay, "PS: see");
	assert_int_equal(f->lay.elems[ps_cy].parent, sect[0]);
	assert_int_equal(f->lay.elems[ps_en].parent, sect[1]);
	assert_string_equal(f->lay.elems[ps_cy].lang, "cy");
	elem_at(&f->lay, ps_en, &p2, &x2, &y2);
	assert_true(p2 > p3 || (p2 == p3 && y2 < y3));
	/* a paragraph fewer in Welsh: a warning, and the layout still made */
	lm_letter_release(&l_cy);
	lm_buf_reset(&cyb);
	lm_buf_addf(&cyb, "%sUn arall.\n\n{{> signatures}}\n", cy);
	assert_int_equal(lm_letter_parse(&l_cy, "mem/x.cy.md", cyb.ptr, cyb.len, NULL, &f->d), 0);
	lm_layout_release(&f->lay);
	lm_layout_init(&f->lay, 0, 0);
	assert_int_equal(lm_frame_layout_parts(parts, 2, &f->area, &f->assets, &o, &f->fonts, &f->lay,
					       &f->meta, &f->d), 0);
	assert_int_equal(found.n, 1);
	assert_non_null(strstr(found.v[0].msg, "line up only at their headings, salutations and closings"));
	/* a heading in one language only: they line up at the closings */
	lm_letter_release(&l_cy);
	lm_buf_reset(&cyb);
	lm_buf_addf(&cyb, "%s## Pennawd\n\n{{> signatures}}\n", cy);
	assert_int_equal(lm_letter_parse(&l_cy, "mem/x.cy.md", cyb.ptr, cyb.len, NULL, &f->d), 0);
	lm_layout_release(&f->lay);
	lm_layout_init(&f->lay, 0, 0);
	found.n = 0;
	assert_int_equal(lm_frame_layout_parts(parts, 2, &f->area, &f->assets, &o, &f->fonts, &f->lay,
					       &f->meta, &f->d), 0);
	assert_int_equal(found.n, 1);
	assert_non_null(strstr(found.v[0].msg, "so the columns line up only at their closings"));
	elem_at(&f->lay, find_elem(&f->lay, "Yn gywir,"), &p1, &x1, &y1);
	elem_at(&f->lay, find_elem(&f->lay, "Yours sincerely,"), &p2, &x2, &y2);
	assert_true(p1 == p2 && y1 == y2);
	assert_int_equal(lm_layout_empty_elem(&f->lay), -1);
	lm_letter_release(&l_cy);
	lm_letter_release(&l_en);
	lm_buf_release(&enb);
	lm_buf_release(&cyb);
	free(en);
	free(cy);
}

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

/* ---- reuse across the letters of a run (lm_frame_memo) ---- */

/* Lays the fixture's letter out for `row` into `lay` (initialised here),
 * with `memo` (NULL: none). */
static void lay_with(struct fx *f, const struct lm_value *row, int large, struct lm_frame_memo *memo,
		     struct lm_layout *lay)
{
	struct lm_recipient rec;
	struct lm_pdf_meta meta = { 0 };
	struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .large_print = large, .memo = memo };
	lm_layout_init(lay, 0, 0);
	assert_int_equal(lm_recipient_build(&rec, row, large, &f->d), 0);
	o.recipient = &rec;
	if (lm_frame_layout(&f->letter, &f->area, &f->assets, &o, &f->fonts, lay, &meta, &f->d))
		fail_msg("%s", f->d.msg);
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Two layouts the same, box for box and element for element (strings
 * by their contents: the copies live in each layout's own arena). */
static void assert_same_layout(const struct lm_layout *a, const struct lm_layout *b, const char *what)
{
	if (a->npages != b->npages || a->nelems != b->nelems)
		fail_msg("%s: %zu pages, %zu elements, not %zu and %zu", what, b->npages, b->nelems, a->npages,
			 a->nelems);
	for (size_t e = 0; e < a->nelems; e++) {
		const struct lm_elem *x = &a->elems[e], *y = &b->elems[e];
		if (x->role != y->role || x->level != y->level || x->parent != y->parent ||
		    !str_same(x->alt, y->alt) || !str_same(x->href, y->href) || !str_same(x->lang, y->lang))
			fail_msg("%s: element %zu differs", what, e);
	}
	for (size_t p = 0; p < a->npages; p++) {
		if (a->pages[p].n != b->pages[p].n)
			fail_msg("%s: page %zu has %zu boxes, not %zu", what, p + 1, b->pages[p].n, a->pages[p].n);
		for (size_t i = 0; i < a->pages[p].n; i++) {
			const struct lm_box *x = &a->pages[p].boxes[i], *y = &b->pages[p].boxes[i];
			int same = x->kind == y->kind && x->elem == y->elem && x->x == y->x && x->y == y->y &&
				   x->w == y->w && x->h == y->h && x->face == y->face && x->font == y->font &&
				   x->rtl == y->rtl && x->para_rtl == y->para_rtl && x->image == y->image &&
				   x->rgb == y->rgb && str_same(x->text, y->text) && str_same(x->href, y->href) &&
				   x->nglyphs == y->nglyphs && !x->glyphs == !y->glyphs &&
				   (!x->glyphs || !memcmp(x->glyphs, y->glyphs, x->nglyphs * sizeof(*x->glyphs)));
			if (!same)
				fail_msg("%s: page %zu box %zu ('%s') differs from '%s'", what, p + 1, i,
					 y->text ? y->text : "", x->text ? x->text : "");
		}
	}
	assert_memory_equal(a->sign_rect, b->sign_rect, sizeof(a->sign_rect));
}

static struct lm_value *named(struct fx *f, const char *name, int nlines)
{
	struct lm_value *row = school(f->arena, nlines);
	lm_value_set(f->arena, row, "name", lm_value_strz(f->arena, name));
	return row;
}

/* The fixture's letter becomes one of 40 paragraphs: two pages or more. */
static void load_long_letter(struct fx *f)
{
	char *text = long_body("---\ntitle: x\n---\n", 40);
	drop(f);
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", text, strlen(text), NULL, &f->d), 0);
	f->have_letter = 1;
	free(text);
}

/* A run's letters share their body: parsed once, laid out twice (the
 * second letter keeps it), copied for the rest; each the same as laid
 * out alone, "Page 1 of 2" footers and all. */
static void test_memo_reuses_body(void **state)
{
	struct fx *f = *state;
	load_long_letter(f);
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (int i = 0; i < 6; i++) {
		struct lm_layout alone, reused;
		struct lm_value *row = school(f->arena, 5);
		lay_with(f, row, 0, NULL, &alone);
		lay_with(f, row, 0, m, &reused);
		assert_true(alone.npages >= 2);
		assert_same_layout(&alone, &reused, "a letter of the run");
		assert_true(count_elems(&reused, "Paragraph 39") == 1);
		lm_layout_release(&alone);
		lm_layout_release(&reused);
	}
	struct lm_frame_memo_counts n;
	lm_frame_memo_counts(m, &n);
	assert_int_equal(n.parsed, 1);
	assert_int_equal(n.parse_reused, 5);
	assert_int_equal(n.laid_out, 2);
	assert_int_equal(n.reused, 4);
	lm_frame_memo_free(m);
}

/* A letter laid out from the memo points into the kept body rather than
 * copying it, and holds it: it stays whole after the memo lets the body go
 * (freed, or cleared when another area comes), as a letter still being
 * written must (under ASan a dangling box is a use after free here). */
static void test_memo_layout_outlives_memo(void **state)
{
	struct fx *f = *state;
	load_long_letter(f);
	struct lm_value *row = school(f->arena, 5);
	struct lm_layout alone, lay[4];
	lay_with(f, row, 0, NULL, &alone);
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (int i = 0; i < 4; i++)
		lay_with(f, row, 0, m, &lay[i]);
	/* the third and fourth letters are copies: one block, two holders */
	assert_int_equal(lay[0].nheld, 0);
	assert_int_equal(lay[1].nheld, 0);
	assert_int_equal(lay[2].nheld, 1);
	assert_int_equal(lay[3].nheld, 1);
	assert_ptr_equal(lay[2].held[0], lay[3].held[0]);
	assert_int_equal(lay[2].held[0]->refs, 3);
	lm_frame_memo_clear(m);
	assert_int_equal(lay[2].held[0]->refs, 2);
	assert_same_layout(&alone, &lay[2], "a copy, its memo cleared");
	lm_layout_release(&lay[2]);
	assert_int_equal(lay[3].held[0]->refs, 1);
	lm_frame_memo_free(m);
	assert_same_layout(&alone, &lay[3], "a copy, its memo freed");
	for (int i = 0; i < 4; i++)
		if (i != 2)
			lm_layout_release(&lay[i]);
	lm_layout_release(&alone);
}

/* The area's data in a language is made once a run and kept by area and
 * language: a letter of another area, or in another language, never reads
 * what the memo made for an earlier one. */
static void test_memo_area_per_language(void **state)
{
	struct fx *f = *state;
	static const char area2[] = "field,value\nname,Sefton\npartnership,Sefton Partnership\n"
				    "organisation,Sefton Council\norganisation_cy,Cyngor Sefton\n"
				    "address,\"Bootle Town Hall\nOriel Road\nL20 7AE\"\n";
	struct lm_area sefton;
	struct lm_assets sa;
	lm_area_init(&sefton);
	lm_assets_init(&sa);
	struct lm_area_files files = {
		{ area2, sizeof(area2) - 1 },
		{ CONTACTS_CSV, sizeof(CONTACTS_CSV) - 1 },
		{ SIGNATORIES_CSV, sizeof(SIGNATORIES_CSV) - 1 },
	};
	assert_int_equal(lm_area_parse(&sefton, f->arena, "mem/sefton", &files, 0, &f->d), 0);
	assert_int_equal(lm_assets_load(&sa, &sefton, &f->d), 0);
	static const char en_text[] = "---\ntitle: x\n---\nFrom {{area.organisation}} today.\n";
	static const char cy_text[] = "---\ntitle: x\nlang: cy\n---\nOddi wrth {{area.organisation}} heddiw.\n";
	struct lm_letter en, cy;
	assert_int_equal(lm_letter_parse(&en, "mem/en.md", en_text, sizeof(en_text) - 1, NULL, &f->d), 0);
	assert_int_equal(lm_letter_parse(&cy, "mem/cy.md", cy_text, sizeof(cy_text) - 1, NULL, &f->d), 0);
	struct {
		const struct lm_letter *l;
		const struct lm_area *area;
		const struct lm_assets *assets;
		const char *want;
	} cases[] = {
		{ &en, &f->area, &f->assets, "From Wirral Council today." },
		{ &en, &sefton, &sa, "From Sefton Council today." },
		{ &cy, &sefton, &sa, "Oddi wrth Cyngor Sefton heddiw." },
		{ &cy, &f->area, &f->assets, "Oddi wrth Wirral Council heddiw." },
		{ &en, &f->area, &f->assets, "From Wirral Council today." },
		{ &cy, &sefton, &sa, "Oddi wrth Cyngor Sefton heddiw." },
		{ &en, &sefton, &sa, "From Sefton Council today." },
	};
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lm_layout lay;
		struct lm_pdf_meta meta = { 0 };
		struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .memo = m };
		lm_layout_init(&lay, 0, 0);
		if (lm_frame_layout(cases[i].l, cases[i].area, cases[i].assets, &o, &f->fonts, &lay, &meta, &f->d))
			fail_msg("%s", f->d.msg);
		if (find_elem(&lay, cases[i].want) < 0)
			fail_msg("letter %zu: no \"%s\"", i + 1, cases[i].want);
		lm_layout_release(&lay);
	}
	lm_frame_memo_free(m);
	lm_letter_release(&en);
	lm_letter_release(&cy);
	lm_assets_release(&sa);
	lm_area_release(&sefton);
}

/* What differs between recipients is never copied from another: their
 * name in the body or the salutation only, an address that moves the
 * body down (large print), large print itself.  Each letter must be the
 * one laid out alone: a key that left any of them out fails here. */
static void test_memo_keeps_recipients_apart(void **state)
{
	struct fx *f = *state;
	static const char letter[] =
		"---\ntitle: x\nsalutation: Dear {{recipient.name}},\n---\n"
		"We write about keeping children safe.\n\n"
		"{{#recipient.body_name}}This letter is for {{recipient.body_name}}.\n\n{{/recipient.body_name}}"
		"Call the Careline on {{contacts.careline.phone}}.\n";
	drop(f);
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", letter, sizeof(letter) - 1, NULL, &f->d),
			 0);
	f->have_letter = 1;
	struct {
		const char *name, *body_name;
		int lines, large;
	} rows[] = {
		{ "Ann", NULL, 5, 0 },  { "Ann", NULL, 5, 0 }, { "Ann", NULL, 5, 0 },
		{ "Bea", NULL, 5, 0 },  { "Ann", NULL, 5, 1 }, { "Ann", NULL, 5, 1 },
		{ "Ann", NULL, 7, 1 },  { "Ann", NULL, 3, 1 }, { "Ann", NULL, 3, 0 },
		{ "Ann", "Ann", 5, 0 }, { "Ann", "Ann", 5, 0 }, { "Ann", "Bea", 5, 0 },
		{ "Ann", "Ann", 5, 0 }, { "Ann", NULL, 5, 0 }, { "Cal", NULL, 5, 0 },
	};
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lm_layout alone, reused;
		struct lm_value *row = named(f, rows[i].name, rows[i].lines);
		if (rows[i].body_name)
			lm_value_set(f->arena, row, "body_name", lm_value_strz(f->arena, rows[i].body_name));
		lay_with(f, row, rows[i].large, NULL, &alone);
		lay_with(f, row, rows[i].large, m, &reused);
		char what[64];
		snprintf(what, sizeof(what), "row %zu (%s)", i + 1, rows[i].name);
		assert_same_layout(&alone, &reused, what);
		char dear[32];
		snprintf(dear, sizeof(dear), "Dear %s,", rows[i].name);
		assert_int_equal(count_elems(&reused, dear), 1);
		if (rows[i].body_name) {
			char line[64];
			snprintf(line, sizeof(line), "This letter is for %s.", rows[i].body_name);
			assert_int_equal(count_elems(&reused, line), 1);
		}
		lm_layout_release(&alone);
		lm_layout_release(&reused);
	}
	struct lm_frame_memo_counts n;
	lm_frame_memo_counts(m, &n);
	assert_true(n.reused > 0); /* some letters were copied, and still right */
	lm_frame_memo_free(m);
}

/* A body with a character no font has fails in every letter, copied or
 * not: a copy skips the glyph check only when the letter it was kept
 * from passed it. */
static void test_memo_copy_still_checked(void **state)
{
	struct fx *f = *state;
	static const char letter[] = "---\ntitle: x\n---\nWe write about keeping children safe.\n\n"
				     "A character no font has: \xee\x80\x80.\n";
	drop(f);
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", letter, sizeof(letter) - 1, NULL, &f->d),
			 0);
	f->have_letter = 1;
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (int i = 0; i < 4; i++) {
		struct lm_layout lay;
		struct lm_recipient rec;
		struct lm_pdf_meta meta = { 0 };
		struct lm_frame_opts o = { .date = { 2026, 11, 20 }, .memo = m };
		assert_int_equal(lm_recipient_build(&rec, school(f->arena, 5), 0, &f->d), 0);
		o.recipient = &rec;
		lm_layout_init(&lay, 0, 0);
		assert_int_equal(lm_frame_layout(&f->letter, &f->area, &f->assets, &o, &f->fonts, &lay, &meta, &f->d),
				 -1);
		assert_non_null(strstr(f->d.msg, "U+E000"));
		lm_layout_release(&lay);
	}
	struct lm_frame_memo_counts n;
	lm_frame_memo_counts(m, &n);
	assert_int_equal(n.reused, 2); /* letters 3 and 4 were copies */
	lm_frame_memo_free(m);
}

/* The reference block is copied with the body: a reference line that
 * names the recipient keeps each letter its own. */
static void test_memo_reference_lines(void **state)
{
	struct fx *f = *state;
	static const char letter[] = "---\ntitle: x\nreference:\n  - label: Our ref\n    value: CSE/1\n"
				     "  - label: Your ref\n    value: \"{{recipient.urn}}\"\n---\n"
				     "We write about keeping children safe.\n";
	drop(f);
	assert_int_equal(lm_letter_parse(&f->letter, "mem/letter.md", letter, sizeof(letter) - 1, NULL, &f->d),
			 0);
	f->have_letter = 1;
	static const char *const urns[] = { "A1", "A1", "A1", "B2", "B2", "B2", "A1", "", "" };
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (size_t i = 0; i < sizeof(urns) / sizeof(urns[0]); i++) {
		struct lm_layout alone, reused;
		struct lm_value *row = school(f->arena, 5);
		lm_value_set(f->arena, row, "urn", lm_value_strz(f->arena, urns[i]));
		lay_with(f, row, 0, NULL, &alone);
		lay_with(f, row, 0, m, &reused);
		assert_same_layout(&alone, &reused, urns[i]);
		char line[32];
		snprintf(line, sizeof(line), "Your ref: %s", urns[i]);
		assert_int_equal(count_elems(&reused, line), *urns[i] ? 1 : 0);
		lm_layout_release(&alone);
		lm_layout_release(&reused);
	}
	struct lm_frame_memo_counts n;
	lm_frame_memo_counts(m, &n);
	assert_true(n.reused >= 3);
	lm_frame_memo_free(m);
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
		cmocka_unit_test_setup_teardown(test_parts_placed_by_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parts_done_without, setup, teardown),
		cmocka_unit_test_setup_teardown(test_area_without_signatories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signatory_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_reuses_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_keeps_recipients_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_copy_still_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_reference_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_layout_outlives_memo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_area_per_language, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
