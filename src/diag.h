/* diag.h - one diagnostic: where a problem is and what to do about it.
 *
 * Core modules never print or exit.  A function that fails fills a
 * `struct lm_diag` and returns -1; the CLI prints it as
 * `file:line:col: error: message`.  line/col are 1-based; 0 means unknown
 * (then they are left out when printed).  Fixed-size fields keep the struct
 * free of ownership: it can be copied and dropped without a release call.
 */
#ifndef LM_DIAG_H
#define LM_DIAG_H

enum lm_severity { LM_ERROR, LM_WARNING };

struct lm_diag {
	enum lm_severity severity;
	char file[1024];
	int line;
	int col;
	char msg[1024];
};

void lm_diag_clear(struct lm_diag *d);
/* Fills `d` (if not NULL) and returns -1, so callers can `return lm_diag_set(...)`. */
int lm_diag_set(struct lm_diag *d, const char *file, int line, int col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Formats `d` as "file:line:col: error: message" into `out` (size n). */
void lm_diag_format(const struct lm_diag *d, char *out, unsigned long n);

#endif
