#include "pdf.h"
#include "utf8.h"

#include "buf.h"
#include "fileio.h"
#include "subset.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libharu reports errors through this; we keep the first and check after
 * each step, so no error ever passes unnoticed. */
static void HPDF_STDCALL on_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
	struct lm_pdf *pdf = user;
	if (!pdf->error) {
		pdf->error = code;
		pdf->error_detail = detail;
	}
}

static int failed(struct lm_pdf *pdf, const char *path, const char *what, struct lm_diag *d)
{
	if (!pdf->error)
		return 0;
	lm_diag_set(d, path, 0, 0, "PDF library error 0x%04lX (detail %lu) while %s",
		    pdf->error, pdf->error_detail, what);
	return 1;
}

/* PDFDocEncoding's byte for `cp`, or -1 (PDF 32000 annex D.2). */
static int pdfdoc_byte(uint32_t cp)
{
	static const uint16_t high[] = { 0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044,
					 0x2039, 0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018,
					 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160,
					 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E };
	if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA1 && cp <= 0xFF && cp != 0xAD))
		return (int)cp;
	if (cp == 0x20AC)
		return 0xA0;
	for (int i = 0; i < 31; i++)
		if (high[i] == cp)
			return 0x80 + i;
	return -1;
}

static void info_text(HPDF_Doc doc, const char *key, const char *utf8)
{
	if (!utf8 || !doc->info)
		return;
	/* PDFDocEncoding when every character has a byte there: a quarter of
	 * the size of UTF-16 written as hex */
	struct lm_buf b = LM_BUF_INIT;
	size_t len = strlen(utf8);
	int ok = 1;
	for (size_t i = 0; i < len && ok;) {
		uint32_t cp;
		int n = lm_utf8_decode(utf8 + i, len - i, &cp);
		int byte = n ? pdfdoc_byte(cp) : -1;
		if (byte < 0)
			ok = 0;
		else
			lm_buf_addc(&b, (char)byte);
		i += n ? (size_t)n : 1;
	}
	if (ok) {
		HPDF_Dict_Add(doc->info, key, HPDF_String_New(doc->mmgr, b.ptr, NULL));
		lm_buf_release(&b);
		return;
	}
	lm_buf_reset(&b);
	lm_buf_add(&b, "\xFE\xFF", 2);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = lm_utf8_decode(utf8 + i, len - i, &cp);
		if (!n)
			n = 1, cp = 0xFFFD;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
			char u[4] = { (char)(hi >> 8), (char)hi, (char)(lo >> 8), (char)lo };
			lm_buf_add(&b, u, 4);
		} else {
			char u[2] = { (char)(cp >> 8), (char)cp };
			lm_buf_add(&b, u, 2);
		}
		i += (size_t)n;
	}
	HPDF_Dict_Add(doc->info, key, HPDF_Binary_New(doc->mmgr, (HPDF_BYTE *)b.ptr, (HPDF_UINT)b.len));
	lm_buf_release(&b);
}

static HPDF_Dict stream_dict(HPDF_Doc doc, const unsigned char *z, size_t len);

int lm_pdf_begin(struct lm_pdf *pdf, struct lm_fonts *fonts, const struct lm_pdf_meta *meta,
		 struct lm_diag *d)
{
	memset(pdf, 0, sizeof(*pdf));
	pdf->fonts = fonts;
	HPDF_Doc doc = HPDF_New(on_error, pdf);
	if (!doc)
		return lm_diag_set(d, NULL, 0, 0, "cannot start a PDF document (out of memory?)");
	pdf->doc = doc;
	HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "lettermerge");
	/* text strings as UTF-16BE with a byte-order mark: libharu's own UTF-8
	 * encoder costs a large table per document */
	info_text(doc, "Title", meta->title);
	info_text(doc, "Author", meta->author);
	info_text(doc, "Subject", meta->subject);
	if (meta->lang && *meta->lang)
		HPDF_Dict_Add(doc->catalog, "Lang", HPDF_String_New(doc->mmgr, meta->lang, NULL));
	/* tagged (PDF 1.4), the tree in object streams (1.5) */
	doc->pdf_version = HPDF_VER_15;
	lm_tags_init(&pdf->tags, meta->lang);
	HPDF_Dict mark = HPDF_Dict_New(doc->mmgr);
	HPDF_Dict prefs = HPDF_Dict_New(doc->mmgr);
	if (mark && prefs) {
		HPDF_Dict_Add(mark, "Marked", HPDF_Boolean_New(doc->mmgr, HPDF_TRUE));
		HPDF_Dict_Add(doc->catalog, "MarkInfo", mark);
		/* readers show the title, not the file name */
		HPDF_Dict_Add(prefs, "DisplayDocTitle", HPDF_Boolean_New(doc->mmgr, HPDF_TRUE));
		HPDF_Dict_Add(doc->catalog, "ViewerPreferences", prefs);
	}
	struct lm_buf xmp = LM_BUF_INIT;
	lm_tags_xmp(&xmp, meta->title, meta->author, meta->subject, meta->lang,
		    HPDF_GetInfoAttr(doc, HPDF_INFO_PRODUCER), "lettermerge");
	struct lm_buf z = LM_BUF_INIT;
	lm_buf_add_deflated(&z, xmp.ptr, xmp.len);
	HPDF_Dict md = z.len ? stream_dict(doc, (const unsigned char *)z.ptr, z.len) : NULL;
	lm_buf_release(&z);
	if (md) {
		HPDF_Dict_AddName(md, "Type", "Metadata");
		HPDF_Dict_AddName(md, "Subtype", "XML");
		HPDF_Dict_Add(doc->catalog, "Metadata", md);
	}
	lm_buf_release(&xmp);
	if (failed(pdf, NULL, "setting up the document", d)) {
		lm_pdf_release(pdf);
		return -1;
	}
	return 0;
}

/* libharu drops a stream's /Filter key when it does not compress the
 * stream itself, so streams we deflated once per run name their filter
 * from this hook, which libharu calls while writing the dictionary. */
static HPDF_STATUS write_flate_key(HPDF_Dict dict, HPDF_Stream out)
{
	(void)dict;
	return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

static HPDF_Dict stream_dict(HPDF_Doc doc, const unsigned char *z, size_t len)
{
	HPDF_Dict dict = HPDF_DictStream_New(doc->mmgr, doc->xref);
	if (!dict)
		return NULL;
	dict->filter = HPDF_STREAM_FILTER_NONE;
	dict->write_fn = write_flate_key;
	HPDF_Stream_Write(dict->stream, z, (HPDF_UINT)len);
	return dict;
}

static HPDF_Array int_array(HPDF_Doc doc, const int *v, size_t n)
{
	HPDF_Array a = HPDF_Array_New(doc->mmgr);
	for (size_t i = 0; a && i < n; i++)
		HPDF_Array_AddNumber(a, v[i]);
	return a;
}

/* A composite font as PDF 32000 9.7 describes it: Type0 with Identity-H,
 * a CIDFontType2 whose CIDs are the subset's glyph ids, the subset file,
 * widths and a ToUnicode map, all made by subset.c once per run. */
static HPDF_Dict get_font(struct lm_pdf *pdf, enum lm_face face)
{
	if (pdf->font[face])
		return pdf->font[face];
	HPDF_Doc doc = pdf->doc;
	const struct lm_embed_face *ef = &(pdf->own ? pdf->own : pdf->fonts->embed)->face[face];
	/* the font file is filled in by lm_pdf_finish, when it is known which
	 * glyphs the file prints */
	HPDF_Dict file = HPDF_DictStream_New(doc->mmgr, doc->xref);
	if (file)
		file->write_fn = write_flate_key; /* deflated by lm_pdf_finish */
	HPDF_Dict cmap = HPDF_DictStream_New(doc->mmgr, doc->xref);
	if (cmap)
		cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	HPDF_Dict desc = HPDF_Dict_New(doc->mmgr);
	HPDF_Dict cid = HPDF_Dict_New(doc->mmgr);
	HPDF_Dict type0 = HPDF_Dict_New(doc->mmgr);
	HPDF_Dict info = HPDF_Dict_New(doc->mmgr);
	HPDF_Array kids = HPDF_Array_New(doc->mmgr);
	HPDF_Array w = HPDF_Array_New(doc->mmgr);
	if (!file || !cmap || !desc || !cid || !type0 || !info || !kids || !w)
		return NULL;
	HPDF_Xref_Add(doc->xref, desc);
	HPDF_Xref_Add(doc->xref, cid);
	HPDF_Xref_Add(doc->xref, type0);
	pdf->font_file[face] = file;
	pdf->to_unicode[face] = cmap;
	pdf->widths[face] = w;
	pdf->used[face] = lm_xcalloc(ef->nglyphs ? ef->nglyphs : 1, 1);

	HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
	HPDF_Dict_AddName(desc, "FontName", ef->base_font);
	HPDF_Dict_AddNumber(desc, "Flags", ef->flags);
	HPDF_Dict_Add(desc, "FontBBox", int_array(doc, ef->bbox, 4));
	HPDF_Dict_AddNumber(desc, "ItalicAngle", ef->italic_angle);
	HPDF_Dict_AddNumber(desc, "Ascent", ef->ascent);
	HPDF_Dict_AddNumber(desc, "Descent", ef->descent);
	HPDF_Dict_AddNumber(desc, "CapHeight", ef->cap_height);
	HPDF_Dict_AddNumber(desc, "StemV", face == LM_FACE_BOLD || face == LM_FACE_BOLD_ITALIC ? 140 : 80);
	HPDF_Dict_Add(desc, "FontFile2", file);

	HPDF_Dict_Add(info, "Registry", HPDF_String_New(doc->mmgr, "Adobe", NULL));
	HPDF_Dict_Add(info, "Ordering", HPDF_String_New(doc->mmgr, "Identity", NULL));
	HPDF_Dict_AddNumber(info, "Supplement", 0);
	HPDF_Dict_AddName(cid, "Type", "Font");
	HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
	HPDF_Dict_AddName(cid, "BaseFont", ef->base_font);
	HPDF_Dict_Add(cid, "CIDSystemInfo", info);
	HPDF_Dict_Add(cid, "FontDescriptor", desc);
	HPDF_Dict_Add(cid, "W", w);
	HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");

	HPDF_Dict_AddName(type0, "Type", "Font");
	HPDF_Dict_AddName(type0, "Subtype", "Type0");
	HPDF_Dict_AddName(type0, "BaseFont", ef->base_font);
	if (lm_embed_one_byte(ef)) {
		/* code = glyph id, one byte each */
		static const char onebyte[] =
			"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
			"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n"
			"/CMapName /LM-OneByte-H def\n/CMapType 1 def\n"
			"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
			"1 begincidrange\n<00> <FF> 0\nendcidrange\n"
			"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
		HPDF_Dict enc = pdf->one_byte_cmap; /* the same for every face */
		if (!enc) {
			HPDF_Dict sys = HPDF_Dict_New(doc->mmgr);
			enc = HPDF_DictStream_New(doc->mmgr, doc->xref);
			if (!enc || !sys)
				return NULL;
			enc->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
			HPDF_Dict_AddName(enc, "Type", "CMap");
			HPDF_Dict_AddName(enc, "CMapName", "LM-OneByte-H");
			HPDF_Dict_Add(sys, "Registry", HPDF_String_New(doc->mmgr, "Adobe", NULL));
			HPDF_Dict_Add(sys, "Ordering", HPDF_String_New(doc->mmgr, "Identity", NULL));
			HPDF_Dict_AddNumber(sys, "Supplement", 0);
			HPDF_Dict_Add(enc, "CIDSystemInfo", sys);
			HPDF_Stream_Write(enc->stream, (const HPDF_BYTE *)onebyte, sizeof(onebyte) - 1);
			pdf->one_byte_cmap = enc;
		}
		HPDF_Dict_Add(type0, "Encoding", enc);
	} else {
		HPDF_Dict_AddName(type0, "Encoding", "Identity-H");
	}
	HPDF_Array_Add(kids, cid);
	HPDF_Dict_Add(type0, "DescendantFonts", kids);
	HPDF_Dict_Add(type0, "ToUnicode", cmap);
	pdf->font[face] = type0;
	return type0;
}

/* An image XObject whose stream is already deflated: libharu's public
 * calls would decode the PNG and compress it again for every file. */
static HPDF_Dict raw_stream(HPDF_Doc doc, unsigned w, unsigned h, const char *space,
			    int colors, int bits, const unsigned char *z, size_t len)
{
	HPDF_Dict img = stream_dict(doc, z, len);
	if (!img)
		return NULL;
	img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
	HPDF_Dict_AddName(img, "Type", "XObject");
	HPDF_Dict_AddName(img, "Subtype", "Image");
	HPDF_Dict_AddNumber(img, "Width", (HPDF_INT32)w);
	HPDF_Dict_AddNumber(img, "Height", (HPDF_INT32)h);
	HPDF_Dict_AddName(img, "ColorSpace", space);
	HPDF_Dict_AddNumber(img, "BitsPerComponent", bits);
	/* rows carry PNG filter bytes (see image.c) */
	HPDF_Dict parms = HPDF_Dict_New(doc->mmgr);
	if (parms) {
		HPDF_Dict_AddNumber(parms, "Predictor", 15);
		HPDF_Dict_AddNumber(parms, "Colors", colors);
		HPDF_Dict_AddNumber(parms, "BitsPerComponent", bits);
		HPDF_Dict_AddNumber(parms, "Columns", (HPDF_INT32)w);
		HPDF_Dict_Add(img, "DecodeParms", parms);
	}
	return img;
}

static HPDF_Image prepared_image(struct lm_pdf *pdf, const struct lm_image *im)
{
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict img = raw_stream(doc, im->color_w, im->color_h, im->gray ? "DeviceGray" : "DeviceRGB",
				   im->gray ? 1 : 3, 8, im->zcolor, im->zcolor_len);
	if (img && im->zalpha) {
		HPDF_Dict mask = raw_stream(doc, im->width, im->height, "DeviceGray", 1, LM_ALPHA_BITS,
					    im->zalpha, im->zalpha_len);
		if (mask)
			HPDF_Dict_Add(img, "SMask", mask);
	}
	return img;
}

static HPDF_Image get_image(struct lm_pdf *pdf, const struct lm_image *img)
{
	for (size_t i = 0; i < pdf->nimages; i++)
		if (!strcmp(pdf->images[i].path, img->path))
			return pdf->images[i].handle;
	HPDF_Image h = img->kind == LM_IMAGE_PNG ? prepared_image(pdf, img)
						 : HPDF_LoadJpegImageFromFile(pdf->doc, img->path);
	if (!h)
		return NULL;
	LM_ALLOC_GROW(pdf->images, pdf->nimages + 1, pdf->images_alloc);
	pdf->images[pdf->nimages].path = img->path;
	pdf->images[pdf->nimages++].handle = h;
	return h;
}


/* Coordinates to 1/100 pt (a 3,500th of a millimetre): libharu prints
 * five decimals, and shorter numbers make smaller content streams. */
static HPDF_REAL r2(double v)
{
	return (HPDF_REAL)(floor(v * 100.0 + 0.5) / 100.0);
}

/* Every page of a print file has the same size: the media box is said once,
 * on the page tree, and pages inherit it.  ProcSet is obsolete (PDF 32000
 * 14.2).  Each saves some 50 bytes a page in a run of thousands. */
static void page_box(struct lm_pdf *pdf, HPDF_Page page, double w, double h)
{
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict root = doc->root_pages;
	HPDF_Array box = HPDF_Dict_GetItem(root, "MediaBox", HPDF_OCLASS_ARRAY);
	if (!box) {
		box = HPDF_Array_New(doc->mmgr);
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddReal(box, (HPDF_REAL)r2(w));
		HPDF_Array_AddReal(box, (HPDF_REAL)r2(h));
		HPDF_Dict_Add(root, "MediaBox", box);
		pdf->page_w = w;
		pdf->page_h = h;
	}
	if (w == pdf->page_w && h == pdf->page_h) {
		HPDF_Dict_RemoveElement(page, "MediaBox");
	} else {
		HPDF_Page_SetWidth(page, (HPDF_REAL)w);
		HPDF_Page_SetHeight(page, (HPDF_REAL)h);
	}
	HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
	if (res)
		HPDF_Dict_RemoveElement(res, "ProcSet");
}

/* One URI action a target, however many letters of a print file link to it. */
static HPDF_Dict uri_action(struct lm_pdf *pdf, const char *uri)
{
	for (size_t i = 0; i < pdf->nactions; i++)
		if (!strcmp(pdf->actions[i].path, uri))
			return pdf->actions[i].handle;
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict a = HPDF_Dict_New(doc->mmgr);
	if (!a)
		return NULL;
	HPDF_Xref_Add(doc->xref, a);
	HPDF_Dict_AddName(a, "S", "URI");
	HPDF_Dict_Add(a, "URI", HPDF_String_New(doc->mmgr, uri, NULL));
	LM_ALLOC_GROW(pdf->actions, pdf->nactions + 1, pdf->actions_alloc);
	/* the layout's strings outlive the document */
	pdf->actions[pdf->nactions].path = lm_xstrdup(uri);
	pdf->actions[pdf->nactions++].handle = a;
	return a;
}

/* An empty dictionary standing for hidden object `idx` of the tree (tags.h):
 * libharu writes a reference to it as "N 0 R" with the number it has when
 * the file is written, which lm_pdf_finish gives it. */
static HPDF_Dict anchor(struct lm_pdf *pdf, size_t idx)
{
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict a = HPDF_Dict_New(doc->mmgr);
	if (!a)
		return NULL;
	a->header.obj_id = HPDF_OTYPE_INDIRECT;
	LM_ALLOC_GROW(pdf->anchors, pdf->nanchors + 1, pdf->anchors_alloc);
	pdf->anchor_idx = lm_xrealloc(pdf->anchor_idx, pdf->anchors_alloc * sizeof(*pdf->anchor_idx));
	pdf->anchors[pdf->nanchors] = a;
	pdf->anchor_idx[pdf->nanchors++] = idx;
	return a;
}

/* A link annotation, written by the tree (it belongs to the Link element)
 * and listed in the page's /Annots. */
static void link_annot(struct lm_pdf *pdf, HPDF_Page page, const struct lm_box *b)
{
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict action = uri_action(pdf, b->href);
	if (!action)
		return;
	/* whole points: a click area needs no finer grain */
	int rect[4] = { (int)floor(b->x), (int)floor(b->y - b->h * 0.25), (int)ceil(b->x + b->w),
			(int)ceil(b->y + b->h * 0.9) };
	/* what a screen reader says for the link: its target, without the scheme of an email */
	const char *contents = b->href;
	if (!strncmp(contents, "mailto:", 7))
		contents += 7;
	size_t idx = lm_tags_link(&pdf->tags, b->elem, rect, action->header.obj_id & 0x00FFFFFF, contents);
	HPDF_Dict a = anchor(pdf, idx);
	if (!a)
		return;
	HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
	if (!annots) {
		annots = HPDF_Array_New(doc->mmgr);
		HPDF_Dict_Add(page, "Annots", annots);
		/* the tab order follows the structure */
		HPDF_Dict_AddName(page, "Tabs", "S");
	}
	HPDF_Array_Add(annots, a);
}

/* A number for a content stream: at most two decimals, no trailing zeros. */
static void num(struct lm_buf *b, double v)
{
	long c = lround(v * 100.0);
	if (c < 0) {
		lm_buf_addc(b, '-');
		c = -c;
	}
	/* digits by hand: printf was a twentieth of a letter's time */
	char d[32];
	int n = 0;
	long whole = c / 100;
	do {
		d[n++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole);
	while (n)
		lm_buf_addc(b, d[--n]);
	int frac = (int)(c % 100);
	if (frac) {
		lm_buf_addc(b, '.');
		lm_buf_addc(b, (char)('0' + frac / 10));
		if (frac % 10)
			lm_buf_addc(b, (char)('0' + frac % 10));
	}
	lm_buf_addc(b, ' ');
}

static void color(struct lm_buf *b, unsigned rgb)
{
	unsigned r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, bl = rgb & 0xFF;
	if (r == g && g == bl) {
		num(b, r / 255.0);
		lm_buf_adds(b, "g\n");
	} else {
		num(b, r / 255.0);
		num(b, g / 255.0);
		num(b, bl / 255.0);
		lm_buf_adds(b, "rg\n");
	}
}

/* `text` as glyph codes of face `face` into a literal string. */
static void glyphs(struct lm_pdf *pdf, struct lm_buf *ops, const struct lm_embed_face *ef,
		   enum lm_face face, int one, const char *text)
{
	for (const char *t = text; *t;) {
		uint32_t cp;
		int n = lm_utf8_decode(t, strlen(t), &cp);
		if (!n)
			n = 1, cp = 0xFFFD;
		unsigned gid = cp < 65536 ? ef->gid[cp] : 0;
		if (gid < ef->nglyphs)
			pdf->used[face][gid] = 1;
		/* two bytes a glyph in a literal string: it deflates
		 * better than hex; only ( ) \\ and CR need escaping */
		for (int k = one; k < 2; k++) {
			unsigned char c = (unsigned char)(k ? gid & 0xFF : gid >> 8);
			if (c == '(' || c == ')' || c == '\\')
				lm_buf_addc(ops, '\\');
			if (c == '\r')
				lm_buf_adds(ops, "\\r");
			else
				lm_buf_addc(ops, (char)c);
		}
		t += n;
	}
}

/* 1 when text box i needs a space glyph after it for its words to come
 * out apart: the layout places the next box of the text at the next line
 * or after a gap (a space between two faces, a line break), which looks
 * right but runs the words together for a screen reader or a copy; so does
 * the end of a page.  The space is invisible: Td positions from the start
 * of the line. */
static int space_after(struct lm_pdf *pdf, const struct lm_page *pg, size_t i,
		       const struct lm_embed *em)
{
	const struct lm_box *b = &pg->boxes[i];
	size_t len = strlen(b->text);
	if (!len || b->text[len - 1] == ' ' || lm_tags_is_artifact(&pdf->tags, b->elem) ||
	    !lm_cpset_has(&em->cps, ' ') || !em->face[b->face].gid[' '])
		return 0;
	for (size_t j = i + 1; j < pg->n; j++) {
		const struct lm_box *n = &pg->boxes[j];
		if (n->kind != LM_BOX_TEXT)
			continue;
		if (lm_tags_is_artifact(&pdf->tags, n->elem))
			continue;
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
	if (*open != MC_NONE)
		lm_buf_adds(ops, "EMC\n");
	if (want == MC_ARTIFACT)
		lm_buf_adds(ops, "/Artifact BMC\n");
	else if (want != MC_NONE)
		lm_buf_addf(ops, "/%s<</MCID %d>>BDC\n", type, want);
	*open = want;
}

/* What a page's content stream means: its operators and, since those name
 * resources (/F1, /X2), the objects the names stand for on this page. */
static void resources_of(HPDF_Dict dict, struct lm_buf *out)
{
	if (!dict)
		return;
	for (HPDF_UINT i = 0; i < dict->list->count; i++) {
		HPDF_DictElement e = HPDF_List_ItemAt(dict->list, i);
		const HPDF_Obj_Header *h = e->value;
		lm_buf_addf(out, "/%s=%u ", e->key, (unsigned)(h->obj_id & 0x00FFFFFF));
	}
}

static void page_digest(HPDF_Page page, const struct lm_buf *ops, unsigned char digest[32])
{
	HPDF_PageAttr attr = page->attr;
	struct lm_buf res = LM_BUF_INIT;
	resources_of(attr->fonts, &res);
	lm_buf_addc(&res, '|');
	resources_of(attr->xobjects, &res);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 32;
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, ops->ptr, ops->len) || !EVP_DigestUpdate(ctx, res.ptr, res.len + 1) ||
	    !EVP_DigestFinal_ex(ctx, digest, &n)) {
		/* no digest, no sharing: a unique value keeps the page its own */
		memset(digest, 0, 32);
		memcpy(digest, &page, sizeof(page));
	}
	EVP_MD_CTX_free(ctx);
	lm_buf_release(&res);
}

/* An indirect copy of a page's resource dictionary, naming the same
 * (indirect) fonts and images; NULL if it cannot be made. */
static HPDF_Dict indirect_resources(HPDF_Doc doc, HPDF_PageAttr attr)
{
	HPDF_Dict shared = HPDF_Dict_New(doc->mmgr);
	if (!shared || HPDF_Xref_Add(doc->xref, shared) != HPDF_OK)
		return NULL;
	static const char *const kinds[] = { "Font", "XObject" };
	HPDF_Dict parts[] = { attr->fonts, attr->xobjects };
	for (int k = 0; k < 2; k++) {
		if (!parts[k])
			continue;
		HPDF_Dict copy = HPDF_Dict_New(doc->mmgr);
		for (HPDF_UINT i = 0; copy && i < parts[k]->list->count; i++) {
			HPDF_DictElement e = HPDF_List_ItemAt(parts[k]->list, i);
			/* an indirect object is held through a proxy: name the object */
			void *v = e->value;
			if ((((HPDF_Obj_Header *)v)->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_PROXY)
				v = ((HPDF_Proxy)v)->obj;
			HPDF_Dict_Add(copy, e->key, v);
		}
		if (copy)
			HPDF_Dict_Add(shared, kinds[k], copy);
	}
	return shared;
}

static void use_resources(HPDF_Page page, HPDF_Dict shared)
{
	HPDF_PageAttr attr = page->attr;
	/* libharu frees the page's own dictionary: forget its parts */
	attr->fonts = NULL;
	attr->xobjects = NULL;
	HPDF_Dict_Add(page, "Resources", shared);
}

/* Pages with the same fonts and images share one resource dictionary (an
 * indirect object) once a second such page comes, instead of each writing
 * its own: some 50 bytes a page in a print file, nothing in a letter whose
 * pages differ. */
static void share_resources(struct lm_pdf *pdf, HPDF_Page page)
{
	HPDF_PageAttr attr = page->attr;
	struct lm_buf key = LM_BUF_INIT;
	resources_of(attr->fonts, &key);
	lm_buf_addc(&key, '|');
	resources_of(attr->xobjects, &key);
	for (size_t i = 0; i < pdf->nresources; i++) {
		struct lm_pdf_resources *r = &pdf->resources[i];
		if (strcmp(r->key, key.ptr))
			continue;
		if (!r->shared) {
			r->shared = indirect_resources(pdf->doc, attr);
			if (r->shared)
				use_resources(r->first, r->shared);
		}
		if (r->shared)
			use_resources(page, r->shared);
		lm_buf_release(&key);
		return;
	}
	if (pdf->nresources < 64) {
		LM_ALLOC_GROW(pdf->resources, pdf->nresources + 1, pdf->resources_alloc);
		struct lm_pdf_resources *r = &pdf->resources[pdf->nresources++];
		r->key = lm_buf_detach(&key, NULL);
		r->first = page;
		r->shared = NULL;
	}
	lm_buf_release(&key);
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

static int draw_page(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_page *pg,
		     const struct lm_image *images, size_t nimages, struct lm_diag *d)
{
	HPDF_Page page = HPDF_AddPage(pdf->doc);
	if (!page)
		return failed(pdf, NULL, "adding a page", d) ? -1 : lm_diag_set(d, NULL, 0, 0, "cannot add a page");
	page_box(pdf, page, lay->page_w, lay->page_h);
	/* The page's content stream is written here, operator by operator, and
	 * deflated once at the end: graphics first, then all text in one text
	 * object (fills never cover text in a letter), with font and colour set
	 * only when they change, positions relative, glyph ids of our subsets. */
	HPDF_PageAttr attr = page->attr;
	const struct lm_embed *em = pdf->own ? pdf->own : pdf->fonts->embed;
	struct lm_buf ops = LM_BUF_INIT;
	unsigned cur_rgb = 0xFFFFFFFFu;
	/* Each box's marks are marked content of its structure element, or
	 * an artifact; runs of one element share a sequence. */
	int *mcid = lm_xmalloc((pg->n ? pg->n : 1) * sizeof(*mcid));
	lm_tags_begin_page(&pdf->tags, page->header.obj_id & 0x00FFFFFF, pg->boxes, pg->n, mcid);
	int open = MC_NONE;
	for (size_t i = 0; i < pg->n && !pdf->error; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->kind != LM_BOX_TEXT)
			mark(&ops, &open, mcid[i], lm_tags_type(&pdf->tags, b->elem));
		if (b->kind == LM_BOX_RULE) {
			if (b->rgb != cur_rgb) {
				color(&ops, b->rgb);
				cur_rgb = b->rgb;
			}
			num(&ops, b->x);
			num(&ops, b->y);
			num(&ops, b->w);
			num(&ops, b->h);
			lm_buf_adds(&ops, "re f\n");
		} else if (b->kind == LM_BOX_IMAGE && b->image >= 0 && (size_t)b->image < nimages) {
			HPDF_Image img = get_image(pdf, &images[b->image]);
			const char *name = img ? HPDF_Page_GetXObjectName(page, img) : NULL;
			if (!name)
				continue;
			lm_buf_adds(&ops, "q ");
			num(&ops, b->w);
			lm_buf_adds(&ops, "0 0 ");
			num(&ops, b->h);
			num(&ops, b->x);
			num(&ops, b->y);
			lm_buf_addf(&ops, "cm /%s Do Q\n", name);
		}
	}
	mark(&ops, &open, MC_NONE, NULL);
	int cur_face = -1, in_text = 0;
	double cur_size = 0, lx = 0, ly = 0;
	for (size_t i = 0; i < pg->n && !pdf->error; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->kind != LM_BOX_TEXT)
			continue;
		if (!in_text) {
			lm_buf_adds(&ops, "BT\n");
			in_text = 1;
		}
		mark(&ops, &open, mcid[i], lm_tags_type(&pdf->tags, b->elem));
		if ((int)b->face != cur_face || b->h != cur_size) {
			HPDF_Dict font = get_font(pdf, b->face);
			const char *name = font ? HPDF_Page_GetLocalFontName(page, font) : NULL;
			if (!name)
				break;
			lm_buf_addf(&ops, "/%s ", name);
			num(&ops, b->h);
			lm_buf_adds(&ops, "Tf\n");
			cur_face = (int)b->face;
			cur_size = b->h;
		}
		if (b->rgb != cur_rgb) {
			color(&ops, b->rgb);
			cur_rgb = b->rgb;
		}
		num(&ops, b->x - lx);
		num(&ops, b->y - ly);
		lm_buf_adds(&ops, "Td (");
		lx = b->x, ly = b->y;
		const struct lm_embed_face *ef = &em->face[b->face];
		int one = lm_embed_one_byte(ef);
		glyphs(pdf, &ops, ef, b->face, one, b->text);
		if (space_after(pdf, pg, i, em))
			glyphs(pdf, &ops, ef, b->face, one, " ");
		lm_buf_adds(&ops, ") Tj\n");
		if (b->href)
			link_annot(pdf, page, b);
	}
	mark(&ops, &open, MC_NONE, NULL);
	if (in_text)
		lm_buf_adds(&ops, "ET\n");
	free(mcid);
	int key = lm_tags_end_page(&pdf->tags);
	if (key >= 0)
		HPDF_Dict_AddNumber(page, "StructParents", key);
	/* A print file repeats pages: the second page of every letter of an
	 * area is the same for each school.  A page whose operators and
	 * resources are those of an earlier page shares its content stream. */
	unsigned char digest[32];
	HPDF_Dict same = NULL;
	if (pdf->share_pages) {
		page_digest(page, &ops, digest);
		size_t slot = contents_slot(pdf, digest);
		if (pdf->slots && pdf->slots[slot])
			same = pdf->contents[pdf->slots[slot] - 1].dict;
	}
	if (same) {
		HPDF_Dict_Add(page, "Contents", same);
	} else {
		/* deflated here, so libharu must not do it again */
		struct lm_buf z = LM_BUF_INIT;
		lm_buf_add_deflated(&z, ops.ptr, ops.len);
		attr->contents->filter = HPDF_STREAM_FILTER_NONE;
		attr->contents->write_fn = write_flate_key;
		HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)z.ptr, (HPDF_UINT)z.len);
		lm_buf_release(&z);
		if (pdf->share_pages) {
			LM_ALLOC_GROW(pdf->contents, pdf->ncontents + 1, pdf->contents_alloc);
			memcpy(pdf->contents[pdf->ncontents].digest, digest, 32);
			pdf->contents[pdf->ncontents++].dict = attr->contents;
			contents_index(pdf);
		}
	}
	lm_buf_release(&ops);
	if (pdf->share_pages)
		share_resources(pdf, page);
	return failed(pdf, NULL, "drawing a page", d) ? -1 : 0;
}

/* Every character of the layout must be in the subsets. */
static int check_coverage(const struct lm_embed *em, const struct lm_layout *lay,
			  struct lm_cpset *add, struct lm_diag *d)
{
	for (size_t p = 0; p < lay->npages; p++) {
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			const struct lm_box *b = &lay->pages[p].boxes[i];
			if (b->kind != LM_BOX_TEXT)
				continue;
			if (add) {
				lm_cpset_add_utf8(add, b->text, strlen(b->text));
				continue;
			}
			size_t len = strlen(b->text);
			for (size_t k = 0; k < len;) {
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
		pdf->own = lm_xmalloc(sizeof(*pdf->own));
		lm_embed_init(pdf->own);
		int rc = lm_embed_prepare(pdf->own, pdf->fonts, &cps, d);
		lm_cpset_release(&cps);
		if (rc)
			return -1;
	}
	if (check_coverage(pdf->own ? pdf->own : pdf->fonts->embed, lay, NULL, d))
		return -1;
	lm_tags_begin_letter(&pdf->tags, lay);
	for (size_t p = 0; p < lay->npages; p++) {
		if (draw_page(pdf, lay, &lay->pages[p], images, nimages, d)) {
			lm_tags_end_letter(&pdf->tags);
			return -1;
		}
		pdf->npages++;
	}
	lm_tags_end_letter(&pdf->tags);
	return 0;
}

int lm_pdf_finish(struct lm_pdf *pdf, struct lm_buf *out, struct lm_diag *d)
{
	const struct lm_embed *em = pdf->own ? pdf->own : pdf->fonts->embed;
	for (int f = 0; f < LM_FACES; f++) {
		HPDF_Dict file = pdf->font_file[f];
		if (!file)
			continue;
		struct lm_buf ttf = LM_BUF_INIT;
		if (lm_embed_prune(&em->face[f], pdf->used[f], &ttf)) {
			lm_buf_release(&ttf);
			return lm_diag_set(d, pdf->fonts->path[f], 0, 0, "the font subset cannot be read back");
		}
		/* libharu deflates these streams as it writes the file */
		HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)ttf.len);
		struct lm_buf z = LM_BUF_INIT;
		lm_buf_add_deflated(&z, ttf.ptr, ttf.len);
		HPDF_Stream_Write(file->stream, (const HPDF_BYTE *)z.ptr, (HPDF_UINT)z.len);
		lm_buf_release(&z);
		lm_buf_reset(&ttf);
		lm_embed_tounicode(&em->face[f], pdf->used[f], &ttf);
		HPDF_Dict cmap = pdf->to_unicode[f];
		HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)ttf.ptr, (HPDF_UINT)ttf.len);
		lm_buf_release(&ttf);
		/* widths of the glyphs printed, as runs of consecutive ids */
		HPDF_Array w = pdf->widths[f];
		const struct lm_embed_face *ef = &em->face[f];
		for (unsigned g = 0; g < ef->nglyphs;) {
			if (!pdf->used[f][g]) {
				g++;
				continue;
			}
			HPDF_Array run = HPDF_Array_New(((HPDF_Doc)pdf->doc)->mmgr);
			HPDF_Array_AddNumber(w, (HPDF_INT32)g);
			for (; g < ef->nglyphs && pdf->used[f][g]; g++)
				HPDF_Array_AddNumber(run, ef->widths[g]);
			HPDF_Array_Add(w, run);
		}
		pdf->font_file[f] = NULL;
	}
	/* The tree's objects are numbered after libharu's: the catalog and
	 * the pages refer to them through anchors given those numbers now. */
	HPDF_Doc doc = pdf->doc;
	unsigned first = (unsigned)(doc->xref->start_offset + doc->xref->entries->count);
	HPDF_Dict tree = anchor(pdf, LM_TAGS_ROOT);
	if (tree)
		HPDF_Dict_Add(doc->catalog, "StructTreeRoot", tree);
	for (size_t i = 0; i < pdf->nanchors; i++)
		((HPDF_Dict)pdf->anchors[i])->header.obj_id =
			HPDF_OTYPE_INDIRECT | (HPDF_UINT32)(first + pdf->anchor_idx[i]);
	HPDF_SaveToStream(doc);
	if (failed(pdf, NULL, "finishing the document", d))
		return -1;
	if (doc->xref->start_offset + doc->xref->entries->count != first)
		return lm_diag_set(d, NULL, 0, 0, "PDF library added objects while writing the file");
	HPDF_UINT32 size = HPDF_GetStreamSize(doc);
	struct lm_buf file = LM_BUF_INIT;
	struct lm_buf *dst = out->len ? &file : out; /* offsets count from the file's start */
	lm_buf_grow(dst, size);
	HPDF_UINT32 got = size;
	HPDF_ReadFromStream(doc, (HPDF_BYTE *)dst->ptr + dst->len, &got);
	/* libharu reports the end of its stream as an error; only a short
	 * read is one here */
	if (got != size) {
		lm_buf_release(&file);
		return lm_diag_set(d, NULL, 0, 0, "PDF library returned %lu of %lu bytes",
				   (unsigned long)got, (unsigned long)size);
	}
	pdf->error = 0;
	dst->len += got;
	dst->ptr[dst->len] = '\0';
	/* the structure tree, as an update section after libharu's */
	const char *sx = NULL;
	for (size_t i = dst->len >= 9 ? dst->len - 9 : 0; i-- > 0 && i + 64 > dst->len - 9;)
		if (!memcmp(dst->ptr + i, "startxref", 9)) {
			sx = dst->ptr + i;
			break;
		}
	if (!sx) {
		lm_buf_release(&file);
		return lm_diag_set(d, NULL, 0, 0, "PDF library wrote no cross-reference offset");
	}
	size_t prev_xref = (size_t)strtoull(sx + 9, NULL, 10);
	lm_tags_write(&pdf->tags, dst, prev_xref, first, doc->catalog->header.obj_id & 0x00FFFFFF,
		      doc->info ? doc->info->header.obj_id & 0x00FFFFFF : 0);
	if (dst == &file) {
		lm_buf_add(out, file.ptr, file.len);
		lm_buf_release(&file);
	}
	return 0;
}

int lm_pdf_save(struct lm_pdf *pdf, const char *path, struct lm_diag *d)
{
	struct lm_buf bytes = LM_BUF_INIT;
	int rc = lm_pdf_finish(pdf, &bytes, d);
	if (!rc)
		rc = lm_write_atomic(path, bytes.ptr, bytes.len, d);
	lm_buf_release(&bytes);
	return rc;
}

int lm_pdf_blank_page(struct lm_pdf *pdf, double w, double h, struct lm_diag *d)
{
	HPDF_Page page = HPDF_AddPage(pdf->doc);
	if (page)
		page_box(pdf, page, w, h);
	if (failed(pdf, NULL, "adding a blank page", d))
		return -1;
	pdf->npages++;
	return 0;
}

void lm_pdf_release(struct lm_pdf *pdf)
{
	if (pdf->doc) {
		/* libharu frees only what its cross-reference table holds and
		 * the direct objects inside those; the anchors are neither */
		for (size_t i = 0; i < pdf->nanchors; i++)
			HPDF_Obj_ForceFree(((HPDF_Doc)pdf->doc)->mmgr, pdf->anchors[i]);
		HPDF_Free(pdf->doc);
	}
	free(pdf->anchors);
	free(pdf->anchor_idx);
	lm_tags_release(&pdf->tags);
	if (pdf->own) {
		lm_embed_release(pdf->own);
		free(pdf->own);
	}
	for (int f = 0; f < LM_FACES; f++)
		free(pdf->used[f]);
	free(pdf->images);
	for (size_t i = 0; i < pdf->nactions; i++)
		free((char *)pdf->actions[i].path);
	free(pdf->actions);
	free(pdf->contents);
	free(pdf->slots);
	for (size_t i = 0; i < pdf->nresources; i++)
		free(pdf->resources[i].key);
	free(pdf->resources);
	memset(pdf, 0, sizeof(*pdf));
}
