/*
 * core/query.c - postmap -q semantics over maps/ (see query.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"

struct query {
	struct map *m;
};

/* query_open - open TYPE:NAME */
struct query *
query_open(const char *type, const char *name, unsigned flags, struct diag_list *dl,
	   struct map_error *err)
{
	const struct map_ops *ops = map_find_type(type);
	unsigned oflags = (flags & QUERY_NOFOLD) ? MAP_OPEN_NOFOLD : 0;
	struct query *q;

	if (ops == NULL) {
		map_error_set(err, 0, "unsupported dictionary type: %s", type);
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (ops->flags & MAP_PATTERN)
		q->m = query_open_pattern(type, name, oflags | MAP_OPEN_SKIP_BAD, dl, err);
	else
		q->m = map_open(type, name, NULL, 0, oflags, err);
	if (q->m == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

/* query_lookup - one lookup of exactly KEY */
int
query_lookup(struct query *q, const char *key, size_t klen, struct map_hit *hit,
	     struct map_error *err)
{
	return map_lookup(q->m, key, klen, hit, err);
}

void
query_close(struct query *q)
{
	if (q == NULL)
		return;
	map_close(q->m);
	free(q);
}
