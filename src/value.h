/* value.h - the data a template is expanded against.
 *
 * A tree of strings, lists and maps, every node allocated from one
 * `struct lm_arena` and freed with it at once: the arena is the single owner,
 * so nodes may be shared (an area's contact is both in `contacts` and in
 * `groups.local`) without reference counts.
 *
 * Name look-up (`lm_value_get`) on a map finds the key; on a list it finds the
 * item that is a map whose "id" is the name, so `contacts.police.phone` picks
 * the contact with id "police" from the list a section can also loop over.
 *
 * Every node may carry the place it was read from (file:line:col), so a later
 * check can point at the CSV cell that holds a wrong phone number.
 */
#ifndef LM_VALUE_H
#define LM_VALUE_H

#include <stddef.h>

struct lm_arena;

/* Returns a new arena; free it with lm_arena_free(). */
struct lm_arena *lm_arena_new(void);
void lm_arena_free(struct lm_arena *a);
/* Memory owned by the arena, 16-byte aligned, zero-filled. */
void *lm_arena_alloc(struct lm_arena *a, size_t n);
/* A copy of n bytes owned by the arena, 16-byte aligned. */
void *lm_arena_memdup(struct lm_arena *a, const void *src, size_t n);
/* A NUL-terminated copy owned by the arena. */
char *lm_arena_strndup(struct lm_arena *a, const char *s, size_t n);
char *lm_arena_strdup(struct lm_arena *a, const char *s);

enum lm_value_kind { LM_VALUE_STRING, LM_VALUE_LIST, LM_VALUE_MAP };

struct lm_value {
	enum lm_value_kind kind;
	/* LM_VALUE_STRING: NUL-terminated, `len` bytes of UTF-8 */
	const char *str;
	size_t len;
	/* LM_VALUE_LIST and LM_VALUE_MAP: `n` items; maps also have keys, and
	 * hashes[i] is lm_name_hash(keys[i]) (names.h): a look-up compares
	 * names only where the hashes agree */
	struct lm_value **items;
	const char **keys;
	unsigned *hashes;
	size_t n, alloc;
	/* where it came from; file NULL when made up by the program */
	const char *file;
	int line, col;
};

struct lm_value *lm_value_string(struct lm_arena *a, const char *s, size_t len);
struct lm_value *lm_value_strz(struct lm_arena *a, const char *s);
struct lm_value *lm_value_list(struct lm_arena *a);
struct lm_value *lm_value_map(struct lm_arena *a);
/* Records where a value came from; `file` must outlive the arena or be arena-owned. */
void lm_value_set_origin(struct lm_value *v, const char *file, int line, int col);

void lm_value_push(struct lm_arena *a, struct lm_value *list, struct lm_value *item);
/* Sets `key` (copied into the arena) in `map`, replacing an existing entry. */
/* lm_value_set for a key the caller knows is not in `map` yet: no search. */
void lm_value_append(struct lm_arena *a, struct lm_value *map, const char *key,
		     struct lm_value *item);
void lm_value_set(struct lm_arena *a, struct lm_value *map, const char *key,
		  struct lm_value *item);

/* One name: map key, or list item with that "id".  NULL if absent. */
struct lm_value *lm_value_get(const struct lm_value *v, const char *name);
/* The same for name[0 .. len) whose lm_name_hash (names.h) is `hash`: a
 * template hashes each name it holds once. */
struct lm_value *lm_value_get_hashed(const struct lm_value *v, const char *name, size_t len,
				     unsigned hash);
/* Dotted path "a.b.c"; NULL if any step is absent. */
struct lm_value *lm_value_path(const struct lm_value *v, const char *path);
/* String of a map entry, or `dflt` when absent or not a string. */
const char *lm_value_str(const struct lm_value *map, const char *name, const char *dflt);

/* Mustache truthiness: absent, "" (or only spaces and zero-width
 * characters: it prints nothing), "false", "no", "0" and empty lists are false. */
int lm_value_truthy(const struct lm_value *v);

#endif
