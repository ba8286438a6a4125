/* frontmatter.h - a letter's YAML front matter, read with libyaml into the
 * same value tree templates use, every scalar remembering its file:line:col.
 */
#ifndef LM_FRONTMATTER_H
#define LM_FRONTMATTER_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

struct lm_frontmatter_split {
	const char *yaml;  /* points into the source; len 0 when there is none */
	size_t yaml_len;
	int yaml_line;     /* file line of the first YAML line */
	const char *body;
	size_t body_len;
	int body_line;     /* file line of the first body line */
};

/* Finds "---" lines around the front matter at the start of `src`.
 * Returns 0, or -1 with d filled when the closing "---" is missing. */
int lm_frontmatter_split(const char *path, const char *src, size_t len,
			 struct lm_frontmatter_split *out, struct lm_diag *d);

/* Parses YAML into a map (or list, or string) allocated in `a`.  Empty
 * input gives an empty map.  Returns 0 and *out, or -1 with d filled. */
int lm_yaml_parse(struct lm_arena *a, const char *path, const char *yaml, size_t len,
		  int first_line, struct lm_value **out, struct lm_diag *d);

#endif
