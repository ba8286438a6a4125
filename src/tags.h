/* tags.h - the structure tree of a tagged PDF (PDF 32000 14.7 and 14.8).
 *
 * The layout says what each box is (layout.h: every box has an element,
 * every element a role and a parent, in reading order); the PDF writer
 * wraps each box's operators in marked content and asks this module for the
 * marked-content id.  This module owns the rest: structure elements with
 * their kids in reading order, the parent tree, the elements that own
 * annotations (Link, Form), and writing them through pdfw.h.
 *
 * Streamed: a letter's elements are written (compressed, in object
 * streams) when the letter ends, and the parent tree a leaf of PT_LEAF keys
 * at a time, so memory does not grow with the letters of a print file.
 * The parent tree is a number tree of any depth (the file may hold a
 * million pages).  A file of one letter has that letter's Document as its
 * root; a file of several, a Document of Parts, one a letter.
 */
#ifndef LM_TAGS_H
#define LM_TAGS_H

#include <stddef.h>

#include "buf.h"
#include "layout.h"
#include "pdfw.h"

struct lm_tag_elem;
struct lm_tag_kid;
struct lm_tag_node;

struct lm_tags {
	struct lm_pdfw *w;           /* borrowed */
	char *lang;                  /* the document's language, owned; may be NULL */
	unsigned root_num;           /* the StructTreeRoot */
	unsigned doc_num;            /* the Document over Parts, 0 while one letter */
	size_t nletters;

	/* the current letter */
	const struct lm_layout *lay;
	struct lm_tag_elem *elems;   /* its elements, in reading order */
	size_t nelems, elems_alloc;
	struct lm_tag_kid *kids;     /* kids of its elements, as linked lists */
	size_t nkids, kids_alloc;
	/* its parent tree keys, from key0: a page's MCIDs' elements, or an annotation's element */
	size_t key0;
	int *pt_first;               /* per key: first index into pt_elems, or -1 - element */
	int *pt_count;
	size_t nkeys, keys_alloc;
	int *pt_elems;
	size_t npt, pt_alloc;

	/* the current page */
	unsigned page_obj;
	size_t page_first;
	int page_mcids;

	/* the first letter's root, written at the end: the Document when it
	 * stays the only letter, else a Part */
	unsigned first_num;
	struct lm_buf first_kids;    /* its /K entries */
	struct lm_buf first_rest;    /* its /Pg, /Alt, /Lang */
	int first_nk;
	/* every other letter's root (Parts of the Document) */
	unsigned *parts;
	size_t nparts, parts_alloc;
	/* elements added after the letters (the signature's Form) */
	unsigned *extra;
	size_t nextra, extra_alloc;

	/* the parent tree: keys written so far, the leaf being filled, the leaves */
	size_t next_key;
	struct lm_buf leaf;
	size_t leaf_lo, leaf_n;
	unsigned root_pt;            /* the parent tree's root, once written */
	struct lm_tag_node *nodes;
	size_t nnodes, nodes_alloc;
};

/* Starts the tree of the file `w` writes (the root's number reserved). */
void lm_tags_init(struct lm_tags *t, struct lm_pdfw *w, const char *lang);
void lm_tags_release(struct lm_tags *t);

/* Starts a letter: `lay`'s elements become structure elements.  `lay`
 * must live until lm_tags_end_letter, which writes them. */
void lm_tags_begin_letter(struct lm_tags *t, const struct lm_layout *lay);
void lm_tags_end_letter(struct lm_tags *t);

/* 1 when boxes of layout element `elem` are artifacts (elem -1 or an
 * artifact role): they are marked /Artifact and belong to no element. */
static inline int lm_tags_is_artifact(const struct lm_tags *t, int elem)
{
	/* inline: the writer asks for every box, more than once */
	return elem < 0 || !t->lay || (size_t)elem >= t->lay->nelems ||
	       t->lay->elems[elem].role == LM_ROLE_ARTIFACT;
}
/* The structure type of layout element `elem` ("P", "H1", "Link" ...),
 * the tag of its marked content. */
const char *lm_tags_type(const struct lm_tags *t, int elem);

/* Starts a page, the object numbered `page_obj`, holding the current
 * letter's `boxes`; fills mcid[i] with the marked-content id of box i, or
 * -1 for an artifact.  With `group` NULL the page is one content stream and
 * ids are given in the layout's (reading) order.  Else group[i] (0 or 1)
 * says which group of the page's streams box i is drawn in (0: streams a
 * print file's letters share; the page's streams are the runs of boxes of
 * one group, in layout order): group 0's ids come first, each group's in
 * reading order, so group 0 numbers its marked content the same in every
 * letter.  Either way the element's kids are in reading order whatever
 * order the writer draws in; a run of consecutive boxes of one element in
 * the same drawing pass (graphics, then text) and stream shares one id,
 * so the writer may wrap the run in one sequence. */
void lm_tags_begin_page(struct lm_tags *t, unsigned page_obj, const struct lm_box *boxes,
			size_t n, const unsigned char *group, int *mcid);
/* Annotation object `annot` on this page belongs to layout element `elem`
 * (a Link).  Returns its /StructParent key, or -1 (an artifact's). */
int lm_tags_link(struct lm_tags *t, int elem, unsigned annot);
/* Ends the page: returns its /StructParents key, or -1 when nothing on it
 * is tagged content. */
int lm_tags_end_page(struct lm_tags *t);

/* A Form element for widget annotation `annot` on page `page`, after the
 * letters (the signature field).  Returns the widget's /StructParent key. */
int lm_tags_form(struct lm_tags *t, unsigned annot, unsigned page);

/* Writes what is left: the root elements, the parent tree and the
 * StructTreeRoot, whose number is t->root_num. */
void lm_tags_finish(struct lm_tags *t);

/* XMP metadata (dc:title, dc:creator, dc:description, dc:language,
 * pdf:Producer, xmp:CreatorTool, pdfuaid:part 1) with every value XML-escaped. */
void lm_tags_xmp(struct lm_buf *out, const char *title, const char *author, const char *subject,
		 const char *lang, const char *producer, const char *creator);

#endif
