/* test_font.c - font widths (font.c).
 *
 * The fonts folder comes from argv[1] or, failing that, LM_TEST_FONTS_DIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "font.h"
#include "subset.h"

#ifndef LM_TEST_FONTS_DIR
#define LM_TEST_FONTS_DIR "fonts"
#endif

static const char *fonts_dir = LM_TEST_FONTS_DIR;

static const char *const face_file[LM_FACES] = {
	"LiberationSans-Regular.ttf",
	"LiberationSans-Bold.ttf",
	"LiberationSans-Italic.ttf",
	"LiberationSans-BoldItalic.ttf",
};

static int setup_fonts(void **state)
{
	struct lm_fonts *f = malloc(sizeof(*f));
	struct lm_diag d;
	if (!f)
		return -1;
	lm_fonts_init(f);
	lm_diag_clear(&d);
	if (lm_fonts_load(f, fonts_dir, &d)) {
		fprintf(stderr, "cannot load fonts from %s: %s: %s\n", fonts_dir, d.file, d.msg);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown_fonts(void **state)
{
	struct lm_fonts *f = *state;
	lm_fonts_release(f);
	free(f);
	return 0;
}

static void test_load_paths(void **state)
{
	struct lm_fonts *f = *state;
	for (int i = 0; i < LM_FACES; i++) {
		char want[4096];
		snprintf(want, sizeof(want), "%s/%s", fonts_dir, face_file[i]);
		assert_non_null(f->path[i]);
		assert_string_equal(f->path[i], want);
		assert_non_null(f->face[i]);
	}
}

/* Our widths must be those the PDF declares for the glyphs (the /W array
 * comes from the subset, subset.c) to the last bit, or lines overrun. */
static void test_widths_match_embedded(void **state)
{
	struct lm_fonts *f = *state;
	static const char *const samples[] = {
		"Hello, World",
		"Colette\xE2\x80\x99s letter \xE2\x80\x93 \xC2\xA3" "12.50",
		"Gwasanaeth y Cyngor: \xC5\xB5 \xC5\xB7 t\xC5\xB7 d\xC5\xB5r",
		"The quick brown fox jumps over the lazy dog 0123456789",
		"WAVE AV To. fi fl",
		"",
	};
	static const double sizes[] = { 11.0, 9.5, 24.0 };
	struct lm_cpset cps;
	lm_cpset_init(&cps);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		lm_cpset_add_utf8(&cps, samples[i], strlen(samples[i]));
	struct lm_embed em;
	lm_embed_init(&em);
	struct lm_diag d;
	assert_int_equal(lm_embed_prepare(&em, f, &cps, &d), 0);
	for (int face = 0; face < LM_FACES; face++) {
		const struct lm_embed_face *ef = &em.face[face];
		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
			const char *s = samples[i];
			long units = 0;
			for (size_t k = 0; k < strlen(s);) {
				uint32_t cp;
				int n = lm_utf8_decode(s + k, strlen(s) - k, &cp);
				assert_true(n > 0);
				unsigned gid = ef->gid[cp];
				assert_true(gid > 0 && gid < ef->nglyphs);
				units += ef->widths[gid];
				k += (size_t)n;
			}
			for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
				double want = (double)units * sizes[k] / 1000.0;
				double got = lm_font_text_width(f, (enum lm_face)face, s, strlen(s), sizes[k]);
				if (fabs(got - want) > 1e-6)
					fail_msg("face %d, \"%s\" at %.1f pt: ours %.6f, embedded %.6f",
						 face, s, sizes[k], got, want);
			}
		}
	}
	lm_embed_release(&em);
	lm_cpset_release(&cps);
}

static void test_known_widths(void **state)
{
	struct lm_fonts *f = *state;
	/* Liberation Sans is metric-compatible with Arial */
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, ' '), 277);
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, 'W'), 943);
	assert_int_equal(lm_font_char_width(f, LM_FACE_BOLD, 'W'), 943);
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, '0'), 556);
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, 'i'), 222);
	assert_int_equal(lm_font_char_width(f, LM_FACE_BOLD, 'i'), 277);
	/* a second call comes from the cache and agrees */
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, 'W'), 943);
	/* missing glyphs measure 0 */
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, 0x4E00), 0);
	assert_int_equal(lm_font_char_width(f, LM_FACE_REGULAR, 0x1F600), 0);
	/* "iW" at 10 pt = (222 + 943) * 10 / 1000 */
	assert_true(fabs(lm_font_text_width(f, LM_FACE_REGULAR, "iW", 2, 10.0) - 11.65) < 1e-9);
	/* invalid bytes are skipped, not measured */
	assert_true(fabs(lm_font_text_width(f, LM_FACE_REGULAR, "i\xFFW", 3, 10.0) - 11.65) < 1e-9);
	assert_true(lm_font_text_width(f, LM_FACE_REGULAR, "", 0, 10.0) == 0.0);
}

static void test_has_glyph(void **state)
{
	struct lm_fonts *f = *state;
	for (int face = 0; face < LM_FACES; face++) {
		assert_true(lm_font_has_glyph(f, (enum lm_face)face, 0x0175));   /* ŵ */
		assert_true(lm_font_has_glyph(f, (enum lm_face)face, 0x0177));   /* ŷ */
		assert_true(lm_font_has_glyph(f, (enum lm_face)face, 0x2019));   /* ’ */
		assert_true(lm_font_has_glyph(f, (enum lm_face)face, 0x00A3));   /* £ */
		assert_true(lm_font_has_glyph(f, (enum lm_face)face, 'A'));
		assert_false(lm_font_has_glyph(f, (enum lm_face)face, 0x4E00));  /* 一 */
		assert_false(lm_font_has_glyph(f, (enum lm_face)face, 0x1F600)); /* an emoji */
	}
	assert_true(lm_font_char_width(f, LM_FACE_REGULAR, 0x0175) > 0);
}

static void test_missing_dir(void **state)
{
	(void)state;
	struct lm_fonts f;
	struct lm_diag d;
	lm_fonts_init(&f);
	lm_diag_clear(&d);
	assert_int_equal(lm_fonts_load(&f, "/nonexistent/lm-fonts", &d), -1);
	assert_string_equal(d.file, "/nonexistent/lm-fonts/LiberationSans-Regular.ttf");
	assert_int_equal(d.line, 0);
	assert_string_equal(d.msg,
			    "cannot read font file: No such file or directory; run lettermerge "
			    "from the project folder or pass --fonts DIR");
	lm_fonts_release(&f);
	for (int i = 0; i < LM_FACES; i++) {
		assert_null(f.path[i]);
		assert_null(f.face[i]);
	}
}

static void test_not_a_font(void **state)
{
	(void)state;
	char dir[512];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/lm-test-font-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	char path[1024];
	/* Regular is real (a copy), Bold is junk */
	snprintf(path, sizeof(path), "%s/%s", dir, face_file[0]);
	{
		char src[4096];
		snprintf(src, sizeof(src), "%s/%s", fonts_dir, face_file[0]);
		FILE *in = fopen(src, "rb"), *out = fopen(path, "wb");
		assert_non_null(in);
		assert_non_null(out);
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			assert_int_equal(fwrite(buf, 1, n, out), n);
		fclose(in);
		fclose(out);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, face_file[1]);
	FILE *junk = fopen(path, "wb");
	assert_non_null(junk);
	fputs("this is not a font\n", junk);
	fclose(junk);

	struct lm_fonts f;
	struct lm_diag d;
	lm_fonts_init(&f);
	lm_diag_clear(&d);
	assert_int_equal(lm_fonts_load(&f, dir, &d), -1);
	assert_string_equal(d.file, path);
	assert_string_equal(d.msg, "'LiberationSans-Bold.ttf' is not a TrueType font");
	lm_fonts_release(&f); /* frees the face that did load */

	remove(path);
	snprintf(path, sizeof(path), "%s/%s", dir, face_file[0]);
	remove(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fonts_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_paths, setup_fonts, teardown_fonts),
		cmocka_unit_test_setup_teardown(test_widths_match_embedded, setup_fonts,
						teardown_fonts),
		cmocka_unit_test_setup_teardown(test_known_widths, setup_fonts, teardown_fonts),
		cmocka_unit_test_setup_teardown(test_has_glyph, setup_fonts, teardown_fonts),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_not_a_font),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
