/* area.h - an area folder `areas/<id>/` as the template context.
 *
 * Reads area.csv, contacts.csv and signatories.csv (see docs/formats.md)
 * into one map of values:
 *
 *   area         map: field -> value, plus id (the folder's name) and
 *                logo_path (folder/logo) when a logo is given
 *   contacts     list of maps, one a row, every column a key
 *   groups       map: group -> list of the same contact maps, file order
 *   signatories  list of maps, every column a key, plus signature_path
 *                (empty, and area->no_signatories set, when the folder
 *                has no signatories.csv: the file is optional)
 *                when a signature is given and alt defaulted
 *
 * Every string read from a cell carries its file:line:col, so later checks
 * can point at the cell.  File names in cells (logo, signature) must name a
 * file in the folder itself, so an area folder stays self-contained.
 */
#ifndef LM_AREA_H
#define LM_AREA_H

#include <stddef.h>

#include "diag.h"

struct lm_arena;
struct lm_value;

/* Warnings loading an area may leave (one a file at most). */
#define LM_AREA_NOTES 4

struct lm_area {
	char *dir;            /* as given, owned */
	char *id;             /* the folder's base name, owned */
	struct lm_value *ctx; /* arena-owned; NULL until loaded */
	/* what a check should warn about: files read as Windows-1252
	 * because they are not UTF-8 */
	struct lm_diag notes[LM_AREA_NOTES];
	int nnotes;
	int no_signatories;   /* the folder has no signatories table: only a
				 letter with 'signatories: none' can be made */
};

void lm_area_init(struct lm_area *area);

/* Loads dir/area.csv, dir/contacts.csv and dir/signatories.csv.  Values are
 * allocated in `arena`, which the caller owns and must keep alive as long
 * as area->ctx is used.  Returns 0, or -1 with `d` filled (area->ctx is
 * then NULL; release the area either way). */
int lm_area_load(struct lm_area *area, struct lm_arena *arena, const char *dir,
		 struct lm_diag *d);

/* lm_area_load, reading the CSV files as `enc` (see csv.h). */
int lm_area_load_as(struct lm_area *area, struct lm_arena *arena, const char *dir,
		    int enc, struct lm_diag *d);
/* ... and with the delimiter `delim` (',' ';' '\t'; 0 finds it per file). */
int lm_area_load_with(struct lm_area *area, struct lm_arena *arena, const char *dir,
		      int enc, char delim, struct lm_diag *d);

/* One of an area's files held in memory (data NULL: the file is missing). */
struct lm_area_file {
	const char *data;
	size_t len;
};
struct lm_area_files {
	struct lm_area_file area, contacts, signatories;
};

/* lm_area_load_as of files held in memory.  `dir` names the area (its id
 * is the last part) and messages (dir/area.csv:3:1); images named in the
 * files are looked for in it.  Returns 0, or -1 with `d` filled. */
int lm_area_parse(struct lm_area *area, struct lm_arena *arena, const char *dir,
		  const struct lm_area_files *files, int enc, struct lm_diag *d);

/* Frees dir and id and re-initialises; the values stay in the arena. */
void lm_area_release(struct lm_area *area);

#endif
