#include "check.h"

#include "buf.h"
#include "names.h"
#include "validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lm_findings_init(struct lm_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void lm_findings_release(struct lm_findings *f)
{
	free(f->v);
	free(f->seen);
	lm_findings_init(f);
}

static unsigned long long fnv(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

/* 1 when `h` was seen before; else records it.  A 64-bit hash stands for
 * the finding: two distinct findings sharing one are a chance of about
 * 1 in 10^7 even at a million findings, and cost only a repeated line's
 * omission, never the error count or a row's failure (callers count those
 * from their own findings). */
static int seen(struct lm_findings *f, unsigned long long h)
{
	if (!h)
		h = 1; /* 0 marks an empty slot */
	if (2 * (f->nseen + 1) > f->aseen) {
		size_t n = f->aseen ? 2 * f->aseen : 64;
		unsigned long long *t = lm_xcalloc(n, sizeof(*t));
		for (size_t i = 0; i < f->aseen; i++) {
			if (!f->seen[i])
				continue;
			size_t k = (size_t)(f->seen[i] & (n - 1));
			while (t[k])
				k = (k + 1) & (n - 1);
			t[k] = f->seen[i];
		}
		free(f->seen);
		f->seen = t;
		f->aseen = n;
	}
	size_t k = (size_t)(h & (f->aseen - 1));
	for (; f->seen[k]; k = (k + 1) & (f->aseen - 1))
		if (f->seen[k] == h)
			return 1;
	f->seen[k] = h;
	f->nseen++;
	return 0;
}

void lm_findings_add(struct lm_findings *f, const struct lm_diag *d)
{
	/* the same letter checked for many recipients finds the same fault */
	unsigned long long h = 0xcbf29ce484222325ULL;
	h = fnv(h, d->file, strlen(d->file) + 1);
	h = fnv(h, d->msg, strlen(d->msg) + 1);
	h = fnv(h, &d->line, sizeof(d->line));
	h = fnv(h, &d->col, sizeof(d->col));
	h = fnv(h, &d->severity, sizeof(d->severity));
	if (seen(f, h))
		return;
	if (d->severity == LM_WARNING)
		f->warnings++;
	else
		f->errors++;
	if (d->severity == LM_ERROR && d->kind > f->worst)
		f->worst = d->kind;
	if (f->sink) {
		f->sink(f->sink_ctx, d);
		return;
	}
	LM_ALLOC_GROW(f->v, f->n + 1, f->alloc);
	f->v[f->n++] = *d;
}

static void add(struct lm_findings *f, enum lm_severity sev, const struct lm_value *v,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct lm_findings *f, enum lm_severity sev, const struct lm_value *v,
		const char *fmt, ...)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	d.severity = sev;
	snprintf(d.file, sizeof(d.file), "%s", v && v->file ? v->file : "");
	d.line = v ? v->line : 0;
	d.col = v ? v->col : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	lm_findings_add(f, &d);
}

/* s[0 .. n) ends with the literal `suffix`. */
#define ENDS_WITH(s, n, suffix) \
	((n) >= sizeof(suffix) - 1 && !memcmp((s) + (n) - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1))

enum kind { K_NONE, K_PHONE, K_EMAIL, K_WEB, K_DATE };

/* By the column's name as names.h compares names ("Phone", "Out of hours"
 * and "School_Phone" are checked as phone numbers). */
static enum kind kind_of(const char *column)
{
	char name[128];
	size_t n = lm_name_key(column, name, sizeof(name));
	if (n >= sizeof(name))
		return K_NONE;
	if (!strcmp(name, "phone") || !strcmp(name, "outofhours") || !strcmp(name, "directline") ||
	    ENDS_WITH(name, n, "phone"))
		return K_PHONE;
	if (ENDS_WITH(name, n, "email"))
		return K_EMAIL;
	if (!strcmp(name, "website") || ENDS_WITH(name, n, "web") || ENDS_WITH(name, n, "url"))
		return K_WEB;
	if (!strcmp(name, "verified"))
		return K_DATE;
	return K_NONE;
}

/* `row` names the row for the message ("contact 'careline'"), or is NULL
 * when the field is a row of its own (area.csv). */
static void check_value(const char *name, const struct lm_value *v, const char *row,
			const struct lm_check_opts *o, struct lm_findings *f)
{
	if (!v || v->kind != LM_VALUE_STRING || !v->len)
		return;
	enum kind kind = kind_of(name);
	if (kind == K_NONE)
		return; /* most columns: no message to name them in */
	char why[512], what[256];
	if (row)
		snprintf(what, sizeof(what), "%s: '%s'", row, name);
	else
		snprintf(what, sizeof(what), "area field '%s'", name);
	switch (kind) {
	case K_PHONE:
		if (lm_check_uk_phone(v->str, why, sizeof(why)))
			add(f, LM_ERROR, v, "%s is not a valid UK phone number: %s", what, why);
		break;
	case K_EMAIL:
		if (lm_check_email(v->str, why, sizeof(why)))
			add(f, LM_ERROR, v, "%s is not a valid email address: %s", what, why);
		break;
	case K_WEB:
		if (lm_check_web(v->str, why, sizeof(why)))
			add(f, LM_ERROR, v, "%s is not a valid web address: %s", what, why);
		break;
	case K_DATE: {
		struct lm_date when;
		int rc = lm_check_date(v->str, &when.year, &when.month, &when.day, why, sizeof(why));
		if (rc < 0) {
			add(f, LM_ERROR, v, "%s is not a date: %s", what, why);
			break;
		}
		if (rc > 0)
			add(f, LM_WARNING, v, "%s: %s", what, why);
		long age = lm_date_diff(&when, &o->today);
		if (age > o->stale_days)
			add(f, LM_WARNING, v,
			    "%s was last verified on %s, %ld days before the letter's date; check it is still right and update 'verified'",
			    row ? row : what, v->str, age);
		break;
	}
	case K_NONE:
		break;
	}
}

static void check_row(const struct lm_value *row, const char *what, const struct lm_check_opts *o,
		      struct lm_findings *f)
{
	for (size_t i = 0; row && row->kind == LM_VALUE_MAP && i < row->n; i++)
		check_value(row->keys[i], row->items[i], what, o, f);
}

void lm_check_area(const struct lm_value *ctx, const struct lm_check_opts *o, struct lm_findings *f)
{
	const struct lm_value *area = lm_value_get(ctx, "area");
	/* area.csv: one fact a row, the field name decides the check */
	for (size_t i = 0; area && i < area->n; i++)
		check_value(area->keys[i], area->items[i], NULL, o, f);
	static const char *const lists[] = { "contacts", "signatories" };
	static const char *const nouns[] = { "contact", "signatory" };
	for (int k = 0; k < 2; k++) {
		const struct lm_value *list = lm_value_get(ctx, lists[k]);
		for (size_t i = 0; list && i < list->n; i++) {
			char what[160];
			snprintf(what, sizeof(what), "%s '%s'", nouns[k], lm_value_str(list->items[i], "id", "?"));
			check_row(list->items[i], what, o, f);
		}
	}
}

int lm_uk_postcode(const char *s)
{
	/* outward code: A9, A99, AA9, AA99, A9A, AA9A; inward: 9AA */
	char c[16];
	size_t n = 0;
	for (; *s && n < sizeof(c) - 1; s++)
		if (*s != ' ')
			c[n++] = (char)toupper((unsigned char)*s);
	if (*s)
		return 0;
	c[n] = '\0';
	if (!strcmp(c, "GIR0AA"))
		return 1;
	if (n < 5 || n > 7)
		return 0;
	const char *in = c + n - 3;
	if (!isdigit((unsigned char)in[0]) || !isalpha((unsigned char)in[1]) || !isalpha((unsigned char)in[2]))
		return 0;
	size_t out = n - 3;
	if (!isalpha((unsigned char)c[0]))
		return 0;
	size_t k = isalpha((unsigned char)c[1]) ? 2 : 1;
	if (k >= out || !isdigit((unsigned char)c[k]))
		return 0;
	k++;
	if (k < out && isalnum((unsigned char)c[k]))
		k++;
	return k == out;
}

void lm_check_recipient(const struct lm_recipient *r, const struct lm_check_opts *o,
			struct lm_findings *f)
{
	const struct lm_value *row = r->row;
	/* "recipient row %s" into 64 bytes, by hand: this runs for every letter */
	char what[64] = "recipient row ";
	const char *num = lm_value_str(row, "_row", "?");
	size_t at = sizeof("recipient row ") - 1, len = strlen(num);
	if (len > sizeof(what) - 1 - at)
		len = sizeof(what) - 1 - at;
	memcpy(what + at, num, len);
	what[at + len] = '\0';
	check_row(row, what, o, f);
	/* address lines, as the envelope window will show them */
	size_t n = r->naddress;
	if (!r->address_columns)
		return;
	if (n == 0) {
		add(f, LM_ERROR, row, "%s has no address: fill in its address lines and postcode", what);
		return;
	}
	if (n < 3)
		add(f, LM_ERROR, row, "%s has %zu address line%s; a UK postal address needs 3 to 7 (name, street, town, postcode)",
		    what, n, n == 1 ? "" : "s");
	else if (n > LM_ADDRESS_MAX_LINES)
		add(f, LM_ERROR, row, "%s has more than %d address lines; the envelope window shows 7 at most: join some",
		    what, LM_ADDRESS_MAX_LINES);
	const struct lm_value *last = r->address[n - 1];
	if (!lm_uk_postcode(last->str))
		add(f, LM_ERROR, last, "%s: the last address line '%s' is not a UK postcode; the postcode goes on the last line (e.g. L2 2DH)",
		    what, last->str);
	for (size_t i = 0; i + 1 < n; i++)
		if (lm_uk_postcode(r->address[i]->str))
			add(f, LM_ERROR, r->address[i], "%s: postcode '%s' is not on the last address line", what,
			    r->address[i]->str);
}
