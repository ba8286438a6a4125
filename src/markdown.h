/* markdown.h - CommonMark (with GFM tables) parsed by md4c into the blocks
 * and styled spans that the layout engine places.
 *
 * The model is flat on purpose: a letter is a sequence of paragraphs,
 * headings, list items (with their depth and marker) and tables; nesting is
 * kept as numbers (list depth, list id) rather than as a tree, which is all a
 * one-column letter needs and keeps the layout code simple.
 */
#ifndef LM_MARKDOWN_H
#define LM_MARKDOWN_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

enum lm_span_style { LM_SPAN_BOLD = 1, LM_SPAN_ITALIC = 2, LM_SPAN_CODE = 4 };

/* A run of text in one style.  text == "\n" (len 1) is a hard line break. */
struct lm_span {
	const char *text;  /* arena-owned, UTF-8 */
	size_t len;
	unsigned style;    /* LM_SPAN_* bits */
	const char *href;  /* arena-owned link target, or NULL */
};

enum lm_block_kind {
	LM_BLOCK_PARAGRAPH,
	LM_BLOCK_HEADING,
	LM_BLOCK_LIST_ITEM,
	LM_BLOCK_TABLE,
	LM_BLOCK_RULE,
	LM_BLOCK_IMAGE,  /* a Markdown image: `src`, `alt`, `decorative` */
};

struct lm_table_cell {
	struct lm_span *spans;
	size_t nspans;
	int header;       /* 1 in the header row */
	int align;        /* 0 left, 1 centre, 2 right */
};

struct lm_block {
	enum lm_block_kind kind;
	int level;          /* heading 1-6; list depth (1 = outermost); 0 otherwise */
	int quote;          /* block-quote depth: indented like a list level */
	const char *marker; /* list item: "•", "3." …; "" for a later paragraph of the same item */
	int list_id;        /* items of one list share it; its first item is where the list starts */
	int tight;          /* list item of a tight list: no space between items */
	struct lm_span *spans;
	size_t nspans;
	size_t nrows, ncols;          /* table */
	struct lm_table_cell *cells;  /* nrows * ncols, row-major */
	const char *src;              /* image: the file name as written */
	const char *alt;              /* image: its alt text ("" when none) */
	int decorative;               /* image: marked {.decorative}, an artifact */
};

struct lm_doc {
	struct lm_arena *arena;  /* owns every string, span and cell */
	struct lm_block *blocks; /* malloc-owned array */
	size_t n, alloc;
};

void lm_doc_init(struct lm_doc *doc);
/* Parses `len` bytes of Markdown.  Returns 0, or -1 with d filled (naming
 * `path`) when md4c fails.  Free with lm_doc_release(). */
int lm_doc_parse(struct lm_doc *doc, const char *path, const char *md, size_t len,
		 struct lm_diag *d);
void lm_doc_release(struct lm_doc *doc);

/* What the printed letter does with Markdown:
 * - an image (`![alt](file.png)`) in a paragraph or list item is a block of
 *   its own, a figure; `{.decorative}` straight after it marks it as
 *   decoration (an artifact, no alt text); in a heading, link or table cell
 *   an image is printed as its alt text;
 * - `<br>` (also `<br/>`, `<br />`) is a line break, the form documented
 *   for table cells, whose rows Markdown keeps on one line;
 * - other inline HTML tags are dropped (the text between them is printed);
 *   an HTML block is printed as its text without the tags; comments not at all.
 * lm_markdown_lint says so to the author, with positions. */

/* A finding of lm_markdown_lint, or an image it found. */
typedef void (*lm_md_report_fn)(void *ctx, const struct lm_diag *d);
typedef void (*lm_md_image_fn)(void *ctx, const char *src, const char *file, int line, int col);

/* Checks the Markdown of a template source (`len` bytes of `path`, starting
 * at line `first_line`; placeholders are left as text) for what the printed
 * letter cannot show as written: raw HTML (warnings saying what to write
 * instead), footnotes and struck-through text (warnings), images without
 * alt text that are not marked decorative, or whose file name is a
 * placeholder or a web address (errors).  Every image with a file name is
 * handed to `image`.  Findings carry `path`:line:column. */
void lm_markdown_lint(const char *path, const char *md, size_t len, int first_line,
		      lm_md_report_fn report, lm_md_image_fn image, void *ctx);

/* Splits spans so that web addresses (http://, https://, www.) and email
 * addresses become links, as a word processor does.  Text already inside a
 * link is left alone.  New spans are allocated from `arena`; *spans is
 * replaced by an arena-owned array. */
void lm_spans_autolink(struct lm_arena *arena, struct lm_span **spans, size_t *n);

#endif
