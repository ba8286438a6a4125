#include "workbook.h"

#include "buf.h"
#include "csv.h"
#include "date.h"
#include "diag.h"
#include "names.h"

#include <errno.h>
#include <libxml/xmlreader.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* Rows a sheet may have (Excel's and Calc's limit): a row repeated past
 * it is a damaged or hostile file. */
#define MAX_ROWS 1048576LL

static const char NS_TABLE[] = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
static const char NS_OFFICE[] = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
static const char NS_TEXT[] = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
static const char NS_STYLE[] = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
static const char NS_CALCEXT[] = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0";

/* How an .xlsx number is to be shown, from its cell's number format. */
enum numfmt { FMT_NUMBER, FMT_DATE, FMT_DATETIME, FMT_TIME };

/* A cell of the row being read: its text is at `off` in S->text. */
struct rcell {
	int col;
	size_t off, len;
};

/* The archive's bytes for libzip, read with pread (or from memory). */
struct zsrc {
	int fd;
	const unsigned char *mem;
	zip_uint64_t len, pos;
	zip_error_t err;
};

struct lm_sheet {
	struct zsrc src;
	zip_t *za;
	zip_file_t *zf;           /* the sheet's part, streamed */
	char *file;               /* the workbook's path, for messages; owned */
	char part[256];           /* the part being read, for messages */
	unsigned long long unpacked, cap; /* of the part being read */
	int zip_failed, too_big;
	xmlTextReaderPtr xr;
	char xml_err[300];
	int xml_line;
	int ods;
	int date1904;
	/* .xlsx: shared strings and the number format of each cell style */
	char *sst_pool;
	size_t *sst_off, nsst;
	unsigned char *xf_fmt;
	size_t nxf;
	/* the table being read */
	int table_depth;          /* .ods: depth of the table element */
	long long row;            /* row number of the current row */
	long long repeat;         /* .ods: further copies of the current row */
	int done;
	struct rcell *cells;
	size_t ncells, acells;
	struct lm_buf text;       /* the current row's texts */
	struct lm_buf val;        /* scratch */
};

/* ---- names of places ---- */

void lm_workbook_column_name(int col, char *out)
{
	char tmp[8];
	int n = 0;
	if (col < 1) {
		strcpy(out, "A");
		return;
	}
	while (col > 0 && n < 7) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static int has_ext(const char *s, size_t n, const char *ext)
{
	size_t e = strlen(ext);
	return n >= e && !strncasecmp(s + n - e, ext, e);
}

int lm_workbook_is_sheet_path(const char *file)
{
	for (const char *h = strchr(file, '#'); h; h = strchr(h + 1, '#'))
		if (has_ext(file, (size_t)(h - file), ".xlsx") || has_ext(file, (size_t)(h - file), ".ods"))
			return 1;
	return 0;
}

int lm_workbook_sniff(const unsigned char *head, size_t n)
{
	if (n >= 4 && !memcmp(head, "PK\x03\x04", 4))
		return 1;
	if (n >= 8 && !memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return 2;
	return 0;
}

/* ---- the archive ---- */

static zip_int64_t zsrc_cb(void *ud, void *data, zip_uint64_t n, zip_source_cmd_t cmd)
{
	struct zsrc *s = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (s->pos >= s->len)
			return 0;
		if (n > s->len - s->pos)
			n = s->len - s->pos;
		if (s->mem) {
			memcpy(data, s->mem + s->pos, n);
		} else {
			ssize_t k;
			do
				k = pread(s->fd, data, n, (off_t)s->pos);
			while (k < 0 && errno == EINTR);
			if (k < 0) {
				zip_error_set(&s->err, ZIP_ER_READ, errno);
				return -1;
			}
			n = (zip_uint64_t)k;
		}
		s->pos += n;
		return (zip_int64_t)n;
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		if (n < sizeof(*st)) {
			zip_error_set(&s->err, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		st->size = s->len;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->err, data, n);
	case ZIP_SOURCE_SEEK: {
		zip_int64_t o = zip_source_seek_compute_offset(s->pos, s->len, data, n, &s->err);
		if (o < 0)
			return -1;
		s->pos = (zip_uint64_t)o;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)s->pos;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
						      ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
						      ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS, -1);
	default:
		zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

static const char DAMAGED[] = "open it in Excel or LibreOffice and save it again";

static int open_zip(struct lm_sheet *S, int fd, const char *data, size_t len, struct lm_diag *d)
{
	S->src.fd = fd;
	S->src.mem = (const unsigned char *)data;
	zip_error_init(&S->src.err);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			return lm_diag_set(d, S->file, 0, 0, "cannot read '%s': %s", S->file, strerror(errno));
		S->src.mem = NULL;
		S->src.len = (zip_uint64_t)st.st_size;
	} else {
		S->src.len = len;
	}
	zip_error_t err;
	zip_error_init(&err);
	zip_source_t *zs = zip_source_function_create(zsrc_cb, &S->src, &err);
	if (zs)
		S->za = zip_open_from_source(zs, ZIP_RDONLY, &err);
	if (!S->za) {
		if (zs)
			zip_source_free(zs);
		int rc = lm_diag_set(d, S->file, 0, 0,
			"'%s' looks like a workbook but cannot be opened as one (%s); is it damaged? %s",
			S->file, zip_error_strerror(&err), DAMAGED);
		zip_error_fini(&err);
		return rc;
	}
	zip_error_fini(&err);
	return 0;
}

static int part_error(struct lm_sheet *S, struct lm_diag *d, const char *what)
{
	return lm_diag_set(d, S->file, 0, 0, "'%s': the part %s %s; is the workbook damaged? %s",
			   S->file, S->part, what, DAMAGED);
}

static int too_big(struct lm_sheet *S, struct lm_diag *d)
{
	unsigned long long cap = S->cap;
	return lm_diag_set(d, S->file, 0, 0,
		"'%s': the part %s unpacks to more than %llu MB, more than any real sheet of "
		"names and addresses; is this the right file? (save a very large list as CSV)",
		S->file, S->part, cap >> 20);
}

/* Opens part `name` for reading; 0 when it is absent and not `needed`. */
static int open_part(struct lm_sheet *S, const char *name, int needed, unsigned long long cap,
		     struct lm_diag *d)
{
	snprintf(S->part, sizeof(S->part), "%s", name);
	zip_int64_t idx = zip_name_locate(S->za, name, 0);
	if (idx < 0)
		return needed ? part_error(S, d, "is missing") : 0;
	zip_stat_t st;
	if (zip_stat_index(S->za, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
	    st.size > cap) {
		S->cap = cap;
		return too_big(S, d);
	}
	if (S->zf)
		zip_fclose(S->zf);
	S->zf = zip_fopen_index(S->za, (zip_uint64_t)idx, 0);
	if (!S->zf)
		return part_error(S, d, "cannot be unpacked");
	S->unpacked = 0;
	S->cap = cap;
	S->zip_failed = S->too_big = 0;
	return 1;
}

/* libxml2 pulls the part through this, a piece at a time. */
static int zread(void *ctx, char *buf, int len)
{
	struct lm_sheet *S = ctx;
	zip_int64_t n = zip_fread(S->zf, buf, (zip_uint64_t)len);
	if (n < 0) {
		S->zip_failed = 1;
		return -1;
	}
	S->unpacked += (unsigned long long)n;
	if (S->unpacked > S->cap) {
		S->too_big = 1;
		return -1;
	}
	return (int)n;
}

static int zclose(void *ctx)
{
	(void)ctx;
	return 0;
}

static void xml_error(void *arg, xmlErrorPtr e)
{
	struct lm_sheet *S = arg;
	if (S->xml_err[0] || !e)
		return;
	snprintf(S->xml_err, sizeof(S->xml_err), "%s", e->message ? e->message : "broken XML");
	size_t n = strlen(S->xml_err);
	while (n && (S->xml_err[n - 1] == '\n' || S->xml_err[n - 1] == ' '))
		S->xml_err[--n] = '\0';
	S->xml_line = e->line;
}

static void close_xml(struct lm_sheet *S)
{
	if (S->xr)
		xmlFreeTextReader(S->xr);
	S->xr = NULL;
}

/* Starts reading the open part as XML, streamed.  No network, no DTD
 * loading and no entity substitution: a workbook's parts need none. */
static int start_xml(struct lm_sheet *S, struct lm_diag *d)
{
	close_xml(S);
	S->xml_err[0] = '\0';
	S->xr = xmlReaderForIO(zread, zclose, S, S->part, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	if (!S->xr)
		return part_error(S, d, "cannot be read as XML");
	xmlTextReaderSetStructuredErrorHandler(S->xr, xml_error, S);
	return 0;
}

/* The next node; 1, 0 at the end of the part, or -1 with d filled. */
static int next_node(struct lm_sheet *S, struct lm_diag *d)
{
	int rc = xmlTextReaderRead(S->xr);
	if (rc >= 0 && !S->too_big && !S->zip_failed)
		return rc;
	if (S->too_big)
		return too_big(S, d);
	if (S->zip_failed)
		return part_error(S, d, "cannot be unpacked");
	if (S->xml_err[0])
		return lm_diag_set(d, S->file, 0, 0,
			"'%s': the part %s is not well-formed XML (line %d: %s); is the workbook damaged? %s",
			S->file, S->part, S->xml_line, S->xml_err, DAMAGED);
	return part_error(S, d, "cannot be read as XML");
}

static int is_el(struct lm_sheet *S, const char *local, const char *ns)
{
	const char *l = (const char *)xmlTextReaderConstLocalName(S->xr);
	if (!l || strcmp(l, local))
		return 0;
	if (!ns)
		return 1;
	const char *u = (const char *)xmlTextReaderConstNamespaceUri(S->xr);
	return u && !strcmp(u, ns);
}

static int at_start(struct lm_sheet *S, const char *local, const char *ns)
{
	return xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_ELEMENT && is_el(S, local, ns);
}

static int at_end(struct lm_sheet *S, const char *local, const char *ns)
{
	return xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_END_ELEMENT && is_el(S, local, ns);
}

/* The attribute's value (malloc'd by libxml2: xmlFree it), or NULL. */
static char *attr(struct lm_sheet *S, const char *local, const char *ns)
{
	return (char *)(ns ? xmlTextReaderGetAttributeNs(S->xr, (const xmlChar *)local, (const xmlChar *)ns)
			   : xmlTextReaderGetAttribute(S->xr, (const xmlChar *)local));
}

static long long attr_num(struct lm_sheet *S, const char *local, const char *ns, long long dflt)
{
	char *v = attr(S, local, ns);
	if (!v)
		return dflt;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end || n < 1)
		n = dflt;
	xmlFree(v);
	return n;
}

/* Reads to the end of the element the reader is on (its start tag). */
static int skip_element(struct lm_sheet *S, struct lm_diag *d)
{
	if (xmlTextReaderIsEmptyElement(S->xr))
		return 0;
	int depth = xmlTextReaderDepth(S->xr), rc;
	while ((rc = next_node(S, d)) == 1)
		if (xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(S->xr) == depth)
			return 0;
	return rc < 0 ? -1 : part_error(S, d, "ends in the middle of an element");
}

static int is_text_node(int t)
{
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE;
}

static void add_capped(struct lm_buf *b, const char *s, size_t n)
{
	/* one byte past the cap is kept, so the cell is known to be too long */
	if (b->len + n > LM_CSV_MAX_CELL + 1)
		n = b->len < LM_CSV_MAX_CELL + 1 ? LM_CSV_MAX_CELL + 1 - b->len : 0;
	lm_buf_add(b, s, n);
}

/* The text of an .xlsx string (<si>, <is>): every <t> in it, phonetic
 * runs (<rPh>) left out.  The reader is on the element's start tag. */
static int xlsx_text(struct lm_sheet *S, struct lm_buf *out, struct lm_diag *d)
{
	if (xmlTextReaderIsEmptyElement(S->xr))
		return 0;
	int depth = xmlTextReaderDepth(S->xr), rc, in_t = 0;
	while ((rc = next_node(S, d)) == 1) {
		int t = xmlTextReaderNodeType(S->xr);
		if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(S->xr) == depth)
			return 0;
		if (t == XML_READER_TYPE_ELEMENT && is_el(S, "rPh", NULL)) {
			if (skip_element(S, d))
				return -1;
		} else if (t == XML_READER_TYPE_ELEMENT && is_el(S, "t", NULL)) {
			in_t = !xmlTextReaderIsEmptyElement(S->xr);
		} else if (t == XML_READER_TYPE_END_ELEMENT && is_el(S, "t", NULL)) {
			in_t = 0;
		} else if (in_t && is_text_node(t)) {
			const char *v = (const char *)xmlTextReaderConstValue(S->xr);
			add_capped(out, v, strlen(v));
		}
	}
	return rc < 0 ? -1 : part_error(S, d, "ends in the middle of a string");
}

/* Every text of the element the reader is on (its start tag). */
static int elem_text(struct lm_sheet *S, struct lm_buf *out, struct lm_diag *d)
{
	if (xmlTextReaderIsEmptyElement(S->xr))
		return 0;
	int depth = xmlTextReaderDepth(S->xr), rc;
	while ((rc = next_node(S, d)) == 1) {
		int t = xmlTextReaderNodeType(S->xr);
		if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(S->xr) == depth)
			return 0;
		if (is_text_node(t)) {
			const char *v = (const char *)xmlTextReaderConstValue(S->xr);
			add_capped(out, v, strlen(v));
		}
	}
	return rc < 0 ? -1 : part_error(S, d, "ends in the middle of a value");
}

/* ---- values as the spreadsheet shows them ---- */

/* An .xlsx number `v` shown as the sheet shows it with format `fmt`. */
static int show_number(struct lm_sheet *S, const char *path, long long row, int col, const char *v,
		       enum numfmt fmt, struct lm_buf *out, struct lm_diag *d)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || !isfinite(x))
		return lm_diag_set(d, path, (int)row, col,
			"this cell holds '%s', which is not a number; is the workbook damaged? "
			"open it in Excel or LibreOffice and save it again", v);
	if (fmt != FMT_NUMBER) {
		/* the serial number of a date: days since 1899-12-30 (Excel
		 * counts a 29 February 1900 that never was, so the days
		 * before it start a day later) or since 1904-01-01 */
		if (x < 0 || x >= 2958466)
			return lm_diag_set(d, path, (int)row, col,
				"this cell is formatted as a date but holds %s, which is no date; "
				"type the date again (as YYYY-MM-DD) or format the cell as text", v);
		long long days = (long long)floor(x);
		long long secs = llround((x - (double)days) * 86400.0);
		if (secs >= 86400) {
			days++;
			secs -= 86400;
		}
		if (fmt == FMT_TIME) {
			lm_buf_addf(out, "%02lld:%02lld", secs / 3600, secs / 60 % 60);
			if (secs % 60)
				lm_buf_addf(out, ":%02lld", secs % 60);
			return 0;
		}
		struct lm_date date;
		if (S->date1904) {
			/* day 0 is 1904-01-01, 24,107 days before 1970-01-01 */
			lm_date_from_days((long)days - 24107, &date);
		} else if (days == 60) {
			return lm_diag_set(d, path, (int)row, col,
				"this cell holds Excel's 29 February 1900, a day that never was; "
				"type the date again (as YYYY-MM-DD)");
		} else if (lm_date_from_excel((long)days, &date)) {
			return lm_diag_set(d, path, (int)row, col,
				"this cell is formatted as a date but holds %s, which Excel shows as "
				"no date; type the date again (as YYYY-MM-DD)", v);
		}
		int y = date.year, m = date.month, dd = date.day;
		lm_buf_addf(out, "%04d-%02d-%02d", y, m, dd);
		if (fmt == FMT_DATETIME && secs) {
			lm_buf_addf(out, " %02lld:%02lld", secs / 3600, secs / 60 % 60);
			if (secs % 60)
				lm_buf_addf(out, ":%02lld", secs % 60);
		}
		return 0;
	}
	if (x == floor(x) && fabs(x) >= 1e15)
		return lm_diag_set(d, path, (int)row, col,
			"this cell holds the number %s, too long for Excel to keep every digit: a "
			"reference that Excel turned into a number; format the column as Text and type "
			"the values again", v);
	if (x == floor(x)) {
		char num[32];
		snprintf(num, sizeof(num), "%.0f", x == 0 ? 0.0 : x);
		size_t digits = strlen(num) - (num[0] == '-');
		if (digits >= 10)
			/* Excel shows it as 1.51233E+09, and a phone number
			 * has already lost its leading 0: the value is damaged */
			return lm_diag_set(d, path, (int)row, col,
				"this cell holds the number %s: a phone number or reference that Excel "
				"turned into a number (it drops the leading 0 and shows it as 1.51233E+09); "
				"format the column as Text and type the values again", num);
		lm_buf_adds(out, num);
		return 0;
	}
	char num[40];
	snprintf(num, sizeof(num), "%.15g", x);
	for (char *p = num; *p; p++)
		if (*p == 'e')
			*p = 'E';
	lm_buf_adds(out, num);
	return 0;
}

/* Decodes the _xHHHH_ escapes .xlsx strings use for control characters,
 * and makes CRLF (Excel's line break when escaped) LF. */
static int unescape_xlsx(struct lm_buf *b, const char *path, long long row, int col, struct lm_diag *d)
{
	size_t o = 0;
	for (size_t i = 0; i < b->len; i++) {
		char c = b->ptr[i];
		unsigned v;
		if (c == '_' && i + 6 < b->len && b->ptr[i + 1] == 'x' && b->ptr[i + 6] == '_' &&
		    sscanf(b->ptr + i + 2, "%4x", &v) == 1 &&
		    strspn(b->ptr + i + 2, "0123456789abcdefABCDEF") >= 4) {
			i += 6;
			if (v == '_') {
				b->ptr[o++] = '_';
				continue;
			}
			if (v == '\r')
				continue;
			if (v == '\n' || v == '\t') {
				b->ptr[o++] = (char)v;
				continue;
			}
			if (v < 0x20 || (v >= 0x7F && v < 0xA0))
				return lm_diag_set(d, path, (int)row, col,
					"this cell holds the control character U+%04X, which no letter can "
					"show; delete it from the cell", v);
			/* any other escaped character: as UTF-8 */
			char u[4];
			int n = v < 0x800 ? 2 : 3;
			if (v < 0x80) {
				u[0] = (char)v;
				n = 1;
			} else if (n == 2) {
				u[0] = (char)(0xC0 | (v >> 6));
				u[1] = (char)(0x80 | (v & 0x3F));
			} else {
				if (v >= 0xD800 && v < 0xE000)
					return lm_diag_set(d, path, (int)row, col,
						"this cell holds a broken character (_x%04X_); type it again", v);
				u[0] = (char)(0xE0 | (v >> 12));
				u[1] = (char)(0x80 | ((v >> 6) & 0x3F));
				u[2] = (char)(0x80 | (v & 0x3F));
			}
			/* the escape is 7 bytes, its character at most 3 */
			memcpy(b->ptr + o, u, (size_t)n);
			o += (size_t)n;
			continue;
		}
		if (c == '\r') {
			if (i + 1 < b->len && b->ptr[i + 1] == '\n')
				continue;
			c = '\n';
		}
		b->ptr[o++] = c;
	}
	b->len = o;
	b->ptr[o] = '\0';
	return 0;
}

/* ---- the row being read ---- */

static void row_reset(struct lm_sheet *S)
{
	S->ncells = 0;
	lm_buf_reset(&S->text);
	lm_buf_addc(&S->text, '\0'); /* offset 0: the empty cell */
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Adds the cell in S->val at column `col` to the row, trimmed as a CSV
 * cell is; an empty one is left out.  Checks its size. */
static int row_add(struct lm_sheet *S, const char *path, long long row, int col, struct lm_diag *d)
{
	const char *a = S->val.ptr, *e = S->val.ptr + S->val.len;
	while (a < e && is_blank(*a))
		a++;
	while (e > a && is_blank(e[-1]))
		e--;
	if (a == e)
		return 0;
	if (S->val.len > LM_CSV_MAX_CELL)
		return lm_diag_set(d, path, (int)row, col,
			"this cell holds more than %d bytes; a cell may hold at most %d "
			"(is this the right file?)", LM_CSV_MAX_CELL, LM_CSV_MAX_CELL);
	LM_ALLOC_GROW(S->cells, S->ncells + 1, S->acells);
	S->cells[S->ncells++] = (struct rcell){ col, S->text.len, (size_t)(e - a) };
	lm_buf_add(&S->text, a, (size_t)(e - a));
	lm_buf_addc(&S->text, '\0');
	return 0;
}

/* ---- .xlsx ---- */

static int xlsx_col(const char *ref)
{
	long long col = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
		col = col * 26 + (*ref - 'A' + 1);
		if (col > 1 << 20)
			return -1;
	}
	return col ? (int)col : -1;
}

/* Reads the next <row> of the sheet into S->cells; 1, 0 at the end, -1. */
static int xlsx_row(struct lm_csv_reader *r, struct lm_sheet *S, struct lm_diag *d)
{
	int rc;
	while ((rc = next_node(S, d)) == 1) {
		if (at_end(S, "sheetData", NULL))
			return 0;
		if (!at_start(S, "row", NULL))
			continue;
		long long n = attr_num(S, "r", NULL, S->row + 1);
		if (n <= S->row || n > MAX_ROWS)
			return lm_diag_set(d, r->path, (int)(S->row + 1), 0,
				"the rows of this sheet are out of order or past row %lld; "
				"is the workbook damaged? %s", MAX_ROWS, DAMAGED);
		S->row = n;
		row_reset(S);
		if (xmlTextReaderIsEmptyElement(S->xr))
			return 1;
		int rdepth = xmlTextReaderDepth(S->xr), col = 0;
		while ((rc = next_node(S, d)) == 1) {
			if (xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_END_ELEMENT &&
			    xmlTextReaderDepth(S->xr) == rdepth)
				return 1;
			if (!at_start(S, "c", NULL))
				continue;
			char *ref = attr(S, "r", NULL), *t = attr(S, "t", NULL);
			long long style = attr_num(S, "s", NULL, 0);
			int c = ref ? xlsx_col(ref) : col + 1;
			xmlFree(ref);
			if (c <= col) {
				xmlFree(t);
				return lm_diag_set(d, r->path, (int)S->row, col + 1,
					"the cells of this row are out of order; is the workbook damaged? %s",
					DAMAGED);
			}
			col = c;
			if (col > LM_CSV_MAX_COLS + 1)
				col = LM_CSV_MAX_COLS + 1;
			struct lm_buf v = LM_BUF_INIT;
			lm_buf_reset(&S->val);
			int bad = 0;
			if (!xmlTextReaderIsEmptyElement(S->xr)) {
				int cdepth = xmlTextReaderDepth(S->xr);
				while (!bad && (rc = next_node(S, d)) == 1) {
					int nt = xmlTextReaderNodeType(S->xr);
					if (nt == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(S->xr) == cdepth)
						break;
					if (at_start(S, "v", NULL)) {
						lm_buf_reset(&v);
						bad = elem_text(S, &v, d);
					} else if (at_start(S, "is", NULL)) {
						bad = xlsx_text(S, &S->val, d);
					} else if (nt == XML_READER_TYPE_ELEMENT) {
						bad = skip_element(S, d); /* <f>, <extLst> */
					}
				}
				if (rc == 0)
					bad = part_error(S, d, "ends in the middle of a cell");
				else if (rc < 0)
					bad = 1;
			}
			if (!bad && v.len) {
				if (!t || !strcmp(t, "n")) {
					enum numfmt f = style >= 0 && (size_t)style < S->nxf ? S->xf_fmt[style]
											     : FMT_NUMBER;
					bad = show_number(S, r->path, S->row, col, v.ptr, f, &S->val, d);
				} else if (!strcmp(t, "s")) {
					char *end;
					unsigned long long k = strtoull(v.ptr, &end, 10);
					if (*end || k >= S->nsst)
						bad = lm_diag_set(d, r->path, (int)S->row, col,
							"this cell names shared string %s, which the workbook does "
							"not have; is it damaged? %s", v.ptr, DAMAGED);
					else
						lm_buf_adds(&S->val, S->sst_pool + S->sst_off[k]);
				} else if (!strcmp(t, "b")) {
					lm_buf_adds(&S->val, strcmp(v.ptr, "0") ? "TRUE" : "FALSE");
				} else if (!strcmp(t, "e")) {
					bad = lm_diag_set(d, r->path, (int)S->row, col,
						"this cell shows the error %s; correct its formula, or type the value",
						v.ptr);
				} else if (!strcmp(t, "d")) {
					/* an ISO 8601 date, as Excel's strict files write them */
					if (v.len >= 10)
						lm_buf_add(&S->val, v.ptr, 10);
					if (v.len > 10 && strncmp(v.ptr + 10, "T00:00:00", 9))
						lm_buf_addf(&S->val, " %.5s", v.ptr + 11);
				} else { /* "str": a formula's text */
					lm_buf_add(&S->val, v.ptr, v.len);
				}
			}
			if (!bad && t && (!strcmp(t, "s") || !strcmp(t, "inlineStr") || !strcmp(t, "str")))
				bad = unescape_xlsx(&S->val, r->path, S->row, col, d);
			xmlFree(t);
			lm_buf_release(&v);
			if (bad || row_add(S, r->path, S->row, col, d))
				return -1;
		}
		return rc < 0 ? -1 : part_error(S, d, "ends in the middle of a row");
	}
	return rc;
}

/* The number format `code` of a custom style, as one of enum numfmt: a
 * date when its first section shows a day or year, a time when it shows
 * hours or seconds.  Quoted text, [colour] and escaped characters are not
 * part of the pattern. */
static enum numfmt classify(const char *code)
{
	int date = 0, time = 0;
	for (const char *p = code; *p && *p != ';'; p++) {
		switch (*p) {
		case '"':
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			break;
		case '[':
			while (p[1] && p[1] != ']')
				p++;
			if (p[1])
				p++;
			break;
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			break;
		case 'd': case 'D': case 'y': case 'Y':
			date = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = 1;
			break;
		default:
			break;
		}
	}
	return date && time ? FMT_DATETIME : date ? FMT_DATE : time ? FMT_TIME : FMT_NUMBER;
}

static enum numfmt builtin_format(long long id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
	    (id >= 50 && id <= 58))
		return FMT_DATE;
	if (id == 22)
		return FMT_DATETIME;
	if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47))
		return FMT_TIME;
	return FMT_NUMBER;
}

static int read_styles(struct lm_sheet *S, const char *part, struct lm_diag *d)
{
	int rc = open_part(S, part, 0, LM_WORKBOOK_MAX_PART, d);
	if (rc <= 0 || start_xml(S, d))
		return rc < 0 ? -1 : rc == 0 ? 0 : -1;
	long long *ids = NULL;
	unsigned char *kinds = NULL;
	size_t nids = 0, aids = 0, akinds = 0, axf = 0;
	int in_xfs = 0;
	while ((rc = next_node(S, d)) == 1) {
		if (at_start(S, "numFmt", NULL)) {
			char *code = attr(S, "formatCode", NULL);
			LM_ALLOC_GROW(ids, nids + 1, aids);
			LM_ALLOC_GROW(kinds, nids + 1, akinds);
			ids[nids] = attr_num(S, "numFmtId", NULL, -1);
			kinds[nids++] = (unsigned char)(code ? classify(code) : FMT_NUMBER);
			xmlFree(code);
		} else if (at_start(S, "cellXfs", NULL)) {
			in_xfs = !xmlTextReaderIsEmptyElement(S->xr);
		} else if (at_end(S, "cellXfs", NULL)) {
			in_xfs = 0;
		} else if (in_xfs && at_start(S, "xf", NULL)) {
			long long id = attr_num(S, "numFmtId", NULL, 0);
			enum numfmt k = builtin_format(id);
			for (size_t i = 0; i < nids; i++)
				if (ids[i] == id)
					k = (enum numfmt)kinds[i];
			LM_ALLOC_GROW(S->xf_fmt, S->nxf + 1, axf);
			S->xf_fmt[S->nxf++] = (unsigned char)k;
		}
	}
	free(ids);
	free(kinds);
	return rc;
}

static int read_shared_strings(struct lm_sheet *S, const char *part, struct lm_diag *d)
{
	int rc = open_part(S, part, 0, LM_WORKBOOK_MAX_PART, d);
	if (rc <= 0 || start_xml(S, d))
		return rc < 0 ? -1 : rc == 0 ? 0 : -1;
	struct lm_buf pool = LM_BUF_INIT, one = LM_BUF_INIT;
	size_t asst = 0;
	while ((rc = next_node(S, d)) == 1) {
		if (!at_start(S, "si", NULL))
			continue;
		lm_buf_reset(&one);
		if (xlsx_text(S, &one, d)) {
			rc = -1;
			break;
		}
		LM_ALLOC_GROW(S->sst_off, S->nsst + 1, asst);
		S->sst_off[S->nsst++] = pool.len;
		lm_buf_add(&pool, one.ptr, one.len);
		lm_buf_addc(&pool, '\0');
	}
	lm_buf_release(&one);
	S->sst_pool = lm_buf_detach(&pool, NULL);
	return rc;
}

/* A part named by a relationship's Target, relative to "xl/". */
static void resolve(const char *target, char *out, size_t n)
{
	if (target[0] == '/')
		snprintf(out, n, "%s", target + 1);
	else
		snprintf(out, n, "xl/%s", target);
}

struct wsheet {
	char *name;
	int hidden;
	char part[256];
};

static void free_wsheets(struct wsheet *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* The message when no sheet fits, listing the sheets there are. */
static int no_sheet(struct lm_sheet *S, const char *want, const struct wsheet *v, size_t n,
		    struct lm_diag *d)
{
	struct lm_buf b = LM_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		lm_buf_addf(&b, "%s'%s'%s", i ? ", " : "", v[i].name, v[i].hidden ? " (hidden)" : "");
	int rc;
	if (want)
		rc = lm_diag_set(d, S->file, 0, 0,
			"'%s' has no sheet called '%s'; its sheets are %s",
			S->file, want, n ? b.ptr : "none");
	else
		rc = lm_diag_set(d, S->file, 0, 0,
			"'%s' has no sheet that is not hidden (its sheets are %s); name the one to read "
			"as FILE#SHEET", S->file, n ? b.ptr : "none");
	lm_buf_release(&b);
	return rc;
}

/* Which of `n` sheets to read: the one called `want`, else (no `want`, or
 * `fallback`) the first that is not hidden; -1 when none. */
static long pick(const struct wsheet *v, size_t n, const char *want, int fallback)
{
	if (want)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].name, want))
				return (long)i;
	if (want && !fallback)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!v[i].hidden)
			return (long)i;
	return -1;
}

static int set_path(struct lm_csv_reader *r, struct lm_sheet *S, const char *name)
{
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_addf(&b, "%s#%s", S->file, name);
	free(r->path);
	r->path = lm_buf_detach(&b, NULL);
	return 0;
}

static int xlsx_open(struct lm_csv_reader *r, struct lm_sheet *S, const char *want, int fallback,
		     struct lm_diag *d)
{
	struct wsheet *v = NULL;
	size_t n = 0, av = 0;
	char sst[256] = "xl/sharedStrings.xml", styles[256] = "xl/styles.xml";
	int rc = open_part(S, "xl/workbook.xml", 1, LM_WORKBOOK_MAX_PART, d);
	if (rc < 0 || start_xml(S, d))
		return -1;
	while ((rc = next_node(S, d)) == 1) {
		if (at_start(S, "workbookPr", NULL)) {
			char *f = attr(S, "date1904", NULL);
			S->date1904 = f && (!strcmp(f, "1") || !strcmp(f, "true"));
			xmlFree(f);
		} else if (at_start(S, "sheet", NULL)) {
			char *name = attr(S, "name", NULL), *state = attr(S, "state", NULL);
			char *rid = attr(S, "id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
			if (!rid)
				rid = attr(S, "id", "http://purl.oclc.org/ooxml/officeDocument/relationships");
			if (name && rid) {
				LM_ALLOC_GROW(v, n + 1, av);
				v[n].name = lm_xstrdup(name);
				v[n].hidden = state && strcmp(state, "visible");
				snprintf(v[n].part, sizeof(v[n].part), "%s", rid); /* the id, until resolved */
				n++;
			}
			xmlFree(name);
			xmlFree(state);
			xmlFree(rid);
		}
	}
	if (rc < 0)
		goto fail;
	long k = pick(v, n, want, fallback);
	if (k < 0) {
		no_sheet(S, want, v, n, d);
		goto fail;
	}
	/* the relationships say which part each sheet is */
	char rid[256];
	snprintf(rid, sizeof(rid), "%s", v[k].part);
	v[k].part[0] = '\0';
	rc = open_part(S, "xl/_rels/workbook.xml.rels", 1, LM_WORKBOOK_MAX_PART, d);
	if (rc < 0 || start_xml(S, d))
		goto fail;
	while ((rc = next_node(S, d)) == 1) {
		if (!at_start(S, "Relationship", NULL))
			continue;
		char *id = attr(S, "Id", NULL), *target = attr(S, "Target", NULL), *type = attr(S, "Type", NULL);
		if (id && target && type) {
			size_t tl = strlen(type);
			if (!strcmp(id, rid))
				resolve(target, v[k].part, sizeof(v[k].part));
			else if (tl >= 14 && !strcmp(type + tl - 14, "/sharedStrings"))
				resolve(target, sst, sizeof(sst));
			else if (tl >= 7 && !strcmp(type + tl - 7, "/styles"))
				resolve(target, styles, sizeof(styles));
		}
		xmlFree(id);
		xmlFree(target);
		xmlFree(type);
	}
	if (rc < 0)
		goto fail;
	if (!v[k].part[0]) {
		part_error(S, d, "does not say where sheet's data is");
		goto fail;
	}
	if (read_styles(S, styles, d) < 0 || read_shared_strings(S, sst, d) < 0)
		goto fail;
	set_path(r, S, v[k].name);
	if (open_part(S, v[k].part, 1, LM_WORKBOOK_MAX_SHEET, d) < 0 || start_xml(S, d))
		goto fail;
	while ((rc = next_node(S, d)) == 1 && !at_start(S, "sheetData", NULL))
		;
	if (rc < 0)
		goto fail;
	if (rc == 0 || xmlTextReaderIsEmptyElement(S->xr))
		S->done = 1;
	free_wsheets(v, n);
	return 0;
fail:
	free_wsheets(v, n);
	return -1;
}

/* ---- .ods ---- */

/* The text of the cell the reader is on, as Calc shows it: paragraphs
 * joined by line breaks, spaces and tabs as written, notes left out. */
static int ods_text(struct lm_sheet *S, struct lm_buf *out, struct lm_diag *d)
{
	if (xmlTextReaderIsEmptyElement(S->xr))
		return 0;
	int depth = xmlTextReaderDepth(S->xr), rc, paras = 0;
	while ((rc = next_node(S, d)) == 1) {
		int t = xmlTextReaderNodeType(S->xr);
		if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(S->xr) == depth)
			return 0;
		if (t == XML_READER_TYPE_ELEMENT) {
			if (is_el(S, "p", NS_TEXT) || is_el(S, "h", NS_TEXT)) {
				if (paras++)
					add_capped(out, "\n", 1);
			} else if (is_el(S, "annotation", NS_OFFICE) || is_el(S, "note", NS_TEXT)) {
				if (skip_element(S, d))
					return -1;
			} else if (is_el(S, "s", NS_TEXT)) {
				long long k = attr_num(S, "c", NS_TEXT, 1);
				for (long long i = 0; i < k && out->len <= LM_CSV_MAX_CELL; i++)
					add_capped(out, " ", 1);
			} else if (is_el(S, "tab", NS_TEXT)) {
				add_capped(out, "\t", 1);
			} else if (is_el(S, "line-break", NS_TEXT)) {
				add_capped(out, "\n", 1);
			}
		} else if (is_text_node(t)) {
			const char *v = (const char *)xmlTextReaderConstValue(S->xr);
			add_capped(out, v, strlen(v));
		}
	}
	return rc < 0 ? -1 : part_error(S, d, "ends in the middle of a cell");
}

/* An ODS date value (2015-03-17 or 2015-03-17T10:30:00) as YYYY-MM-DD. */
static int ods_date(const char *v, struct lm_buf *out)
{
	int y, m, dd, hh = 0, mm = 0, ss = 0, n = 0;
	if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &dd, &n) != 3 || n != 10 || m < 1 || m > 12 || dd < 1 ||
	    dd > 31)
		return -1;
	lm_buf_addf(out, "%04d-%02d-%02d", y, m, dd);
	if (v[10] == 'T' && sscanf(v + 11, "%2d:%2d:%2d", &hh, &mm, &ss) >= 2 && (hh || mm || ss)) {
		lm_buf_addf(out, " %02d:%02d", hh, mm);
		if (ss)
			lm_buf_addf(out, ":%02d", ss);
	}
	return 0;
}

/* The cell the reader is on into S->val. */
static int ods_value(struct lm_csv_reader *r, struct lm_sheet *S, int col, struct lm_diag *d)
{
	lm_buf_reset(&S->val);
	if (at_start(S, "covered-table-cell", NS_TABLE))
		return skip_element(S, d); /* hidden under a merged cell */
	char *type = attr(S, "value-type", NS_OFFICE);
	char *ext = attr(S, "value-type", NS_CALCEXT);
	char *value = NULL;
	int rc = 0;
	if (type && !strcmp(type, "float"))
		value = attr(S, "value", NS_OFFICE);
	else if (type && !strcmp(type, "date"))
		value = attr(S, "date-value", NS_OFFICE);
	else if (type && !strcmp(type, "boolean"))
		value = attr(S, "boolean-value", NS_OFFICE);
	else if (type && !strcmp(type, "string"))
		value = attr(S, "string-value", NS_OFFICE);
	struct lm_buf shown = LM_BUF_INIT;
	if (ods_text(S, &shown, d)) {
		rc = -1;
	} else if (ext && !strcmp(ext, "error")) {
		rc = lm_diag_set(d, r->path, (int)S->row, col,
			"this cell shows the error %s; correct its formula, or type the value", shown.ptr);
	} else if (value && !strcmp(type, "float")) {
		rc = show_number(S, r->path, S->row, col, value, FMT_NUMBER, &S->val, d);
	} else if (value && !strcmp(type, "date")) {
		if (ods_date(value, &S->val))
			rc = lm_diag_set(d, r->path, (int)S->row, col,
				"this cell holds the date '%s', which is not one; type the date again "
				"(as YYYY-MM-DD)", value);
	} else if (value && !strcmp(type, "boolean")) {
		lm_buf_adds(&S->val, !strcmp(value, "true") ? "TRUE" : "FALSE");
	} else if (value) {
		add_capped(&S->val, value, strlen(value));
	} else {
		/* text, and what Calc formats itself (percentages, currency, times) */
		lm_buf_add(&S->val, shown.ptr, shown.len);
	}
	lm_buf_release(&shown);
	xmlFree(type);
	xmlFree(ext);
	xmlFree(value);
	return rc;
}

static int ods_row(struct lm_csv_reader *r, struct lm_sheet *S, struct lm_diag *d)
{
	int rc;
	while ((rc = next_node(S, d)) == 1) {
		if (xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(S->xr) == S->table_depth)
			return 0;
		if (!at_start(S, "table-row", NS_TABLE)) {
			/* a table inside a cell, or a drawing, is no row of ours */
			if (xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_ELEMENT &&
			    (is_el(S, "table", NS_TABLE) || is_el(S, "shapes", NS_TABLE)) && skip_element(S, d))
				return -1;
			continue;
		}
		long long rep = attr_num(S, "number-rows-repeated", NS_TABLE, 1);
		if (rep > MAX_ROWS)
			rep = MAX_ROWS;
		row_reset(S);
		S->row++;
		if (!xmlTextReaderIsEmptyElement(S->xr)) {
			int rdepth = xmlTextReaderDepth(S->xr);
			long long col = 0;
			while ((rc = next_node(S, d)) == 1) {
				if (xmlTextReaderNodeType(S->xr) == XML_READER_TYPE_END_ELEMENT &&
				    xmlTextReaderDepth(S->xr) == rdepth)
					break;
				if (!at_start(S, "table-cell", NS_TABLE) &&
				    !at_start(S, "covered-table-cell", NS_TABLE))
					continue;
				long long crep = attr_num(S, "number-columns-repeated", NS_TABLE, 1);
				if (S->row > MAX_ROWS && !xmlTextReaderIsEmptyElement(S->xr))
					return lm_diag_set(d, r->path, (int)MAX_ROWS, 1,
						"this sheet goes on past row %lld, the most a spreadsheet has; "
						"is the workbook damaged? %s", MAX_ROWS, DAMAGED);
				if (ods_value(r, S, (int)(col < LM_CSV_MAX_COLS ? col + 1 : LM_CSV_MAX_COLS + 1), d))
					return -1;
				/* a value repeated along the row is that many cells, but
				 * only as many as a header may have */
				for (long long k = 0; S->val.len && k < crep && col + k < LM_CSV_MAX_COLS + 1; k++)
					if (row_add(S, r->path, S->row, (int)(col + k + 1), d))
						return -1;
				col = col + crep > (1LL << 30) ? (1LL << 30) : col + crep;
			}
			if (rc == 0)
				return part_error(S, d, "ends in the middle of a row");
			if (rc < 0)
				return -1;
		}
		if (S->ncells) {
			if (S->row > MAX_ROWS)
				return lm_diag_set(d, r->path, (int)MAX_ROWS, 1,
					"this sheet goes on past row %lld, the most a spreadsheet has; "
					"is the workbook damaged? %s", MAX_ROWS, DAMAGED);
			S->repeat = rep - 1;
			return 1;
		}
		/* empty rows, however many, cost nothing */
		S->row += rep - 1;
	}
	return rc < 0 ? -1 : part_error(S, d, "ends in the middle of the sheet");
}

/* Reads content.xml up to the start of the sheet to read. */
static int ods_find(struct lm_csv_reader *r, struct lm_sheet *S, const char *want, int any,
		    struct wsheet **seen, size_t *nseen, size_t *aseen, struct lm_diag *d)
{
	char **hidden = NULL;
	size_t nh = 0, ah = 0;
	char *style = NULL;
	int rc;
	if (open_part(S, "content.xml", 1, LM_WORKBOOK_MAX_SHEET, d) < 0 || start_xml(S, d))
		return -1;
	while ((rc = next_node(S, d)) == 1) {
		if (at_start(S, "style", NS_STYLE)) {
			free(style);
			char *s = attr(S, "name", NS_STYLE);
			style = s ? lm_xstrdup(s) : NULL;
			xmlFree(s);
		} else if (style && at_start(S, "table-properties", NS_STYLE)) {
			char *disp = attr(S, "display", NS_TABLE);
			if (disp && !strcmp(disp, "false")) {
				LM_ALLOC_GROW(hidden, nh + 1, ah);
				hidden[nh++] = lm_xstrdup(style);
			}
			xmlFree(disp);
		} else if (at_start(S, "table", NS_TABLE)) {
			char *name = attr(S, "name", NS_TABLE), *st = attr(S, "style-name", NS_TABLE);
			int hid = 0;
			for (size_t i = 0; st && i < nh; i++)
				hid |= !strcmp(hidden[i], st);
			LM_ALLOC_GROW(*seen, *nseen + 1, *aseen);
			(*seen)[*nseen] = (struct wsheet){ lm_xstrdup(name ? name : ""), hid, "" };
			(*nseen)++;
			int take = want ? name && !strcmp(name, want) : !hid;
			if (any && !hid)
				take = 1;
			xmlFree(name);
			xmlFree(st);
			if (take) {
				set_path(r, S, (*seen)[*nseen - 1].name);
				S->table_depth = xmlTextReaderDepth(S->xr);
				S->done = xmlTextReaderIsEmptyElement(S->xr);
				rc = 1;
				break;
			}
			if (skip_element(S, d)) {
				rc = -1;
				break;
			}
		}
	}
	free(style);
	for (size_t i = 0; i < nh; i++)
		free(hidden[i]);
	free(hidden);
	return rc;
}

static int ods_open(struct lm_csv_reader *r, struct lm_sheet *S, const char *want, int fallback,
		    struct lm_diag *d)
{
	struct wsheet *seen = NULL;
	size_t n = 0, a = 0;
	int rc = ods_find(r, S, want, 0, &seen, &n, &a, d);
	if (rc == 0 && want && fallback) {
		/* no sheet of that name: the first one shown, from the top */
		free_wsheets(seen, n);
		seen = NULL;
		n = a = 0;
		rc = ods_find(r, S, NULL, 1, &seen, &n, &a, d);
	}
	if (rc == 0)
		no_sheet(S, want, seen, n, d);
	free_wsheets(seen, n);
	return rc == 1 ? 0 : -1;
}

/* ---- the reader ---- */

static int sheet_row(struct lm_csv_reader *r, struct lm_sheet *S, struct lm_diag *d)
{
	if (S->repeat > 0) {
		S->repeat--;
		S->row++;
		return 1;
	}
	if (S->done)
		return 0;
	int rc = S->ods ? ods_row(r, S, d) : xlsx_row(r, S, d);
	if (rc == 0)
		S->done = 1;
	return rc;
}

static int read_header(struct lm_csv_reader *r, struct lm_sheet *S, struct lm_diag *d)
{
	int rc;
	while ((rc = sheet_row(r, S, d)) == 1 && !S->ncells)
		;
	if (rc < 0)
		return -1;
	if (rc == 0)
		return lm_diag_set(d, r->path, 0, 0,
			"sheet is empty: it needs a header row (the names of its columns) in its first row");
	const struct rcell *last = &S->cells[S->ncells - 1];
	int row = (int)S->row;
	if (last->col > LM_CSV_MAX_COLS)
		return lm_diag_set(d, r->path, row, last->col,
			"the header row has more than %d columns; is this the right sheet?", LM_CSV_MAX_COLS);
	size_t ncols = (size_t)last->col;
	r->hpool = lm_xmalloc(S->text.len);
	memcpy(r->hpool, S->text.ptr, S->text.len);
	r->header = lm_xcalloc(ncols, sizeof(*r->header));
	r->header_cells = lm_xcalloc(ncols, sizeof(*r->header_cells));
	r->cells = lm_xcalloc(ncols, sizeof(*r->cells));
	r->ncols = ncols;
	for (size_t c = 0; c < ncols; c++)
		r->header_cells[c] = (struct lm_csv_cell){ r->hpool, 0, row, (int)c + 1 };
	for (size_t i = 0; i < S->ncells; i++) {
		struct lm_csv_cell *h = &r->header_cells[S->cells[i].col - 1];
		h->text = r->hpool + S->cells[i].off;
		h->len = S->cells[i].len;
	}
	for (size_t c = 0; c < ncols; c++) {
		r->header[c] = r->header_cells[c].text;
		if (!r->header_cells[c].len)
			return lm_diag_set(d, r->path, row, (int)c + 1,
				"column %zu of the header row has no name; name it or delete the column", c + 1);
		for (size_t j = 0; j < c; j++) {
			if (!strcmp(r->header[c], r->header[j]))
				return lm_diag_set(d, r->path, row, (int)c + 1,
					"column '%s' appears twice in the header row (columns %zu and %zu); "
					"rename or delete one", r->header[c], j + 1, c + 1);
			/* as in a CSV file (csv.c): a letter could not tell them apart */
			if (lm_name_eq(r->header[j], r->header[c]))
				return lm_diag_set(d, r->path, row, (int)c + 1,
					"columns '%s' (column %zu) and '%s' (column %zu) have one name "
					"to a letter, which ignores case, spaces, '_', '-' and brackets; "
					"rename or delete one", r->header[j], j + 1, r->header[c], c + 1);
		}
	}
	return 0;
}

int lm_workbook_next(struct lm_csv_reader *r, struct lm_diag *d)
{
	struct lm_sheet *S = r->sheet;
	int rc;
	while ((rc = sheet_row(r, S, d)) == 1 && !S->ncells)
		;
	if (rc <= 0)
		return rc;
	int row = (int)S->row;
	for (size_t c = 0; c < r->ncols; c++)
		r->cells[c] = (struct lm_csv_cell){ S->text.ptr, 0, row, (int)c + 1 };
	for (size_t i = 0; i < S->ncells; i++) {
		const struct rcell *x = &S->cells[i];
		if ((size_t)x->col > r->ncols) {
			char name[8];
			lm_workbook_column_name((int)r->ncols + 1, name);
			return lm_diag_set(d, r->path, row, x->col,
				"this cell holds '%.40s' but its column has no name in the header row "
				"(which ends at column %s); name the column or clear the cell",
				S->text.ptr + x->off, name);
		}
		r->cells[x->col - 1].text = S->text.ptr + x->off;
		r->cells[x->col - 1].len = x->len;
	}
	r->row_line = row;
	r->nrows++;
	return 1;
}

int lm_workbook_open(struct lm_csv_reader *r, const char *path, int fd, const char *data,
		     size_t len, const char *sheet, int fallback, struct lm_diag *d)
{
	struct lm_sheet *S = lm_xcalloc(1, sizeof(*S));
	r->sheet = S;
	free(r->path);
	r->path = lm_xstrdup(path);
	S->file = lm_xstrdup(path);
	if (open_zip(S, fd, data, len, d))
		return -1;
	char mime[64] = "";
	zip_file_t *mf = zip_fopen(S->za, "mimetype", 0);
	if (mf) {
		zip_int64_t n = zip_fread(mf, mime, sizeof(mime) - 1);
		mime[n > 0 ? n : 0] = '\0';
		zip_fclose(mf);
	}
	int rc;
	if (!strncmp(mime, "application/vnd.oasis.opendocument.spreadsheet", 46)) {
		S->ods = 1;
		rc = ods_open(r, S, sheet, fallback, d);
	} else if (zip_name_locate(S->za, "xl/workbook.xml", 0) >= 0) {
		rc = xlsx_open(r, S, sheet, fallback, d);
	} else {
		rc = lm_diag_set(d, path, 0, 0,
			"'%s' is a zip archive but not an .xlsx or .ods workbook (%s); save the sheet from "
			"Excel as \"Excel Workbook (.xlsx)\" or from Calc as .ods, or as CSV",
			path, mime[0] ? mime : "no spreadsheet inside");
	}
	if (!rc)
		rc = read_header(r, S, d);
	return rc;
}

void lm_workbook_free(struct lm_csv_reader *r)
{
	struct lm_sheet *S = r->sheet;
	if (!S)
		return;
	close_xml(S);
	if (S->zf)
		zip_fclose(S->zf);
	if (S->za)
		zip_discard(S->za);
	zip_error_fini(&S->src.err);
	free(S->file);
	free(S->sst_pool);
	free(S->sst_off);
	free(S->xf_fmt);
	free(S->cells);
	lm_buf_release(&S->text);
	lm_buf_release(&S->val);
	free(S);
	r->sheet = NULL;
}
