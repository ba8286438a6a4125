/* test_shape.c - shaping (shape.c) and font fallback by script (font.c),
 * with the real fonts: Liberation Sans from fonts/, Noto from
 * fonts-noto-core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "font.h"
#include "shape.h"
#include "subset.h"
#include "buf.h"
#include "utf8.h"

#include <fribidi.h>

#ifndef LM_TEST_FONTS_DIR
#define LM_TEST_FONTS_DIR "fonts"
#endif

static struct lm_fonts fonts;

static int load_fonts(void **state)
{
	(void)state;
	struct lm_diag d;
	lm_fonts_init(&fonts);
	if (lm_fonts_load(&fonts, LM_TEST_FONTS_DIR, &d)) {
		fprintf(stderr, "cannot load fonts: %s: %s\n", d.file, d.msg);
		return -1;
	}
	return 0;
}

static int release_fonts(void **state)
{
	(void)state;
	lm_fonts_release(&fonts);
	return 0;
}

static struct lm_glyphs shape(int font, const char *s, int rtl, const char *lang)
{
	struct lm_glyphs g = { 0 };
	assert_int_equal(lm_shape(&fonts, font, s, strlen(s), 0, strlen(s), rtl, lang, &g), 0);
	return g;
}

/* "José" stored decomposed (e + U+0301) looks as the precomposed one: the
 * accent is no glyph of its own beside the e, but one glyph (or a mark of
 * no advance placed over it) in one cluster. */
static void test_combining_accent(void **state)
{
	(void)state;
	struct lm_glyphs pre = shape(LM_FACE_REGULAR, "Jos\xC3\xA9", 0, NULL);
	struct lm_glyphs dec = shape(LM_FACE_REGULAR, "Jose\xCC\x81", 0, NULL);
	assert_int_equal(lm_glyphs_advance(dec.v, dec.n), lm_glyphs_advance(pre.v, pre.n));
	size_t marks = 0;
	for (size_t i = 0; i < dec.n; i++) {
		if (dec.v[i].cluster == 3 && i > 0 && dec.v[i - 1].cluster == 3) {
			assert_int_equal(dec.v[i].ax, 0); /* a mark: placed, no advance */
			marks++;
		}
		assert_true(dec.v[i].gid != 0);
	}
	/* either composed to é's glyph, or e with one positioned mark */
	if (dec.n == pre.n)
		assert_int_equal(dec.v[3].gid, pre.v[3].gid);
	else
		assert_int_equal(marks, 1);
	/* a mark the font has no composed glyph for: e + U+0323 (dot below,
	 * no "ẹ" in the subset tested) is still one cluster, the dot placed */
	struct lm_glyphs dot = shape(LM_FACE_REGULAR, "e\xCC\xA3", 0, NULL);
	assert_true(dot.n >= 1);
	for (size_t i = 0; i < dot.n; i++)
		assert_int_equal(dot.v[i].cluster, 0);
	free(pre.v);
	free(dec.v);
	free(dot.v);
}

/* Default-ignorable characters give no glyph: no bar, no gap. */
static void test_ignorables_no_glyph(void **state)
{
	(void)state;
	static const char *const inv[] = {
		"\xE2\x80\x8B", /* ZWSP */        "\xE2\x80\x8C", /* ZWNJ */
		"\xE2\x80\x8D", /* ZWJ */         "\xE2\x81\xA0", /* WORD JOINER */
		"\xEF\xBB\xBF", /* BOM */         "\xE2\x80\x8E", /* LRM */
		"\xE2\x80\xAE", /* RLO */         "\xE2\x81\xA6", /* LRI */
		"\xC2\xAD",     /* soft hyphen */
	};
	struct lm_glyphs plain = shape(LM_FACE_REGULAR, "ab", 0, NULL);
	assert_int_equal(plain.n, 2);
	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++) {
		char s[16];
		snprintf(s, sizeof(s), "a%sb", inv[i]);
		struct lm_glyphs g = shape(LM_FACE_REGULAR, s, 0, NULL);
		if (g.n != 2)
			fail_msg("invisible character %zu gave %zu glyphs", i, g.n);
		assert_int_equal(g.v[0].gid, plain.v[0].gid);
		assert_int_equal(g.v[1].gid, plain.v[1].gid);
		assert_int_equal(lm_glyphs_advance(g.v, g.n), lm_glyphs_advance(plain.v, plain.n));
		assert_true(lm_is_default_ignorable(0x200B));
		free(g.v);
	}
	assert_false(lm_is_default_ignorable('a'));
	assert_false(lm_is_default_ignorable(0x0301));
	free(plain.v);
}

/* Kerning is on: "AV" is narrower than A and V apart. */
static void test_kerning(void **state)
{
	(void)state;
	struct lm_glyphs av = shape(LM_FACE_REGULAR, "AV", 0, NULL);
	struct lm_glyphs a = shape(LM_FACE_REGULAR, "A", 0, NULL);
	struct lm_glyphs v = shape(LM_FACE_REGULAR, "V", 0, NULL);
	assert_true(lm_glyphs_advance(av.v, av.n) < a.v[0].ax + v.v[0].ax);
	assert_int_equal(lm_font_char_width(&fonts, LM_FACE_REGULAR, 'A'), a.v[0].ax);
	free(av.v);
	free(a.v);
	free(v.v);
}

/* Arabic letters join: in a word, a letter's glyph is not its isolated
 * form; the run comes back in visual order (the first letter rightmost). */
static void test_arabic_joins(void **state)
{
	(void)state;
	int naskh = lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0633, NULL);
	assert_int_equal(naskh, LM_FACES + 2 * LM_FB_NASKH);
	const char *word = "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85"; /* سلام */
	struct lm_glyphs w = shape(naskh, word, 1, "ar");
	struct lm_glyphs sin = shape(naskh, "\xD8\xB3", 1, "ar");
	assert_true(w.n >= 3);
	/* visual order: the glyph of the first letter (cluster 0) is last */
	assert_int_equal(w.v[w.n - 1].cluster, 0);
	assert_true(w.v[w.n - 1].gid != sin.v[0].gid); /* initial form, not isolated */
	for (size_t i = 0; i < w.n; i++)
		assert_true(w.v[i].gid != 0);
	free(w.v);
	free(sin.v);
}

/* lm_shape keeps short runs it has shaped: the same run again is the
 * same glyphs, its clusters where this text has it; and the context is
 * part of what is kept, so a letter shaped alone is never given for the
 * same letter joined to its neighbours. */
static void shape_at(int font, const char *s, size_t start, size_t end, int rtl, const char *lang,
		     struct lm_glyphs *g)
{
	g->n = 0;
	assert_int_equal(lm_shape(&fonts, font, s, strlen(s), start, end, rtl, lang, g), 0);
}

static void test_memo_keeps_context(void **state)
{
	(void)state;
	int naskh = lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0633, NULL);
	const char *word = "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85"; /* سلام: lam (2..4) joins both sides */
	struct lm_glyphs g = { 0 }, alone = { 0 }, in_word = { 0 };
	for (int k = 0; k < 2; k++) { /* the second time from the memo */
		shape_at(naskh, "\xD9\x84", 0, 2, 1, "ar", &alone);
		shape_at(naskh, word, 2, 4, 1, "ar", &in_word);
		assert_int_equal(alone.n, 1);
		assert_int_equal(in_word.n, 1);
		assert_true(alone.v[0].gid != in_word.v[0].gid); /* isolated, not medial */
		assert_int_equal(in_word.v[0].cluster, 2);
	}
	/* a run whose 20 bytes of context match: kept, clusters moved */
	const char *a = "XXXXX0123456789abcdefghijThe Headteacher";
	const char *b = "ZZZZZZZZZZ0123456789abcdefghijThe Headteacher";
	shape_at(LM_FACE_REGULAR, a, 25, strlen(a), 0, NULL, &g);
	struct lm_glyphs first = { 0 };
	shape_at(LM_FACE_REGULAR, a, 25, strlen(a), 0, NULL, &first);
	shape_at(LM_FACE_REGULAR, b, 30, strlen(b), 0, NULL, &g);
	assert_int_equal(g.n, first.n);
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(g.v[i].gid, first.v[i].gid);
		assert_int_equal(g.v[i].ax, first.v[i].ax);
		assert_int_equal(g.v[i].cluster, first.v[i].cluster + 5);
	}
	/* appended after what the caller has */
	struct lm_glyphs two = { 0 };
	assert_int_equal(lm_shape(&fonts, LM_FACE_REGULAR, a, strlen(a), 25, strlen(a), 0, NULL, &two), 0);
	assert_int_equal(lm_shape(&fonts, LM_FACE_REGULAR, a, strlen(a), 25, strlen(a), 0, NULL, &two), 0);
	assert_int_equal(two.n, 2 * first.n);
	assert_int_equal(two.v[first.n].cluster, 25);
	free(g.v);
	free(alone.v);
	free(in_word.v);
	free(first.v);
	free(two.v);
}

/* Bengali: the vowel sign i is written before its consonant; shaping
 * reorders it (one cluster, the sign's glyph first). */
static void test_bengali_reorders(void **state)
{
	(void)state;
	int beng = lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0995, NULL);
	assert_int_equal(beng, LM_FACES + 2 * LM_FB_BENGALI);
	struct lm_glyphs k = shape(beng, "\xE0\xA6\x95", 0, "bn");        /* ক */
	struct lm_glyphs ki = shape(beng, "\xE0\xA6\x95\xE0\xA6\xBF", 0, "bn"); /* কি */
	assert_int_equal(ki.n, 2);
	assert_int_equal(ki.v[1].gid, k.v[0].gid);
	assert_true(ki.v[0].gid != k.v[0].gid);
	assert_int_equal(ki.v[0].cluster, 0);
	free(k.v);
	free(ki.v);
}

static void test_fallback_by_script(void **state)
{
	(void)state;
	/* Latin, Welsh, digits: Liberation Sans in the face asked for */
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 'A', NULL), LM_FACE_REGULAR);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_BOLD, 0x0175, "cy"), LM_FACE_BOLD); /* ŵ */
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_ITALIC, '7', NULL), LM_FACE_ITALIC);
	/* Arabic script: Naskh, Nastaliq for Urdu; bold where the face is */
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0627, "ar"), LM_FACES + 2 * LM_FB_NASKH);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_BOLD, 0x0627, "ar"), LM_FACES + 2 * LM_FB_NASKH + 1);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0627, "ur"), LM_FACES + 2 * LM_FB_NASTALIQ);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0627, "ur-PK"), LM_FACES + 2 * LM_FB_NASTALIQ);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0627, "uz"), LM_FACES + 2 * LM_FB_NASKH);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_BOLD_ITALIC, 0x05D1, "he"), LM_FACES + 2 * LM_FB_HEBREW + 1);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0A15, NULL), LM_FACES + 2 * LM_FB_GURMUKHI);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0A95, NULL), LM_FACES + 2 * LM_FB_GUJARATI);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0915, NULL), LM_FACES + 2 * LM_FB_DEVANAGARI);
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0B95, NULL), LM_FACES + 2 * LM_FB_TAMIL);
	/* no font has it: the caller reports it */
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x5F20, NULL), -1); /* 张 */
	assert_int_equal(lm_fonts_pick(&fonts, LM_FACE_REGULAR, 0x0E01, NULL), -1); /* ก */
	assert_string_equal(lm_fonts_name(LM_FACES + 2 * LM_FB_NASTALIQ), "Noto Nastaliq Urdu");
}

/* Without the Noto files, a fallback is no font (and the character is
 * reported by the caller), not a crash. */
static void test_fallback_missing(void **state)
{
	(void)state;
	struct lm_fonts f;
	struct lm_diag d;
	lm_fonts_init(&f);
	assert_int_equal(lm_fonts_load(&f, LM_TEST_FONTS_DIR, &d), 0);
	f.noto_dir = strdup("/nonexistent");
	assert_int_equal(lm_fonts_pick(&f, LM_FACE_REGULAR, 0x0627, "ar"), -1);
	assert_null(lm_fonts_get(&f, LM_FACES + 2 * LM_FB_NASKH));
	struct lm_glyphs g = { 0 };
	assert_int_equal(lm_shape(&f, LM_FACES, "x", 1, 0, 1, 0, NULL, &g), -1);
	lm_fonts_release(&f);
}

/* Shaped glyph ids map into the run's subset, ligature and joining forms
 * included (the subset keeps what shaping can give); a fallback face is
 * only subset when asked for. */
static void test_subset_maps_shaped_glyphs(void **state)
{
	(void)state;
	const char *text = "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 office";
	struct lm_cpset cps;
	lm_cpset_init(&cps);
	lm_cpset_add_utf8(&cps, text, strlen(text));
	struct lm_embed em;
	struct lm_diag d;
	lm_embed_init(&em);
	assert_int_equal(lm_embed_prepare(&em, &fonts, &cps, &d), 0);
	int naskh = LM_FACES + 2 * LM_FB_NASKH;
	assert_false(em.face[naskh].ready);
	const struct lm_embed_face *ef = lm_embed_face(&em, naskh, &d);
	assert_non_null(ef);
	struct lm_glyphs g = shape(naskh, "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 1, "ar");
	for (size_t i = 0; i < g.n; i++) {
		assert_true(g.v[i].gid < ef->norig);
		assert_true(ef->newgid[g.v[i].gid] > 0);
		assert_true(ef->newgid[g.v[i].gid] < ef->nglyphs);
	}
	free(g.v);
	g = shape(LM_FACE_REGULAR, "office", 0, "en");
	for (size_t i = 0; i < g.n; i++)
		assert_true(em.face[LM_FACE_REGULAR].newgid[g.v[i].gid] > 0);
	free(g.v);
	lm_embed_release(&em);
	lm_cpset_release(&cps);
}

/* How poppler's pdftotext reads a right-to-left line back (its
 * reorderText, as documented by its source): from the right, a run of
 * anything but Latin and digits reversed, then a run of anything but
 * right-to-left letters as it stands, and so on; U+200F counts as right to
 * left.  The marks themselves are left out of the result. */
static void read_back(const char *stored, struct lm_buf *out)
{
	uint32_t u[512];
	size_t n = 0;
	for (size_t i = 0, len = strlen(stored); i < len && n < 512;) {
		i += (size_t)lm_utf8_decode(stored + i, len - i, &u[n++]);
	}
	for (size_t i = n; i > 0;) {
		while (i > 0) { /* right to left: reversed */
			FriBidiCharType t = fribidi_get_bidi_type(u[i - 1]);
			if (t == FRIBIDI_TYPE_LTR || t == FRIBIDI_TYPE_EN || t == FRIBIDI_TYPE_AN)
				break;
			if (u[i - 1] != 0x200F)
				lm_utf8_add(out, u[i - 1]);
			i--;
		}
		size_t j = i;
		while (j > 0) {
			FriBidiCharType t = fribidi_get_bidi_type(u[j - 1]);
			if (t == FRIBIDI_TYPE_RTL || t == FRIBIDI_TYPE_AL || u[j - 1] == 0x200F)
				break;
			j--;
		}
		for (size_t k = j; k < i; k++)
			lm_utf8_add(out, u[k]);
		i = j;
	}
}

/* A right-to-left line's /ActualText reads back as written, punctuation
 * beside Latin and numbers included. */
static void test_extract_order(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"\xD7\x99\xD7\x9C\xD7\x93\xD7\x99\xD7\x9D (CSE). \xD7\x90\xD7\xA0\xD7\x95",
		"\xD7\xA9\xD7\x9C\xD7\xA0\xD7\x95, \xD7\x95\xD7\x9E\xD7\x9B\xD7\x99\xD7\xA8\xD7\x99\xD7\x9D",
		"\xD7\xA7\xD7\x95 \xD7\x99\xD7\xA9\xD7\x99\xD7\xA8: 0151 233 0476",
		"\xD8\xA7\xD9\x84\xD8\xAC\xD9\x86\xD8\xB3\xD9\x8A\xD8\x8C \xD8\xA3\xD9\x88 Colette O'Brien",
		"\xD9\x86\xD9\x8A\xD8\xA7\xD8\xA8\xD8\xA9\xD9\x8B",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct lm_buf b = LM_BUF_INIT, back = LM_BUF_INIT;
		lm_buf_adds(&b, lines[i]);
		lm_extract_order(&b);
		assert_true(strcmp(b.ptr, lines[i]) != 0); /* it is reordered */
		read_back(b.ptr, &back);
		assert_string_equal(back.ptr, lines[i]);
		lm_buf_release(&b);
		lm_buf_release(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combining_accent),
		cmocka_unit_test(test_ignorables_no_glyph),
		cmocka_unit_test(test_kerning),
		cmocka_unit_test(test_arabic_joins),
		cmocka_unit_test(test_memo_keeps_context),
		cmocka_unit_test(test_bengali_reorders),
		cmocka_unit_test(test_fallback_by_script),
		cmocka_unit_test(test_fallback_missing),
		cmocka_unit_test(test_subset_maps_shaped_glyphs),
		cmocka_unit_test(test_extract_order),
	};
	return cmocka_run_group_tests(tests, load_fonts, release_fonts);
}
