#include "image.h"

#include "buf.h"
#include "fileio.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libdeflate.h>

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* PNG row filters (PDF /Predictor 15): each row takes the filter whose
 * output has the smallest sum of magnitudes, the usual heuristic, which
 * roughly halves the deflated size of anti-aliased signature strokes. */
static unsigned char *png_filter(const unsigned char *px, unsigned w, unsigned h, unsigned bpp,
				 size_t *out_len)
{
	size_t stride = (size_t)w * bpp;
	unsigned char *out = lm_xmalloc((stride + 1) * h);
	unsigned char *trial = lm_xmalloc(stride);
	for (unsigned y = 0; y < h; y++) {
		const unsigned char *row = px + y * stride, *up = y ? row - stride : NULL;
		unsigned char *dst = out + y * (stride + 1);
		long best = -1;
		for (int f = 0; f < 5; f++) {
			long sum = 0;
			for (size_t i = 0; i < stride; i++) {
				int a = i >= bpp ? row[i - bpp] : 0, b = up ? up[i] : 0;
				int c = (i >= bpp && up) ? up[i - bpp] : 0;
				int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
				trial[i] = (unsigned char)(row[i] - pred);
				sum += trial[i] < 128 ? trial[i] : 256 - trial[i];
			}
			if (best < 0 || sum < best) {
				best = sum;
				dst[0] = (unsigned char)f;
				memcpy(dst + 1, trial, stride);
			}
		}
	}
	free(trial);
	*out_len = (stride + 1) * h;
	return out;
}

static int deflate_into(const unsigned char *px, unsigned w, unsigned h, unsigned bpp,
			unsigned char **out, size_t *out_len)
{
	size_t len;
	unsigned char *filtered = png_filter(px, w, h, bpp, &len);
	/* libdeflate, as pdfw.c, once a run: level 9 takes a fifth of
	 * zlib 9's instructions for the signatures (67 to 12 M), 90 bytes more */
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);
	size_t n = c ? libdeflate_zlib_compress_bound(c, len) : 0;
	*out = c ? lm_xmalloc(n) : NULL;
	n = c ? libdeflate_zlib_compress(c, filtered, len, *out, n) : 0;
	if (c)
		libdeflate_free_compressor(c);
	free(filtered);
	if (!n) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*out_len = n;
	return 0;
}

/* Splits RGBA into colour (grey when every pixel is) and alpha (dropped
 * when every pixel is opaque) and deflates both. */
static int prepare(struct lm_image *img, const unsigned char *rgba, const char *where, int line,
		   int col, struct lm_diag *d)
{
	size_t px = (size_t)img->width * img->height;
	int gray = 1, opaque = 1, solid = 1;
	const unsigned char *ink = NULL;
	for (size_t i = 0; i < px; i++) {
		const unsigned char *p = rgba + 4 * i;
		if (p[3] != 255)
			opaque = 0;
		/* a transparent pixel's colour is never seen */
		if (p[3] && (p[0] != p[1] || p[1] != p[2]))
			gray = 0;
		if (p[3]) {
			if (!ink)
				ink = p;
			else if (memcmp(ink, p, 3))
				solid = 0;
		}
	}
	/* one ink through a soft mask (a signature, a stamp): the colour is a
	 * single pixel the mask stretches over, which PDF allows */
	img->color_w = img->width;
	img->color_h = img->height;
	if (solid && !opaque && ink)
		img->color_w = img->color_h = 1;
	size_t ch = gray ? 1 : 3, cpx = (size_t)img->color_w * img->color_h;
	unsigned char *color = lm_xmalloc(cpx * ch);
	unsigned char *alpha = opaque ? NULL : lm_xmalloc(px);
	unsigned char last[3] = { 0, 0, 0 };
	for (size_t i = 0; i < px; i++) {
		const unsigned char *p = rgba + 4 * i;
		/* an invisible pixel repeats the last visible colour, which
		 * compresses to almost nothing */
		if (p[3])
			memcpy(last, p, 3);
		if (i < cpx)
			for (size_t c = 0; c < ch; c++)
				color[i * ch + c] = last[c];
		if (alpha)
			alpha[i] = p[3];
	}
	if (cpx == 1 && ink)
		for (size_t c = 0; c < ch; c++)
			color[c] = ink[c];
	img->gray = gray;
	int rc = deflate_into(color, img->color_w, img->color_h, (unsigned)ch, &img->zcolor, &img->zcolor_len);
	if (!rc && alpha) {
		/* LM_ALPHA_BITS (4) a pixel, two to a byte, rows padded to a byte;
		 * PNG filters then work on bytes, as PDF's predictor does */
		size_t row = ((size_t)img->width * LM_ALPHA_BITS + 7) / 8;
		unsigned char *packed = lm_xcalloc(row * img->height + 1, 1);
		for (size_t y = 0; y < img->height; y++)
			for (size_t x = 0; x < img->width; x++) {
				unsigned a = alpha[y * img->width + x];
				unsigned q = (a * 15 + 127) / 255;
				packed[y * row + x / 2] |= (unsigned char)(x % 2 ? q : q << 4);
			}
		rc = deflate_into(packed, (unsigned)row, img->height, 1, &img->zalpha, &img->zalpha_len);
		free(packed);
	}
	free(color);
	free(alpha);
	if (rc)
		return lm_diag_set(d, where, line, col, "cannot compress image '%s'", img->path);
	return 0;
}

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
	unsigned char *pixels = lm_xmalloc(size);
	int ok = png_image_finish_read(&pi, NULL, pixels, 0, NULL);
	if (!ok) {
		free(pixels);
		return lm_diag_set(d, where, line, col, "image '%s' is damaged (%s); export it again as PNG",
				   img->path, pi.message);
	}
	img->width = pi.width;
	img->height = pi.height;
	img->kind = LM_IMAGE_PNG;
	int rc = prepare(img, pixels, where, line, col, d);
	free(pixels);
	return rc;
}

/* libjpeg reports a fatal error through error_exit and damage it can
 * paper over (a file cut short, bytes that make no sense) as a warning,
 * drawing grey where the data ran out.  Both stop the decode here: a
 * signature drawn half grey is not a signature. */
struct jpeg_fail {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
};

static void jpeg_fail_exit(j_common_ptr c)
{
	struct jpeg_fail *f = (struct jpeg_fail *)c->err;
	c->err->format_message(c, f->msg);
	longjmp(f->jump, 1);
}

static void jpeg_fail_message(j_common_ptr c, int level)
{
	if (level < 0) /* a warning: the data is damaged */
		jpeg_fail_exit(c);
}

/* Decodes the whole JPEG (libjpeg-turbo), a row at a time, and keeps its
 * bytes: what is embedded is what was checked. */
static int check_jpeg(struct lm_image *img, const char *where, int line, int col, struct lm_diag *d)
{
	struct lm_buf bytes = LM_BUF_INIT;
	struct lm_diag rd;
	if (lm_read_file_as(img->path, LM_CAP_IMAGE, "image", &bytes, &rd)) {
		lm_buf_release(&bytes);
		return lm_diag_setk(d, rd.kind, where, line, col, "cannot use image '%s': %s", img->path, rd.msg);
	}
	struct jpeg_decompress_struct j;
	struct jpeg_fail f;
	unsigned char *volatile row = NULL;
	int rc = -1;
	memset(&j, 0, sizeof(j));
	j.err = jpeg_std_error(&f.mgr);
	f.mgr.error_exit = jpeg_fail_exit;
	f.mgr.emit_message = jpeg_fail_message;
	f.msg[0] = '\0';
	if (setjmp(f.jump)) {
		lm_diag_set(d, where, line, col, "image '%s' is a damaged JPEG (%s); export it again as PNG or JPEG",
			    img->path, f.msg);
		goto out;
	}
	jpeg_create_decompress(&j);
	jpeg_mem_src(&j, (const unsigned char *)bytes.ptr, (unsigned long)bytes.len);
	if (jpeg_read_header(&j, TRUE) != JPEG_HEADER_OK) {
		lm_diag_set(d, where, line, col, "image '%s' holds no picture; export it again as PNG or JPEG",
			    img->path);
		goto out;
	}
	if (j.image_width > LM_IMAGE_MAX_SIDE || j.image_height > LM_IMAGE_MAX_SIDE) {
		lm_diag_set(d, where, line, col, "image '%s' is %ux%u pixels, larger than %u on a side; scale it down",
			    img->path, j.image_width, j.image_height, LM_IMAGE_MAX_SIDE);
		goto out;
	}
	if (j.num_components != 1 && j.num_components != 3 && j.num_components != 4) {
		lm_diag_set(d, where, line, col, "image '%s' has %d colour channels; export it again as PNG",
			    img->path, j.num_components);
		goto out;
	}
	img->width = j.image_width;
	img->height = j.image_height;
	img->components = j.num_components;
	j.out_color_space = j.jpeg_color_space; /* no conversion: only that it decodes */
	jpeg_start_decompress(&j);
	row = lm_xmalloc((size_t)j.output_width * (size_t)j.output_components);
	while (j.output_scanline < j.output_height) {
		JSAMPROW r = row;
		jpeg_read_scanlines(&j, &r, 1);
	}
	jpeg_finish_decompress(&j);
	img->kind = LM_IMAGE_JPEG;
	img->jpeg = (unsigned char *)lm_buf_detach(&bytes, &img->jpeg_len);
	rc = 0;
out:
	jpeg_destroy_decompress(&j);
	free(row);
	lm_buf_release(&bytes);
	return rc;
}

int lm_image_load(struct lm_image *img, const char *path, const char *where, int line, int col,
		  struct lm_diag *d)
{
	memset(img, 0, sizeof(*img));
	img->path = lm_xstrdup(path);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		lm_diag_setk(d, lm_diag_errno_kind(errno), where, line, col, "cannot open image '%s': %s",
			     path, strerror(errno));
		goto fail;
	}
	unsigned char magic[8] = { 0 };
	size_t got = fread(magic, 1, sizeof(magic), fp);
	int rc;
	if (got == 8 && !png_sig_cmp(magic, 0, 8)) {
		fclose(fp);
		rc = check_png(img, where, line, col, d);
	} else if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
		fclose(fp);
		rc = check_jpeg(img, where, line, col, d);
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
	free(img->zcolor);
	free(img->zalpha);
	free(img->jpeg);
	memset(img, 0, sizeof(*img));
}
