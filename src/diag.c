#include "diag.h"

#include "workbook.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lm_diag_clear(struct lm_diag *d)
{
	memset(d, 0, sizeof(*d));
}

static void set(struct lm_diag *d, enum lm_diag_kind kind, const char *file, int line, int col,
		const char *fmt, va_list ap)
{
	d->severity = LM_ERROR;
	d->kind = kind;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	d->col = col;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

int lm_diag_set(struct lm_diag *d, const char *file, int line, int col,
		const char *fmt, ...)
{
	if (!d)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set(d, LM_KIND_INPUT, file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int lm_diag_setk(struct lm_diag *d, enum lm_diag_kind kind, const char *file, int line, int col,
		 const char *fmt, ...)
{
	if (!d)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set(d, kind, file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

enum lm_diag_kind lm_diag_errno_kind(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case ENXIO:
	case ESPIPE:
		return LM_KIND_INPUT;
	default:
		return LM_KIND_SYSTEM;
	}
}

void lm_diag_format(const struct lm_diag *d, char *out, unsigned long n)
{
	const char *sev = d->severity == LM_WARNING ? "warning" : "error";
	if (!d->file[0])
		snprintf(out, n, "%s: %s", sev, d->msg);
	else if (d->line > 0 && lm_workbook_is_sheet_path(d->file)) {
		/* a cell of a sheet, named as the spreadsheet names it: B7 */
		char col[8];
		lm_workbook_column_name(d->col > 0 ? d->col : 1, col);
		snprintf(out, n, "%s!%s%d: %s: %s", d->file, col, d->line, sev, d->msg);
	} else if (d->line > 0 && d->col > 0)
		snprintf(out, n, "%s:%d:%d: %s: %s", d->file, d->line, d->col, sev, d->msg);
	else if (d->line > 0)
		snprintf(out, n, "%s:%d: %s: %s", d->file, d->line, sev, d->msg);
	else
		snprintf(out, n, "%s: %s: %s", d->file, sev, d->msg);
}
