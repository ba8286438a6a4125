/* target_pdfr.c - one input through the PDF reader (src/pdfr.c): the
 * cross-reference sections and revisions, every object at every revision
 * (object streams included), stream decoding, the page tree, and the
 * object parser on the raw bytes.  See targets.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "pdfr.h"
#include "targets.h"

#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond))                                                        \
			abort();                                                    \
	} while (0)

/* Objects looked at per revision: enough to reach what a fuzzed file
 * holds, bounded so that a huge /Size does not make a slow input. */
#define MAX_OBJECTS 4096

int lm_fuzz_pdfr(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct lm_diag d;
	lm_diag_clear(&d);

	/* the object parser alone, object after object */
	size_t pos = 0;
	for (int i = 0; i < 64 && pos < size; i++) {
		size_t before = pos;
		struct lm_pobj *o = lm_pdfr_parse_object(s, size, &pos, &d);
		if (!o) {
			REQUIRE(d.msg[0]);
			break;
		}
		REQUIRE(pos > before && pos <= size && o->end <= size);
		lm_pobj_free(o);
	}

	struct lm_pdfr *r = NULL;
	if (lm_pdfr_open(&r, s, size, &d)) {
		REQUIRE(d.msg[0] && !r);
	} else {
		size_t nrev = lm_pdfr_nrevisions(r);
		REQUIRE(nrev >= 1);
		struct lm_buf buf = LM_BUF_INIT;
		for (size_t k = 0; k < nrev; k++) {
			const struct lm_pdfr_rev *rv = lm_pdfr_revision(r, k);
			REQUIRE(rv && rv->trailer && rv->end <= size && rv->eof_pos <= rv->end);
			for (long long num = 0; num < MAX_OBJECTS; num++) {
				struct lm_pdfr_loc loc = lm_pdfr_locate(r, k, num);
				if (loc.where == LM_PDFR_ABSENT)
					continue;
				REQUIRE(loc.rev <= k);
				struct lm_pobj *o = NULL;
				lm_diag_clear(&d);
				int rc = lm_pdfr_get(r, k, num, &o, &d);
				REQUIRE(rc == 0 ? o != NULL : o == NULL);
				REQUIRE(rc != -1 || d.msg[0]);
				if (o && o->kind == LM_PK_STREAM) {
					REQUIRE(o->data >= s && o->data + o->data_len <= s + size);
					lm_buf_reset(&buf);
					lm_pdfr_stream(r, k, o, &buf, &d);
				}
				if (o) {
					char text[64];
					lm_pobj_text(lm_pobj_get(o, "Title"), text, sizeof(text));
					struct lm_pobj *hold = NULL;
					lm_pdfr_deref(r, k, lm_pobj_get(o, "Parent"), &hold, &d);
					lm_pobj_free(hold);
				}
				lm_pobj_free(o);
			}
			long long *pages = NULL;
			size_t npages = 0;
			if (!lm_pdfr_pages(r, k, &pages, &npages, &d))
				REQUIRE(npages == 0 || pages);
			free(pages);
		}
		lm_buf_release(&buf);
		lm_pdfr_free(r);
	}
	size_t n = 0;
	lm_pdfr_check_whole(s, size, &n, NULL);
	return 0;
}
