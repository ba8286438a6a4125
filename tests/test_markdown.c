/* test_markdown.c - Markdown to blocks and spans (markdown.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "value.h"

#define BULLET "\xE2\x80\xA2" /* • */
#define EN_DASH "\xE2\x80\x93" /* – */
#define WHITE_BULLET "\xE2\x97\xA6" /* ◦ */

static void parse(struct lm_doc *doc, const char *md)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	lm_doc_init(doc);
	assert_int_equal(lm_doc_parse(doc, "letters/test.md", md, strlen(md), &d), 0);
}

static void assert_span(const struct lm_span *s, const char *text, unsigned style,
			const char *href)
{
	assert_int_equal(s->len, strlen(text));
	assert_memory_equal(s->text, text, s->len);
	assert_int_equal(s->style, style);
	if (href) {
		assert_non_null(s->href);
		assert_string_equal(s->href, href);
	} else {
		assert_null(s->href);
	}
}

/* The block's spans joined, for checks that do not care about the runs. */
static char *joined(const struct lm_span *spans, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += spans[i].len;
	char *s = malloc(len + 1);
	assert_non_null(s);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(s + o, spans[i].text, spans[i].len);
		o += spans[i].len;
	}
	s[o] = '\0';
	return s;
}

static void assert_text(const struct lm_block *b, const char *want)
{
	char *s = joined(b->spans, b->nspans);
	assert_string_equal(s, want);
	free(s);
}

static void test_paragraphs(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "First paragraph\nwith a soft break.\n\n\nSecond one.\n");
	assert_int_equal(doc.n, 2);
	assert_int_equal(doc.blocks[0].kind, LM_BLOCK_PARAGRAPH);
	assert_int_equal(doc.blocks[0].level, 0);
	assert_int_equal(doc.blocks[0].quote, 0);
	assert_int_equal(doc.blocks[0].nspans, 1);
	assert_span(&doc.blocks[0].spans[0], "First paragraph with a soft break.", 0, NULL);
	assert_int_equal(doc.blocks[1].kind, LM_BLOCK_PARAGRAPH);
	assert_int_equal(doc.blocks[1].nspans, 1);
	assert_span(&doc.blocks[1].spans[0], "Second one.", 0, NULL);
	lm_doc_release(&doc);

	/* empty input: no blocks */
	parse(&doc, "");
	assert_int_equal(doc.n, 0);
	lm_doc_release(&doc);
}

static void test_headings(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "# One\n\n## Two\n\n### Three\n\nSetext\n------\n\n###### Six\n");
	assert_int_equal(doc.n, 5);
	static const int levels[] = { 1, 2, 3, 2, 6 };
	static const char *const texts[] = { "One", "Two", "Three", "Setext", "Six" };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(doc.blocks[i].kind, LM_BLOCK_HEADING);
		assert_int_equal(doc.blocks[i].level, levels[i]);
		assert_int_equal(doc.blocks[i].nspans, 1);
		assert_span(&doc.blocks[i].spans[0], texts[i], 0, NULL);
	}
	lm_doc_release(&doc);
}

static void test_span_styles(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "Plain **bold** *it* _it2_ `code` ***both*** **b *bi* b**");
	assert_int_equal(doc.n, 1);
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 14);
	assert_span(&b->spans[0], "Plain ", 0, NULL);
	assert_span(&b->spans[1], "bold", LM_SPAN_BOLD, NULL);
	assert_span(&b->spans[2], " ", 0, NULL);
	assert_span(&b->spans[3], "it", LM_SPAN_ITALIC, NULL);
	assert_span(&b->spans[4], " ", 0, NULL);
	assert_span(&b->spans[5], "it2", LM_SPAN_ITALIC, NULL);
	assert_span(&b->spans[6], " ", 0, NULL);
	assert_span(&b->spans[7], "code", LM_SPAN_CODE, NULL);
	assert_span(&b->spans[8], " ", 0, NULL);
	assert_span(&b->spans[9], "both", LM_SPAN_BOLD | LM_SPAN_ITALIC, NULL);
	assert_span(&b->spans[10], " ", 0, NULL);
	assert_span(&b->spans[11], "b ", LM_SPAN_BOLD, NULL);
	assert_span(&b->spans[12], "bi", LM_SPAN_BOLD | LM_SPAN_ITALIC, NULL);
	assert_span(&b->spans[13], " b", LM_SPAN_BOLD, NULL);
	lm_doc_release(&doc);
}

static void assert_item(const struct lm_block *b, int level, const char *marker, int list_id,
			int tight, const char *text)
{
	assert_int_equal(b->kind, LM_BLOCK_LIST_ITEM);
	assert_int_equal(b->level, level);
	assert_non_null(b->marker);
	assert_string_equal(b->marker, marker);
	assert_int_equal(b->list_id, list_id);
	assert_int_equal(b->tight, tight);
	assert_text(b, text);
}

static void test_nested_lists(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "- a\n"
		    "  - b\n"
		    "    - c\n"
		    "- d\n"
		    "\n"
		    "3. x\n"
		    "4. y\n"
		    "   1. inner\n"
		    "\n"
		    "+ other list\n");
	assert_int_equal(doc.n, 8);
	assert_item(&doc.blocks[0], 1, BULLET, 1, 1, "a");
	assert_item(&doc.blocks[1], 2, EN_DASH, 2, 1, "b");
	assert_item(&doc.blocks[2], 3, WHITE_BULLET, 3, 1, "c");
	assert_item(&doc.blocks[3], 1, BULLET, 1, 1, "d");
	/* an ordered list starting at 3 numbers 3., 4. */
	assert_item(&doc.blocks[4], 1, "3.", 4, 1, "x");
	assert_item(&doc.blocks[5], 1, "4.", 4, 1, "y");
	assert_item(&doc.blocks[6], 2, "1.", 5, 1, "inner");
	/* a different bullet character starts a new list: a new id */
	assert_item(&doc.blocks[7], 1, BULLET, 6, 1, "other list");
	assert_int_not_equal(doc.blocks[7].list_id, doc.blocks[3].list_id);
	lm_doc_release(&doc);
}

static void test_loose_list(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "- first\n"
		    "\n"
		    "  second paragraph\n"
		    "- next\n"
		    "\n"
		    "1. one\n"
		    "2. two\n");
	assert_int_equal(doc.n, 5);
	assert_item(&doc.blocks[0], 1, BULLET, 1, 0, "first");
	/* the item's later paragraph: no marker, same list */
	assert_item(&doc.blocks[1], 1, "", 1, 0, "second paragraph");
	assert_item(&doc.blocks[2], 1, BULLET, 1, 0, "next");
	assert_item(&doc.blocks[3], 1, "1.", 2, 1, "one");
	assert_item(&doc.blocks[4], 1, "2.", 2, 1, "two");
	lm_doc_release(&doc);
}

static void test_table(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "Before\n\n"
		    "| Name | Qty | Price |\n"
		    "|:-----|:---:|------:|\n"
		    "| Tea | **2** | \xC2\xA3" "3 |\n"
		    "| Milk | 1 | \xC2\xA3" "1 |\n");
	assert_int_equal(doc.n, 2);
	assert_int_equal(doc.blocks[0].kind, LM_BLOCK_PARAGRAPH);
	const struct lm_block *t = &doc.blocks[1];
	assert_int_equal(t->kind, LM_BLOCK_TABLE);
	assert_int_equal(t->nrows, 3);
	assert_int_equal(t->ncols, 3);
	assert_int_equal(t->nspans, 0);
	static const char *const text[] = { "Name", "Qty", "Price", "Tea", "2", "\xC2\xA3" "3",
					    "Milk", "1", "\xC2\xA3" "1" };
	for (size_t i = 0; i < 9; i++) {
		const struct lm_table_cell *c = &t->cells[i];
		assert_int_equal(c->header, i < 3);
		assert_int_equal(c->align, (int)(i % 3)); /* left, centre, right */
		assert_int_equal(c->nspans, 1);
		assert_span(&c->spans[0], text[i], i == 4 ? LM_SPAN_BOLD : 0, NULL);
	}
	lm_doc_release(&doc);
}

static void test_hard_break(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "line one  \nline two\\\nthree");
	assert_int_equal(doc.n, 1);
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 5);
	assert_span(&b->spans[0], "line one", 0, NULL);
	assert_span(&b->spans[1], "\n", 0, NULL);
	assert_span(&b->spans[2], "line two", 0, NULL);
	assert_span(&b->spans[3], "\n", 0, NULL);
	assert_span(&b->spans[4], "three", 0, NULL);
	lm_doc_release(&doc);
}

static void test_entities(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "Fish &amp; chips &ndash; Colette&#8217;s &#x2019; &pound;5 &bogus; &#0;");
	assert_int_equal(doc.n, 1);
	assert_int_equal(doc.blocks[0].nspans, 1);
	assert_span(&doc.blocks[0].spans[0],
		    "Fish & chips \xE2\x80\x93 Colette\xE2\x80\x99s \xE2\x80\x99 \xC2\xA3" "5 &bogus; "
		    "\xEF\xBF\xBD",
		    0, NULL);
	lm_doc_release(&doc);
}

static void test_escapes_and_no_html(void **state)
{
	(void)state;
	struct lm_doc doc;
	/* escaped markup (as every value is) prints as typed; a template's
	 * own inline tags are dropped, the text between them kept */
	parse(&doc, "\\*not em\\* \\_x\\_ \\[not a link\\](y) \\{\\{name\\}\\} <b>raw</b> \\<b\\>");
	assert_int_equal(doc.n, 1);
	assert_int_equal(doc.blocks[0].nspans, 1);
	assert_span(&doc.blocks[0].spans[0],
		    "*not em* _x_ [not a link](y) {{name}} raw <b>", 0, NULL);
	lm_doc_release(&doc);

	/* a raw HTML block prints its text without tags or comments */
	parse(&doc, "<div align=\"center\">hello <!-- no --></div>\n");
	assert_int_equal(doc.n, 1);
	assert_int_equal(doc.blocks[0].kind, LM_BLOCK_PARAGRAPH);
	char *t = joined(doc.blocks[0].spans, doc.blocks[0].nspans);
	assert_non_null(strstr(t, "hello"));
	assert_null(strchr(t, '<'));
	assert_null(strstr(t, "no"));
	free(t);
	lm_doc_release(&doc);
	/* only a comment: nothing at all */
	parse(&doc, "<!-- a note -->\n\nText.\n");
	assert_int_equal(doc.n, 1);
	assert_text(&doc.blocks[0], "Text.");
	lm_doc_release(&doc);
}

static void test_images(void **state)
{
	(void)state;
	struct lm_doc doc;
	/* an image is a block of its own between the text around it */
	parse(&doc, "Before ![A *map* of hubs](maps/hubs.png) after.\n\n![](band.png){.decorative}\n");
	assert_int_equal(doc.n, 4);
	assert_int_equal(doc.blocks[0].kind, LM_BLOCK_PARAGRAPH);
	assert_text(&doc.blocks[0], "Before ");
	assert_int_equal(doc.blocks[1].kind, LM_BLOCK_IMAGE);
	assert_string_equal(doc.blocks[1].src, "maps/hubs.png");
	assert_string_equal(doc.blocks[1].alt, "A map of hubs");
	assert_false(doc.blocks[1].decorative);
	assert_int_equal(doc.blocks[2].kind, LM_BLOCK_PARAGRAPH);
	assert_text(&doc.blocks[2], " after.");
	assert_int_equal(doc.blocks[3].kind, LM_BLOCK_IMAGE);
	assert_string_equal(doc.blocks[3].alt, "");
	assert_true(doc.blocks[3].decorative);
	lm_doc_release(&doc);
	/* {.decorative} from a value is escaped: text, and no decoration */
	parse(&doc, "![x](a.png)\\{\\.decorative\\}\n");
	assert_int_equal(doc.n, 2);
	assert_false(doc.blocks[0].decorative);
	assert_text(&doc.blocks[1], "{.decorative}");
	lm_doc_release(&doc);
	/* in a table cell or a heading: the alt text */
	parse(&doc, "# A ![crest](c.png)\n\n| a |\n| --- |\n| ![logo](l.png) |\n");
	assert_int_equal(doc.n, 2);
	assert_text(&doc.blocks[0], "A crest");
	assert_int_equal(doc.blocks[1].kind, LM_BLOCK_TABLE);
	char *t = joined(doc.blocks[1].cells[1].spans, doc.blocks[1].cells[1].nspans);
	assert_string_equal(t, "logo");
	free(t);
	lm_doc_release(&doc);
}

static void test_br_in_cell(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "| a |\n| --- |\n| one<br>two<BR/>three<br />four |\n");
	const struct lm_table_cell *c = &doc.blocks[0].cells[1];
	size_t breaks = 0;
	for (size_t i = 0; i < c->nspans; i++)
		breaks += c->spans[i].len == 1 && c->spans[i].text[0] == '\n';
	assert_int_equal(breaks, 3);
	lm_doc_release(&doc);
}

struct lint_out {
	struct lm_buf text;
	int images;
};

static void lint_report(void *ctx, const struct lm_diag *d)
{
	struct lint_out *o = ctx;
	lm_buf_addf(&o->text, "%d:%d:%s:%.30s\n", d->line, d->col, d->severity == LM_ERROR ? "E" : "W", d->msg);
}

static void lint_image(void *ctx, const char *src, const char *file, int line, int col)
{
	struct lint_out *o = ctx;
	lm_buf_addf(&o->text, "%d:%d:image %s in %s\n", line, col, src, file);
	o->images++;
}

static void test_lint(void **state)
{
	(void)state;
	struct lint_out o = { LM_BUF_INIT, 0 };
	const char *md = "Hi <u>you</u> {{name}}.\n"
			 "\n"
			 "| a |\n| --- |\n| x<br>y |\n"
			 "\n"
			 "  ![](a.png) ![](b.png){.decorative} ![Map](c.png)\n";
	lm_markdown_lint("l.md", md, strlen(md), 10, lint_report, lint_image, &o);
	assert_string_equal(o.text.ptr,
			    "10:4:W:HTML tag <u> is not printed (t\n"
			    "16:3:E:image 'a.png' has no alt text:\n"
			    "16:3:image a.png in l.md\n"
			    "16:14:image b.png in l.md\n"
			    "16:38:image c.png in l.md\n");
	assert_int_equal(o.images, 3);
	lm_buf_release(&o.text);
}

static void test_autolink_www(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "See www.x.co.uk. Thanks");
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 3);
	assert_span(&b->spans[0], "See ", 0, NULL);
	assert_span(&b->spans[1], "www.x.co.uk", 0, "https://www.x.co.uk");
	assert_span(&b->spans[2], ". Thanks", 0, NULL);
	lm_doc_release(&doc);
}

static void test_autolink_parens(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "(see http://a.b/c?d=1) and (http://a.b/c_(x)), https://q.org/p.");
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 7);
	assert_span(&b->spans[0], "(see ", 0, NULL);
	/* the ')' closes the sentence's bracket, not the address */
	assert_span(&b->spans[1], "http://a.b/c?d=1", 0, "http://a.b/c?d=1");
	assert_span(&b->spans[2], ") and (", 0, NULL);
	/* a balanced pair inside the address stays */
	assert_span(&b->spans[3], "http://a.b/c_(x)", 0, "http://a.b/c_(x)");
	assert_span(&b->spans[4], "), ", 0, NULL);
	assert_span(&b->spans[5], "https://q.org/p", 0, "https://q.org/p");
	assert_span(&b->spans[6], ".", 0, NULL);
	lm_doc_release(&doc);
}

static void test_autolink_email(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "Write to colette.o'brien@liverpool.gov.uk. Or (bob@x.com)");
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 5);
	assert_span(&b->spans[0], "Write to ", 0, NULL);
	assert_span(&b->spans[1], "colette.o'brien@liverpool.gov.uk", 0,
		    "mailto:colette.o'brien@liverpool.gov.uk");
	assert_span(&b->spans[2], ". Or (", 0, NULL);
	assert_span(&b->spans[3], "bob@x.com", 0, "mailto:bob@x.com");
	assert_span(&b->spans[4], ")", 0, NULL);
	lm_doc_release(&doc);
}

static void test_autolink_styles_kept(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "**Call www.a.org now**");
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 3);
	assert_span(&b->spans[0], "Call ", LM_SPAN_BOLD, NULL);
	assert_span(&b->spans[1], "www.a.org", LM_SPAN_BOLD, "https://www.a.org");
	assert_span(&b->spans[2], " now", LM_SPAN_BOLD, NULL);
	lm_doc_release(&doc);
}

static void test_no_autolink_in_link_or_code(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "[www.x.co.uk](https://y.org/z) `www.a.com bob@x.com` [**B** c](http://u.v/)");
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 6);
	assert_span(&b->spans[0], "www.x.co.uk", 0, "https://y.org/z");
	assert_span(&b->spans[1], " ", 0, NULL);
	assert_span(&b->spans[2], "www.a.com bob@x.com", LM_SPAN_CODE, NULL);
	assert_span(&b->spans[3], " ", 0, NULL);
	assert_span(&b->spans[4], "B", LM_SPAN_BOLD, "http://u.v/");
	assert_span(&b->spans[5], " c", 0, "http://u.v/");
	lm_doc_release(&doc);
}

static void test_no_autolink_without_domain(void **state)
{
	(void)state;
	struct lm_doc doc;
	const char *text = "No dot-domain: http://localhost www. a@b me@home, x.y@ and awww.b.com";
	parse(&doc, text);
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->nspans, 1);
	assert_span(&b->spans[0], text, 0, NULL);
	lm_doc_release(&doc);
}

static void test_autolink_in_table_cell(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "| Site |\n|---|\n| www.a.org |\n");
	const struct lm_block *t = &doc.blocks[0];
	assert_int_equal(t->kind, LM_BLOCK_TABLE);
	assert_int_equal(t->nrows, 2);
	assert_int_equal(t->cells[1].nspans, 1);
	assert_span(&t->cells[1].spans[0], "www.a.org", 0, "https://www.a.org");
	lm_doc_release(&doc);
}

static void test_spans_autolink_direct(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_span in[2] = {
		{ .text = "go to www.a.org", .len = 15 },
		{ .text = "now", .len = 3, .style = LM_SPAN_ITALIC },
	};
	struct lm_span *spans = in;
	size_t n = 2;
	lm_spans_autolink(a, &spans, &n);
	assert_ptr_not_equal(spans, in);
	assert_int_equal(n, 3);
	assert_span(&spans[0], "go to ", 0, NULL);
	assert_span(&spans[1], "www.a.org", 0, "https://www.a.org");
	assert_span(&spans[2], "now", LM_SPAN_ITALIC, NULL);

	/* nothing to link: the array is left as it was */
	struct lm_span plain = { .text = "nothing here", .len = 12 };
	spans = &plain;
	n = 1;
	lm_spans_autolink(a, &spans, &n);
	assert_ptr_equal(spans, &plain);
	assert_int_equal(n, 1);
	lm_arena_free(a);
}

static void test_rule_and_quote(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "a\n\n---\n\n> quoted\n> - item\n");
	assert_int_equal(doc.n, 4);
	assert_int_equal(doc.blocks[1].kind, LM_BLOCK_RULE);
	assert_int_equal(doc.blocks[1].nspans, 0);
	assert_int_equal(doc.blocks[2].kind, LM_BLOCK_PARAGRAPH);
	assert_int_equal(doc.blocks[2].quote, 1);
	assert_text(&doc.blocks[2], "quoted");
	assert_item(&doc.blocks[3], 1, BULLET, 1, 1, "item");
	assert_int_equal(doc.blocks[3].quote, 1);
	lm_doc_release(&doc);
}

static void test_code_block_lines(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "```\nline1\nline2\n```\n");
	assert_int_equal(doc.n, 1);
	const struct lm_block *b = &doc.blocks[0];
	assert_int_equal(b->kind, LM_BLOCK_PARAGRAPH);
	/* each line of a code block ends in a hard break */
	assert_int_equal(b->nspans, 4);
	assert_span(&b->spans[0], "line1", LM_SPAN_CODE, NULL);
	assert_span(&b->spans[1], "\n", LM_SPAN_CODE, NULL);
	assert_span(&b->spans[2], "line2", LM_SPAN_CODE, NULL);
	assert_span(&b->spans[3], "\n", LM_SPAN_CODE, NULL);
	lm_doc_release(&doc);
}

/* A paragraph, heading or list item of zero-width characters prints
 * nothing: no block (a screen reader would read an empty element), and an
 * item keeps its marker with no text. */
static void test_invisible_blocks(void **state)
{
	(void)state;
	struct lm_doc doc;
	parse(&doc, "One.\n\n\xE2\x80\x8B\n\n# \xE2\x81\xA0 \xE2\x80\x8D\n\n"
		    "- \xEF\xBB\xBF\n- item\n\n**\xE2\x80\x8B**\n\nTwo.\n");
	assert_int_equal(doc.n, 4);
	assert_int_equal(doc.blocks[0].kind, LM_BLOCK_PARAGRAPH);
	assert_int_equal(doc.blocks[1].kind, LM_BLOCK_LIST_ITEM);
	assert_int_equal(doc.blocks[1].nspans, 0);
	assert_string_equal(doc.blocks[1].marker, BULLET);
	assert_int_equal(doc.blocks[2].kind, LM_BLOCK_LIST_ITEM);
	assert_text(&doc.blocks[2], "item");
	assert_text(&doc.blocks[3], "Two.");
	lm_doc_release(&doc);
	/* a zero-width space inside text stays */
	parse(&doc, "a\xE2\x80\x8B" "b\n");
	assert_int_equal(doc.n, 1);
	assert_text(&doc.blocks[0], "a\xE2\x80\x8B" "b");
	lm_doc_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_span_styles),
		cmocka_unit_test(test_nested_lists),
		cmocka_unit_test(test_loose_list),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_hard_break),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_escapes_and_no_html),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_br_in_cell),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_autolink_www),
		cmocka_unit_test(test_autolink_parens),
		cmocka_unit_test(test_autolink_email),
		cmocka_unit_test(test_autolink_styles_kept),
		cmocka_unit_test(test_no_autolink_in_link_or_code),
		cmocka_unit_test(test_no_autolink_without_domain),
		cmocka_unit_test(test_autolink_in_table_cell),
		cmocka_unit_test(test_spans_autolink_direct),
		cmocka_unit_test(test_rule_and_quote),
		cmocka_unit_test(test_code_block_lines),
		cmocka_unit_test(test_invisible_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
