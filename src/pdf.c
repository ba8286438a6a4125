#include "pdf.h"

#include "buf.h"
#include "fileio.h"

#include <errno.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
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
	HPDF_UseUTFEncodings(doc);
	/* info strings are garbled unless the encoder is set first */
	HPDF_SetCurrentEncoder(doc, "UTF-8");
	if (meta->title)
		HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, meta->title);
	if (meta->author)
		HPDF_SetInfoAttr(doc, HPDF_INFO_AUTHOR, meta->author);
	if (meta->subject)
		HPDF_SetInfoAttr(doc, HPDF_INFO_SUBJECT, meta->subject);
	HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "lettermerge");
	if (meta->lang && *meta->lang)
		HPDF_Dict_Add(doc->catalog, "Lang", HPDF_String_New(doc->mmgr, meta->lang, NULL));
	if (failed(pdf, NULL, "setting up the document", d)) {
		lm_pdf_release(pdf);
		return -1;
	}
	return 0;
}

static HPDF_Font get_font(struct lm_pdf *pdf, enum lm_face face)
{
	if (!pdf->font[face]) {
		const char *file = pdf->fonts->embed[face] ? pdf->fonts->embed[face] : pdf->fonts->path[face];
		const char *name = HPDF_LoadTTFontFromFile(pdf->doc, file, HPDF_TRUE);
		if (name)
			pdf->font[face] = HPDF_GetFont(pdf->doc, name, "UTF-8");
	}
	return pdf->font[face];
}

/* An image XObject whose stream is already deflated: libharu's public
 * calls would decode the PNG and compress it again for every file. */
static HPDF_Dict raw_stream(HPDF_Doc doc, unsigned w, unsigned h, const char *space,
			    int colors, const unsigned char *z, size_t len)
{
	HPDF_Dict img = HPDF_DictStream_New(doc->mmgr, doc->xref);
	if (!img)
		return NULL;
	img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
	img->filter = HPDF_STREAM_FILTER_NONE;
	HPDF_Dict_AddName(img, "Type", "XObject");
	HPDF_Dict_AddName(img, "Subtype", "Image");
	HPDF_Dict_AddNumber(img, "Width", (HPDF_INT32)w);
	HPDF_Dict_AddNumber(img, "Height", (HPDF_INT32)h);
	HPDF_Dict_AddName(img, "ColorSpace", space);
	HPDF_Dict_AddNumber(img, "BitsPerComponent", 8);
	HPDF_Dict_AddName(img, "Filter", "FlateDecode");
	/* rows carry PNG filter bytes (see image.c) */
	HPDF_Dict parms = HPDF_Dict_New(doc->mmgr);
	if (parms) {
		HPDF_Dict_AddNumber(parms, "Predictor", 15);
		HPDF_Dict_AddNumber(parms, "Colors", colors);
		HPDF_Dict_AddNumber(parms, "BitsPerComponent", 8);
		HPDF_Dict_AddNumber(parms, "Columns", (HPDF_INT32)w);
		HPDF_Dict_Add(img, "DecodeParms", parms);
	}
	HPDF_Stream_Write(img->stream, z, (HPDF_UINT)len);
	return img;
}

static HPDF_Image prepared_image(struct lm_pdf *pdf, const struct lm_image *im)
{
	HPDF_Doc doc = pdf->doc;
	HPDF_Dict img = raw_stream(doc, im->width, im->height, im->gray ? "DeviceGray" : "DeviceRGB",
				   im->gray ? 1 : 3, im->zcolor, im->zcolor_len);
	if (img && im->zalpha) {
		HPDF_Dict mask = raw_stream(doc, im->width, im->height, "DeviceGray", 1, im->zalpha,
					    im->zalpha_len);
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

static void set_fill(HPDF_Page page, unsigned rgb)
{
	HPDF_Page_SetRGBFill(page, (float)((rgb >> 16) & 0xFF) / 255.0f,
			     (float)((rgb >> 8) & 0xFF) / 255.0f, (float)(rgb & 0xFF) / 255.0f);
}

static int draw_page(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_page *pg,
		     const struct lm_image *images, size_t nimages, struct lm_diag *d)
{
	HPDF_Page page = HPDF_AddPage(pdf->doc);
	if (!page)
		return failed(pdf, NULL, "adding a page", d) ? -1 : lm_diag_set(d, NULL, 0, 0, "cannot add a page");
	HPDF_Page_SetWidth(page, (HPDF_REAL)lay->page_w);
	HPDF_Page_SetHeight(page, (HPDF_REAL)lay->page_h);
	for (size_t i = 0; i < pg->n; i++) {
		const struct lm_box *b = &pg->boxes[i];
		switch (b->kind) {
		case LM_BOX_RULE:
			set_fill(page, b->rgb);
			HPDF_Page_Rectangle(page, (HPDF_REAL)b->x, (HPDF_REAL)b->y, (HPDF_REAL)b->w,
					    (HPDF_REAL)b->h);
			HPDF_Page_Fill(page);
			break;
		case LM_BOX_IMAGE: {
			if (b->image < 0 || (size_t)b->image >= nimages)
				break;
			HPDF_Image img = get_image(pdf, &images[b->image]);
			if (!img)
				break;
			HPDF_Page_DrawImage(page, img, (HPDF_REAL)b->x, (HPDF_REAL)b->y, (HPDF_REAL)b->w,
					    (HPDF_REAL)b->h);
			break;
		}
		case LM_BOX_TEXT: {
			HPDF_Font font = get_font(pdf, b->face);
			if (!font)
				break;
			HPDF_Page_BeginText(page);
			HPDF_Page_SetFontAndSize(page, font, (HPDF_REAL)b->h);
			set_fill(page, b->rgb);
			HPDF_Page_TextOut(page, (HPDF_REAL)b->x, (HPDF_REAL)b->y, b->text);
			HPDF_Page_EndText(page);
			if (b->href) {
				HPDF_Rect r = { (HPDF_REAL)b->x, (HPDF_REAL)(b->y - b->h * 0.25),
						(HPDF_REAL)(b->x + b->w), (HPDF_REAL)(b->y + b->h * 0.9) };
				HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(page, r, b->href);
				/* without this readers draw a black box round every link */
				if (a)
					HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
			}
			break;
		}
		}
		if (pdf->error)
			break;
	}
	return failed(pdf, NULL, "drawing a page", d) ? -1 : 0;
}

int lm_pdf_add(struct lm_pdf *pdf, const struct lm_layout *lay, const struct lm_image *images,
	       size_t nimages, struct lm_diag *d)
{
	for (size_t p = 0; p < lay->npages; p++) {
		if (draw_page(pdf, lay, &lay->pages[p], images, nimages, d))
			return -1;
		pdf->npages++;
	}
	return 0;
}

int lm_pdf_finish(struct lm_pdf *pdf, struct lm_buf *out, struct lm_diag *d)
{
	HPDF_SaveToStream(pdf->doc);
	if (failed(pdf, NULL, "finishing the document", d))
		return -1;
	HPDF_UINT32 size = HPDF_GetStreamSize(pdf->doc);
	lm_buf_grow(out, size);
	HPDF_UINT32 got = size;
	HPDF_ReadFromStream(pdf->doc, (HPDF_BYTE *)out->ptr + out->len, &got);
	/* libharu reports the end of its stream as an error; only a short
	 * read is one here */
	if (got != size)
		return lm_diag_set(d, NULL, 0, 0, "PDF library returned %lu of %lu bytes",
				   (unsigned long)got, (unsigned long)size);
	pdf->error = 0;
	out->len += got;
	out->ptr[out->len] = '\0';
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
	if (page) {
		HPDF_Page_SetWidth(page, (HPDF_REAL)w);
		HPDF_Page_SetHeight(page, (HPDF_REAL)h);
	}
	if (failed(pdf, NULL, "adding a blank page", d))
		return -1;
	pdf->npages++;
	return 0;
}

void lm_pdf_release(struct lm_pdf *pdf)
{
	if (pdf->doc)
		HPDF_Free(pdf->doc);
	free(pdf->images);
	memset(pdf, 0, sizeof(*pdf));
}
