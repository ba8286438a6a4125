#include "tags.h"
#include "utf8.h"

#include "font.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { KID_MCR, KID_ELEM, KID_OBJR };

struct lm_tag_kid {
	int next;          /* the element's next kid, -1 at the end */
	unsigned char kind;
	int val;           /* MCID, element index or annotation index */
	unsigned pg;       /* page object (MCR, OBJR) */
};

struct lm_tag_elem {
	const char *type;  /* static */
	int parent;        /* -1: a letter's root */
	unsigned pg;       /* the page of its first marked content, 0 none */
	int first_kid, last_kid;
	char *alt, *lang;  /* owned, NULL when absent */
	int attached;      /* has content, or a descendant has */
	unsigned num;      /* object number, while writing */
};

/* Parent tree leaves hold at most this many keys, object streams at most
 * this many objects (the index within one fits a byte). */
#define PT_LEAF 64
#define OBJSTM_MAX 200

void lm_tags_init(struct lm_tags *t, const char *lang)
{
	memset(t, 0, sizeof(*t));
	t->lang = lang && *lang ? lm_xstrdup(lang) : NULL;
}

void lm_tags_release(struct lm_tags *t)
{
	for (size_t i = 0; i < t->nelems; i++) {
		free(t->elems[i].alt);
		free(t->elems[i].lang);
	}
	free(t->lang);
	free(t->elems);
	free(t->kids);
	free(t->roots);
	free(t->pt_first);
	free(t->pt_count);
	free(t->pt_elems);
	lm_buf_release(&t->annots);
	memset(t, 0, sizeof(*t));
}

void lm_tags_begin_letter(struct lm_tags *t, const struct lm_layout *lay)
{
	t->lay = lay;
	t->base = t->nelems;
	LM_ALLOC_GROW(t->elems, t->nelems + lay->nelems, t->elems_alloc);
	for (size_t i = 0; i < lay->nelems; i++) {
		const struct lm_elem *le = &lay->elems[i];
		struct lm_tag_elem *e = &t->elems[t->nelems++];
		memset(e, 0, sizeof(*e));
		e->type = lm_role_name(le);
		if (!e->type)
			e->type = "Span"; /* never used: its boxes are artifacts */
		if (i == 0)
			e->parent = -1;
		else if (le->parent >= 0 && (size_t)le->parent < lay->nelems && (size_t)le->parent != i)
			e->parent = (int)(t->base + (size_t)le->parent);
		else
			e->parent = (int)t->base;
		/* a parent is made before its children; anything else is a
		 * damaged tree, and hangs under the letter's root */
		if (e->parent >= (int)(t->base + i))
			e->parent = i ? (int)t->base : -1;
		e->first_kid = e->last_kid = -1;
		if (le->alt && *le->alt)
			e->alt = lm_xstrdup(le->alt);
		if (le->lang && *le->lang && (!t->lang || strcasecmp(le->lang, t->lang)))
			e->lang = lm_xstrdup(le->lang);
	}
	LM_ALLOC_GROW(t->roots, t->nroots + 1, t->roots_alloc);
	t->roots[t->nroots++] = (int)t->base;
}

void lm_tags_end_letter(struct lm_tags *t)
{
	t->lay = NULL;
}

int lm_tags_is_artifact(const struct lm_tags *t, int elem)
{
	return elem < 0 || !t->lay || (size_t)elem >= t->lay->nelems ||
	       t->lay->elems[elem].role == LM_ROLE_ARTIFACT;
}

const char *lm_tags_type(const struct lm_tags *t, int elem)
{
	if (lm_tags_is_artifact(t, elem))
		return "Artifact";
	return t->elems[t->base + (size_t)elem].type;
}

static void add_kid(struct lm_tags *t, int e, int kind, int val, unsigned pg)
{
	LM_ALLOC_GROW(t->kids, t->nkids + 1, t->kids_alloc);
	int k = (int)t->nkids++;
	t->kids[k] = (struct lm_tag_kid){ .next = -1, .kind = (unsigned char)kind, .val = val, .pg = pg };
	struct lm_tag_elem *el = &t->elems[e];
	if (el->last_kid < 0)
		el->first_kid = k;
	else
		t->kids[el->last_kid].next = k;
	el->last_kid = k;
}

/* Makes e and its ancestors part of the tree, each the next kid of its parent. */
static void attach(struct lm_tags *t, int e)
{
	/* iteratively: find the highest unattached ancestor chain */
	while (!t->elems[e].attached) {
		int a = e;
		while (t->elems[a].parent >= 0 && !t->elems[t->elems[a].parent].attached)
			a = t->elems[a].parent;
		t->elems[a].attached = 1;
		if (t->elems[a].parent >= 0)
			add_kid(t, t->elems[a].parent, KID_ELEM, a, 0);
	}
}

static void new_key(struct lm_tags *t, int first, int count)
{
	LM_ALLOC_GROW(t->pt_first, t->nkeys + 1, t->keys_alloc);
	t->pt_count = lm_xrealloc(t->pt_count, t->keys_alloc * sizeof(*t->pt_count));
	t->pt_first[t->nkeys] = first;
	t->pt_count[t->nkeys] = count;
	t->nkeys++;
}

void lm_tags_begin_page(struct lm_tags *t, unsigned page_obj, const struct lm_box *boxes,
			size_t n, int *mcid)
{
	t->page_obj = page_obj;
	t->page_first = t->npt;
	t->page_mcids = 0;
	/* the last element and id of each drawing pass: 0 graphics, 1 text */
	int last_elem[2] = { -2, -2 }, last_id[2] = { -1, -1 };
	for (size_t i = 0; i < n; i++) {
		int pass = boxes[i].kind == LM_BOX_TEXT;
		int elem = boxes[i].elem;
		if (lm_tags_is_artifact(t, elem)) {
			mcid[i] = -1;
			last_elem[pass] = -2;
			continue;
		}
		if (elem == last_elem[pass]) {
			mcid[i] = last_id[pass];
			continue;
		}
		int g = (int)(t->base + (size_t)elem);
		attach(t, g);
		int id = t->page_mcids++;
		LM_ALLOC_GROW(t->pt_elems, t->npt + 1, t->pt_alloc);
		t->pt_elems[t->npt++] = g;
		if (!t->elems[g].pg)
			t->elems[g].pg = page_obj;
		add_kid(t, g, KID_MCR, id, page_obj);
		mcid[i] = id;
		last_elem[pass] = elem;
		last_id[pass] = id;
	}
}

/* A string as a PDF literal: only ( ) and \ need escaping. */
static void literal(struct lm_buf *b, const char *s)
{
	lm_buf_addc(b, '(');
	for (; *s; s++) {
		if (*s == '(' || *s == ')' || *s == '\\')
			lm_buf_addc(b, '\\');
		lm_buf_addc(b, *s);
	}
	lm_buf_addc(b, ')');
}

void lm_tags_text_string(struct lm_buf *out, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	int ascii = 1;
	for (size_t i = 0; s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7E)
			ascii = 0;
	if (ascii) {
		literal(out, utf8);
		return;
	}
	static const char hx[] = "0123456789ABCDEF";
	lm_buf_adds(out, "<FEFF");
	size_t len = strlen(utf8);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = lm_utf8_decode(utf8 + i, len - i, &cp);
		if (!n)
			n = 1, cp = 0xFFFD;
		unsigned u[2];
		int nu = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = 0xD800 + (cp >> 10);
			u[1] = 0xDC00 + (cp & 0x3FF);
			nu = 2;
		} else {
			u[0] = cp;
		}
		for (int k = 0; k < nu; k++)
			for (int sh = 12; sh >= 0; sh -= 4)
				lm_buf_addc(out, hx[(u[k] >> sh) & 15]);
		i += (size_t)n;
	}
	lm_buf_addc(out, '>');
}

size_t lm_tags_link(struct lm_tags *t, int elem, const int rect[4], unsigned action,
		    const char *contents)
{
	int key = -1;
	if (!lm_tags_is_artifact(t, elem)) {
		int g = (int)(t->base + (size_t)elem);
		attach(t, g);
		key = (int)t->nkeys;
		new_key(t, -1 - g, 0);
		add_kid(t, g, KID_OBJR, (int)t->nannots, t->page_obj);
	}
	struct lm_buf *b = &t->annots;
	/* no border: readers would draw a black box round every link */
	lm_buf_addf(b, "<</Subtype/Link/Rect[%d %d %d %d]/Border[0 0 0]/A %u 0 R", rect[0], rect[1],
		    rect[2], rect[3], action);
	if (key >= 0)
		lm_buf_addf(b, "/StructParent %d", key);
	if (contents && *contents) {
		lm_buf_adds(b, "/Contents");
		lm_tags_text_string(b, contents);
	}
	lm_buf_adds(b, ">>");
	lm_buf_addc(b, '\0');
	return 1 + t->nannots++;
}

int lm_tags_end_page(struct lm_tags *t)
{
	if (!t->page_mcids)
		return -1;
	int key = (int)t->nkeys;
	new_key(t, (int)t->page_first, t->page_mcids);
	return key;
}

/* ---- writing ---- */

/* Numbers by hand: printf costs more than the rest of the tree. */
static void put_uint(struct lm_buf *b, size_t v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	lm_buf_grow(b, (size_t)n);
	while (n)
		b->ptr[b->len++] = tmp[--n];
	b->ptr[b->len] = '\0';
}

static void ref(struct lm_buf *b, unsigned num)
{
	put_uint(b, num);
	lm_buf_add(b, " 0 R", 4);
}

/* The objects are written one after another into `objs`; off[i] is where
 * hidden object i starts. */
struct objs {
	struct lm_buf text;
	size_t *off;
	size_t n, alloc;
};

static struct lm_buf *next_obj(struct objs *o)
{
	LM_ALLOC_GROW(o->off, o->n + 1, o->alloc);
	o->off[o->n++] = o->text.len;
	return &o->text;
}

static void write_elem(struct lm_tags *t, struct objs *o, int e, unsigned parent_num, int part,
		       unsigned first)
{
	struct lm_tag_elem *el = &t->elems[e];
	struct lm_buf *b = next_obj(o);
	lm_buf_adds(b, "<</S/");
	lm_buf_adds(b, part ? "Part" : el->type);
	lm_buf_adds(b, "/P ");
	ref(b, parent_num);
	if (el->pg) {
		lm_buf_adds(b, "/Pg ");
		ref(b, el->pg);
	}
	int nk = 0;
	for (int k = el->first_kid; k >= 0; k = t->kids[k].next)
		nk++;
	lm_buf_adds(b, nk > 1 ? "/K[" : "/K ");
	for (int k = el->first_kid; k >= 0; k = t->kids[k].next) {
		const struct lm_tag_kid *kd = &t->kids[k];
		int plain = kd->kind == KID_ELEM || (kd->kind == KID_MCR && kd->pg == el->pg);
		/* a space only where two numbers would run together */
		if (k != el->first_kid && plain && b->ptr[b->len - 1] != '>' && b->ptr[b->len - 1] != '[')
			lm_buf_addc(b, ' ');
		switch (kd->kind) {
		case KID_MCR:
			if (kd->pg == el->pg) {
				put_uint(b, (size_t)kd->val);
			} else {
				lm_buf_adds(b, "<</Type/MCR/Pg ");
				ref(b, kd->pg);
				lm_buf_adds(b, "/MCID ");
				put_uint(b, (size_t)kd->val);
				lm_buf_adds(b, ">>");
			}
			break;
		case KID_ELEM:
			ref(b, t->elems[kd->val].num);
			break;
		case KID_OBJR:
			lm_buf_addf(b, "<</Type/OBJR/Obj %u 0 R", first + 1 + (unsigned)kd->val);
			if (kd->pg != el->pg)
				lm_buf_addf(b, "/Pg %u 0 R", kd->pg);
			lm_buf_adds(b, ">>");
			break;
		}
	}
	if (nk > 1)
		lm_buf_addc(b, ']');
	if (el->alt) {
		lm_buf_adds(b, "/Alt");
		lm_tags_text_string(b, el->alt);
	}
	if (el->lang) {
		lm_buf_adds(b, "/Lang");
		lm_tags_text_string(b, el->lang);
	}
	lm_buf_adds(b, ">>");
}


static int width_of(size_t v)
{
	int w = 1;
	while (v >> (8 * w))
		w++;
	return w;
}

static void put_be(unsigned char *p, size_t v, int w)
{
	for (int i = w - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xFF);
}

int lm_tags_write(struct lm_tags *t, struct lm_buf *out, size_t prev_xref, unsigned first,
		  unsigned root, unsigned info)
{
	struct objs o = { LM_BUF_INIT, NULL, 0, 0 };
	/* the letters with content; one letter is the Document, several are
	 * Parts of one */
	size_t nroots = 0;
	for (size_t r = 0; r < t->nroots; r++)
		if (t->elems[t->roots[r]].attached)
			t->roots[nroots++] = t->roots[r];
	int multi = nroots > 1;
	size_t nleaves = t->nkeys > PT_LEAF ? (t->nkeys + PT_LEAF - 1) / PT_LEAF : 0;
	unsigned pt_num = first + 1 + (unsigned)t->nannots;
	unsigned doc_num = pt_num + 1 + (unsigned)nleaves; /* the synthetic Document */
	unsigned next = doc_num + (multi ? 1 : 0);
	for (size_t e = 0; e < t->nelems; e++)
		t->elems[e].num = t->elems[e].attached ? next++ : 0;
	unsigned top = multi ? doc_num : nroots ? t->elems[t->roots[0]].num : 0;

	/* 0: the root */
	struct lm_buf *b = next_obj(&o);
	lm_buf_adds(b, "<</Type/StructTreeRoot");
	if (top) {
		lm_buf_adds(b, "/K ");
		ref(b, top);
	}
	lm_buf_adds(b, "/ParentTree ");
	ref(b, pt_num);
	lm_buf_addf(b, "/ParentTreeNextKey %zu>>", t->nkeys);
	/* 1 .. nannots: the link annotations */
	for (size_t i = 0, at = 0; i < t->nannots; i++) {
		const char *a = t->annots.ptr + at;
		size_t n = strlen(a);
		lm_buf_add(next_obj(&o), a, n);
		at += n + 1;
	}
	/* the parent tree: one node, or a root over leaves of PT_LEAF keys */
	for (size_t leaf = 0; leaf < (nleaves ? nleaves + 1 : 1); leaf++) {
		b = next_obj(&o);
		if (nleaves && leaf == 0) {
			lm_buf_adds(b, "<</Kids[");
			for (size_t k = 0; k < nleaves; k++) {
				if (k)
					lm_buf_addc(b, ' ');
				ref(b, pt_num + 1 + (unsigned)k);
			}
			lm_buf_adds(b, "]>>");
			continue;
		}
		size_t k0 = nleaves ? (leaf - 1) * PT_LEAF : 0;
		size_t k1 = nleaves ? k0 + PT_LEAF : t->nkeys;
		if (k1 > t->nkeys)
			k1 = t->nkeys;
		lm_buf_adds(b, "<<");
		if (nleaves)
			lm_buf_addf(b, "/Limits[%zu %zu]", k0, k1 - 1);
		lm_buf_adds(b, "/Nums[");
		for (size_t k = k0; k < k1; k++) {
			if (k > k0)
				lm_buf_addc(b, ' ');
			put_uint(b, k);
			lm_buf_addc(b, ' ');
			if (t->pt_first[k] < 0) {
				ref(b, t->elems[-1 - t->pt_first[k]].num);
				continue;
			}
			lm_buf_addc(b, '[');
			for (int m = 0; m < t->pt_count[k]; m++) {
				if (m)
					lm_buf_addc(b, ' ');
				ref(b, t->elems[t->pt_elems[t->pt_first[k] + m]].num);
			}
			lm_buf_addc(b, ']');
		}
		lm_buf_adds(b, "]>>");
	}
	if (multi) {
		b = next_obj(&o);
		lm_buf_adds(b, "<</S/Document/P ");
		ref(b, first);
		lm_buf_adds(b, "/K[");
		for (size_t r = 0; r < nroots; r++) {
			if (r)
				lm_buf_addc(b, ' ');
			ref(b, t->elems[t->roots[r]].num);
		}
		lm_buf_adds(b, "]>>");
	}
	for (size_t e = 0; e < t->nelems; e++) {
		const struct lm_tag_elem *el = &t->elems[e];
		if (!el->attached)
			continue;
		if (el->parent < 0)
			write_elem(t, &o, (int)e, multi ? doc_num : first, multi, first);
		else
			write_elem(t, &o, (int)e, t->elems[el->parent].num, 0, first);
	}
	size_t nhidden = o.n;

	/* the object streams */
	size_t nstm = (nhidden + OBJSTM_MAX - 1) / OBJSTM_MAX;
	unsigned stm0 = first + (unsigned)nhidden;
	size_t *stm_off = lm_xmalloc((nstm + 1) * sizeof(*stm_off));
	struct lm_buf plain = LM_BUF_INIT, z = LM_BUF_INIT;
	for (size_t s = 0; s < nstm; s++) {
		size_t i0 = s * OBJSTM_MAX, i1 = i0 + OBJSTM_MAX > nhidden ? nhidden : i0 + OBJSTM_MAX;
		lm_buf_reset(&plain);
		for (size_t i = i0; i < i1; i++) {
			if (i > i0)
				lm_buf_addc(&plain, ' ');
			put_uint(&plain, first + i);
			lm_buf_addc(&plain, ' ');
			put_uint(&plain, o.off[i] - o.off[i0]);
		}
		lm_buf_addc(&plain, '\n');
		size_t first_off = plain.len;
		size_t end = i1 < nhidden ? o.off[i1] : o.text.len;
		lm_buf_add(&plain, o.text.ptr + o.off[i0], end - o.off[i0]);
		lm_buf_reset(&z);
		lm_buf_add_deflated(&z, plain.ptr, plain.len);
		stm_off[s] = out->len;
		lm_buf_addf(out, "%u 0 obj\n<</Type/ObjStm/N %zu/First %zu/Filter/FlateDecode/Length %zu>>\nstream\n",
			    stm0 + (unsigned)s, i1 - i0, first_off, z.len);
		lm_buf_add(out, z.ptr, z.len);
		lm_buf_adds(out, "\nendstream\nendobj\n");
	}

	/* the cross-reference stream for the hidden objects: type 2 rows
	 * (stream number, index), PNG "up" predicted so they deflate to little */
	unsigned xnum = stm0 + (unsigned)nstm;
	int w2 = width_of(stm0 + nstm), w3 = width_of(OBJSTM_MAX - 1), cols = 1 + w2 + w3;
	size_t rowlen = (size_t)cols + 1;
	unsigned char *rows = lm_xcalloc(nhidden + 1, rowlen);
	unsigned char *prev = lm_xcalloc((size_t)cols, 1);
	for (size_t i = 0; i < nhidden; i++) {
		unsigned char cur[16];
		cur[0] = 2;
		put_be(cur + 1, stm0 + i / OBJSTM_MAX, w2);
		put_be(cur + 1 + w2, i % OBJSTM_MAX, w3);
		unsigned char *r = rows + i * rowlen;
		r[0] = 2; /* up */
		for (int c = 0; c < cols; c++)
			r[1 + c] = (unsigned char)(cur[c] - prev[c]);
		memcpy(prev, cur, (size_t)cols);
	}
	lm_buf_reset(&z);
	lm_buf_add_deflated(&z, rows, nhidden * rowlen);
	stm_off[nstm] = out->len;
	lm_buf_addf(out, "%u 0 obj\n<</Type/XRef/Size %u/Index[%u %zu]/W[1 %d %d]"
			 "/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns %d>>/Length %zu>>\nstream\n",
		    xnum, xnum + 1, first, nhidden, w2, w3, cols, z.len);
	lm_buf_add(out, z.ptr, z.len);
	lm_buf_adds(out, "\nendstream\nendobj\n");

	/* the update section: a table of the streams, the trailer */
	size_t xref_off = out->len;
	lm_buf_addf(out, "xref\n%u %zu\n", stm0, nstm + 1);
	for (size_t s = 0; s <= nstm; s++)
		lm_buf_addf(out, "%010zu 00000 n\r\n", stm_off[s]);
	lm_buf_addf(out, "trailer\n<<\n/Size %u\n/Root %u 0 R\n", xnum + 1, root);
	if (info)
		lm_buf_addf(out, "/Info %u 0 R\n", info);
	lm_buf_addf(out, "/Prev %zu\n/XRefStm %zu\n>>\nstartxref\n%zu\n%%%%EOF\n", prev_xref,
		    stm_off[nstm], xref_off);

	free(rows);
	free(prev);
	free(stm_off);
	free(o.off);
	lm_buf_release(&o.text);
	lm_buf_release(&plain);
	lm_buf_release(&z);
	return 0;
}

/* ---- XMP ---- */

static void xml_text(struct lm_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			lm_buf_adds(b, "&amp;");
			break;
		case '<':
			lm_buf_adds(b, "&lt;");
			break;
		case '>':
			lm_buf_adds(b, "&gt;");
			break;
		case '"':
			lm_buf_adds(b, "&quot;");
			break;
		default:
			/* control characters are not XML 1.0 */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
				lm_buf_addc(b, ' ');
			else
				lm_buf_addc(b, *s);
		}
	}
}

void lm_tags_xmp(struct lm_buf *out, const char *title, const char *author, const char *subject,
		 const char *lang, const char *producer, const char *creator)
{
	lm_buf_adds(out, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
			 "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
			 "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
			 "<rdf:Description rdf:about=\"\""
			 " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
			 " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\""
			 " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n"
			 "<dc:format>application/pdf</dc:format>\n");
	if (title && *title) {
		lm_buf_adds(out, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
		xml_text(out, title);
		lm_buf_adds(out, "</rdf:li></rdf:Alt></dc:title>\n");
	}
	if (author && *author) {
		lm_buf_adds(out, "<dc:creator><rdf:Seq><rdf:li>");
		xml_text(out, author);
		lm_buf_adds(out, "</rdf:li></rdf:Seq></dc:creator>\n");
	}
	if (subject && *subject) {
		lm_buf_adds(out, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
		xml_text(out, subject);
		lm_buf_adds(out, "</rdf:li></rdf:Alt></dc:description>\n");
	}
	if (lang && *lang) {
		lm_buf_adds(out, "<dc:language><rdf:Bag><rdf:li>");
		xml_text(out, lang);
		lm_buf_adds(out, "</rdf:li></rdf:Bag></dc:language>\n");
	}
	if (producer && *producer) {
		lm_buf_adds(out, "<pdf:Producer>");
		xml_text(out, producer);
		lm_buf_adds(out, "</pdf:Producer>\n");
	}
	if (creator && *creator) {
		lm_buf_adds(out, "<xmp:CreatorTool>");
		xml_text(out, creator);
		lm_buf_adds(out, "</xmp:CreatorTool>\n");
	}
	lm_buf_adds(out, "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
}
