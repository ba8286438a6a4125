#include "font.h"
#include "shape.h"

#include "buf.h"
#include "utf8.h"

#include <errno.h>
#include <hb.h>
#include <linebreak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* The font in the TrueType file at `path`, unscaled (advances come back in
 * font design units); NULL when it cannot be read or holds no glyphs. */
static hb_font_t *open_font(const char *path)
{
	hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
	hb_face_t *face = blob ? hb_face_create(blob, 0) : NULL;
	if (blob)
		hb_blob_destroy(blob);
	if (!face || hb_face_get_glyph_count(face) == 0) {
		if (face)
			hb_face_destroy(face);
		return NULL;
	}
	hb_font_t *font = hb_font_create(face);
	hb_face_destroy(face);
	unsigned upem = hb_face_get_upem(hb_font_get_face(font));
	hb_font_set_scale(font, (int)upem, (int)upem);
	return font;
}

int lm_fonts_load(struct lm_fonts *f, const char *dir, struct lm_diag *d)
{
	init_linebreak(); /* libunibreak's tables, before the first paragraph */
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
		hb_font_t *font = open_font(path.ptr);
		if (!font) {
			lm_diag_set(d, path.ptr, 0, 0, "'%s' is not a TrueType font", face_file[i]);
			lm_buf_release(&path);
			return -1;
		}
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
	for (int i = 0; i < LM_FONTS_MAX; i++) {
		free(f->path[i]);
		if (f->face[i])
			hb_font_destroy(f->face[i]);
	}
	for (int i = 0; i < LM_FACES; i++) {
		free(f->width[i]);
		free(f->has[i]);
	}
	free(f->noto_dir);
	if (f->hbbuf)
		hb_buffer_destroy(f->hbbuf);
	for (int i = 0; i < f->nplans; i++)
		hb_shape_plan_destroy(f->plans[i].plan);
	if (f->memo && f->memo_free)
		f->memo_free(f->memo);
	lm_shape_memo_free(f->shaped);
	lm_fonts_init(f);
}

static const char *const fallback_file[LM_FALLBACKS] = {
	"NotoNaskhArabic", "NotoNastaliqUrdu", "NotoSansHebrew", "NotoSansBengali",
	"NotoSansGurmukhi", "NotoSansGujarati", "NotoSansDevanagari", "NotoSansTamil",
};

static const char *const font_name[LM_FONTS_MAX] = {
	"Liberation Sans", "Liberation Sans Bold", "Liberation Sans Italic", "Liberation Sans Bold Italic",
	"Noto Naskh Arabic", "Noto Naskh Arabic Bold", "Noto Nastaliq Urdu", "Noto Nastaliq Urdu Bold",
	"Noto Sans Hebrew", "Noto Sans Hebrew Bold", "Noto Sans Bengali", "Noto Sans Bengali Bold",
	"Noto Sans Gurmukhi", "Noto Sans Gurmukhi Bold", "Noto Sans Gujarati", "Noto Sans Gujarati Bold",
	"Noto Sans Devanagari", "Noto Sans Devanagari Bold", "Noto Sans Tamil", "Noto Sans Tamil Bold",
};

const char *lm_fonts_name(int font)
{
	return font >= 0 && font < LM_FONTS_MAX ? font_name[font] : "no font";
}

void *lm_fonts_get(struct lm_fonts *f, int font)
{
	if (font < 0 || font >= LM_FONTS_MAX)
		return NULL;
	if (f->face[font] || font < LM_FACES || f->tried[font])
		return f->face[font];
	f->tried[font] = 1;
	int fb = (font - LM_FACES) / 2, bold = (font - LM_FACES) % 2;
	struct lm_buf path = LM_BUF_INIT;
	lm_buf_addf(&path, "%s/%s-%s.ttf", f->noto_dir ? f->noto_dir : LM_NOTO_DIR, fallback_file[fb],
		    bold ? "Bold" : "Regular");
	hb_font_t *hf = access(path.ptr, R_OK) ? NULL : open_font(path.ptr);
	if (!hf) {
		lm_buf_release(&path);
		return NULL;
	}
	f->face[font] = hf;
	f->path[font] = lm_buf_detach(&path, NULL);
	return hf;
}

int lm_fonts_fallback_of(uint32_t cp, const char *lang)
{
	if (cp < 0x0590) /* Latin, Greek, Cyrillic, Armenian: the face's */
		return -1;
	switch (hb_unicode_script(hb_unicode_funcs_get_default(), cp)) {
	case HB_SCRIPT_ARABIC:
		return lang && (!strncasecmp(lang, "ur", 2) && (!lang[2] || lang[2] == '-')) ? LM_FB_NASTALIQ
											    : LM_FB_NASKH;
	case HB_SCRIPT_HEBREW:
		return LM_FB_HEBREW;
	case HB_SCRIPT_BENGALI:
		return LM_FB_BENGALI;
	case HB_SCRIPT_GURMUKHI:
		return LM_FB_GURMUKHI;
	case HB_SCRIPT_GUJARATI:
		return LM_FB_GUJARATI;
	case HB_SCRIPT_DEVANAGARI:
		return LM_FB_DEVANAGARI;
	case HB_SCRIPT_TAMIL:
		return LM_FB_TAMIL;
	default:
		return -1;
	}
}

int lm_fonts_pick(struct lm_fonts *f, enum lm_face face, uint32_t cp, const char *lang)
{
	int fb = lm_fonts_fallback_of(cp, lang);
	if (fb < 0)
		return lm_font_has_glyph(f, face, cp) ? (int)face : -1;
	int bold = face == LM_FACE_BOLD || face == LM_FACE_BOLD_ITALIC;
	int font = LM_FACES + 2 * fb + bold;
	hb_codepoint_t gid;
	hb_font_t *hf = lm_fonts_get(f, font);
	if (hf && hb_font_get_nominal_glyph(hf, cp, &gid) && gid)
		return font;
	return -1;
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
