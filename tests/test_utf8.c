/* test_utf8.c - UTF-8 decoded, encoded and checked; Windows-1252 and
 * UTF-16 turned into UTF-8 (utf8.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

static void test_utf8_decode_valid(void **state)
{
	(void)state;
	uint32_t cp = 0;
	assert_int_equal(lm_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(lm_utf8_decode("\xC2\xA3", 2, &cp), 2);
	assert_int_equal(cp, 0xA3);
	assert_int_equal(lm_utf8_decode("\xC5\xB5xyz", 4, &cp), 2);
	assert_int_equal(cp, 0x175);
	assert_int_equal(lm_utf8_decode("\xE2\x80\x99", 3, &cp), 3);
	assert_int_equal(cp, 0x2019);
	assert_int_equal(lm_utf8_decode("\xEF\xBF\xBF", 3, &cp), 3);
	assert_int_equal(cp, 0xFFFF);
	assert_int_equal(lm_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(lm_utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
	assert_int_equal(cp, 0x10FFFF);
	/* boundaries of each length */
	assert_int_equal(lm_utf8_decode("\x7F", 1, &cp), 1);
	assert_int_equal(lm_utf8_decode("\xC2\x80", 2, &cp), 2);
	assert_int_equal(cp, 0x80);
	assert_int_equal(lm_utf8_decode("\xE0\xA0\x80", 3, &cp), 3);
	assert_int_equal(cp, 0x800);
	assert_int_equal(lm_utf8_decode("\xF0\x90\x80\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x10000);
	assert_int_equal(lm_utf8_decode("\xED\x9F\xBF", 3, &cp), 3); /* U+D7FF */
	assert_int_equal(cp, 0xD7FF);
	assert_int_equal(lm_utf8_decode("\xEE\x80\x80", 3, &cp), 3); /* U+E000 */
	assert_int_equal(cp, 0xE000);
}

static void test_utf8_decode_invalid(void **state)
{
	(void)state;
	uint32_t cp = 0x12345;
	/* nothing to read */
	assert_int_equal(lm_utf8_decode("", 0, &cp), 0);
	/* overlong forms */
	assert_int_equal(lm_utf8_decode("\xC0\xAF", 2, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xC1\xBF", 2, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xE0\x80\xAF", 3, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xE0\x9F\xBF", 3, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xF0\x80\x80\xAF", 4, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xF0\x8F\xBF\xBF", 4, &cp), 0);
	/* surrogates */
	assert_int_equal(lm_utf8_decode("\xED\xA0\x80", 3, &cp), 0); /* U+D800 */
	assert_int_equal(lm_utf8_decode("\xED\xBF\xBF", 3, &cp), 0); /* U+DFFF */
	/* past U+10FFFF, and lead bytes that never start a sequence */
	assert_int_equal(lm_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xF8\x88\x80\x80\x80", 5, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xFF", 1, &cp), 0);
	assert_int_equal(lm_utf8_decode("\x80", 1, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xBF", 1, &cp), 0);
	/* truncated: the bytes are there but n says they are not, or the
	 * continuation byte is not one */
	assert_int_equal(lm_utf8_decode("\xE2\x80\x99", 2, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xE2\x80", 2, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xC2", 1, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xF0\x9F\x98", 3, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xC2" "A", 2, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xE2\x80" "A", 3, &cp), 0);
	assert_int_equal(lm_utf8_decode("\xF0\x9F\x98" "A", 4, &cp), 0);
	/* a failed decode leaves *cp alone */
	assert_int_equal(cp, 0x12345);
}

static void test_utf8_check(void **state)
{
	(void)state;
	assert_int_equal(lm_utf8_check("", 0), 0);
	assert_int_equal(lm_utf8_check("plain", 5), 5);
	assert_int_equal(lm_utf8_check("\xC2\xA3" "5 t\xC5\xB7", 7), 7);
	/* the offset of the first bad sequence */
	assert_int_equal(lm_utf8_check("ab\xFF" "cd", 5), 2);
	assert_int_equal(lm_utf8_check("\xC2\xA3\xC0\xAF", 4), 2);
	assert_int_equal(lm_utf8_check("caf\xC3\xA9 \xED\xA0\x80", 9), 6);
	/* a sequence cut off by the end of the text */
	assert_int_equal(lm_utf8_check("abc\xE2\x80", 5), 3);
	/* len limits the check: the bad byte past it is not seen */
	assert_int_equal(lm_utf8_check("abc\xFF", 3), 3);
}

static void test_utf8_encode(void **state)
{
	(void)state;
	char u[4];
	assert_int_equal(lm_utf8_encode('A', u), 1);
	assert_memory_equal(u, "A", 1);
	assert_int_equal(lm_utf8_encode(0x7F, u), 1);
	assert_int_equal(lm_utf8_encode(0x80, u), 2);
	assert_memory_equal(u, "\xC2\x80", 2);
	assert_int_equal(lm_utf8_encode(0x7FF, u), 2);
	assert_memory_equal(u, "\xDF\xBF", 2);
	assert_int_equal(lm_utf8_encode(0x800, u), 3);
	assert_memory_equal(u, "\xE0\xA0\x80", 3);
	assert_int_equal(lm_utf8_encode(0x2019, u), 3);
	assert_memory_equal(u, "\xE2\x80\x99", 3);
	assert_int_equal(lm_utf8_encode(0xFFFF, u), 3);
	assert_int_equal(lm_utf8_encode(0x10000, u), 4);
	assert_memory_equal(u, "\xF0\x90\x80\x80", 4);
	assert_int_equal(lm_utf8_encode(0x10FFFF, u), 4);
	assert_memory_equal(u, "\xF4\x8F\xBF\xBF", 4);
	/* what UTF-8 cannot hold */
	assert_int_equal(lm_utf8_encode(0xD800, u), 0);
	assert_int_equal(lm_utf8_encode(0xDFFF, u), 0);
	assert_int_equal(lm_utf8_encode(0x110000, u), 0);
	assert_int_equal(lm_utf8_encode(0xFFFFFFFF, u), 0);
}

/* Every scalar value survives encode then decode, at its length. */
static void test_utf8_round_trip_all(void **state)
{
	(void)state;
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		char u[4];
		int n = lm_utf8_encode(cp, u);
		if (cp >= 0xD800 && cp <= 0xDFFF) {
			assert_int_equal(n, 0);
			continue;
		}
		uint32_t back = 0xFFFFFFFF;
		if (lm_utf8_decode(u, (size_t)n, &back) != n || back != cp)
			fail_msg("U+%04X did not round-trip", (unsigned)cp);
	}
}

static void test_utf8_add(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_utf8_add(&b, 'O');
	lm_utf8_add(&b, 0x2019);
	lm_utf8_add(&b, 0xD800);   /* no surrogates */
	lm_utf8_add(&b, 0);        /* no NUL in a C string */
	lm_utf8_add(&b, 0x110000); /* nothing past Unicode */
	assert_string_equal(b.ptr, "O\xE2\x80\x99\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	lm_buf_release(&b);
}

static void test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(lm_utf8_chars("", 0), 0);
	assert_int_equal(lm_utf8_chars("abc", 3), 3);
	assert_int_equal(lm_utf8_chars("St Th\xC3\xA9r\xC3\xA8se", 12), 10);
	assert_int_equal(lm_utf8_chars("\xF0\x9F\x98\x80!", 5), 2);
	/* an invalid lead byte counts as one */
	assert_int_equal(lm_utf8_chars("a\xFF" "b", 3), 3);
}

/* ---- UTF-16 ---- */

static void test_utf16(void **state)
{
	(void)state;
	struct lm_buf out = LM_BUF_INIT;
	size_t used = 99;
	/* "Aé’😀" little-endian: A, U+00E9, U+2019, U+1F600 as a pair */
	static const unsigned char le[] = { 'A', 0, 0xE9, 0, 0x19, 0x20, 0x3D, 0xD8, 0x00, 0xDE };
	assert_int_equal(lm_utf16_to_utf8(le, sizeof(le), 0, 1, &out, &used), 0);
	assert_int_equal(used, sizeof(le));
	assert_string_equal(out.ptr, "A\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80");
	lm_buf_reset(&out);
	static const unsigned char be[] = { 0, 'A', 0, 0xE9, 0x20, 0x19, 0xD8, 0x3D, 0xDE, 0x00 };
	assert_int_equal(lm_utf16_to_utf8(be, sizeof(be), 1, 1, &out, &used), 0);
	assert_string_equal(out.ptr, "A\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80");
	lm_buf_reset(&out);

	/* not final: a half unit and a high surrogate at the end wait */
	assert_int_equal(lm_utf16_to_utf8(le, 9, 0, 0, &out, &used), 0);
	assert_int_equal(used, 6);
	assert_string_equal(out.ptr, "A\xC3\xA9\xE2\x80\x99");
	lm_buf_reset(&out);
	assert_int_equal(lm_utf16_to_utf8(le, 5, 0, 0, &out, &used), 0);
	assert_int_equal(used, 4);
	lm_buf_reset(&out);
	/* final: the same ends are errors at their offset */
	assert_int_equal(lm_utf16_to_utf8(le, 9, 0, 1, &out, &used), -1);
	assert_int_equal(used, 6);
	lm_buf_reset(&out);
	assert_int_equal(lm_utf16_to_utf8(le, 5, 0, 1, &out, &used), -1);
	assert_int_equal(used, 4);
	lm_buf_reset(&out);

	/* a low surrogate alone, a high one followed by a letter */
	static const unsigned char lone[] = { 'a', 0, 0x00, 0xDC, 'b', 0 };
	assert_int_equal(lm_utf16_to_utf8(lone, sizeof(lone), 0, 1, &out, &used), -1);
	assert_int_equal(used, 2);
	assert_string_equal(out.ptr, "a");
	lm_buf_reset(&out);
	static const unsigned char unpaired[] = { 0x00, 0xD8, 'b', 0 };
	assert_int_equal(lm_utf16_to_utf8(unpaired, sizeof(unpaired), 0, 0, &out, &used), -1);
	assert_int_equal(used, 0);
	lm_buf_reset(&out);

	/* a NUL unit stays a NUL byte */
	static const unsigned char nul[] = { 'a', 0, 0, 0, 'b', 0 };
	assert_int_equal(lm_utf16_to_utf8(nul, sizeof(nul), 0, 1, &out, &used), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.ptr, "a\0b", 3);
	lm_buf_release(&out);
}

/* ---- Windows-1252 ---- */

/* The inverse of lm_cp1252_to_utf8, for the round trip: -1 for a code point
 * Windows-1252 cannot hold. */
static int cp1252_byte(unsigned cp)
{
	static const unsigned short high[32] = {
		0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
		0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
	};
	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (int)cp;
	for (int i = 0; i < 32; i++)
		if (high[i] && high[i] == cp)
			return 0x80 + i;
	return -1;
}

static size_t utf8_to_cp1252(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		if (c < 0x80) {
			cp = c;
			i += 1;
		} else if (c < 0xE0) {
			cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3F);
			i += 2;
		} else {
			cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3F);
			i += 3;
		}
		int b = cp1252_byte(cp);
		assert_true(b >= 0);
		out[o++] = (char)b;
	}
	return o;
}

static void test_cp1252_round_trip(void **state)
{
	(void)state;
	char in[256], back[256];
	size_t n = 0;
	for (int c = 0; c < 256; c++)
		if (c != 0x81 && c != 0x8D && c != 0x8F && c != 0x90 && c != 0x9D)
			in[n++] = (char)c;
	assert_int_equal(n, 251);
	struct lm_buf out = LM_BUF_INIT;
	assert_int_equal(lm_cp1252_to_utf8(in, n, &out), 0);
	/* 128 ASCII, 96 Latin-1 (2 bytes), 27 from the Windows table: 10 of
	 * them below U+0800 (2 bytes), 17 above (3 bytes) */
	assert_int_equal(out.len, 128 + 96 * 2 + 10 * 2 + 17 * 3);
	assert_int_equal(utf8_to_cp1252(out.ptr, out.len, back), n);
	assert_memory_equal(back, in, n);
	lm_buf_release(&out);
}

static void test_cp1252_excel_bytes(void **state)
{
	(void)state;
	struct lm_buf out = LM_BUF_INIT;
	/* Excel's "CSV" save of O’Brien, café, “quotes”, – and € */
	static const char in[] = "O\x92" "Brien,caf\xE9,\x93q\x94,\x96,\x80" "5\r\n";
	assert_int_equal(lm_cp1252_to_utf8(in, sizeof(in) - 1, &out), 0);
	assert_string_equal(out.ptr, "O\xE2\x80\x99" "Brien,caf\xC3\xA9,\xE2\x80\x9Cq\xE2\x80\x9D,"
			    "\xE2\x80\x93,\xE2\x82\xAC" "5\r\n");
	/* appends, and keeps NUL bytes for the CSV check to report */
	assert_int_equal(lm_cp1252_to_utf8("a\0b", 3, &out), 0);
	assert_memory_equal(out.ptr + out.len - 3, "a\0b", 3);
	lm_buf_release(&out);

	assert_int_equal(lm_cp1252_to_utf8("", 0, &out), 0);
	assert_int_equal(out.len, 0);
	lm_buf_release(&out);
}

static void test_cp1252_undefined(void **state)
{
	(void)state;
	static const unsigned char undefined[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D };
	for (size_t i = 0; i < sizeof(undefined); i++) {
		struct lm_buf out = LM_BUF_INIT;
		char in[] = "id,name\nx,caf\xE9 ?";
		in[sizeof(in) - 2] = (char)undefined[i];
		assert_int_equal(lm_cp1252_to_utf8(in, sizeof(in) - 1, &out), -1);
		/* everything before the bad byte: line 2, column 9 follows it */
		assert_string_equal(out.ptr, "id,name\nx,caf\xC3\xA9 ");
		lm_buf_release(&out);
	}
}

/* What prints as nothing: spaces, line ends and default-ignorables only. */
static void test_is_blank(void **state)
{
	(void)state;
	static const char *const blank[] = {
		"", " ", " \t\r\n", "\xE2\x80\x8B",            /* zero-width space */
		" \xE2\x80\x8D\xE2\x80\x8C ",                  /* ZWJ, ZWNJ */
		"\xEF\xBB\xBF\xE2\x81\xA0\xC2\xAD",            /* BOM, word joiner, soft hyphen */
		"\xE2\x80\x8F\xE2\x80\xAE",                    /* RLM, RLO */
	};
	for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++)
		assert_true(lm_utf8_is_blank(blank[i], strlen(blank[i])));
	static const char *const not_blank[] = {
		"a", " x ", "\xE2\x80\x8Bx", "\xC2\xA0",         /* a no-break space prints a gap */
		"\xCC\x81",                                   /* a combining accent alone shows */
		"-", "\xE2\x80",                              /* cut-off UTF-8 is not blank */
	};
	for (size_t i = 0; i < sizeof(not_blank) / sizeof(not_blank[0]); i++)
		assert_false(lm_utf8_is_blank(not_blank[i], strlen(not_blank[i])));
	/* the length is what counts, not a NUL */
	assert_false(lm_utf8_is_blank(" \0 ", 3));
	assert_true(lm_utf8_is_blank(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode_valid),
		cmocka_unit_test(test_utf8_decode_invalid),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_utf8_round_trip_all),
		cmocka_unit_test(test_utf8_add),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_cp1252_round_trip),
		cmocka_unit_test(test_cp1252_excel_bytes),
		cmocka_unit_test(test_cp1252_undefined),
		cmocka_unit_test(test_is_blank),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
