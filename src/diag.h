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

/* What went wrong, so that the CLI can tell a script (by its exit status)
 * whether to fix an input, fix the command line, fix the machine, or
 * report a bug.  Ordered by how much it matters: when a run has several,
 * the highest one decides the exit status. */
enum lm_diag_kind {
	LM_KIND_INPUT,  /* an input is wrong (the default): exit 1 */
	LM_KIND_USAGE,  /* the command line is wrong: exit 2 */
	LM_KIND_SYSTEM, /* the system failed us: disk full, no permission, a file vanished: exit 3 */
	LM_KIND_BUG,    /* lettermerge itself is wrong: exit 70 */
};

struct lm_diag {
	enum lm_severity severity;
	enum lm_diag_kind kind;
	char file[1024];
	int line;
	int col;
	char msg[1024];
};

void lm_diag_clear(struct lm_diag *d);
/* Fills `d` (if not NULL) and returns -1, so callers can `return lm_diag_set(...)`. */
int lm_diag_set(struct lm_diag *d, const char *file, int line, int col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* As lm_diag_set, with a kind other than LM_KIND_INPUT. */
int lm_diag_setk(struct lm_diag *d, enum lm_diag_kind kind, const char *file, int line, int col,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The kind of a failed system call's errno: a name that is not there (or
 * not a folder) is the input's fault; anything else (no space, no
 * permission, an I/O error, no memory, too many open files) the system's. */
enum lm_diag_kind lm_diag_errno_kind(int err);
/* Formats `d` as "file:line:col: error: message" into `out` (size n). */
void lm_diag_format(const struct lm_diag *d, char *out, unsigned long n);

#endif
