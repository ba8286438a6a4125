/* pdf.h - writes laid-out pages to a PDF file (through pdfw.h).
 *
 * One `struct lm_pdf` is one PDF file: it may hold one letter or many (a
 * print file), each added as a `struct lm_layout`.  Fonts are embedded once
 * per file, only the faces used and only the glyphs printed; images once
 * per file however many pages show them.  A letter's file is made in
 * memory; a print file is streamed to a temporary file beside the target
 * as its letters come (memory does not grow with their number), and
 * renamed into place at the end, so a PDF is either whole or absent.
 *
 * In a print file a page's content is what its letters share (written
 * once, the same stream objects on every page that draws them) and the
 * letter's own (the address, a name), as pdf.c's split() sorts them: the
 * page's /Contents is the runs of each, in reading order.
 *
 * Every file is a tagged PDF (PDF 32000 14.8, PDF/UA-1): each box's marks
 * are marked content of its structure element, or an artifact; tags.c
 * keeps the tree and writes it.
 */
#ifndef LM_PDF_H
#define LM_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "font.h"
#include "image.h"
#include "layout.h"
#include "pdfw.h"
#include "sign.h"
#include "tags.h"

/* The signature field a file is made with when it is to be signed. */
struct lm_pdf_sig {
	const char *name;       /* the signer, shown in the visible box and the field's /TU */
	long long signing_time; /* shown in the visible box */
	int visible;            /* a box at the last layout's sign_rect, else an invisible field */
};

struct lm_pdf_meta {
	const char *title;
	const char *author;
	const char *subject;
	const char *lang; /* BCP 47, e.g. "en-GB" */
	const struct lm_pdf_sig *sign; /* NULL: not to be signed */
};

struct lm_pdf_image {
	const char *path;  /* borrowed from the run's images */
	unsigned num;
};

struct lm_pdf_uri {
	char *uri;         /* owned */
	unsigned num;
};

/* A level of the page tree: the node taking kids now. */
struct lm_pdf_level {
	unsigned num;       /* 0: none yet */
	struct lm_buf kids;
	size_t nkids, count;
};

#define LM_PDF_LEVELS 8
/* Content streams of a page at most (pdf.c) */
#define LM_PDF_STREAMS 8

struct lm_pdf {
	struct lm_pdfw w;
	struct lm_atomic file;    /* a streamed print file's temporary */
	int streaming, finished, committed;
	struct lm_fonts *fonts;   /* borrowed */
	struct lm_embed *own;     /* subsets made for this file alone when the run made none */
	unsigned font[LM_FONTS_MAX];  /* the Type0 fonts' numbers by font index, 0 until first used */
	unsigned char *used[LM_FONTS_MAX]; /* glyph ids this file prints, one byte each; owned */
	char **shaped[LM_FONTS_MAX]; /* per glyph id, the text a glyph without a character of
				      * its own stands for (a joining form), or NULL; owned */
	unsigned nshaped[LM_FONTS_MAX];
	unsigned one_byte_cmap;   /* the encoding CMap all faces share, 0 until used */
	unsigned info, metadata, catalog;
	char *lang;               /* owned */
	struct lm_pdf_sig sign;   /* sign.name NULL: not to be signed */
	char *sign_name;          /* owned copy */
	double sign_rect[4];      /* the last layout's */
	struct lm_pdf_image *images;
	size_t nimages, images_alloc;
	struct lm_pdf_uri *uris;  /* URI actions by target, shared by every link to it */
	size_t nuris, uris_alloc;
	size_t npages;
	double page_w, page_h;    /* the first page's size, said once on each /Pages node */
	int share_pages;          /* a print file: what its letters share is written once */
	struct lm_pdf_contents {  /* content streams written, to share with identical pages */
		unsigned char digest[32];
		unsigned num;
	} *contents;
	size_t ncontents, contents_alloc;
	size_t *slots, nslots;    /* index over contents by digest (pdf.c) */
	struct lm_pdf_pos {       /* a page of the letters (the first, the second …) */
		uint64_t *hash;   /* by part of the page: its look in the first letter */
		unsigned char *state; /* by part: 0 unseen, 1 the same so far, 2 varies */
		size_t n;
		struct lm_buf own[LM_PDF_STREAMS]; /* the last letter's own streams here, their operators */
		unsigned own_num[LM_PDF_STREAMS];
		struct lm_pdf_run { /* the last letter's shared streams here */
			struct lm_buf sig;  /* all that its operators are made from */
			unsigned num;
			int faces;          /* the fonts it uses, as draw_page counts them */
			struct lm_buf key;  /* the images it draws, "/Im12/Im13/" */
		} run[LM_PDF_STREAMS];
	} *pos;
	size_t npos;
	struct lm_pdf_resources { /* resource dictionaries by what they name */
		char *key;        /* "/F0/F2/Im12" ..., owned */
		unsigned num;
	} *resources;
	size_t nresources, resources_alloc;
	struct lm_pdf_level levels[LM_PDF_LEVELS]; /* the page tree, written as it fills */
	int nlevels;
	/* the last page, written when the next comes or the file ends (a
	 * signature field may yet be added to it) */
	unsigned last_page;
	struct lm_buf last_body, last_annots;
	struct lm_pdf_scratch {   /* a page's working memory, kept from page to page (draw_page) */
		unsigned char *group;
		int *mcid;
		size_t *part;
		uint64_t *hash;
		size_t n, nparts;     /* room in group, mcid and part; in hash */
		struct lm_buf ops, key, annots, contents, res;
	} scratch;
	struct lm_tags tags;      /* the structure tree (tags.h) */
	struct lm_sign_target target; /* what signing needs, once finished */
	struct lm_buf widget;     /* the signature widget's dictionary without ">>" */
};

/* Starts a document kept in memory.  Returns 0, or -1 with d filled. */
int lm_pdf_begin(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		 struct lm_diag *d);
/* Starts a document streamed to a temporary beside `path` (a print file). */
int lm_pdf_begin_file(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		      const char *path, struct lm_diag *d);
/* Appends the pages of `lay`; images[i] is the image a box's `image` index
 * names.  The fonts are embedded as fonts->embed prepared them; when the
 * run prepared none, as subsets of this layout's characters (then only one
 * layout can be added).  Returns 0, or -1 with d filled. */
int lm_pdf_add(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_image *images,
	       size_t nimages, struct lm_diag *d);
/* Adds an empty page of the given size (the back of an odd page in duplex). */
int lm_pdf_blank_page(struct lm_pdf *pdf, double w, double h, struct lm_diag *d);
/* Ends the file's one revision; pdf->target is then what lm_sign_pdf
 * needs.  Returns 0, or -1 with d filled. */
int lm_pdf_finish(struct lm_pdf *pdf, struct lm_diag *d);
/* Finishes the file if that is not done, then writes it to `path` (a
 * document in memory) or moves the streamed file into place (`path` is the
 * one it was begun with).  Returns 0, or -1 with d filled and nothing left. */
int lm_pdf_save(struct lm_pdf *pdf, const char *path, struct lm_diag *d);
/* The bytes of a finished document kept in memory. */
const char *lm_pdf_bytes(const struct lm_pdf *pdf, size_t *len);
void lm_pdf_release(struct lm_pdf *pdf);

#endif
