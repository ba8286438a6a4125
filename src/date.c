/* date.c - see date.h. */
#include "date.h"

#include <string.h>

#include "buf.h"


static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int lm_date_days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

int lm_date_valid(int y, int m, int d)
{
	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= lm_date_days_in_month(y, m);
}

/* Reads 1 to `max` digits at *p into *v; returns how many, or 0 when there
 * are none or more than `max`. */
static int digits(const char **p, int max, int *v)
{
	int k = 0;
	*v = 0;
	while (k < max && (*p)[k] >= '0' && (*p)[k] <= '9')
		*v = *v * 10 + ((*p)[k] - '0'), k++;
	if ((*p)[k] >= '0' && (*p)[k] <= '9')
		return 0;
	*p += k;
	return k;
}

int lm_date_parse(const char *s, struct lm_date *out)
{
	struct lm_date d;
	if (lm_date_parse_lenient(s, &d) != LM_DATE_ISO || !lm_date_valid(d.year, d.month, d.day))
		return -1;
	*out = d;
	return 0;
}

int lm_date_parse_lenient(const char *s, struct lm_date *out)
{
	const char *p = s;
	int y, m, d, ky, km, kd;
	int real_month_day;

	/* YYYY-MM-DD, or Y-M-D with short parts */
	ky = digits(&p, 4, &y);
	if (ky == 4 && *p == '-') {
		p++;
		km = digits(&p, 2, &m);
		if (km && *p == '-') {
			p++;
			kd = digits(&p, 2, &d);
			real_month_day = m >= 1 && m <= 12 && d >= 1 && d <= lm_date_days_in_month(y, m);
			if (kd && !*p && real_month_day) {
				*out = (struct lm_date){ y, m, d };
				return km == 2 && kd == 2 ? LM_DATE_ISO : LM_DATE_ISO_SHORT;
			}
		}
		return -1;
	}

	/* D/M/YYYY (or with - or .), day first */
	p = s;
	kd = digits(&p, 2, &d);
	if (kd && (*p == '/' || *p == '-' || *p == '.')) {
		char sep = *p++;
		km = digits(&p, 2, &m);
		if (km && *p == sep) {
			p++;
			ky = digits(&p, 4, &y);
			real_month_day = m >= 1 && m <= 12 && d >= 1 && d <= lm_date_days_in_month(y, m);
			if (ky == 4 && !*p && real_month_day) {
				*out = (struct lm_date){ y, m, d };
				return LM_DATE_DMY;
			}
		}
	}
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date: the year is counted
 * from March, so the leap day falls last, and in 400-year eras. */
long lm_date_to_days(const struct lm_date *date)
{
	long y = date->year - (date->month <= 2);
	long m = date->month;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + date->day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void lm_date_from_days(long days, struct lm_date *out)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;
	long y = yoe + era * 400 + (m <= 2);
	*out = (struct lm_date){ (int)y, (int)m, (int)d };
}

long lm_date_diff(const struct lm_date *a, const struct lm_date *b)
{
	return lm_date_to_days(b) - lm_date_to_days(a);
}

int lm_date_weekday(const struct lm_date *d)
{
	long days = lm_date_to_days(d); /* 1970-01-01 was a Thursday */
	long w = (days + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

const char *lm_date_month_name(int m)
{
	static const char *const months[12] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
	};
	return m >= 1 && m <= 12 ? months[m - 1] : "";
}

int lm_date_from_epoch(long long secs, struct lm_date *out)
{
	long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	/* 1900-01-01 .. 9999-12-31 */
	if (days < -25567 || days > 2932896)
		return -1;
	lm_date_from_days((long)days, out);
	return 0;
}

long long lm_date_to_epoch(const struct lm_date *d)
{
	return (long long)lm_date_to_days(d) * 86400;
}

int lm_date_from_excel(long serial, struct lm_date *out)
{
	/* Excel counts 1900 as a leap year (Lotus 1-2-3 did): serial 60 is a
	 * day that never was, and from 61 on the count is one day ahead. */
	if (serial < 1 || serial == 60 || serial > 2958465)
		return -1;
	long base = -25568; /* 1899-12-31 */
	lm_date_from_days(base + serial - (serial > 60), out);
	return 0;
}

long lm_date_format_unknown(const char *fmt)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (!p[1] || !strchr("doBmYA%", p[1]))
			return (long)(p - fmt);
		p++;
	}
	return -1;
}

/* Welsh dates: the month names as written after a number ("17 Mawrth
 * 2015": no mutation there), and the ordinal suffixes of 1af to 31ain. */
static const char *const cy_months[12] = {
	"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf",
	"Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
};
static const char *const cy_weekdays[7] = {
	"Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn",
};
static const char *const cy_ordinal[32] = {
	"", "af", "il", "ydd", "ydd", "ed", "ed", "fed", "fed", "fed", "fed",
	"eg", "fed", "eg", "eg", "fed", "eg", "eg", "fed", "eg", "fed",
	"ain", "ain", "ain", "ain", "ain", "ain", "ain", "ain", "ain", "ain", "ain",
};

/* 1 when BCP 47 tag `lang` is Welsh (cy, cy-GB, …). */
static int is_welsh(const char *lang)
{
	return lang && (lang[0] == 'c' || lang[0] == 'C') && (lang[1] == 'y' || lang[1] == 'Y') &&
	       (!lang[2] || lang[2] == '-' || lang[2] == '_');
}

const char *lm_date_month_name_lang(int m, const char *lang)
{
	if (is_welsh(lang))
		return m >= 1 && m <= 12 ? cy_months[m - 1] : "";
	return lm_date_month_name(m);
}

void lm_date_format(struct lm_buf *out, const char *fmt, const struct lm_date *date)
{
	lm_date_format_lang(out, fmt, date, NULL);
}

void lm_date_format_lang(struct lm_buf *out, const char *fmt, const struct lm_date *date,
			 const char *lang)
{
	static const char *const weekdays[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
						 "Thursday", "Friday", "Saturday" };
	int cy = is_welsh(lang);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			lm_buf_addc(out, *p);
			continue;
		}
		switch (*++p) {
		case 'd':
			lm_buf_addf(out, "%d", date->day);
			break;
		case 'o': {
			int dd = date->day;
			const char *suf = (dd % 10 == 1 && dd != 11) ? "st"
					  : (dd % 10 == 2 && dd != 12) ? "nd"
					  : (dd % 10 == 3 && dd != 13) ? "rd" : "th";
			if (cy)
				suf = dd >= 1 && dd <= 31 ? cy_ordinal[dd] : "";
			lm_buf_addf(out, "%d%s", dd, suf);
			break;
		}
		case 'B':
			lm_buf_adds(out, lm_date_month_name_lang(date->month, lang));
			break;
		case 'm':
			lm_buf_addf(out, "%02d", date->month);
			break;
		case 'Y':
			lm_buf_addf(out, "%d", date->year);
			break;
		case 'A':
			lm_buf_adds(out, (cy ? cy_weekdays : weekdays)[lm_date_weekday(date)]);
			break;
		case '%':
			lm_buf_addc(out, '%');
			break;
		default:
			lm_buf_addc(out, '%');
			lm_buf_addc(out, *p);
			break;
		}
	}
}
