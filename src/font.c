#include "font.h"

#include "buf.h"
#include "utf8.h"

#include <errno.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const face_file[LM_FACES] = {
	"LiberationSans-Regular.ttf",
	"LiberationSans-Bold.ttf",
	"LiberationSans-Italic.ttf",
	"LiberationSans-BoldItalic.ttf",
};

void lm_fonts_init(struct lm_fonts *f)
{
	memset(f, 0, sizeof(*f));
}

int lm_fonts_load(struct lm_fonts *f, const char *dir, struct lm_diag *d)
{
	for (int i = 0; i < LM_FACES; i++) {
		struct lm_buf path = LM_BUF_INIT;
		lm_buf_addf(&path, "%s/%s", dir, face_file[i]);
		if (access(path.ptr, R_OK)) {
			lm_diag_setk(d, lm_diag_errno_kind(errno), path.ptr, 0, 0,
				    "cannot read font file: %s; run lettermerge from the project folder or pass --fonts DIR",
				    strerror(errno));
			lm_buf_release(&path);
			return -1;
		}
		hb_blob_t *blob = hb_blob_create_from_file_or_fail(path.ptr);
		hb_face_t *face = blob ? hb_face_create(blob, 0) : NULL;
		if (blob)
			hb_blob_destroy(blob);
		if (!face || hb_face_get_glyph_count(face) == 0) {
			if (face)
				hb_face_destroy(face);
			lm_diag_set(d, path.ptr, 0, 0, "'%s' is not a TrueType font", face_file[i]);
			lm_buf_release(&path);
			return -1;
		}
		hb_font_t *font = hb_font_create(face);
		hb_face_destroy(face);
		/* unscaled: advances come back in font design units */
		unsigned upem = hb_face_get_upem(hb_font_get_face(font));
		hb_font_set_scale(font, (int)upem, (int)upem);
		f->face[i] = font;
		f->path[i] = lm_buf_detach(&path, NULL);
		f->width[i] = lm_xmalloc(65536 * sizeof(int16_t));
		memset(f->width[i], 0xff, 65536 * sizeof(int16_t));
		f->has[i] = lm_xmalloc(65536);
		memset(f->has[i], 0xff, 65536);
	}
	return 0;
}

void lm_fonts_release(struct lm_fonts *f)
{
	for (int i = 0; i < LM_FACES; i++) {
		free(f->path[i]);
		if (f->face[i])
			hb_font_destroy(f->face[i]);
		free(f->width[i]);
		free(f->has[i]);
	}
	lm_fonts_init(f);
}

static int measure(struct lm_fonts *f, enum lm_face face, uint32_t cp)
{
	hb_font_t *font = f->face[face];
	hb_codepoint_t gid;
	if (!hb_font_get_nominal_glyph(font, cp, &gid))
		return 0;
	unsigned upem = hb_face_get_upem(hb_font_get_face(font));
	hb_position_t adv = hb_font_get_glyph_h_advance(font, gid);
	return (int)((long)adv * 1000 / (long)upem);
}

int lm_font_char_width(struct lm_fonts *f, enum lm_face face, uint32_t cp)
{
	if (cp < 65536) {
		int16_t *w = &f->width[face][cp];
		if (*w < 0)
			*w = (int16_t)measure(f, face, cp);
		return *w;
	}
	return measure(f, face, cp);
}

int lm_font_has_glyph(struct lm_fonts *f, enum lm_face face, uint32_t cp)
{
	hb_codepoint_t gid;
	if (cp < 65536 && f->has[face][cp] >= 0)
		return f->has[face][cp];
	int has = hb_font_get_nominal_glyph(f->face[face], cp, &gid) && gid != 0;
	if (cp < 65536)
		f->has[face][cp] = (int8_t)has;
	return has;
}

double lm_font_text_width(struct lm_fonts *f, enum lm_face face, const char *s,
			  size_t len, double size)
{
	long total = 0;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = lm_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			i++;
			continue;
		}
		total += lm_font_char_width(f, face, cp);
		i += (size_t)n;
	}
	return (double)total * size / 1000.0;
}
