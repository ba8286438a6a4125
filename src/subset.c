#include "subset.h"

#include "buf.h"
#include "fileio.h"

#include <hb-subset.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CP_LIMIT 0x110000u

void lm_cpset_init(struct lm_cpset *s)
{
	s->bits = lm_xcalloc(CP_LIMIT / 8, 1);
}

void lm_cpset_release(struct lm_cpset *s)
{
	free(s->bits);
	s->bits = NULL;
}

void lm_cpset_add(struct lm_cpset *s, uint32_t cp)
{
	if (cp < CP_LIMIT)
		s->bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

int lm_cpset_has(const struct lm_cpset *s, uint32_t cp)
{
	return cp < CP_LIMIT && (s->bits[cp >> 3] >> (cp & 7)) & 1;
}

void lm_cpset_add_utf8(struct lm_cpset *s, const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = lm_utf8_decode(text + i, len - i, &cp);
		if (!n) {
			i++;
			continue;
		}
		lm_cpset_add(s, cp);
		i += (size_t)n;
	}
}

int lm_cpset_add_file(struct lm_cpset *s, const char *path, struct lm_diag *d)
{
	struct lm_buf b = LM_BUF_INIT;
	int rc = lm_read_file(path, &b, d);
	if (!rc)
		lm_cpset_add_utf8(s, b.ptr, b.len);
	lm_buf_release(&b);
	return rc;
}

void lm_subset_init(struct lm_subset *s)
{
	memset(s, 0, sizeof(*s));
}

void lm_subset_release(struct lm_subset *s)
{
	for (int i = 0; i < LM_FACES; i++) {
		if (s->path[i])
			unlink(s->path[i]);
		free(s->path[i]);
	}
	if (s->dir)
		rmdir(s->dir);
	free(s->dir);
	lm_subset_init(s);
}

int lm_subset_make(struct lm_subset *s, struct lm_fonts *fonts, const struct lm_cpset *cps,
		   struct lm_diag *d)
{
	const char *tmp = getenv("TMPDIR");
	struct lm_buf dir = LM_BUF_INIT;
	lm_buf_addf(&dir, "%s/lettermerge-fonts-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.ptr)) {
		lm_diag_set(d, dir.ptr, 0, 0, "cannot create a temporary folder for fonts");
		lm_buf_release(&dir);
		return -1;
	}
	s->dir = lm_buf_detach(&dir, NULL);
	for (int i = 0; i < LM_FACES; i++) {
		hb_face_t *face = hb_font_get_face(fonts->face[i]);
		hb_subset_input_t *in = hb_subset_input_create_or_fail();
		if (!in)
			return lm_diag_set(d, fonts->path[i], 0, 0, "cannot subset the font (out of memory?)");
		hb_set_t *u = hb_subset_input_unicode_set(in);
		/* the set is sparse: walk the bitmap a byte at a time */
		for (uint32_t b = 0; b < CP_LIMIT / 8; b++)
			if (cps->bits[b])
				for (uint32_t k = 0; k < 8; k++)
					if (cps->bits[b] >> k & 1)
						hb_set_add(u, b * 8 + k);
		/* hinting is for screens at small sizes; print does without */
		hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
		hb_face_t *sub = hb_subset_or_fail(face, in);
		hb_subset_input_destroy(in);
		if (!sub)
			return lm_diag_set(d, fonts->path[i], 0, 0, "cannot subset the font");
		hb_blob_t *blob = hb_face_reference_blob(sub);
		unsigned len;
		const char *data = hb_blob_get_data(blob, &len);
		struct lm_buf path = LM_BUF_INIT;
		lm_buf_addf(&path, "%s/face%d.ttf", s->dir, i);
		int rc = lm_write_atomic(path.ptr, data, len, d);
		hb_blob_destroy(blob);
		hb_face_destroy(sub);
		s->path[i] = lm_buf_detach(&path, NULL);
		if (rc)
			return -1;
	}
	for (int i = 0; i < LM_FACES; i++)
		fonts->embed[i] = s->path[i];
	return 0;
}
