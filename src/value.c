#include "value.h"

#include "names.h"

#include "buf.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Chunks are chained; big requests get a chunk of their own. */
struct lm_chunk {
	struct lm_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct lm_arena {
	struct lm_chunk *head;
};

#define LM_CHUNK_SIZE (64 * 1024 - sizeof(struct lm_chunk))

struct lm_arena *lm_arena_new(void)
{
	return lm_xcalloc(1, sizeof(struct lm_arena));
}

void lm_arena_free(struct lm_arena *a)
{
	if (!a)
		return;
	struct lm_chunk *c = a->head;
	while (c) {
		struct lm_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

/* n bytes (rounded up to 16) of the arena, as they were. */
static void *arena_take(struct lm_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct lm_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > LM_CHUNK_SIZE ? n : LM_CHUNK_SIZE;
		struct lm_chunk *nc = lm_xmalloc(sizeof(*nc) + size);
		nc->used = 0;
		nc->size = size;
		if (n > LM_CHUNK_SIZE / 4 && c) {
			/* keep the current chunk open for small requests */
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void *lm_arena_alloc(struct lm_arena *a, size_t n)
{
	void *p = arena_take(a, n);
	memset(p, 0, (n + 15) & ~(size_t)15);
	return p;
}

void *lm_arena_memdup(struct lm_arena *a, const void *src, size_t n)
{
	/* not zero-filled first: a laid-out body copied for each letter is
	 * tens of kilobytes (frame.c) */
	char *p = arena_take(a, n ? n : 1);
	size_t pad = ((n ? n : 1) + 15) & ~(size_t)15;
	memcpy(p, src, n);
	memset(p + n, 0, pad - n);
	return p;
}

char *lm_arena_strndup(struct lm_arena *a, const char *s, size_t n)
{
	char *p = lm_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lm_arena_strdup(struct lm_arena *a, const char *s)
{
	return lm_arena_strndup(a, s, strlen(s));
}

struct lm_value *lm_value_string(struct lm_arena *a, const char *s, size_t len)
{
	struct lm_value *v = lm_arena_alloc(a, sizeof(*v));
	v->kind = LM_VALUE_STRING;
	v->str = lm_arena_strndup(a, s, len);
	v->len = len;
	return v;
}

struct lm_value *lm_value_strz(struct lm_arena *a, const char *s)
{
	return lm_value_string(a, s, strlen(s));
}

struct lm_value *lm_value_list(struct lm_arena *a)
{
	struct lm_value *v = lm_arena_alloc(a, sizeof(*v));
	v->kind = LM_VALUE_LIST;
	v->str = "";
	return v;
}

struct lm_value *lm_value_map(struct lm_arena *a)
{
	struct lm_value *v = lm_arena_alloc(a, sizeof(*v));
	v->kind = LM_VALUE_MAP;
	v->str = "";
	return v;
}

void lm_value_set_origin(struct lm_value *v, const char *file, int line, int col)
{
	v->file = file;
	v->line = line;
	v->col = col;
}

/* Arrays live in the arena too; growth copies, so at most half is waste. */
static void grow(struct lm_arena *a, struct lm_value *v)
{
	if (v->n < v->alloc)
		return;
	size_t alloc = v->alloc ? v->alloc * 2 : 8;
	struct lm_value **items = lm_arena_alloc(a, alloc * sizeof(*items));
	if (v->n)
		memcpy(items, v->items, v->n * sizeof(*items));
	v->items = items;
	if (v->kind == LM_VALUE_MAP) {
		const char **keys = lm_arena_alloc(a, alloc * sizeof(*keys));
		unsigned *hashes = lm_arena_alloc(a, alloc * sizeof(*hashes));
		if (v->n) {
			memcpy(keys, v->keys, v->n * sizeof(*keys));
			memcpy(hashes, v->hashes, v->n * sizeof(*hashes));
		}
		v->keys = keys;
		v->hashes = hashes;
	}
	v->alloc = alloc;
}

void lm_value_push(struct lm_arena *a, struct lm_value *list, struct lm_value *item)
{
	grow(a, list);
	list->items[list->n++] = item;
}

void lm_value_set(struct lm_arena *a, struct lm_value *map, const char *key,
		  struct lm_value *item)
{
	size_t len = strlen(key);
	unsigned h = lm_name_hash(key, len);
	/* the same key is the same name: the same hash */
	for (size_t i = 0; i < map->n; i++) {
		if (map->hashes[i] == h && !strcmp(map->keys[i], key)) {
			map->items[i] = item;
			return;
		}
	}
	grow(a, map);
	map->keys[map->n] = lm_arena_strndup(a, key, len);
	map->hashes[map->n] = h;
	map->items[map->n++] = item;
}

void lm_value_append(struct lm_arena *a, struct lm_value *map, const char *key,
		     struct lm_value *item)
{
	size_t len = strlen(key);
	grow(a, map);
	map->keys[map->n] = lm_arena_strndup(a, key, len);
	map->hashes[map->n] = lm_name_hash(key, len);
	map->items[map->n++] = item;
}

/* The hash of "id", the name a list's items are looked up by. */
#define ID_HASH ((2166136261u ^ 'i') * 16777619u ^ 'd') * 16777619u

static struct lm_value *get_h(const struct lm_value *v, const char *name, size_t len, unsigned h)
{
	if (!v)
		return NULL;
	if (v->kind == LM_VALUE_MAP) {
		/* the key as written, else the first that is the same name as
		 * people write names (names.h): {{recipient.county_name}} reads
		 * the column "County (name)"; either has the name's hash */
		struct lm_value *same = NULL;
		for (size_t i = 0; i < v->n; i++) {
			if (v->hashes[i] != h)
				continue;
			if (!strncmp(v->keys[i], name, len) && v->keys[i][len] == '\0')
				return v->items[i];
			if (!same && lm_name_eq_n(v->keys[i], name, len))
				same = v->items[i];
		}
		return same;
	} else if (v->kind == LM_VALUE_LIST) {
		for (size_t i = 0; i < v->n; i++) {
			struct lm_value *id = get_h(v->items[i], "id", 2, ID_HASH);
			if (v->items[i]->kind == LM_VALUE_MAP && id &&
			    id->kind == LM_VALUE_STRING && id->len == len &&
			    !strncmp(id->str, name, len))
				return v->items[i];
		}
	}
	return NULL;
}

static struct lm_value *get_n(const struct lm_value *v, const char *name, size_t len)
{
	/* a list compares ids as written: no hash */
	return v ? get_h(v, name, len, v->kind == LM_VALUE_MAP ? lm_name_hash(name, len) : 0) : NULL;
}

struct lm_value *lm_value_get(const struct lm_value *v, const char *name)
{
	return get_n(v, name, strlen(name));
}

struct lm_value *lm_value_get_hashed(const struct lm_value *v, const char *name, size_t len,
				     unsigned hash)
{
	return get_h(v, name, len, hash);
}

struct lm_value *lm_value_path(const struct lm_value *v, const char *path)
{
	const char *p = path;
	struct lm_value *cur = (struct lm_value *)v;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		cur = get_n(cur, p, len);
		if (!cur || !dot)
			return cur;
		p = dot + 1;
	}
}

const char *lm_value_str(const struct lm_value *map, const char *name, const char *dflt)
{
	struct lm_value *v = lm_value_get(map, name);
	return v && v->kind == LM_VALUE_STRING ? v->str : dflt;
}

int lm_value_truthy(const struct lm_value *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case LM_VALUE_STRING:
		/* a value that prints nothing (spaces, a zero-width space) is
		 * as good as absent: no "Email: " line with nothing after it */
		return !lm_utf8_is_blank(v->str, v->len) && strcmp(v->str, "false") && strcmp(v->str, "no") &&
		       strcmp(v->str, "0");
	case LM_VALUE_LIST:
		return v->n > 0;
	case LM_VALUE_MAP:
		return 1;
	}
	return 0;
}
