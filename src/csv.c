#include "csv.h"
#include "fileio.h"
#include "validate.h"

#include "buf.h"
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field while parsing: its text lives at `off` in the pool, because the
 * pool moves as it grows. */
struct field {
	size_t off, len;
	int line, col;
};

struct record {
	size_t first, n; /* fields[first .. first+n) */
	int line;
};

struct parser {
	const char *path;
	const unsigned char *s;
	size_t len, i;
	int line, col;
	struct lm_buf pool;
	struct field *fields;
	size_t nfields, afields;
	struct record *recs;
	size_t nrecs, arecs;
	struct lm_diag *d;
};

void lm_csv_init(struct lm_csv *csv)
{
	memset(csv, 0, sizeof(*csv));
}

void lm_csv_release(struct lm_csv *csv)
{
	free(csv->path);
	free(csv->header);
	free(csv->header_cells);
	free(csv->cells);
	free(csv->row_line);
	free(csv->pool);
	lm_csv_init(csv);
}

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Length of the valid UTF-8 sequence at s[0], or 0 if it is not one.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && is_cont(s[1]) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || !is_cont(s[1]) || !is_cont(s[2]))
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || !is_cont(s[1]) || !is_cont(s[2]) || !is_cont(s[3]))
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* Checked before tokenizing so the tokenizer can count columns simply by
 * skipping continuation bytes. */
static int check_text(struct parser *p)
{
	int line = 1, col = 1;
	size_t i = p->i;
	while (i < p->len) {
		unsigned char c = p->s[i];
		if (c == '\0')
			return lm_diag_set(p->d, p->path, line, col,
				"the file contains a NUL byte, so it is not a text CSV "
				"(perhaps saved as \"Unicode Text\" or as a workbook): "
				"save it as \"CSV UTF-8 (Comma delimited)\"");
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < p->len && p->s[i + 1] == '\n')
				i++;
			i++;
			line++;
			col = 1;
			continue;
		}
		size_t n = utf8_len(p->s + i, p->len - i);
		if (!n)
			return lm_diag_set(p->d, p->path, line, col,
				"the file is not UTF-8 (byte 0x%02x at this point; "
				"Excel's plain \"CSV\" save uses Windows-1252): "
				"save it as \"CSV UTF-8 (Comma delimited)\", or run with "
				"--input-encoding windows-1252", c);
		i += n;
		col++;
	}
	return 0;
}

static int at_eol(const struct parser *p)
{
	return p->i < p->len && (p->s[p->i] == '\r' || p->s[p->i] == '\n');
}

/* Consumes one line end (CRLF counts as one). */
static void eat_eol(struct parser *p)
{
	if (p->s[p->i] == '\r' && p->i + 1 < p->len && p->s[p->i + 1] == '\n')
		p->i++;
	p->i++;
	p->line++;
	p->col = 1;
}

/* Appends the byte at the cursor to the pool and moves on. */
static void take(struct parser *p)
{
	unsigned char c = p->s[p->i++];
	lm_buf_addc(&p->pool, (char)c);
	if (!is_cont(c))
		p->col++;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads one field at the cursor; stops before the ',' or line end. */
static int read_field(struct parser *p, struct field *f)
{
	f->off = p->pool.len;
	f->line = p->line;
	f->col = p->col;

	/* Blanks before an opening quote are tolerated (hand-edited files);
	 * they would be trimmed anyway, so the cell's position is that of
	 * its first non-blank character. */
	size_t j = p->i;
	while (j < p->len && is_blank((char)p->s[j]))
		j++;
	if (j < p->len && p->s[j] != ',' && p->s[j] != '\r' && p->s[j] != '\n')
		f->col = p->col + (int)(j - p->i);
	if (j < p->len && p->s[j] == '"') {
		p->col += (int)(j - p->i);
		p->i = j;
		int qline = p->line, qcol = p->col;
		p->i++;
		p->col++;
		for (;;) {
			if (p->i >= p->len)
				return lm_diag_set(p->d, p->path, qline, qcol,
					"the quote that opens this field is never closed; "
					"add the closing '\"' (a quote inside a value is "
					"written twice: \"\")");
			unsigned char c = p->s[p->i];
			if (c == '"') {
				if (p->i + 1 < p->len && p->s[p->i + 1] == '"') {
					lm_buf_addc(&p->pool, '"');
					p->i += 2;
					p->col += 2;
					continue;
				}
				p->i++;
				p->col++;
				break;
			}
			if (c == '\r' || c == '\n') {
				lm_buf_addc(&p->pool, '\n');
				eat_eol(p);
				continue;
			}
			take(p);
		}
	}
	/* Unquoted text, or whatever follows a closing quote, is taken as is. */
	while (p->i < p->len && p->s[p->i] != ',' && !at_eol(p))
		take(p);

	char *start = p->pool.ptr + f->off;
	char *end = p->pool.ptr + p->pool.len;
	char *a = start;
	while (a < end && is_blank(*a))
		a++;
	while (end > a && is_blank(end[-1]))
		end--;
	f->len = (size_t)(end - a);
	memmove(start, a, f->len);
	p->pool.len = f->off + f->len;
	lm_buf_addc(&p->pool, '\0');
	return 0;
}

static int tokenize(struct parser *p)
{
	while (p->i < p->len) {
		struct record r = { p->nfields, 0, p->line };
		size_t pool_mark = p->pool.len;
		int empty = 1;
		for (;;) {
			LM_ALLOC_GROW(p->fields, p->nfields + 1, p->afields);
			struct field *f = &p->fields[p->nfields];
			if (read_field(p, f) < 0)
				return -1;
			if (f->len)
				empty = 0;
			p->nfields++;
			r.n++;
			if (p->i < p->len && p->s[p->i] == ',') {
				p->i++;
				p->col++;
				continue;
			}
			if (at_eol(p))
				eat_eol(p);
			break;
		}
		if (empty) {
			/* a blank line or Excel's ",,," for a cleared row */
			p->nfields = r.first;
			p->pool.len = pool_mark;
			p->pool.ptr[pool_mark] = '\0';
			continue;
		}
		LM_ALLOC_GROW(p->recs, p->nrecs + 1, p->arecs);
		p->recs[p->nrecs++] = r;
	}
	return 0;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Checks the shape and moves the parse into `csv`. */
static int build(struct parser *p, struct lm_csv *csv)
{
	if (!p->nrecs)
		return lm_diag_set(p->d, p->path, 0, 0,
			"file is empty: it needs a header row");
	/* a cell this long is a damaged file or a quote left open, never a
	 * fact for a letter; stop before laying out hundreds of pages of it */
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i].len > LM_CSV_MAX_CELL)
			return lm_diag_set(p->d, p->path, p->fields[i].line, p->fields[i].col,
				"this cell holds %zu bytes; a cell may hold at most %d "
				"(is a quote left open, or is this not the right file?)",
				p->fields[i].len, LM_CSV_MAX_CELL);

	const struct record *h = &p->recs[0];
	const struct field *hf = &p->fields[h->first];
	const char *pool = p->pool.ptr;
	for (size_t i = 0; i < h->n; i++) {
		if (!hf[i].len)
			return lm_diag_set(p->d, p->path, hf[i].line, hf[i].col,
				"column %zu of the header row has no name; "
				"name it or delete the column", i + 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pool + hf[i].off, pool + hf[j].off))
				return lm_diag_set(p->d, p->path, hf[i].line, hf[i].col,
					"column '%s' appears twice in the header row "
					"(columns %zu and %zu); rename or delete one",
					pool + hf[i].off, j + 1, i + 1);
	}
	for (size_t r = 1; r < p->nrecs; r++) {
		const struct record *rec = &p->recs[r];
		if (rec->n > h->n) {
			const struct field *x = &p->fields[rec->first + h->n];
			return lm_diag_set(p->d, p->path, x->line, x->col,
				"row has %zu fields but the header row has %zu; "
				"put a value that holds a comma in double quotes, or "
				"name the extra column in the header row",
				rec->n, h->n);
		}
		if (rec->n < h->n)
			return lm_diag_set(p->d, p->path, rec->line, 1,
				"row has %zu field%s but the header row has %zu; "
				"add the missing cells (a line break inside a value "
				"needs the value in double quotes)",
				rec->n, plural(rec->n), h->n);
	}

	csv->pool = lm_buf_detach(&p->pool, NULL);
	csv->ncols = h->n;
	csv->nrows = p->nrecs - 1;
	csv->header = lm_xcalloc(csv->ncols, sizeof(*csv->header));
	csv->header_cells = lm_xcalloc(csv->ncols, sizeof(*csv->header_cells));
	csv->cells = lm_xcalloc(csv->nrows * csv->ncols + 1, sizeof(*csv->cells));
	csv->row_line = lm_xcalloc(csv->nrows + 1, sizeof(*csv->row_line));
	for (size_t r = 0; r < p->nrecs; r++) {
		const struct record *rec = &p->recs[r];
		struct lm_csv_cell *out = r ? csv->cells + (r - 1) * csv->ncols
					    : csv->header_cells;
		if (r)
			csv->row_line[r - 1] = rec->line;
		for (size_t c = 0; c < rec->n; c++) {
			const struct field *f = &p->fields[rec->first + c];
			out[c].text = csv->pool + f->off;
			out[c].len = f->len;
			out[c].line = f->line;
			out[c].col = f->col;
		}
	}
	for (size_t c = 0; c < csv->ncols; c++)
		csv->header[c] = csv->header_cells[c].text;
	return 0;
}

int lm_csv_parse(struct lm_csv *csv, const char *path, const char *data,
		 size_t len, struct lm_diag *d)
{
	struct parser p = { 0 };
	p.path = path;
	p.s = (const unsigned char *)data;
	p.len = len;
	p.line = 1;
	p.col = 1;
	p.d = d;
	lm_buf_init(&p.pool);

	lm_csv_release(csv);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		p.i = 3;
	int ret = -1;
	if (!check_text(&p) && !tokenize(&p) && !build(&p, csv)) {
		csv->path = lm_xstrdup(path);
		ret = 0;
	}
	lm_buf_release(&p.pool);
	free(p.fields);
	free(p.recs);
	return ret;
}

int lm_csv_load(struct lm_csv *csv, const char *path, struct lm_diag *d)
{
	return lm_csv_load_as(csv, path, LM_INPUT_UTF8, d);
}

int lm_csv_load_as(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		   struct lm_diag *d)
{
	lm_csv_release(csv);
	struct lm_buf b = LM_BUF_INIT;
	if (lm_read_file(path, &b, d)) {
		lm_buf_release(&b);
		return -1;
	}
	if (enc == LM_INPUT_CP1252) {
		struct lm_buf u = LM_BUF_INIT;
		if (lm_cp1252_to_utf8(b.ptr, b.len, &u)) {
			/* the bytes converted so far are as many characters */
			int line = 1, col = 1;
			size_t bad = 0;
			for (size_t i = 0; i < u.len; i++)
				if (((unsigned char)u.ptr[i] & 0xC0) != 0x80)
					bad++;
			for (size_t i = 0; i < bad && i < b.len; i++) {
				if (b.ptr[i] == '\n')
					line++, col = 1;
				else
					col++;
			}
			unsigned char c = bad < b.len ? (unsigned char)b.ptr[bad] : 0;
			lm_buf_release(&u);
			lm_buf_release(&b);
			return lm_diag_set(d, path, line, col,
				"byte 0x%02x is not a character in Windows-1252; is the file "
				"really Windows-1252? save it as \"CSV UTF-8 (Comma delimited)\"", c);
		}
		lm_buf_release(&b);
		b = u;
	}
	int ret = lm_csv_parse(csv, path, b.ptr, b.len, d);
	lm_buf_release(&b);
	return ret;
}

int lm_csv_column(const struct lm_csv *csv, const char *name)
{
	for (size_t i = 0; i < csv->ncols; i++)
		if (!strcmp(csv->header[i], name))
			return (int)i;
	return -1;
}

const struct lm_csv_cell *lm_csv_get(const struct lm_csv *csv, size_t row,
				     size_t col)
{
	if (row >= csv->nrows || col >= csv->ncols)
		return NULL;
	return &csv->cells[row * csv->ncols + col];
}
