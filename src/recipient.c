#include "recipient.h"

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
	char num[32];
	snprintf(num, sizeof(num), "%ld", row);
	lm_value_set(a, m, "_row", lm_value_strz(a, num));
	return m;
}

static const struct lm_value *text_of(const struct lm_value *row, const char *key, int *present)
{
	const struct lm_value *v = lm_value_get(row, key);
	if (v)
		*present = 1;
	return v && v->kind == LM_VALUE_STRING && v->len ? v : NULL;
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
	const struct lm_value *copies = lm_value_get(row, "copies");
	r->copies = 1;
	if (copies && copies->kind == LM_VALUE_STRING &&
	    lm_recipient_copies(copies->str, copies->len, &r->copies))
		return lm_diag_set(d, copies->file, copies->line, copies->col,
				   "copies '%s' must be a whole number from 1 to 1000", copies->str);
	r->large_print = lm_recipient_large_print(lm_value_str(row, "large_print", ""), large_dflt);
	for (int i = 1; i <= LM_ADDRESS_COLUMNS; i++) {
		char key[32];
		snprintf(key, sizeof(key), "address_line_%d", i);
		const struct lm_value *v = text_of(row, key, &r->address_columns);
		if (v)
			r->address[r->naddress++] = v;
	}
	const struct lm_value *pc = text_of(row, "postcode", &r->address_columns);
	if (pc)
		r->address[r->naddress++] = pc;
	return 0;
}

int lm_recipient_has_address(const struct lm_recipient *r)
{
	return r && r->naddress > 0;
}
