/* test_lang.c - language tags, requests, the frame's words per language and
 * area fields read in a letter's language (lang.c); a translation's tag in
 * its file name (translation.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lang.h"
#include "translation.h"
#include "value.h"

static void test_valid(void **state)
{
	(void)state;
	const char *good[] = { "cy", "en-GB", "pa-Guru", "zh-Hant-HK", "CY", "ast", "pt-BR" };
	const char *bad[] = { "", "c", "welsh", "cy-", "cy--GB", "1y", "cy_GB", "en-toolongsubtag", "cy GB", NULL };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(lm_lang_valid(good[i]));
	for (size_t i = 0; bad[i]; i++)
		assert_false(lm_lang_valid(bad[i]));
	assert_false(lm_lang_valid(NULL));
}

static void test_same(void **state)
{
	(void)state;
	assert_true(lm_lang_same("en", "en-GB"));
	assert_true(lm_lang_same("CY", "cy-GB"));
	assert_false(lm_lang_same("cy", "en-GB"));
	assert_false(lm_lang_same("cy", NULL));
	char p[4];
	lm_lang_primary("Pt-BR", p);
	assert_string_equal(p, "pt");
}

static void test_request(void **state)
{
	(void)state;
	struct lm_lang_request r;
	assert_int_equal(lm_lang_request_parse("cy+en", &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.tags[0], "cy");
	assert_string_equal(r.tags[1], "en");
	assert_int_equal(lm_lang_request_parse(" Welsh + English ", &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.tags[0], "cy");
	assert_string_equal(r.tags[1], "en");
	assert_int_equal(lm_lang_request_parse("ur", &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(lm_lang_request_parse("cymraeg", &r), 0);
	assert_string_equal(r.tags[0], "cy");
	/* not a language, empty parts, a language twice, too many */
	assert_int_equal(lm_lang_request_parse("Klingon!", &r), -1);
	assert_int_equal(lm_lang_request_parse("", &r), -1);
	assert_int_equal(lm_lang_request_parse("cy+", &r), -1);
	assert_int_equal(lm_lang_request_parse("cy+cy-GB", &r), -1);
	assert_int_equal(lm_lang_request_parse("cy+en+pl+ur", &r), -1);
	assert_int_equal(lm_lang_request_parse(NULL, &r), -1);
}

static void test_text(void **state)
{
	(void)state;
	assert_string_equal(lm_lang_text("cy", LM_TEXT_SALUTATION), "Annwyl Riant/Gofalwr,");
	assert_string_equal(lm_lang_text("cy-GB", LM_TEXT_CLOSING), "Yn gywir,");
	assert_string_equal(lm_lang_text("en-GB", LM_TEXT_SALUTATION), "Dear Parent/Carer,");
	assert_string_equal(lm_lang_text(NULL, LM_TEXT_CLOSING), "Yours sincerely,");
	assert_string_equal(lm_lang_text("cy", LM_TEXT_PAGE), "Tudalen");
	assert_null(lm_lang_text("pl", LM_TEXT_SALUTATION));
	assert_true(lm_lang_logo_first("cy"));
	assert_false(lm_lang_logo_first("en"));
}

static struct lm_value *contact(struct lm_arena *a, const char *id, const char *service,
				const char *service_cy)
{
	struct lm_value *m = lm_value_map(a);
	lm_value_set(a, m, "id", lm_value_strz(a, id));
	lm_value_set(a, m, "service", lm_value_strz(a, service));
	if (service_cy)
		lm_value_set(a, m, "service_cy", lm_value_strz(a, service_cy));
	lm_value_set(a, m, "phone", lm_value_strz(a, "01248 752733"));
	return m;
}

static void test_localise(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *ctx = lm_value_map(a), *area = lm_value_map(a), *contacts = lm_value_list(a);
	lm_value_set(a, area, "organisation", lm_value_strz(a, "Ynys Test County Council"));
	lm_value_set(a, area, "organisation_cy", lm_value_strz(a, "Cyngor Sir Ynys Test"));
	lm_value_set(a, area, "name", lm_value_strz(a, "Ynys Test"));
	lm_value_set(a, area, "name_cy", lm_value_strz(a, "")); /* empty: not a variant */
	struct lm_value *hub = contact(a, "hub", "Children's Hub", "Hwb Plant");
	struct lm_value *web = contact(a, "web", "Website", NULL);
	lm_value_push(a, contacts, hub);
	lm_value_push(a, contacts, web);
	lm_value_set(a, ctx, "area", area);
	lm_value_set(a, ctx, "contacts", contacts);

	struct lm_value *cy = lm_value_localise(a, ctx, "cy-GB");
	assert_ptr_not_equal(cy, ctx);
	assert_string_equal(lm_value_path(cy, "area.organisation")->str, "Cyngor Sir Ynys Test");
	assert_string_equal(lm_value_path(cy, "area.name")->str, "Ynys Test");
	assert_string_equal(lm_value_path(cy, "contacts.hub.service")->str, "Hwb Plant");
	assert_string_equal(lm_value_path(cy, "contacts.web.service")->str, "Website");
	assert_string_equal(lm_value_path(cy, "contacts.hub.phone")->str, "01248 752733");
	/* what did not change is shared, and the original is untouched */
	assert_ptr_equal(lm_value_path(cy, "contacts.web"), web);
	assert_ptr_equal(lm_value_path(cy, "contacts.hub.phone"), lm_value_get(hub, "phone"));
	assert_string_equal(lm_value_path(ctx, "area.organisation")->str, "Ynys Test County Council");
	assert_string_equal(lm_value_path(ctx, "contacts.hub.service")->str, "Children's Hub");
	/* no variants in English: the same tree, not a copy */
	assert_ptr_equal(lm_value_localise(a, ctx, "en-GB"), ctx);
	lm_arena_free(a);
}

static void test_path_tag(void **state)
{
	(void)state;
	char tag[36];
	assert_int_equal(lm_letter_path_tag("letters/termly.cy.md", tag), 0);
	assert_string_equal(tag, "cy");
	assert_int_equal(lm_letter_path_tag("a.b/termly.pt-BR.md", tag), 0);
	assert_string_equal(tag, "pt-BR");
	assert_int_equal(lm_letter_path_tag("letters/termly.md", tag), -1);
	assert_string_equal(tag, "");
	assert_int_equal(lm_letter_path_tag("letters/termly.v2.md", tag), -1);
	assert_int_equal(lm_letter_path_tag("letters/.cy.md", tag), -1);
	assert_int_equal(lm_letter_path_tag("letters/termly.cy.txt", tag), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),   cmocka_unit_test(test_same),
		cmocka_unit_test(test_request), cmocka_unit_test(test_text),
		cmocka_unit_test(test_localise), cmocka_unit_test(test_path_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
