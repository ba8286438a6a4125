#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

#include "buf.h"
#include "csv.h"
#include "diag.h"
#include "utf8.h"
#include "validate.h"

#define PATH "areas/liverpool/contacts.csv"

static int parse(struct lm_csv *csv, const char *data, size_t len,
		 struct lm_diag *d)
{
	lm_csv_init(csv);
	lm_diag_clear(d);
	return lm_csv_parse(csv, PATH, data, len, d);
}

#define PARSE(csv, lit, d) parse((csv), (lit), sizeof(lit) - 1, (d))

/* Appends `n` copies of `c` to `b`. */
static void add_run(struct lm_buf *b, char c, size_t n)
{
	lm_buf_grow(b, n);
	memset(b->ptr + b->len, c, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

/* Parses `len` bytes of `data`, expects failure, and checks the printed
 * diagnostic. */
static void expect_error(const char *data, size_t len, const char *want)
{
	struct lm_csv csv;
	struct lm_diag d;
	char out[2048];
	assert_int_equal(parse(&csv, data, len, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(csv.nrows, 0);
	lm_csv_release(&csv);
}

#define EXPECT_ERROR(lit, want) expect_error((lit), sizeof(lit) - 1, (want))

static void assert_cell(const struct lm_csv *csv, size_t row, size_t col,
			const char *text, int line, int cpos)
{
	const struct lm_csv_cell *c = lm_csv_get(csv, row, col);
	assert_non_null(c);
	assert_string_equal(c->text, text);
	assert_int_equal(c->len, strlen(text));
	assert_int_equal(c->line, line);
	assert_int_equal(c->col, cpos);
}

static void test_bom_crlf(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, "\xEF\xBB\xBFid,name\r\nbob,Bob Smith\r\n"
				     "amy,Amy Jones\r\n", &d), 0);
	assert_string_equal(csv.path, PATH);
	assert_int_equal(csv.ncols, 2);
	assert_string_equal(csv.header[0], "id");
	assert_string_equal(csv.header[1], "name");
	assert_int_equal(csv.header_cells[0].col, 1);
	assert_int_equal(csv.nrows, 2);
	assert_cell(&csv, 0, 0, "bob", 2, 1);
	assert_cell(&csv, 0, 1, "Bob Smith", 2, 5);
	assert_cell(&csv, 1, 1, "Amy Jones", 3, 5);
	assert_int_equal(csv.row_line[1], 3);
	assert_int_equal(lm_csv_column(&csv, "name"), 1);
	assert_int_equal(lm_csv_column(&csv, "phone"), -1);
	assert_null(lm_csv_get(&csv, 2, 0));
	assert_null(lm_csv_get(&csv, 0, 2));
	lm_csv_release(&csv);
}

static void test_lone_cr_and_no_final_newline(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, "a,b\rc,d\re,", &d), 0);
	assert_int_equal(csv.nrows, 2);
	assert_cell(&csv, 0, 1, "d", 2, 3);
	assert_cell(&csv, 1, 0, "e", 3, 1);
	assert_cell(&csv, 1, 1, "", 3, 3);
	lm_csv_release(&csv);
}

static void test_quoted(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv,
		"id,address,note\n"
		"1,\"1 High St, Town\r\nL1 1AA\",\"say \"\"hi\"\"\"\n"
		"2,\"a\rb\nc\",\"\"\n"
		"3,x,y\n", &d), 0);
	assert_int_equal(csv.nrows, 3);
	assert_cell(&csv, 0, 1, "1 High St, Town\nL1 1AA", 2, 3);
	assert_cell(&csv, 0, 2, "say \"hi\"", 3, 9);
	assert_int_equal(csv.row_line[1], 4);
	assert_cell(&csv, 1, 1, "a\nb\nc", 4, 3);
	assert_cell(&csv, 1, 2, "", 6, 4);
	assert_int_equal(csv.row_line[2], 7);
	assert_cell(&csv, 2, 0, "3", 7, 1);
	assert_cell(&csv, 2, 2, "y", 7, 5);
	lm_csv_release(&csv);
}

static void test_lenient_quotes(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	/* a quote inside an unquoted value is literal; blanks around a
	 * quoted value are dropped and its column is the quote's */
	assert_int_equal(PARSE(&csv, "a,b\nO\"Neil,  \"x, y\"  \n", &d), 0);
	assert_cell(&csv, 0, 0, "O\"Neil", 2, 1);
	assert_cell(&csv, 0, 1, "x, y", 2, 10);
	lm_csv_release(&csv);
}

static void test_trimming(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, " id , name \n  1 ,\t Bob  Smith \t\n"
				     "2,\" padded \"\n", &d), 0);
	assert_string_equal(csv.header[0], "id");
	assert_string_equal(csv.header[1], "name");
	assert_int_equal(csv.header_cells[1].col, 7);
	assert_cell(&csv, 0, 0, "1", 2, 3);
	assert_cell(&csv, 0, 1, "Bob  Smith", 2, 8);
	assert_cell(&csv, 1, 1, "padded", 3, 3);
	lm_csv_release(&csv);
}

static void test_empty_rows_skipped(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, "\na,b\n\n1,2\n,,\n , \n\"\",\n3,4\n\n\r\n\n",
			       &d), 0);
	assert_int_equal(csv.header_cells[0].line, 2);
	assert_int_equal(csv.nrows, 2);
	assert_int_equal(csv.row_line[0], 4);
	assert_int_equal(csv.row_line[1], 8);
	assert_cell(&csv, 1, 1, "4", 8, 3);
	lm_csv_release(&csv);
}

static void test_header_only(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, "id,name\r\n", &d), 0);
	assert_int_equal(csv.ncols, 2);
	assert_int_equal(csv.nrows, 0);
	assert_null(lm_csv_get(&csv, 0, 0));
	lm_csv_release(&csv);
}

/* Parses as `enc` says, expects failure, and checks the message. */
static void expect_error_as(const char *data, size_t len, enum lm_input_encoding enc,
			    const char *want)
{
	struct lm_csv csv;
	struct lm_diag d;
	char out[2048];
	lm_csv_init(&csv);
	lm_diag_clear(&d);
	assert_int_equal(lm_csv_parse_as(&csv, PATH, data, len, enc, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, want);
	lm_csv_release(&csv);
}

#define NOT_UTF8(byte) "error: the file is not UTF-8 (byte " byte " at this point), but " \
	"--input-encoding utf-8 says it is; leave that option out to read it as the " \
	"Windows-1252 that Excel's plain \"CSV\" save writes, or save it as \"CSV UTF-8 " \
	"(Comma delimited)\""

static void test_not_utf8(void **state)
{
	(void)state;
	/* said to be UTF-8: the first byte that is not is the spot */
	static const char a[] = "id,name\ncareline,O\x92" "Brien\n";
	expect_error_as(a, sizeof(a) - 1, LM_INPUT_UTF8, PATH ":2:11: " NOT_UTF8("0x92"));
	/* columns count characters, not bytes; a bad lead byte is the spot */
	static const char b[] = "id,name\r\n\xE2\x80\x99,caf\xE9\r\n";
	expect_error_as(b, sizeof(b) - 1, LM_INPUT_UTF8, PATH ":2:6: " NOT_UTF8("0xe9"));
	/* a sequence cut short by the end of the file */
	expect_error_as("a\n\xC3", 3, LM_INPUT_UTF8, PATH ":2:1: " NOT_UTF8("0xc3"));
	/* overlong encoding of '/' */
	expect_error_as("a\n\xC0\xAF", 4, LM_INPUT_UTF8, PATH ":2:1: " NOT_UTF8("0xc0"));

	/* found by itself: not UTF-8, so Windows-1252, noted with the place */
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(parse(&csv, a, sizeof(a) - 1, &d), 0);
	assert_int_equal(csv.enc, LM_INPUT_CP1252);
	assert_true(csv.guessed);
	assert_int_equal(csv.guess_line, 2);
	assert_int_equal(csv.guess_col, 11);
	assert_int_equal(csv.guess_byte, 0x92);
	assert_cell(&csv, 0, 1, "O\xE2\x80\x99" "Brien", 2, 10);
	lm_diag_clear(&d);
	lm_csv_guess_warning(csv.path, csv.guess_line, csv.guess_col, csv.guess_byte, &d);
	char out[1024];
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, PATH ":2:11: warning: the file is not UTF-8 (byte 0x92 here), so it "
		"is read as Windows-1252, what Excel's plain \"CSV\" save writes, where that byte is "
		"\"\xE2\x80\x99\"; if that is right, all is well; to be sure, save it as \"CSV UTF-8 "
		"(Comma delimited)\"");
	lm_csv_release(&csv);
	/* the first bad byte after UTF-8 characters, on a CRLF line */
	assert_int_equal(parse(&csv, b, sizeof(b) - 1, &d), 0);
	assert_true(csv.guessed);
	assert_int_equal(csv.guess_line, 2);
	assert_int_equal(csv.guess_col, 6);
	assert_cell(&csv, 0, 0, "\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2", 2, 1);
	lm_csv_release(&csv);

	/* the right apostrophe in UTF-8 is fine */
	assert_int_equal(PARSE(&csv, "id,name\ncareline,O\xE2\x80\x99" "Brien\n"
				     "\xC3\xA9t\xC3\xA9,x\n", &d), 0);
	assert_cell(&csv, 0, 1, "O\xE2\x80\x99" "Brien", 2, 10);
	assert_cell(&csv, 1, 1, "x", 3, 5);
	assert_int_equal(csv.enc, LM_INPUT_UTF8);
	assert_false(csv.guessed);
	lm_csv_release(&csv);
}

/* --input-encoding is checked, not trusted. */
static void test_encoding_override_checked(void **state)
{
	(void)state;
	static const char utf8[] = "id,name\ncareline,Colette O\xE2\x80\x99" "Brien\n";
	expect_error_as(utf8, sizeof(utf8) - 1, LM_INPUT_CP1252,
		PATH ":2:19: error: the file is UTF-8, but --input-encoding windows-1252 says it is "
		"Windows-1252: read so, this character would print as two or three wrong ones "
		"(O\xE2\x80\x99" "Brien as O\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2" "Brien); leave the "
		"option out (each file's encoding is found by itself)");
	static const char bom8[] = "\xEF\xBB\xBFid,name\n1,x\n";
	expect_error_as(bom8, sizeof(bom8) - 1, LM_INPUT_CP1252,
		PATH ":1:1: error: the file starts with a UTF-8 byte-order mark, but --input-encoding "
		"says Windows-1252; leave the option out (each file's encoding is found by itself)");
	static const char bom16[] = "\xFF\xFEi\0d\0\n\0";
	expect_error_as(bom16, sizeof(bom16) - 1, LM_INPUT_UTF8,
		PATH ":1:1: error: the file starts with a UTF-16 byte-order mark, but --input-encoding "
		"says UTF-8; leave the option out (each file's encoding is found by itself)");
	/* plain ASCII is the same in both: no reason to refuse */
	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	assert_int_equal(lm_csv_parse_as(&csv, PATH, "id,name\n1,x\n", 12, LM_INPUT_CP1252, &d), 0);
	assert_int_equal(csv.enc, LM_INPUT_CP1252);
	assert_false(csv.guessed);
	lm_csv_release(&csv);
	/* Windows-1252 said and meant */
	static const char cp[] = "id,name\n1,O\x92" "Brien\n";
	assert_int_equal(lm_csv_parse_as(&csv, PATH, cp, sizeof(cp) - 1, LM_INPUT_CP1252, &d), 0);
	assert_false(csv.guessed);
	assert_cell(&csv, 0, 1, "O\xE2\x80\x99" "Brien", 2, 3);
	lm_csv_release(&csv);
}

static void differential(const char *data, size_t len, enum lm_input_encoding enc);

/* `text` (ASCII or UTF-8) as UTF-16 with a byte-order mark, in `b`. */
static void to_utf16(struct lm_buf *b, const char *text, size_t len, int be)
{
	lm_buf_add(b, be ? "\xFE\xFF" : "\xFF\xFE", 2);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = lm_utf8_decode(text + i, len - i, &cp);
		assert_true(n > 0);
		i += (size_t)n;
		unsigned u[2] = { cp, 0 };
		int k = 1;
		if (cp >= 0x10000) {
			u[0] = 0xD800 + ((cp - 0x10000) >> 10);
			u[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			k = 2;
		}
		for (int j = 0; j < k; j++) {
			char two[2] = { (char)(be ? u[j] >> 8 : u[j] & 0xFF),
					(char)(be ? u[j] & 0xFF : u[j] >> 8) };
			lm_buf_add(b, two, 2);
		}
	}
}

/* Excel's "Unicode Text" and LibreOffice's "Unicode" saves: UTF-16 with a
 * byte-order mark, read as the same cells at the same places. */
static void test_utf16(void **state)
{
	(void)state;
	static const char text[] = "id\tname\r\n1\t\"Th\xC3\xA9r\xC3\xA8se, \xF0\x9F\x98\x80\"\r\n2\tO\xE2\x80\x99" "Brien\r\n";
	for (int be = 0; be < 2; be++) {
		struct lm_buf b = LM_BUF_INIT;
		to_utf16(&b, text, sizeof(text) - 1, be);
		struct lm_csv csv;
		struct lm_diag d;
		assert_int_equal(parse(&csv, b.ptr, b.len, &d), 0);
		assert_int_equal(csv.enc, be ? LM_INPUT_UTF16BE : LM_INPUT_UTF16LE);
		assert_int_equal(csv.delim, '\t');
		assert_int_equal(csv.ncols, 2);
		assert_cell(&csv, 0, 1, "Th\xC3\xA9r\xC3\xA8se, \xF0\x9F\x98\x80", 2, 3);
		assert_cell(&csv, 1, 1, "O\xE2\x80\x99" "Brien", 3, 3);
		lm_csv_release(&csv);
		/* streamed a few bytes at a time, from memory and from a file,
		 * the same as UTF-8 read whole */
		differential(b.ptr, b.len, LM_INPUT_AUTO);
		/* the same bytes without the byte-order mark: the zero bytes
		 * of the ASCII tell the order */
		assert_int_equal(parse(&csv, b.ptr + 2, b.len - 2, &d), 0);
		assert_int_equal(csv.enc, be ? LM_INPUT_UTF16BE : LM_INPUT_UTF16LE);
		assert_int_equal(csv.ncols, 2);
		assert_cell(&csv, 0, 1, "Th\xC3\xA9r\xC3\xA8se, \xF0\x9F\x98\x80", 2, 3);
		assert_cell(&csv, 1, 1, "O\xE2\x80\x99" "Brien", 3, 3);
		lm_csv_release(&csv);
		differential(b.ptr + 2, b.len - 2, LM_INPUT_AUTO);
		/* but only when nothing was said: read as the Windows-1252 it
		 * was said to be, it stops at its first NUL byte */
		char want[300];
		snprintf(want, sizeof(want), PATH ":1:%d: error: the file contains a NUL byte, so it is not a "
			 "text CSV (perhaps saved as \"Unicode Text\" or as a workbook): "
			 "save it as \"CSV UTF-8 (Comma delimited)\"", be ? 1 : 2);
		expect_error_as(b.ptr + 2, b.len - 2, LM_INPUT_CP1252, want);
		lm_buf_release(&b);
	}
	/* a NUL byte or two in UTF-8 text is not UTF-16: still an error */
	static const char stray[] = "id,name\n1,a\0b\n2,c\0d\n";
	expect_error_as(stray, sizeof(stray) - 1, LM_INPUT_AUTO,
		PATH ":2:4: error: the file contains a NUL byte, so it is not a "
		"text CSV (perhaps saved as \"Unicode Text\" or as a workbook): "
		"save it as \"CSV UTF-8 (Comma delimited)\"");
	/* a lone surrogate, and an odd byte at the end */
	static const char lone[] = "\xFF\xFEi\0d\0\n\0a\0\x00\xDC\n\0";
	expect_error_as(lone, sizeof(lone) - 1, LM_INPUT_AUTO,
		PATH ":2:2: error: the file is not valid UTF-16 from this point (a lone surrogate, "
		"or a byte left over at the end); save it again as \"CSV UTF-8 (Comma delimited)\"");
	static const char odd[] = "\xFF\xFEi\0d\0\n\0a\0b";
	expect_error_as(odd, sizeof(odd) - 1, LM_INPUT_AUTO,
		PATH ":2:2: error: the file is not valid UTF-16 from this point (a lone surrogate, "
		"or a byte left over at the end); save it again as \"CSV UTF-8 (Comma delimited)\"");
}

static void expect_delim(const char *data, char want, size_t ncols)
{
	struct lm_csv csv;
	struct lm_diag d;
	if (parse(&csv, data, strlen(data), &d)) {
		char out[1024];
		lm_diag_format(&d, out, sizeof(out));
		fail_msg("%s", out);
	}
	if (csv.delim != want || csv.ncols != ncols)
		fail_msg("\"%s\": delimiter '%c' and %zu columns, want '%c' and %zu", data,
			 csv.delim, csv.ncols, want, ncols);
	lm_csv_release(&csv);
}

/* The delimiter is found from the header row, outside quotes. */
static void test_sniff_delimiter(void **state)
{
	(void)state;
	expect_delim("id,name\n1,x\n", ',', 2);
	expect_delim("id;name;phone\n1;\"Smith, John\";0151\n", ';', 3);
	expect_delim("id\tname\n1\tx\n", '\t', 2);
	/* delimiters inside quotes do not count */
	expect_delim("\"a;b;c\",d\n1,2\n", ',', 2);
	expect_delim("\"a,b,c\";d\n1;2\n", ';', 2);
	/* a cleared first row (",,,") is not the header */
	expect_delim(";;;\na;b\n1;2\n", ';', 2);
	expect_delim("\r\n\na\tb\tc\n", '\t', 3);
	/* one column: nothing to find */
	expect_delim("name\n\"Smith, John\"\n", ',', 1);
	/* ties go to the comma */
	expect_delim("a,b;c\n", ',', 2);
	/* the rows of a semicolon file keep their commas */
	struct lm_csv csv;
	struct lm_diag d;
	static const char semi[] = "urn;name;address_line_1\r\n100001;St Mary's, Hope;1 High St, Town\r\n";
	assert_int_equal(PARSE(&csv, semi, &d), 0);
	assert_cell(&csv, 0, 1, "St Mary's, Hope", 2, 8);
	assert_cell(&csv, 0, 2, "1 High St, Town", 2, 24);
	lm_csv_release(&csv);
	/* forced: the header's own count does not matter */
	lm_csv_init(&csv);
	assert_int_equal(lm_csv_parse_with(&csv, PATH, "a;b,c\n1;2,3\n", 12, LM_INPUT_AUTO, ';', &d), 0);
	assert_int_equal(csv.ncols, 2);
	assert_cell(&csv, 0, 1, "2,3", 2, 3);
	lm_csv_release(&csv);
	/* tabs are not trimmed as blanks when they delimit */
	assert_int_equal(PARSE(&csv, "a\tb\tc\n\t\tx\n", &d), 0);
	assert_cell(&csv, 0, 0, "", 2, 1);
	assert_cell(&csv, 0, 2, "x", 2, 3);
	lm_csv_release(&csv);
	/* the ragged-row message names the delimiter */
	EXPECT_ERROR("a;b\n1;2;3\n", PATH ":2:5: error: row has 3 fields but the header row has 2; "
		"put a value that holds a semicolon in double quotes, or name the extra column in "
		"the header row");
}

/* Header names as people write them. */
static void test_column_names(void **state)
{
	(void)state;
	struct lm_csv csv;
	struct lm_diag d;
	static const char gias[] = "\"URN\",\"EstablishmentName\",\"EstablishmentStatus (name)\","
		"\"County (name)\",\"Postcode\"\r\n\"100001\",\"Hope School\",\"Open\",\"Merseyside\",\"L1 1AA\"\r\n";
	assert_int_equal(PARSE(&csv, gias, &d), 0);
	assert_int_equal(lm_csv_column(&csv, "urn"), 0);
	assert_int_equal(lm_csv_column(&csv, "establishment_name"), 1);
	assert_int_equal(lm_csv_column(&csv, "Establishment Name"), 1);
	assert_int_equal(lm_csv_column(&csv, "establishment-status-name"), 2);
	assert_int_equal(lm_csv_column(&csv, "county_name"), 3);
	assert_int_equal(lm_csv_column(&csv, "County (name)"), 3);
	assert_int_equal(lm_csv_column(&csv, "POSTCODE"), 4);
	assert_int_equal(lm_csv_column(&csv, "post.code"), -1);
	assert_int_equal(lm_csv_column(&csv, "county"), -1);
	lm_csv_release(&csv);
	EXPECT_ERROR("id,Post Code,postcode\n", PATH ":1:14: error: columns 'Post Code' (column 2) "
		"and 'postcode' (column 3) have one name to a letter, which ignores case, spaces, '_', "
		"'-' and brackets; rename or delete one");
}

static void test_nul(void **state)
{
	(void)state;
	EXPECT_ERROR("id,name\nab\0c,d\n",
		PATH ":2:3: error: the file contains a NUL byte, so it is not a "
		"text CSV (perhaps saved as \"Unicode Text\" or as a workbook): "
		"save it as \"CSV UTF-8 (Comma delimited)\"");
}

static void test_unclosed_quote(void **state)
{
	(void)state;
	EXPECT_ERROR("id,address\n1,\"a\nb\"\n2, \"Bob,\n3,x\n",
		PATH ":4:4: error: the quote that opens this field is never "
		"closed; add the closing '\"' (a quote inside a value is written "
		"twice: \"\")");
}

static void test_ragged(void **state)
{
	(void)state;
	EXPECT_ERROR("a,b\n1,2\n1,2,3\n",
		PATH ":3:5: error: row has 3 fields but the header row has 2; "
		"put a value that holds a comma in double quotes, or name the "
		"extra column in the header row");
	EXPECT_ERROR("a,b,c\n1,2,3\n4\n",
		PATH ":3:1: error: row has 1 field but the header row has 3; add "
		"the missing cells (a line break inside a value needs the value "
		"in double quotes)");
	/* line numbers stay right after a multi-line field */
	EXPECT_ERROR("a,b\n\"x\r\ny\r\nz\",1\n1,Smith, John\n",
		PATH ":5:10: error: row has 3 fields but the header row has 2; "
		"put a value that holds a comma in double quotes, or name the "
		"extra column in the header row");
}

static void test_header_errors(void **state)
{
	(void)state;
	EXPECT_ERROR("id,phone,name, phone\n",
		PATH ":1:16: error: column 'phone' appears twice in the header "
		"row (columns 2 and 4); rename or delete one");
	EXPECT_ERROR("id,,name\n1,2,3\n",
		PATH ":1:4: error: column 2 of the header row has no name; name "
		"it or delete the column");
}

static void test_empty_file(void **state)
{
	(void)state;
	EXPECT_ERROR("", PATH ": error: file is empty: it needs a header row");
	EXPECT_ERROR("\xEF\xBB\xBF", PATH ": error: file is empty: it needs a header row");
	EXPECT_ERROR("\r\n,,\r\n\r\n", PATH ": error: file is empty: it needs a header row");
}

static void test_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/lmcsvXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("\xEF\xBB\xBFid,n\r\nx,\"1\r\n2\"\r\n", fp);
	fclose(fp);

	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	assert_int_equal(lm_csv_load(&csv, path, &d), 0);
	assert_string_equal(csv.path, path);
	assert_cell(&csv, 0, 1, "1\n2", 2, 3);
	lm_csv_release(&csv);

	char out[2048], want[2048];
	assert_int_equal(lm_csv_load(&csv, dir, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	snprintf(want, sizeof(want), "%s: error: the spreadsheet file '%s' is a folder, not a file; "
		 "give the name of a saved file", dir, dir);
	assert_string_equal(out, want);
	lm_csv_release(&csv);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(lm_csv_load(&csv, path, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	snprintf(want, sizeof(want), "%s: error: cannot open '%s': No such file "
		 "or directory; check the name and that the file may be read",
		 path, path);
	assert_string_equal(out, want);
	lm_csv_release(&csv);
	assert_int_equal(rmdir(dir), 0);
}

static void test_big(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "id,group,service,phone,hours,web\r\n");
	for (int i = 0; i < 10000; i++)
		lm_buf_addf(&b, "c%d,local,\"Service %d, Liverpool\",0151 233 %04d,"
			    "9am to 5pm,https://example.org/%d\r\n", i, i, i, i);
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(parse(&csv, b.ptr, b.len, &d), 0);
	assert_int_equal(csv.nrows, 10000);
	assert_cell(&csv, 9999, 2, "Service 9999, Liverpool", 10001, 13);
	lm_csv_release(&csv);
	lm_buf_release(&b);
}

/* ---- the streaming reader ---- */

/* Writes all `len` bytes of `data` to `fd`. */
static void write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		data += n;
		len -= (size_t)n;
	}
}

/* A temporary file under /tmp holding `data`, unlinked at once (the fd
 * keeps it, and a failed test leaves nothing behind).  Its offset is left
 * at the end: the reader must read from the first byte with pread. */
static int temp_fd(const char *data, size_t len)
{
	char name[] = "/tmp/lm-test-csv-XXXXXX";
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(unlink(name), 0);
	write_all(fd, data, len);
	return fd;
}

static void add_escaped(struct lm_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			lm_buf_adds(b, "\\\\");
		else if (c >= 0x20 && c < 0x7F)
			lm_buf_addc(b, (char)c);
		else
			lm_buf_addf(b, "\\x%02x", c);
	}
}

/* What reading a file gave: every cell with its text, length and place,
 * every row's line, and how it ended. */
struct outcome {
	int rc;             /* 0: read to the end; -1: failed */
	struct lm_buf text; /* the header and the rows read (before any failure) */
	char diag[2048];    /* lm_diag_format of the failure */
};

static void add_cell(struct lm_buf *b, const struct lm_csv_cell *c)
{
	assert_non_null(c->text);
	assert_int_equal(strlen(c->text), c->len);
	assert_true(c->line >= 1 && c->col >= 1);
	lm_buf_addf(b, " [%d:%d %zu]", c->line, c->col, c->len);
	lm_buf_add(b, c->text, c->len);
}

static const char *enc_name(enum lm_input_encoding enc)
{
	return enc == LM_INPUT_AUTO ? "found" : lm_input_encoding_name(enc);
}

/* Reads `data` (fd < 0) or the file `fd` with the reader, `chunk` source
 * bytes at a time. */
static void read_stream(struct outcome *o, const char *data, size_t len, int fd,
			size_t chunk, enum lm_input_encoding enc)
{
	struct lm_csv_reader r;
	struct lm_diag d;
	lm_csv_reader_init(&r);
	lm_diag_clear(&d);
	lm_buf_init(&o->text);
	o->diag[0] = '\0';
	r.chunk = chunk;
	int rc = fd >= 0 ? lm_csv_reader_open(&r, PATH, fd, enc, &d)
			 : lm_csv_reader_open_mem(&r, PATH, data, len, enc, &d);
	if (rc == 0) {
		assert_true(r.ncols > 0);
		lm_buf_addf(&o->text, "header of %zu:", r.ncols);
		for (size_t c = 0; c < r.ncols; c++) {
			add_cell(&o->text, &r.header_cells[c]);
			assert_ptr_equal(r.header[c], r.header_cells[c].text);
			assert_int_equal(lm_csv_reader_column(&r, r.header[c]), (int)c);
		}
		size_t rows = 0;
		while ((rc = lm_csv_reader_next(&r, &d)) == 1) {
			assert_int_equal(r.nrows, ++rows);
			lm_buf_addf(&o->text, "\nrow at %d:", r.row_line);
			for (size_t c = 0; c < r.ncols; c++) {
				add_cell(&o->text, &r.cells[c]);
				assert_true(r.cells[c].line >= r.row_line);
			}
		}
		if (rc == 0) /* the end stays the end */
			assert_int_equal(lm_csv_reader_next(&r, &d), 0);
	}
	assert_true(rc == 0 || rc == -1);
	o->rc = rc;
	if (rc)
		lm_diag_format(&d, o->diag, sizeof(o->diag));
	lm_csv_reader_release(&r);
	assert_int_equal(r.fd, -1);
	assert_null(r.w);
}

/* The same through lm_csv_parse / lm_csv_parse_as (nothing is kept when
 * it fails). */
static void read_whole(struct outcome *o, const char *data, size_t len,
		       enum lm_input_encoding enc)
{
	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	lm_diag_clear(&d);
	lm_buf_init(&o->text);
	o->diag[0] = '\0';
	o->rc = enc == LM_INPUT_AUTO ? lm_csv_parse(&csv, PATH, data, len, &d)
				     : lm_csv_parse_as(&csv, PATH, data, len, enc, &d);
	if (o->rc == 0) {
		assert_string_equal(csv.path, PATH);
		lm_buf_addf(&o->text, "header of %zu:", csv.ncols);
		for (size_t c = 0; c < csv.ncols; c++) {
			add_cell(&o->text, &csv.header_cells[c]);
			assert_ptr_equal(csv.header[c], csv.header_cells[c].text);
		}
		for (size_t row = 0; row < csv.nrows; row++) {
			lm_buf_addf(&o->text, "\nrow at %d:", csv.row_line[row]);
			for (size_t c = 0; c < csv.ncols; c++)
				add_cell(&o->text, lm_csv_get(&csv, row, c));
		}
	} else {
		assert_int_equal(o->rc, -1);
		assert_int_equal(csv.nrows, 0);
		lm_diag_format(&d, o->diag, sizeof(o->diag));
	}
	lm_csv_release(&csv);
}

/* Fails unless `got` is `want`: the same end and message, and the same
 * cells (when both succeeded, or always when `rows_too`). */
static void expect_same(const struct outcome *want, const struct outcome *got, int rows_too,
			const char *data, size_t len, enum lm_input_encoding enc,
			const char *how)
{
	int same = want->rc == got->rc && !strcmp(want->diag, got->diag);
	if (same && (rows_too || want->rc == 0))
		same = want->text.len == got->text.len &&
		       !memcmp(want->text.ptr, got->text.ptr, want->text.len);
	if (same)
		return;
	struct lm_buf m = LM_BUF_INIT;
	lm_buf_addf(&m, "%s, read as %s, differs from the reader over memory on \"", how,
		    enc_name(enc));
	if (len > 400) {
		add_escaped(&m, data, 400);
		lm_buf_addf(&m, "...(%zu bytes)", len);
	} else {
		add_escaped(&m, data, len);
	}
	lm_buf_addf(&m, "\"\n  want: rc %d %s\n", want->rc, want->diag);
	add_escaped(&m, want->text.ptr, want->text.len < 2000 ? want->text.len : 2000);
	lm_buf_addf(&m, "\n  got:  rc %d %s\n", got->rc, got->diag);
	add_escaped(&m, got->text.ptr, got->text.len < 2000 ? got->text.len : 2000);
	fail_msg("%s", m.ptr);
}

/* Reads `data` every way there is and requires one outcome. */
static void differential(const char *data, size_t len, enum lm_input_encoding enc)
{
	static const size_t mem_chunks[] = { 1, 2, 3, 5, 7 };
	static const size_t fd_chunks[] = { 1, 0 };
	struct outcome ref, got;
	char how[64];

	read_stream(&ref, data, len, -1, 0, enc);
	read_whole(&got, data, len, enc);
	expect_same(&ref, &got, 0, data, len, enc, "lm_csv_parse");
	lm_buf_release(&got.text);

	for (size_t k = 0; k < sizeof(mem_chunks) / sizeof(mem_chunks[0]); k++) {
		read_stream(&got, data, len, -1, mem_chunks[k], enc);
		snprintf(how, sizeof(how), "memory, chunk %zu", mem_chunks[k]);
		expect_same(&ref, &got, 1, data, len, enc, how);
		lm_buf_release(&got.text);
	}

	int fd = temp_fd(data, len);
	for (size_t k = 0; k < sizeof(fd_chunks) / sizeof(fd_chunks[0]); k++) {
		read_stream(&got, NULL, 0, fd, fd_chunks[k], enc);
		snprintf(how, sizeof(how), "a file, chunk %zu", fd_chunks[k]);
		expect_same(&ref, &got, 1, data, len, enc, how);
		lm_buf_release(&got.text);
	}
	/* pread: the caller's file offset is not moved */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)len);
	assert_int_equal(close(fd), 0);
	lm_buf_release(&ref.text);
}

struct input {
	const char *data;
	size_t len;
};
#define IN(lit) { (lit), sizeof(lit) - 1 }

/* Every input of the tests above, and a few more edges. */
static const struct input known_inputs[] = {
	IN("\xEF\xBB\xBFid,name\r\nbob,Bob Smith\r\namy,Amy Jones\r\n"),
	IN("a,b\rc,d\re,"),
	IN("id,address,note\n1,\"1 High St, Town\r\nL1 1AA\",\"say \"\"hi\"\"\"\n"
	   "2,\"a\rb\nc\",\"\"\n3,x,y\n"),
	IN("a,b\nO\"Neil,  \"x, y\"  \n"),
	IN(" id , name \n  1 ,\t Bob  Smith \t\n2,\" padded \"\n"),
	IN("\na,b\n\n1,2\n,,\n , \n\"\",\n3,4\n\n\r\n\n"),
	IN("id,name\r\n"),
	IN("id,name\ncareline,O\x92" "Brien\n"),
	IN("id,name\r\n\xE2\x80\x99,caf\xE9\r\n"),
	IN("a\n\xC3"),
	IN("a\n\xC0\xAF"),
	IN("id,name\ncareline,O\xE2\x80\x99" "Brien\n\xC3\xA9t\xC3\xA9,x\n"),
	IN("id,name\nab\0c,d\n"),
	IN("id,address\n1,\"a\nb\"\n2, \"Bob,\n3,x\n"),
	IN("a,b\n1,2\n1,2,3\n"),
	IN("a,b,c\n1,2,3\n4\n"),
	IN("a,b\n\"x\r\ny\r\nz\",1\n1,Smith, John\n"),
	IN("id,phone,name, phone\n"),
	IN("id,,name\n1,2,3\n"),
	IN(""),
	IN("\xEF\xBB\xBF"),
	IN("\r\n,,\r\n\r\n"),
	IN("\xEF\xBB\xBFid,n\r\nx,\"1\r\n2\"\r\n"),
	/* the Windows-1252 cases below */
	IN("id,name\n\x80,\x81" "Brien\n"),
	/* more edges: cut BOMs, a BOM twice, CR at the very end, quotes */
	IN("\xEF\xBB"),
	IN("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n1\n"),
	IN("a\r"),
	IN("a\r\n1\r"),
	IN("\"a\"\"\""),
	IN("\"a\"\"\"\n\"\"\"\"\n"),
	IN("a,b\n1,\"x\"y \n"),
	IN("a\n\""),
	IN("a\n\"\r"),
	IN("a\n \t\"x\" \t\n"),
	IN("a\n\t \n"),
	IN("a\n\xF4\x90\x80\x80\n"),
	IN("a\n\xED\xA0\x80\n"),
	IN("a\n\xE0\x9F\xBF\n"),
	IN("a\n\xF0\x9F\x98\x80,\n"),
	IN("a\n\xF0\x9F\x98\x80\n"),
	IN("a\n\xF0\x9F\x98"),
	IN("a\n\xE2\x82"),
	IN("\xC3\xA9,\xC3\xA9\n"),
	IN("a,b\n\"\xC3\xA9\r\n\xE2\x82\xAC\",\xC3\xA9 \n"),
	IN(",\n"),
	IN("a,\n"),
	IN("a\n,\n"),
	IN("a\n\0"),
	IN("\0"),
	IN("a\n\x92"),
	IN("\x92"),
	IN("a,b\n1,2,,\n"),
	IN("a,b\n1\r\n\r\n"),
};

/* xorshift32: the same inputs on every run */
static uint32_t rng = 0x2545F491u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

enum { P_A, P_E, P_COMMA, P_QUOTE, P_CR, P_LF, P_SPACE, P_TAB, P_NUL, P_92 };
static const struct input alphabet[] = {
	IN("a"), IN("\xC3\xA9"), IN(","), IN("\""), IN("\r"),
	IN("\n"), IN(" "), IN("\t"), IN("\0"), IN("\x92"),
};

static void add_piece(struct lm_buf *b, int k)
{
	lm_buf_add(b, alphabet[k].data, alphabet[k].len);
}

static void add_one_of(struct lm_buf *b, const int *pieces, size_t n)
{
	add_piece(b, pieces[rnd((uint32_t)n)]);
}

/* Any string of the alphabet; NUL and 0x92 rare. */
static void gen_any(struct lm_buf *b)
{
	/* weights in percent, in alphabet order */
	static const unsigned char weight[] = { 24, 12, 18, 12, 6, 12, 6, 4, 3, 3 };
	size_t n = rnd(48);
	for (size_t i = 0; i < n; i++) {
		uint32_t x = rnd(100);
		int k = 0;
		while (x >= weight[k])
			x -= weight[k++];
		add_piece(b, k);
	}
}

static void gen_field(struct lm_buf *b)
{
	static const int plain[] = { P_A, P_A, P_E, P_SPACE, P_TAB, P_A, P_E, P_QUOTE };
	static const int quoted[] = { P_A, P_E, P_COMMA, P_CR, P_LF, P_SPACE, P_TAB, P_A };
	if (rnd(5) == 0)
		add_one_of(b, (const int[]){ P_SPACE, P_TAB }, 2);
	if (rnd(3) == 0) {
		add_piece(b, P_QUOTE);
		for (uint32_t n = rnd(7); n; n--) {
			if (rnd(8) == 0)
				lm_buf_adds(b, "\"\"");
			else
				add_one_of(b, quoted, 8);
		}
		if (rnd(25))
			add_piece(b, P_QUOTE);
	} else {
		for (uint32_t n = rnd(5); n; n--)
			add_one_of(b, plain, rnd(15) ? 7 : 8);
	}
	if (rnd(5) == 0)
		add_one_of(b, (const int[]){ P_SPACE, P_TAB }, 2);
	if (rnd(40) == 0)
		add_one_of(b, (const int[]){ P_NUL, P_92 }, 2);
}

static void gen_eol(struct lm_buf *b)
{
	static const char *const eol[] = { "\n", "\r\n", "\r" };
	lm_buf_adds(b, eol[rnd(3)]);
}

/* A header of distinct names and rows mostly of its width. */
static void gen_rows(struct lm_buf *b)
{
	static const char *const names[] = { "a", "aa", "\xC3\xA9", "a a", "\"a,\xC3\xA9\"" };
	if (rnd(8) == 0)
		lm_buf_adds(b, "\xEF\xBB\xBF");
	if (rnd(8) == 0)
		gen_eol(b);
	uint32_t ncols = 1 + rnd(4);
	uint32_t first = rnd(5);
	for (uint32_t c = 0; c < ncols; c++) {
		if (c)
			add_piece(b, P_COMMA);
		lm_buf_adds(b, names[(first + c) % 5]);
	}
	if (rnd(20) == 0)
		lm_buf_adds(b, ",a");
	for (uint32_t rows = rnd(7); rows; rows--) {
		gen_eol(b);
		if (rnd(8) == 0)
			gen_eol(b);
		uint32_t n = ncols;
		if (rnd(12) == 0)
			n = rnd(2) ? n + 1 : n - 1;
		for (uint32_t c = 0; c < n; c++) {
			if (c)
				add_piece(b, P_COMMA);
			gen_field(b);
		}
	}
	if (rnd(4))
		gen_eol(b);
}

static void differential_both(const char *data, size_t len)
{
	differential(data, len, LM_INPUT_AUTO);
	differential(data, len, LM_INPUT_UTF8);
	differential(data, len, LM_INPUT_CP1252);
}

static void test_stream_differential(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(known_inputs) / sizeof(known_inputs[0]); i++)
		differential_both(known_inputs[i].data, known_inputs[i].len);

	int ok = 0;
	for (int i = 0; i < 240; i++) {
		struct lm_buf b = LM_BUF_INIT;
		if (i % 2)
			gen_any(&b);
		else
			gen_rows(&b);
		differential_both(b.ptr, b.len);
		struct outcome o;
		read_stream(&o, b.ptr, b.len, -1, 0, LM_INPUT_UTF8);
		ok += o.rc == 0;
		lm_buf_release(&o.text);
		lm_buf_release(&b);
	}
	/* the generator must reach the end of a file often, not only fail */
	assert_true(ok >= 40);

	/* many chunks of 64 KiB: UTF-8, CRLF and "" fall across their ends */
	struct lm_buf big = LM_BUF_INIT;
	lm_buf_adds(&big, "\xEF\xBB\xBFid,name,note\r\n");
	for (int i = 0; i < 20000; i++)
		lm_buf_addf(&big, "%d,%.*s\xC3\xA9,\"say \"\"%d\"\"\r\nnext\"%s\r\n", i, i % 7,
			    "aaaaaaa", i, i % 3 ? "" : " ");
	differential_both(big.ptr, big.len);
	lm_buf_release(&big);
}

/* Reads one data row of `data` as Windows-1252, chunk 1, from memory and
 * from a file; returns the second cell of the row in `out` or the message. */
static int read_cp1252_row(const char *data, size_t len, char *out, size_t n, int *line,
			   int *col)
{
	int result = 0;
	for (int from_fd = 0; from_fd < 2; from_fd++) {
		struct lm_csv_reader r;
		struct lm_diag d;
		char got[2048];
		lm_csv_reader_init(&r);
		lm_diag_clear(&d);
		r.chunk = 1;
		int fd = from_fd ? temp_fd(data, len) : -1;
		int rc = from_fd ? lm_csv_reader_open(&r, PATH, fd, LM_INPUT_CP1252, &d)
				 : lm_csv_reader_open_mem(&r, PATH, data, len, LM_INPUT_CP1252, &d);
		assert_int_equal(rc, 0);
		rc = lm_csv_reader_next(&r, &d);
		if (rc == 1) {
			snprintf(got, sizeof(got), "%s", r.cells[1].text);
			*line = r.cells[1].line;
			*col = r.cells[1].col;
			assert_int_equal(lm_csv_reader_next(&r, &d), 0);
		} else {
			assert_int_equal(rc, -1);
			lm_diag_format(&d, got, sizeof(got));
		}
		if (from_fd) {
			assert_int_equal(result, rc);
			assert_string_equal(out, got);
			assert_int_equal(close(fd), 0);
		} else {
			result = rc;
			snprintf(out, n, "%s", got);
		}
		lm_csv_reader_release(&r);
	}
	return result;
}

static void test_stream_cp1252(void **state)
{
	(void)state;
	char out[2048];
	int line = 0, col = 0;
	static const char apos[] = "id,name\ncareline,O\x92" "Brien\n";
	assert_int_equal(read_cp1252_row(apos, sizeof(apos) - 1, out, sizeof(out), &line, &col), 1);
	assert_string_equal(out, "O\xE2\x80\x99" "Brien");
	assert_int_equal(line, 2);
	assert_int_equal(col, 10);

	/* the undefined byte's own line and column, in characters (the euro
	 * sign before it is three bytes of UTF-8, one character) */
	static const char undef[] = "id,name\n\x80,\x81" "Brien\n";
	assert_int_equal(read_cp1252_row(undef, sizeof(undef) - 1, out, sizeof(out), &line, &col), -1);
	assert_string_equal(out, PATH ":2:3: error: byte 0x81 is not a character in "
				 "Windows-1252; is the file really Windows-1252? save it as "
				 "\"CSV UTF-8 (Comma delimited)\"");
	/* and lm_csv_parse_as says the same */
	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	assert_int_equal(lm_csv_parse_as(&csv, PATH, undef, sizeof(undef) - 1,
					 LM_INPUT_CP1252, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, PATH ":2:3: error: byte 0x81 is not a character in "
				 "Windows-1252; is the file really Windows-1252? save it as "
				 "\"CSV UTF-8 (Comma delimited)\"");
	lm_csv_release(&csv);
}

/* Every byte from 0x80 up, alone in a cell after a multi-line field:
 * decoded as lm_cp1252_to_utf8 decodes it, or refused where it refuses. */
static void test_stream_cp1252_every_byte(void **state)
{
	(void)state;
	int undefined = 0;
	for (int byte = 0x80; byte <= 0xFF; byte++) {
		char data[64], out[2048], want[2048];
		int line = 0, col = 0;
		int n = snprintf(data, sizeof(data), "id,name\n\"x\r\ny\", %c%c\n", byte, byte);
		struct lm_buf utf8 = LM_BUF_INIT;
		char two[2] = { (char)byte, (char)byte };
		int defined = lm_cp1252_to_utf8(two, 2, &utf8) == 0;
		int rc = read_cp1252_row(data, (size_t)n, out, sizeof(out), &line, &col);
		if (defined) {
			assert_int_equal(rc, 1);
			assert_string_equal(out, utf8.ptr);
			assert_int_equal(line, 3);
			assert_int_equal(col, 5);
		} else {
			undefined++;
			assert_int_equal(rc, -1);
			snprintf(want, sizeof(want), PATH ":3:5: error: byte 0x%02x is not a "
				 "character in Windows-1252; is the file really Windows-1252? "
				 "save it as \"CSV UTF-8 (Comma delimited)\"", byte);
			assert_string_equal(out, want);
		}
		lm_buf_release(&utf8);
	}
	assert_int_equal(undefined, 5); /* 0x81 0x8D 0x8F 0x90 0x9D */
}

#define HUGE_CELL 10000000
#define MIB (1u << 20)

/* A file of `head`, HUGE_CELL x's, then `tail`. */
static int huge_file(const char *head, const char *tail)
{
	static char xs[MIB];
	memset(xs, 'x', sizeof(xs));
	int fd = temp_fd(head, strlen(head));
	for (size_t left = HUGE_CELL; left;) {
		size_t n = left < sizeof(xs) ? left : sizeof(xs);
		write_all(fd, xs, n);
		left -= n;
	}
	write_all(fd, tail, strlen(tail));
	return fd;
}

static void expect_huge_error(int fd, size_t chunk, enum lm_input_encoding enc, const char *want)
{
	struct lm_csv_reader r;
	struct lm_diag d;
	char out[2048];
	lm_csv_reader_init(&r);
	r.chunk = chunk;
	assert_int_equal(lm_csv_reader_open(&r, PATH, fd, enc, &d), 0);
	assert_int_equal(lm_csv_reader_next(&r, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, want);
	/* the cell was counted, not kept */
	assert_true(r.pool_cap < MIB);
	assert_true(r.wcap < MIB);
	assert_true(r.afields < 16);
	lm_csv_reader_release(&r);
}

static void test_stream_huge_cell(void **state)
{
	(void)state;
	static const char too_long[] =
		PATH ":2:3: error: this cell holds 10000000 bytes; a cell may hold at "
		"most 65536 (is a quote left open, or is this not the right file?)";
	static const char never_closed[] =
		PATH ":2:3: error: the quote that opens this field is never closed; add "
		"the closing '\"' (a quote inside a value is written twice: \"\")";

	int fd = huge_file("a,b\n1,", "\n");
	expect_huge_error(fd, 0, LM_INPUT_UTF8, too_long);
	expect_huge_error(fd, 4093, LM_INPUT_UTF8, too_long);
	expect_huge_error(fd, 0, LM_INPUT_CP1252, too_long);
	assert_int_equal(close(fd), 0);

	/* quoted, closed only at the end of it */
	fd = huge_file("a,b\n1,\"", "\"\n2,3\n");
	expect_huge_error(fd, 0, LM_INPUT_UTF8, too_long);
	assert_int_equal(close(fd), 0);

	/* a quote left open to the end of the file: said as such (the more
	 * exact message), still in bounded memory */
	fd = huge_file("a,b\n1,\"", "");
	expect_huge_error(fd, 0, LM_INPUT_UTF8, never_closed);
	expect_huge_error(fd, 0, LM_INPUT_CP1252, never_closed);
	assert_int_equal(close(fd), 0);

	/* lm_csv_parse, from memory, says the same */
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "a,b\n1,");
	add_run(&b, 'x', HUGE_CELL);
	lm_buf_adds(&b, "\n");
	struct lm_csv csv;
	struct lm_diag d;
	expect_error(b.ptr, b.len, too_long);
	/* and a cell of exactly the most is kept whole */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "a,b\n1,");
	add_run(&b, 'x', LM_CSV_MAX_CELL);
	lm_buf_adds(&b, "\n");
	assert_int_equal(parse(&csv, b.ptr, b.len, &d), 0);
	assert_int_equal(lm_csv_get(&csv, 0, 1)->len, LM_CSV_MAX_CELL);
	lm_csv_release(&csv);
	differential(b.ptr, b.len, LM_INPUT_UTF8);
	lm_buf_addc(&b, 'x'); /* one more byte, now in the cell */
	memmove(b.ptr + b.len - 2, "x\n", 2);
	expect_error(b.ptr, b.len, PATH ":2:3: error: this cell holds 65537 bytes; a cell may hold "
		     "at most 65536 (is a quote left open, or is this not the right file?)");
	differential(b.ptr, b.len, LM_INPUT_UTF8);
	lm_buf_release(&b);
}

#define COMMAS 1000000

static void test_stream_many_commas(void **state)
{
	(void)state;
	static const char want[] =
		PATH ":2:4: error: row has 1000001 fields but the header row has 2; put a "
		"value that holds a comma in double quotes, or name the extra column in "
		"the header row";
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "a,b\nx");
	add_run(&b, ',', COMMAS);
	lm_buf_adds(&b, "\n");

	int fd = temp_fd(b.ptr, b.len);
	for (int way = 0; way < 3; way++) {
		struct lm_csv_reader r;
		struct lm_diag d;
		char out[2048];
		lm_csv_reader_init(&r);
		r.chunk = way == 1 ? 7 : 0;
		if (way < 2)
			assert_int_equal(lm_csv_reader_open_mem(&r, PATH, b.ptr, b.len,
								LM_INPUT_UTF8, &d), 0);
		else
			assert_int_equal(lm_csv_reader_open(&r, PATH, fd, LM_INPUT_UTF8, &d), 0);
		assert_int_equal(lm_csv_reader_next(&r, &d), -1);
		lm_diag_format(&d, out, sizeof(out));
		assert_string_equal(out, want);
		assert_true(r.afields < 16);
		assert_true(r.pool_cap <= 4096);
		lm_csv_reader_release(&r);
	}
	assert_int_equal(close(fd), 0);

	struct lm_diag d;
	expect_error(b.ptr, b.len, want);

	/* a row of nothing but commas is a cleared row: dropped, at no cost */
	lm_buf_reset(&b);
	lm_buf_adds(&b, "a,b\n");
	add_run(&b, ',', COMMAS);
	lm_buf_adds(&b, "\n1,2\n");
	struct lm_csv_reader r;
	lm_csv_reader_init(&r);
	assert_int_equal(lm_csv_reader_open_mem(&r, PATH, b.ptr, b.len, LM_INPUT_UTF8, &d), 0);
	assert_int_equal(lm_csv_reader_next(&r, &d), 1);
	assert_int_equal(r.row_line, 3);
	assert_string_equal(r.cells[1].text, "2");
	assert_true(r.afields < 16);
	assert_true(r.pool_cap <= 4096);
	assert_int_equal(lm_csv_reader_next(&r, &d), 0);
	lm_csv_reader_release(&r);
	lm_buf_release(&b);
}

/* A header of `n` columns c1..cn; the column where the last one starts. */
static int wide_header(struct lm_buf *b, int n)
{
	int col = 0;
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			lm_buf_addc(b, ',');
		col = (int)b->len + 1;
		lm_buf_addf(b, "c%d", i);
	}
	lm_buf_adds(b, "\n");
	return col;
}

static void test_stream_too_many_columns(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	int col = wide_header(&b, LM_CSV_MAX_COLS + 1);
	lm_buf_adds(&b, "1\n");
	char want[512], out[2048];
	snprintf(want, sizeof(want), PATH ":1:%d: error: the header row has more than 4096 "
		 "columns; is this the right file? (a sheet saved with formatting far to the "
		 "right has empty columns: delete them)", col);

	struct lm_csv_reader r;
	struct lm_diag d;
	int fd = temp_fd(b.ptr, b.len);
	for (int way = 0; way < 2; way++) {
		lm_csv_reader_init(&r);
		int rc = way ? lm_csv_reader_open(&r, PATH, fd, LM_INPUT_UTF8, &d)
			     : lm_csv_reader_open_mem(&r, PATH, b.ptr, b.len, LM_INPUT_UTF8, &d);
		assert_int_equal(rc, -1);
		lm_diag_format(&d, out, sizeof(out));
		assert_string_equal(out, want);
		lm_csv_reader_release(&r);
	}
	assert_int_equal(close(fd), 0);
	expect_error(b.ptr, b.len, want);

	/* the most there may be */
	lm_buf_reset(&b);
	wide_header(&b, LM_CSV_MAX_COLS);
	for (int i = 1; i <= LM_CSV_MAX_COLS; i++)
		lm_buf_addf(&b, "%d%s", i, i < LM_CSV_MAX_COLS ? "," : "\n");
	lm_csv_reader_init(&r);
	r.chunk = 3;
	assert_int_equal(lm_csv_reader_open_mem(&r, PATH, b.ptr, b.len, LM_INPUT_UTF8, &d), 0);
	assert_int_equal(r.ncols, LM_CSV_MAX_COLS);
	assert_string_equal(r.header[LM_CSV_MAX_COLS - 1], "c4096");
	assert_int_equal(lm_csv_reader_column(&r, "c4096"), LM_CSV_MAX_COLS - 1);
	assert_int_equal(lm_csv_reader_next(&r, &d), 1);
	assert_string_equal(r.cells[LM_CSV_MAX_COLS - 1].text, "4096");
	assert_int_equal(r.cells[LM_CSV_MAX_COLS - 1].line, 2);
	assert_int_equal(lm_csv_reader_next(&r, &d), 0);
	lm_csv_reader_release(&r);

	/* a cleared row wider than that, before the header, is still only
	 * an empty row */
	lm_buf_reset(&b);
	for (int i = 0; i < 5000; i++)
		lm_buf_addc(&b, ',');
	lm_buf_adds(&b, "\nid,name\n1,Bob\n");
	lm_csv_reader_init(&r);
	assert_int_equal(lm_csv_reader_open_mem(&r, PATH, b.ptr, b.len, LM_INPUT_UTF8, &d), 0);
	assert_int_equal(r.ncols, 2);
	assert_int_equal(r.header_cells[0].line, 2);
	assert_true(r.afields <= 8192);
	assert_int_equal(lm_csv_reader_next(&r, &d), 1);
	assert_string_equal(r.cells[1].text, "Bob");
	lm_csv_reader_release(&r);
	lm_buf_release(&b);
}

#define MANY_ROWS 100000

static void test_stream_many_rows(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "id,name,note\r\n");
	for (int i = 0; i < MANY_ROWS; i++)
		lm_buf_addf(&b, "r%d,Name %d,\"x\r\ny\"\r\n", i, i);
	assert_true(b.len > 20 * 65536);
	int fd = temp_fd(b.ptr, b.len);
	lm_buf_release(&b);

	struct lm_csv_reader r;
	struct lm_diag d;
	lm_csv_reader_init(&r);
	assert_int_equal(lm_csv_reader_open(&r, PATH, fd, LM_INPUT_UTF8, &d), 0);
	assert_int_equal(r.ncols, 3);
	char id[32], name[32];
	int rc, i = 0;
	while ((rc = lm_csv_reader_next(&r, &d)) == 1) {
		snprintf(id, sizeof(id), "r%d", i);
		snprintf(name, sizeof(name), "Name %d", i);
		int line = 2 + 2 * i;
		assert_int_equal(r.row_line, line);
		assert_string_equal(r.cells[0].text, id);
		assert_int_equal(r.cells[0].line, line);
		assert_int_equal(r.cells[0].col, 1);
		assert_string_equal(r.cells[1].text, name);
		assert_int_equal(r.cells[1].col, (int)strlen(id) + 2);
		assert_string_equal(r.cells[2].text, "x\ny");
		assert_int_equal(r.cells[2].line, line);
		assert_int_equal(r.cells[2].col, (int)(strlen(id) + strlen(name)) + 3);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, MANY_ROWS);
	assert_int_equal(r.nrows, MANY_ROWS);
	/* the last row: r99999,Name 99999,"x<CRLF>y" on line 200000 */
	assert_int_equal(r.row_line, 200000);
	assert_string_equal(r.cells[0].text, "r99999");
	assert_int_equal(r.cells[2].line, 200000);
	assert_int_equal(r.cells[2].col, 19);
	/* memory: a window of two chunks at most, a row's pool */
	assert_true(r.wcap <= 2 * 65536 + 64);
	assert_true(r.pool_cap <= 4096);
	assert_true(r.afields <= 8);
	lm_csv_reader_release(&r);
	assert_int_equal(close(fd), 0);
}

static void test_stream_read_error(void **state)
{
	(void)state;
	int fd = open("/tmp", O_RDONLY);
	assert_true(fd >= 0);
	struct lm_csv_reader r;
	struct lm_diag d;
	char out[2048];
	lm_csv_reader_init(&r);
	assert_int_equal(lm_csv_reader_open(&r, PATH, fd, LM_INPUT_UTF8, &d), -1);
	lm_diag_format(&d, out, sizeof(out));
	assert_string_equal(out, PATH ": error: cannot read '" PATH "': Is a directory; "
				 "check that it is a readable file");
	lm_csv_reader_release(&r);
	assert_int_equal(close(fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_lone_cr_and_no_final_newline),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_lenient_quotes),
		cmocka_unit_test(test_trimming),
		cmocka_unit_test(test_empty_rows_skipped),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_encoding_override_checked),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_sniff_delimiter),
		cmocka_unit_test(test_column_names),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_unclosed_quote),
		cmocka_unit_test(test_ragged),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_stream_differential),
		cmocka_unit_test(test_stream_cp1252),
		cmocka_unit_test(test_stream_cp1252_every_byte),
		cmocka_unit_test(test_stream_huge_cell),
		cmocka_unit_test(test_stream_many_commas),
		cmocka_unit_test(test_stream_too_many_columns),
		cmocka_unit_test(test_stream_many_rows),
		cmocka_unit_test(test_stream_read_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
