#include "body.h"

#include "buf.h"
#include "fileio.h"
#include "frontmatter.h"
#include "markdown.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void lm_body_init(struct lm_body *b)
{
	memset(b, 0, sizeof(*b));
}

void lm_body_release(struct lm_body *b)
{
	for (size_t i = 0; i < b->nrefs; i++) {
		free(b->refs[i].src);
		free(b->refs[i].file);
	}
	free(b->refs);
	free(b->findings);
	free(b->dir);
	lm_assets_release(&b->shared);
	lm_body_init(b);
}

static void add_finding(void *ctx, const struct lm_diag *d)
{
	struct lm_body *b = ctx;
	LM_ALLOC_GROW(b->findings, b->nfindings + 1, b->findings_alloc);
	b->findings[b->nfindings++] = *d;
	b->errors += d->severity == LM_ERROR;
}

static void add_ref(void *ctx, const char *src, const char *file, int line, int col)
{
	struct lm_body *b = ctx;
	for (size_t i = 0; i < b->nrefs; i++)
		if (!strcmp(b->refs[i].src, src))
			return;
	LM_ALLOC_GROW(b->refs, b->nrefs + 1, b->refs_alloc);
	b->refs[b->nrefs++] = (struct lm_body_ref){ lm_xstrdup(src), lm_xstrdup(file), line, col };
}

struct partial_scan {
	struct lm_body *b;
	struct lm_diag *d;
	int rc;
};

static void scan_partial(void *ctx, const char *path)
{
	struct partial_scan *ps = ctx;
	if (ps->rc)
		return;
	struct lm_buf src = LM_BUF_INIT;
	ps->rc = lm_read_file_as(path, LM_CAP_TEXT, "partial", &src, ps->d);
	if (!ps->rc) {
		/* a byte-order mark is not text (the template skips it too) */
		size_t skip = src.len >= 3 && !memcmp(src.ptr, "\xEF\xBB\xBF", 3) ? 3 : 0;
		lm_markdown_lint(path, src.ptr + skip, src.len - skip, 1, add_finding, add_ref, ps->b);
	}
	lm_buf_release(&src);
}

int lm_body_scan(struct lm_body *b, const struct lm_letter *l, struct lm_diag *d)
{
	const char *slash = strrchr(l->path, '/');
	/* a letter's translations, scanned into the same body, share its folder */
	if (!b->dir)
		b->dir = slash ? lm_xstrndup(l->path, (size_t)(slash - l->path)) : lm_xstrdup(".");
	struct lm_frontmatter_split fs;
	if (lm_frontmatter_split(l->path, l->src, strlen(l->src), &fs, d))
		return -1;
	lm_markdown_lint(l->path, fs.body, fs.body_len, fs.body_line, add_finding, add_ref, b);
	struct partial_scan ps = { b, d, 0 };
	lm_template_partials(l->body, scan_partial, &ps);
	return ps.rc;
}

void lm_body_images_init(struct lm_body_images *bi)
{
	memset(bi, 0, sizeof(*bi));
}

void lm_body_images_release(struct lm_body_images *bi)
{
	for (size_t i = 0; i < bi->n; i++)
		free(bi->v[i].src);
	free(bi->v);
	free(bi->all); /* copies: their pixels belong to the assets */
	lm_body_images_init(bi);
}

/* The index of the image at `path` in `a`, loaded and checked if it is not
 * there yet; -1 with d filled. */
static int load_into(struct lm_assets *a, const char *path, const struct lm_body_ref *r,
		     struct lm_diag *d)
{
	for (size_t k = 0; k < a->n; k++)
		if (!strcmp(a->images[k].path, path))
			return (int)k;
	struct lm_image img;
	if (lm_image_load(&img, path, r->file, r->line, r->col, d))
		return -1;
	LM_ALLOC_GROW(a->images, a->n + 1, a->alloc);
	a->images[a->n] = img;
	return (int)a->n++;
}

int lm_body_images_load(struct lm_body_images *bi, struct lm_body *b, const char *area_dir,
			struct lm_assets *a, struct lm_diag *d)
{
	int rc = 0;
	size_t area_n = 0;
	int *shared = lm_xcalloc(b->nrefs + 1, sizeof(int)); /* 1: an index into b->shared */
	for (size_t i = 0; i < b->nrefs && !rc; i++) {
		const struct lm_body_ref *r = &b->refs[i];
		struct lm_buf in_area = LM_BUF_INIT, beside = LM_BUF_INIT;
		int idx = -1;
		if (r->src[0] == '/') {
			idx = load_into(&b->shared, r->src, r, d);
			shared[i] = 1;
		} else {
			lm_buf_addf(&in_area, "%s/%s", area_dir, r->src);
			lm_buf_addf(&beside, "%s/%s", b->dir, r->src);
			if (!access(in_area.ptr, F_OK)) {
				idx = load_into(a, in_area.ptr, r, d);
			} else if (!access(beside.ptr, F_OK)) {
				idx = load_into(&b->shared, beside.ptr, r, d);
				shared[i] = 1;
			} else {
				lm_diag_set(d, r->file, r->line, r->col,
					    "image '%s' not found: there is no %s nor %s; put the file in the area's folder (for that area's own picture) or beside the letter (for every area)",
					    r->src, in_area.ptr, beside.ptr);
			}
		}
		lm_buf_release(&in_area);
		lm_buf_release(&beside);
		if (idx < 0) {
			rc = -1;
			break;
		}
		LM_ALLOC_GROW(bi->v, bi->n + 1, bi->alloc);
		bi->v[bi->n++] = (struct lm_body_image){ lm_xstrdup(r->src), idx };
	}
	if (!rc) {
		/* the area's images, then the run's shared ones, as they are now:
		 * later areas may add shared images, never move these */
		area_n = a->n;
		bi->nall = a->n + b->shared.n;
		bi->all = lm_xmalloc((bi->nall ? bi->nall : 1) * sizeof(*bi->all));
		if (a->n)
			memcpy(bi->all, a->images, a->n * sizeof(*bi->all));
		if (b->shared.n)
			memcpy(bi->all + a->n, b->shared.images, b->shared.n * sizeof(*bi->all));
		for (size_t i = 0; i < bi->n; i++)
			if (shared[i])
				bi->v[i].image += (int)area_n;
	}
	free(shared);
	return rc;
}

int lm_body_image_lookup(void *ctx, const char *src, unsigned *w, unsigned *h)
{
	const struct lm_body_images *bi = ctx;
	for (size_t i = 0; i < bi->n; i++) {
		if (strcmp(bi->v[i].src, src))
			continue;
		const struct lm_image *im = &bi->all[bi->v[i].image];
		*w = im->width;
		*h = im->height;
		return bi->v[i].image;
	}
	return -1;
}
