/* test_pdf.c - writing laid-out pages (pdf.c through pdfw.c).
 *
 * The fonts folder comes from argv[1] or, failing that, LM_TEST_FONTS_DIR.
 * Files are written to a fresh folder under $TMPDIR (or /tmp), removed after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "diag.h"
#include "font.h"
#include "layout.h"
#include "pdf.h"
#include "subset.h"
#include "value.h"

#ifndef LM_TEST_FONTS_DIR
#define LM_TEST_FONTS_DIR "fonts"
#endif

static const char *fonts_dir = LM_TEST_FONTS_DIR;
static struct lm_fonts fonts;

static int load_fonts(void **state)
{
	(void)state;
	struct lm_diag d;
	lm_fonts_init(&fonts);
	lm_diag_clear(&d);
	if (lm_fonts_load(&fonts, fonts_dir, &d)) {
		fprintf(stderr, "cannot load fonts from %s: %s: %s\n", fonts_dir, d.file, d.msg);
		return -1;
	}
	return 0;
}

static int release_fonts(void **state)
{
	(void)state;
	lm_fonts_release(&fonts);
	return 0;
}

struct fixture {
	char dir[512];
	struct lm_layout lay;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->dir, sizeof(fx->dir), "%s/lm-test-pdf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Removes the folder and what the test left in it (one level, plus one
 * level of sub-folders). */
static void remove_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	char path[1024];
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	lm_layout_release(&fx->lay);
	if (!getenv("LM_TEST_KEEP")) remove_tree(fx->dir); else fprintf(stderr, "kept %s\n", fx->dir);
	free(fx);
	return 0;
}

/* One A4 page: a paragraph, a link with its underline, a rule. */
static void build_layout(struct lm_layout *lay)
{
	lm_layout_init(lay, 595.276, 841.89);
	int para = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
	const char *text = "Dear Parent/Carer \xE2\x80\x93 Gwasanaeth t\xC5\xB7 \xC2\xA3" "5";
	struct lm_box t = {
		.kind = LM_BOX_TEXT, .elem = para, .x = 72, .y = 700,
		.w = lm_font_text_width(&fonts, LM_FACE_REGULAR, text, strlen(text), 11),
		.h = 11, .face = LM_FACE_REGULAR, .text = lm_arena_strdup(lay->arena, text),
		.rgb = 0x111111,
	};
	lm_layout_add(lay, 0, &t);
	int link = lm_layout_elem(lay, LM_ROLE_LINK, 0, para);
	const char *href = lm_arena_strdup(lay->arena, "https://www.liverpool.gov.uk/schools");
	lay->elems[link].href = href;
	struct lm_box l = {
		.kind = LM_BOX_TEXT, .elem = link, .x = 72, .y = 680,
		.w = lm_font_text_width(&fonts, LM_FACE_BOLD, "liverpool.gov.uk", 16, 11),
		.h = 11, .face = LM_FACE_BOLD, .text = lm_arena_strdup(lay->arena, "liverpool.gov.uk"),
		.href = href, .rgb = 0x0B4A8B,
	};
	lm_layout_add(lay, 0, &l);
	struct lm_box u = { .kind = LM_BOX_RULE, .elem = -1, .x = 72, .y = 678.7, .w = l.w,
			    .h = 0.55, .rgb = 0x0B4A8B };
	lm_layout_add(lay, 0, &u);
	struct lm_box r = { .kind = LM_BOX_RULE, .elem = -1, .x = 72, .y = 650, .w = 451,
			    .h = 0.6, .rgb = 0x7F7F7F };
	lm_layout_add(lay, 0, &r);
}

static const struct lm_pdf_meta meta = {
	.title = "Term dates",
	.author = "Liverpool City Council",
	.subject = "Term dates 2015",
	.lang = "en-GB",
};

/* Writes `lay` (n times over) to `path` with a fresh lm_pdf. */
static int write_pdf(const struct lm_layout *lay, int n, const char *path, struct lm_diag *d)
{
	struct lm_pdf pdf;
	lm_diag_clear(d);
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, d), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(lm_pdf_add(&pdf, lay, NULL, 0, d), 0);
	assert_int_equal(pdf.npages, (size_t)(n * (int)lay->npages));
	int rc = lm_pdf_save(&pdf, path, d);
	lm_pdf_release(&pdf);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct lm_buf b = LM_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lm_buf_add(&b, chunk, n);
	fclose(f);
	return lm_buf_detach(&b, len);
}

static int contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* Every deflated stream of the file, inflated and joined. */
static char *inflated(const char *data, size_t len, size_t *out_len)
{
	struct lm_buf all = LM_BUF_INIT;
	static const char key[] = "/Filter/FlateDecode/Length ";
	for (size_t i = 0; i + sizeof(key) < len; i++) {
		if (memcmp(data + i, key, sizeof(key) - 1))
			continue;
		size_t zlen = strtoul(data + i + sizeof(key) - 1, NULL, 10);
		const char *p = strstr(data + i, ">>\nstream\n");
		assert_non_null(p);
		p += 10;
		uLongf n = 4 << 20;
		char *raw = malloc(n);
		assert_int_equal(uncompress((Bytef *)raw, &n, (const Bytef *)p, zlen), Z_OK);
		lm_buf_add(&all, raw, n);
		free(raw);
	}
	return lm_buf_detach(&all, out_len);
}

/* The names in `dir`, sorted, joined by '|'. */
static void list_dir(const char *dir, char *out, size_t n)
{
	char names[32][256];
	size_t count = 0;
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		assert_true(count < 32);
		snprintf(names[count++], sizeof(names[0]), "%s", e->d_name);
	}
	closedir(dp);
	for (size_t i = 1; i < count; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[256];
			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		if (i)
			strncat(out, "|", n - strlen(out) - 1);
		strncat(out, names[i], n - strlen(out) - 1);
	}
}

static void test_save(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char path[1024];
	snprintf(path, sizeof(path), "%s/letter.pdf", fx->dir);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, path, &d), 0);

	size_t len;
	char *data = slurp(path, &len);
	assert_non_null(data);
	assert_true(len > 1000);
	assert_memory_equal(data, "%PDF-", 5);
	assert_true(contains(data + len - 16, 16, "%%EOF"));
	/* one revision: objects in object streams, one cross-reference
	 * stream with an /ID, no classic table or trailer */
	assert_true(contains(data, len, "/Type/ObjStm"));
	assert_true(contains(data, len, "/Type/XRef"));
	assert_true(contains(data, len, "/ID[<"));
	assert_false(contains(data, len, "\nxref"));
	assert_false(contains(data, len, "trailer"));
	/* the catalog and the page tree's root are plain objects */
	assert_true(contains(data, len, "/Type/Pages"));
	assert_true(contains(data, len, "/Count 1/"));
	assert_true(contains(data, len, "/Lang(en-GB)"));
	assert_true(contains(data, len, "/StructTreeRoot "));
	/* XMP uncompressed, with the PDF/UA identifier */
	assert_true(contains(data, len, "<pdfuaid:part>1</pdfuaid:part>"));
	size_t tlen;
	char *text = inflated(data, len, &tlen);
	/* a link annotation to the address, the creator */
	assert_true(contains(text, tlen, "/Annots["));
	assert_true(contains(text, tlen, "/S/URI/URI(https://www.liverpool.gov.uk/schools)"));
	/* info strings in PDFDocEncoding when they fit it */
	assert_true(contains(text, tlen, "/Creator(lettermerge)"));
	/* fonts as subsets addressed by glyph id, readable back through ToUnicode */
	assert_true(contains(text, tlen, "/CIDToGIDMap/Identity"));
	assert_true(contains(text, tlen, "/ToUnicode "));
	assert_true(contains(text, tlen, "/FontFile2 "));
	assert_true(contains(text, tlen, "LiberationSans"));
	free(text);
	free(data);

	/* the file and nothing else: no temporary left over */
	char names[4096];
	list_dir(fx->dir, names, sizeof(names));
	assert_string_equal(names, "letter.pdf");
}

static void test_save_replaces(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char path[1024];
	snprintf(path, sizeof(path), "%s/letter.pdf", fx->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("old contents", f);
	fclose(f);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, path, &d), 0);
	size_t len;
	char *data = slurp(path, &len);
	assert_non_null(data);
	assert_memory_equal(data, "%PDF-", 5);
	free(data);
	char names[4096];
	list_dir(fx->dir, names, sizeof(names));
	assert_string_equal(names, "letter.pdf");
}

static void test_pages_from_several_layouts(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char path[1024];
	snprintf(path, sizeof(path), "%s/print.pdf", fx->dir);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 3, path, &d), 0);
	size_t len;
	char *data = slurp(path, &len);
	assert_non_null(data);
	assert_true(contains(data, len, "/Count 3/"));
	free(data);
}

/* The parent "folder" is a plain file: nothing can be written there. */
static void test_save_fails_under_a_file(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char file[1024], path[1100];
	snprintf(file, sizeof(file), "%s/plain.txt", fx->dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/letter.pdf", file);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, path, &d), -1);
	assert_string_equal(d.file, path);
	assert_string_equal(d.msg, "cannot create the output file: Not a directory");
	char names[4096];
	list_dir(fx->dir, names, sizeof(names));
	assert_string_equal(names, "plain.txt");
}

/* The target is a folder: the finished file cannot be moved into place,
 * and its temporary is removed. */
static void test_save_fails_onto_a_folder(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char path[1024];
	snprintf(path, sizeof(path), "%s/letter.pdf", fx->dir);
	assert_int_equal(mkdir(path, 0777), 0);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, path, &d), -1);
	assert_string_equal(d.file, path);
	assert_string_equal(d.msg, "the output is a folder, not a file; lettermerge replaces only regular files: give another name");
	char names[4096];
	list_dir(fx->dir, names, sizeof(names));
	assert_string_equal(names, "letter.pdf"); /* the folder, and no *.tmp-* */
	list_dir(path, names, sizeof(names));
	assert_string_equal(names, "");
}

/* fileio.h: missing parent folders are created. */
static void test_save_creates_folders(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char path[1024];
	snprintf(path, sizeof(path), "%s/out/liverpool/letter.pdf", fx->dir);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, path, &d), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char sub[1024], names[4096];
	snprintf(sub, sizeof(sub), "%s/out/liverpool", fx->dir);
	list_dir(sub, names, sizeof(names));
	assert_string_equal(names, "letter.pdf");
}

static void test_reproducible(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay);
	char a[1024], b[1024];
	snprintf(a, sizeof(a), "%s/a.pdf", fx->dir);
	snprintf(b, sizeof(b), "%s/b.pdf", fx->dir);
	struct lm_diag d;
	assert_int_equal(write_pdf(&fx->lay, 1, a, &d), 0);
	assert_int_equal(write_pdf(&fx->lay, 1, b, &d), 0);
	size_t la, lb;
	char *da = slurp(a, &la), *db = slurp(b, &lb);
	assert_non_null(da);
	assert_non_null(db);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	free(da);
	free(db);
}

/* A page of one paragraph of `text`. */
static void one_text(struct lm_layout *lay, const char *text)
{
	lm_layout_init(lay, 595.276, 841.89);
	int para = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
	struct lm_box t = { .kind = LM_BOX_TEXT, .elem = para, .x = 72, .y = 700, .w = 100, .h = 11,
			    .face = LM_FACE_REGULAR, .text = lm_arena_strdup(lay->arena, text) };
	lm_layout_add(lay, 0, &t);
}

/* A character the file's subsets lack is refused, ASCII or not, wherever
 * it is in the text; what they hold passes. */
static void test_coverage(void **state)
{
	struct fixture *fx = *state;
	build_layout(&fx->lay); /* the subsets are made of its characters */
	struct lm_pdf pdf;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, &d), 0);
	assert_int_equal(lm_pdf_add(&pdf, &fx->lay, NULL, 0, &d), 0);
	static const struct {
		const char *text, *missing; /* NULL: all there */
	} cases[] = {
		{ "Dear Carer", NULL },
		{ "t\xC5\xB7 \xC2\xA3" "5 Dear", NULL },
		{ "Zed and all printable ASCII: the subsets always hold it", NULL },
		{ "\x7FZed", "U+007F" },
		{ "Dear Parent/Carer \x7F", "U+007F" },
		{ "Dear caf\xC3\xA9", "U+00E9" },
		{ "Dear\tParent", "U+0009" },
		{ "Dear Carer, Parent\x7F and more", "U+007F" },
		{ "Yours, Parent \xC3\xA9t\xC3\xA9 Carer", "U+00E9" },
		{ "Dear Par\xC3\xA9nt and more", "U+00E9" },
		{ "Dear Parent \xE2\x80\x93 Carer \xC2\xA3" "5, yours", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lm_layout lay;
		one_text(&lay, cases[i].text);
		lm_diag_clear(&d);
		int rc = lm_pdf_add(&pdf, &lay, NULL, 0, &d);
		if (cases[i].missing) {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(d.msg, cases[i].missing));
		} else {
			assert_int_equal(rc, 0);
		}
		lm_layout_release(&lay);
	}
	lm_pdf_release(&pdf);
}

/* A letter of three paragraphs, the second naming `who`. */
static void named(struct lm_layout *lay, const char *who)
{
	lm_layout_init(lay, 595.276, 841.89);
	const char *text[3] = { "Dear Parent", who, "Yours faithfully" };
	for (int k = 0; k < 3; k++) {
		int para = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
		struct lm_box t = { .kind = LM_BOX_TEXT, .elem = para, .x = 72, .y = 700 - 20 * k,
				    .w = 100, .h = 11, .face = LM_FACE_REGULAR,
				    .text = lm_arena_strdup(lay->arena, text[k]) };
		lm_layout_add(lay, 0, &t);
	}
}

/* In a print file a letter's own stream is the last letter's object only
 * when its bytes are the same (a copy), and what they share is one object. */
static void test_own_streams(void **state)
{
	(void)state;
	static const char *who[] = { "Ann", "Bob", "Bob", "Ann", "Bob", "Bob" };
	enum { N = sizeof(who) / sizeof(who[0]) };
	struct lm_pdf pdf;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, &d), 0);
	pdf.share_pages = 1;
	struct lm_layout lay[N];
	for (int i = 0; i < N; i++) {
		named(&lay[i], who[i]);
		assert_int_equal(lm_pdf_add(&pdf, &lay[i], NULL, 0, &d), 0);
	}
	assert_int_equal(lm_pdf_finish(&pdf, &d), 0);
	size_t len, rl;
	const char *bytes = lm_pdf_bytes(&pdf, &len);
	char *raw = inflated(bytes, len, &rl);
	for (size_t i = 0; i < rl; i++) /* glyph codes hold NUL bytes */
		if (!raw[i])
			raw[i] = ' ';
	/* each page's streams, in page order: the first letter's one, then
	 * shared, own, shared */
	unsigned c[N][3];
	int np = 0;
	for (const char *p = raw; (p = strstr(p, "/Type/Page/")); p++) {
		const char *k = strstr(p, "/Contents");
		assert_non_null(k);
		assert_true(np < N);
		if (!np) {
			assert_int_equal(sscanf(k, "/Contents %u 0 R", &c[0][0]), 1);
		} else {
			assert_int_equal(sscanf(k, "/Contents[%u 0 R %u 0 R %u 0 R]", &c[np][0], &c[np][1], &c[np][2]), 3);
			assert_int_equal(c[np][0], c[1][0]);
			assert_int_equal(c[np][2], c[1][2]);
		}
		np++;
	}
	assert_int_equal(np, N);
	assert_int_equal(c[2][1], c[1][1]); /* Bob again */
	assert_true(c[3][1] != c[2][1]);    /* Ann after Bob */
	assert_true(c[4][1] != c[3][1] && c[4][1] != c[2][1]); /* Bob after Ann: written again */
	assert_int_equal(c[5][1], c[4][1]);
	free(raw);
	for (int i = 0; i < N; i++)
		lm_layout_release(&lay[i]);
	lm_pdf_release(&pdf);
}

/* A file of `lay` made in memory; its bytes, malloc'd. */
static char *file_of(const struct lm_layout *lay, size_t *len)
{
	struct lm_pdf pdf;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdf_begin(&pdf, &fonts, &meta, &d), 0);
	assert_int_equal(lm_pdf_add(&pdf, lay, NULL, 0, &d), 0);
	assert_int_equal(lm_pdf_finish(&pdf, &d), 0);
	const char *b = lm_pdf_bytes(&pdf, len);
	char *copy = malloc(*len);
	memcpy(copy, b, *len);
	lm_pdf_release(&pdf);
	return copy;
}

/* Separate files of a run: a page's stream deflated for one file is
 * written again for the next file with the same operators (the same
 * bytes as deflating it again), and never for other operators. */
static void test_stream_cache(void **state)
{
	(void)state;
	struct lm_layout a, b;
	one_text(&a, "Dear Parent");
	one_text(&b, "Dear Carer");
	struct lm_cpset cps;
	lm_cpset_init(&cps);
	lm_cpset_add_utf8(&cps, "Dear Parent Carer", 17);
	struct lm_embed em;
	struct lm_diag d;
	lm_diag_clear(&d);
	lm_embed_init(&em);
	assert_int_equal(lm_embed_prepare(&em, &fonts, &cps, &d), 0);
	size_t la1, lb, la2;
	fonts.embed = &em;
	char *a1 = file_of(&a, &la1), *fb = file_of(&b, &lb), *a2 = file_of(&a, &la2);
	fonts.embed = NULL;
	size_t hits = 0, made = 0, cmaps = 0, cmap_hits = 0;
	for (int k = 0; k < LM_EMBED_STREAMS; k++) {
		if (!em.streams[k].z.len)
			continue;
		if (em.streams[k].fast) { /* pages */
			hits += em.streams[k].hits;
			made++;
		} else { /* the one-byte CMap, deflated at the default level */
			cmap_hits += em.streams[k].hits;
			cmaps++;
		}
	}
	assert_int_equal(made, 2);
	assert_int_equal(hits, 1); /* a2 from a1's */
	if (lm_embed_one_byte(&em.face[LM_FACE_REGULAR])) {
		assert_int_equal(cmaps, 1);
		assert_int_equal(cmap_hits, 2); /* made for a1, again in fb and a2 */
	}
	assert_int_equal(la1, la2);
	assert_memory_equal(a1, a2, la1);
	assert_true(lb != la1 || memcmp(fb, a1, lb));
	size_t ra, rb;
	char *ia = inflated(a2, la2, &ra), *ib = inflated(fb, lb, &rb);
	assert_true(ra != rb || memcmp(ia, ib, ra));
	free(ia);
	free(ib);
	free(a1);
	free(fb);
	free(a2);
	lm_embed_release(&em);
	lm_cpset_release(&cps);
	lm_layout_release(&a);
	lm_layout_release(&b);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fonts_dir = argv[1];
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_save),
		T(test_save_replaces),
		T(test_pages_from_several_layouts),
		T(test_save_fails_under_a_file),
		T(test_save_fails_onto_a_folder),
		T(test_save_creates_folders),
		T(test_reproducible),
		T(test_coverage),
		T(test_own_streams),
		T(test_stream_cache),
	};
	return cmocka_run_group_tests(tests, load_fonts, release_fonts);
}
