/* fileio.h - whole files in and out.
 *
 * lm_write_atomic is how every output file is written: to a temporary file
 * beside the target, flushed, then renamed over it, so a reader (or a run
 * that is killed half-way) sees either the whole file or none.  Only a
 * regular file (or nothing) is ever replaced.  The temporary file is
 * DIR/.lettermerge-PID-N.tmp: short, so a target name of any legal length
 * works, and known, so a signal handler can remove it and a resumed run
 * can find a killed run's leftovers.
 */
#ifndef LM_FILEIO_H
#define LM_FILEIO_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

/* Size caps by kind of file: a file past its cap is the wrong file (or
 * /dev/zero), and is refused before it fills memory. */
#define LM_CAP_TEXT   (4ul << 20)    /* a letter, a partial */
#define LM_CAP_CSV    (64ul << 20)   /* an area's CSV file (recipients files are streamed) */
#define LM_CAP_IMAGE  (32ul << 20)   /* a signature or logo */
#define LM_CAP_FONT   (64ul << 20)
#define LM_CAP_SMALL  (1ul << 20)    /* a key, a certificate, a password file */
#define LM_CAP_PDF    (2ul << 30)    /* a PDF to verify or resume */

/* Appends the file's bytes to `out` (at most LM_CAP_PDF).  Returns 0, or
 * -1 with d filled. */
int lm_read_file(const char *path, struct lm_buf *out, struct lm_diag *d);
/* lm_read_file for a file of kind `what` ("letter", "partial"...): only a
 * regular file is read (a FIFO or a folder is named, not waited on), and
 * one over `cap` bytes is refused naming the cap.  errno is left as the
 * failing call set it. */
int lm_read_file_as(const char *path, size_t cap, const char *what, struct lm_buf *out,
		    struct lm_diag *d);
/* Opens `path` for reading when it is a regular file (O_NONBLOCK, so a
 * FIFO does not hang the open, then cleared); else -1 with d filled naming
 * what it is (`what` names the kind of file in the message). */
int lm_open_regular(const char *path, const char *what, struct lm_diag *d);
/* "a folder", "a named pipe (FIFO)", "a device"... for a stat mode. */
const char *lm_file_type_name(unsigned mode);
/* Writes `len` bytes to `path` atomically, creating missing parent folders.
 * Returns 0, or -1 with d filled and nothing left behind. */
int lm_write_atomic(const char *path, const void *data, size_t len, struct lm_diag *d);

/* A file written a piece at a time, atomically as lm_write_atomic: it
 * appears under its name whole at lm_atomic_commit, or never. */
struct lm_atomic {
	char *path, *tmp; /* owned */
	int fd;
};

#define LM_TEMP_PREFIX ".lettermerge-"
#define LM_TEMP_SUFFIX ".tmp"

/* Writes the temporary name for `path` (PID, attempt N) into `out` (size
 * n); returns its length.  Async-signal-safe enough for a handler that
 * only needs to unlink (snprintf of integers and strings). */
size_t lm_temp_name(char *out, size_t n, const char *path, long pid, unsigned attempt);
/* 1 when the file name `base` (no folder) is a temporary name of ours. */
int lm_is_temp_name(const char *base);
/* 0 when `path` may be written: absent, or a regular file; else -1 with d
 * filled (a folder, a device, a symbolic link, a FIFO...). */
int lm_check_output(const char *path, struct lm_diag *d);

/* Creates the temporary file beside `path` (and missing parent folders).
 * Returns 0, or -1 with d filled and nothing to release. */
int lm_atomic_open(struct lm_atomic *a, const char *path, struct lm_diag *d);
/* Returns 0, or -1 with d filled (the file is then aborted). */
int lm_atomic_write(struct lm_atomic *a, const void *data, size_t len, struct lm_diag *d);
/* Closes the file and renames it into place.  Returns 0, or -1 with d
 * filled and nothing left behind.  Either way `a` is released. */
int lm_atomic_commit(struct lm_atomic *a, struct lm_diag *d);
/* Removes the temporary file and releases `a`; harmless after commit. */
void lm_atomic_abort(struct lm_atomic *a);

/* Staging, for a run that writes many files and keeps them only if every
 * one of them is right: each is written whole under a temporary name the
 * caller chooses (lm_temp_name with a serial of its own), and moved into
 * place later, or removed.  lm_atomic_open_as opens `tmp` for `path`
 * (messages name `path`); lm_atomic_keep closes it, leaving it under its
 * temporary name (returns 0, or -1 with d filled and nothing left);
 * lm_move_into_place renames `tmp` to `path` (its folders made, and only
 * over a regular file): 0, or -1 with d filled. */
int lm_atomic_open_as(struct lm_atomic *a, const char *path, const char *tmp, struct lm_diag *d);
int lm_atomic_keep(struct lm_atomic *a, struct lm_diag *d);
int lm_move_into_place(const char *tmp, const char *path, struct lm_diag *d);

/* Turns each lone CR (a line end of old Mac Word and Excel) into LF, in
 * place, so that every reader after counts the same lines; CRLF is left as
 * it is.  Columns do not move. */
void lm_text_unix_lines(char *s, size_t len);

/* Copies all of file descriptor `in` (standard input, a pipe) to an
 * unlinked temporary file and sets *out to a descriptor for it, which the
 * caller closes: a stream read once can then be read as often as a run
 * needs, in bounded memory.  Returns 0, or -1 with d filled (`name` names
 * the input in messages). */
int lm_spool(int in, const char *name, int *out, struct lm_diag *d);

#endif
