#include "recipient.h"

#include "buf.h"
#include "names.h"
#include "template.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int lm_recipient_copies(const char *text, size_t len, unsigned *out)
{
	if (!len) {
		*out = 1;
		return 0;
	}
	char *end;
	long n = strtol(text, &end, 10);
	if (*end || end == text || n < 1 || n > 1000)
		return -1;
	*out = (unsigned)n;
	return 0;
}

int lm_recipient_large_print(const char *v, int dflt)
{
	while (*v == ' ')
		v++;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "y") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "n") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		return 0;
	return dflt;
}

struct lm_value *lm_recipient_row_map(struct lm_arena *a, const struct lm_csv_reader *r, long row)
{
	struct lm_value *m = lm_value_map(a);
	const char *file = lm_arena_strdup(a, r->path);
	lm_value_set_origin(m, file, r->row_line, 1);
	for (size_t c = 0; c < r->ncols; c++) {
		const struct lm_csv_cell *cell = &r->cells[c];
		struct lm_value *v = lm_value_string(a, cell->text, cell->len);
		lm_value_set_origin(v, file, cell->line, cell->col);
		lm_value_set(a, m, r->header[c], v);
	}
	/* "%ld" by hand: this runs twice for every letter */
	char num[24], *p = num + sizeof(num);
	unsigned long u = row < 0 ? 0UL - (unsigned long)row : (unsigned long)row;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (row < 0)
		*--p = '-';
	lm_value_set(a, m, "_row", lm_value_string(a, p, (size_t)(num + sizeof(num) - p)));
	return m;
}

/* The columns a recipient is built from, as lm_value_get would find them
 * in `row`: the key as written, else the first with the same name
 * (names.h).  One pass over the row's keys, not a look-up each: this runs
 * twice for every letter. */
enum slot { S_COPIES, S_LARGE_PRINT, S_LANGUAGE, S_POSTCODE, S_ADDRESS, S_N = S_ADDRESS + LM_ADDRESS_COLUMNS };

static const char *const slot_names[S_N] = {
	"copies", "large_print", "language", "postcode",
	"address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5",
	"address_line_6", "address_line_7", "address_line_8", "address_line_9",
};
_Static_assert(LM_ADDRESS_COLUMNS == 9, "a name for each address column");

/* The slot a key names, or -1. */
static int slot_of(const char *key)
{
	char k[16];
	size_t n = lm_name_key(key, k, sizeof(k));
	switch (n) {
	case 6:
		return !strcmp(k, "copies") ? S_COPIES : -1;
	case 8:
		return !strcmp(k, "language") ? S_LANGUAGE : !strcmp(k, "postcode") ? S_POSTCODE : -1;
	case 10:
		return !strcmp(k, "largeprint") ? S_LARGE_PRINT : -1;
	case 12:
		return !memcmp(k, "addressline", 11) && k[11] >= '1' && k[11] <= '9' ? S_ADDRESS + k[11] - '1' : -1;
	}
	return -1;
}

static void find_slots(const struct lm_value *row, const struct lm_value **found)
{
	for (int s = 0; s < S_N; s++)
		found[s] = NULL;
	if (!row || row->kind != LM_VALUE_MAP) {
		for (int s = 0; s < S_N; s++)
			found[s] = lm_value_get(row, slot_names[s]);
		return;
	}
	int exact[S_N] = { 0 };
	for (size_t i = 0; i < row->n; i++) {
		int s = slot_of(row->keys[i]);
		if (s < 0 || exact[s])
			continue;
		if (!strcmp(row->keys[i], slot_names[s]))
			exact[s] = 1, found[s] = row->items[i];
		else if (!found[s])
			found[s] = row->items[i];
	}
}

static const struct lm_value *text_of(const struct lm_value *v, int *present)
{
	if (v)
		*present = 1;
	/* a cell of zero-width characters pasted from a web page prints as
	 * nothing: it is no address line */
	return v && v->kind == LM_VALUE_STRING && !lm_utf8_is_blank(v->str, v->len) ? v : NULL;
}

int lm_recipient_build(struct lm_recipient *r, const struct lm_value *row, int large_dflt,
		       struct lm_diag *d)
{
	memset(r, 0, sizeof(*r));
	r->row = row;
	r->key = "";
	if (row && row->kind == LM_VALUE_MAP && row->n && strcmp(row->keys[0], "_row") &&
	    row->items[0]->kind == LM_VALUE_STRING)
		r->key = row->items[0]->str;
	const struct lm_value *found[S_N];
	find_slots(row, found);
	const struct lm_value *copies = found[S_COPIES];
	r->copies = 1;
	if (copies && copies->kind == LM_VALUE_STRING &&
	    lm_recipient_copies(copies->str, copies->len, &r->copies))
		return lm_diag_set(d, copies->file, copies->line, copies->col,
				   "copies '%s' must be a whole number from 1 to 1000", copies->str);
	const struct lm_value *large = found[S_LARGE_PRINT];
	r->large_print = lm_recipient_large_print(large && large->kind == LM_VALUE_STRING ? large->str : "",
						  large_dflt);
	int ignored;
	r->language = text_of(found[S_LANGUAGE], &ignored);
	for (int i = 0; i < LM_ADDRESS_COLUMNS; i++) {
		const struct lm_value *v = text_of(found[S_ADDRESS + i], &r->address_columns);
		if (v)
			r->address[r->naddress++] = v;
	}
	/* a postcode alone is not an address (a school list may have one
	 * beside its own address columns, which the letter must name) */
	int lines = r->address_columns;
	const struct lm_value *pc = text_of(found[S_POSTCODE], &r->address_columns);
	if (!lines) {
		r->address_columns = 0;
		r->naddress = 0;
	} else if (pc) {
		r->address[r->naddress++] = pc;
	}
	return 0;
}

int lm_recipient_has_address(const struct lm_recipient *r)
{
	return r && r->naddress > 0;
}

int lm_address_none(const struct lm_value *spec)
{
	return spec && spec->kind == LM_VALUE_STRING && !strcasecmp(spec->str, "none");
}

/* The value of `line` when it is one {{recipient.NAME}} and nothing else. */
static const struct lm_value *sole_value(const char *line, const struct lm_value *row)
{
	while (*line == ' ')
		line++;
	if (strncmp(line, "{{", 2))
		return NULL;
	line += 2;
	while (*line == ' ')
		line++;
	if (strncmp(line, "recipient.", 10))
		return NULL;
	line += 10;
	const char *end = strstr(line, "}}");
	if (!end)
		return NULL;
	const char *after = end + 2;
	while (*after == ' ')
		after++;
	if (*after)
		return NULL;
	while (end > line && end[-1] == ' ')
		end--;
	char name[256];
	size_t n = (size_t)(end - line);
	if (n >= sizeof(name) || memchr(line, '.', n))
		return NULL;
	memcpy(name, line, n);
	name[n] = '\0';
	return lm_value_get(row, name);
}

int lm_recipient_compose_address(struct lm_recipient *r, const struct lm_value *spec,
				 const struct lm_value *area, struct lm_arena *a, struct lm_diag *d)
{
	if (!spec)
		return 0;
	r->naddress = 0;
	r->address_columns = 0;
	if (spec->kind != LM_VALUE_LIST)
		return 0; /* none (the letter was checked when it was read) */
	r->address_columns = 1;
	struct lm_value *ctx = lm_value_map(a);
	if (r->row)
		lm_value_set(a, ctx, "recipient", (struct lm_value *)r->row);
	if (area)
		lm_value_set(a, ctx, "area", (struct lm_value *)area);
	struct lm_buf out = LM_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < spec->n && i < LM_ADDRESS_SPEC_LINES && !rc; i++) {
		const struct lm_value *t = spec->items[i];
		if (t->kind != LM_VALUE_STRING)
			continue;
		lm_buf_reset(&out);
		rc = lm_template_render_string(t->file, t->line, t->col, t->str, ctx, LM_ESCAPE_NONE,
					       &out, d);
		if (rc)
			break;
		/* a value holding line breaks (an address typed into one cell)
		 * gives a line each; blank lines are dropped */
		const struct lm_value *cell = sole_value(t->str, r->row);
		size_t s = 0;
		while (s < out.len) {
			size_t e = s;
			while (e < out.len && out.ptr[e] != '\n' && out.ptr[e] != '\r')
				e++;
			size_t next = e + 1;
			while (s < e && (out.ptr[s] == ' ' || out.ptr[s] == '\t'))
				s++;
			while (e > s && (out.ptr[e - 1] == ' ' || out.ptr[e - 1] == '\t'))
				e--;
			int blank = lm_utf8_is_blank(out.ptr + s, e - s); /* or of zero-width characters */
			if (!blank && r->naddress < LM_ADDRESS_COLUMNS + 1) {
				struct lm_value *v = lm_value_string(a, out.ptr + s, e - s);
				if (cell && cell->file)
					lm_value_set_origin(v, cell->file, cell->line, cell->col);
				else if (r->row)
					lm_value_set_origin(v, r->row->file, r->row->line, r->row->col);
				r->address[r->naddress++] = v;
			} else if (!blank) {
				r->address_overflow = 1;
			}
			s = next;
		}
	}
	lm_buf_release(&out);
	return rc ? -1 : 0;
}
