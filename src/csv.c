#include "csv.h"
#include "fileio.h"
#include "names.h"
#include "utf8.h"
#include "workbook.h"

#include "buf.h"
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A field of the row being read: its text lives at `off` in the pool,
 * because the pool moves as it grows. */
struct lm_csv_field {
	size_t off, len;
	int line, col;
};

/* ---- the window ---- */

void lm_csv_reader_init(struct lm_csv_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

void lm_csv_reader_release(struct lm_csv_reader *r)
{
	lm_workbook_free(r);
	free(r->path);
	if (r->own_window)
		free(r->w);
	free(r->header);
	free(r->header_cells);
	free(r->hpool);
	free(r->cells);
	free(r->pool);
	free(r->fields);
	if (r->scratch) {
		lm_buf_release(r->scratch);
		free(r->scratch);
	}
	lm_csv_reader_init(r);
}

/* Appends `n` source bytes to the window, decoded.  A byte Windows-1252
 * leaves undefined is kept as it is: it is never valid UTF-8 on its own, so
 * the tokenizer stops at it with the position it has there. */
static int is_utf16(enum lm_input_encoding enc)
{
	return enc == LM_INPUT_UTF16LE || enc == LM_INPUT_UTF16BE;
}

static void window_room(struct lm_csv_reader *r, size_t need)
{
	if (need > r->wcap) {
		r->wcap = need > 2 * r->wcap ? need : 2 * r->wcap;
		r->w = lm_xrealloc(r->w, r->wcap);
	}
}

/* Appends what it can of `n` UTF-16 source bytes to the window and returns
 * how many it took: a code unit or surrogate pair cut by the chunk waits
 * for the next (unless `final`).  A unit that is not UTF-16 (a lone
 * surrogate, an odd last byte) ends the source with a byte that is never
 * UTF-8, so the tokenizer stops there with the place it has reached. */
static size_t decode16(struct lm_csv_reader *r, const unsigned char *s, size_t n, int final)
{
	if (!r->scratch) {
		r->scratch = lm_xmalloc(sizeof(*r->scratch));
		lm_buf_init(r->scratch);
	}
	size_t used;
	lm_buf_reset(r->scratch);
	int bad = lm_utf16_to_utf8(s, n, r->enc == LM_INPUT_UTF16BE, final, r->scratch, &used);
	window_room(r, r->wlen + r->scratch->len + 2);
	memcpy(r->w + r->wlen, r->scratch->ptr, r->scratch->len);
	r->wlen += r->scratch->len;
	if (bad) {
		r->w[r->wlen++] = 0xFF;
		r->bad_source = 1;
		r->eof = 1;
	}
	return used;
}

static void decode(struct lm_csv_reader *r, const unsigned char *s, size_t n)
{
	size_t need = r->wlen + (r->enc == LM_INPUT_CP1252 ? 3 * n : n) + 1;
	if (need > r->wcap) {
		r->wcap = need > 2 * r->wcap ? need : 2 * r->wcap;
		r->w = lm_xrealloc(r->w, r->wcap);
	}
	if (r->enc != LM_INPUT_CP1252) {
		memcpy(r->w + r->wlen, s, n);
		r->wlen += n;
		return;
	}
	unsigned char *o = r->w + r->wlen;
	for (size_t k = 0; k < n; k++) {
		unsigned c = s[k];
		unsigned cp = lm_cp1252_code_point((unsigned char)c);
		if (c < 0x80 || !cp)
			*o++ = (unsigned char)c;
		else
			o += lm_utf8_encode(cp, (char *)o);
	}
	r->wlen = (size_t)(o - r->w);
}

/* Reads the next chunk of the source into the window, dropping what has
 * been read: the row being read is copied into the pool as it goes, so
 * nothing before w[i] is needed again. */
static void refill(struct lm_csv_reader *r)
{
	if (r->eof)
		return;
	if (r->i) {
		memmove(r->w, r->w + r->i, r->wlen - r->i);
		r->wlen -= r->i;
		r->i = 0;
	}
	size_t chunk = r->chunk ? r->chunk : 65536;
	/* a surrogate pair must fit in a chunk */
	if (is_utf16(r->enc) && chunk < 4)
		chunk = 4;
	if (r->fd < 0) {
		size_t n = r->mem_len - (size_t)r->off;
		if (n > chunk)
			n = chunk;
		if (is_utf16(r->enc)) {
			int final = r->off + n >= r->mem_len;
			r->off += decode16(r, r->mem + r->off, n, final);
			if (final)
				r->eof = 1;
			return;
		}
		decode(r, r->mem + r->off, n);
		r->off += n;
		r->eof = r->off >= r->mem_len;
		return;
	}
	unsigned char buf[65536];
	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	for (;;) {
		ssize_t n = pread(r->fd, buf, chunk, (off_t)r->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->read_errno = errno;
			r->eof = 1;
		} else if (n == 0) {
			r->eof = 1;
		} else if (is_utf16(r->enc)) {
			/* fewer bytes than a pair at the end: nothing more will come */
			size_t used = decode16(r, buf, (size_t)n, (size_t)n < 4);
			r->off += used;
			if ((size_t)n < 4)
				r->eof = 1;
		} else {
			decode(r, buf, (size_t)n);
			r->off += (unsigned long long)n;
		}
		return;
	}
}

/* 1 when `k` more bytes are in the window (reading more if need be). */
static inline int have(struct lm_csv_reader *r, size_t k)
{
	while (r->i + k > r->wlen && !r->eof)
		refill(r);
	return r->i + k <= r->wlen;
}

static inline int peek(struct lm_csv_reader *r, size_t k)
{
	return have(r, k + 1) ? r->w[r->i + k] : -1;
}

/* ---- the tokenizer ---- */

/* Reports a read error in preference to whatever it made the text look like. */
static int fail_read(struct lm_csv_reader *r, struct lm_diag *d)
{
	return lm_diag_setk(d, lm_diag_errno_kind(r->read_errno), r->path, 0, 0,
			    "cannot read '%s': %s; check that it is a readable file",
			   r->path, strerror(r->read_errno));
}

static void pool_add(struct lm_csv_reader *r, const unsigned char *s, size_t n)
{
	if (r->pool_len + n + 1 > r->pool_cap) {
		size_t cap = r->pool_cap ? 2 * r->pool_cap : 4096;
		while (cap < r->pool_len + n + 1)
			cap *= 2;
		r->pool = lm_xrealloc(r->pool, cap);
		r->pool_cap = cap;
	}
	if (n)
		memcpy(r->pool + r->pool_len, s, n);
	r->pool_len += n;
}

static int at_eol(struct lm_csv_reader *r)
{
	int c = peek(r, 0);
	return c == '\r' || c == '\n';
}

/* Consumes one line end (CRLF counts as one). */
static void eat_eol(struct lm_csv_reader *r)
{
	if (r->w[r->i] == '\r' && peek(r, 1) == '\n')
		r->i++;
	r->i++;
	r->line++;
	r->col = 1;
}

/* Takes the character at the cursor into field `f`: checked to be UTF-8
 * (so columns may count characters by skipping continuation bytes), and
 * kept only while the field is within LM_CSV_MAX_CELL, so a runaway field
 * costs no memory.  Returns 0, or -1 with d filled. */
static int take(struct lm_csv_reader *r, struct lm_csv_field *f, struct lm_diag *d)
{
	unsigned char c = r->w[r->i];
	size_t n = 1;
	if (c == '\0')
		return lm_diag_set(d, r->path, r->line, r->col,
			"the file contains a NUL byte, so it is not a text CSV "
			"(perhaps saved as \"Unicode Text\" or as a workbook): "
			"save it as \"CSV UTF-8 (Comma delimited)\"");
	if (c >= 0x80) {
		have(r, 4);
		uint32_t cp;
		n = (size_t)lm_utf8_decode((const char *)r->w + r->i, r->wlen - r->i, &cp);
		if (!n && r->bad_source && r->i + 1 == r->wlen)
			return lm_diag_set(d, r->path, r->line, r->col,
				"the file is not valid UTF-16 from this point (a lone surrogate, or "
				"a byte left over at the end); save it again as \"CSV UTF-8 (Comma delimited)\"");
		if (!n && r->enc == LM_INPUT_CP1252)
			return lm_diag_set(d, r->path, r->line, r->col,
				"byte 0x%02x is not a character in Windows-1252; is the file "
				"really Windows-1252? save it as \"CSV UTF-8 (Comma delimited)\"", c);
		if (!n)
			return lm_diag_set(d, r->path, r->line, r->col,
				"the file is not UTF-8 (byte 0x%02x at this point), but "
				"--input-encoding utf-8 says it is; leave that option out to "
				"read it as the Windows-1252 that Excel's plain \"CSV\" save writes, "
				"or save it as \"CSV UTF-8 (Comma delimited)\"", c);
	}
	if (f->len + n <= LM_CSV_MAX_CELL)
		pool_add(r, r->w + r->i, n);
	f->len += n;
	r->i += n;
	r->col++;
	return 0;
}

/* Takes the run of plain characters at the cursor at once: printable
 * ASCII and tabs, stopping before `stop` (the delimiter unquoted, '"' quoted), a line
 * end, a NUL or a byte that needs the UTF-8 check.  Most of a file is such
 * runs, and taking them a byte at a time is what would make a large file slow. */
static void take_plain(struct lm_csv_reader *r, struct lm_csv_field *f, unsigned char stop)
{
	size_t k = r->i;
	while (k < r->wlen) {
		unsigned char c = r->w[k];
		if ((c < 0x20 && c != '\t') || c >= 0x80 || c == stop)
			break;
		k++;
	}
	size_t n = k - r->i;
	if (f->len + n <= LM_CSV_MAX_CELL)
		pool_add(r, r->w + r->i, n);
	else if (f->len < LM_CSV_MAX_CELL)
		pool_add(r, r->w + r->i, LM_CSV_MAX_CELL - f->len);
	f->len += n;
	r->i = k;
	r->col += (int)n;
}

static void take_byte(struct lm_csv_reader *r, struct lm_csv_field *f, char c)
{
	if (f->len + 1 <= LM_CSV_MAX_CELL)
		pool_add(r, (const unsigned char *)&c, 1);
	f->len++;
}

/* A space or a tab that is not the delimiter: trimmed from a field. */
static int is_blank(const struct lm_csv_reader *r, int c)
{
	return c == ' ' || (c == '\t' && r->delim != '\t');
}

/* Reads one field at the cursor; stops before the delimiter or line end. */
static int read_field(struct lm_csv_reader *r, struct lm_csv_field *f, struct lm_diag *d)
{
	pool_add(r, NULL, 0); /* the pool exists even for an empty first field */
	f->off = r->pool_len;
	f->len = 0;
	f->line = r->line;
	f->col = r->col;

	/* Blanks before an opening quote are tolerated (hand-edited files);
	 * they would be trimmed anyway, so the cell's position is that of
	 * its first non-blank character. */
	int start_col = r->col;
	int delim = r->delim;
	while (is_blank(r, peek(r, 0))) {
		r->i++;
		r->col++;
	}
	int c = peek(r, 0);
	if (c < 0 || c == delim || c == '\r' || c == '\n')
		f->col = start_col;
	else
		f->col = r->col;
	if (c == '"') {
		int qline = r->line, qcol = r->col;
		r->i++;
		r->col++;
		for (;;) {
			c = peek(r, 0);
			if (c < 0)
				return lm_diag_set(d, r->path, qline, qcol,
					"the quote that opens this field is never closed; "
					"add the closing '\"' (a quote inside a value is "
					"written twice: \"\")");
			if (c == '"') {
				if (peek(r, 1) == '"') {
					take_byte(r, f, '"');
					r->i += 2;
					r->col += 2;
					continue;
				}
				r->i++;
				r->col++;
				break;
			}
			if (c == '\r' || c == '\n') {
				take_byte(r, f, '\n');
				eat_eol(r);
				continue;
			}
			take_plain(r, f, '"');
			if (r->i < r->wlen && !(r->w[r->i] == '"' || r->w[r->i] == '\r' || r->w[r->i] == '\n') &&
			    take(r, f, d))
				return -1;
		}
	}
	/* Unquoted text, or whatever follows a closing quote, is taken as is. */
	while ((c = peek(r, 0)) >= 0 && c != delim && c != '\r' && c != '\n') {
		take_plain(r, f, (unsigned char)delim);
		c = r->i < r->wlen ? r->w[r->i] : -1;
		if (c >= 0 && c != delim && c != '\r' && c != '\n' && take(r, f, d))
			return -1;
	}

	if (f->len > LM_CSV_MAX_CELL)
		/* a cell this long is a damaged file or a quote left open, never
		 * a fact for a letter */
		return lm_diag_set(d, r->path, f->line, f->col,
			"this cell holds %zu bytes; a cell may hold at most %d "
			"(is a quote left open, or is this not the right file?)",
			f->len, LM_CSV_MAX_CELL);
	char *start = r->pool + f->off;
	char *end = r->pool + r->pool_len;
	char *a = start;
	while (a < end && is_blank(r, *a))
		a++;
	while (end > a && is_blank(r, end[-1]))
		end--;
	f->len = (size_t)(end - a);
	memmove(start, a, f->len);
	r->pool_len = f->off + f->len;
	pool_add(r, (const unsigned char *)"", 1);
	return 0;
}

static const char *delim_name(char delim)
{
	return delim == ';' ? "a semicolon" : delim == '\t' ? "a tab" : "a comma";
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Reads the next record that is not empty (a blank line, or the ",,,"
 * Excel writes for a cleared row) into r->fields.  `limit` is the header
 * width, 0 for the header itself.  A row longer than that (or than
 * LM_CSV_MAX_COLS) keeps only its first extra field, so a row of a million
 * commas costs no memory.
 * Returns 1, 0 at the end of the file, or -1 with d filled. */
static int read_record(struct lm_csv_reader *r, size_t limit, int *line, struct lm_diag *d)
{
	while (have(r, 1)) {
		*line = r->line;
		r->nfields = 0;
		r->pool_len = 0;
		int empty = 1;
		size_t n = 0;
		for (;;) {
			LM_ALLOC_GROW(r->fields, r->nfields + 1, r->afields);
			struct lm_csv_field *f = &r->fields[r->nfields];
			size_t mark = r->pool_len;
			if (read_field(r, f, d) < 0)
				return r->read_errno ? fail_read(r, d) : -1;
			if (f->len)
				empty = 0;
			n++;
			if (n <= (limit ? limit : LM_CSV_MAX_COLS) + 1)
				r->nfields++;
			else
				r->pool_len = mark;
			if (peek(r, 0) == r->delim) {
				r->i++;
				r->col++;
				continue;
			}
			if (at_eol(r))
				eat_eol(r);
			break;
		}
		if (r->read_errno)
			return fail_read(r, d);
		if (empty)
			continue;
		if (!limit && n > LM_CSV_MAX_COLS) {
			const struct lm_csv_field *x = &r->fields[LM_CSV_MAX_COLS];
			return lm_diag_set(d, r->path, x->line, x->col,
				"the header row has more than %d columns; is this the right file? (a "
				"sheet saved with formatting far to the right has empty columns: delete them)",
				LM_CSV_MAX_COLS);
		}
		if (limit && n > limit) {
			const struct lm_csv_field *x = &r->fields[limit];
			return lm_diag_set(d, r->path, x->line, x->col,
				"row has %zu fields but the header row has %zu; "
				"put a value that holds %s in double quotes, or "
				"name the extra column in the header row",
				n, limit, delim_name(r->delim));
		}
		if (limit && n < limit)
			return lm_diag_set(d, r->path, *line, 1,
				"row has %zu field%s but the header row has %zu; "
				"add the missing cells (a line break inside a value "
				"needs the value in double quotes)",
				n, plural(n), limit);
		return 1;
	}
	return r->read_errno ? fail_read(r, d) : 0;
}

/* Makes the record just read the header. */
static int take_header(struct lm_csv_reader *r, struct lm_diag *d)
{
	const struct lm_csv_field *hf = r->fields;
	for (size_t i = 0; i < r->nfields; i++) {
		if (!hf[i].len)
			return lm_diag_set(d, r->path, hf[i].line, hf[i].col,
				"column %zu of the header row has no name; "
				"name it or delete the column", i + 1);
		for (size_t j = 0; j < i; j++) {
			const char *a = r->pool + hf[j].off, *b = r->pool + hf[i].off;
			if (!strcmp(a, b))
				return lm_diag_set(d, r->path, hf[i].line, hf[i].col,
					"column '%s' appears twice in the header row "
					"(columns %zu and %zu); rename or delete one",
					b, j + 1, i + 1);
			/* a letter names columns ignoring case, spaces, '_', '-'
			 * and brackets: it could not tell these two apart */
			if (lm_name_eq(a, b))
				return lm_diag_set(d, r->path, hf[i].line, hf[i].col,
					"columns '%s' (column %zu) and '%s' (column %zu) have one name "
					"to a letter, which ignores case, spaces, '_', '-' and brackets; "
					"rename or delete one", a, j + 1, b, i + 1);
		}
	}
	r->ncols = r->nfields;
	r->hpool = lm_xmalloc(r->pool_len + 1);
	memcpy(r->hpool, r->pool, r->pool_len);
	r->header = lm_xcalloc(r->ncols, sizeof(*r->header));
	r->header_cells = lm_xcalloc(r->ncols, sizeof(*r->header_cells));
	r->cells = lm_xcalloc(r->ncols, sizeof(*r->cells));
	for (size_t c = 0; c < r->ncols; c++) {
		r->header_cells[c] = (struct lm_csv_cell){ r->hpool + hf[c].off, hf[c].len,
							   hf[c].line, hf[c].col };
		r->header[c] = r->header_cells[c].text;
	}
	return 0;
}

const char *lm_input_encoding_name(enum lm_input_encoding enc)
{
	switch (enc) {
	case LM_INPUT_UTF8:
		return "UTF-8";
	case LM_INPUT_CP1252:
		return "Windows-1252";
	case LM_INPUT_UTF16LE:
		return "UTF-16LE";
	case LM_INPUT_UTF16BE:
		return "UTF-16BE";
	case LM_INPUT_AUTO:
		break;
	}
	return "";
}

/* Reads up to `n` source bytes at `off` without decoding; returns how many. */
static size_t raw(struct lm_csv_reader *r, unsigned long long off, unsigned char *buf, size_t n)
{
	if (r->fd < 0) {
		if (off >= r->mem_len)
			return 0;
		size_t k = r->mem_len - (size_t)off;
		k = k < n ? k : n;
		memcpy(buf, r->mem + off, k);
		return k;
	}
	for (;;) {
		ssize_t k = pread(r->fd, buf, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->read_errno = errno;
			return 0;
		}
		return (size_t)k;
	}
}

/* What one pass over the source from `off` found: is it all UTF-8, and
 * where are its first non-ASCII and first invalid bytes (line and column
 * counted as the tokenizer counts them: CR, LF and CRLF end a line, a
 * column is a character). */
struct scan {
	int valid, ascii;
	int na_line, na_col;          /* first non-ASCII character */
	int bad_line, bad_col;        /* first byte that is not UTF-8 */
	unsigned char bad_byte;
};

static void scan_utf8(struct lm_csv_reader *r, unsigned long long off, struct scan *sc)
{
	unsigned char buf[65536 + 4];
	size_t carry = 0;
	int line = 1, col = 1, prev_cr = 0;
	*sc = (struct scan){ 1, 1, 0, 0, 0, 0, 0 };
	for (;;) {
		size_t n = raw(r, off, buf + carry, sizeof(buf) - 4 - carry);
		if (r->read_errno)
			return;
		off += n;
		n += carry;
		carry = 0;
		if (!n)
			break;
		size_t i = 0;
		while (i < n) {
			unsigned char c = buf[i];
			if (c < 0x80) {
				if (c == '\r' || (c == '\n' && !prev_cr))
					line++, col = 1;
				else if (c != '\n')
					col++;
				prev_cr = c == '\r';
				i++;
				continue;
			}
			prev_cr = 0;
			uint32_t cp;
			int k = lm_utf8_decode((const char *)buf + i, n - i, &cp);
			if (!k && n - i < 4 && n == sizeof(buf) - 4) {
				/* perhaps a sequence cut by the chunk: keep it */
				carry = n - i;
				memmove(buf, buf + i, carry);
				break;
			}
			if (sc->ascii) {
				sc->ascii = 0;
				sc->na_line = line, sc->na_col = col;
			}
			if (!k) {
				sc->valid = 0;
				sc->bad_line = line, sc->bad_col = col;
				sc->bad_byte = c;
				return;
			}
			i += (size_t)k;
			col++;
		}
	}
	if (carry) {
		/* cut off by the end of the file */
		sc->valid = 0;
		sc->bad_byte = buf[0];
		sc->bad_line = line, sc->bad_col = col;
	}
}

/* The delimiter of the header row: the most common of ',' ';' and tab
 * outside quotes on the first line that holds anything but delimiters and
 * spaces (ties go to ',' then ';'); ',' when it has none. */
static char sniff_delim(struct lm_csv_reader *r)
{
	size_t n[3] = { 0, 0, 0 };
	int inq = 0, content = 0;
	for (size_t k = 0; k < (1u << 20); k++) {
		int c = peek(r, k);
		if (c < 0)
			break;
		if (c == '"') {
			inq = !inq;
			content = 1;
		} else if (inq) {
			continue;
		} else if (c == '\r' || c == '\n') {
			if (content)
				break;
			n[0] = n[1] = n[2] = 0;
		} else if (c == ',') {
			n[0]++;
		} else if (c == ';') {
			n[1]++;
		} else if (c == '\t') {
			n[2]++;
		} else if (c != ' ') {
			content = 1;
		}
	}
	if (n[2] > n[0] && n[2] > n[1])
		return '\t';
	if (n[1] > n[0])
		return ';';
	return ',';
}

/* UTF-16 saved without a byte-order mark (iconv and some exports write it):
 * text in a CSV is mostly ASCII, so most two-byte units have one zero byte,
 * always on the same side.  A CSV never holds a NUL byte otherwise (that is
 * an error), so the pattern cannot be mistaken for UTF-8 or Windows-1252.
 * Returns the byte order, or LM_INPUT_AUTO when it is not that. */
static enum lm_input_encoding sniff_utf16(struct lm_csv_reader *r)
{
	unsigned char h[512];
	size_t n = raw(r, r->off, h, sizeof(h)) & ~(size_t)1;
	size_t le = 0, be = 0;
	for (size_t i = 0; i < n; i += 2) {
		if (h[i] && !h[i + 1])
			le++;
		else if (!h[i] && h[i + 1])
			be++;
	}
	size_t pairs = n / 2;
	if (pairs < 2)
		return LM_INPUT_AUTO;
	/* the first unit (a header's first letter) and three in four of the
	 * rest; a few the other way round are characters such as U+0100 or
	 * the low half of a surrogate pair (an emoji) */
	if (h[0] && !h[1] && le * 4 >= pairs * 3 && be * 8 < pairs)
		return LM_INPUT_UTF16LE;
	if (!h[0] && h[1] && be * 4 >= pairs * 3 && le * 8 < pairs)
		return LM_INPUT_UTF16BE;
	return LM_INPUT_AUTO;
}

/* Settles how the source is read: its byte-order mark, else a look at
 * every byte, against what the caller asked for. */
static int pick_encoding(struct lm_csv_reader *r, struct lm_diag *d)
{
	unsigned char head[3] = { 0, 0, 0 };
	size_t n = raw(r, 0, head, 3);
	if (r->read_errno)
		return fail_read(r, d);
	enum lm_input_encoding bom = LM_INPUT_AUTO;
	if (n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3))
		bom = LM_INPUT_UTF8, r->off = 3;
	else if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE)
		bom = LM_INPUT_UTF16LE, r->off = 2;
	else if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF)
		bom = LM_INPUT_UTF16BE, r->off = 2;
	enum lm_input_encoding asked = r->enc;
	if (r->trusted)
		return 0;
	if (bom != LM_INPUT_AUTO) {
		r->enc = bom;
		if (asked == LM_INPUT_AUTO || asked == bom ||
		    (asked == LM_INPUT_UTF16LE && bom == LM_INPUT_UTF16BE) ||
		    (asked == LM_INPUT_UTF16BE && bom == LM_INPUT_UTF16LE))
			return 0;
		return lm_diag_set(d, r->path, 1, 1,
			"the file starts with a %s byte-order mark, but --input-encoding says %s; "
			"leave the option out (each file's encoding is found by itself)",
			bom == LM_INPUT_UTF8 ? "UTF-8" : "UTF-16", lm_input_encoding_name(asked));
	}
	if (asked == LM_INPUT_UTF16LE || asked == LM_INPUT_UTF16BE)
		/* without a mark the byte order cannot be known for sure */
		return 0;
	if (asked == LM_INPUT_UTF8)
		return 0; /* the tokenizer stops at the first byte that is not */
	if (asked == LM_INPUT_AUTO) {
		/* only when nothing was said: --input-encoding windows-1252
		 * on such a file stops at its first NUL byte */
		enum lm_input_encoding u16 = sniff_utf16(r);
		if (r->read_errno)
			return fail_read(r, d);
		if (u16 != LM_INPUT_AUTO) {
			r->enc = u16;
			return 0;
		}
	}
	struct scan sc;
	scan_utf8(r, r->off, &sc);
	if (r->read_errno)
		return fail_read(r, d);
	if (asked == LM_INPUT_CP1252) {
		if (sc.valid && !sc.ascii)
			return lm_diag_set(d, r->path, sc.na_line, sc.na_col,
				"the file is UTF-8, but --input-encoding windows-1252 says it is "
				"Windows-1252: read so, this character would print as two or three "
				"wrong ones (O\xE2\x80\x99" "Brien as O\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2" "Brien); "
				"leave the option out (each file's encoding is found by itself)");
		return 0;
	}
	if (sc.valid) {
		r->enc = LM_INPUT_UTF8;
	} else {
		r->enc = LM_INPUT_CP1252;
		r->guessed = 1;
		r->guess_line = sc.bad_line, r->guess_col = sc.bad_col;
		r->guess_byte = sc.bad_byte;
	}
	return 0;
}

void lm_csv_guess_warning(const char *path, int line, int col, unsigned char byte,
			  struct lm_diag *d)
{
	char shown[8] = "?";
	unsigned cp = lm_cp1252_code_point(byte);
	if (cp)
		shown[lm_utf8_encode(cp, shown)] = '\0';
	lm_diag_set(d, path, line, col,
		    "the file is not UTF-8 (byte 0x%02X here), so it is read as Windows-1252, "
		    "what Excel's plain \"CSV\" save writes, where that byte is \"%s\"; if that "
		    "is right, all is well; to be sure, save it as \"CSV UTF-8 (Comma delimited)\"",
		    byte, shown);
	d->severity = LM_WARNING;
}

static int open_source(struct lm_csv_reader *r, const char *path, struct lm_diag *d)
{
	r->path = lm_xstrdup(path);
	r->line = 1;
	r->col = 1;
	/* a workbook is told by its first bytes, before any look at the text */
	unsigned char head[8];
	size_t hn = raw(r, 0, head, sizeof(head));
	if (r->read_errno)
		return fail_read(r, d);
	int kind = lm_workbook_sniff(head, hn);
	if (kind == 1)
		return lm_workbook_open(r, path, r->fd, (const char *)r->mem, r->mem_len, r->sheet_name,
					r->sheet_fallback, d);
	if (kind == 2)
		return lm_diag_set(d, r->path, 0, 0,
			"'%s' is an old Excel .xls workbook (or an encrypted one), which cannot be read; "
			"save it as \"Excel Workbook (.xlsx)\" (without a password) or as CSV", path);
	if (pick_encoding(r, d))
		return -1;
	if (r->fd < 0 && !r->chunk && r->enc == LM_INPUT_UTF8) {
		/* memory taken whole: no copy */
		r->w = (unsigned char *)r->mem + r->off;
		r->wlen = r->mem_len - (size_t)r->off;
		r->off = r->mem_len;
		r->eof = 1;
	} else {
		r->own_window = 1;
	}
	if (!r->delim)
		r->delim = sniff_delim(r);
	if (r->read_errno)
		return fail_read(r, d);
	int line, rc = read_record(r, 0, &line, d);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return lm_diag_set(d, r->path, 0, 0, "file is empty: it needs a header row");
	return take_header(r, d);
}

int lm_csv_reader_open(struct lm_csv_reader *r, const char *path, int fd,
		       enum lm_input_encoding enc, struct lm_diag *d)
{
	r->fd = fd;
	r->enc = enc;
	return open_source(r, path, d);
}

int lm_csv_reader_open_mem(struct lm_csv_reader *r, const char *path,
			   const char *data, size_t len,
			   enum lm_input_encoding enc, struct lm_diag *d)
{
	r->fd = -1;
	r->mem = (const unsigned char *)data;
	r->mem_len = len;
	r->enc = enc;
	return open_source(r, path, d);
}

int lm_csv_reader_open_sheet(struct lm_csv_reader *r, const char *path, int fd,
			     enum lm_input_encoding enc, const char *sheet, int fallback,
			     struct lm_diag *d)
{
	r->sheet_name = sheet;
	r->sheet_fallback = fallback;
	return lm_csv_reader_open(r, path, fd, enc, d);
}

int lm_csv_reader_next(struct lm_csv_reader *r, struct lm_diag *d)
{
	if (r->sheet)
		return lm_workbook_next(r, d);
	int line, rc = read_record(r, r->ncols, &line, d);
	if (rc <= 0)
		return rc;
	r->row_line = line;
	for (size_t c = 0; c < r->ncols; c++) {
		const struct lm_csv_field *f = &r->fields[c];
		r->cells[c] = (struct lm_csv_cell){ r->pool + f->off, f->len, f->line, f->col };
	}
	r->nrows++;
	return 1;
}

/* The header matches a name as written first, then as names.h says (the
 * header row was checked to hold no two columns of one name). */
static int find_column(char *const *header, size_t ncols, const char *name)
{
	for (size_t i = 0; i < ncols; i++)
		if (!strcmp(header[i], name))
			return (int)i;
	for (size_t i = 0; i < ncols; i++)
		if (lm_name_eq(header[i], name))
			return (int)i;
	return -1;
}

int lm_csv_reader_column(const struct lm_csv_reader *r, const char *name)
{
	return find_column(r->header, r->ncols, name);
}

/* ---- a whole file ---- */

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

/* Every row of the reader, kept: the texts go into one pool, and the cells
 * point into it once it has stopped moving. */
static int read_all(struct lm_csv *csv, struct lm_csv_reader *r, struct lm_diag *d)
{
	struct lm_buf pool = LM_BUF_INIT;
	size_t *offs = NULL, ncells = 0, acells = 0, aoffs = 0, alines = 0;
	size_t ncols = r->ncols;
	size_t *hoffs = lm_xcalloc(ncols, sizeof(*hoffs));
	for (size_t c = 0; c < ncols; c++) {
		hoffs[c] = pool.len;
		lm_buf_add(&pool, r->header[c], r->header_cells[c].len + 1);
	}
	int rc;
	while ((rc = lm_csv_reader_next(r, d)) == 1) {
		LM_ALLOC_GROW(csv->cells, ncells + ncols, acells);
		LM_ALLOC_GROW(offs, ncells + ncols, aoffs);
		LM_ALLOC_GROW(csv->row_line, csv->nrows + 1, alines);
		csv->row_line[csv->nrows++] = r->row_line;
		for (size_t c = 0; c < ncols; c++, ncells++) {
			offs[ncells] = pool.len;
			csv->cells[ncells] = r->cells[c];
			lm_buf_add(&pool, r->cells[c].text, r->cells[c].len + 1);
		}
	}
	if (rc == 0) {
		csv->ncols = ncols;
		csv->pool = lm_buf_detach(&pool, NULL);
		csv->header = lm_xcalloc(ncols, sizeof(*csv->header));
		csv->header_cells = lm_xcalloc(ncols, sizeof(*csv->header_cells));
		for (size_t c = 0; c < ncols; c++) {
			csv->header_cells[c] = r->header_cells[c];
			csv->header_cells[c].text = csv->pool + hoffs[c];
			csv->header[c] = csv->header_cells[c].text;
		}
		for (size_t k = 0; k < ncells; k++)
			csv->cells[k].text = csv->pool + offs[k];
		if (!csv->cells)
			csv->cells = lm_xcalloc(1, sizeof(*csv->cells));
		if (!csv->row_line)
			csv->row_line = lm_xcalloc(1, sizeof(*csv->row_line));
	}
	free(hoffs);
	free(offs);
	lm_buf_release(&pool);
	return rc;
}

int lm_csv_parse(struct lm_csv *csv, const char *path, const char *data,
		 size_t len, struct lm_diag *d)
{
	return lm_csv_parse_as(csv, path, data, len, LM_INPUT_AUTO, d);
}

/* A CSV file or a workbook's sheet in memory, read whole. */
static int parse_full(struct lm_csv *csv, const char *path, const char *data, size_t len,
		      enum lm_input_encoding enc, char delim, const char *sheet, int fallback,
		      struct lm_diag *d)
{
	struct lm_csv_reader r;
	lm_csv_release(csv);
	lm_csv_reader_init(&r);
	r.sheet_name = sheet;
	r.sheet_fallback = fallback;
	r.delim = delim;
	int rc = -1;
	if (!lm_csv_reader_open_mem(&r, path, data, len, enc, d) && !read_all(csv, &r, d)) {
		csv->path = lm_xstrdup(r.path); /* a sheet's is FILE#SHEET */
		csv->enc = r.enc;
		csv->delim = r.delim;
		csv->guessed = r.guessed;
		csv->guess_line = r.guess_line;
		csv->guess_col = r.guess_col;
		csv->guess_byte = r.guess_byte;
		rc = 0;
	} else {
		lm_csv_release(csv);
	}
	lm_csv_reader_release(&r);
	return rc;
}

int lm_csv_parse_with(struct lm_csv *csv, const char *path, const char *data, size_t len,
		      enum lm_input_encoding enc, char delim, struct lm_diag *d)
{
	return parse_full(csv, path, data, len, enc, delim, NULL, 0, d);
}

int lm_csv_parse_as(struct lm_csv *csv, const char *path, const char *data, size_t len,
		    enum lm_input_encoding enc, struct lm_diag *d)
{
	return parse_full(csv, path, data, len, enc, 0, NULL, 0, d);
}

static int load_full(struct lm_csv *csv, const char *path, enum lm_input_encoding enc, char delim,
		     const char *sheet, int fallback, struct lm_diag *d)
{
	lm_csv_release(csv);
	struct lm_buf b = LM_BUF_INIT;
	int rc = lm_read_file_as(path, LM_CAP_CSV, "spreadsheet file", &b, d);
	if (!rc)
		rc = parse_full(csv, path, b.ptr, b.len, enc, delim, sheet, fallback, d);
	lm_buf_release(&b);
	return rc;
}

int lm_csv_load(struct lm_csv *csv, const char *path, struct lm_diag *d)
{
	return load_full(csv, path, LM_INPUT_AUTO, 0, NULL, 0, d);
}

int lm_csv_load_as(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		   struct lm_diag *d)
{
	return load_full(csv, path, enc, 0, NULL, 0, d);
}

int lm_csv_load_with(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		     char delim, struct lm_diag *d)
{
	return load_full(csv, path, enc, delim, NULL, 0, d);
}

int lm_csv_load_sheet(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		      const char *sheet, int fallback, struct lm_diag *d)
{
	return load_full(csv, path, enc, 0, sheet, fallback, d);
}

int lm_csv_load_sheet_with(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
			   char delim, const char *sheet, int fallback, struct lm_diag *d)
{
	return load_full(csv, path, enc, delim, sheet, fallback, d);
}

int lm_csv_column(const struct lm_csv *csv, const char *name)
{
	return find_column(csv->header, csv->ncols, name);
}

const struct lm_csv_cell *lm_csv_get(const struct lm_csv *csv, size_t row,
				     size_t col)
{
	if (row >= csv->nrows || col >= csv->ncols)
		return NULL;
	return &csv->cells[row * csv->ncols + col];
}
