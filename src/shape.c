#include "shape.h"

#include "buf.h"

#include <hb.h>
#include <stdlib.h>
#include <string.h>

int lm_is_default_ignorable(uint32_t cp)
{
	/* DerivedCoreProperties.txt, Default_Ignorable_Code_Point */
	return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 ||
	       cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
	       (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
	       (cp >= 0xE0000 && cp <= 0xE0FFF);
}

long lm_glyphs_advance(const struct lm_glyph *g, size_t n)
{
	long w = 0;
	for (size_t i = 0; i < n; i++)
		w += g[i].ax;
	return w;
}

int lm_shape(struct lm_fonts *f, int font, const char *text, size_t len, size_t start, size_t end,
	     int rtl, const char *lang, struct lm_glyphs *out)
{
	hb_font_t *hf = lm_fonts_get(f, font);
	if (!hf)
		return -1;
	if (end <= start)
		return 0;
	hb_buffer_t *buf = hb_buffer_create();
	hb_buffer_add_utf8(buf, text, (int)len, (unsigned)start, (int)(end - start));
	hb_buffer_set_direction(buf, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	if (lang && *lang)
		hb_buffer_set_language(buf, hb_language_from_string(lang, -1));
	hb_buffer_guess_segment_properties(buf);
	/* no glyph for what must not show; a paragraph's own edges are not
	 * the text's: context outside [start, end) joins, it is not drawn */
	hb_buffer_set_flags(buf, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
	hb_shape(hf, buf, NULL, 0);
	unsigned n = 0;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
	long upem = (long)hb_face_get_upem(hb_font_get_face(hf));
	LM_ALLOC_GROW(out->v, out->n + n, out->alloc);
	for (unsigned i = 0; i < n; i++) {
		struct lm_glyph *g = &out->v[out->n++];
		g->gid = info[i].codepoint;
		g->cluster = info[i].cluster;
		g->ax = (int32_t)((long)pos[i].x_advance * 1000 / upem);
		/* offsets rounded: a mark a thousandth of an em off is no matter */
		long dx = (long)pos[i].x_offset * 1000, dy = (long)pos[i].y_offset * 1000;
		g->dx = (int32_t)((dx + (dx < 0 ? -upem / 2 : upem / 2)) / upem);
		g->dy = (int32_t)((dy + (dy < 0 ? -upem / 2 : upem / 2)) / upem);
	}
	hb_buffer_destroy(buf);
	return 0;
}

double lm_shape_width(struct lm_fonts *f, enum lm_face face, const char *s, size_t len, double size)
{
	struct lm_glyphs g = { 0 };
	lm_shape(f, (int)face, s, len, 0, len, 0, NULL, &g);
	long w = lm_glyphs_advance(g.v, g.n);
	free(g.v);
	return (double)w * size / 1000.0;
}
