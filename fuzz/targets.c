/* targets.c - one input through the CSV loader, the template expander, or
 * the whole letter path to a PDF.  See targets.h. */
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "body.h"
#include "buf.h"
#include "check.h"
#include "csv.h"
#include "diag.h"
#include "font.h"
#include "frame.h"
#include "letter.h"
#include "recipient.h"
#include "layout.h"
#include "markdown.h"
#include "pdf.h"
#include "pdfr.h"
#include "template.h"
#include "date.h"
#include "utf8.h"
#include "validate.h"
#include "value.h"
#include "workbook.h"

#define MM LM_MM

static struct {
	int ready;
	struct lm_fonts fonts;
	int have_fonts;
	char *partials_dir;
	char *area_dir;   /* fuzz/area: the images a fuzzed area may name */
	struct lm_arena *arena;
	struct lm_value *ctx;
} g;

/* A broken invariant is a bug even when nothing crashed: abort so libFuzzer
 * keeps the input. */
#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "fuzz: %s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* ---- shared set-up ---- */

static void cleanup(void)
{
	if (g.have_fonts)
		lm_fonts_release(&g.fonts);
	lm_arena_free(g.arena);
	free(g.partials_dir);
	free(g.area_dir);
	memset(&g, 0, sizeof(g));
}

static struct lm_value *str(const char *s)
{
	struct lm_value *v = lm_value_strz(g.arena, s);
	lm_value_set_origin(v, "areas/fuzz/contacts.csv", 2, 3);
	return v;
}

static struct lm_value *contact(const char *id, const char *service, const char *phone,
				const char *web, const char *or_, const char *comma)
{
	struct lm_value *m = lm_value_map(g.arena);
	lm_value_set(g.arena, m, "id", str(id));
	lm_value_set(g.arena, m, "service", str(service));
	lm_value_set(g.arena, m, "provider", str("Merseyside *Police* [x](y)"));
	lm_value_set(g.arena, m, "phone", str(phone));
	lm_value_set(g.arena, m, "web", str(web));
	lm_value_set(g.arena, m, "or", str(or_));
	lm_value_set(g.arena, m, "comma", str(comma));
	lm_value_set(g.arena, m, "out_of_hours", str(""));
	return m;
}

/* The context a template is expanded against: shaped like an area's (see
 * docs/formats.md), with values that are Markdown, empty, "no", multi-line
 * and long, and lists of maps and of strings. */
static void build_context(void)
{
	struct lm_arena *a = g.arena;
	struct lm_value *ctx = lm_value_map(a);

	struct lm_value *area = lm_value_map(a);
	lm_value_set(a, area, "id", str("fuzz"));
	lm_value_set(a, area, "name", str("Liverpool"));
	lm_value_set(a, area, "police_force", str("Merseyside Police"));
	lm_value_set(a, area, "on_behalf_of", str("the _Local_ Safeguarding **Board** & #1"));
	lm_value_set(a, area, "address", str("Cunard Building\nWater Street\r\n  Liverpool L3 1DS"));
	lm_value_set(a, area, "safeguard_scope", str("all children"));
	lm_value_set(a, area, "empty", str(""));
	lm_value_set(a, area, "no", str("no"));
	lm_value_set(a, area, "zero", str("0"));
	lm_value_set(a, area, "html", str("<b>&amp;</b> `code` \\ | table | ~~x~~"));
	lm_value_set(a, area, "long", str("https://www.example.org/a/very/long/path/that/does/not/"
					  "fit/on/one/line/of/the/letter/at/all/whatever/the/font"));
	lm_value_set(a, area, "utf8", str("O\xE2\x80\x99" "Brien \xE2\x80\x93 caf\xC3\xA9 \xE2\x82\xAC"));
	lm_value_set(a, ctx, "area", area);

	struct lm_value *contacts = lm_value_list(a);
	struct lm_value *c1 = contact("emergency", "Police emergency", "999", "", "", "");
	struct lm_value *c2 = contact("careline", "Careline", "0151 233 3027",
				      "www.liverpool.gov.uk", "yes", "");
	struct lm_value *c3 = contact("ceop", "CEOP", "", "http://www.ceop.police.uk/#x", "",
				      "yes");
	lm_value_push(a, contacts, c1);
	lm_value_push(a, contacts, c2);
	lm_value_push(a, contacts, c3);
	lm_value_set(a, ctx, "contacts", contacts);

	struct lm_value *groups = lm_value_map(a);
	struct lm_value *local = lm_value_list(a), *web = lm_value_list(a);
	lm_value_push(a, local, c1);
	lm_value_push(a, local, c2);
	lm_value_push(a, web, c3);
	lm_value_set(a, groups, "local", local);
	lm_value_set(a, groups, "web", web);
	lm_value_set(a, groups, "none", lm_value_list(a));
	lm_value_set(a, ctx, "groups", groups);

	struct lm_value *tags = lm_value_list(a);
	lm_value_push(a, tags, str("one"));
	lm_value_push(a, tags, str("*two*"));
	lm_value_push(a, tags, str(""));
	lm_value_set(a, ctx, "tags", tags);

	struct lm_value *sigs = lm_value_list(a);
	struct lm_value *s1 = lm_value_map(a);
	lm_value_set(a, s1, "id", str("director"));
	lm_value_set(a, s1, "name", str("Colette O'Brien"));
	lm_value_set(a, s1, "title", str("Director of Children's Services"));
	lm_value_push(a, sigs, s1);
	lm_value_set(a, ctx, "signatories", sigs);

	struct lm_value *nested = lm_value_map(a);
	struct lm_value *inner = lm_value_map(a);
	lm_value_set(a, inner, "c", str("deep"));
	lm_value_set(a, nested, "b", inner);
	lm_value_set(a, ctx, "a", nested);

	lm_value_set(a, ctx, "date", str("17 March 2015"));
	g.ctx = ctx;
}

int lm_fuzz_setup(const char *fonts_dir, const char *partials_dir)
{
	if (g.ready)
		return 0;
	g.arena = lm_arena_new();
	build_context();
	g.partials_dir = partials_dir ? lm_xstrdup(partials_dir) : NULL;
	/* fuzz/area beside fuzz/partials */
	struct lm_buf ad = LM_BUF_INIT;
	const char *slash = partials_dir ? strrchr(partials_dir, '/') : NULL;
	if (slash)
		lm_buf_add(&ad, partials_dir, (size_t)(slash - partials_dir) + 1);
	lm_buf_adds(&ad, "area");
	g.area_dir = lm_buf_detach(&ad, NULL);
	atexit(cleanup);
	g.ready = 1;
	if (fonts_dir) {
		struct lm_diag d;
		lm_diag_clear(&d);
		lm_fonts_init(&g.fonts);
		if (lm_fonts_load(&g.fonts, fonts_dir, &d)) {
			lm_fonts_release(&g.fonts);
			return -1;
		}
		g.have_fonts = 1;
	}
	return 0;
}

/* A diagnostic must always print as one line. */
static void check_diag(const struct lm_diag *d)
{
	char out[4096];
	lm_diag_format(d, out, sizeof(out));
	REQUIRE(strlen(out) > 0);
	REQUIRE(d->line >= 0 && d->col >= 0);
}

/* ---- CSV ---- */

static void validate_cell(const char *header, const char *text)
{
	char why[512];
	int y, m, d;
	if (!strcmp(header, "phone") || !strcmp(header, "out_of_hours")) {
		char digits[LM_PHONE_MAX];
		lm_check_uk_phone(text, why, sizeof(why));
		lm_phone_digits(text, digits, sizeof(digits));
		REQUIRE(strlen(digits) < sizeof(digits));
	} else if (!strcmp(header, "web")) {
		lm_check_web(text, why, sizeof(why));
	} else if (!strcmp(header, "email")) {
		lm_check_email(text, why, sizeof(why));
	} else if (!strcmp(header, "verified")) {
		if (lm_check_date(text, &y, &m, &d, why, sizeof(why)) >= 0) {
			struct lm_date a = { y, m, d }, b = { 2026, 11, 1 }, back;
			lm_date_from_days(lm_date_to_days(&a), &back);
			REQUIRE(back.year == y && back.month == m && back.day == d);
			(void)lm_date_diff(&a, &b);
		}
	} else {
		/* every validator must cope with any text */
		lm_check_uk_phone(text, why, sizeof(why));
		lm_check_email(text, why, sizeof(why));
		lm_check_web(text, why, sizeof(why));
		lm_check_date(text, NULL, NULL, NULL, why, sizeof(why));
	}
	REQUIRE(strlen(why) < sizeof(why));
	REQUIRE(!strchr(why, '\n'));
}

#define CSV_PATH "areas/fuzz/contacts.csv"

static int same_cell(const struct lm_csv_cell *a, const struct lm_csv_cell *b)
{
	return a->len == b->len && a->line == b->line && a->col == b->col &&
	       !memcmp(a->text, b->text, a->len + 1);
}

/* The streaming reader over the same bytes, with a chunk boundary every
 * `chunk` bytes, must give what lm_csv_parse_as gave: `rc`, then `csv` or
 * the message in `d`. */
static void same_as_stream(const char *data, size_t size, enum lm_input_encoding enc,
			   char delim, size_t chunk, int rc, const struct lm_csv *csv,
			   const struct lm_diag *d)
{
	struct lm_csv_reader r;
	struct lm_diag rd;
	lm_csv_reader_init(&r);
	lm_diag_clear(&rd);
	r.chunk = chunk;
	r.delim = delim;
	int got = lm_csv_reader_open_mem(&r, CSV_PATH, data, size, enc, &rd);
	if (!got) {
		REQUIRE(r.ncols > 0);
		if (!rc) {
			REQUIRE(r.ncols == csv->ncols);
			for (size_t c = 0; c < r.ncols; c++)
				REQUIRE(same_cell(&r.header_cells[c], &csv->header_cells[c]));
		}
		size_t row = 0;
		while ((got = lm_csv_reader_next(&r, &rd)) == 1) {
			REQUIRE(r.nrows == row + 1);
			if (!rc) {
				REQUIRE(row < csv->nrows);
				REQUIRE(r.row_line == csv->row_line[row]);
				for (size_t c = 0; c < r.ncols; c++)
					REQUIRE(same_cell(&r.cells[c], lm_csv_get(csv, row, c)));
			}
			row++;
		}
		REQUIRE(got == 0 || got == -1);
		REQUIRE(got || rc || row == csv->nrows);
	}
	REQUIRE((got < 0) == (rc < 0));
	if (!rc) {
		/* what the whole-file parse found, the stream found too */
		REQUIRE(r.enc == csv->enc && r.delim == csv->delim && r.guessed == csv->guessed);
		REQUIRE(!r.guessed || (r.guess_line == csv->guess_line && r.guess_col == csv->guess_col));
	}
	if (rc) {
		char want[4096], out[4096];
		lm_diag_format(d, want, sizeof(want));
		lm_diag_format(&rd, out, sizeof(out));
		REQUIRE(!strcmp(want, out));
	}
	lm_csv_reader_release(&r);
}

static void parse_csv(const char *data, size_t size, enum lm_input_encoding enc, char delim)
{
	struct lm_csv csv;
	struct lm_diag d;
	lm_csv_init(&csv);
	lm_diag_clear(&d);
	int rc = lm_csv_parse_with(&csv, CSV_PATH, data, size, enc, delim, &d);
	/* the same tokenizer streamed, a chunk boundary every few bytes */
	same_as_stream(data, size, enc, delim, 1 + size % 7, rc, &csv, &d);
	if (!rc) {
		REQUIRE(csv.delim == ',' || csv.delim == ';' || csv.delim == '\t');
		REQUIRE(!delim || csv.delim == delim);
		REQUIRE(csv.enc != LM_INPUT_AUTO);
		REQUIRE(enc == LM_INPUT_AUTO || csv.enc == enc ||
			(enc >= LM_INPUT_UTF16LE && csv.enc >= LM_INPUT_UTF16LE));
		REQUIRE(!csv.guessed || (enc == LM_INPUT_AUTO && csv.enc == LM_INPUT_CP1252 &&
					 csv.guess_line >= 1 && csv.guess_col >= 1));
		if (csv.guessed) {
			struct lm_diag w;
			lm_csv_guess_warning(csv.path, csv.guess_line, csv.guess_col, csv.guess_byte, &w);
			check_diag(&w);
		}
	}
	if (rc) {
		check_diag(&d);
		REQUIRE(csv.nrows == 0);
		lm_csv_release(&csv);
		return;
	}
	REQUIRE(csv.ncols > 0);
	for (size_t c = 0; c < csv.ncols; c++) {
		REQUIRE(csv.header[c] != NULL);
		REQUIRE(lm_csv_column(&csv, csv.header[c]) >= 0);
	}
	for (size_t r = 0; r < csv.nrows; r++) {
		REQUIRE(csv.row_line[r] >= 1);
		for (size_t c = 0; c < csv.ncols; c++) {
			const struct lm_csv_cell *cell = lm_csv_get(&csv, r, c);
			REQUIRE(cell != NULL);
			REQUIRE(strlen(cell->text) == cell->len);
			REQUIRE(cell->line >= csv.row_line[r] && cell->col >= 1);
			validate_cell(csv.header[c], cell->text);
		}
		REQUIRE(lm_csv_get(&csv, r, csv.ncols) == NULL);
	}
	REQUIRE(lm_csv_get(&csv, csv.nrows, 0) == NULL);
	lm_csv_release(&csv);
}

/* Windows-1252 decoded as the file is read must be the same as decoded
 * whole first: the same cells and places (one byte is one character), the
 * same message, and a failure wherever a byte is undefined (`utf8` NULL). */
static void same_decoding(const char *data, size_t size, const struct lm_buf *utf8)
{
	struct lm_csv a, b;
	struct lm_diag da, db;
	lm_csv_init(&a);
	lm_csv_init(&b);
	lm_diag_clear(&da);
	lm_diag_clear(&db);
	int ra = lm_csv_parse_as(&a, CSV_PATH, data, size, LM_INPUT_CP1252, &da);
	const unsigned char *u = (const unsigned char *)data;
	int bom = (size >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ||
		  (size >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)));
	int non_ascii = 0;
	for (size_t i = 0; i < size && !non_ascii; i++)
		non_ascii = u[i] >= 0x80;
	if (bom || (non_ascii && lm_utf8_check(data, size) == size)) {
		/* a file that says or is UTF-8 (or UTF-16) is not read as
		 * Windows-1252, whatever the option said */
		REQUIRE(ra == -1);
	} else if (!utf8) {
		REQUIRE(ra == -1);
	} else if (memchr(data, 0, size)) {
		/* a NUL byte is never text read as Windows-1252, while the same
		 * bytes read by themselves may be UTF-16 without a byte-order
		 * mark (told by its zero bytes): nothing to compare */
		REQUIRE(ra == -1);
	} else {
		int rb = lm_csv_parse(&b, CSV_PATH, utf8->ptr, utf8->len, &db);
		REQUIRE(ra == rb);
		if (ra) {
			char wa[4096], wb[4096];
			lm_diag_format(&da, wa, sizeof(wa));
			lm_diag_format(&db, wb, sizeof(wb));
			REQUIRE(!strcmp(wa, wb));
		} else {
			REQUIRE(a.ncols == b.ncols && a.nrows == b.nrows);
			for (size_t c = 0; c < a.ncols; c++)
				REQUIRE(same_cell(&a.header_cells[c], &b.header_cells[c]));
			for (size_t r = 0; r < a.nrows; r++) {
				REQUIRE(a.row_line[r] == b.row_line[r]);
				for (size_t c = 0; c < a.ncols; c++)
					REQUIRE(same_cell(lm_csv_get(&a, r, c), lm_csv_get(&b, r, c)));
			}
		}
	}
	lm_csv_release(&a);
	lm_csv_release(&b);
}

int lm_fuzz_csv(const uint8_t *data, size_t size)
{
	/* as it comes: encoding and delimiter found */
	parse_csv((const char *)data, size, LM_INPUT_AUTO, 0);
	parse_csv((const char *)data, size, LM_INPUT_UTF8, 0);
	/* --input-encoding windows-1252, decoded while reading */
	parse_csv((const char *)data, size, LM_INPUT_CP1252, 0);
	if (lm_workbook_sniff(data, size))
		return 0; /* a workbook (or an old .xls) is no text: its encoding plays no part */
	/* UTF-16 said, and --delimiter forced */
	parse_csv((const char *)data, size, size % 2 ? LM_INPUT_UTF16LE : LM_INPUT_UTF16BE,
		  size % 3 == 0 ? ';' : size % 3 == 1 ? '\t' : ',');
	struct lm_buf b = LM_BUF_INIT;
	if (!lm_cp1252_to_utf8((const char *)data, size, &b)) {
		REQUIRE(lm_utf8_check(b.ptr, b.len) == b.len);
		parse_csv(b.ptr, b.len, LM_INPUT_UTF8, 0);
		same_decoding((const char *)data, size, &b);
	} else {
		same_decoding((const char *)data, size, NULL);
	}
	lm_buf_release(&b);
	return 0;
}

/* ---- workbooks ---- */

/* Reads the first sheet (or `sheet`) of the workbook in `data`, checking
 * what every row promises; at most `max_rows` rows (a row may be repeated
 * a million times, which is right but slow to fuzz). */
static void read_workbook(const char *data, size_t size, const char *sheet)
{
	struct lm_csv_reader r;
	struct lm_diag d;
	lm_csv_reader_init(&r);
	lm_diag_clear(&d);
	/* through the CSV reader's door, as every table is read */
	r.sheet_name = sheet;
	r.sheet_fallback = sheet && !strcmp(sheet, "H");
	int rc = lm_csv_reader_open_mem(&r, "fuzz.xlsx", data, size, LM_INPUT_UTF8, &d);
	if (!rc) {
		REQUIRE(r.ncols > 0 && r.ncols <= LM_CSV_MAX_COLS);
		for (size_t c = 0; c < r.ncols; c++) {
			REQUIRE(r.header[c][0] != '\0');
			REQUIRE(lm_csv_reader_column(&r, r.header[c]) == (int)c);
		}
		int last = 0;
		for (int n = 0; n < 2000 && (rc = lm_csv_reader_next(&r, &d)) == 1; n++) {
			REQUIRE(r.row_line > last);
			last = r.row_line;
			int empty = 1;
			for (size_t c = 0; c < r.ncols; c++) {
				const struct lm_csv_cell *cell = &r.cells[c];
				REQUIRE(strlen(cell->text) == cell->len);
				REQUIRE(cell->len <= LM_CSV_MAX_CELL);
				REQUIRE(lm_utf8_check(cell->text, cell->len) == cell->len);
				/* a sheet's cell is at its row and column (a CSV
				 * cell, where its text starts) */
				REQUIRE(!r.sheet || (cell->line == r.row_line && cell->col == (int)c + 1));
				empty &= cell->len == 0;
			}
			REQUIRE(!empty);
		}
	}
	if (rc < 0)
		check_diag(&d);
	lm_csv_reader_release(&r);
}

/* A zip archive in memory of `n` parts (name, text); *out malloc'd. */
static size_t make_zip(const char *const *names, const char *const *texts, const size_t *lens, int n,
		       char **out)
{
	zip_error_t err;
	zip_error_init(&err);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
	REQUIRE(src != NULL);
	zip_source_keep(src);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	REQUIRE(z != NULL);
	for (int i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(z, texts[i], lens[i], 0);
		REQUIRE(s != NULL);
		zip_int64_t k = zip_file_add(z, names[i], s, ZIP_FL_OVERWRITE);
		REQUIRE(k >= 0);
		zip_set_file_compression(z, (zip_uint64_t)k, ZIP_CM_STORE, 0);
	}
	REQUIRE(zip_close(z) == 0);
	zip_stat_t st;
	REQUIRE(zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0);
	*out = malloc(st.size + 1);
	REQUIRE(*out != NULL);
	zip_int64_t got = zip_source_read(src, *out, st.size);
	REQUIRE(got == (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&err);
	return (size_t)st.size;
}

int lm_fuzz_workbook(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	const char *rest = (const char *)data + 1;
	size_t n = size - 1;
	char *zip = NULL;
	size_t zlen = 0;
	switch (data[0] % 4) {
	case 0: /* the archive itself */
		zlen = n;
		zip = malloc(n + 1);
		REQUIRE(zip != NULL);
		memcpy(zip, rest, n);
		break;
	case 1:
	case 2: { /* an .xlsx: the sheet, then (after a NUL) the shared strings, then the styles */
		const char *part[3] = { rest, "", "" };
		size_t len[3] = { n, 0, 0 };
		for (int k = 0; k < 2; k++) {
			const char *z = memchr(part[k], '\0', len[k]);
			if (!z)
				break;
			part[k + 1] = z + 1;
			len[k + 1] = len[k] - (size_t)(z + 1 - part[k]);
			len[k] = (size_t)(z - part[k]);
		}
		const char *wb = data[0] % 4 == 1
			? "<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" r:id=\"rId1\" "
			  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"/>"
			  "</sheets></workbook>"
			: "<workbook><sheets><sheet name=\"H\" state=\"hidden\" r:id=\"rId1\" "
			  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"/>"
			  "<sheet name=\"S\" r:id=\"rId1\" "
			  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"/>"
			  "</sheets></workbook>";
		const char *rels = "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
				   "Target=\"worksheets/sheet1.xml\"/></Relationships>";
		const char *names[] = { "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
					"xl/sharedStrings.xml", "xl/styles.xml" };
		const char *texts[] = { wb, rels, part[0], part[1], part[2] };
		size_t lens[] = { strlen(wb), strlen(rels), len[0], len[1], len[2] };
		zlen = make_zip(names, texts, lens, 5, &zip);
		break;
	}
	default: { /* an .ods: content.xml */
		const char *mime = "application/vnd.oasis.opendocument.spreadsheet";
		const char *names[] = { "mimetype", "content.xml" };
		const char *texts[] = { mime, rest };
		size_t lens[] = { strlen(mime), n };
		zlen = make_zip(names, texts, lens, 2, &zip);
		break;
	}
	}
	/* the first sheet shown, then by name: the hidden one, a missing one */
	read_workbook(zip, zlen, NULL);
	read_workbook(zip, zlen, "H");
	read_workbook(zip, zlen, "nope");
	free(zip);
	return 0;
}

/* ---- templates ---- */

int lm_fuzz_template(const uint8_t *data, size_t size)
{
	lm_fuzz_setup(NULL, NULL);
	struct lm_template *t = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	if (lm_template_parse(&t, "letters/fuzz.md", (const char *)data, size, 3,
			      g.partials_dir, &d)) {
		check_diag(&d);
		REQUIRE(t == NULL);
	} else {
		static const enum lm_escape modes[] = { LM_ESCAPE_NONE, LM_ESCAPE_MARKDOWN };
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			struct lm_buf out = LM_BUF_INIT;
			lm_diag_clear(&d);
			if (lm_template_expand(t, g.ctx, modes[i], &out, &d))
				check_diag(&d);
			lm_buf_release(&out);
		}
		/* a second expansion must give the same text (t is not changed) */
		struct lm_buf a = LM_BUF_INIT, b = LM_BUF_INIT;
		int ra = lm_template_expand(t, g.ctx, LM_ESCAPE_MARKDOWN, &a, &d);
		int rb = lm_template_expand(t, g.ctx, LM_ESCAPE_MARKDOWN, &b, &d);
		REQUIRE(ra == rb);
		REQUIRE(ra || (a.len == b.len && !memcmp(a.ptr, b.ptr, a.len)));
		lm_buf_release(&a);
		lm_buf_release(&b);
		lm_template_free(t);
	}

	/* the same text as a front-matter value (NUL-terminated, one string) */
	char *s = lm_xstrndup((const char *)data, size);
	struct lm_buf out = LM_BUF_INIT;
	lm_diag_clear(&d);
	if (lm_template_render_string("letters/fuzz.md", 2, 8, s, g.ctx, LM_ESCAPE_NONE, &out, &d))
		check_diag(&d);
	lm_buf_release(&out);
	free(s);

	/* escaping any bytes must not fail or read past them */
	struct lm_buf esc = LM_BUF_INIT;
	lm_template_escape(&esc, (const char *)data, size, LM_ESCAPE_MARKDOWN);
	lm_buf_release(&esc);
	return 0;
}

/* ---- a whole letter ---- */

/* The area the letters are made for, unless the input brings its own
 * files.  Its images are in fuzz/area/ beside the partials. */
static const char DEFAULT_AREA[] =
	"field,value\n"
	"name,Liverpool\n"
	"partnership,Liverpool Safeguarding Children Partnership\n"
	"organisation,Liverpool City Council\n"
	"address,\"Cunard Building\nWater Street\nLiverpool L3 1DS\"\n"
	"address_oneline,\"Cunard Building, Water Street, Liverpool L3 1DS\"\n"
	"logo,signature.png\n"
	"on_behalf_of,the _Local_ Safeguarding **Board** & #1\n"
	"date_format,\"%A %o %B, %Y\"\n"
	"police_force,Merseyside Police\n"
	"safeguard_scope,all children in the city\n"
	"partnership_note,working in partnership\n"
	"enquiries_to,Colette O'Brien\n"
	"enquiries_title,\"Director, Children's Services\"\n"
	"direct_line,0151 233 0476\n"
	"email,colette.o'brien@liverpool.gov.uk\n"
	"our_ref,CO'B/AW/CK - Parents/carer/CSE15\n"
	"web,https://www.liverpool.gov.uk/a/long/path/that/does/not/fit/on/one/line/at/all\n";
static const char DEFAULT_CONTACTS[] =
	"id,group,service,provider,phone,out_of_hours,web,covers,comma,or\n"
	"emergency,emergency,Police emergency,Merseyside Police,999,,,,,\n"
	"police_non_emergency,police,Police non-emergency,Merseyside Police,101,,,,,\n"
	"careline,local,Careline,Liverpool City Council,0151 233 3027,0151 233 3029,,,yes,\n"
	"listentomystory,web,listentomystory.co.uk,,,,www.listentomystory.co.uk,,,\n"
	"ceop,web,ceop.police.uk,,,,http://www.ceop.police.uk/#x,,,yes\n";
static const char DEFAULT_SIGNATORIES[] =
	"id,name,title,organisation,signature\n"
	"lead,Colette O'Brien,Director of Children's Services,Liverpool City Council,signature.png\n"
	"police,Andrew Ward,Assistant Chief Constable,Merseyside Police,\n"
	"third,Someone With A Very Long Name Indeed,A Title Long Enough To Wrap In A Narrow Column,Org,\n";
static const char DEFAULT_FRONT[] =
	"---\ntitle: Fuzz\nsubject: Child exploitation \xE2\x80\x93 what to look for\n---\n";

/* One section of the input: `%%% NAME` on a line of its own starts it. */
struct section {
	const char *data;
	size_t len;
	int given;
};

/* Splits the input into the letter and the area's files. */
static void split_input(const char *s, size_t n, struct section *letter, struct section *area,
			struct section *contacts, struct section *sigs, struct section *recipients)
{
	static const char *const names[] = { "area.csv", "contacts.csv", "signatories.csv",
					     "recipients.csv" };
	struct section *secs[] = { area, contacts, sigs, recipients };
	struct section *cur = letter;
	*letter = (struct section){ s, 0, 1 };
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		int at_line = i == 0 || s[i - 1] == '\n';
		if (i < n && !(at_line && n - i >= 4 && !memcmp(s + i, "%%% ", 4)))
			continue;
		cur->len = i - start;
		if (i == n)
			break;
		size_t eol = i;
		while (eol < n && s[eol] != '\n')
			eol++;
		cur = NULL;
		for (int k = 0; k < 4; k++)
			if (eol - i - 4 == strlen(names[k]) && !memcmp(s + i + 4, names[k], eol - i - 4))
				cur = secs[k];
		if (!cur) { /* not a section: part of what went before */
			cur = letter;
			continue;
		}
		start = eol < n ? eol + 1 : n;
		*cur = (struct section){ s + start, 0, 1 };
		i = start - 1;
	}
}

/* The frame keeps every text box on the page, inside the margins, and
 * the structure tree well formed. */
static void check_boxes(const struct lm_layout *lay)
{
	for (size_t p = 0; p < lay->npages; p++) {
		const struct lm_page *pg = &lay->pages[p];
		for (size_t i = 0; i < pg->n; i++) {
			const struct lm_box *b = &pg->boxes[i];
			REQUIRE(b->elem >= -1 && b->elem < (int)lay->nelems);
			if (b->kind == LM_BOX_IMAGE) /* within the margins and on the page */
				REQUIRE(b->x >= 15 * MM - 0.01 && b->x + b->w <= lay->page_w - 15 * MM + 0.01 &&
					b->y >= 0 && b->y + b->h <= lay->page_h);
			if (b->kind != LM_BOX_TEXT)
				continue;
			REQUIRE(b->text != NULL);
			/* nothing printed past the margins or off the page */
			REQUIRE(b->x >= 15 * MM - 0.01 && b->x + b->w <= lay->page_w - 15 * MM + 0.01);
			REQUIRE(b->y > 0 && b->y < lay->page_h);
		}
	}
	for (size_t e = 1; e < lay->nelems; e++)
		REQUIRE(lay->elems[e].parent >= 0 && lay->elems[e].parent < (int)e);
}

/* The template's own Markdown findings: each at a place in the input. */
static void lint_finding(void *ctx, const struct lm_diag *d)
{
	(void)ctx;
	REQUIRE(d->line >= 1 && d->col >= 1 && d->msg[0]);
}

static void lint_image(void *ctx, const char *src, const char *file, int line, int col)
{
	(void)ctx;
	REQUIRE(src && *src && file && line >= 1 && col >= 1);
}

/* Every part the letter prints holds something. */
static void check_not_empty(const struct lm_layout *lay)
{
	int e = lm_layout_empty_elem(lay);
	if (e >= 0) {
		struct lm_buf t = LM_BUF_INIT;
		lm_layout_structure(lay, &t);
		fprintf(stderr, "fuzz: element %d (%s) is empty:\n%s", e,
			lm_role_name(&lay->elems[e]), t.ptr);
		lm_buf_release(&t);
	}
	REQUIRE(e < 0);
}

/* The address lines stay in the envelope window (standard print: in
 * large print a long address may run below it, by design). */
static void check_window(const struct lm_layout *lay, const struct lm_recipient *r)
{
	if (!lm_recipient_has_address(r) || !lay->npages)
		return;
	const char *pc = r->address[r->naddress > LM_ADDRESS_MAX_LINES ? LM_ADDRESS_MAX_LINES - 1
								       : r->naddress - 1]->str;
	/* a last line that is no postcode is an error of check's, and the
	 * letter is never written; and such a line may be long enough to
	 * wrap, so that no one box holds it (a postcode never does) */
	if (!lm_uk_postcode(pc))
		return;
	const struct lm_page *pg = &lay->pages[0];
	int elem = -1;
	for (size_t i = 0; i < pg->n && elem < 0; i++)
		if (pg->boxes[i].kind == LM_BOX_TEXT && pg->boxes[i].x >= LM_WINDOW_X - 0.01 &&
		    pg->boxes[i].x < LM_WINDOW_X + 1 && strstr(pg->boxes[i].text, pc))
			elem = pg->boxes[i].elem;
	REQUIRE(elem >= 0);
	double top = lay->page_h - LM_WINDOW_TOP, bottom = top - LM_WINDOW_H;
	for (size_t i = 0; i < pg->n; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->elem != elem || b->kind != LM_BOX_TEXT)
			continue;
		REQUIRE(b->x >= LM_WINDOW_X - 0.01 && b->x + b->w <= LM_WINDOW_X + LM_WINDOW_W + 0.01);
		REQUIRE(b->y + 0.905 * b->h <= top + 0.01 && b->y - 0.212 * b->h >= bottom - 0.01);
	}
}

static void ignore_finding(void *ctx, const struct lm_diag *d)
{
	(void)ctx;
	check_diag(d);
}

/* One layout of the letter, checked, then written as a PDF in memory. */
static void frame_one(const struct lm_letter *l, const struct lm_area *area,
		      const struct lm_assets *assets, const struct lm_body_images *bi,
		      const struct lm_frame_opts *o)
{
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	struct lm_diag d;
	lm_diag_clear(&d);
	lm_layout_init(&lay, 0, 0);
	if (lm_frame_layout(l, area, assets, o, &g.fonts, &lay, &meta, &d)) {
		/* checking reports the body's faults and clears d */
		if (!o->report || d.msg[0])
			check_diag(&d);
		lm_layout_release(&lay);
		return;
	}
	check_boxes(&lay);
	check_not_empty(&lay);
	if (!o->large_print)
		check_window(&lay, o->recipient);
	REQUIRE(lay.npages >= 1);
	if (!o->report) {
		struct lm_pdf pdf;
		if (!lm_pdf_begin(&pdf, &g.fonts, &meta, &d)) {
			if (lm_pdf_add(&pdf, &lay, bi->all, bi->nall, &d) || lm_pdf_finish(&pdf, &d)) {
				check_diag(&d);
			} else {
				/* what we write, our reader reads whole, every page */
				size_t len, pages = 0;
				const char *bytes = lm_pdf_bytes(&pdf, &len);
				REQUIRE(len > 4 && !memcmp(bytes, "%PDF", 4));
				REQUIRE(!lm_pdfr_check_whole(bytes, len, &pages, &d));
				REQUIRE(pages == pdf.npages);
			}
			lm_pdf_release(&pdf);
		}
	}
	lm_layout_release(&lay);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The letter laid out again and again through a run's memo (its body
 * parsed once, laid out, kept, then copied), for the input's first
 * recipient and its second in turn, is each time the letter laid out
 * alone for that recipient, box for box, or fails the same way. */
static void frame_memo(const struct lm_letter *l, const struct lm_area *area,
		       const struct lm_assets *assets, const struct lm_frame_opts *o0,
		       const struct lm_recipient *second)
{
	static const int order[] = { 0, 0, 1, 0, 1, 1 };
	struct lm_frame_memo *m = lm_frame_memo_new();
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		struct lm_frame_opts o = *o0;
		if (order[k] && second)
			o.recipient = second, o.large_print = o0->large_print || second->large_print;
		struct lm_layout want;
		struct lm_pdf_meta meta = { 0 };
		struct lm_diag d;
		lm_diag_clear(&d);
		lm_layout_init(&want, 0, 0);
		int rc = lm_frame_layout(l, area, assets, &o, &g.fonts, &want, &meta, &d);
		o.memo = m;
		struct lm_layout got;
		struct lm_pdf_meta mm = { 0 };
		struct lm_diag dm;
		lm_diag_clear(&dm);
		lm_layout_init(&got, 0, 0);
		REQUIRE(lm_frame_layout(l, area, assets, &o, &g.fonts, &got, &mm, &dm) == rc);
		if (rc) {
			REQUIRE(!strcmp(d.msg, dm.msg));
		} else {
			REQUIRE(got.npages == want.npages && got.nelems == want.nelems);
			for (size_t e = 0; e < want.nelems; e++) {
				const struct lm_elem *x = &want.elems[e], *y = &got.elems[e];
				REQUIRE(x->role == y->role && x->level == y->level && x->parent == y->parent &&
					same_str(x->alt, y->alt) && same_str(x->href, y->href) &&
					same_str(x->lang, y->lang));
			}
			for (size_t p = 0; p < want.npages; p++) {
				REQUIRE(want.pages[p].n == got.pages[p].n);
				for (size_t i = 0; i < want.pages[p].n; i++) {
					const struct lm_box *x = &want.pages[p].boxes[i], *y = &got.pages[p].boxes[i];
					REQUIRE(x->kind == y->kind && x->elem == y->elem && x->x == y->x &&
						x->y == y->y && x->w == y->w && x->h == y->h && x->face == y->face &&
						x->font == y->font && x->rtl == y->rtl && x->para_rtl == y->para_rtl &&
						x->image == y->image && x->rgb == y->rgb && same_str(x->text, y->text) &&
						same_str(x->href, y->href) && x->nglyphs == y->nglyphs &&
						!x->glyphs == !y->glyphs &&
						(!x->glyphs ||
						 !memcmp(x->glyphs, y->glyphs, x->nglyphs * sizeof(*x->glyphs))));
				}
			}
			REQUIRE(!memcmp(want.sign_rect, got.sign_rect, sizeof(want.sign_rect)));
		}
		lm_layout_release(&got);
		lm_layout_release(&want);
	}
	lm_frame_memo_free(m);
}

int lm_fuzz_letter(const uint8_t *data, size_t size)
{
	if (lm_fuzz_setup(NULL, NULL) || !g.have_fonts)
		return 0;
	if (size > LM_FUZZ_LETTER_MAX)
		size = LM_FUZZ_LETTER_MAX;
	struct section letter, area = { 0 }, contacts = { 0 }, sigs = { 0 }, recipients = { 0 };
	split_input((const char *)data, size, &letter, &area, &contacts, &sigs, &recipients);
	lm_markdown_lint("letters/fuzz.md", letter.data, letter.len, 1, lint_finding, lint_image, NULL);

	/* a body without front matter gets the usual one */
	struct lm_buf text = LM_BUF_INIT;
	if (letter.len < 4 || memcmp(letter.data, "---", 3))
		lm_buf_adds(&text, DEFAULT_FRONT);
	lm_buf_add(&text, letter.data, letter.len);

	struct lm_diag d;
	struct lm_letter l;
	struct lm_arena *arena = lm_arena_new();
	struct lm_area ar;
	struct lm_assets assets;
	struct lm_csv_reader rd;
	struct lm_body body;
	struct lm_body_images images;
	lm_diag_clear(&d);
	lm_area_init(&ar);
	lm_assets_init(&assets);
	lm_csv_reader_init(&rd);
	lm_body_init(&body);
	lm_body_images_init(&images);
	int have_letter = 0;
	if (lm_letter_parse(&l, "letters/fuzz.md", text.ptr, text.len, g.partials_dir, &d)) {
		check_diag(&d);
		REQUIRE(l.path == NULL && l.body == NULL);
		goto out;
	}
	have_letter = 1;
	struct lm_area_files files = {
		{ area.given ? area.data : DEFAULT_AREA, area.given ? area.len : sizeof(DEFAULT_AREA) - 1 },
		{ contacts.given ? contacts.data : DEFAULT_CONTACTS,
		  contacts.given ? contacts.len : sizeof(DEFAULT_CONTACTS) - 1 },
		{ sigs.given ? sigs.data : DEFAULT_SIGNATORIES,
		  sigs.given ? sigs.len : sizeof(DEFAULT_SIGNATORIES) - 1 },
	};
	if (lm_area_parse(&ar, arena, g.area_dir, &files, LM_INPUT_UTF8, &d) ||
	    lm_assets_load(&assets, &ar, &d)) {
		check_diag(&d);
		goto out;
	}
	/* the body's findings and images (found in fuzz/area/), as a run does */
	if (lm_body_scan(&body, &l, &d) ||
	    lm_body_images_load(&images, &body, g.area_dir, &assets, &d)) {
		check_diag(&d);
		goto out;
	}
	for (size_t k = 0; k < body.nfindings; k++)
		check_diag(&body.findings[k]);
	struct lm_recipient rec, rec2, *recp = NULL, *recp2 = NULL;
	if (recipients.given) {
		int rc = lm_csv_reader_open_mem(&rd, "recipients.csv", recipients.data, recipients.len,
						LM_INPUT_UTF8, &d);
		if (!rc)
			rc = lm_csv_reader_next(&rd, &d);
		if (rc < 0) {
			check_diag(&d);
			goto out;
		}
		if (rc == 1) {
			if (lm_recipient_build(&rec, lm_recipient_row_map(arena, &rd, 1), 0, &d)) {
				check_diag(&d);
				goto out;
			}
			recp = &rec;
			/* a second row, for the memo's letters */
			rc = lm_csv_reader_next(&rd, &d);
			if (rc == 1 && !lm_recipient_build(&rec2, lm_recipient_row_map(arena, &rd, 1), 0, &d))
				recp2 = &rec2;
			else if (rc < 0 || rc == 1)
				check_diag(&d);
		}
	}
	for (int pass = 0; pass < 3; pass++) {
		struct lm_frame_opts o = { .date = { 2026, 2, 28 }, .recipient = recp,
					   .image = lm_body_image_lookup, .image_ctx = &images };
		o.large_print = pass == 1 || (recp && recp->large_print);
		o.signature_box = pass == 1;
		if (pass == 2) { /* as `check` does: every missing value reported */
			o.report = ignore_finding;
			o.report_ctx = NULL;
		}
		frame_one(&l, &ar, &assets, &images, &o);
		if (pass == 0)
			frame_memo(&l, &ar, &assets, &o, recp2);
	}
out:
	lm_body_images_release(&images);
	lm_body_release(&body);
	lm_csv_reader_release(&rd);
	lm_assets_release(&assets);
	lm_area_release(&ar);
	lm_arena_free(arena);
	if (have_letter)
		lm_letter_release(&l);
	lm_buf_release(&text);
	return 0;
}
