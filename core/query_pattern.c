/*
 * core/query_pattern.c - open a regexp:/pcre: table from its source for
 * query.  Placeholder until core/pattern.c (the one pattern-file parser)
 * is in the tree: such tables are reported as not supported yet.
 */
#include "config.h"

#include <errno.h>

#include "core/query.h"

struct map *
query_open_pattern(const char *type, const char *name, unsigned open_flags,
		   struct diag_list *dl, struct map_error *err)
{
	(void)open_flags;
	(void)dl;
	map_error_set(err, ENOSYS, "%s:%s: pattern tables cannot be queried yet", type, name);
	return NULL;
}
