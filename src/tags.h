/* tags.h - the structure tree of a tagged PDF (PDF 32000 14.7 and 14.8).
 *
 * The layout says what each box is (layout.h: every box has an element,
 * every element a role and a parent, in reading order); the PDF writer
 * wraps each box's operators in marked content and asks this module for the
 * marked-content id.  This module owns the rest: structure elements with
 * their kids in reading order, the parent tree, link annotations (so the
 * Link element and its annotation point at each other), and writing it all.
 *
 * Size: a letter has a hundred-odd structure elements, and each written as
 * a plain object would cost some 80 bytes (a quarter of a letter in a print
 * file).  So the tree and the link annotations are written compressed, in
 * object streams, as an update section of a hybrid-reference file
 * (PDF 32000 7.5.8.4): the file's own cross-reference table stays as
 * libharu wrote it (the signing code reads it), and the update's trailer
 * points at a cross-reference stream for the compressed objects.  Those
 * objects are numbered from the first number libharu did not use, so the
 * writer can refer to them before they exist ("hidden" object i is number
 * first + i once the file is finished).
 *
 * Nothing here knows libharu: the module writes PDF syntax into buffers.
 */
#ifndef LM_TAGS_H
#define LM_TAGS_H

#include <stddef.h>

#include "buf.h"
#include "layout.h"

struct lm_tag_elem;
struct lm_tag_kid;

struct lm_tags {
	char *lang;                  /* the document's language, owned; may be NULL */
	struct lm_tag_elem *elems;   /* every letter's elements, in reading order */
	size_t nelems, elems_alloc;
	struct lm_tag_kid *kids;     /* kids of all elements, as linked lists */
	size_t nkids, kids_alloc;
	int *roots;                  /* each letter's Document element */
	size_t nroots, roots_alloc;
	size_t base;                 /* the current letter's first element */
	const struct lm_layout *lay; /* the current letter */

	/* the parent tree: key k is a page (its MCIDs' elements) or an annotation */
	int *pt_first;               /* per key: first index into pt_elems, or -1 - element for an annotation */
	int *pt_count;
	size_t nkeys, keys_alloc;
	int *pt_elems;
	size_t npt, pt_alloc;

	/* the current page */
	unsigned page_obj;
	size_t page_first;           /* its first entry in pt_elems */
	int page_mcids;

	/* link annotations, hidden objects 1 .. nannots (0 is the tree root) */
	struct lm_buf annots;        /* their dictionaries, NUL-separated */
	size_t nannots;
};

void lm_tags_init(struct lm_tags *t, const char *lang);
void lm_tags_release(struct lm_tags *t);

/* Starts a letter: `lay`'s elements become structure elements (its
 * Document a Part of the file's Document when the file holds several).
 * `lay` must live until lm_tags_end_letter. */
void lm_tags_begin_letter(struct lm_tags *t, const struct lm_layout *lay);
void lm_tags_end_letter(struct lm_tags *t);

/* 1 when boxes of layout element `elem` are artifacts (elem -1 or an
 * artifact role): they are marked /Artifact and belong to no element. */
int lm_tags_is_artifact(const struct lm_tags *t, int elem);
/* The structure type of layout element `elem` ("P", "H1", "Link" ...),
 * the tag of its marked content. */
const char *lm_tags_type(const struct lm_tags *t, int elem);

/* Starts a page, the object numbered `page_obj`, holding the current
 * letter's `boxes`; fills mcid[i] with the marked-content id of box i, or
 * -1 for an artifact.  Ids are given in the layout's (reading) order, so
 * the element's kids are in reading order whatever order the writer draws
 * in; a run of consecutive boxes of one element in the same drawing pass
 * (graphics, then text) shares one id, so the writer may wrap the run in
 * one sequence. */
void lm_tags_begin_page(struct lm_tags *t, unsigned page_obj, const struct lm_box *boxes,
			size_t n, int *mcid);
/* A link annotation of layout element `elem` (a Link) on this page:
 * `rect` in whole points, `action` the object number of its URI action,
 * `contents` its text for screen readers.  Returns the hidden object index
 * of the annotation (its number is first + that once the file is written). */
size_t lm_tags_link(struct lm_tags *t, int elem, const int rect[4], unsigned action,
		    const char *contents);
/* Ends the page: returns its /StructParents key, or -1 when nothing on it
 * is tagged content. */
int lm_tags_end_page(struct lm_tags *t);

/* The hidden object index of the StructTreeRoot (always 0). */
#define LM_TAGS_ROOT 0

/* Appends to `out`, the bytes of a finished PDF whose cross-reference
 * table is at `prev_xref`, an update section holding the structure tree
 * and annotations in object streams, numbered from `first`; `root` and
 * `info` are the catalog's and the information dictionary's numbers (info
 * 0 for none).  Returns 0, or -1 when `out` is not such a PDF. */
int lm_tags_write(struct lm_tags *t, struct lm_buf *out, size_t prev_xref, unsigned first,
		  unsigned root, unsigned info);

/* A PDF text string for `utf8`: a literal string in PDFDocEncoding's
 * ASCII part when it fits, else UTF-16BE in hex. */
void lm_tags_text_string(struct lm_buf *out, const char *utf8);

/* XMP metadata (dc:title, dc:creator, dc:description, dc:language,
 * pdf:Producer, xmp:CreatorTool) with every value XML-escaped. */
void lm_tags_xmp(struct lm_buf *out, const char *title, const char *author, const char *subject,
		 const char *lang, const char *producer, const char *creator);

#endif
