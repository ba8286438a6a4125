/* buf.h - a growable byte buffer.
 *
 * Invariants: `ptr` is never NULL and `ptr[len] == '\0'` always holds, so a
 * buffer can be passed as a C string at any time.  `cap == 0` means `ptr`
 * points at a shared empty string and nothing is owned yet.  The buffer owns
 * `ptr` once `cap > 0`; lm_buf_release() frees it and re-initialises.
 * Allocation failure aborts (see lm_xmalloc): a mail merge that cannot get a
 * few kilobytes has no sensible way to go on.
 */
#ifndef LM_BUF_H
#define LM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lm_buf {
	char *ptr;
	size_t len;
	size_t cap;
};

#define LM_BUF_INIT { lm_buf_empty, 0, 0 }
extern char lm_buf_empty[];

void lm_buf_init(struct lm_buf *b);
void lm_buf_release(struct lm_buf *b);
void lm_buf_grow(struct lm_buf *b, size_t extra);
void lm_buf_add(struct lm_buf *b, const void *data, size_t len);
void lm_buf_adds(struct lm_buf *b, const char *s);
void lm_buf_addc(struct lm_buf *b, char c);
void lm_buf_addf(struct lm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lm_buf_vaddf(struct lm_buf *b, const char *fmt, va_list ap);
void lm_buf_reset(struct lm_buf *b); /* len = 0, keeps the memory */
/* Appends `len` bytes of `data` deflated (zlib format, as PDF's
 * FlateDecode wants).  Aborts only when out of memory. */
void lm_buf_add_deflated(struct lm_buf *b, const void *data, size_t len);
/* Hands the string to the caller, who frees it; the buffer is re-initialised. */
char *lm_buf_detach(struct lm_buf *b, size_t *len);

/* malloc/realloc/strdup that abort with a message on failure. */
void *lm_xmalloc(size_t n);
void *lm_xcalloc(size_t n, size_t size);
void *lm_xrealloc(void *p, size_t n);
char *lm_xstrdup(const char *s);
char *lm_xstrndup(const char *s, size_t n);

/* Grow an array `arr` of `nr` used / `alloc` slots to hold `need` items. */
#define LM_ALLOC_GROW(arr, need, alloc)                                       \
	do {                                                                  \
		if ((need) > (alloc)) {                                       \
			size_t lm_new_ = (alloc) ? (alloc) * 2 : 8;           \
			while (lm_new_ < (need))                               \
				lm_new_ *= 2;                                 \
			(arr) = lm_xrealloc((arr), lm_new_ * sizeof(*(arr))); \
			(alloc) = lm_new_;                                    \
		}                                                             \
	} while (0)

#endif
