#include "area.h"

#include "buf.h"
#include "csv.h"
#include "diag.h"
#include "names.h"
#include "suggest.h"
#include "utf8.h"
#include "value.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct loader {
	struct lm_arena *arena;
	const char *dir;
	struct lm_diag *d;
	int enc;
	const struct lm_area_files *mem; /* the files in memory, or NULL: read dir */
	char delim;
	struct lm_area *area;
	int missing;                     /* the last table loaded was not there */
	int no_signatories;              /* the area has no signatories table */
};

void lm_area_init(struct lm_area *area)
{
	memset(area, 0, sizeof(*area));
}

void lm_area_release(struct lm_area *area)
{
	free(area->dir);
	free(area->id);
	lm_area_init(area);
}

/* dir/name in the arena, so values can point at it as their origin;
 * trailing slashes of dir are dropped so messages read cleanly. */
static char *join(struct loader *L, const char *name)
{
	struct lm_buf b = LM_BUF_INIT;
	size_t n = strlen(L->dir);
	while (n > 1 && L->dir[n - 1] == '/')
		n--;
	lm_buf_add(&b, L->dir, n);
	if (n && L->dir[n - 1] != '/')
		lm_buf_addc(&b, '/');
	lm_buf_adds(&b, name);
	char *s = lm_arena_strndup(L->arena, b.ptr, b.len);
	lm_buf_release(&b);
	return s;
}

/* The folder's name, trailing slashes ignored; caller frees. */
static char *base_name(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t s = n;
	while (s > 0 && dir[s - 1] != '/')
		s--;
	return lm_xstrndup(dir + s, n - s);
}

/* Keeps the warning for a file read as Windows-1252 because it is not UTF-8. */
static int note_guess(struct loader *L, const struct lm_csv *csv)
{
	if (csv->guessed && L->area->nnotes < LM_AREA_NOTES)
		lm_csv_guess_warning(csv->path, csv->guess_line, csv->guess_col, csv->guess_byte,
				     &L->area->notes[L->area->nnotes++]);
	return 0;
}

/* "areas/liverpol": the folder beside it whose name is nearest to `id`,
 * as the user would type it (malloc'd), or NULL. */
static char *nearest_folder(const char *dir, const char *id)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t cut = n;
	while (cut > 0 && dir[cut - 1] != '/')
		cut--;
	char *parent = cut ? lm_xstrndup(dir, cut) : lm_xstrdup(".");
	DIR *dp = opendir(parent);
	char *found = NULL;
	if (dp) {
		struct lm_suggest sg;
		lm_suggest_init(&sg, id);
		struct dirent *e;
		char **names = NULL;
		size_t nn = 0, an = 0;
		while ((e = readdir(dp))) {
			if (e->d_name[0] == '.')
				continue;
			struct lm_buf p = LM_BUF_INIT;
			lm_buf_addf(&p, "%s/%s", parent, e->d_name);
			struct stat st;
			if (!stat(p.ptr, &st) && S_ISDIR(st.st_mode)) {
				LM_ALLOC_GROW(names, nn + 1, an);
				names[nn++] = lm_xstrdup(e->d_name);
			}
			lm_buf_release(&p);
		}
		closedir(dp);
		/* in name order, so the suggestion does not depend on the disk */
		for (size_t i = 1; i < nn; i++)
			for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		for (size_t i = 0; i < nn; i++)
			lm_suggest_add(&sg, names[i]);
		if (sg.best) {
			struct lm_buf b = LM_BUF_INIT;
			lm_buf_add(&b, dir, cut);
			lm_buf_adds(&b, sg.best);
			found = lm_buf_detach(&b, NULL);
		}
		for (size_t i = 0; i < nn; i++)
			free(names[i]);
		free(names);
	}
	free(parent);
	return found;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 || errno != ENOENT;
}

/* Loads the table `name` (area, contacts or signatories): from NAME.csv,
 * NAME.xlsx or NAME.ods (its sheet called NAME, else its first), else from
 * the sheet called NAME of the area's one workbook, area.xlsx or area.ods.
 * *pathp is what names it in messages (FILE, or FILE#SHEET). */
static int load_table(struct loader *L, const char *name, struct lm_csv *csv,
		      const char **pathp)
{
	static const char *const exts[] = { ".csv", ".xlsx", ".ods" };
	if (L->mem) {
		/* files in memory are CSV */
		const struct lm_area_file *f = !strcmp(name, "area") ? &L->mem->area
					       : !strcmp(name, "contacts") ? &L->mem->contacts
					       : &L->mem->signatories;
		struct lm_buf b = LM_BUF_INIT;
		lm_buf_addf(&b, "%s.csv", name);
		*pathp = join(L, b.ptr);
		lm_buf_release(&b);
		if (f->data)
			return lm_csv_parse_with(csv, *pathp, f->data, f->len,
						 (enum lm_input_encoding)L->enc, L->delim, L->d) ||
			       note_guess(L, csv) ? -1 : 0;
		L->missing = 1;
		return lm_diag_set(L->d, *pathp, 0, 0,
			"area file '%s.csv' is missing; every area folder needs "
			"area.csv, contacts.csv and signatories.csv", name);
	}
	char *found[3];
	size_t n = 0;
	for (size_t i = 0; i < 3; i++) {
		struct lm_buf b = LM_BUF_INIT;
		lm_buf_addf(&b, "%s%s", name, exts[i]);
		char *p = join(L, b.ptr);
		lm_buf_release(&b);
		if (exists(p))
			found[n++] = p;
	}
	*pathp = join(L, name);
	if (n > 1)
		return lm_diag_set(L->d, found[1], 0, 0,
			"both '%s' and '%s' are in the area folder; keep one of them "
			"(the other is perhaps an old copy)", found[0], found[1]);
	const char *path = n ? found[0] : NULL;
	int fallback = 1;
	if (!path && strcmp(name, "area")) {
		char *x = join(L, "area.xlsx"), *o = join(L, "area.ods");
		path = exists(x) ? x : exists(o) ? o : NULL;
		fallback = 0;
	}
	if (!path) {
		struct lm_buf b = LM_BUF_INIT;
		lm_buf_addf(&b, "%s.csv", name);
		*pathp = join(L, b.ptr);
		lm_buf_release(&b);
		L->missing = 1;
		return lm_diag_set(L->d, *pathp, 0, 0,
			"area file '%s.csv' is missing; every area folder needs area.csv, "
			"contacts.csv and signatories.csv (or the same as .xlsx or .ods files, or "
			"one area.xlsx or area.ods with sheets called area, contacts and "
			"signatories)", name);
	}
	int rc = lm_csv_load_sheet_with(csv, path, (enum lm_input_encoding)L->enc, L->delim, name,
					fallback, L->d);
	if (!rc)
		*pathp = lm_arena_strdup(L->arena, csv->path);
	return rc || note_guess(L, csv) ? -1 : 0;
}

/* `cols` is NULL-terminated; `list` names them all for the message. */
static int require_columns(struct loader *L, const struct lm_csv *csv,
			   const char *const *cols, const char *list)
{
	for (; *cols; cols++)
		if (lm_csv_column(csv, *cols) < 0)
			return lm_diag_set(L->d, csv->path, 1, 1,
				"column '%s' is missing from the header row; "
				"add it (this file needs the columns %s)", *cols, list);
	return 0;
}

static struct lm_value *cell_value(struct loader *L, const char *path,
				   const struct lm_csv_cell *c)
{
	struct lm_value *v = lm_value_string(L->arena, c->text, c->len);
	lm_value_set_origin(v, path, c->line, c->col);
	return v;
}

/* Ids and groups are names in templates ({{contacts.<id>.phone}}), so a
 * dot or a space would make them impossible to name. */
static int check_name(struct loader *L, const char *path,
		      const struct lm_csv_cell *c, const char *what)
{
	for (const char *s = c->text; *s; s++) {
		char ch = *s;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return lm_diag_set(L->d, path, c->line, c->col,
				"%s '%s' cannot be named in a letter; use only "
				"letters, digits, '_' and '-' (e.g. 'police_non_emergency')",
				what, c->text);
	}
	return 0;
}

/* A file named in a cell must be a readable regular file in the folder
 * itself; returns 0 and sets *out to dir/name (arena-owned), or -1. */
static int check_file(struct loader *L, const char *path,
		      const struct lm_csv_cell *c, const char *what,
		      const char **out)
{
	if (strchr(c->text, '/') || strchr(c->text, '\\') || c->text[0] == '.')
		return lm_diag_set(L->d, path, c->line, c->col,
			"%s file '%s' must be just a file name in the area folder "
			"(no '/' or '\\', not starting with '.'); copy the file into "
			"'%s' and give its name", what, c->text, L->dir);
	char *file = join(L, c->text);
	struct stat st;
	if (stat(file, &st) < 0) {
		if (errno == ENOENT)
			return lm_diag_set(L->d, path, c->line, c->col,
				"%s file '%s' is not in the area folder '%s'; "
				"copy it there or correct the name", what, c->text,
				L->dir);
		return lm_diag_setk(L->d, lm_diag_errno_kind(errno), path, c->line, c->col,
			"cannot use %s file '%s': %s", what, file, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return lm_diag_set(L->d, path, c->line, c->col,
			"%s file '%s' is not a regular file; give the name of "
			"an image file in '%s'", what, file, L->dir);
	if (access(file, R_OK) < 0)
		return lm_diag_setk(L->d, LM_KIND_SYSTEM, path, c->line, c->col,
			"cannot read %s file '%s': %s; check its permissions",
			what, file, strerror(errno));
	*out = file;
	return 0;
}

static int load_area_csv(struct loader *L, const char *id, struct lm_value **out)
{
	static const char *const cols[] = { "field", "value", NULL };
	static const char *const required[] = { "name", "partnership",
						"organisation", NULL };
	struct lm_csv csv;
	const char *path;
	int ret = -1;

	lm_csv_init(&csv);
	if (load_table(L, "area", &csv, &path) < 0 ||
	    require_columns(L, &csv, cols, "field,value") < 0)
		goto out;
	int fc = lm_csv_column(&csv, "field"), vc = lm_csv_column(&csv, "value");
	struct lm_value *map = lm_value_map(L->arena);
	const struct lm_csv_cell *logo = NULL;
	for (size_t r = 0; r < csv.nrows; r++) {
		const struct lm_csv_cell *f = lm_csv_get(&csv, r, (size_t)fc);
		const struct lm_csv_cell *v = lm_csv_get(&csv, r, (size_t)vc);
		if (!f->len) {
			lm_diag_set(L->d, path, f->line, f->col,
				"value '%s' has no field name; fill in the field "
				"or delete the row", v->text);
			goto out;
		}
		struct lm_value *old = lm_value_get(map, f->text);
		if (old) {
			/* its field cell is the row's first cell of that line */
			const char *first = NULL;
			for (size_t k = 0; k < r && !first; k++)
				if (lm_name_eq(lm_csv_get(&csv, k, (size_t)fc)->text, f->text))
					first = lm_csv_get(&csv, k, (size_t)fc)->text;
			if (first && strcmp(first, f->text))
				lm_diag_set(L->d, path, f->line, f->col,
					"fields '%s' (line %d) and '%s' have one name to a letter, "
					"which ignores case, spaces, '_', '-' and brackets; "
					"delete or rename one", first, old->line, f->text);
			else
				lm_diag_set(L->d, path, f->line, f->col,
					"field '%s' is given twice (first on line %d); "
					"delete one of the rows", f->text, old->line);
			goto out;
		}
		lm_value_set(L->arena, map, f->text, cell_value(L, path, v));
		if (lm_name_eq(f->text, "logo"))
			logo = v;
	}
	for (const char *const *k = required; *k; k++) {
		struct lm_value *v = lm_value_get(map, *k);
		if (!v) {
			lm_diag_set(L->d, path, 0, 0,
				"required field '%s' is missing; add a row "
				"'%s,<value>'", *k, *k);
			goto out;
		}
		if (lm_utf8_is_blank(v->str, v->len)) {
			lm_diag_set(L->d, path, v->line, v->col,
				"field '%s' is empty; fill in its value", *k);
			goto out;
		}
	}
	if (logo && logo->len) {
		const char *file;
		if (check_file(L, path, logo, "logo", &file) < 0)
			goto out;
		lm_value_set(L->arena, map, "logo_path",
			     lm_value_strz(L->arena, file));
	}
	/* the folder name wins: it is what the user typed to pick the area */
	lm_value_set(L->arena, map, "id", lm_value_strz(L->arena, id));
	*out = map;
	ret = 0;
out:
	lm_csv_release(&csv);
	return ret;
}

/* Row `r` as a map, every column a key. */
static struct lm_value *row_map(struct loader *L, const struct lm_csv *csv,
				const char *path, size_t r)
{
	struct lm_value *m = lm_value_map(L->arena);
	for (size_t c = 0; c < csv->ncols; c++)
		lm_value_set(L->arena, m, csv->header[c],
			     cell_value(L, path, lm_csv_get(csv, r, c)));
	return m;
}

static int load_contacts(struct loader *L, struct lm_value *ctx)
{
	static const char *const cols[] = { "id", "group", "service", NULL };
	struct lm_csv csv;
	const char *path;
	int ret = -1;

	lm_csv_init(&csv);
	if (load_table(L, "contacts", &csv, &path) < 0 ||
	    require_columns(L, &csv, cols, "id, group and service") < 0)
		goto out;
	size_t ic = (size_t)lm_csv_column(&csv, "id");
	size_t gc = (size_t)lm_csv_column(&csv, "group");
	size_t sc = (size_t)lm_csv_column(&csv, "service");
	struct lm_value *list = lm_value_list(L->arena);
	struct lm_value *groups = lm_value_map(L->arena);
	for (size_t r = 0; r < csv.nrows; r++) {
		const struct lm_csv_cell *id = lm_csv_get(&csv, r, ic);
		const struct lm_csv_cell *g = lm_csv_get(&csv, r, gc);
		const struct lm_csv_cell *s = lm_csv_get(&csv, r, sc);
		if (!id->len) {
			lm_diag_set(L->d, path, id->line, id->col,
				"contact has no id; fill in the id (e.g. "
				"'police_non_emergency') or delete the row");
			goto out;
		}
		if (check_name(L, path, id, "contact id") < 0)
			goto out;
		struct lm_value *old = lm_value_get(list, id->text);
		if (old) {
			lm_diag_set(L->d, path, id->line, id->col,
				"contact id '%s' is used twice (first on line %d); "
				"ids must be unique, so rename or delete one",
				id->text, lm_value_get(old, "id")->line);
			goto out;
		}
		if (!g->len) {
			lm_diag_set(L->d, path, g->line, g->col,
				"contact '%s' has no group; fill it in (e.g. local, "
				"national, emergency, web)", id->text);
			goto out;
		}
		if (check_name(L, path, g, "group") < 0)
			goto out;
		if (!s->len) {
			lm_diag_set(L->d, path, s->line, s->col,
				"contact '%s' has no service name; fill it in",
				id->text);
			goto out;
		}
		struct lm_value *m = row_map(L, &csv, path, r);
		lm_value_push(L->arena, list, m);
		struct lm_value *gl = lm_value_get(groups, g->text);
		if (!gl) {
			gl = lm_value_list(L->arena);
			lm_value_set(L->arena, groups, g->text, gl);
		}
		lm_value_push(L->arena, gl, m);
	}
	lm_value_set(L->arena, ctx, "contacts", list);
	lm_value_set(L->arena, ctx, "groups", groups);
	ret = 0;
out:
	lm_csv_release(&csv);
	return ret;
}

static int load_signatories(struct loader *L, struct lm_value *ctx)
{
	static const char *const cols[] = { "id", "name", NULL };
	struct lm_csv csv;
	const char *path;
	int ret = -1;

	lm_csv_init(&csv);
	L->missing = 0;
	if (load_table(L, "signatories", &csv, &path) < 0 && L->missing) {
		/* an area whose letters are signed by no one (signatories:
		 * none) needs none; a letter that is signed says so */
		if (L->d)
			lm_diag_clear(L->d);
		lm_value_set(L->arena, ctx, "signatories", lm_value_list(L->arena));
		L->no_signatories = 1;
		ret = 0;
		goto out;
	}
	if (L->missing || require_columns(L, &csv, cols, "id and name") < 0)
		goto out;
	size_t ic = (size_t)lm_csv_column(&csv, "id");
	size_t nc = (size_t)lm_csv_column(&csv, "name");
	int sigc = lm_csv_column(&csv, "signature");
	struct lm_value *list = lm_value_list(L->arena);
	for (size_t r = 0; r < csv.nrows; r++) {
		const struct lm_csv_cell *id = lm_csv_get(&csv, r, ic);
		const struct lm_csv_cell *name = lm_csv_get(&csv, r, nc);
		if (!id->len) {
			lm_diag_set(L->d, path, id->line, id->col,
				"signatory has no id; fill in the id (e.g. "
				"'director') or delete the row");
			goto out;
		}
		if (check_name(L, path, id, "signatory id") < 0)
			goto out;
		struct lm_value *old = lm_value_get(list, id->text);
		if (old) {
			lm_diag_set(L->d, path, id->line, id->col,
				"signatory id '%s' is used twice (first on line %d); "
				"ids must be unique, so rename or delete one",
				id->text, lm_value_get(old, "id")->line);
			goto out;
		}
		if (!name->len) {
			lm_diag_set(L->d, path, name->line, name->col,
				"signatory '%s' has no name; fill it in", id->text);
			goto out;
		}
		struct lm_value *m = row_map(L, &csv, path, r);
		if (sigc >= 0) {
			const struct lm_csv_cell *sig = lm_csv_get(&csv, r, (size_t)sigc);
			const char *file;
			if (sig->len) {
				if (check_file(L, path, sig, "signature", &file) < 0)
					goto out;
				lm_value_set(L->arena, m, "signature_path",
					     lm_value_strz(L->arena, file));
			}
		}
		if (!lm_value_str(m, "alt", "")[0]) {
			struct lm_buf b = LM_BUF_INIT;
			lm_buf_addf(&b, "Signature of %s", name->text);
			lm_value_set(L->arena, m, "alt",
				     lm_value_string(L->arena, b.ptr, b.len));
			lm_buf_release(&b);
		}
		lm_value_push(L->arena, list, m);
	}
	lm_value_set(L->arena, ctx, "signatories", list);
	ret = 0;
out:
	lm_csv_release(&csv);
	return ret;
}

/* The three files into area->ctx. */
static int load(struct loader *L, struct lm_area *area)
{
	struct lm_arena *arena = L->arena;
	struct lm_value *ctx = lm_value_map(arena);
	struct lm_value *map;
	if (load_area_csv(L, area->id, &map) < 0)
		return -1;
	lm_value_set(arena, ctx, "area", map);
	if (load_contacts(L, ctx) < 0 || load_signatories(L, ctx) < 0)
		return -1;
	area->no_signatories = L->no_signatories;
	area->ctx = ctx;
	return 0;
}

int lm_area_load(struct lm_area *area, struct lm_arena *arena, const char *dir,
		 struct lm_diag *d)
{
	return lm_area_load_as(area, arena, dir, LM_INPUT_AUTO, d);
}

int lm_area_load_as(struct lm_area *area, struct lm_arena *arena, const char *dir,
		    int enc, struct lm_diag *d)
{
	return lm_area_load_with(area, arena, dir, enc, 0, d);
}

int lm_area_load_with(struct lm_area *area, struct lm_arena *arena, const char *dir,
		      int enc, char delim, struct lm_diag *d)
{
	struct loader L = { arena, dir, d, enc, NULL, delim, area, 0, 0 };
	struct stat st;

	lm_area_release(area);
	area->dir = lm_xstrdup(dir);
	area->id = base_name(dir);
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT) {
			char *near = nearest_folder(dir, area->id);
			if (near) {
				lm_diag_set(d, dir, 0, 0, "area folder '%s' does not exist; did you mean '%s'?",
					    dir, near);
				free(near);
				return -1;
			}
			return lm_diag_set(d, dir, 0, 0,
				"area folder '%s' does not exist; check the area "
				"id, or create the folder with area.csv, "
				"contacts.csv and signatories.csv", dir);
		}
		return lm_diag_setk(d, lm_diag_errno_kind(errno), dir, 0, 0,
				    "cannot use area folder '%s': %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return lm_diag_set(d, dir, 0, 0,
			"area '%s' is not a folder; give the area's folder "
			"(e.g. areas/liverpool)", dir);
	if (!area->id[0] || !strcmp(area->id, "/") || !strcmp(area->id, ".") ||
	    !strcmp(area->id, ".."))
		return lm_diag_set(d, dir, 0, 0,
			"cannot tell the area id from '%s'; give the folder by "
			"its name (e.g. areas/liverpool)", dir);

	return load(&L, area);
}

int lm_area_parse(struct lm_area *area, struct lm_arena *arena, const char *dir,
		  const struct lm_area_files *files, int enc, struct lm_diag *d)
{
	struct loader L = { arena, dir, d, enc, files, 0, area, 0, 0 };
	lm_area_release(area);
	area->dir = lm_xstrdup(dir);
	area->id = base_name(dir);
	if (!area->id[0] || !strcmp(area->id, "/") || !strcmp(area->id, ".") ||
	    !strcmp(area->id, ".."))
		return lm_diag_set(d, dir, 0, 0, "cannot tell the area id from '%s'", dir);
	return load(&L, area);
}
