#include "suggest.h"

#include <string.h>

size_t lm_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

void lm_suggest_init(struct lm_suggest *s, const char *want)
{
	s->want = want;
	s->best = NULL;
	s->dist = (size_t)-1;
}

void lm_suggest_add(struct lm_suggest *s, const char *cand)
{
	size_t dist = lm_edit_distance(s->want, cand);
	if (dist && dist <= 2 && dist < strlen(s->want) && dist < s->dist) {
		s->best = cand;
		s->dist = dist;
	}
}
