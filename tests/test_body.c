/* body.c: the template's Markdown findings and its images, found in the
 * area's folder first, then beside the letter, loaded once a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "buf.h"
#include "letter.h"

#ifndef LM_TEST_BODY_DIR
#define LM_TEST_BODY_DIR "tests/body"
#endif

static void load_letter(struct lm_letter *l, struct lm_body *b, const char *name)
{
	struct lm_diag d;
	char path[512];
	snprintf(path, sizeof(path), "%s/letters/%s", LM_TEST_BODY_DIR, name);
	lm_diag_clear(&d);
	if (lm_letter_load(l, path, &d))
		fail_msg("%s: %s", path, d.msg);
	lm_body_init(b);
	assert_int_equal(lm_body_scan(b, l, &d), 0);
}

static void test_scan_finds_images_and_findings(void **state)
{
	(void)state;
	struct lm_letter l;
	struct lm_body b;
	load_letter(&l, &b, "body.md");
	/* crest.jpg, hubs.png, rule.png: each once, where first named */
	assert_int_equal(b.nrefs, 3);
	assert_string_equal(b.refs[0].src, "crest.jpg");
	assert_int_equal(b.refs[0].line, 5);
	assert_int_equal(b.refs[0].col, 1);
	assert_string_equal(b.refs[1].src, "hubs.png");
	assert_string_equal(b.refs[2].src, "rule.png");
	assert_int_equal(b.nfindings, 0); /* <br> in cells is the documented form */
	lm_body_release(&b);
	lm_letter_release(&l);

	/* the partial's findings name the partial */
	load_letter(&l, &b, "html.md");
	assert_int_equal(b.errors, 1);
	const struct lm_diag *last = &b.findings[b.nfindings - 1];
	assert_non_null(strstr(last->file, "partials/bits.md"));
	assert_int_equal(last->line, 5);
	assert_int_equal(last->col, 6);
	lm_body_release(&b);
	lm_letter_release(&l);
}

static void test_images_once_a_run(void **state)
{
	(void)state;
	struct lm_letter l;
	struct lm_body b;
	struct lm_diag d;
	load_letter(&l, &b, "body.md");
	struct lm_assets a1, a2;
	struct lm_body_images i1, i2;
	lm_assets_init(&a1);
	lm_assets_init(&a2);
	lm_body_images_init(&i1);
	lm_body_images_init(&i2);
	const char *area = LM_TEST_BODY_DIR "/areas/testshire";
	assert_int_equal(lm_body_images_load(&i1, &b, area, &a1, &d), 0);
	assert_int_equal(lm_body_images_load(&i2, &b, area, &a2, &d), 0);
	/* the crest is the area's own (in each area's assets); the map and
	 * the band lie beside the letter: decoded once for the run */
	assert_int_equal(a1.n, 1);
	assert_int_equal(a2.n, 1);
	assert_int_equal(b.shared.n, 2);
	assert_int_equal(i1.nall, 3);
	unsigned w, h;
	int m1 = lm_body_image_lookup(&i1, "hubs.png", &w, &h);
	int m2 = lm_body_image_lookup(&i2, "hubs.png", &w, &h);
	assert_true(m1 >= 1 && m2 >= 1);
	assert_int_equal(w, 450);
	assert_int_equal(h, 225);
	assert_ptr_equal(i1.all[m1].zcolor, i2.all[m2].zcolor); /* the same pixels */
	int c = lm_body_image_lookup(&i1, "crest.jpg", &w, &h);
	assert_int_equal(c, 0);
	assert_int_equal(w, 300);
	assert_int_equal(lm_body_image_lookup(&i1, "other.png", &w, &h), -1);
	lm_body_images_release(&i1);
	lm_body_images_release(&i2);
	lm_assets_release(&a1);
	lm_assets_release(&a2);
	lm_body_release(&b);
	lm_letter_release(&l);
}

static void test_image_not_found(void **state)
{
	(void)state;
	struct lm_letter l;
	struct lm_body b;
	struct lm_diag d;
	load_letter(&l, &b, "body.md");
	struct lm_assets a;
	struct lm_body_images bi;
	lm_assets_init(&a);
	lm_body_images_init(&bi);
	free(b.refs[1].src);
	b.refs[1].src = strdup("missing.png");
	assert_int_equal(lm_body_images_load(&bi, &b, LM_TEST_BODY_DIR "/areas/testshire", &a, &d), -1);
	assert_non_null(strstr(d.file, "body.md"));
	assert_non_null(strstr(d.msg, "image 'missing.png' not found"));
	lm_body_images_release(&bi);
	lm_assets_release(&a);
	lm_body_release(&b);
	lm_letter_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_finds_images_and_findings),
		cmocka_unit_test(test_images_once_a_run),
		cmocka_unit_test(test_image_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
