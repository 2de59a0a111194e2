/*
 * core/query.h - `query`: postmap -q semantics.
 *
 * query_open() opens TYPE:NAME for lookups of exactly the key given
 * (folded for fixed-key types unless QUERY_NOFOLD, as postmap -f):
 * indexed types are answered from the built file (NAME.cdb, NAME.db ...),
 * regexp/pcre from the source, parsed with core/pattern.h, cidr from the
 * source by maps/map_cidr.c; rules Postfix
 * drops are reported in DL and left out, as postmap does.
 * A hit's value belongs to the query and is valid until the next call.
 * Nothing here prints.
 */
#ifndef CORE_QUERY_H
#define CORE_QUERY_H

#include <stddef.h>

#include "core/diag.h"
#include "maps/map.h"

enum {
	QUERY_NOFOLD = 1,           /* postmap -f */
};

struct query;

/* query_open - NULL with ERR filled (open database X: reason ...) */
struct query *query_open(const char *type, const char *name, unsigned flags,
			 struct diag_list *dl, struct map_error *err);
/* query_lookup - 1 found (HIT filled), 0 not found, -1 error (ERR) */
int query_lookup(struct query *q, const char *key, size_t klen, struct map_hit *hit,
		 struct map_error *err);
/* query_warning - the last lookup's warning ("" when none): a pattern rule
 * skipped after a matching error, as Postfix does */
const char *query_warning(const struct query *q);
void query_close(struct query *q);

/* query_cidr_note - a cidr line Postfix skips, as a diagnostic (a
 * syntax error at FILE:LINE:COL); nothing for a rule kept.  0 or -1 */
int query_cidr_note(struct diag_list *dl, const char *file, const struct map_cidr_note *n);

/* query_open_pattern - the pattern-table part (query_pattern.c) */
struct map *query_open_pattern(const char *type, const char *name, unsigned open_flags,
			       struct diag_list *dl, struct map_error *err);

#endif
