#include "pdf.h"
#include "utf8.h"

#include "buf.h"
#include "fileio.h"
#include "shape.h"
#include "subset.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Kids a /Pages node holds: 64 keeps every node small and the tree three
 * levels deep at a quarter of a million pages. */
#define PAGES_FAN 64
/* Distinct URI actions and resource dictionaries remembered for sharing;
 * past these, links get their own actions and pages their own resources,
 * so memory stays bounded whatever the recipients hold. */
#define MAX_URIS 256
#define MAX_RESOURCES 64

static void info_dict(struct lm_pdf *pdf, const struct lm_pdf_meta *meta)
{
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "<<");
	if (meta->title) {
		lm_buf_adds(&b, "/Title");
		lm_pdfw_text(&b, meta->title);
	}
	if (meta->author) {
		lm_buf_adds(&b, "/Author");
		lm_pdfw_text(&b, meta->author);
	}
	if (meta->subject) {
		lm_buf_adds(&b, "/Subject");
		lm_pdfw_text(&b, meta->subject);
	}
	lm_buf_adds(&b, "/Creator(lettermerge)/Producer(lettermerge)>>");
	pdf->info = lm_pdfw_reserve(&pdf->w);
	lm_pdfw_obj(&pdf->w, pdf->info, b.ptr, b.len);
	lm_buf_release(&b);
}

static int begin(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		 struct lm_atomic *file)
{
	lm_pdfw_init(&pdf->w, file);
	pdf->fonts = fonts;
	lm_buf_init(&pdf->last_body);
	lm_buf_init(&pdf->last_annots);
	lm_buf_init(&pdf->widget);
	lm_buf_init(&pdf->scratch.ops);
	lm_buf_init(&pdf->scratch.key);
	lm_buf_init(&pdf->scratch.annots);
	lm_buf_init(&pdf->scratch.contents);
	lm_buf_init(&pdf->scratch.res);
	for (int l = 0; l < LM_PDF_LEVELS; l++)
		lm_buf_init(&pdf->levels[l].kids);
	pdf->lang = meta->lang && *meta->lang ? lm_xstrdup(meta->lang) : NULL;
	if (meta->sign) {
		pdf->sign = *meta->sign;
		pdf->sign_name = lm_xstrdup(meta->sign->name ? meta->sign->name : "");
		pdf->sign.name = pdf->sign_name;
	}
	info_dict(pdf, meta);
	/* XMP, uncompressed so that a checker finds the PDF/UA identifier */
	struct lm_buf xmp = LM_BUF_INIT;
	lm_tags_xmp(&xmp, meta->title, meta->author, meta->subject, meta->lang, "lettermerge",
		    "lettermerge");
	pdf->metadata = lm_pdfw_reserve(&pdf->w);
	lm_pdfw_stream(&pdf->w, pdf->metadata, "/Type/Metadata/Subtype/XML", xmp.ptr, xmp.len, 0);
	lm_buf_release(&xmp);
	pdf->catalog = lm_pdfw_reserve(&pdf->w);
	lm_tags_init(&pdf->tags, &pdf->w, meta->lang);
	return 0;
}

int lm_pdf_begin(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		 struct lm_diag *d)
{
	(void)d;
	memset(pdf, 0, sizeof(*pdf));
	return begin(pdf, fonts, meta, NULL);
}

int lm_pdf_begin_file(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		      const char *path, struct lm_diag *d)
{
	memset(pdf, 0, sizeof(*pdf));
	if (lm_atomic_open(&pdf->file, path, d))
		return -1;
	pdf->streaming = 1;
	return begin(pdf, fonts, meta, &pdf->file);
}

static struct lm_embed *embed_of(const struct lm_pdf *pdf)
{
	return pdf->own ? pdf->own : pdf->fonts->embed;
}

static void cached_stream(struct lm_pdf *pdf, unsigned num, const char *dict, const void *data,
			  size_t len, int fast);

/* The Type0 font of font index `face` (font.h): numbered at first use,
 * written by lm_pdf_finish once the glyphs it prints are known.  0 with d
 * filled when a fallback font cannot be had. */
static unsigned get_font(struct lm_pdf *pdf, int face, struct lm_diag *d)
{
	if (pdf->font[face])
		return pdf->font[face];
	const struct lm_embed_face *ef = lm_embed_face(embed_of(pdf), face, d);
	if (!ef)
		return 0;
	pdf->font[face] = lm_pdfw_reserve(&pdf->w);
	pdf->used[face] = lm_xcalloc(ef->nglyphs ? ef->nglyphs : 1, 1);
	if (lm_embed_one_byte(ef) && !pdf->one_byte_cmap) {
		/* code = glyph id, one byte each; the same CMap for every face */
		static const char onebyte[] =
			"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
			"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n"
			"/CMapName /LM-OneByte-H def\n/CMapType 1 def\n"
			"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
			"1 begincidrange\n<00> <FF> 0\nendcidrange\n"
			"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
		pdf->one_byte_cmap = lm_pdfw_reserve(&pdf->w);
		cached_stream(pdf, pdf->one_byte_cmap,
			      "/Type/CMap/CMapName/LM-OneByte-H/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>",
			      onebyte, sizeof(onebyte) - 1, 0);
	}
	return pdf->font[face];
}

/* A composite font as PDF 32000 9.7 describes it: Type0 with our one-byte
 * CMap or Identity-H, a CIDFontType2 whose CIDs are the subset's glyph
 * ids, the font file pruned to the glyphs printed, their widths and a
 * ToUnicode map. */
/* The font file and ToUnicode map of face `face` for the glyphs this
 * file prints, pruned and deflated, or as an earlier file of the run made
 * them for the same glyphs: the same bytes, without the work (a separate
 * file spent a third of its instructions here).  Measured on 200 separate
 * files of cse-awareness x Liverpool: the Bold face prints the same glyphs
 * in all of them, the Regular face 95 different sets (the addresses).
 * Kept: up to 128 sets a face, so that those 95 all are (32 left 99 files
 * of the 200 to prune and deflate their own, 173 K instructions a file
 * more); each costs about 5 KB (the peak 18.3 -> 18.7 MB). */
#define MAX_MADE 128

static struct lm_embed_made *font_made(struct lm_pdf *pdf, struct lm_embed_face *ef, int face,
				       struct lm_embed_made *own, struct lm_diag *d)
{
	unsigned char md[32];
	unsigned n = 32;
	int keyed = EVP_Digest(pdf->used[face], ef->nglyphs ? ef->nglyphs : 1, md, &n, EVP_sha256(), NULL);
	for (size_t k = 0; keyed && k < ef->nmade; k++)
		if (!memcmp(ef->made[k].used, md, 32))
			return &ef->made[k];
	struct lm_buf ttf = LM_BUF_INIT;
	if (lm_embed_prune(ef, pdf->used[face], &ttf)) {
		lm_buf_release(&ttf);
		lm_diag_setk(d, LM_KIND_BUG, pdf->fonts->path[face], 0, 0, "the font subset cannot be read back");
		return NULL;
	}
	memset(own, 0, sizeof(*own));
	memcpy(own->used, md, 32);
	lm_buf_init(&own->file);
	lm_buf_init(&own->tounicode);
	own->file_len = ttf.len;
	lm_pdfw_deflate(&pdf->w, &own->file, ttf.ptr, ttf.len, 0);
	lm_buf_reset(&ttf);
	lm_embed_tounicode(ef, pdf->used[face], pdf->shaped[face], &ttf);
	lm_pdfw_deflate(&pdf->w, &own->tounicode, ttf.ptr, ttf.len, 0);
	lm_buf_release(&ttf);
	/* kept for the run unless the map holds this file's own shaped
	 * glyphs (joining forms: the text they stand for is the file's) */
	if (keyed && !pdf->shaped[face] && ef->nmade < MAX_MADE && pdf->fonts->embed == embed_of(pdf)) {
		ef->made = lm_xrealloc(ef->made, (ef->nmade + 1) * sizeof(*ef->made));
		ef->made[ef->nmade] = *own;
		memset(own, 0, sizeof(*own));
		return &ef->made[ef->nmade++];
	}
	return own;
}

/* `key` then v as printf's %d would write it. */
static void add_int(struct lm_buf *b, const char *key, int v)
{
	lm_buf_adds(b, key);
	if (v < 0)
		lm_buf_addc(b, '-');
	lm_pdfw_uint(b, v < 0 ? (size_t)0 - (size_t)(long long)v : (size_t)v);
}

static int write_font(struct lm_pdf *pdf, int face, struct lm_diag *d)
{
	struct lm_embed_face *ef = &embed_of(pdf)->face[face];
	struct lm_pdfw *w = &pdf->w;
	unsigned file = lm_pdfw_reserve(w), cmap = lm_pdfw_reserve(w), desc = lm_pdfw_reserve(w),
		 cid = lm_pdfw_reserve(w);
	struct lm_buf b = LM_BUF_INIT;
	struct lm_embed_made own;
	memset(&own, 0, sizeof(own));
	const struct lm_embed_made *m = font_made(pdf, ef, face, &own, d);
	if (!m)
		return -1;
	lm_buf_adds(&b, "/Length1 ");
	lm_pdfw_uint(&b, m->file_len);
	lm_pdfw_stream(w, file, b.ptr, m->file.ptr, m->file.len, LM_PDFW_DEFLATED);
	if (pdf->shaped[face] && m != &own) {
		/* the font file is the run's; the map is this file's own */
		struct lm_buf ttf = LM_BUF_INIT;
		lm_embed_tounicode(ef, pdf->used[face], pdf->shaped[face], &ttf);
		lm_pdfw_stream(w, cmap, "", ttf.ptr, ttf.len, LM_PDFW_DEFLATE);
		lm_buf_release(&ttf);
	} else {
		lm_pdfw_stream(w, cmap, "", m->tounicode.ptr, m->tounicode.len, LM_PDFW_DEFLATED);
	}
	if (m == &own) {
		lm_buf_release(&own.file);
		lm_buf_release(&own.tounicode);
	}

	lm_buf_reset(&b);
	lm_buf_adds(&b, "<</Type/FontDescriptor/FontName");
	lm_pdfw_name(&b, ef->base_font);
	/* by hand, not printf: every separate file writes its fonts' */
	add_int(&b, "/Flags ", ef->flags);
	add_int(&b, "/FontBBox[", ef->bbox[0]);
	add_int(&b, " ", ef->bbox[1]);
	add_int(&b, " ", ef->bbox[2]);
	add_int(&b, " ", ef->bbox[3]);
	add_int(&b, "]/ItalicAngle ", ef->italic_angle);
	add_int(&b, "/Ascent ", ef->ascent);
	add_int(&b, "/Descent ", ef->descent);
	add_int(&b, "/CapHeight ", ef->cap_height);
	add_int(&b, "/StemV ", face == LM_FACE_BOLD || face == LM_FACE_BOLD_ITALIC ||
				       (face >= LM_FACES && (face - LM_FACES) % 2) ? 140 : 80);
	lm_buf_adds(&b, "/FontFile2 ");
	lm_pdfw_ref(&b, file);
	lm_buf_adds(&b, ">>");
	lm_pdfw_obj(w, desc, b.ptr, b.len);

	lm_buf_reset(&b);
	lm_buf_adds(&b, "<</Type/Font/Subtype/CIDFontType2/BaseFont");
	lm_pdfw_name(&b, ef->base_font);
	lm_buf_adds(&b, "/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor ");
	lm_pdfw_ref(&b, desc);
	/* widths of the glyphs printed, as runs of consecutive ids */
	lm_buf_adds(&b, "/W[");
	for (unsigned g = 0; g < ef->nglyphs;) {
		if (!pdf->used[face][g]) {
			g++;
			continue;
		}
		lm_pdfw_uint(&b, g);
		lm_buf_addc(&b, '[');
		for (unsigned first = g; g < ef->nglyphs && pdf->used[face][g]; g++) {
			if (g > first)
				lm_buf_addc(&b, ' ');
			lm_pdfw_uint(&b, (size_t)(ef->widths[g] < 0 ? 0 : ef->widths[g]));
		}
		lm_buf_addc(&b, ']');
	}
	lm_buf_adds(&b, "]/CIDToGIDMap/Identity>>");
	lm_pdfw_obj(w, cid, b.ptr, b.len);

	lm_buf_reset(&b);
	lm_buf_adds(&b, "<</Type/Font/Subtype/Type0/BaseFont");
	lm_pdfw_name(&b, ef->base_font);
	if (lm_embed_one_byte(ef)) {
		lm_buf_adds(&b, "/Encoding ");
		lm_pdfw_ref(&b, pdf->one_byte_cmap);
	} else {
		lm_buf_adds(&b, "/Encoding/Identity-H");
	}
	lm_buf_adds(&b, "/DescendantFonts[");
	lm_pdfw_ref(&b, cid);
	lm_buf_adds(&b, "]/ToUnicode ");
	lm_pdfw_ref(&b, cmap);
	lm_buf_adds(&b, ">>");
	lm_pdfw_obj(w, pdf->font[face], b.ptr, b.len);
	lm_buf_release(&b);
	return 0;
}

/* An image XObject whose stream image.c deflated once per run. */
static void image_stream(struct lm_pdf *pdf, unsigned num, unsigned w, unsigned h, const char *space,
			 int colors, int bits, const unsigned char *z, size_t len, unsigned smask)
{
	struct lm_buf b = LM_BUF_INIT;
	/* by hand, not printf: every separate file writes its images again */
	lm_buf_adds(&b, "/Type/XObject/Subtype/Image/Width ");
	lm_pdfw_uint(&b, w);
	lm_buf_adds(&b, "/Height ");
	lm_pdfw_uint(&b, h);
	lm_buf_adds(&b, "/ColorSpace/");
	lm_buf_adds(&b, space);
	lm_buf_adds(&b, "/BitsPerComponent ");
	lm_pdfw_uint(&b, (size_t)bits);
	/* rows carry PNG filter bytes (see image.c) */
	lm_buf_adds(&b, "/DecodeParms<</Predictor 15/Colors ");
	lm_pdfw_uint(&b, (size_t)colors);
	lm_buf_adds(&b, "/BitsPerComponent ");
	lm_pdfw_uint(&b, (size_t)bits);
	lm_buf_adds(&b, "/Columns ");
	lm_pdfw_uint(&b, w);
	lm_buf_adds(&b, ">>");
	if (smask) {
		lm_buf_adds(&b, "/SMask ");
		lm_pdfw_ref(&b, smask);
	}
	lm_pdfw_stream(&pdf->w, num, b.ptr, z, len, LM_PDFW_DEFLATED);
	lm_buf_release(&b);
}

/* The image's object number: written at its first use in the file. */
static unsigned get_image(struct lm_pdf *pdf, const struct lm_image *img, struct lm_diag *d)
{
	for (size_t i = 0; i < pdf->nimages; i++)
		if (!strcmp(pdf->images[i].path, img->path))
			return pdf->images[i].num;
	unsigned num = lm_pdfw_reserve(&pdf->w);
	if (img->kind == LM_IMAGE_PNG) {
		unsigned mask = img->zalpha ? lm_pdfw_reserve(&pdf->w) : 0;
		image_stream(pdf, num, img->color_w, img->color_h, img->gray ? "DeviceGray" : "DeviceRGB",
			     img->gray ? 1 : 3, 8, img->zcolor, img->zcolor_len, mask);
		if (mask)
			image_stream(pdf, mask, img->width, img->height, "DeviceGray", 1, LM_ALPHA_BITS,
				     img->zalpha, img->zalpha_len, 0);
	} else {
		/* a JPEG is embedded as it is: PDF readers decode it */
		struct lm_buf jpg = LM_BUF_INIT, b = LM_BUF_INIT;
		if (img->jpeg)
			lm_buf_add(&jpg, img->jpeg, img->jpeg_len); /* the bytes that were checked */
		else if (lm_read_file(img->path, &jpg, d)) {
			lm_buf_release(&jpg);
			return 0;
		}
		const char *space = img->components == 1 ? "DeviceGray" : img->components == 4 ? "DeviceCMYK" : "DeviceRGB";
		lm_buf_addf(&b, "/Type/XObject/Subtype/Image/Width %u/Height %u/ColorSpace/%s/BitsPerComponent 8/Filter/DCTDecode",
			    img->width, img->height, space);
		if (img->components == 4) /* Adobe's CMYK JPEGs are inverted */
			lm_buf_adds(&b, "/Decode[1 0 1 0 1 0 1 0]");
		lm_pdfw_stream(&pdf->w, num, b.ptr, jpg.ptr, jpg.len, 0);
		lm_buf_release(&jpg);
		lm_buf_release(&b);
	}
	LM_ALLOC_GROW(pdf->images, pdf->nimages + 1, pdf->images_alloc);
	pdf->images[pdf->nimages].path = img->path;
	pdf->images[pdf->nimages++].num = num;
	return num;
}

/* One URI action a target, however many letters of a print file link to
 * it (up to MAX_URIS targets; a direct action after that). */
static void uri_action(struct lm_pdf *pdf, const char *uri, struct lm_buf *out)
{
	for (size_t i = 0; i < pdf->nuris; i++)
		if (!strcmp(pdf->uris[i].uri, uri)) {
			lm_pdfw_ref(out, pdf->uris[i].num);
			return;
		}
	struct lm_buf a = LM_BUF_INIT;
	lm_buf_adds(&a, "<</S/URI/URI");
	lm_pdfw_literal(&a, uri, strlen(uri));
	lm_buf_adds(&a, ">>");
	if (pdf->nuris < MAX_URIS) {
		unsigned num = lm_pdfw_reserve(&pdf->w);
		lm_pdfw_obj(&pdf->w, num, a.ptr, a.len);
		LM_ALLOC_GROW(pdf->uris, pdf->nuris + 1, pdf->uris_alloc);
		pdf->uris[pdf->nuris].uri = lm_xstrdup(uri);
		pdf->uris[pdf->nuris++].num = num;
		lm_pdfw_ref(out, num);
	} else {
		lm_buf_add(out, a.ptr, a.len);
	}
	lm_buf_release(&a);
}

/* A link annotation, owned by its Link element, listed in the page's /Annots. */
static void link_annot(struct lm_pdf *pdf, unsigned page, const struct lm_box *b, struct lm_buf *annots)
{
	unsigned num = lm_pdfw_reserve(&pdf->w);
	int key = lm_tags_link(&pdf->tags, b->elem, num);
	/* whole points: a click area needs no finer grain */
	int rect[4] = { (int)floor(b->x), (int)floor(b->y - b->h * 0.25), (int)ceil(b->x + b->w),
			(int)ceil(b->y + b->h * 0.9) };
	struct lm_buf a = LM_BUF_INIT;
	/* no border: readers would draw a black box round every link */
	lm_buf_adds(&a, "<</Type/Annot/Subtype/Link/Rect[");
	for (int i = 0; i < 4; i++)
		lm_pdfw_num(&a, rect[i]);
	a.ptr[a.len - 1] = ']';
	lm_buf_adds(&a, "/Border[0 0 0]/F 4/P ");
	lm_pdfw_ref(&a, page);
	lm_buf_adds(&a, "/A ");
	uri_action(pdf, b->href, &a);
	if (key >= 0) {
		lm_buf_adds(&a, "/StructParent ");
		lm_pdfw_uint(&a, (size_t)key);
	}
	/* what a screen reader says for the link: its target, without the scheme of an email */
	const char *contents = b->href;
	if (!strncmp(contents, "mailto:", 7))
		contents += 7;
	if (*contents) {
		lm_buf_adds(&a, "/Contents");
		lm_pdfw_text(&a, contents);
	}
	lm_buf_adds(&a, ">>");
	lm_pdfw_obj(&pdf->w, num, a.ptr, a.len);
	lm_buf_release(&a);
	if (annots->len)
		lm_buf_addc(annots, ' ');
	lm_pdfw_ref(annots, num);
}

static void color(struct lm_buf *b, unsigned rgb)
{
	unsigned r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, bl = rgb & 0xFF;
	if (r == g && g == bl) {
		lm_pdfw_num(b, r / 255.0);
		lm_buf_adds(b, "g\n");
	} else {
		lm_pdfw_num(b, r / 255.0);
		lm_pdfw_num(b, g / 255.0);
		lm_pdfw_num(b, bl / 255.0);
		lm_buf_adds(b, "rg\n");
	}
}

/* Glyph `gid`'s code at p (room for 4); returns the end. */
static inline char *put_glyph(char *p, unsigned gid, int one)
{
	unsigned char lo = (unsigned char)(gid & 0xFF);
	if (one && lo != '(' && lo != ')' && lo != '\\' && lo != '\r') { /* the common case */
		*p = (char)lo;
		return p + 1;
	}
	/* two bytes a glyph in a literal string: it deflates better than
	 * hex; only ( ) \\ and CR need escaping */
	for (int k = one; k < 2; k++) {
		unsigned char c = (unsigned char)(k ? gid & 0xFF : gid >> 8);
		if (c == '(' || c == ')' || c == '\\' || c == '\r')
			*p++ = '\\';
		*p++ = c == '\r' ? 'r' : (char)c;
	}
	return p;
}

static void glyph_code(struct lm_buf *ops, unsigned gid, int one)
{
	lm_buf_grow(ops, 4);
	char *p = put_glyph(ops->ptr + ops->len, gid, one);
	*p = '\0';
	ops->len = (size_t)(p - ops->ptr);
}

/* `text` as glyph codes of face `face` into a literal string, one glyph a
 * code point, not shaped: only the visible signature box draws with it
 * (its lines are Latin, from the certificate); characters
 * the subset lacks become '?'. */
static void glyphs(struct lm_pdf *pdf, struct lm_buf *ops, enum lm_face face, const char *text)
{
	const struct lm_embed_face *ef = &embed_of(pdf)->face[face];
	int one = lm_embed_one_byte(ef);
	lm_buf_addc(ops, '(');
	for (const char *t = text; *t;) {
		uint32_t cp;
		int n = lm_utf8_decode(t, strlen(t), &cp);
		if (!n)
			n = 1, cp = 0xFFFD;
		unsigned gid = cp < 65536 ? ef->gid[cp] : 0;
		if (!gid)
			gid = ef->gid['?'];
		if (gid < ef->nglyphs)
			pdf->used[face][gid] = 1;
		glyph_code(ops, gid, one);
		t += n;
	}
	lm_buf_addc(ops, ')');
}

/* Shaped glyphs, drawn by glyph id from the pen: a plain string when
 * every glyph advances by its own width, else a TJ array whose numbers
 * carry kerning and mark offsets, and a text rise for marks set above or
 * below.  `space`: a space glyph after them, for readers to see a word
 * end (it is drawn where nothing follows). */
static void draw_glyphs(struct lm_pdf *pdf, struct lm_buf *ops, int font,
			const struct lm_glyph *g, size_t n, double size, int space)
{
	const struct lm_embed_face *ef = &embed_of(pdf)->face[font];
	unsigned char *used = pdf->used[font];
	int one = lm_embed_one_byte(ef);
	int plain = 1;
	unsigned few[64]; /* most boxes are a word: no allocation for them */
	unsigned *ids = n < 64 ? few : lm_xmalloc((n + 1) * sizeof(*ids));
	/* the face's tables in locals: a store to used[] may alias them */
	const uint16_t *newgid = ef->newgid;
	const int *widths = ef->widths;
	unsigned norig = ef->norig, nglyphs = ef->nglyphs;
	for (size_t i = 0; i < n; i++) {
		unsigned id = g[i].gid < norig ? newgid[g[i].gid] : 0;
		id = id < nglyphs ? id : 0;
		ids[i] = id;
		used[id] = 1;
		plain &= widths[id] == g[i].ax && !g[i].dx && !g[i].dy;
	}
	unsigned sp = space ? ef->gid[' '] : 0;
	if (sp)
		used[sp] = 1;
	if (plain) { /* room made once for the codes */
		lm_buf_grow(ops, 4 * (n + 1) + 6);
		char *p = ops->ptr + ops->len;
		*p++ = '(';
		for (size_t i = 0; i < n; i++)
			p = put_glyph(p, ids[i], one);
		if (sp)
			p = put_glyph(p, sp, one);
		memcpy(p, ") Tj\n", 6);
		ops->len = (size_t)(p + 5 - ops->ptr);
		if (ids != few)
			free(ids);
		return;
	}
	/* each glyph placed from where the last one left the pen */
	long few_at[64];
	long *at = n < 64 ? few_at : lm_xmalloc((n + 1) * sizeof(*at));
	at[0] = 0;
	for (size_t i = 0; i < n; i++)
		at[i + 1] = at[i] + g[i].ax;
	long pen = 0;
	int rise = 0, open = 0;
	lm_buf_addc(ops, '[');
	for (size_t k = 0; k <= n; k++) {
		if (k == n && !sp)
			break;
		size_t i = k;
		unsigned id = i < n ? ids[i] : sp;
		int dx = i < n ? g[i].dx : 0, dy = i < n ? g[i].dy : 0;
		long target = i < n ? at[i] + dx : at[n];
		if (dy != rise) {
			lm_buf_adds(ops, open ? ")]TJ " : "]TJ ");
			lm_pdfw_num(ops, dy * size / 1000.0);
			lm_buf_adds(ops, "Ts [");
			rise = dy;
			open = 0;
		}
		long adj = pen - target;
		if (adj) {
			if (open)
				lm_buf_addc(ops, ')');
			if (adj < 0) /* by hand: printf cost a thousand instructions a number */
				lm_buf_addc(ops, '-');
			lm_pdfw_uint(ops, adj < 0 ? (size_t)0 - (size_t)adj : (size_t)adj);
			open = 0;
		}
		if (!open) {
			lm_buf_addc(ops, '(');
			open = 1;
		}
		glyph_code(ops, id, one);
		pen = target + ef->widths[id];
	}
	if (at != few_at)
		free(at);
	lm_buf_adds(ops, open ? ")]TJ" : "]TJ");
	lm_buf_adds(ops, rise ? " 0 Ts\n" : "\n");
	if (ids != few)
		free(ids);
}

/* Where box b's glyph k's cluster ends in its text: the next larger
 * cluster of the run, or the text's end. */
static size_t cluster_end(const struct lm_box *b, const struct lm_glyph *g, size_t n, size_t k,
			  size_t len)
{
	size_t end = len;
	for (size_t i = 0; i < n; i++)
		if (g[i].cluster > g[k].cluster && g[i].cluster < end)
			end = g[i].cluster;
	(void)b;
	return end;
}

/* Records, for the ToUnicode map, what each glyph of a one-glyph cluster
 * stands for when the font's own map has no character for it (a joining
 * form, a ligature), and appends to `out` the box's text without what
 * draws nothing.  Returns 1 when the glyphs then read back, in drawing
 * order, as exactly that text.  A box that does not (a mark drawn apart,
 * reordered Indic vowels) is wrapped in a span whose /ActualText is its
 * text in logical order (PDF 32000 14.9.4).  A right-to-left run is left
 * to the readers' own reordering of glyphs, each mapped to its letter. */
static int reads_back(struct lm_pdf *pdf, int font, const struct lm_box *b,
		      const struct lm_glyph *g, size_t n, struct lm_buf *out, int space)
{
	const struct lm_embed_face *ef = &embed_of(pdf)->face[font];
	size_t len = strlen(b->text);
	if (!b->rtl && n == len) {
		/* the common case first: ASCII drawn one glyph a character,
		 * each glyph the font's own for it */
		size_t k = 0;
		for (; k < n; k++) {
			unsigned char c = (unsigned char)b->text[k];
			unsigned id = g[k].gid < ef->norig ? ef->newgid[g[k].gid] : 0;
			if (c >= 0x80 || !id || id >= ef->nglyphs || ef->unicode[id] != c)
				break;
		}
		if (k == n)
			return 1;
	}
	for (size_t k = 0; k < n; k++) {
		unsigned id = g[k].gid < ef->norig ? ef->newgid[g[k].gid] : 0;
		if (!id || id >= ef->nglyphs || ef->unicode[id] ||
		    (pdf->shaped[font] && pdf->shaped[font][id]))
			continue;
		int alone = 1;
		for (size_t i = 0; i < n && alone; i++)
			alone = i == k || g[i].cluster != g[k].cluster;
		size_t a = g[k].cluster, e = cluster_end(b, g, n, k, len);
		if (!alone || a >= e || e > len)
			continue;
		if (!pdf->shaped[font]) {
			pdf->shaped[font] = lm_xcalloc(ef->nglyphs, sizeof(char *));
			pdf->nshaped[font] = ef->nglyphs;
		}
		pdf->shaped[font][id] = lm_xstrndup(b->text + a, e - a);
	}
	for (size_t i = 0; i < len;) {
		if ((unsigned char)b->text[i] < 0x80) { /* a run of ASCII: none of it ignorable */
			size_t e = i + 1;
			while (e < len && (unsigned char)b->text[e] < 0x80)
				e++;
			lm_buf_add(out, b->text + i, e - i);
			i = e;
			continue;
		}
		uint32_t cp;
		int k = lm_utf8_decode(b->text + i, len - i, &cp);
		if (!k)
			k = 1, cp = 0xFFFD;
		if (!lm_is_default_ignorable(cp))
			lm_buf_add(out, b->text + i, (size_t)k);
		i += (size_t)k;
	}
	if (b->rtl) {
		if (space) /* the words' end, before it is reordered */
			lm_buf_addc(out, ' ');
		lm_extract_order(out);
		return 0;
	}
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned id = g[i].gid < ef->norig ? ef->newgid[g[i].gid] : 0;
		if (!id || id >= ef->nglyphs)
			return 0;
		const char *s = pdf->shaped[font] && !ef->unicode[id] ? pdf->shaped[font][id] : NULL;
		if (!s && ef->unicode[id] && ef->unicode[id] < 0x80) { /* one byte, compared in place */
			if (pos >= out->len || (unsigned char)out->ptr[pos] != ef->unicode[id])
				return 0;
			pos++;
			continue;
		}
		char one[8];
		if (!s) {
			if (!ef->unicode[id])
				return 0;
			one[lm_utf8_encode(ef->unicode[id], one)] = '\0';
			s = one;
		}
		size_t sl = strlen(s);
		if (pos + sl > out->len || memcmp(out->ptr + pos, s, sl))
			return 0;
		pos += sl;
	}
	return pos == out->len;
}

/* 1 when text box i needs a space glyph after it for its words to come
 * out apart: the layout places the next box of the text at the next line
 * or after a gap (a space between two faces, a line break), which looks
 * right but runs the words together for a screen reader or a copy; so does
 * the end of a page.  The space is invisible: Td positions from the start
 * of the line. */
static int space_after(struct lm_pdf *pdf, const struct lm_page *pg, size_t i,
		       const struct lm_embed *em, int font)
{
	const struct lm_box *b = &pg->boxes[i];
	if (!b->text[0] || lm_tags_is_artifact(&pdf->tags, b->elem) || !em->face[font].gid[' '] ||
	    b->text[strlen(b->text) - 1] == ' ' || !lm_cpset_has(&em->cps, ' '))
		return 0;
	for (size_t j = i + 1; j < pg->n; j++) {
		const struct lm_box *n = &pg->boxes[j];
		if (n->kind != LM_BOX_TEXT)
			continue;
		if (lm_tags_is_artifact(&pdf->tags, n->elem))
			continue;
		/* right to left, the next words are further left */
		if (b->rtl)
			return fabs(n->y - b->y) > 0.01 || n->x + n->w < b->x - b->h * 0.1;
		return fabs(n->y - b->y) > 0.01 || n->x > b->x + b->w + b->h * 0.1;
	}
	return 1; /* the page's last words: the text goes on overleaf */
}

#define MC_NONE (-2)
#define MC_ARTIFACT (-1)

/* Closes the open marked-content sequence and opens `want` (an MCID, or
 * MC_ARTIFACT, or MC_NONE for none) unless it is the open one. */
static void mark(struct lm_buf *ops, int *open, int want, const char *type)
{
	if (*open == want)
		return;
	/* in place, room made once: a separate file opens hundreds */
	size_t tl = want >= 0 ? strlen(type) : 0;
	lm_buf_grow(ops, tl + 48);
	char *p = ops->ptr + ops->len;
	if (*open != MC_NONE) {
		memcpy(p, "EMC\n", 4);
		p += 4;
	}
	if (want == MC_ARTIFACT) {
		memcpy(p, "/Artifact BMC\n", 14);
		p += 14;
	} else if (want != MC_NONE) {
		*p++ = '/';
		memcpy(p, type, tl);
		memcpy(p + tl, "<</MCID ", 8);
		p = lm_pdfw_put_uint(p + tl + 8, (size_t)want);
		memcpy(p, ">>BDC\n", 6);
		p += 6;
	}
	*p = '\0';
	ops->len = (size_t)(p - ops->ptr);
	*open = want;
}

/* An open-addressing index over pdf->contents by digest: slots hold
 * index + 1, 0 is empty; the table is kept at most half full. */
static size_t contents_slot(const struct lm_pdf *pdf, const unsigned char digest[32])
{
	if (!pdf->nslots)
		return 0;
	uint64_t h;
	memcpy(&h, digest, sizeof(h));
	size_t i = (size_t)h & (pdf->nslots - 1);
	while (pdf->slots[i] && memcmp(pdf->contents[pdf->slots[i] - 1].digest, digest, 32))
		i = (i + 1) & (pdf->nslots - 1);
	return i;
}

static void contents_index(struct lm_pdf *pdf)
{
	if (2 * pdf->ncontents > pdf->nslots) {
		free(pdf->slots);
		pdf->nslots = pdf->nslots ? 2 * pdf->nslots : 64;
		pdf->slots = lm_xcalloc(pdf->nslots, sizeof(*pdf->slots));
		for (size_t k = 0; k < pdf->ncontents; k++)
			pdf->slots[contents_slot(pdf, pdf->contents[k].digest)] = k + 1;
		return;
	}
	pdf->slots[contents_slot(pdf, pdf->contents[pdf->ncontents - 1].digest)] = pdf->ncontents;
}

/* The resource dictionary a page names (`key` says what is in it, e.g.
 * "/F0/F1/Im7/"): pages naming the same share one object in a print file. */
static void resources(struct lm_pdf *pdf, const char *key, struct lm_buf *page)
{
	for (size_t i = 0; pdf->share_pages && i < pdf->nresources; i++)
		if (!strcmp(pdf->resources[i].key, key)) {
			lm_buf_addc(page, ' ');
			lm_pdfw_ref(page, pdf->resources[i].num);
			return;
		}
	struct lm_buf r = LM_BUF_INIT;
	lm_buf_adds(&r, "<<");
	int fonts = 0, xobjects = 0;
	for (const char *p = key; *p == '/';) {
		const char *next = strchr(p + 1, '/');
		if (p[1] == 'F') {
			lm_buf_adds(&r, fonts++ ? "/F" : "/Font<</F");
			int f = atoi(p + 2);
			lm_pdfw_uint(&r, (size_t)f);
			lm_buf_addc(&r, ' ');
			lm_pdfw_ref(&r, pdf->font[f]);
		} else if (p[1] == 'I') {
			if (fonts && !xobjects)
				lm_buf_adds(&r, ">>");
			lm_buf_adds(&r, xobjects++ ? "/Im" : "/XObject<</Im");
			unsigned num = (unsigned)strtoul(p + 3, NULL, 10);
			lm_pdfw_uint(&r, num);
			lm_buf_addc(&r, ' ');
			lm_pdfw_ref(&r, num);
		}
		if (!next)
			break;
		p = next;
	}
	if (fonts || xobjects)
		lm_buf_adds(&r, ">>");
	lm_buf_adds(&r, ">>");
	if (!pdf->share_pages) {
		lm_buf_add(page, r.ptr, r.len);
		lm_buf_release(&r);
		return;
	}
	if (pdf->nresources < MAX_RESOURCES) {
		unsigned num = lm_pdfw_reserve(&pdf->w);
		lm_pdfw_obj(&pdf->w, num, r.ptr, r.len);
		LM_ALLOC_GROW(pdf->resources, pdf->nresources + 1, pdf->resources_alloc);
		pdf->resources[pdf->nresources].key = lm_xstrdup(key);
		pdf->resources[pdf->nresources++].num = num;
		lm_buf_addc(page, ' ');
		lm_pdfw_ref(page, num);
	} else {
		lm_buf_add(page, r.ptr, r.len);
	}
	lm_buf_release(&r);
}

/* ---- the page tree: nodes of PAGES_FAN kids, each written when full ---- */

static void close_node(struct lm_pdf *pdf, int l, int root);

/* The node of level l that takes the next kid (a new one when it is full). */
static unsigned node_at(struct lm_pdf *pdf, int l)
{
	struct lm_pdf_level *v = &pdf->levels[l];
	if (v->nkids == PAGES_FAN)
		close_node(pdf, l, 0);
	if (!v->num)
		v->num = lm_pdfw_reserve(&pdf->w);
	if (pdf->nlevels < l + 1)
		pdf->nlevels = l + 1;
	return v->num;
}

static void add_kid(struct lm_pdf *pdf, int l, unsigned num, size_t count)
{
	struct lm_pdf_level *v = &pdf->levels[l];
	node_at(pdf, l);
	if (v->nkids)
		lm_buf_addc(&v->kids, ' ');
	lm_pdfw_ref(&v->kids, num);
	v->nkids++;
	v->count += count;
}

static void close_node(struct lm_pdf *pdf, int l, int root)
{
	struct lm_pdf_level *v = &pdf->levels[l];
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "<</Type/Pages/Kids[");
	lm_buf_add(&b, v->kids.ptr, v->kids.len);
	lm_buf_addf(&b, "]/Count %zu/MediaBox[0 0 ", v->count);
	lm_pdfw_num(&b, pdf->page_w);
	lm_pdfw_num(&b, pdf->page_h);
	b.ptr[b.len - 1] = ']';
	unsigned parent = 0;
	if (!root && l + 1 < LM_PDF_LEVELS) {
		parent = node_at(pdf, l + 1);
		lm_buf_adds(&b, "/Parent ");
		lm_pdfw_ref(&b, parent);
	}
	lm_buf_adds(&b, ">>");
	if (root)
		lm_pdfw_direct(&pdf->w, v->num, b.ptr, b.len);
	else
		lm_pdfw_obj(&pdf->w, v->num, b.ptr, b.len);
	lm_buf_release(&b);
	unsigned num = v->num;
	size_t count = v->count;
	v->num = 0;
	v->nkids = 0;
	v->count = 0;
	lm_buf_reset(&v->kids);
	if (parent)
		add_kid(pdf, l + 1, num, count);
}

/* Writes the last page, which waited for a signature field. */
static void write_last_page(struct lm_pdf *pdf)
{
	if (!pdf->last_page)
		return;
	if (pdf->last_annots.len) {
		lm_buf_adds(&pdf->last_body, "/Annots[");
		lm_buf_add(&pdf->last_body, pdf->last_annots.ptr, pdf->last_annots.len);
		/* the tab order follows the structure */
		lm_buf_adds(&pdf->last_body, "]/Tabs/S");
	}
	lm_buf_adds(&pdf->last_body, ">>");
	lm_pdfw_obj(&pdf->w, pdf->last_page, pdf->last_body.ptr, pdf->last_body.len);
	pdf->last_page = 0;
	lm_buf_reset(&pdf->last_body);
	lm_buf_reset(&pdf->last_annots);
}

/* Starts page `num`'s dictionary in pdf->last_body. */
static void page_head(struct lm_pdf *pdf, unsigned num, double w, double h)
{
	write_last_page(pdf);
	if (!pdf->npages) {
		pdf->page_w = w;
		pdf->page_h = h;
	}
	unsigned parent = node_at(pdf, 0);
	add_kid(pdf, 0, num, 1);
	pdf->last_page = num;
	struct lm_buf *b = &pdf->last_body;
	lm_buf_adds(b, "<</Type/Page/Parent ");
	lm_pdfw_ref(b, parent);
	if (fabs(w - pdf->page_w) > 0.005 || fabs(h - pdf->page_h) > 0.005) {
		lm_buf_adds(b, "/MediaBox[0 0 ");
		lm_pdfw_num(b, w);
		lm_pdfw_num(b, h);
		b->ptr[b->len - 1] = ']';
	}
}

/* ---- a page's content: what a print file's letters share, and their own ---- */

/* Which boxes of a page differ from letter to letter.  The frame does not
 * know: a recipient's fields may be anywhere in the body, and a longer
 * name moves the lines after it.  So the print file watches: a part of
 * the page (a structure element's boxes, or one artifact box, e.g. the
 * page number) is the letters' shared part while it has looked the same
 * (text, place, face, colour) in every letter so far at that page of the
 * letter; once it has differed it is the letter's own for the rest of the
 * file, so a later letter that happens to repeat it (copies, two letters
 * to one school) does not change what the shared streams hold.  The first
 * letter has nothing to compare with: its pages are one stream each, as in
 * a file of one letter (which gains nothing from more streams).  On
 * cse-awareness x Liverpool the address window is the only part that
 * varies: page 1 is the letterhead (shared), the address (the letter's
 * own) and the rest (shared), page 2 one shared stream; a 200-letter print
 * file went from 3,686 to about 1,950 bytes a letter.
 * Sharing by looks rather than by which fields a part reads is safe either
 * way: a wrong guess only costs a stream that is written again (streams are
 * shared by the SHA-256 of their bytes, never by this hash). */
#define SPLIT_PAGES 64         /* pages of a letter watched; later ones are one stream */
#define MAX_CONTENTS 16384     /* shared streams remembered */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001B3ull;
	return h ^ h >> 29;
}

static uint64_t mix_double(uint64_t h, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	return mix(h, bits);
}

static uint64_t box_hash(uint64_t h, const struct lm_box *b)
{
	h = mix(h, (uint64_t)b->kind << 40 | (uint64_t)b->face << 32 | b->rgb);
	h = mix_double(h, b->x);
	h = mix_double(h, b->y);
	h = mix_double(h, b->w);
	h = mix_double(h, b->h);
	h = mix(h, (uint64_t)(int64_t)b->image);
	if (b->text) {
		/* eight bytes a step, then the rest and the length: the part's
		 * text is the most of what it hashes */
		size_t len = strlen(b->text);
		const char *t = b->text;
		for (; len >= 8; t += 8, len -= 8) {
			uint64_t v;
			memcpy(&v, t, 8);
			h = mix(h, v);
		}
		uint64_t v = 0;
		memcpy(&v, t, len);
		h = mix(h, v);
		h = mix(h, (uint64_t)(t - b->text) + len);
	}
	return h;
}

/* Fills group[i]: 0 for a box of the part the letters share, 1 for the
 * letter's own, and returns 1; *shareable says whether another page might
 * draw the same as this one (some part of it has not varied).  Returns 0
 * when the page is not sorted (a file of one letter, a page past
 * SPLIT_PAGES): one stream of its own. */
static int split(struct lm_pdf *pdf, size_t p, const struct lm_page *pg, unsigned char *group,
		 int *shareable)
{
	*shareable = 0;
	if (!pdf->share_pages || p >= SPLIT_PAGES || !pg->n)
		return 0;
	if (p >= pdf->npos) {
		pdf->pos = lm_xrealloc(pdf->pos, (p + 1) * sizeof(*pdf->pos));
		memset(pdf->pos + pdf->npos, 0, (p + 1 - pdf->npos) * sizeof(*pdf->pos));
		for (size_t i = pdf->npos; i <= p; i++)
			for (int r = 0; r < LM_PDF_STREAMS; r++) {
				lm_buf_init(&pdf->pos[i].run[r].sig);
				lm_buf_init(&pdf->pos[i].run[r].key);
				lm_buf_init(&pdf->pos[i].own[r]);
			}
		pdf->npos = p + 1;
	}
	struct lm_pdf_pos *pos = &pdf->pos[p];
	/* the part of each box: 2 x element, or 2 x k + 1 for the k-th artifact box */
	size_t *part = pdf->scratch.part, nparts = 0, k = 0; /* room for pg->n: draw_page */
	for (size_t i = 0; i < pg->n; i++) {
		int elem = pg->boxes[i].elem;
		part[i] = lm_tags_is_artifact(&pdf->tags, elem) ? 2 * k++ + 1 : 2 * (size_t)elem;
		if (part[i] + 1 > nparts)
			nparts = part[i] + 1;
	}
	if (nparts > pos->n) {
		pos->hash = lm_xrealloc(pos->hash, nparts * sizeof(*pos->hash));
		pos->state = lm_xrealloc(pos->state, nparts);
		memset(pos->state + pos->n, 0, nparts - pos->n);
		pos->n = nparts;
	}
	if (nparts > pdf->scratch.nparts) {
		free(pdf->scratch.hash);
		pdf->scratch.hash = lm_xmalloc(nparts * sizeof(*pdf->scratch.hash));
		pdf->scratch.nparts = nparts;
	}
	uint64_t *h = pdf->scratch.hash;
	memset(h, 0, nparts * sizeof(*h));
	for (size_t i = 0; i < pg->n; i++)
		h[part[i]] = box_hash(h[part[i]] ? h[part[i]] : 0xCBF29CE484222325ull, &pg->boxes[i]);
	/* each part once: its state moves on, h[] becomes 0 (own) or 1 (shared) */
	for (size_t i = 0; i < pg->n; i++) {
		size_t u = part[i];
		if (h[u] <= 1)
			continue; /* decided at an earlier box */
		if (pos->state[u] == 0) {
			pos->state[u] = 1;
			pos->hash[u] = h[u];
			h[u] = 0;
		} else if (pos->state[u] == 1 && pos->hash[u] == h[u]) {
			h[u] = 1;
		} else {
			pos->state[u] = 2;
			h[u] = 0;
		}
	}
	for (size_t i = 0; i < pg->n; i++) {
		size_t u = part[i];
		group[i] = h[u] ? 0 : 1;
		if (pos->state[u] < 2)
			*shareable = 1;
	}
	return 1;
}

/* Adds image `num` to the names a page's resources hold ("/Im12/Im13/"),
 * once; the '/' after each number ends it. */
static void key_add(struct lm_buf *key, unsigned num)
{
	char name[24];
	memcpy(name, "/Im", 3);
	char *e = lm_pdfw_put_uint(name + 3, num);
	e[0] = '/';
	e[1] = '\0';
	if (!strstr(key->ptr, name))
		lm_buf_add(key, name + (key->len ? 1 : 0), (size_t)(e + 1 - name) - (key->len ? 1 : 0));
}

/* Draws boxes i0 to i1 of the page into one content stream, operator by
 * operator: graphics first, then all text in one text object (fills never
 * cover text in a letter), with font and colour set only when they
 * change, positions relative, glyph ids of our subsets.  Each stream sets
 * its own font and colour: a page's next stream starts in whatever state
 * the one before left. */
/* The text of boxes i to e - 1 of a right-to-left line (drawn left to
 * right, so read from the last), with a space where words are apart and
 * after the line, in the order extractors read back as written
 * (lm_extract_order). */
static void line_actual(struct lm_pdf *pdf, const struct lm_page *pg, size_t i, size_t e,
			struct lm_buf *out)
{
	const struct lm_box *prev = NULL;
	for (size_t k = e; k-- > i;) {
		const struct lm_box *b = &pg->boxes[k];
		if (b->kind != LM_BOX_TEXT)
			continue;
		if (prev && b->x + b->w < prev->x - b->h * 0.1)
			lm_buf_addc(out, ' ');
		lm_buf_adds(out, b->text);
		prev = b;
	}
	/* the line's last words: the text goes on below */
	const struct lm_box *first = &pg->boxes[i];
	int more = 1;
	for (size_t k = e; k < pg->n; k++) {
		const struct lm_box *n = &pg->boxes[k];
		if (n->kind != LM_BOX_TEXT || lm_tags_is_artifact(&pdf->tags, n->elem))
			continue;
		more = fabs(n->y - first->y) > 0.01 || n->x + n->w < first->x - first->h * 0.1;
		break;
	}
	if (more)
		lm_buf_addc(out, ' ');
	lm_extract_order(out);
}

static int emit_boxes(struct lm_pdf *pdf, const struct lm_page *pg, size_t i0, size_t i1,
		      const int *mcid, const struct lm_image *images, size_t nimages, struct lm_buf *ops,
		      int *faces, struct lm_buf *key, struct lm_diag *d)
{
	const struct lm_embed *em = embed_of(pdf);
	unsigned cur_rgb = 0xFFFFFFFFu;
	/* Each box's marks are marked content of its structure element, or
	 * an artifact; runs of one element share a sequence. */
	int open = MC_NONE;
	for (size_t i = i0; i < i1; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->kind == LM_BOX_TEXT)
			continue;
		if (b->kind == LM_BOX_RULE) {
			mark(ops, &open, mcid[i], lm_tags_type(&pdf->tags, b->elem));
			if (b->rgb != cur_rgb) {
				color(ops, b->rgb);
				cur_rgb = b->rgb;
			}
			lm_pdfw_num(ops, b->x);
			lm_pdfw_num(ops, b->y);
			lm_pdfw_num(ops, b->w);
			lm_pdfw_num(ops, b->h);
			lm_buf_adds(ops, "re f\n");
		} else if (b->kind == LM_BOX_IMAGE && b->image >= 0 && (size_t)b->image < nimages) {
			unsigned num = get_image(pdf, &images[b->image], d);
			if (!num)
				return -1;
			mark(ops, &open, mcid[i], lm_tags_type(&pdf->tags, b->elem));
			key_add(key, num);
			char name[24];
			snprintf(name, sizeof(name), "/Im%u", num);
			lm_buf_adds(ops, "q ");
			lm_pdfw_num(ops, b->w);
			lm_buf_adds(ops, "0 0 ");
			lm_pdfw_num(ops, b->h);
			lm_pdfw_num(ops, b->x);
			lm_pdfw_num(ops, b->y);
			lm_buf_adds(ops, "cm ");
			lm_buf_adds(ops, name);
			lm_buf_adds(ops, " Do Q\n");
		}
	}
	mark(ops, &open, MC_NONE, NULL);
	int cur_face = -1, in_text = 0;
	double cur_size = 0, lx = 0, ly = 0;
	size_t group_end = 0; /* a right-to-left line's span ends after box group_end - 1 */
	for (size_t i = i0; i < i1; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->kind != LM_BOX_TEXT)
			continue;
		if (!in_text) {
			lm_buf_adds(ops, "BT\n");
			in_text = 1;
		}
		/* a box the layout did not shape is shaped here, in its face */
		struct lm_glyphs own = { 0 };
		const struct lm_glyph *gl = b->glyphs;
		size_t ngl = b->nglyphs;
		int font = b->glyphs ? b->font : (int)b->face;
		if (!b->glyphs) {
			size_t len = strlen(b->text);
			lm_shape(pdf->fonts, font, b->text, len, 0, len, 0, NULL, &own);
			gl = own.v, ngl = own.n;
		}
		mark(ops, &open, mcid[i], lm_tags_type(&pdf->tags, b->elem));
		if (font != cur_face || b->h != cur_size) {
			if (!get_font(pdf, font, d)) {
				free(own.v);
				return -1;
			}
			*faces |= 1 << font;
			lm_buf_adds(ops, "/F");
			lm_pdfw_uint(ops, (size_t)font);
			lm_buf_addc(ops, ' ');
			lm_pdfw_num(ops, b->h);
			lm_buf_adds(ops, "Tf\n");
			cur_face = font;
			cur_size = b->h;
		}
		if (b->rgb != cur_rgb) {
			color(ops, b->rgb);
			cur_rgb = b->rgb;
		}
		lm_pdfw_num(ops, b->x - lx);
		lm_pdfw_num(ops, b->y - ly);
		lm_buf_adds(ops, "Td ");
		lx = b->x, ly = b->y;
		int space = space_after(pdf, pg, i, em, font);
		struct lm_buf actual = LM_BUF_INIT;
		int span = !reads_back(pdf, font, b, gl, ngl, &actual, space);
		if (!group_end && b->para_rtl) {
			/* a right-to-left line's boxes of one element copy out
			 * together: one span over them all, so that punctuation
			 * between a Latin word or a number and the right-to-left
			 * text comes back where it was written */
			size_t j = i + 1, last = i;
			for (; j < i1; j++) {
				const struct lm_box *n = &pg->boxes[j];
				if (n->kind != LM_BOX_TEXT)
					continue;
				if (mcid[j] != mcid[i] || fabs(n->y - b->y) > 0.01 || !n->para_rtl)
					break;
				last = j;
			}
			group_end = last + 1;
			lm_buf_reset(&actual);
			line_actual(pdf, pg, i, group_end, &actual);
			lm_buf_adds(ops, "/Span<</ActualText");
			lm_pdfw_text(ops, actual.ptr);
			lm_buf_adds(ops, ">>BDC\n");
			span = 0;
		} else if (group_end) {
			span = 0;
		} else {
			if (span && space && !b->rtl)
				lm_buf_addc(&actual, ' ');
			if (span) {
				lm_buf_adds(ops, "/Span<</ActualText");
				lm_pdfw_text(ops, actual.ptr);
				lm_buf_adds(ops, ">>BDC\n");
			}
		}
		draw_glyphs(pdf, ops, font, gl, ngl, b->h, space && !group_end);
		if (span)
			lm_buf_adds(ops, "EMC\n");
		if (group_end && i + 1 >= group_end) {
			lm_buf_adds(ops, "EMC\n");
			group_end = 0;
		}
		lm_buf_release(&actual);
		free(own.v);
	}
	mark(ops, &open, MC_NONE, NULL);
	if (in_text)
		lm_buf_adds(ops, "ET\n");
	return 0;
}

static void digest(const struct lm_buf *ops, unsigned char md[32], unsigned page)
{
	unsigned n = 32;
	if (!EVP_Digest(ops->ptr, ops->len, md, &n, EVP_sha256(), NULL)) {
		/* no digest, no sharing: a unique value keeps the stream its own */
		memset(md, 0, 32);
		memcpy(md, &page, sizeof(page));
	}
}

/* A content stream other pages may draw too: written once per file. */
static unsigned shared_stream(struct lm_pdf *pdf, const struct lm_buf *ops, unsigned page)
{
	unsigned char md[32];
	digest(ops, md, page);
	size_t slot = contents_slot(pdf, md);
	if (pdf->slots && pdf->slots[slot])
		return pdf->contents[pdf->slots[slot] - 1].num;
	unsigned num = lm_pdfw_reserve(&pdf->w);
	lm_pdfw_stream(&pdf->w, num, "", ops->ptr, ops->len, LM_PDFW_DEFLATE);
	if (pdf->ncontents < MAX_CONTENTS) {
		LM_ALLOC_GROW(pdf->contents, pdf->ncontents + 1, pdf->contents_alloc);
		memcpy(pdf->contents[pdf->ncontents].digest, md, 32);
		pdf->contents[pdf->ncontents++].num = num;
		contents_index(pdf);
	}
	return num;
}

/* Stream `num` of `len` bytes of `data` (not empty) deflated (fast, or at
 * the default level), or the bytes an earlier file of the run deflated for
 * the same data at the same level (subset.h's lm_embed_stream): a separate
 * file's pages that do not vary, and its one-byte CMap, are deflated once
 * a run, not once a file. */
static void cached_stream(struct lm_pdf *pdf, unsigned num, const char *dict, const void *data,
			  size_t len, int fast)
{
	struct lm_embed *em = pdf->fonts->embed;
	if (!em || em != embed_of(pdf)) { /* subsets of this file's own */
		lm_pdfw_stream(&pdf->w, num, dict, data, len, LM_PDFW_DEFLATE | (fast ? LM_PDFW_FAST : 0));
		return;
	}
	struct lm_embed_stream *s = NULL;
	for (int k = 0; k < LM_EMBED_STREAMS; k++) {
		struct lm_embed_stream *c = &em->streams[k];
		if (c->z.len && c->fast == fast && c->ops.len == len && !memcmp(c->ops.ptr, data, len)) {
			c->hits++;
			lm_pdfw_stream(&pdf->w, num, dict, c->z.ptr, c->z.len, LM_PDFW_DEFLATED);
			return;
		}
		if (!s || c->hits < s->hits || (c->hits == s->hits && c->stamp < s->stamp))
			s = c;
	}
	lm_buf_reset(&s->ops);
	lm_buf_add(&s->ops, data, len);
	lm_buf_reset(&s->z);
	lm_pdfw_deflate(&pdf->w, &s->z, data, len, fast);
	s->fast = fast;
	s->hits = 0;
	s->stamp = ++em->nstreams;
	lm_pdfw_stream(&pdf->w, num, dict, s->z.ptr, s->z.len, LM_PDFW_DEFLATED);
}

/* The k-th stream of its own a letter has at page p of it: the same as
 * the last letter's there only for a copy of that letter.  In a file of
 * one letter, deflated fast (320 bytes more than the default level, 22.1
 * to 22.4 KB, for 4% fewer instructions a file).  In a print file, where
 * one is made for every letter, not deflated at all: an address of a few
 * hundred bytes costs libdeflate about 47 K instructions (its tables
 * made anew each time), 5% of a letter, for about 41 bytes a letter
 * (a 200-letter print file 419,495 to 427,584 bytes). */
static unsigned own_stream(struct lm_pdf *pdf, size_t p, int k, const struct lm_buf *ops)
{
	if (!pdf->share_pages || p >= pdf->npos || k >= LM_PDF_STREAMS) {
		unsigned num = lm_pdfw_reserve(&pdf->w);
		cached_stream(pdf, num, "", ops->ptr, ops->len, 1);
		return num;
	}
	/* compared byte for byte with the last letter's: cheaper than a
	 * digest of a stream this small, and never wrong */
	struct lm_pdf_pos *pos = &pdf->pos[p];
	struct lm_buf *last = &pos->own[k];
	if (pos->own_num[k] && last->len == ops->len && !memcmp(last->ptr, ops->ptr, ops->len))
		return pos->own_num[k];
	lm_buf_reset(last);
	lm_buf_add(last, ops->ptr, ops->len);
	pos->own_num[k] = lm_pdfw_reserve(&pdf->w);
	lm_pdfw_stream(&pdf->w, pos->own_num[k], "", ops->ptr, ops->len, 0);
	return pos->own_num[k];
}

/* A run's signature compared with the last letter's while it is made:
 * `last` NULL once they differ (or when there is none), and from then the
 * bytes go to `sig`, which starts with the `off` bytes found equal. */
struct sig_cmp {
	const struct lm_buf *last;
	size_t off;
	struct lm_buf sig;
};

static void sig_put(struct sig_cmp *sc, const void *p, size_t n)
{
	if (sc->last) {
		if (n <= sc->last->len - sc->off && !memcmp(sc->last->ptr + sc->off, p, n)) {
			sc->off += n;
			return;
		}
		lm_buf_grow(&sc->sig, sc->last->len + 256);
		lm_buf_add(&sc->sig, sc->last->ptr, sc->off);
		sc->last = NULL;
	}
	lm_buf_add(&sc->sig, p, n);
	sc->off += n;
}

/* The whole signature made (equal to the last letter's so far, or not). */
static struct lm_buf sig_take(struct sig_cmp *sc)
{
	if (sc->last) { /* a prefix of the last one, or all of it */
		lm_buf_add(&sc->sig, sc->last->ptr, sc->off);
		sc->last = NULL;
	}
	struct lm_buf sig = sc->sig;
	lm_buf_init(&sc->sig);
	return sig;
}

/* The r-th shared stream of page p of a letter, boxes i0 to i1: the last
 * letter's when everything its operators are made from is the same (the
 * boxes' text, places, faces, colours, images, marked-content ids and
 * tags, the spaces after words), compared byte for byte, so the operators
 * are not made again, nor their SHA-256 taken. */
static int shared_run(struct lm_pdf *pdf, size_t p, int r, const struct lm_page *pg, size_t i0,
		      size_t i1, const int *mcid, const struct lm_image *images, size_t nimages,
		      int *faces, struct lm_buf *key, unsigned page, unsigned *num, struct lm_diag *d)
{
	struct lm_pdf_run *run = &pdf->pos[p].run[r];
	const struct lm_embed *em = embed_of(pdf);
	/* compared in place with the last letter's as it is made; copied
	 * into a signature of its own only from the first difference */
	struct sig_cmp sc = { .last = run->num ? &run->sig : NULL, .sig = LM_BUF_INIT };
	for (size_t i = i0; i < i1; i++) {
		const struct lm_box *b = &pg->boxes[i];
		struct {
			double x, y, w, h;
			const char *type, *image;
			unsigned rgb;
			int kind, face, mcid, space, rtl;
			size_t nglyphs;
		} f;
		memset(&f, 0, sizeof(f)); /* the padding too: the bytes are compared */
		f.x = b->x, f.y = b->y, f.w = b->w, f.h = b->h;
		f.type = lm_tags_type(&pdf->tags, b->elem);
		/* the font index: the text, face and language pick it */
		f.rgb = b->rgb, f.kind = (int)b->kind, f.mcid = mcid[i];
		f.face = b->kind == LM_BOX_TEXT && b->glyphs ? b->font : (int)b->face;
		if (b->kind == LM_BOX_IMAGE && b->image >= 0 && (size_t)b->image < nimages)
			f.image = images[b->image].path;
		if (b->kind == LM_BOX_TEXT) {
			f.space = space_after(pdf, pg, i, em, f.face);
			f.rtl = b->rtl;
			f.nglyphs = b->glyphs ? b->nglyphs : 0;
		}
		sig_put(&sc, &f, sizeof(f));
		if (b->kind == LM_BOX_TEXT) {
			sig_put(&sc, b->text, strlen(b->text) + 1);
			/* the glyphs as shaped in their paragraph: the same text
			 * may join or kern otherwise beside other words */
			if (b->glyphs)
				sig_put(&sc, b->glyphs, b->nglyphs * sizeof(*b->glyphs));
		}
		if (f.image)
			sig_put(&sc, f.image, strlen(f.image) + 1);
	}
	if (sc.last && sc.off == sc.last->len) {
		*faces |= run->faces;
		for (const char *k = run->key.ptr; (k = strstr(k, "Im")); k += 2)
			key_add(key, (unsigned)strtoul(k + 2, NULL, 10));
		*num = run->num;
		return 0;
	}
	struct lm_buf sig = sig_take(&sc);
	struct lm_buf ops = LM_BUF_INIT;
	int f = 0;
	lm_buf_reset(&run->key);
	if (emit_boxes(pdf, pg, i0, i1, mcid, images, nimages, &ops, &f, &run->key, d)) {
		lm_buf_release(&sig);
		lm_buf_release(&ops);
		run->num = 0;
		return -1;
	}
	*num = ops.len ? shared_stream(pdf, &ops, page) : 0;
	lm_buf_release(&ops);
	lm_buf_release(&run->sig);
	run->sig = sig;
	run->num = *num;
	run->faces = f;
	*faces |= f;
	for (const char *k = run->key.ptr; (k = strstr(k, "Im")); k += 2)
		key_add(key, (unsigned)strtoul(k + 2, NULL, 10));
	return 0;
}

/* A page whose boxes alternate more often than this between the shared
 * part and the letter's own is one stream: each stream costs an object. */
#define MAX_STREAMS LM_PDF_STREAMS

/* Page p of the letter `lay`.  In a print file its content may be several
 * streams, the runs of boxes of one group in layout order (the letterhead
 * shared, the address the letter's own, the rest shared): drawn in that
 * order the page still draws its words in reading order. */
static int draw_page(struct lm_pdf *pdf, const struct lm_layout *lay, size_t p,
		     const struct lm_image *images, size_t nimages, struct lm_diag *d)
{
	const struct lm_page *pg = &lay->pages[p];
	unsigned page = lm_pdfw_reserve(&pdf->w);
	struct lm_pdf_scratch *sc = &pdf->scratch;
	struct lm_buf *ops = &sc->ops, *key = &sc->key, *annots = &sc->annots, *contents = &sc->contents;
	lm_buf_reset(key);
	lm_buf_reset(annots);
	lm_buf_reset(contents);
	int faces = 0, shareable = 0, rc = 0;
	size_t n = pg->n ? pg->n : 1;
	if (n > sc->n) {
		free(sc->group);
		free(sc->mcid);
		free(sc->part);
		sc->group = lm_xmalloc(n);
		sc->mcid = lm_xmalloc(n * sizeof(*sc->mcid));
		sc->part = lm_xmalloc(n * sizeof(*sc->part));
		sc->n = n;
	}
	unsigned char *group = sc->group;
	int sorted = split(pdf, p, pg, group, &shareable);
	int nstreams = 1;
	for (size_t i = 1; sorted && i < pg->n; i++)
		nstreams += group[i] != group[i - 1];
	if (nstreams > MAX_STREAMS)
		memset(group, 1, n); /* one stream of its own */
	int *mcid = sc->mcid;
	lm_tags_begin_page(&pdf->tags, page, pg->boxes, pg->n, sorted ? group : NULL, mcid);
	int ns = 0, nown = 0, nshared = 0;
	for (size_t i0 = 0, i1; i0 < pg->n && !rc; i0 = i1) {
		for (i1 = i0 + 1; sorted && i1 < pg->n && group[i1] == group[i0]; i1++)
			;
		if (!sorted)
			i1 = pg->n;
		unsigned num = 0;
		if (sorted && !group[i0]) {
			rc = shared_run(pdf, p, nshared++, pg, i0, i1, mcid, images, nimages, &faces, key,
					page, &num, d);
		} else {
			lm_buf_reset(ops);
			rc = emit_boxes(pdf, pg, i0, i1, mcid, images, nimages, ops, &faces, key, d);
			/* the whole page as one stream: shared while some part of it
			 * may come again (the first letter's pages, a copy's) */
			if (!rc && ops->len)
				num = shareable && i0 == 0 && i1 == pg->n
					      ? shared_stream(pdf, ops, page)
					      : own_stream(pdf, p, nown++, ops);
		}
		if (rc || !num)
			continue;
		if (ns++)
			lm_buf_addc(contents, ' ');
		lm_pdfw_ref(contents, num);
	}
	/* links in reading order, whichever stream drew their words */
	for (size_t i = 0; i < pg->n && !rc; i++)
		if (pg->boxes[i].kind == LM_BOX_TEXT && pg->boxes[i].href)
			link_annot(pdf, page, &pg->boxes[i], annots);
	int sp = lm_tags_end_page(&pdf->tags);
	if (rc)
		return -1;
	/* the resources: fonts by face, images by object number; one
	 * dictionary for all the page's streams (names mean the same file-wide) */
	struct lm_buf *res = &sc->res;
	lm_buf_reset(res);
	for (int f = 0; f < LM_FONTS_MAX; f++)
		if (faces & 1 << f) {
			lm_buf_adds(res, "/F");
			lm_pdfw_uint(res, (size_t)f);
		}
	if (key->len)
		lm_buf_add(res, key->ptr, key->len);
	else
		lm_buf_addc(res, '/');

	page_head(pdf, page, lay->page_w, lay->page_h);
	struct lm_buf *body = &pdf->last_body;
	lm_buf_adds(body, "/Resources");
	resources(pdf, res->ptr, body);
	if (ns) {
		lm_buf_adds(body, ns > 1 ? "/Contents[" : "/Contents ");
		lm_buf_add(body, contents->ptr, contents->len);
		if (ns > 1)
			lm_buf_addc(body, ']');
	}
	if (sp >= 0) {
		lm_buf_adds(body, "/StructParents ");
		lm_pdfw_uint(body, (size_t)sp);
	}
	lm_buf_add(&pdf->last_annots, annots->ptr, annots->len);
	return 0;
}

/* 1 when each of the eight bytes of v is printable ASCII (0x20 .. 0x7E).
 * A byte of 0x80 or more is caught by v itself, whatever the sums carry. */
static int printable8(uint64_t v)
{
	const uint64_t hi = 0x8080808080808080ull;
	return !((v | (v + 0x0101010101010101ull) | ~(v + 0x6060606060606060ull)) & hi);
}

/* Every character of the layout must be in the subsets. */
static int check_coverage(const struct lm_embed *em, const struct lm_layout *lay,
			  struct lm_cpset *add, struct lm_diag *d)
{
	/* ASCII the subsets hold, by byte (not NUL: it ends a text): most of
	 * a letter is, and is passed over eight bytes a step when the subsets
	 * hold all of printable ASCII (they do: lm_cpset_add_base), else a
	 * byte a step */
	unsigned char ascii[256] = { 0 };
	int printable = em != NULL; /* all of 0x20 .. 0x7E: eight bytes a step */
	for (unsigned c = 1; em && c < 0x80; c++) {
		ascii[c] = em->cps.bits[c >> 3] >> (c & 7) & 1;
		if (c >= 0x20 && c < 0x7F && !ascii[c])
			printable = 0;
	}
	for (size_t p = 0; p < lay->npages; p++) {
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			const struct lm_box *b = &lay->pages[p].boxes[i];
			if (b->kind != LM_BOX_TEXT)
				continue;
			if (add) {
				lm_cpset_add_utf8(add, b->text, strlen(b->text));
				continue;
			}
			size_t len = strlen(b->text), k = 0;
			for (; printable && k + 8 <= len; k += 8) {
				uint64_t v;
				memcpy(&v, b->text + k, 8);
				if (!printable8(v))
					break;
			}
			for (; k < len;) {
				unsigned char c = (unsigned char)b->text[k];
				if (ascii[c]) {
					k++;
					continue;
				}
				uint32_t cp;
				int n = lm_utf8_decode(b->text + k, len - k, &cp);
				if (!n)
					n = 1, cp = 0xFFFD;
				if (!lm_cpset_has(&em->cps, cp))
					return lm_diag_set(d, NULL, 0, 0,
							   "character U+%04X of \"%.40s\" is missing from the font subset",
							   (unsigned)cp, b->text);
				k += (size_t)n;
			}
		}
	}
	return 0;
}

int lm_pdf_add(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_image *images,
	       size_t nimages, struct lm_diag *d)
{
	if (!pdf->fonts->embed && !pdf->own) {
		struct lm_cpset cps;
		lm_cpset_init(&cps);
		check_coverage(NULL, lay, &cps, d);
		if (pdf->sign_name)
			lm_cpset_add_utf8(&cps, pdf->sign_name, strlen(pdf->sign_name));
		pdf->own = lm_xmalloc(sizeof(*pdf->own));
		lm_embed_init(pdf->own);
		int rc = lm_embed_prepare(pdf->own, pdf->fonts, &cps, d);
		lm_cpset_release(&cps);
		if (rc)
			return -1;
	}
	if (check_coverage(embed_of(pdf), lay, NULL, d))
		return -1;
	lm_tags_begin_letter(&pdf->tags, lay);
	for (size_t p = 0; p < lay->npages; p++) {
		if (draw_page(pdf, lay, p, images, nimages, d)) {
			lm_tags_end_letter(&pdf->tags);
			return -1;
		}
		pdf->npages++;
	}
	lm_tags_end_letter(&pdf->tags);
	memcpy(pdf->sign_rect, lay->sign_rect, sizeof(pdf->sign_rect));
	return 0;
}

int lm_pdf_blank_page(struct lm_pdf *pdf, double w, double h, struct lm_diag *d)
{
	(void)d;
	unsigned page = lm_pdfw_reserve(&pdf->w);
	page_head(pdf, page, w, h);
	/* nothing drawn: no content stream, empty resources */
	lm_buf_adds(&pdf->last_body, "/Resources<<>>");
	pdf->npages++;
	return 0;
}

/* The signature field's look: a thin box and two lines of our own font
 * (regular face), "Digitally signed by NAME" and the date. */
static void sign_box(struct lm_pdf *pdf, double w, double h, struct lm_buf *cs)
{
	struct lm_buf l1 = LM_BUF_INIT, l2 = LM_BUF_INIT;
	lm_buf_adds(&l1, "Digitally signed by ");
	lm_buf_adds(&l1, pdf->sign.name);
	time_t tt = (time_t)pdf->sign.signing_time;
	struct tm tm;
	char day[32] = "";
	if (gmtime_r(&tt, &tm))
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S UTC", &tm);
	lm_buf_addf(&l2, "Date: %s", day);
	double w1 = lm_font_text_width(pdf->fonts, LM_FACE_REGULAR, l1.ptr, l1.len, 1);
	double w2 = lm_font_text_width(pdf->fonts, LM_FACE_REGULAR, l2.ptr, l2.len, 1);
	double pad = w > 12 ? 3 : w / 4, wmax = w1 > w2 ? w1 : w2, fs = h * 0.32;
	if (wmax > 0 && (w - 2 * pad) / wmax < fs)
		fs = (w - 2 * pad) / wmax;
	if (fs > 10)
		fs = 10;
	if (fs < 1)
		fs = 1;
	double lead = fs * 1.25, base1 = (h + 2 * lead) / 2 - fs * 0.95;
	get_font(pdf, LM_FACE_REGULAR, NULL);
	lm_buf_adds(cs, "q 0.6 w 0.25 0.25 0.25 RG 0.3 0.3 ");
	lm_pdfw_num(cs, w - 0.6);
	lm_pdfw_num(cs, h - 0.6);
	lm_buf_adds(cs, "re S\nBT /F0 ");
	lm_pdfw_num(cs, fs);
	lm_buf_adds(cs, "Tf 0.1 g ");
	lm_pdfw_num(cs, pad);
	lm_pdfw_num(cs, base1);
	lm_buf_adds(cs, "Td ");
	glyphs(pdf, cs, LM_FACE_REGULAR, l1.ptr);
	lm_buf_adds(cs, " Tj 0 ");
	lm_pdfw_num(cs, -lead);
	lm_buf_adds(cs, "Td ");
	glyphs(pdf, cs, LM_FACE_REGULAR, l2.ptr);
	lm_buf_adds(cs, " Tj ET Q\n");
	lm_buf_release(&l1);
	lm_buf_release(&l2);
}

/* The signature field, unsigned: a widget on the last page with its
 * appearance (a box, or nothing for an invisible field), a Form element in
 * the structure tree; the signature (lm_sign_pdf) then adds /V. */
static void sign_field(struct lm_pdf *pdf)
{
	struct lm_pdfw *w = &pdf->w;
	unsigned widget = lm_pdfw_reserve(w), ap = lm_pdfw_reserve(w);
	const double *r = pdf->sign_rect;
	double bw = r[2] - r[0], bh = r[3] - r[1];
	int visible = pdf->sign.visible && bw >= 1 && bh >= 1;
	struct lm_buf b = LM_BUF_INIT, cs = LM_BUF_INIT;
	if (visible) {
		sign_box(pdf, bw, bh, &cs);
		lm_buf_adds(&b, "/Type/XObject/Subtype/Form/BBox[0 0 ");
		lm_pdfw_num(&b, bw);
		lm_pdfw_num(&b, bh);
		b.ptr[b.len - 1] = ']';
		lm_buf_adds(&b, "/Resources<</Font<</F0 ");
		lm_pdfw_ref(&b, pdf->font[LM_FACE_REGULAR]);
		lm_buf_adds(&b, ">>>>");
		lm_pdfw_stream(w, ap, b.ptr, cs.ptr, cs.len, LM_PDFW_DEFLATE);
	} else {
		/* an empty appearance: an invisible field still has one (PDF/UA) */
		lm_pdfw_stream(w, ap, "/Type/XObject/Subtype/Form/BBox[0 0 0 0]", "", 0, 0);
	}
	int key = lm_tags_form(&pdf->tags, widget, pdf->last_page);
	struct lm_buf *wd = &pdf->widget;
	lm_buf_reset(wd);
	/* Print and Locked; a field a reader shows but nobody edits */
	lm_buf_adds(wd, "<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature1)/F 132/P ");
	lm_pdfw_ref(wd, pdf->last_page);
	lm_buf_adds(wd, "/TU");
	struct lm_buf tu = LM_BUF_INIT;
	lm_buf_addf(&tu, "Digital signature of %s", pdf->sign.name);
	lm_pdfw_text(wd, tu.ptr);
	lm_buf_release(&tu);
	lm_buf_adds(wd, "/Rect[");
	if (visible)
		for (int i = 0; i < 4; i++)
			lm_pdfw_num(wd, r[i]);
	else
		lm_buf_adds(wd, "0 0 0 0 ");
	wd->ptr[wd->len - 1] = ']';
	lm_buf_adds(wd, "/AP<</N ");
	lm_pdfw_ref(wd, ap);
	lm_buf_addf(wd, ">>/StructParent %d", key);
	lm_buf_reset(&b);
	lm_buf_add(&b, wd->ptr, wd->len);
	lm_buf_adds(&b, ">>");
	lm_pdfw_obj(w, widget, b.ptr, b.len);
	if (pdf->last_annots.len)
		lm_buf_addc(&pdf->last_annots, ' ');
	lm_pdfw_ref(&pdf->last_annots, widget);
	pdf->target.widget = widget;
	lm_buf_release(&b);
	lm_buf_release(&cs);
}

int lm_pdf_finish(struct lm_pdf *pdf, struct lm_diag *d)
{
	if (pdf->finished)
		return 0;
	if (!pdf->npages)
		return lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, "the PDF has no pages");
	struct lm_pdfw *w = &pdf->w;
	if (pdf->sign_name)
		sign_field(pdf);
	write_last_page(pdf);
	for (int f = 0; f < LM_FONTS_MAX; f++)
		if (pdf->font[f] && write_font(pdf, f, d))
			return -1;
	lm_tags_finish(&pdf->tags);
	/* the page tree, from its last leaf up */
	unsigned pages = 0;
	for (int l = 0; l < pdf->nlevels; l++) {
		if (l + 1 == pdf->nlevels) {
			pages = pdf->levels[l].num;
			close_node(pdf, l, 1);
		} else if (pdf->levels[l].nkids) {
			close_node(pdf, l, 0);
		}
	}
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_adds(&b, "<</Type/Catalog/Pages ");
	lm_pdfw_ref(&b, pages);
	lm_buf_adds(&b, "/StructTreeRoot ");
	lm_pdfw_ref(&b, pdf->tags.root_num);
	/* readers show the title, not the file name */
	lm_buf_adds(&b, "/MarkInfo<</Marked true>>/ViewerPreferences<</DisplayDocTitle true>>/Metadata ");
	lm_pdfw_ref(&b, pdf->metadata);
	if (pdf->lang) {
		lm_buf_adds(&b, "/Lang");
		lm_pdfw_text(&b, pdf->lang);
	}
	if (pdf->sign_name) {
		lm_buf_adds(&b, "/AcroForm<</Fields[");
		lm_pdfw_ref(&b, pdf->target.widget);
		/* PAdES (ETSI.CAdES.detached) is an extension of PDF 1.7 */
		lm_buf_adds(&b, "]/SigFlags 3>>/Extensions<</ESIC<</BaseVersion/1.7/ExtensionLevel 2>>>>");
	}
	lm_buf_adds(&b, ">>");
	lm_pdfw_direct(w, pdf->catalog, b.ptr, b.len);
	lm_buf_release(&b);
	if (lm_pdfw_finish(w, pdf->catalog, pdf->info, d))
		return -1;
	pdf->finished = 1;
	pdf->target.w = w;
	pdf->target.root = pdf->catalog;
	pdf->target.info = pdf->info;
	pdf->target.widget_body = pdf->sign_name ? pdf->widget.ptr : NULL;
	return 0;
}

int lm_pdf_save(struct lm_pdf *pdf, const char *path, struct lm_diag *d)
{
	if (lm_pdf_finish(pdf, d))
		return -1;
	lm_pdfw_unhold(&pdf->w);
	if (!pdf->streaming)
		return lm_write_atomic(path, pdf->w.out.ptr, pdf->w.out.len, d);
	if (lm_pdfw_flush(&pdf->w, d)) {
		lm_atomic_abort(&pdf->file);
		pdf->streaming = 0;
		return -1;
	}
	pdf->streaming = 0; /* the file is released either way */
	return lm_atomic_commit(&pdf->file, d);
}

const char *lm_pdf_bytes(const struct lm_pdf *pdf, size_t *len)
{
	*len = pdf->w.out.len;
	return pdf->w.out.ptr;
}

void lm_pdf_release(struct lm_pdf *pdf)
{
	for (int f = 0; f < LM_FONTS_MAX; f++) {
		if (!pdf->shaped[f])
			continue;
		for (unsigned g = 0; g < pdf->nshaped[f]; g++)
			free(pdf->shaped[f][g]);
		free(pdf->shaped[f]);
	}
	if (pdf->streaming)
		lm_atomic_abort(&pdf->file);
	lm_pdfw_release(&pdf->w);
	lm_tags_release(&pdf->tags);
	if (pdf->own) {
		lm_embed_release(pdf->own);
		free(pdf->own);
	}
	for (int f = 0; f < LM_FONTS_MAX; f++)
		free(pdf->used[f]);
	free(pdf->lang);
	free(pdf->sign_name);
	free(pdf->images);
	for (size_t i = 0; i < pdf->nuris; i++)
		free(pdf->uris[i].uri);
	free(pdf->uris);
	free(pdf->contents);
	free(pdf->slots);
	for (size_t i = 0; i < pdf->npos; i++) {
		free(pdf->pos[i].hash);
		free(pdf->pos[i].state);
		for (int r = 0; r < LM_PDF_STREAMS; r++) {
			lm_buf_release(&pdf->pos[i].run[r].sig);
			lm_buf_release(&pdf->pos[i].run[r].key);
			lm_buf_release(&pdf->pos[i].own[r]);
		}
	}
	free(pdf->pos);
	for (size_t i = 0; i < pdf->nresources; i++)
		free(pdf->resources[i].key);
	free(pdf->resources);
	for (int l = 0; l < LM_PDF_LEVELS; l++)
		lm_buf_release(&pdf->levels[l].kids);
	lm_buf_release(&pdf->last_body);
	lm_buf_release(&pdf->last_annots);
	lm_buf_release(&pdf->widget);
	free(pdf->scratch.group);
	free(pdf->scratch.mcid);
	free(pdf->scratch.part);
	free(pdf->scratch.hash);
	lm_buf_release(&pdf->scratch.ops);
	lm_buf_release(&pdf->scratch.key);
	lm_buf_release(&pdf->scratch.annots);
	lm_buf_release(&pdf->scratch.contents);
	lm_buf_release(&pdf->scratch.res);
	memset(pdf, 0, sizeof(*pdf));
}
