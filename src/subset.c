#include "subset.h"
#include "utf8.h"

#include "buf.h"

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void lm_cpset_add_set(struct lm_cpset *s, const struct lm_cpset *from)
{
	for (size_t i = 0; i < CP_LIMIT / 8; i++)
		s->bits[i] |= from->bits[i];
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

void lm_cpset_add_base(struct lm_cpset *s)
{
	for (uint32_t c = 0x20; c < 0x7F; c++)
		lm_cpset_add(s, c);
	static const char extra[] = "\xC2\xA0•–◦—‘’“”…·£€©\xEF\xBF\xBD";
	lm_cpset_add_utf8(s, extra, sizeof(extra) - 1);
}

void lm_embed_init(struct lm_embed *e)
{
	memset(e, 0, sizeof(*e));
	for (int k = 0; k < LM_EMBED_STREAMS; k++) {
		lm_buf_init(&e->streams[k].ops);
		lm_buf_init(&e->streams[k].z);
	}
}

void lm_embed_release(struct lm_embed *e)
{
	for (int i = 0; i < LM_FONTS_MAX; i++) {
		struct lm_embed_face *f = &e->face[i];
		free(f->font);
		free(f->unicode);
		free(f->widths);
		free(f->gid);
		free(f->newgid);
		for (size_t k = 0; k < f->nmade; k++) {
			lm_buf_release(&f->made[k].file);
			lm_buf_release(&f->made[k].tounicode);
		}
		free(f->made);
	}
	for (int k = 0; k < LM_EMBED_STREAMS; k++) {
		lm_buf_release(&e->streams[k].ops);
		lm_buf_release(&e->streams[k].z);
	}
	lm_cpset_release(&e->cps);
	lm_embed_init(e);
}

static uint32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static int16_t be16(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (int16_t)(u[0] << 8 | u[1]);
}

/* A six-letter subset tag (PDF 32000 9.6.4) from the face and the set, so
 * different subsets never share a name and the same inputs the same tag. */
static void subset_tag(const struct lm_cpset *cps, int face, char tag[7])
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)face;
	for (uint32_t i = 0; i < CP_LIMIT / 8; i++)
		if (cps->bits[i])
			h = (h ^ i ^ ((uint64_t)cps->bits[i] << 32)) * 1099511628211ull;
	for (int i = 0; i < 6; i++, h /= 26)
		tag[i] = (char)('A' + h % 26);
	tag[6] = '\0';
}

/* v in upper-case hex, at least `width` digits (printf's %0*X, by hand:
 * a ToUnicode map is some hundreds of these a file). */
static void add_hex(struct lm_buf *b, uint32_t v, int width)
{
	char tmp[8];
	int n = 0;
	do {
		tmp[n++] = "0123456789ABCDEF"[v & 15];
		v >>= 4;
	} while (v || n < width);
	lm_buf_grow(b, (size_t)n);
	while (n)
		b->ptr[b->len++] = tmp[--n];
	b->ptr[b->len] = '\0';
}

static void add_utf16(struct lm_buf *b, uint32_t cp)
{
	if (cp < 0x10000) {
		add_hex(b, cp, 4);
	} else {
		cp -= 0x10000;
		add_hex(b, 0xD800 + (cp >> 10), 4);
		add_hex(b, 0xDC00 + (cp & 0x3FF), 4);
	}
}

static int prepare_face(struct lm_embed_face *ef, hb_face_t *face, const struct lm_cpset *cps,
			int index, const char *path, struct lm_diag *d)
{
	int rc = -1;
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	if (!in)
		return lm_diag_set(d, path, 0, 0, "cannot subset the font (out of memory?)");
	hb_set_t *u = hb_subset_input_unicode_set(in);
	for (uint32_t b = 0; b < CP_LIMIT / 8; b++)
		if (cps->bits[b])
			for (uint32_t k = 0; k < 8; k++)
				if (cps->bits[b] >> k & 1)
					hb_set_add(u, b * 8 + k);
	/* hinting is for screens at small sizes; print does without */
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	/* positioning, names and the like are dead weight in every file;
	 * GSUB stays in the subset so that it holds every glyph shaping can
	 * give (ligatures, joining forms), and lm_embed_prune leaves it out
	 * of the file: a PDF reader draws the glyph ids we chose */
	static const char *const drop[] = { "GPOS", "GDEF", "kern", "name", "DSIG", "gasp", "hdmx",
					   "VDMX", "LTSH", "JSTF", "meta", "BASE", "MATH" };
	hb_set_t *tables = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	for (size_t k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
		hb_set_add(tables, hb_tag_from_string(drop[k], 4));
	hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(face, in);
	hb_subset_input_destroy(in);
	hb_face_t *sub = plan ? hb_subset_plan_execute_or_fail(plan) : NULL;
	if (!sub) {
		if (plan)
			hb_subset_plan_destroy(plan);
		return lm_diag_set(d, path, 0, 0, "cannot subset the font");
	}
	/* shaping gives the installed file's glyph ids; the PDF the subset's */
	ef->norig = hb_face_get_glyph_count(face);
	ef->newgid = lm_xcalloc(ef->norig ? ef->norig : 1, sizeof(uint16_t));
	const hb_map_t *o2n = hb_subset_plan_old_to_new_glyph_mapping(plan);
	for (unsigned g = 0; g < ef->norig; g++) {
		hb_codepoint_t ng = hb_map_get(o2n, g);
		if (ng != HB_MAP_VALUE_INVALID && ng < 65536)
			ef->newgid[g] = (uint16_t)ng;
	}
	hb_subset_plan_destroy(plan);
	hb_font_t *font = hb_font_create(sub);
	hb_blob_t *blob = hb_face_reference_blob(sub);
	hb_blob_t *head = hb_face_reference_table(sub, HB_TAG('h', 'e', 'a', 'd'));
	hb_blob_t *post = hb_face_reference_table(sub, HB_TAG('p', 'o', 's', 't'));
	hb_set_t *unicodes = hb_set_create();
	unsigned len, hlen, plen;
	const char *data = hb_blob_get_data(blob, &len);
	const char *hd = hb_blob_get_data(head, &hlen);
	const char *pd = hb_blob_get_data(post, &plen);
	unsigned upem = hb_face_get_upem(sub);
	if (!len || hlen < 54 || !upem) {
		lm_diag_set(d, path, 0, 0, "the font subset is missing its tables");
		goto out;
	}
	hb_font_set_scale(font, (int)upem, (int)upem);
#define EM(v) ((int)((long)(v) * 1000 / (long)upem))
	ef->font_len = len;
	ef->font = lm_xmalloc(len);
	memcpy(ef->font, data, len);
	ef->nglyphs = hb_face_get_glyph_count(sub);
	ef->widths = lm_xcalloc(ef->nglyphs ? ef->nglyphs : 1, sizeof(int));
	for (unsigned g = 0; g < ef->nglyphs; g++)
		ef->widths[g] = EM(hb_font_get_glyph_h_advance(font, g));
	ef->gid = lm_xcalloc(65536, sizeof(uint16_t));
	hb_face_collect_unicodes(sub, unicodes);
	ef->unicode = lm_xcalloc(ef->nglyphs ? ef->nglyphs : 1, sizeof(uint32_t));
	hb_codepoint_t cp = HB_SET_VALUE_INVALID;
	while (hb_set_next(unicodes, &cp)) {
		hb_codepoint_t g;
		if (!hb_font_get_nominal_glyph(font, cp, &g) || !g || g >= ef->nglyphs)
			continue;
		if (cp < 65536)
			ef->gid[cp] = (uint16_t)g;
		/* the first (lowest) character of a glyph is the one read back */
		if (!ef->unicode[g])
			ef->unicode[g] = cp;
	}
	/* the font descriptor's numbers */
	char name[64] = "Font";
	unsigned nlen = sizeof(name);
	hb_ot_name_get_utf8(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &nlen, name);
	char tag[7];
	subset_tag(cps, index, tag);
	snprintf(ef->base_font, sizeof(ef->base_font), "%s+%s", tag, name);
	hb_position_t asc = 0, desc = 0, cap = 0;
	hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &asc);
	hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &desc);
	if (!hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap))
		cap = asc;
	ef->ascent = EM(asc);
	ef->descent = EM(desc);
	ef->cap_height = EM(cap);
	for (int k = 0; k < 4; k++)
		ef->bbox[k] = EM(be16(hd + 36 + 2 * k));
	ef->italic_angle = plen >= 8 ? (int)((int32_t)be32(pd + 4) / 65536) : 0;
	/* nonsymbolic, and italic when the face slants */
	ef->flags = 32 | (ef->italic_angle ? 64 : 0);
#undef EM
	ef->ready = 1;
	rc = 0;
out:
	hb_set_destroy(unicodes);
	hb_blob_destroy(post);
	hb_blob_destroy(head);
	hb_blob_destroy(blob);
	hb_font_destroy(font);
	hb_face_destroy(sub);
	return rc;
}

int lm_embed_prepare(struct lm_embed *e, struct lm_fonts *fonts, const struct lm_cpset *cps,
		     struct lm_diag *d)
{
	lm_cpset_init(&e->cps);
	memcpy(e->cps.bits, cps->bits, CP_LIMIT / 8);
	lm_cpset_add_base(&e->cps);
	e->fonts = fonts;
	for (int i = 0; i < LM_FACES; i++)
		if (prepare_face(&e->face[i], hb_font_get_face(fonts->face[i]), &e->cps, i,
				 fonts->path[i], d))
			return -1;
	e->ready = 1;
	return 0;
}

struct lm_embed_face *lm_embed_face(struct lm_embed *e, int font, struct lm_diag *d)
{
	if (font < 0 || font >= LM_FONTS_MAX)
		return lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, "no font number %d", font), NULL;
	struct lm_embed_face *ef = &e->face[font];
	if (ef->ready)
		return ef;
	hb_font_t *hf = e->fonts ? lm_fonts_get(e->fonts, font) : NULL;
	if (!hf) {
		lm_diag_set(d, NULL, 0, 0, "the font %s is not installed (Debian package fonts-noto-core)",
			    lm_fonts_name(font));
		return NULL;
	}
	if (prepare_face(ef, hb_font_get_face(hf), &e->cps, font, e->fonts->path[font], d))
		return NULL;
	return ef;
}

/* ---- pruning a font file to the glyphs one document uses ---- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static uint32_t table_sum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		for (size_t k = 0; k < 4; k++)
			v = v << 8 | (i + k < len ? p[i + k] : 0);
		sum += v;
	}
	return sum;
}

struct table {
	uint32_t tag;
	const unsigned char *data;
	size_t len;
};

int lm_embed_prune(const struct lm_embed_face *f, const unsigned char *used, struct lm_buf *out)
{
	const unsigned char *font = f->font;
	size_t flen = f->font_len;
	if (flen < 12)
		return -1;
	unsigned ntables = (unsigned)(font[4] << 8 | font[5]);
	if (12 + 16 * (size_t)ntables > flen || ntables > 64)
		return -1;
	struct table t[64];
	const unsigned char *glyf = NULL, *loca = NULL, *head = NULL;
	size_t glyf_len = 0, loca_len = 0;
	unsigned kept = 0;
	for (unsigned i = 0; i < ntables; i++) {
		const unsigned char *r = font + 12 + 16 * i;
		uint32_t off = be32((const char *)r + 8), len = be32((const char *)r + 12);
		if ((size_t)off + len > flen)
			return -1;
		uint32_t tag = be32((const char *)r);
		/* shaping is done: a reader needs no layout tables */
		if (tag == HB_TAG('G', 'S', 'U', 'B') || tag == HB_TAG('G', 'P', 'O', 'S') ||
		    tag == HB_TAG('G', 'D', 'E', 'F'))
			continue;
		t[kept].tag = tag;
		t[kept].data = font + off;
		t[kept].len = len;
		if (t[kept].tag == HB_TAG('g', 'l', 'y', 'f'))
			glyf = t[kept].data, glyf_len = len;
		else if (t[kept].tag == HB_TAG('l', 'o', 'c', 'a'))
			loca = t[kept].data, loca_len = len;
		else if (t[kept].tag == HB_TAG('h', 'e', 'a', 'd'))
			head = t[kept].data;
		kept++;
	}
	ntables = kept;
	unsigned n = f->nglyphs;
	if (!glyf || !loca || !head)
		return -1;
	int long_loca = be16((const char *)head + 50) == 1;
	if (loca_len < (size_t)(n + 1) * (long_loca ? 4 : 2))
		return -1;
#define LOCA(g) (long_loca ? be32((const char *)loca + 4 * (g)) \
			   : 2u * (uint16_t)be16((const char *)loca + 2 * (g)))
	/* the glyphs to keep: those used, .notdef, and components of composites */
	unsigned char *keep = lm_xcalloc(n ? n : 1, 1);
	for (unsigned g = 0; g < n; g++)
		keep[g] = g == 0 || used[g];
	for (int changed = 1; changed;) {
		changed = 0;
		for (unsigned g = 0; g < n; g++) {
			uint32_t a = LOCA(g), b = LOCA(g + 1);
			if (!keep[g] || b <= a + 10 || b > glyf_len || be16((const char *)glyf + a) >= 0)
				continue;
			size_t p = a + 10;
			for (;;) {
				if (p + 4 > b)
					break;
				unsigned flags = (uint16_t)be16((const char *)glyf + p);
				unsigned comp = (uint16_t)be16((const char *)glyf + p + 2);
				if (comp < n && !keep[comp])
					keep[comp] = 1, changed = 1;
				p += 4 + ((flags & 1) ? 4 : 2);
				if (flags & 0x08)
					p += 2;
				else if (flags & 0x40)
					p += 4;
				else if (flags & 0x80)
					p += 8;
				if (!(flags & 0x20))
					break;
			}
		}
	}
	/* new glyf and (long) loca */
	struct lm_buf ng = LM_BUF_INIT, nl = LM_BUF_INIT;
	unsigned char w[4];
	for (unsigned g = 0; g < n; g++) {
		put32(w, (uint32_t)ng.len);
		lm_buf_add(&nl, w, 4);
		uint32_t a = LOCA(g), b = LOCA(g + 1);
		if (keep[g] && b > a && b <= glyf_len) {
			lm_buf_add(&ng, glyf + a, b - a);
			while (ng.len % 4)
				lm_buf_addc(&ng, 0);
		}
	}
	put32(w, (uint32_t)ng.len);
	lm_buf_add(&nl, w, 4);
#undef LOCA
	free(keep);
	unsigned char newhead[64];
	size_t head_len = 0;
	for (unsigned i = 0; i < ntables; i++) {
		if (t[i].tag == HB_TAG('g', 'l', 'y', 'f'))
			t[i].data = (const unsigned char *)ng.ptr, t[i].len = ng.len;
		else if (t[i].tag == HB_TAG('l', 'o', 'c', 'a'))
			t[i].data = (const unsigned char *)nl.ptr, t[i].len = nl.len;
		else if (t[i].tag == HB_TAG('h', 'e', 'a', 'd') && t[i].len <= sizeof(newhead)) {
			head_len = t[i].len;
			memcpy(newhead, t[i].data, head_len);
			newhead[50] = 0, newhead[51] = 1; /* long loca */
			memset(newhead + 8, 0, 4);       /* checkSumAdjustment, unused by readers */
			t[i].data = newhead;
		}
	}
	(void)head_len;
	/* offset table and directory, then the tables, each 4-byte aligned */
	size_t start = out->len;
	unsigned char hdr[12];
	memcpy(hdr, font, 4);
	unsigned es = 0;
	while ((2u << es) <= ntables)
		es++;
	unsigned range = 16u << es;
	hdr[4] = (unsigned char)(ntables >> 8), hdr[5] = (unsigned char)ntables;
	hdr[6] = (unsigned char)(range >> 8), hdr[7] = (unsigned char)range;
	hdr[8] = 0, hdr[9] = (unsigned char)es;
	hdr[10] = (unsigned char)((ntables * 16 - range) >> 8), hdr[11] = (unsigned char)(ntables * 16 - range);
	lm_buf_add(out, hdr, 12);
	size_t off = 12 + 16 * (size_t)ntables;
	for (unsigned i = 0; i < ntables; i++) {
		unsigned char rec[16];
		put32(rec, t[i].tag);
		put32(rec + 4, table_sum(t[i].data, t[i].len));
		put32(rec + 8, (uint32_t)off);
		put32(rec + 12, (uint32_t)t[i].len);
		lm_buf_add(out, rec, 16);
		off += (t[i].len + 3) & ~(size_t)3;
	}
	for (unsigned i = 0; i < ntables; i++) {
		lm_buf_add(out, t[i].data, t[i].len);
		while ((out->len - start) % 4)
			lm_buf_addc(out, 0);
	}
	lm_buf_release(&ng);
	lm_buf_release(&nl);
	return 0;
}

/* A block of `n` entries (in `entries`, emptied), not through printf's %s. */
static void bfchar(struct lm_buf *out, size_t n, struct lm_buf *entries)
{
	char num[24];
	int k = snprintf(num, sizeof(num), "%zu", n);
	lm_buf_add(out, num, (size_t)k);
	lm_buf_adds(out, " beginbfchar\n");
	lm_buf_add(out, entries->ptr, entries->len);
	lm_buf_adds(out, "endbfchar\n");
	lm_buf_reset(entries);
}

void lm_embed_tounicode(const struct lm_embed_face *f, const unsigned char *used,
			char *const *shaped, struct lm_buf *out)
{
	struct lm_buf entries = LM_BUF_INIT;
	size_t n = 0;
	int one = lm_embed_one_byte(f);
	lm_buf_addf(out, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
			 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
			 "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
			 "1 begincodespacerange\n%s\nendcodespacerange\n",
		    one ? "<00> <FF>" : "<0000> <FFFF>");
	for (unsigned g = 1; g < f->nglyphs; g++) {
		const char *s = shaped && !f->unicode[g] ? shaped[g] : NULL;
		if (!used[g])
			continue;
		lm_buf_addc(&entries, '<');
		add_hex(&entries, g, one ? 2 : 4);
		lm_buf_add(&entries, "> <", 3);
		if (!f->unicode[g] && (!s || !*s)) {
			/* one glyph of several in a cluster (a conjunct, a mark
			 * set apart): its text is the cluster's /ActualText, but
			 * PDF/UA wants every code mapped, so to a word joiner,
			 * which reads as nothing */
			add_utf16(&entries, 0x2060);
		} else if (s) {
			for (size_t i = 0, len = strlen(s); i < len;) {
				uint32_t cp;
				int k = lm_utf8_decode(s + i, len - i, &cp);
				if (!k)
					k = 1, cp = 0xFFFD;
				add_utf16(&entries, cp);
				i += (size_t)k;
			}
		} else {
			add_utf16(&entries, f->unicode[g]);
		}
		lm_buf_adds(&entries, ">\n");
		/* a CMap block holds at most 100 entries */
		if (++n == 100) {
			bfchar(out, n, &entries);
			n = 0;
		}
	}
	if (n)
		bfchar(out, n, &entries);
	lm_buf_adds(out, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	lm_buf_release(&entries);
}

int lm_embed_one_byte(const struct lm_embed_face *f)
{
	return f->nglyphs <= 256;
}
