/* image.h - signature and logo images, checked before the PDF writer sees them.
 *
 * libharu aborts the whole process on a truncated or corrupt PNG (libpng
 * aborts inside it), so every PNG is decoded completely here first, with
 * libpng's own error handling; JPEG headers are read far enough to know the
 * size.  An image that passes is safe to hand to the PDF writer.
 */
#ifndef LM_IMAGE_H
#define LM_IMAGE_H

#include <stddef.h>

#include "diag.h"

enum lm_image_kind { LM_IMAGE_PNG, LM_IMAGE_JPEG };

struct lm_image {
	char *path;            /* owned */
	enum lm_image_kind kind;
	unsigned width, height; /* pixels */
	int components;         /* JPEG: 1 grey, 3 RGB, 4 CMYK */
	/* PNG only, prepared once per run: the pixels deflated as a PDF image
	 * stream wants them (libharu would store the alpha channel
	 * uncompressed, and compress the colour again for every file) */
	int gray;                   /* 1: one channel (DeviceGray), 0: RGB */
	unsigned color_w, color_h;  /* the colour image's size: 1x1 for one ink under a mask */
	unsigned char *zcolor;      /* zlib stream, owned */
	size_t zcolor_len;
	unsigned char *zalpha;      /* zlib stream of the alpha channel (LM_ALPHA_BITS a pixel), owned; NULL if opaque */
	size_t zalpha_len;
	/* JPEG only: the file's bytes as decoded in full when loaded (a damaged
	 * one is refused then); embedded as they are.  Owned. */
	unsigned char *jpeg;
	size_t jpeg_len;
};

/* Bits a pixel of the soft mask: 16 levels of transparency are more than
 * a signature's anti-aliased edge shows at 150 to 300 dpi, and the mask
 * deflates to about two thirds of its 8-bit size. */
#define LM_ALPHA_BITS 4

/* Largest image accepted, in pixels per side: a signature scanned at
 * 1200 dpi is about 6000 wide; past this it is a mistake, not a signature. */
#define LM_IMAGE_MAX_SIDE 8000

/* Checks the file and fills `img` (path copied).  `diag_file`, `line`, `col`
 * say where the image was named (a CSV cell), for the error message.
 * Returns 0, or -1 with d filled. */
int lm_image_load(struct lm_image *img, const char *path, const char *diag_file, int line,
		  int col, struct lm_diag *d);
void lm_image_release(struct lm_image *img);

#endif
