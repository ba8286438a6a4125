/* pdf.h - writes laid-out pages to a PDF file with libharu.
 *
 * One `struct lm_pdf` is one PDF file: it may hold one letter or many (a
 * print file), each added as a `struct lm_layout`.  Fonts are embedded once
 * per file, only the faces used; images once per file however many pages
 * show them.  The file is written to a temporary name beside the target and
 * renamed into place, so a PDF is either whole or absent.
 *
 * Every file is a tagged PDF (PDF 32000 14.8): each box's marks are marked
 * content of its structure element, or an artifact; tags.c keeps the tree
 * and writes it.
 */
#ifndef LM_PDF_H
#define LM_PDF_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "font.h"
#include "image.h"
#include "layout.h"
#include "tags.h"

struct lm_pdf_meta {
	const char *title;
	const char *author;
	const char *subject;
	const char *lang; /* BCP 47, e.g. "en-GB" */
};

struct lm_pdf_image {
	const char *path;
	void *handle; /* HPDF_Image */
};

struct lm_pdf {
	void *doc;                /* HPDF_Doc, owned */
	struct lm_fonts *fonts;   /* borrowed */
	void *font[LM_FACES];     /* the Type0 font dictionaries, made on first use */
	struct lm_embed *own;     /* subsets made for this file alone when the run made none */
	void *font_file[LM_FACES];      /* FontFile2 streams, filled when the file is finished */
	void *to_unicode[LM_FACES];     /* their ToUnicode streams, likewise */
	void *widths[LM_FACES];         /* their /W arrays, likewise */
	unsigned char *used[LM_FACES];  /* glyph ids this file prints, one byte each; owned */
	struct lm_pdf_image *images; /* malloc-owned cache */
	struct lm_pdf_image *actions; /* URI actions by target (path = the URI), shared by every link to it */
	size_t nactions, actions_alloc;
	size_t nimages, images_alloc;
	unsigned long error;      /* first libharu error code, 0 if none */
	unsigned long error_detail;
	size_t npages;
	double page_w, page_h;    /* the page tree's media box */
	void *one_byte_cmap;      /* the encoding CMap all faces share */
	int share_pages;          /* a print file: identical pages share streams and resources */
	struct lm_pdf_contents {  /* content streams written, to share with identical pages */
		unsigned char digest[32];
		void *dict;
	} *contents;              /* malloc-owned */
	size_t ncontents, contents_alloc;
	size_t *slots, nslots;    /* index over contents by digest (pdf.c) */
	struct lm_pdf_resources { /* resource dictionaries by what they name (pdf.c) */
		char *key;        /* owned */
		void *first;      /* the first page with them */
		void *shared;     /* the indirect copy, once a second page has them */
	} *resources;             /* malloc-owned */
	size_t nresources, resources_alloc;
	struct lm_tags tags;      /* the structure tree (tags.h) */
	/* stand-ins through which libharu's objects refer to the tree's
	 * objects (the tree root, link annotations): empty dictionaries given
	 * their numbers once the file is finished; owned */
	void **anchors;
	size_t *anchor_idx;       /* the hidden object each stands for */
	size_t nanchors, anchors_alloc;
};

/* Starts an empty document.  Returns 0, or -1 with d filled. */
int lm_pdf_begin(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		 struct lm_diag *d);
/* Appends the pages of `lay`; images[i] is the image a box's `image` index
 * names.  The fonts are embedded as fonts->embed prepared them; when the
 * run prepared none, as subsets of this layout's characters (then only one
 * layout can be added).  Returns 0, or -1 with d filled. */
int lm_pdf_add(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_image *images,
	       size_t nimages, struct lm_diag *d);
/* Appends the finished file's bytes to `out`.  Returns 0, or -1 with d filled. */
int lm_pdf_finish(struct lm_pdf *pdf, struct lm_buf *out, struct lm_diag *d);
/* lm_pdf_finish, then lm_write_atomic: a PDF is either whole or absent. */
int lm_pdf_save(struct lm_pdf *pdf, const char *path, struct lm_diag *d);
/* Adds an empty page of the given size (the back of an odd page in duplex). */
int lm_pdf_blank_page(struct lm_pdf *pdf, double w, double h, struct lm_diag *d);
void lm_pdf_release(struct lm_pdf *pdf);

#endif
