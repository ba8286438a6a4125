/* template.h - Mustache placeholders in letters (see docs/formats.md).
 *
 * A template is parsed once into a tree (partials are read and parsed at
 * the same time, so a missing or self-including partial is reported before
 * anything is expanded) and then expanded once per recipient.
 *
 * Offered: {{name}}, {{a.b.c}}, {{.}}, {{#x}}…{{/x}}, {{^x}}…{{/x}},
 * {{! comment }} and {{> partial}} (three names place a part of the
 * letter instead: see lm_template_part).  Not offered, and reported as errors:
 * {{{x}}} and {{&x}} (values are always printed as typed) and {{=…=}}.
 * Standalone lines follow the Mustache spec, so the blank lines Markdown
 * depends on stay as written.
 *
 * Positions in diagnostics are 1-based lines and columns counted in
 * characters (UTF-8 code points), in the file the text came from.
 */
#ifndef LM_TEMPLATE_H
#define LM_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "value.h"

struct lm_template;

/* Sections and partials may nest this deep, together. */
#define LM_TEMPLATE_MAX_DEPTH 100

/*
 * Parses `src` (`len` bytes of UTF-8).  `path` names the file in diagnostics;
 * `first_line` is the file line on which `src` begins (a letter's body starts
 * after its front matter).  `{{> name}}` reads `partials_dir/name.md`; with
 * `partials_dir` NULL a partial is an error.  Returns 0 and sets *out, which
 * the caller frees with lm_template_free(), or -1 with `d` filled.
 */
int lm_template_parse(struct lm_template **out, const char *path,
		      const char *src, size_t len, int first_line,
		      const char *partials_dir, struct lm_diag *d);

enum lm_escape {
	LM_ESCAPE_NONE,     /* values copied as they are (plain-text fields) */
	LM_ESCAPE_MARKDOWN, /* values can never become CommonMark markup */
	LM_ESCAPE_FILENAME  /* values are made safe as one path component */
};

/*
 * Appends the expansion of `t` against `ctx` (normally a map) to `out`.
 * Returns 0, or -1 with `d` filled (a printed name that has no value, or a
 * list or map printed as text); `out` then holds a partial expansion that
 * the caller should discard.  `t` is not changed and may be expanded again.
 */
int lm_template_expand(const struct lm_template *t, const struct lm_value *ctx,
		       enum lm_escape esc, struct lm_buf *out,
		       struct lm_diag *d);

/* Receives each finding of a checking expansion. */
typedef void (*lm_report_fn)(void *ctx, const struct lm_diag *d);

/*
 * lm_template_expand for checking: a printed name with no value is passed
 * to `report` (with `d` filled) and expansion goes on, so one run finds
 * every one.  Returns 0 when all is well, 1 when findings were reported,
 * -1 when another error stopped it (`d` holds that one, not reported).
 * `d` must not be NULL.
 */
int lm_template_expand_report(const struct lm_template *t, const struct lm_value *ctx,
			      enum lm_escape esc, struct lm_buf *out, lm_report_fn report,
			      void *report_ctx, struct lm_diag *d);

/* Receives each value a template names. */
typedef void (*lm_value_fn)(void *ctx, const struct lm_value *v);
/* Calls `fn` with every value of `ctx` that `t` names (a section's too),
 * walking each section's body once for each item of its list, and
 * inverted sections as well, so that every value some letter could print
 * is seen: what `lettermerge fields` marks as used. */
void lm_template_walk(const struct lm_template *t, const struct lm_value *ctx, lm_value_fn fn,
		      void *fn_ctx);

/* Calls `fn` with the path of every partial file `t` includes, nested
 * ones too, each once, in the order of inclusion. */
void lm_template_partials(const struct lm_template *t, void (*fn)(void *ctx, const char *path),
			  void *ctx);

/* The parts of a letter its body may place: `{{> salutation}}`,
 * `{{> subject}}` and `{{> signatures}}` read no partial file; each stands
 * on a line of its own, and expands to LM_TEMPLATE_PART_MARK, the name,
 * LM_TEMPLATE_PART_MARK and a newline, for the frame to put the part there
 * (a value never holds the mark: escaping drops it).  Returns the part's
 * number (0 salutation, 1 subject, 2 signatures), or -1 for another name. */
#define LM_TEMPLATE_PART_MARK '\x1E'
int lm_template_part(const char *name, size_t len);

/* Frees `t` and the partials it holds; NULL is allowed. */
void lm_template_free(struct lm_template *t);

/*
 * Parses and expands a short string, e.g. a front-matter value, that starts
 * at `line`:`col` of `path`.  Partials are an error here.  Returns 0 with the
 * expansion appended to `out`, or -1 with `d` filled.
 */
int lm_template_render_string(const char *path, int line, int col,
			      const char *src, const struct lm_value *ctx,
			      enum lm_escape esc, struct lm_buf *out,
			      struct lm_diag *d);
/* The parse of lm_template_render_string alone, for a caller that expands
 * the same string many times (`path` must outlive the template). */
int lm_template_parse_string(struct lm_template **out, const char *path, int line, int col,
			     const char *src, struct lm_diag *d);

/*
 * Appends `s` (`len` bytes) to `out` escaped as `esc` says: in Markdown mode
 * every ASCII punctuation character gets a backslash, a newline becomes a
 * hard line break (backslash, newline), a CR is dropped, and spaces that
 * would start an output line are dropped (so they cannot make a code block).
 * Exposed for callers that print values outside a template.
 */
void lm_template_escape(struct lm_buf *out, const char *s, size_t len,
			enum lm_escape esc);

/*
 * Appends `s` made safe as (part of) one file name: no path separator, no
 * "..", no leading dot, no control character or character Windows forbids,
 * no trailing dot or space, no reserved Windows name (CON, NUL, COM1…), at
 * most 120 bytes, never empty.
 */
void lm_filename_escape(struct lm_buf *out, const char *s, size_t len);

#endif
