#include "lang.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int lm_lang_valid(const char *tag)
{
	if (!tag)
		return 0;
	size_t i = 0;
	while (isalpha((unsigned char)tag[i]))
		i++;
	if (i < 2 || i > 3)
		return 0;
	if (strlen(tag) >= LM_LANG_TAG_MAX)
		return 0;
	while (tag[i]) {
		if (tag[i] != '-')
			return 0;
		size_t n = 0;
		i++;
		while (isalnum((unsigned char)tag[i]))
			i++, n++;
		if (n < 1 || n > 8)
			return 0;
	}
	return 1;
}

void lm_lang_primary(const char *tag, char out[4])
{
	size_t i = 0;
	for (; tag && i < 3 && isalpha((unsigned char)tag[i]); i++)
		out[i] = (char)tolower((unsigned char)tag[i]);
	out[i] = '\0';
}

int lm_lang_same(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	char pa[4], pb[4];
	lm_lang_primary(a, pa);
	lm_lang_primary(b, pb);
	return *pa && !strcmp(pa, pb);
}

/* Names staff may write in a `language` column instead of a tag. */
static const struct {
	const char *name, *tag;
} names[] = {
	{ "english", "en" }, { "saesneg", "en" }, { "welsh", "cy" }, { "cymraeg", "cy" },
	{ "polish", "pl" },  { "polski", "pl" },  { "urdu", "ur" },  { "arabic", "ar" },
	{ "bengali", "bn" }, { "bangla", "bn" },  { "punjabi", "pa" }, { "gujarati", "gu" },
	{ "romanian", "ro" }, { "somali", "so" }, { "hebrew", "he" }, { "chinese", "zh" },
};

int lm_lang_request_parse(const char *s, struct lm_lang_request *r)
{
	memset(r, 0, sizeof(*r));
	if (!s)
		return -1;
	for (;;) {
		while (*s == ' ')
			s++;
		const char *end = strchr(s, '+');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		while (len && s[len - 1] == ' ')
			len--;
		if (!len || len >= LM_LANG_TAG_MAX || r->n == LM_LANG_MAX_PARTS)
			return -1;
		char part[LM_LANG_TAG_MAX];
		memcpy(part, s, len);
		part[len] = '\0';
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcasecmp(part, names[k].name)) {
				snprintf(part, sizeof(part), "%s", names[k].tag);
				break;
			}
		if (!lm_lang_valid(part))
			return -1;
		for (size_t k = 0; k < r->n; k++)
			if (lm_lang_same(r->tags[k], part))
				return -1;
		memcpy(r->tags[r->n++], part, strlen(part) + 1);
		if (!end)
			return 0;
		s = end + 1;
	}
}

const char *lm_lang_text(const char *lang, enum lm_lang_text which)
{
	static const char *const en[] = { "Dear Parent/Carer,", "Yours sincerely,", "Page", "of",
					  "logo", "Signature of" };
	/* Welsh as Welsh public bodies write it (Llywodraeth Cymru's letters):
	 * "Annwyl Riant/Gofalwr," and "Yn gywir," */
	static const char *const cy[] = { "Annwyl Riant/Gofalwr,", "Yn gywir,", "Tudalen", "o",
					  "Logo", "Llofnod" };
	char p[4];
	lm_lang_primary(lang ? lang : "en", p);
	if (!strcmp(p, "en"))
		return en[which];
	if (!strcmp(p, "cy"))
		return cy[which];
	return NULL;
}

int lm_lang_logo_first(const char *lang)
{
	return lm_lang_same(lang, "cy");
}

/* lm_value_localise with the language's primary subtag `p` (pl bytes,
 * not empty) worked out once for the whole tree. */
static struct lm_value *localise(struct lm_arena *a, struct lm_value *v, const char *p, size_t pl)
{
	if (!v || v->kind == LM_VALUE_STRING)
		return v;
	struct lm_value *copy = NULL;
	/* most maps have no variant at all: one pass over the keys finds that
	 * (this runs for every letter) */
	int variants = 0;
	for (size_t i = 0; v->kind == LM_VALUE_MAP && i < v->n && !variants; i++) {
		size_t kl = strlen(v->keys[i]);
		variants = kl > pl + 1 && v->keys[i][kl - pl - 1] == '_' && !strcmp(v->keys[i] + kl - pl, p);
	}
	for (size_t i = 0; i < v->n; i++) {
		struct lm_value *item = v->items[i], *now = item;
		if (item->kind != LM_VALUE_STRING) {
			now = localise(a, item, p, pl);
		} else if (variants) {
			char key[256];
			int n = snprintf(key, sizeof(key), "%s_%s", v->keys[i], p);
			const struct lm_value *var = n > 0 && (size_t)n < sizeof(key) ? lm_value_get(v, key) : NULL;
			if (var && var->kind == LM_VALUE_STRING && var->len)
				now = (struct lm_value *)var;
		}
		if (now == item && !copy)
			continue;
		if (!copy) {
			copy = v->kind == LM_VALUE_MAP ? lm_value_map(a) : lm_value_list(a);
			lm_value_set_origin(copy, v->file, v->line, v->col);
			for (size_t k = 0; k < i; k++) {
				if (v->kind == LM_VALUE_MAP)
					lm_value_set(a, copy, v->keys[k], v->items[k]);
				else
					lm_value_push(a, copy, v->items[k]);
			}
		}
		if (v->kind == LM_VALUE_MAP)
			lm_value_set(a, copy, v->keys[i], now);
		else
			lm_value_push(a, copy, now);
	}
	return copy ? copy : v;
}

struct lm_value *lm_value_localise(struct lm_arena *a, struct lm_value *v, const char *lang)
{
	char p[4];
	lm_lang_primary(lang, p);
	return *p ? localise(a, v, p, strlen(p)) : v;
}
