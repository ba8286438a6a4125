#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lm_read_file(const char *path, struct lm_buf *out, struct lm_diag *d)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return lm_diag_set(d, path, 0, 0,
				   "cannot open '%s': %s; check the name and that the file may be read",
				   path, strerror(errno));
	for (;;) {
		lm_buf_grow(out, 65536);
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return lm_diag_set(d, path, 0, 0,
					   "cannot read '%s': %s; check that it is a readable file",
					   path, strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}
	close(fd);
	return 0;
}

static int make_parents(const char *path, struct lm_diag *d)
{
	char *p = lm_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			rc = lm_diag_set(d, p, 0, 0, "cannot create folder: %s", strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

int lm_write_atomic(const char *path, const void *data, size_t len, struct lm_diag *d)
{
	struct lm_buf tmp = LM_BUF_INIT;
	int rc = -1, fd = -1, made = 0;
	/* open(O_EXCL) rather than mkstemp: the file gets the user's umask,
	 * not mode 0600; the pid keeps parallel workers apart */
	for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
		lm_buf_reset(&tmp);
		lm_buf_addf(&tmp, "%s.tmp-%ld-%u", path, (long)getpid(), attempt);
		fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		/* the folders are made the first time they are missing only */
		if (fd < 0 && errno == ENOENT && !made) {
			made = 1;
			if (make_parents(path, d))
				goto out;
			attempt--;
			continue;
		}
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		lm_diag_set(d, path, 0, 0, "cannot create the output file: %s", strerror(errno));
		goto out;
	}
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lm_diag_set(d, path, 0, 0, "cannot write the output file: %s",
				    n < 0 ? strerror(errno) : "disk full?");
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd)) {
		fd = -1;
		lm_diag_set(d, path, 0, 0, "cannot write the output file: %s", strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp.ptr, path)) {
		lm_diag_set(d, path, 0, 0, "cannot move the finished file into place: %s", strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.ptr);
out:
	lm_buf_release(&tmp);
	return rc;
}
