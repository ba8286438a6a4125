#include "tags.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { KID_MCR, KID_ELEM, KID_OBJR };

struct lm_tag_kid {
	int next;          /* the element's next kid, -1 at the end */
	unsigned char kind;
	unsigned val;      /* MCID, element index or annotation object */
	unsigned pg;       /* page object (MCR, OBJR) */
};

struct lm_tag_elem {
	const char *type;  /* static */
	int parent;        /* -1: the letter's root */
	unsigned pg;       /* the page of its first marked content, 0 none */
	int first_kid, last_kid, nkids;
	const char *alt, *lang; /* the layout's, NULL when absent */
	int attached;      /* has content, or a descendant has */
	int scope;         /* a table header cell: its /Scope */
	unsigned num;      /* object number, once the letter ends */
};

/* A written node of the parent tree and the keys under it. */
struct lm_tag_node {
	unsigned num;
	size_t lo, hi;
};

/* Keys in a leaf of the parent tree, kids in one of its nodes. */
#define PT_LEAF 64
#define PT_FAN 64

void lm_tags_init(struct lm_tags *t, struct lm_pdfw *w, const char *lang)
{
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->lang = lang && *lang ? lm_xstrdup(lang) : NULL;
	t->root_num = lm_pdfw_reserve(w);
	lm_buf_init(&t->first_kids);
	lm_buf_init(&t->first_rest);
	lm_buf_init(&t->leaf);
}

void lm_tags_release(struct lm_tags *t)
{
	free(t->lang);
	free(t->elems);
	free(t->kids);
	free(t->pt_first);
	free(t->pt_count);
	free(t->pt_elems);
	free(t->parts);
	free(t->extra);
	free(t->nodes);
	lm_buf_release(&t->first_kids);
	lm_buf_release(&t->first_rest);
	lm_buf_release(&t->leaf);
	memset(t, 0, sizeof(*t));
}

void lm_tags_begin_letter(struct lm_tags *t, const struct lm_layout *lay)
{
	t->lay = lay;
	t->nelems = t->nkids = t->nkeys = t->npt = 0;
	t->key0 = t->next_key;
	LM_ALLOC_GROW(t->elems, lay->nelems ? lay->nelems : 1, t->elems_alloc);
	for (size_t i = 0; i < lay->nelems; i++) {
		const struct lm_elem *le = &lay->elems[i];
		struct lm_tag_elem *e = &t->elems[t->nelems++];
		memset(e, 0, sizeof(*e));
		e->type = lm_role_name(le);
		if (!e->type)
			e->type = "Span"; /* never used: its boxes are artifacts */
		if (i == 0)
			e->parent = -1;
		else if (le->parent >= 0 && (size_t)le->parent < i)
			e->parent = le->parent;
		else
			/* a parent is made before its children; anything else is
			 * a damaged tree, and hangs under the letter's root */
			e->parent = 0;
		e->first_kid = e->last_kid = -1;
		e->scope = le->role == LM_ROLE_TABLE_HEADER;
		if (le->alt && *le->alt)
			e->alt = le->alt;
		if (le->lang && *le->lang && (!t->lang || strcasecmp(le->lang, t->lang)))
			e->lang = le->lang;
	}
}

const char *lm_tags_type(const struct lm_tags *t, int elem)
{
	if (lm_tags_is_artifact(t, elem))
		return "Artifact";
	return t->elems[elem].type;
}

static void add_kid(struct lm_tags *t, int e, int kind, unsigned val, unsigned pg)
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
	el->nkids++;
}

/* Makes e and its ancestors part of the tree, each the next kid of its parent. */
static void attach(struct lm_tags *t, int e)
{
	while (!t->elems[e].attached) {
		int a = e;
		while (t->elems[a].parent >= 0 && !t->elems[t->elems[a].parent].attached)
			a = t->elems[a].parent;
		t->elems[a].attached = 1;
		if (t->elems[a].parent >= 0)
			add_kid(t, t->elems[a].parent, KID_ELEM, (unsigned)a, 0);
	}
}

static size_t new_key(struct lm_tags *t, int first, int count)
{
	LM_ALLOC_GROW(t->pt_first, t->nkeys + 1, t->keys_alloc);
	t->pt_count = lm_xrealloc(t->pt_count, t->keys_alloc * sizeof(*t->pt_count));
	t->pt_first[t->nkeys] = first;
	t->pt_count[t->nkeys] = count;
	return t->key0 + t->nkeys++;
}

void lm_tags_begin_page(struct lm_tags *t, unsigned page_obj, const struct lm_box *boxes,
			size_t n, const unsigned char *group, int *mcid)
{
	t->page_obj = page_obj;
	t->page_first = t->npt;
	t->page_mcids = 0;
	/* Ids first, group by group (group 0's are then the same in every
	 * letter whose streams share them).  A run goes on while the boxes of
	 * one element follow each other in a drawing pass (0 graphics, 1
	 * text); another box of that pass ends it, and so does any box of the
	 * other group (the streams of a group may be several, cut where the
	 * other group's boxes come between), so that a sequence never spans
	 * two streams and an element broken by a link keeps its parts apart,
	 * in reading order. */
	int ngroups = group ? 2 : 1;
	for (int g = 0; g < ngroups; g++) {
		int last_elem[2] = { -2, -2 }, last_id[2] = { -1, -1 };
		for (size_t i = 0; i < n; i++) {
			int pass = boxes[i].kind == LM_BOX_TEXT;
			int elem = boxes[i].elem;
			if (group && group[i] != g) {
				last_elem[0] = last_elem[1] = -2;
				continue;
			}
			if (lm_tags_is_artifact(t, elem)) {
				mcid[i] = -1;
				last_elem[pass] = -2;
				continue;
			}
			if (elem == last_elem[pass]) {
				mcid[i] = last_id[pass];
				continue;
			}
			mcid[i] = t->page_mcids++;
			last_elem[pass] = elem;
			last_id[pass] = mcid[i];
		}
	}
	/* then each id's element, in reading order: elements join the tree
	 * and take their marked content as the reader meets them */
	LM_ALLOC_GROW(t->pt_elems, t->npt + (size_t)t->page_mcids, t->pt_alloc);
	int *by_id = t->pt_elems + t->page_first;
	for (int k = 0; k < t->page_mcids; k++)
		by_id[k] = -1;
	t->npt += (size_t)t->page_mcids;
	for (size_t i = 0; i < n; i++) {
		int id = mcid[i], elem = boxes[i].elem;
		if (id < 0 || by_id[id] >= 0)
			continue;
		attach(t, elem);
		by_id[id] = elem;
		if (!t->elems[elem].pg)
			t->elems[elem].pg = page_obj;
		add_kid(t, elem, KID_MCR, (unsigned)id, page_obj);
	}
}

int lm_tags_link(struct lm_tags *t, int elem, unsigned annot)
{
	if (lm_tags_is_artifact(t, elem))
		return -1;
	attach(t, elem);
	add_kid(t, elem, KID_OBJR, annot, t->page_obj);
	return (int)new_key(t, -1 - elem, 0);
}

int lm_tags_end_page(struct lm_tags *t)
{
	if (!t->page_mcids)
		return -1;
	return (int)new_key(t, (int)t->page_first, t->page_mcids);
}

/* ---- writing ---- */

/* The parent tree, a leaf at a time: a full leaf is written when the next
 * key comes, so that a tree of one leaf can be the root itself. */
static void write_leaf(struct lm_tags *t, int root)
{
	struct lm_buf b = LM_BUF_INIT;
	unsigned num = lm_pdfw_reserve(t->w);
	if (root) {
		t->root_pt = num;
	} else {
		lm_buf_addf(&b, "<</Limits[%zu %zu]", t->leaf_lo, t->leaf_lo + t->leaf_n - 1);
		LM_ALLOC_GROW(t->nodes, t->nnodes + 1, t->nodes_alloc);
		t->nodes[t->nnodes++] = (struct lm_tag_node){ num, t->leaf_lo, t->leaf_lo + t->leaf_n - 1 };
	}
	if (root)
		lm_buf_adds(&b, "<<");
	lm_buf_adds(&b, "/Nums[");
	lm_buf_add(&b, t->leaf.ptr, t->leaf.len);
	lm_buf_adds(&b, "]>>");
	lm_pdfw_obj(t->w, num, b.ptr, b.len);
	lm_buf_release(&b);
	lm_buf_reset(&t->leaf);
	t->leaf_n = 0;
}

/* Key `key` (the next) maps to `value` (a reference or an array). */
static void pt_add(struct lm_tags *t, size_t key, const char *value, size_t len)
{
	if (t->leaf_n == PT_LEAF)
		write_leaf(t, 0);
	if (!t->leaf_n)
		t->leaf_lo = key;
	else
		lm_buf_addc(&t->leaf, ' ');
	lm_pdfw_uint(&t->leaf, key);
	lm_buf_addc(&t->leaf, ' ');
	lm_buf_add(&t->leaf, value, len);
	t->leaf_n++;
	t->next_key = key + 1;
}

/* Element e's kids, space-separated where two numbers would run together;
 * returns how many.  Written in place, room made once for them all. */
#define KID_ROOM 56 /* "<</Type/OBJR/Obj N 0 R/Pg N 0 R>>" and a space at most */
static int kids_text(const struct lm_tags *t, const struct lm_tag_elem *el, struct lm_buf *b)
{
	lm_buf_grow(b, (size_t)el->nkids * KID_ROOM);
	char *p = b->ptr + b->len;
	int nk = 0;
	for (int k = el->first_kid; k >= 0; k = t->kids[k].next) {
		const struct lm_tag_kid *kd = &t->kids[k];
		int plain = kd->kind == KID_ELEM || (kd->kind == KID_MCR && kd->pg == el->pg);
		if (nk++ && plain && p[-1] != '>')
			*p++ = ' ';
		switch (kd->kind) {
		case KID_MCR:
			if (kd->pg == el->pg) {
				p = lm_pdfw_put_uint(p, kd->val);
			} else {
				memcpy(p, "<</Type/MCR/Pg ", 15);
				p = lm_pdfw_put_ref(p + 15, kd->pg);
				memcpy(p, "/MCID ", 6);
				p = lm_pdfw_put_uint(p + 6, kd->val);
				memcpy(p, ">>", 2);
				p += 2;
			}
			break;
		case KID_ELEM:
			p = lm_pdfw_put_ref(p, t->elems[kd->val].num);
			break;
		case KID_OBJR:
			memcpy(p, "<</Type/OBJR/Obj ", 17);
			p = lm_pdfw_put_ref(p + 17, kd->val);
			if (kd->pg != el->pg) {
				memcpy(p, "/Pg ", 4);
				p = lm_pdfw_put_ref(p + 4, kd->pg);
			}
			memcpy(p, ">>", 2);
			p += 2;
			break;
		}
	}
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
	return nk;
}

/* An element's entries after /K. */
static void rest_text(const struct lm_tag_elem *el, struct lm_buf *b)
{
	if (el->scope) /* a header cell heads its column (PDF/UA-1 7.5) */
		lm_buf_adds(b, "/A<</O/Table/Scope/Column>>");
	if (el->alt) {
		lm_buf_adds(b, "/Alt");
		lm_pdfw_text(b, el->alt);
	}
	if (el->lang) {
		lm_buf_adds(b, "/Lang");
		lm_pdfw_text(b, el->lang);
	}
}

/* "<</S/type/P parent 0 R/Pg pg 0 R": made in place, as a print file
 * writes some ninety of these a letter */
static void elem_head(struct lm_buf *b, const char *type, unsigned parent, unsigned pg)
{
	size_t tl = strlen(type);
	lm_buf_grow(b, tl + 40);
	char *p = b->ptr + b->len;
	memcpy(p, "<</S/", 5);
	memcpy(p + 5, type, tl);
	p += 5 + tl;
	memcpy(p, "/P ", 3);
	p = lm_pdfw_put_ref(p + 3, parent);
	if (pg) {
		memcpy(p, "/Pg ", 4);
		p = lm_pdfw_put_ref(p + 4, pg);
	}
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
}

/* An element's /K (kids_text's) in place, when it has kids. */
static void kids_in_place(const struct lm_tags *t, const struct lm_tag_elem *el, struct lm_buf *b)
{
	if (!el->nkids)
		return;
	lm_buf_add(b, el->nkids > 1 ? "/K[" : "/K ", 3);
	kids_text(t, el, b);
	if (el->nkids > 1)
		lm_buf_addc(b, ']');
}

static void kids_wrap(struct lm_buf *b, const char *kids, size_t len, int nk)
{
	if (!nk)
		return;
	lm_buf_adds(b, nk > 1 ? "/K[" : "/K ");
	lm_buf_add(b, kids, len);
	if (nk > 1)
		lm_buf_addc(b, ']');
}

/* The first letter's root, once it is known whether it is the Document. */
static void write_first(struct lm_tags *t)
{
	struct lm_buf b = LM_BUF_INIT;
	int part = t->doc_num != 0;
	unsigned pg = 0;
	const char *r = t->first_rest.ptr;
	elem_head(&b, part ? "Part" : "Document", part ? t->doc_num : t->root_num, pg);
	struct lm_buf kids = LM_BUF_INIT;
	lm_buf_add(&kids, t->first_kids.ptr, t->first_kids.len);
	int nk = t->first_nk;
	if (!part) /* the signature's Form goes in the one letter */
		for (size_t i = 0; i < t->nextra; i++, nk++) {
			if (kids.len)
				lm_buf_addc(&kids, ' ');
			lm_pdfw_ref(&kids, t->extra[i]);
		}
	kids_wrap(&b, kids.ptr, kids.len, nk);
	lm_buf_adds(&b, r);
	lm_buf_adds(&b, ">>");
	lm_pdfw_obj(t->w, t->first_num, b.ptr, b.len);
	lm_buf_release(&b);
	lm_buf_release(&kids);
}

void lm_tags_end_letter(struct lm_tags *t)
{
	if (!t->lay)
		return;
	for (size_t e = 0; e < t->nelems; e++)
		if (t->elems[e].attached)
			t->elems[e].num = lm_pdfw_reserve(t->w);
	struct lm_buf b = LM_BUF_INIT;
	if (t->nelems && t->elems[0].attached) {
		if (!t->first_num) {
			/* kept until the file ends: the Document, or the first Part */
			t->first_num = t->elems[0].num;
			t->first_nk = kids_text(t, &t->elems[0], &t->first_kids);
			if (t->elems[0].pg) {
				lm_buf_adds(&t->first_rest, "/Pg ");
				lm_pdfw_ref(&t->first_rest, t->elems[0].pg);
			}
			rest_text(&t->elems[0], &t->first_rest);
		} else {
			if (!t->doc_num)
				t->doc_num = lm_pdfw_reserve(t->w);
			struct lm_buf *o = lm_pdfw_obj_begin(t->w, t->elems[0].num);
			elem_head(o, "Part", t->doc_num, t->elems[0].pg);
			kids_in_place(t, &t->elems[0], o);
			rest_text(&t->elems[0], o);
			lm_buf_add(o, ">>", 2);
			lm_pdfw_obj_end(t->w);
			LM_ALLOC_GROW(t->parts, t->nparts + 1, t->parts_alloc);
			t->parts[t->nparts++] = t->elems[0].num;
		}
	}
	/* each element written in place in the object stream */
	for (size_t e = 1; e < t->nelems; e++) {
		const struct lm_tag_elem *el = &t->elems[e];
		if (!el->attached)
			continue;
		struct lm_buf *o = lm_pdfw_obj_begin(t->w, el->num);
		elem_head(o, el->type, t->elems[el->parent].num, el->pg);
		kids_in_place(t, el, o);
		if (el->scope || el->alt || el->lang)
			rest_text(el, o);
		lm_buf_add(o, ">>", 2);
		lm_pdfw_obj_end(t->w);
	}
	/* the letter's parent tree entries */
	for (size_t k = 0; k < t->nkeys; k++) {
		lm_buf_reset(&b);
		if (t->pt_first[k] < 0) {
			lm_pdfw_ref(&b, t->elems[-1 - t->pt_first[k]].num);
		} else {
			int count = t->pt_count[k];
			const int *ids = t->pt_elems + t->pt_first[k];
			lm_buf_grow(&b, (size_t)count * 15 + 2);
			char *p = b.ptr;
			*p++ = '[';
			for (int m = 0; m < count; m++) {
				if (m)
					*p++ = ' ';
				p = lm_pdfw_put_ref(p, t->elems[ids[m]].num);
			}
			*p++ = ']';
			*p = '\0';
			b.len = (size_t)(p - b.ptr);
		}
		pt_add(t, t->key0 + k, b.ptr, b.len);
	}
	t->next_key = t->key0 + t->nkeys;
	lm_buf_release(&b);
	t->lay = NULL;
	t->nletters++;
}

int lm_tags_form(struct lm_tags *t, unsigned annot, unsigned page)
{
	unsigned num = lm_pdfw_reserve(t->w);
	unsigned parent = t->doc_num ? t->doc_num : t->first_num ? t->first_num : t->root_num;
	struct lm_buf b = LM_BUF_INIT;
	elem_head(&b, "Form", parent, page);
	lm_buf_adds(&b, "/K<</Type/OBJR/Obj ");
	lm_pdfw_ref(&b, annot);
	lm_buf_adds(&b, ">>>>");
	lm_pdfw_obj(t->w, num, b.ptr, b.len);
	LM_ALLOC_GROW(t->extra, t->nextra + 1, t->extra_alloc);
	t->extra[t->nextra++] = num;
	lm_buf_reset(&b);
	lm_pdfw_ref(&b, num);
	size_t key = t->next_key;
	pt_add(t, key, b.ptr, b.len);
	lm_buf_release(&b);
	return (int)key;
}

void lm_tags_finish(struct lm_tags *t)
{
	struct lm_buf b = LM_BUF_INIT;
	if (t->first_num)
		write_first(t);
	/* the Document over the letters' Parts (and a Form after them) */
	if (t->doc_num) {
		elem_head(&b, "Document", t->root_num, 0);
		lm_buf_adds(&b, "/K[");
		lm_pdfw_ref(&b, t->first_num);
		for (size_t i = 0; i < t->nparts; i++) {
			lm_buf_addc(&b, ' ');
			lm_pdfw_ref(&b, t->parts[i]);
		}
		for (size_t i = 0; i < t->nextra; i++) {
			lm_buf_addc(&b, ' ');
			lm_pdfw_ref(&b, t->extra[i]);
		}
		lm_buf_adds(&b, "]>>");
		lm_pdfw_obj(t->w, t->doc_num, b.ptr, b.len);
		lm_buf_reset(&b);
	}
	/* the parent tree: one leaf is the root; more get levels of nodes */
	if (!t->nnodes) {
		write_leaf(t, 1);
	} else {
		if (t->leaf_n)
			write_leaf(t, 0);
		while (t->nnodes > 1) {
			size_t n = 0, groups = (t->nnodes + PT_FAN - 1) / PT_FAN;
			for (size_t g = 0; g < groups; g++) {
				size_t i0 = g * PT_FAN, i1 = i0 + PT_FAN < t->nnodes ? i0 + PT_FAN : t->nnodes;
				unsigned num = lm_pdfw_reserve(t->w);
				lm_buf_reset(&b);
				lm_buf_adds(&b, "<</Kids[");
				for (size_t i = i0; i < i1; i++) {
					if (i > i0)
						lm_buf_addc(&b, ' ');
					lm_pdfw_ref(&b, t->nodes[i].num);
				}
				lm_buf_addc(&b, ']');
				if (groups > 1) /* not on the root */
					lm_buf_addf(&b, "/Limits[%zu %zu]", t->nodes[i0].lo, t->nodes[i1 - 1].hi);
				lm_buf_adds(&b, ">>");
				lm_pdfw_obj(t->w, num, b.ptr, b.len);
				t->nodes[n++] = (struct lm_tag_node){ num, t->nodes[i0].lo, t->nodes[i1 - 1].hi };
			}
			t->nnodes = n;
		}
		t->root_pt = t->nodes[0].num;
	}
	lm_buf_reset(&b);
	lm_buf_adds(&b, "<</Type/StructTreeRoot");
	unsigned top = t->doc_num ? t->doc_num : t->first_num;
	if (top) {
		lm_buf_adds(&b, "/K ");
		lm_pdfw_ref(&b, top);
	}
	lm_buf_adds(&b, "/ParentTree ");
	lm_pdfw_ref(&b, t->root_pt);
	lm_buf_addf(&b, "/ParentTreeNextKey %zu>>", t->next_key);
	lm_pdfw_obj(t->w, t->root_num, b.ptr, b.len);
	lm_buf_release(&b);
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
			 " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
			 " xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n"
			 "<pdfuaid:part>1</pdfuaid:part>\n"
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
