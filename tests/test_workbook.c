/* test_workbook.c - the .xlsx and .ods readers: on workbooks LibreOffice
 * saved (tests/workbook/, see make.sh there) and on small archives made
 * here with libzip for what a real program would never save (a sheet
 * repeated to a million rows, a zip bomb, broken XML, escapes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "area.h"
#include "buf.h"
#include "csv.h"
#include "diag.h"
#include "value.h"
#include "workbook.h"

static const char *src_dir; /* the source tree (argv[1]) */
static char tmp[64];         /* a folder for this run's files */

static char *fixture(const char *name)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", src_dir, name);
	return path[k];
}

static void format(const struct lm_diag *d, char *out, size_t n)
{
	lm_diag_format(d, out, n);
}

/* Loads `file` (`sheet` of it), expecting an error printed as `want`, in
 * which "@" stands for the file's path. */
static void expect_error(const char *file, const char *sheet, const char *want)
{
	struct lm_csv csv;
	struct lm_diag d;
	char out[2200], exp[2200];
	size_t n = 0;
	for (const char *p = want; *p && n + 600 < sizeof(exp); p++) {
		if (*p == '@')
			n += (size_t)snprintf(exp + n, sizeof(exp) - n, "%s", file);
		else
			exp[n++] = *p;
	}
	exp[n] = '\0';
	lm_csv_init(&csv);
	lm_diag_clear(&d);
	assert_int_equal(lm_csv_load_sheet(&csv, file, LM_INPUT_UTF8, sheet, 0, &d), -1);
	format(&d, out, sizeof(out));
	assert_string_equal(out, exp);
	lm_csv_release(&csv);
}

static void load(struct lm_csv *csv, const char *file, const char *sheet)
{
	struct lm_diag d;
	lm_csv_init(csv);
	lm_diag_clear(&d);
	int rc = lm_csv_load_sheet(csv, file, LM_INPUT_UTF8, sheet, 0, &d);
	if (rc) {
		char out[2200];
		format(&d, out, sizeof(out));
		fail_msg("%s", out);
	}
}

static const char *cell(const struct lm_csv *csv, size_t row, const char *col)
{
	int c = lm_csv_column(csv, col);
	assert_true(c >= 0);
	return lm_csv_get(csv, row, (size_t)c)->text;
}

/* ---- workbooks LibreOffice saved ---- */

/* Every kind of cell, read the same from .xlsx and .ods. */
static void check_cells(const char *file)
{
	struct lm_csv csv;
	char want[600];
	load(&csv, fixture(file), NULL);
	snprintf(want, sizeof(want), "%s#cells", fixture(file));
	assert_string_equal(csv.path, want);
	assert_int_equal(csv.ncols, 8);
	assert_int_equal(csv.nrows, 2);
	assert_string_equal(cell(&csv, 0, "name"), "Ann O'Neill & <Co>");
	assert_string_equal(cell(&csv, 0, "when"), "2015-03-17"); /* shown as 17/03/2015 */
	assert_string_equal(cell(&csv, 0, "count"), "42");
	assert_string_equal(cell(&csv, 0, "ratio"), "2.5");
	assert_string_equal(cell(&csv, 0, "flag"), "TRUE");
	assert_string_equal(cell(&csv, 0, "phone"), "0151 233 0476");
	assert_string_equal(cell(&csv, 0, "note"), "two\nlines");
	assert_string_equal(cell(&csv, 0, "sum"), "84"); /* the formula's saved value */
	/* rows 3 to 5 are empty; in row 6, G6:H6 are merged */
	assert_int_equal(csv.row_line[1], 6);
	assert_string_equal(cell(&csv, 1, "name"), "Bob");
	assert_string_equal(cell(&csv, 1, "when"), "");
	assert_string_equal(cell(&csv, 1, "flag"), "FALSE");
	assert_string_equal(cell(&csv, 1, "note"), "merged");
	assert_string_equal(cell(&csv, 1, "sum"), "");
	const struct lm_csv_cell *c = lm_csv_get(&csv, 1, 4);
	assert_int_equal(c->line, 6);
	assert_int_equal(c->col, 5);
	assert_int_equal(csv.header_cells[7].line, 1);
	assert_int_equal(csv.header_cells[7].col, 8);
	lm_csv_release(&csv);
}

static void test_xlsx_cells(void **state)
{
	(void)state;
	check_cells("tests/workbook/cells.xlsx");
}

static void test_ods_cells(void **state)
{
	(void)state;
	check_cells("tests/workbook/cells.ods");
}

static void test_damage_named_by_cell(void **state)
{
	(void)state;
	static const char *const files[] = { "tests/workbook/cells.xlsx", "tests/workbook/cells.ods" };
	for (int i = 0; i < 2; i++) {
		expect_error(fixture(files[i]), "damaged",
			     "@#damaged!B2: error: this cell holds the number 1512330476: a phone number or "
			     "reference that Excel turned into a number (it drops the leading 0 and shows it "
			     "as 1.51233E+09); format the column as Text and type the values again");
		expect_error(fixture(files[i]), "formula error",
			     "@#formula error!A2: error: this cell shows the error #DIV/0!; correct its "
			     "formula, or type the value");
		expect_error(fixture(files[i]), "Cells",
			     "@: error: '@' has no sheet called 'Cells'; its sheets are 'cells', 'damaged', "
			     "'formula error'");
	}
}

/* The bundled Liverpool files as Calc saves them, read the same as the
 * CSV files they came from: Calc made the urn, copies and phone numbers
 * numbers and the verified column dates. */
static void same_as_csv(const char *csv_name, const char *book)
{
	struct lm_csv a, b;
	load(&a, fixture(csv_name), NULL);
	load(&b, fixture(book), NULL);
	assert_int_equal(a.ncols, b.ncols);
	assert_int_equal(a.nrows, b.nrows);
	for (size_t c = 0; c < a.ncols; c++)
		assert_string_equal(a.header[c], b.header[c]);
	for (size_t r = 0; r < a.nrows; r++)
		for (size_t c = 0; c < a.ncols; c++)
			assert_string_equal(lm_csv_get(&a, r, c)->text, lm_csv_get(&b, r, c)->text);
	lm_csv_release(&a);
	lm_csv_release(&b);
}

static void test_same_as_csv(void **state)
{
	(void)state;
	static const char *const names[] = { "area", "contacts", "signatories", "schools" };
	char c[128], x[128], o[128];
	for (int i = 0; i < 4; i++) {
		snprintf(c, sizeof(c), "areas/liverpool/%s.csv", names[i]);
		snprintf(x, sizeof(x), "tests/workbook/liverpool-csv/%s.xlsx", names[i]);
		snprintf(o, sizeof(o), "tests/workbook/liverpool-csv/%s.ods", names[i]);
		same_as_csv(c, x);
		same_as_csv(c, o);
	}
	same_as_csv("areas/liverpool/schools.csv", "tests/workbook/schools.xlsx");
	same_as_csv("areas/liverpool/schools.csv", "tests/workbook/schools.ods");
}

/* Dates of a 1904 workbook are the same days. */
static void test_1904(void **state)
{
	(void)state;
	struct lm_csv a, b, c;
	load(&a, fixture("tests/workbook/area.xlsx"), "contacts");
	load(&b, fixture("tests/workbook/area1904.xlsx"), "contacts");
	load(&c, fixture("tests/workbook/area1904.ods"), "contacts");
	assert_string_equal(cell(&a, 0, "verified"), "2026-11-01");
	assert_string_equal(cell(&b, 0, "verified"), "2026-11-01");
	assert_string_equal(cell(&c, 0, "verified"), "2026-11-01");
	lm_csv_release(&a);
	lm_csv_release(&b);
	lm_csv_release(&c);
}

/* The first sheet shown is the default; a hidden one is read by name. */
static void test_hidden_sheet(void **state)
{
	(void)state;
	static const char *const files[] = { "tests/workbook/schools.xlsx", "tests/workbook/schools.ods" };
	for (int i = 0; i < 2; i++) {
		struct lm_csv csv;
		load(&csv, fixture(files[i]), NULL);
		assert_string_equal(csv.header[0], "urn");
		lm_csv_release(&csv);
		load(&csv, fixture(files[i]), "notes");
		assert_string_equal(csv.header[0], "note");
		assert_int_equal(csv.nrows, 1);
		lm_csv_release(&csv);
		load(&csv, fixture(files[i]), "other");
		assert_string_equal(csv.header[0], "x");
		lm_csv_release(&csv);
	}
}

/* Streamed from a file descriptor, row by row, as a recipients file is. */
static void test_streamed(void **state)
{
	(void)state;
	struct lm_csv want;
	load(&want, fixture("areas/liverpool/schools.csv"), NULL);
	static const char *const files[] = { "tests/workbook/schools.xlsx", "tests/workbook/schools.ods" };
	for (int i = 0; i < 2; i++) {
		struct lm_csv_reader r;
		struct lm_diag d;
		lm_csv_reader_init(&r);
		int fd = open(fixture(files[i]), O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(lm_csv_reader_open_sheet(&r, fixture(files[i]), fd, LM_INPUT_UTF8, NULL, 0, &d), 0);
		/* a second pass over the same descriptor reads the same rows */
		for (int pass = 0; pass < 2; pass++) {
			size_t row = 0;
			int rc;
			while ((rc = lm_csv_reader_next(&r, &d)) == 1) {
				assert_int_equal(r.row_line, (int)row + 2);
				for (size_t c = 0; c < want.ncols; c++)
					assert_string_equal(r.cells[c].text, lm_csv_get(&want, row, c)->text);
				row++;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(row, want.nrows);
			lm_csv_reader_release(&r);
			assert_int_equal(lm_csv_reader_open_sheet(&r, fixture(files[i]), fd, LM_INPUT_UTF8,
								  "schools", 0, &d), 0);
		}
		lm_csv_reader_release(&r);
		close(fd);
	}
	lm_csv_release(&want);
}

/* ---- archives made here ---- */

struct part {
	const char *name, *text;
	size_t len; /* 0: strlen(text) */
};

static void make_zip(const char *path, const struct part *parts)
{
	int err;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	for (; parts->name; parts++) {
		size_t n = parts->len ? parts->len : strlen(parts->text);
		zip_source_t *s = zip_source_buffer(z, parts->text, n, 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts->name, s, ZIP_FL_OVERWRITE) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

static const char WORKBOOK[] =
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] =
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/></Relationships>";

/* An .xlsx of one sheet "S" with sheetData `rows` (and shared strings `sst`). */
static char *xlsx(const char *name, const char *rows, const char *sst)
{
	static char path[128];
	struct lm_buf sheet = LM_BUF_INIT;
	lm_buf_addf(&sheet, "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
			    "<sheetData>%s</sheetData></worksheet>", rows);
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	struct part parts[] = { { "xl/workbook.xml", WORKBOOK, 0 }, { "xl/_rels/workbook.xml.rels", RELS, 0 },
				{ "xl/worksheets/sheet1.xml", sheet.ptr, 0 },
				{ sst ? "xl/sharedStrings.xml" : NULL, sst, 0 }, { NULL, NULL, 0 } };
	make_zip(path, parts);
	lm_buf_release(&sheet);
	return path;
}

static char *ods(const char *name, const char *table)
{
	static char path[128];
	struct lm_buf c = LM_BUF_INIT;
	lm_buf_addf(&c, "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
			"xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
			"xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet>"
			"<table:table table:name=\"T\">%s</table:table></office:spreadsheet></office:body>"
			"</office:document-content>", table);
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	struct part parts[] = { { "mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0 },
				{ "content.xml", c.ptr, 0 }, { NULL, NULL, 0 } };
	make_zip(path, parts);
	lm_buf_release(&c);
	return path;
}

#define ROW(cells) "<table:table-row>" cells "</table:table-row>"
#define TC(t) "<table:table-cell office:value-type=\"string\"><text:p>" t "</text:p></table:table-cell>"

/* Calc writes a sheet's empty rest as repeated rows and cells: a million
 * empty rows and 16,384 empty columns cost nothing, and a row repeated
 * with values is that many rows. */
static void test_ods_repeats(void **state)
{
	(void)state;
	char *path = ods("repeat.ods",
		ROW(TC("a") TC("b"))
		"<table:table-row table:number-rows-repeated=\"1000000\">"
		"<table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
		"<table:table-row table:number-rows-repeated=\"3\">" TC("x")
		"<table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>"
		ROW("<table:table-cell/>" TC("<text:s text:c=\"2\"/>y<text:tab/>z<text:line-break/>w")
		    "<office:annotation><text:p>a note</text:p></office:annotation>"));
	struct lm_csv csv;
	load(&csv, path, NULL);
	assert_int_equal(csv.nrows, 4);
	assert_int_equal(csv.row_line[0], 1000002);
	assert_int_equal(csv.row_line[2], 1000004);
	assert_string_equal(cell(&csv, 2, "a"), "x");
	assert_int_equal(csv.row_line[3], 1000005);
	assert_string_equal(cell(&csv, 3, "a"), "");
	assert_string_equal(cell(&csv, 3, "b"), "y\tz\nw"); /* leading spaces trimmed, as in a CSV */
	lm_csv_release(&csv);

	/* a value repeated past the header, and rows past a sheet's end */
	path = ods("wide.ods", ROW(TC("a")) "<table:table-row><table:table-cell table:number-columns-repeated=\"3\" "
				"office:value-type=\"string\"><text:p>v</text:p></table:table-cell></table:table-row>");
	expect_error(path, NULL, "@#T!B2: error: this cell holds 'v' but its column has no name in the header "
				 "row (which ends at column B); name the column or clear the cell");
	path = ods("long.ods", ROW(TC("a")) "<table:table-row table:number-rows-repeated=\"2000000\">"
				"<table:table-cell/></table:table-row>" ROW(TC("late")));
	expect_error(path, NULL, "@#T!A1048576: error: this sheet goes on past row 1048576, the most a "
				 "spreadsheet has; is the workbook damaged? open it in Excel or LibreOffice and "
				 "save it again");
}

static void test_xlsx_escapes_and_kinds(void **state)
{
	(void)state;
	char *path = xlsx("kinds.xlsx",
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\"><is><t>b</t></is></c>"
		"<c r=\"C1\" t=\"s\"><v>1</v></c><c r=\"D1\" t=\"str\"><v>d</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c>"
		"<c r=\"B3\" t=\"inlineStr\"><is><r><t>rich </t></r><r><t>text</t></r><rPh><t>yomi</t></rPh></is></c>"
		"<c r=\"C3\" t=\"d\"><v>2015-03-17T00:00:00</v></c><c r=\"D3\"><f>1+1</f><v>-3.25E-3</v></c></row>",
		"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<si><t>a</t></si><si><t>c</t></si><si><t>x_x000D__x000A_y_x005F_x0041_</t></si></sst>");
	struct lm_csv csv;
	load(&csv, path, NULL);
	assert_int_equal(csv.ncols, 4);
	assert_string_equal(csv.header[1], "b");
	assert_string_equal(cell(&csv, 0, "a"), "x\ny_x0041_");
	assert_string_equal(cell(&csv, 0, "b"), "rich text");
	assert_string_equal(cell(&csv, 0, "c"), "2015-03-17");
	assert_string_equal(cell(&csv, 0, "d"), "-0.00325");
	assert_int_equal(csv.row_line[0], 3);
	lm_csv_release(&csv);

	path = xlsx("big.xlsx", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
				"<row r=\"2\"><c r=\"A2\"><v>1.2345678901234567E+17</v></c></row>", NULL);
	expect_error(path, NULL, "@#S!A2: error: this cell holds the number 1.2345678901234567E+17, too long for "
				 "Excel to keep every digit: a reference that Excel turned into a number; format the "
				 "column as Text and type the values again");
	path = xlsx("sst.xlsx", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>", NULL);
	expect_error(path, NULL, "@#S!A1: error: this cell names shared string 7, which the workbook does not "
				 "have; is it damaged? open it in Excel or LibreOffice and save it again");
	path = xlsx("ctl.xlsx", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a_x0007_</t></is></c></row>", NULL);
	expect_error(path, NULL, "@#S!A1: error: this cell holds the control character U+0007, which no "
				 "letter can show; delete it from the cell");
	path = xlsx("gap.xlsx", "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a</t></is></c>"
				"<c r=\"C2\" t=\"inlineStr\"><is><t>c</t></is></c></row>", NULL);
	expect_error(path, NULL, "@#S!B2: error: column 2 of the header row has no name; name it or delete the column");
	path = xlsx("dup.xlsx", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>"
				"<c r=\"B1\" t=\"inlineStr\"><is><t>a</t></is></c></row>", NULL);
	expect_error(path, NULL, "@#S!B1: error: column 'a' appears twice in the header row (columns 1 and 2); "
				 "rename or delete one");
	path = xlsx("names.xlsx", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Post code</t></is></c>"
				"<c r=\"B1\" t=\"inlineStr\"><is><t>postcode</t></is></c></row>", NULL);
	expect_error(path, NULL, "@#S!B1: error: columns 'Post code' (column 1) and 'postcode' (column 2) have one "
				 "name to a letter, which ignores case, spaces, '_', '-' and brackets; rename or delete one");
	path = xlsx("empty.xlsx", "", NULL);
	expect_error(path, NULL, "@#S: error: sheet is empty: it needs a header row (the names of its columns) "
				 "in its first row");
	path = xlsx("order.xlsx", "<row r=\"2\"/><row r=\"1\"/>", NULL);
	expect_error(path, NULL, "@#S!A3: error: the rows of this sheet are out of order or past row 1048576; "
				 "is the workbook damaged? open it in Excel or LibreOffice and save it again");
}

static void test_broken_archives(void **state)
{
	(void)state;
	char path[128];
	/* broken XML, named with its part and line */
	snprintf(path, sizeof(path), "%s/broken.xlsx", tmp);
	struct part broken[] = { { "xl/workbook.xml", "<workbook>\n<sheets><sheet name=\"a\"</sheets>", 0 },
				 { NULL, NULL, 0 } };
	make_zip(path, broken);
	expect_error(path, NULL, "@: error: '@': the part xl/workbook.xml is not well-formed XML (line 2: "
				 "attributes construct error); is the workbook damaged? open it in Excel or "
				 "LibreOffice and save it again");
	/* a zip that is no workbook (a Word file, say) */
	snprintf(path, sizeof(path), "%s/letter.xlsx", tmp);
	struct part docx[] = { { "word/document.xml", "<w/>", 0 }, { NULL, NULL, 0 } };
	make_zip(path, docx);
	expect_error(path, NULL, "@: error: '@' is a zip archive but not an .xlsx or .ods workbook (no "
				 "spreadsheet inside); save the sheet from Excel as \"Excel Workbook (.xlsx)\" or "
				 "from Calc as .ods, or as CSV");
	/* a zip bomb: 70 MB of shared strings, 70 kB packed */
	size_t big = 70u << 20;
	char *fill = malloc(big);
	assert_non_null(fill);
	memset(fill, ' ', big);
	memcpy(fill, "<sst>", 5);
	snprintf(path, sizeof(path), "%s/bomb.xlsx", tmp);
	struct lm_buf sheet = LM_BUF_INIT;
	struct part bomb[] = { { "xl/workbook.xml", WORKBOOK, 0 }, { "xl/_rels/workbook.xml.rels", RELS, 0 },
			       { "xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>", 0 },
			       { "xl/sharedStrings.xml", fill, big }, { NULL, NULL, 0 } };
	make_zip(path, bomb);
	free(fill);
	lm_buf_release(&sheet);
	expect_error(path, NULL, "@: error: '@': the part xl/sharedStrings.xml unpacks to more than 64 MB, "
				 "more than any real sheet of names and addresses; is this the right file? (save a "
				 "very large list as CSV)");
	/* an old .xls (an OLE file) */
	snprintf(path, sizeof(path), "%s/old.xls", tmp);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", 1, 13, fp);
	fclose(fp);
	expect_error(path, NULL, "@: error: '@' is an old Excel .xls workbook (or an encrypted one), which "
				 "cannot be read; save it as \"Excel Workbook (.xlsx)\" (without a password) or as CSV");
	/* a truncated archive */
	snprintf(path, sizeof(path), "%s/cut.xlsx", tmp);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite("PK\x03\x04\x14\x00", 1, 6, fp);
	fclose(fp);
	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	assert_int_equal(lm_csv_load_sheet(&csv, path, LM_INPUT_UTF8, NULL, 0, &d), -1);
	assert_non_null(strstr(d.msg, "looks like a workbook but cannot be opened as one"));
	lm_csv_release(&csv);
}

/* ---- an area folder of workbooks ---- */

static void copy(const char *from, const char *to)
{
	struct lm_buf b = LM_BUF_INIT;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	lm_buf_release(&b);
}

static char *area_dir(const char *book)
{
	static char dir[160];
	char to[512];
	snprintf(dir, sizeof(dir), "%s/liverpool", tmp);
	mkdir(dir, 0700);
	DIR *dp = opendir(dir);
	struct dirent *e;
	while (dp && (e = readdir(dp)))
		if (e->d_name[0] != '.') {
			snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
			unlink(to);
		}
	if (dp)
		closedir(dp);
	for (int i = 0; i < 2; i++) {
		const char *png = i ? "signature-police.png" : "signature-lead.png";
		char from[512];
		snprintf(from, sizeof(from), "%s/areas/liverpool/%s", src_dir, png);
		snprintf(to, sizeof(to), "%s/%s", dir, png);
		copy(from, to);
	}
	const char *base = strrchr(book, '/');
	snprintf(to, sizeof(to), "%s/%s", dir, base ? base + 1 : book);
	copy(fixture(book), to);
	return dir;
}

static void test_area_workbook(void **state)
{
	(void)state;
	static const char *const books[] = { "tests/workbook/area.xlsx", "tests/workbook/area.ods" };
	for (int i = 0; i < 2; i++) {
		struct lm_arena *arena = lm_arena_new();
		struct lm_area area, want;
		struct lm_diag d;
		lm_area_init(&area);
		lm_area_init(&want);
		char *dir = area_dir(books[i]);
		int rc = lm_area_load(&area, arena, dir, &d);
		if (rc) {
			char out[2200];
			format(&d, out, sizeof(out));
			fail_msg("%s", out);
		}
		assert_int_equal(lm_area_load(&want, arena, fixture("areas/liverpool"), &d), 0);
		static const char *const paths[] = { "area.address", "area.direct_line", "contacts.careline.phone",
						     "contacts.emergency.verified", "signatories.lead.name", NULL };
		for (const char *const *p = paths; *p; p++) {
			const struct lm_value *a = lm_value_path(area.ctx, *p), *w = lm_value_path(want.ctx, *p);
			assert_non_null(a);
			assert_non_null(w);
			assert_string_equal(a->str, w->str);
		}
		/* each value remembers its cell */
		const struct lm_value *v = lm_value_path(area.ctx, "contacts.careline.phone");
		char where[300];
		snprintf(where, sizeof(where), "%s/%s#contacts", dir, i ? "area.ods" : "area.xlsx");
		assert_string_equal(v->file, where);
		assert_int_equal(v->line, 4);
		assert_int_equal(v->col, 5);
		lm_area_release(&area);
		lm_area_release(&want);
		lm_arena_free(arena);
	}
}

static void test_area_workbook_errors(void **state)
{
	(void)state;
	struct lm_arena *arena = lm_arena_new();
	struct lm_area area;
	struct lm_diag d;
	char out[2200], want[2200], to[600];
	lm_area_init(&area);
	/* a workbook without a contacts sheet */
	char *dir = area_dir("tests/workbook/cells.xlsx");
	snprintf(to, sizeof(to), "%s/cells.xlsx", dir);
	char area_xlsx[600];
	snprintf(area_xlsx, sizeof(area_xlsx), "%s/area.xlsx", dir);
	assert_int_equal(rename(to, area_xlsx), 0);
	assert_int_equal(lm_area_load(&area, arena, dir, &d), -1);
	format(&d, out, sizeof(out));
	snprintf(want, sizeof(want), "%s#cells!A1: error: column 'field' is missing from the header row; add "
		 "it (this file needs the columns field,value)", area_xlsx);
	assert_string_equal(out, want);
	/* two files for one table */
	dir = area_dir("tests/workbook/liverpool-csv/contacts.xlsx");
	char from[512];
	snprintf(from, sizeof(from), "%s/areas/liverpool/contacts.csv", src_dir);
	snprintf(to, sizeof(to), "%s/contacts.csv", dir);
	copy(from, to);
	snprintf(from, sizeof(from), "%s/areas/liverpool/area.csv", src_dir);
	snprintf(to, sizeof(to), "%s/area.csv", dir);
	copy(from, to);
	assert_int_equal(lm_area_load(&area, arena, dir, &d), -1);
	format(&d, out, sizeof(out));
	snprintf(want, sizeof(want), "%s/contacts.xlsx: error: both '%s/contacts.csv' and '%s/contacts.xlsx' are "
		 "in the area folder; keep one of them (the other is perhaps an old copy)", dir, dir, dir);
	assert_string_equal(out, want);
	lm_area_release(&area);
	lm_arena_free(arena);
}

static void test_sheet_path(void **state)
{
	(void)state;
	char col[8];
	lm_workbook_column_name(1, col);
	assert_string_equal(col, "A");
	lm_workbook_column_name(26, col);
	assert_string_equal(col, "Z");
	lm_workbook_column_name(27, col);
	assert_string_equal(col, "AA");
	lm_workbook_column_name(16384, col);
	assert_string_equal(col, "XFD");
	assert_true(lm_workbook_is_sheet_path("a/b.XLSX#Sheet 1"));
	assert_true(lm_workbook_is_sheet_path("b.ods#x#y"));
	assert_false(lm_workbook_is_sheet_path("notes#1.csv"));
	assert_false(lm_workbook_is_sheet_path("b.xlsx"));
	struct lm_diag d;
	lm_diag_clear(&d);
	lm_diag_set(&d, "b.xlsx#S", 7, 2, "m");
	char out[200];
	format(&d, out, sizeof(out));
	assert_string_equal(out, "b.xlsx#S!B7: error: m");
	lm_diag_set(&d, "b.csv", 7, 2, "m");
	format(&d, out, sizeof(out));
	assert_string_equal(out, "b.csv:7:2: error: m");
}

static void rmtree(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[512];
	while (dp && (e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) < 0)
			rmtree(p);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	src_dir = argc > 1 ? argv[1] : ".";
	strcpy(tmp, "/tmp/lmwbXXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlsx_cells),
		cmocka_unit_test(test_ods_cells),
		cmocka_unit_test(test_damage_named_by_cell),
		cmocka_unit_test(test_same_as_csv),
		cmocka_unit_test(test_1904),
		cmocka_unit_test(test_hidden_sheet),
		cmocka_unit_test(test_streamed),
		cmocka_unit_test(test_ods_repeats),
		cmocka_unit_test(test_xlsx_escapes_and_kinds),
		cmocka_unit_test(test_broken_archives),
		cmocka_unit_test(test_area_workbook),
		cmocka_unit_test(test_area_workbook_errors),
		cmocka_unit_test(test_sheet_path),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmtree(tmp);
	return rc;
}
