/*
 * core/query.c - postmap -q semantics over maps/ (see query.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/query.h"

struct query {
	struct map *m;
};

/* stale_warning - Postfix's "database X is older than source file Y",
 * given when the source is newer than the index and was last changed more
 * than 100 seconds ago (dict_cdb.c, dict_db.c); 0 or -1 (ENOMEM) */
static int
stale_warning(const struct map_ops *ops, const char *type, const char *name,
	      struct diag_list *dl)
{
	struct stat src, idx;
	char *index = map_index_path(ops, name);
	int r = 0;

	if (index == NULL)
		return -1;
	if (dl != NULL && stat(name, &src) == 0 && stat(index, &idx) == 0
	    && src.st_mtime > idx.st_mtime && time(NULL) - src.st_mtime > 100)
		r = diag_add(dl, DIAG_STALE_INDEX, name, 0, 0,
			     "database %s is older than source file %s: Postfix still answers "
			     "from the old entries; run \"pfconsole build %s:%s\"",
			     index, name, type, name);
	free(index);
	return r;
}

/* query_cidr_note - a cidr line Postfix skips (or an IF without ENDIF)
 * as a diagnostic in DL; rules kept add nothing.  0 or -1 (ENOMEM) */
int
query_cidr_note(struct diag_list *dl, const char *file, const struct map_cidr_note *n)
{
	switch (n->kind) {
	case MAP_CIDR_RULE:
		return 0;
	case MAP_CIDR_NO_ENDIF:
		return diag_add(dl, DIAG_SYNTAX, file, n->line, n->col,
				"cidr: IF has no matching ENDIF: when this IF does not match, "
				"Postfix stops the lookup here and no later rule is ever reached: "
				"add ENDIF");
	case MAP_CIDR_BAD_LINE:
		return diag_add(dl, DIAG_SYNTAX, file, n->line, n->col,
				"cidr: %s: Postfix skips this line", n->why);
	case MAP_CIDR_SKIPPED:
	default:
		return diag_add(dl, DIAG_SYNTAX, file, n->line, n->col,
				"cidr: %s: skipping this rule (as Postfix does)", n->why);
	}
}

struct cidr_notes {
	struct diag_list *dl;
	const char *file;
};

static int
cidr_note(void *ctx, const struct map_cidr_note *n)
{
	struct cidr_notes *c = ctx;

	return c->dl ? query_cidr_note(c->dl, c->file, n) : 0;
}

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
	if (ops->flags & MAP_SOURCE) {
		struct cidr_notes c = { dl, name };

		q->m = map_cidr_open(name, cidr_note, &c, err);
	} else if (ops->flags & MAP_PATTERN) {
		q->m = query_open_pattern(type, name, oflags | MAP_OPEN_SKIP_BAD, dl, err);
	} else {
		q->m = map_open(type, name, NULL, 0, oflags, err);
		if (q->m != NULL && stale_warning(ops, type, name, dl) < 0) {
			map_close(q->m);
			free(q);
			map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
			return NULL;
		}
	}
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

const char *
query_warning(const struct query *q)
{
	return q->m ? q->m->warning : "";
}

void
query_close(struct query *q)
{
	if (q == NULL)
		return;
	map_close(q->m);
	free(q);
}
