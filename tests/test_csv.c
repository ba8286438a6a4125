#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "csv.h"
#include "diag.h"

#define PATH "areas/liverpool/contacts.csv"

static int parse(struct lm_csv *csv, const char *data, size_t len,
		 struct lm_diag *d)
{
	lm_csv_init(csv);
	lm_diag_clear(d);
	return lm_csv_parse(csv, PATH, data, len, d);
}

#define PARSE(csv, lit, d) parse((csv), (lit), sizeof(lit) - 1, (d))

/* Parses `lit`, expects failure, and checks the printed diagnostic. */
#define EXPECT_ERROR(lit, want)                                              \
	do {                                                                 \
		struct lm_csv c_;                                            \
		struct lm_diag d_;                                           \
		char out_[2048];                                             \
		assert_int_equal(PARSE(&c_, lit, &d_), -1);                  \
		lm_diag_format(&d_, out_, sizeof(out_));                     \
		assert_string_equal(out_, want);                             \
		assert_int_equal(c_.nrows, 0);                               \
		lm_csv_release(&c_);                                         \
	} while (0)

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

static void test_not_utf8(void **state)
{
	(void)state;
	EXPECT_ERROR("id,name\ncareline,O\x92" "Brien\n",
		PATH ":2:11: error: the file is not UTF-8 (byte 0x92 at this "
		"point; Excel's plain \"CSV\" save uses Windows-1252): save it "
		"as \"CSV UTF-8 (Comma delimited)\", or run with "
		"--input-encoding windows-1252");
	/* columns count characters, not bytes; a bad lead byte is the spot */
	EXPECT_ERROR("id,name\r\n\xE2\x80\x99,caf\xE9\r\n",
		PATH ":2:6: error: the file is not UTF-8 (byte 0xe9 at this "
		"point; Excel's plain \"CSV\" save uses Windows-1252): save it "
		"as \"CSV UTF-8 (Comma delimited)\", or run with "
		"--input-encoding windows-1252");
	/* a sequence cut short by the end of the file */
	EXPECT_ERROR("a\n\xC3",
		PATH ":2:1: error: the file is not UTF-8 (byte 0xc3 at this "
		"point; Excel's plain \"CSV\" save uses Windows-1252): save it "
		"as \"CSV UTF-8 (Comma delimited)\", or run with "
		"--input-encoding windows-1252");
	/* overlong encoding of '/' */
	EXPECT_ERROR("a\n\xC0\xAF",
		PATH ":2:1: error: the file is not UTF-8 (byte 0xc0 at this "
		"point; Excel's plain \"CSV\" save uses Windows-1252): save it "
		"as \"CSV UTF-8 (Comma delimited)\", or run with "
		"--input-encoding windows-1252");

	/* the right apostrophe in UTF-8 is fine */
	struct lm_csv csv;
	struct lm_diag d;
	assert_int_equal(PARSE(&csv, "id,name\ncareline,O\xE2\x80\x99" "Brien\n"
				     "\xC3\xA9t\xC3\xA9,x\n", &d), 0);
	assert_cell(&csv, 0, 1, "O\xE2\x80\x99" "Brien", 2, 10);
	assert_cell(&csv, 1, 1, "x", 3, 5);
	lm_csv_release(&csv);
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
	snprintf(want, sizeof(want), "%s: error: cannot read '%s': Is a directory; "
		 "check that it is a readable file", dir, dir);
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
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_unclosed_quote),
		cmocka_unit_test(test_ragged),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
