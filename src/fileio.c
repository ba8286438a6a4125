#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *lm_file_type_name(unsigned mode)
{
	return S_ISDIR(mode) ? "a folder" : S_ISLNK(mode) ? "a symbolic link"
	       : S_ISFIFO(mode) ? "a named pipe (FIFO)" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
	       : S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

int lm_open_regular(const char *path, const char *what, struct lm_diag *d)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return lm_diag_setk(d, lm_diag_errno_kind(errno), path, 0, 0,
				    "cannot open '%s': %s; check the name and that the file may be read",
				    path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st)) {
		int e = errno;
		close(fd);
		errno = e;
		return lm_diag_setk(d, LM_KIND_SYSTEM, path, 0, 0, "cannot read '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return lm_diag_set(d, path, 0, 0, "the %s '%s' is %s, not a file; give the name of a saved file",
				   what, path, lm_file_type_name(st.st_mode));
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int human_size(char *out, size_t n, size_t bytes)
{
	if (bytes >= (1ul << 30) && !(bytes % (1ul << 30)))
		return snprintf(out, n, "%zu GB", bytes >> 30);
	if (bytes >= (1ul << 20) && !(bytes % (1ul << 20)))
		return snprintf(out, n, "%zu MB", bytes >> 20);
	return snprintf(out, n, "%zu bytes", bytes);
}

int lm_read_file_as(const char *path, size_t cap, const char *what, struct lm_buf *out,
		    struct lm_diag *d)
{
	int fd = lm_open_regular(path, what, d);
	if (fd < 0)
		return -1;
	struct stat st;
	char capname[32];
	human_size(capname, sizeof(capname), cap);
	if (!fstat(fd, &st) && (size_t)st.st_size > cap) {
		close(fd);
		errno = EFBIG;
		return lm_diag_set(d, path, 0, 0,
				   "the %s is %lld bytes, more than the %s a %s may be; is it the right file?",
				   what, (long long)st.st_size, capname, what);
	}
	size_t start = out->len;
	for (;;) {
		lm_buf_grow(out, 65536);
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return lm_diag_setk(d, lm_diag_errno_kind(e), path, 0, 0,
					    "cannot read '%s': %s; check that it is a readable file",
					    path, strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len - start > cap) {
			/* it grew while we read */
			close(fd);
			errno = EFBIG;
			return lm_diag_set(d, path, 0, 0, "the %s is more than the %s a %s may be; is it the right file?",
					   what, capname, what);
		}
	}
	close(fd);
	return 0;
}

int lm_read_file(const char *path, struct lm_buf *out, struct lm_diag *d)
{
	return lm_read_file_as(path, LM_CAP_PDF, "file", out, d);
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
			rc = lm_diag_setk(d, lm_diag_errno_kind(errno), p, 0, 0, "cannot create folder: %s",
					  strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

/* Only a regular file (or nothing) may be replaced: renaming over a device
 * node, a symbolic link or a folder would destroy what is not ours. */
static int replaceable(const char *path, struct lm_diag *d)
{
	struct stat st;
	if (lstat(path, &st)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* creating it says why it cannot be */
		return lm_diag_setk(d, lm_diag_errno_kind(errno), path, 0, 0,
				    "cannot use the output file: %s", strerror(errno));
	}
	if (S_ISREG(st.st_mode))
		return 0;
	const char *what = lm_file_type_name(st.st_mode);
	return lm_diag_set(d, path, 0, 0,
			   "the output is %s, not a file; lettermerge replaces only regular files: give another name",
			   what);
}

int lm_check_output(const char *path, struct lm_diag *d)
{
	return replaceable(path, d);
}

size_t lm_temp_name(char *out, size_t n, const char *path, long pid, unsigned attempt)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	return (size_t)snprintf(out, n, "%.*s" LM_TEMP_PREFIX "%ld-%u" LM_TEMP_SUFFIX, (int)dir, path, pid,
				attempt);
}

int lm_is_temp_name(const char *base)
{
	size_t np = strlen(LM_TEMP_PREFIX), ns = strlen(LM_TEMP_SUFFIX), n = strlen(base);
	if (n <= np + ns || strncmp(base, LM_TEMP_PREFIX, np) || strcmp(base + n - ns, LM_TEMP_SUFFIX))
		return 0;
	int dash = 0;
	for (size_t i = np; i < n - ns; i++) {
		if (base[i] == '-' && !dash && i > np && i + 1 < n - ns)
			dash = 1;
		else if (base[i] < '0' || base[i] > '9')
			return 0;
	}
	return dash;
}

int lm_atomic_open(struct lm_atomic *a, const char *path, struct lm_diag *d)
{
	struct lm_buf tmp = LM_BUF_INIT;
	int fd = -1, made = 0;
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (replaceable(path, d))
		return -1;
	/* open(O_EXCL) rather than mkstemp: the file gets the user's umask,
	 * not mode 0600; the pid keeps parallel workers apart.  A short name
	 * in the target's folder (not NAME + a suffix): a name of the longest
	 * length a file system allows must still be writable. */
	for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
		char name[64];
		const char *slash = strrchr(path, '/');
		lm_buf_reset(&tmp);
		if (slash)
			lm_buf_add(&tmp, path, (size_t)(slash - path) + 1);
		lm_temp_name(name, sizeof(name), "", (long)getpid(), attempt);
		lm_buf_adds(&tmp, name);
		fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		/* the folders are made the first time they are missing only */
		if (fd < 0 && errno == ENOENT && !made) {
			made = 1;
			if (make_parents(path, d)) {
				lm_buf_release(&tmp);
				return -1;
			}
			attempt--;
			continue;
		}
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		lm_diag_setk(d, lm_diag_errno_kind(errno), path, 0, 0, "cannot create the output file: %s",
			     strerror(errno));
		lm_buf_release(&tmp);
		return -1;
	}
	a->fd = fd;
	a->path = lm_xstrdup(path);
	a->tmp = lm_buf_detach(&tmp, NULL);
	return 0;
}

int lm_atomic_open_as(struct lm_atomic *a, const char *path, const char *tmp, struct lm_diag *d)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == ENOENT) {
		if (make_parents(tmp, d))
			return -1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	}
	if (fd < 0)
		return lm_diag_setk(d, lm_diag_errno_kind(errno), path, 0, 0,
				    "cannot create the output file: %s", strerror(errno));
	a->fd = fd;
	a->path = lm_xstrdup(path);
	a->tmp = lm_xstrdup(tmp);
	return 0;
}

int lm_atomic_keep(struct lm_atomic *a, struct lm_diag *d)
{
	int rc = close(a->fd);
	a->fd = -1;
	if (rc) {
		lm_diag_setk(d, LM_KIND_SYSTEM, a->path, 0, 0, "cannot write the output file: %s",
			     strerror(errno));
		lm_atomic_abort(a);
		return -1;
	}
	free(a->tmp);
	a->tmp = NULL; /* kept: abort no longer removes it */
	lm_atomic_abort(a);
	return 0;
}

int lm_move_into_place(const char *tmp, const char *path, struct lm_diag *d)
{
	if (replaceable(path, d))
		return -1;
	int rc = rename(tmp, path);
	if (rc && errno == ENOENT && !access(tmp, F_OK)) {
		if (make_parents(path, d))
			return -1;
		rc = rename(tmp, path);
	}
	if (rc)
		return lm_diag_setk(d, lm_diag_errno_kind(errno), path, 0, 0,
				    "cannot move the finished file into place: %s", strerror(errno));
	return 0;
}

void lm_atomic_abort(struct lm_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

int lm_atomic_write(struct lm_atomic *a, const void *data, size_t len, struct lm_diag *d)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(a->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lm_diag_setk(d, LM_KIND_SYSTEM, a->path, 0, 0, "cannot write the output file: %s",
				     n < 0 ? strerror(errno) : "disk full?");
			lm_atomic_abort(a);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int lm_atomic_commit(struct lm_atomic *a, struct lm_diag *d)
{
	int rc = close(a->fd);
	a->fd = -1;
	if (rc)
		lm_diag_setk(d, LM_KIND_SYSTEM, a->path, 0, 0, "cannot write the output file: %s",
			     strerror(errno));
	else if ((rc = replaceable(a->path, d)))
		; /* something not ours appeared there while we wrote */
	else if ((rc = rename(a->tmp, a->path)))
		lm_diag_setk(d, lm_diag_errno_kind(errno), a->path, 0, 0,
			     "cannot move the finished file into place: %s", strerror(errno));
	if (!rc) {
		free(a->tmp);
		a->tmp = NULL;
	}
	lm_atomic_abort(a);
	return rc ? -1 : 0;
}

int lm_write_atomic(const char *path, const void *data, size_t len, struct lm_diag *d)
{
	struct lm_atomic a;
	if (lm_atomic_open(&a, path, d) || lm_atomic_write(&a, data, len, d))
		return -1;
	return lm_atomic_commit(&a, d);
}

void lm_text_unix_lines(char *s, size_t len)
{
	for (char *p = s, *end = s + len; (p = memchr(p, '\r', (size_t)(end - p))); p++)
		if (p + 1 == end || p[1] != '\n')
			*p = '\n';
}

int lm_spool(int in, const char *name, int *out, struct lm_diag *d)
{
	*out = -1;
	/* tmpfile() would always use /tmp; a run's big copies go where the
	 * user says temporary files go */
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	struct lm_buf path = LM_BUF_INIT;
	lm_buf_addf(&path, "%s/lettermerge-XXXXXX", dir);
	int fd = mkstemp(path.ptr);
	if (fd < 0) {
		int e = errno;
		lm_diag_setk(d, LM_KIND_SYSTEM, name, 0, 0,
			     "cannot make a temporary copy of %s in %s: %s (set TMPDIR to a writable folder)", name,
			     dir, strerror(e));
		lm_buf_release(&path);
		return -1;
	}
	unlink(path.ptr);
	lm_buf_release(&path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	char buf[65536];
	size_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = lm_diag_setk(d, lm_diag_errno_kind(errno), name, 0, 0, "cannot read %s: %s", name,
					  strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if ((total += (size_t)n) > LM_CAP_PDF) {
			rc = lm_diag_set(d, name, 0, 0, "%s is more than %lu GB; is it the right input?", name,
					 LM_CAP_PDF >> 30);
			break;
		}
		for (ssize_t off = 0; off < n && !rc;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				rc = lm_diag_setk(d, LM_KIND_SYSTEM, name, 0, 0,
						  "cannot make a temporary copy of %s in %s: %s", name, dir,
						  w < 0 ? strerror(errno) : "disk full?");
			else
				off += w;
		}
		if (rc)
			break;
	}
	if (rc) {
		close(fd);
		return -1;
	}
	*out = fd;
	return 0;
}
