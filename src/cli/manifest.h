/* manifest.h - --manifest: one JSON line a file the run wrote (path, area,
 * recipient, letters, pages, bytes, sha256, skipped), written atomically
 * as the files come in order, or to standard output ("-"). */
#ifndef LM_CLI_MANIFEST_H
#define LM_CLI_MANIFEST_H

#include "../buf.h"
#include "../diag.h"
#include "../fileio.h"
#include "../run.h"

struct cli_manifest {
	struct lm_atomic file;
	struct lm_buf pending;
	int open, failed;
	int to_stdout;          /* lines go to standard output as they come */
	enum lm_diag_kind kind; /* of the failure */
};

/* Returns 0, or prints why not and returns -1 (m->kind says how bad). */
int cli_manifest_open(struct cli_manifest *m, const char *path);
/* An lm_run_callbacks.file_done: the file's line. */
void cli_manifest_line(void *manifest, const struct lm_run_file *f);
/* With `keep`, puts the manifest in place: 0, or prints why not and
 * returns -1.  Without, removes what was written.  Harmless when it is
 * not open. */
int cli_manifest_close(struct cli_manifest *m, int keep);

#endif
