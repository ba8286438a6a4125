#include "image.h"

#include "buf.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_png(struct lm_image *img, const char *where, int line, int col, struct lm_diag *d)
{
	png_image pi;
	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&pi, img->path))
		return lm_diag_set(d, where, line, col, "image '%s' is not a readable PNG (%s); export it again as PNG",
				   img->path, pi.message);
	if (pi.width > LM_IMAGE_MAX_SIDE || pi.height > LM_IMAGE_MAX_SIDE) {
		png_image_free(&pi);
		return lm_diag_set(d, where, line, col,
				   "image '%s' is %ux%u pixels, larger than %u on a side; scale it down",
				   img->path, pi.width, pi.height, LM_IMAGE_MAX_SIDE);
	}
	/* decode every row: a truncated file must fail here, not inside libharu */
	pi.format = PNG_FORMAT_RGBA;
	size_t size = PNG_IMAGE_SIZE(pi);
	void *pixels = lm_xmalloc(size);
	int ok = png_image_finish_read(&pi, NULL, pixels, 0, NULL);
	free(pixels);
	if (!ok)
		return lm_diag_set(d, where, line, col, "image '%s' is damaged (%s); export it again as PNG",
				   img->path, pi.message);
	img->width = pi.width;
	img->height = pi.height;
	img->kind = LM_IMAGE_PNG;
	return 0;
}

/* Reads the frame header (SOFn) for the size. */
static int check_jpeg(struct lm_image *img, FILE *fp, const char *where, int line, int col,
		      struct lm_diag *d)
{
	int c;
	for (;;) {
		while ((c = fgetc(fp)) != EOF && c != 0xFF)
			;
		while (c == 0xFF)
			c = fgetc(fp);
		if (c == EOF)
			break;
		if (c == 0xD8 || (c >= 0xD0 && c <= 0xD7) || c == 0x01)
			continue; /* markers without a length */
		int hi = fgetc(fp), lo = fgetc(fp);
		if (hi == EOF || lo == EOF)
			break;
		long len = (hi << 8) | lo;
		if (len < 2)
			break;
		if (c >= 0xC0 && c <= 0xCF && c != 0xC4 && c != 0xC8 && c != 0xCC) {
			unsigned char h[5];
			if (fread(h, 1, 5, fp) != 5)
				break;
			img->height = (unsigned)(h[1] << 8 | h[2]);
			img->width = (unsigned)(h[3] << 8 | h[4]);
			if (!img->width || !img->height)
				break;
			if (img->width > LM_IMAGE_MAX_SIDE || img->height > LM_IMAGE_MAX_SIDE)
				return lm_diag_set(d, where, line, col,
						   "image '%s' is %ux%u pixels, larger than %u on a side; scale it down",
						   img->path, img->width, img->height, LM_IMAGE_MAX_SIDE);
			img->kind = LM_IMAGE_JPEG;
			return 0;
		}
		if (fseek(fp, len - 2, SEEK_CUR))
			break;
	}
	return lm_diag_set(d, where, line, col, "image '%s' is not a readable JPEG; export it again as PNG or JPEG",
			   img->path);
}

int lm_image_load(struct lm_image *img, const char *path, const char *where, int line, int col,
		  struct lm_diag *d)
{
	memset(img, 0, sizeof(*img));
	img->path = lm_xstrdup(path);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		lm_diag_set(d, where, line, col, "cannot open image '%s': %s", path, strerror(errno));
		goto fail;
	}
	unsigned char magic[8] = { 0 };
	size_t got = fread(magic, 1, sizeof(magic), fp);
	int rc;
	if (got == 8 && !png_sig_cmp(magic, 0, 8)) {
		fclose(fp);
		rc = check_png(img, where, line, col, d);
	} else if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
		rewind(fp);
		rc = check_jpeg(img, fp, where, line, col, d);
		fclose(fp);
	} else {
		fclose(fp);
		lm_diag_set(d, where, line, col, "image '%s' is neither PNG nor JPEG; save it as PNG", path);
		goto fail;
	}
	if (rc == 0)
		return 0;
fail:
	lm_image_release(img);
	return -1;
}

void lm_image_release(struct lm_image *img)
{
	free(img->path);
	memset(img, 0, sizeof(*img));
}
