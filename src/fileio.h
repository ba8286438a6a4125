/* fileio.h - whole files in and out.
 *
 * lm_write_atomic is how every output file is written: to a temporary file
 * beside the target, flushed, then renamed over it, so a reader (or a run
 * that is killed half-way) sees either the whole file or none.
 */
#ifndef LM_FILEIO_H
#define LM_FILEIO_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

/* Appends the file's bytes to `out`.  Returns 0, or -1 with d filled. */
int lm_read_file(const char *path, struct lm_buf *out, struct lm_diag *d);
/* Writes `len` bytes to `path` atomically, creating missing parent folders.
 * Returns 0, or -1 with d filled and nothing left behind. */
int lm_write_atomic(const char *path, const void *data, size_t len, struct lm_diag *d);

#endif
