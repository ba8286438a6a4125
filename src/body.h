/* body.h - what a letter's body needs besides its words: the findings on
 * its Markdown, and the images it draws.
 *
 * The template's sources (the letter's body and every partial it includes)
 * are checked once, when the letter is loaded, with placeholders left as
 * they are: raw HTML, footnotes and images without alt text are found at
 * the file:line:column the author wrote them (markdown.h says what the
 * printed letter does with each).  The images the body names are then
 * found in the area's folder first (an area's own picture: checked once
 * per area, into the area's assets), then beside the letter (checked once
 * per run, however many areas use it), and every letter of the run shares
 * them.
 */
#ifndef LM_BODY_H
#define LM_BODY_H

#include <stddef.h>

#include "diag.h"
#include "frame.h"
#include "letter.h"

/* An image the body names, and where. */
struct lm_body_ref {
	char *src;   /* as written, owned */
	char *file;  /* the template source naming it, owned */
	int line, col;
};

struct lm_body {
	struct lm_diag *findings; /* owned, in source order */
	size_t nfindings, findings_alloc;
	size_t errors;
	struct lm_body_ref *refs; /* owned; each file name once */
	size_t nrefs, refs_alloc;
	char *dir;                /* the letter's folder ("." when none), owned */
	struct lm_assets shared;  /* images found beside the letter, loaded once a run */
};

void lm_body_init(struct lm_body *b);
void lm_body_release(struct lm_body *b);
/* Checks the Markdown of `l`'s body and partials into b->findings and
 * lists the images they name.  Returns 0, or -1 with d filled (a partial
 * that cannot be read again). */
int lm_body_scan(struct lm_body *b, const struct lm_letter *l, struct lm_diag *d);

/* One area's body images: each file name as written, and the images an
 * area's letters draw: the area's assets then the run's shared images. */
struct lm_body_images {
	struct lm_body_image {
		char *src;   /* owned */
		int image;   /* index into `all` */
	} *v;
	size_t n, alloc;
	/* the area's images (logo, signatures, its own body images) followed
	 * by the run's shared ones: copies of their structs, the pixels owned
	 * by the area's assets and by the struct lm_body; what layout box
	 * image indexes and lm_pdf_add refer to */
	struct lm_image *all;
	size_t nall;
};

void lm_body_images_init(struct lm_body_images *bi);
void lm_body_images_release(struct lm_body_images *bi);
/* Finds every image of `b` in `area_dir` (checked (image.h) and added to
 * `a`, the area's assets), else in the letter's folder (checked once a run,
 * into b->shared), and fills bi->all.  `a` must not change afterwards.
 * Returns 0, or -1 with d filled at the place that names the first image
 * not found or not good. */
int lm_body_images_load(struct lm_body_images *bi, struct lm_body *b, const char *area_dir,
			struct lm_assets *a, struct lm_diag *d);
/* The look-up lm_flow.image wants: `ctx` is a struct lm_body_images. */
int lm_body_image_lookup(void *ctx, const char *src, unsigned *w, unsigned *h);

#endif
