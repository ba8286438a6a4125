#include "shape.h"

#include "buf.h"
#include "utf8.h"

#include <fribidi.h>
#include <hb.h>
#include <stdlib.h>
#include <string.h>

long lm_glyphs_advance(const struct lm_glyph *g, size_t n)
{
	long w = 0;
	for (size_t i = 0; i < n; i++)
		w += g[i].ax;
	return w;
}

/* Runs shaped before, keyed by everything HarfBuzz is given for them: the
 * font, the direction, the language, the run's bytes and up to
 * CONTEXT_BYTES of the text each side (it reads at most 5 characters of
 * context, 20 bytes at most).  The lines of an address come back letter
 * after letter ("The Headteacher", a town), and HarfBuzz costs about 17 K
 * instructions a line.  Direct-mapped and bounded: a slot's new run
 * takes the place of the old. */
#define MEMO_SLOTS 512
#define MEMO_MAX_RUN 96   /* bytes; longer runs are shaped every time */
#define CONTEXT_BYTES 20

struct memo_slot {
	unsigned char *key;    /* malloc-owned, with the glyphs after it */
	size_t keylen;
	struct lm_glyph *g;    /* clusters from the run's start */
	size_t n;
};

struct shape_memo {
	struct memo_slot slot[MEMO_SLOTS];
};

void lm_shape_memo_free(void *memo)
{
	struct shape_memo *m = memo;
	if (!m)
		return;
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		free(m->slot[i].key);
	free(m);
}

static void key_add(unsigned char *key, size_t *n, const void *p, size_t len)
{
	uint32_t l = (uint32_t)len;
	memcpy(key + *n, &l, sizeof(l));
	memcpy(key + *n + sizeof(l), p, len);
	*n += sizeof(l) + len;
}

static int shape_run(hb_font_t *hf, struct lm_fonts *f, int font, const char *text, size_t len,
		     size_t start, size_t end, int rtl, const char *lang, struct lm_glyphs *out);

int lm_shape(struct lm_fonts *f, int font, const char *text, size_t len, size_t start, size_t end,
	     int rtl, const char *lang, struct lm_glyphs *out)
{
	hb_font_t *hf = lm_fonts_get(f, font);
	if (!hf)
		return -1;
	if (end <= start)
		return 0;
	if (end - start > MEMO_MAX_RUN)
		return shape_run(hf, f, font, text, len, start, end, rtl, lang, out);
	size_t a = start > CONTEXT_BYTES ? start - CONTEXT_BYTES : 0;
	size_t b = len - end > CONTEXT_BYTES ? end + CONTEXT_BYTES : len;
	size_t llen = lang ? strlen(lang) : 0;
	if (llen > 64)
		return shape_run(hf, f, font, text, len, start, end, rtl, lang, out);
	unsigned char key[2 * sizeof(int) + 4 * sizeof(uint32_t) + 64 + 2 * CONTEXT_BYTES + MEMO_MAX_RUN];
	size_t kn = 0;
	memcpy(key, &font, sizeof(font)), kn += sizeof(font);
	memcpy(key + kn, &rtl, sizeof(rtl)), kn += sizeof(rtl);
	key_add(key, &kn, lang ? lang : "", llen);
	key_add(key, &kn, text + a, start - a);
	key_add(key, &kn, text + start, end - start);
	key_add(key, &kn, text + end, b - end);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < kn; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	if (!f->shaped)
		f->shaped = lm_xcalloc(1, sizeof(struct shape_memo));
	struct memo_slot *s = &((struct shape_memo *)f->shaped)->slot[h % MEMO_SLOTS];
	if (s->key && s->keylen == kn && !memcmp(s->key, key, kn)) {
		LM_ALLOC_GROW(out->v, out->n + s->n, out->alloc);
		for (size_t i = 0; i < s->n; i++) {
			out->v[out->n + i] = s->g[i];
			out->v[out->n + i].cluster += (uint32_t)start;
		}
		out->n += s->n;
		return 0;
	}
	size_t n0 = out->n;
	int rc = shape_run(hf, f, font, text, len, start, end, rtl, lang, out);
	if (rc)
		return rc;
	free(s->key);
	size_t n = out->n - n0;
	/* the glyphs after the key, aligned for them */
	size_t goff = (kn + _Alignof(struct lm_glyph) - 1) / _Alignof(struct lm_glyph) * _Alignof(struct lm_glyph);
	s->key = lm_xmalloc(goff + (n ? n : 1) * sizeof(struct lm_glyph));
	memcpy(s->key, key, kn);
	s->keylen = kn;
	s->g = (struct lm_glyph *)(void *)(s->key + goff);
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		s->g[i] = out->v[n0 + i];
		s->g[i].cluster -= (uint32_t)start;
	}
	return 0;
}

static int shape_run(hb_font_t *hf, struct lm_fonts *f, int font, const char *text, size_t len,
		     size_t start, size_t end, int rtl, const char *lang, struct lm_glyphs *out)
{
	/* one buffer for the run, cleared between uses */
	if (!f->hbbuf)
		f->hbbuf = hb_buffer_create();
	hb_buffer_t *buf = f->hbbuf;
	hb_buffer_clear_contents(buf);
	hb_buffer_add_utf8(buf, text, (int)len, (unsigned)start, (int)(end - start));
	hb_buffer_set_direction(buf, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	if (lang && *lang)
		hb_buffer_set_language(buf, hb_language_from_string(lang, -1));
	hb_buffer_guess_segment_properties(buf);
	/* no glyph for what must not show; a paragraph's own edges are not
	 * the text's: context outside [start, end) joins, it is not drawn */
	hb_buffer_set_flags(buf, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
	/* the plan for this font and segment: HarfBuzz's own cache works out
	 * its key (feature variations and all) on every call */
	hb_segment_properties_t props;
	hb_buffer_get_segment_properties(buf, &props);
	hb_shape_plan_t *plan = NULL;
	for (int i = 0; i < f->nplans && !plan; i++)
		if (f->plans[i].font == font && f->plans[i].dir == (int)props.direction &&
		    f->plans[i].script == (unsigned)props.script && f->plans[i].lang == (const void *)props.language)
			plan = f->plans[i].plan;
	if (!plan) {
		plan = hb_shape_plan_create_cached(hb_font_get_face(hf), &props, NULL, 0, NULL);
		if (f->nplans < (int)(sizeof(f->plans) / sizeof(f->plans[0])))
			f->plans[f->nplans++] = (struct lm_plan){ plan, font, (int)props.direction,
								  (unsigned)props.script, props.language };
		else
			hb_shape_plan_destroy(plan), plan = NULL;
	}
	if (!plan || !hb_shape_plan_execute(plan, hf, buf, NULL, 0))
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

/* For lm_extract_order: 1 Latin or a digit, 2 right to left, 0 neither. */
static int extract_class(uint32_t cp)
{
	FriBidiCharType t = fribidi_get_bidi_type(cp);
	if (t == FRIBIDI_TYPE_LTR || t == FRIBIDI_TYPE_EN || t == FRIBIDI_TYPE_AN)
		return 1;
	if (t == FRIBIDI_TYPE_RTL || t == FRIBIDI_TYPE_AL)
		return 2;
	return 0;
}

void lm_extract_order(struct lm_buf *text)
{
	size_t cap = text->len + 1, n = 0;
	uint32_t *u = lm_xmalloc(cap * sizeof(*u));
	for (size_t i = 0; i < text->len;) {
		int k = lm_utf8_decode(text->ptr + i, text->len - i, &u[n]);
		if (!k)
			k = 1, u[n] = 0xFFFD;
		i += (size_t)k;
		if (!lm_is_default_ignorable(u[n]))
			n++;
	}
	/* each character's side: Latin and digits, with the punctuation
	 * and spaces between two of them, read as they stand; the rest right
	 * to left; a mark goes with its letter */
	unsigned char *side = lm_xmalloc(n + 1);
	int prev = 2;
	for (size_t i = 0; i < n; i++) {
		int c = extract_class(u[i]);
		if (fribidi_get_bidi_type(u[i]) == FRIBIDI_TYPE_NSM) {
			side[i] = i ? side[i - 1] : 2;
			continue;
		}
		if (c) {
			side[i] = (unsigned char)c;
			prev = c;
			continue;
		}
		int next = 2;
		for (size_t j = i + 1; j < n; j++)
			if ((next = extract_class(u[j])))
				break;
		side[i] = prev == 1 && next == 1 ? 1 : 2;
	}
	/* the runs of each side, last first; a right-to-left run reversed,
	 * a RIGHT-TO-LEFT MARK at its start and after each of its marks of
	 * punctuation */
	struct lm_buf out = LM_BUF_INIT;
	for (size_t end = n; end > 0;) {
		size_t start = end;
		while (start > 0 && side[start - 1] == side[end - 1])
			start--;
		if (side[end - 1] == 1) {
			for (size_t i = start; i < end; i++)
				lm_utf8_add(&out, u[i]);
		} else {
			for (size_t i = end; i-- > start;) {
				FriBidiCharType t = fribidi_get_bidi_type(u[i]);
				if (!extract_class(u[i]) && t != FRIBIDI_TYPE_NSM && t != FRIBIDI_TYPE_WS)
					lm_utf8_add(&out, 0x200F);
				lm_utf8_add(&out, u[i]);
			}
			lm_utf8_add(&out, 0x200F);
		}
		end = start;
	}
	lm_buf_reset(text);
	lm_buf_add(text, out.ptr ? out.ptr : "", out.len);
	lm_buf_release(&out);
	free(side);
	free(u);
}
