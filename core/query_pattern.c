/*
 * core/query_pattern.c - open a regexp:/pcre: table from its source for
 * query: parsed with core/pattern.h (the one pattern-file parser), bad
 * rules reported in DL and dropped, as postmap does.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/pattern.h"
#include "core/query.h"

struct map *
query_open_pattern(const char *type, const char *name, unsigned open_flags,
		   struct diag_list *dl, struct map_error *err)
{
	struct pattern_table pt;
	struct map *m;

	(void)open_flags;
	pattern_table_init(&pt, pattern_dialect_for_type(type));
	if (pattern_parse_file(&pt, name, 0, dl) < 0) {
		int e = errno;

		pattern_table_fini(&pt);
		map_error_set(err, e, "open %s: %s", name, strerror(e));
		return NULL;
	}
	if (pattern_compile_check(&pt, type, name, dl) < 0 && errno == ENOMEM) {
		pattern_table_fini(&pt);
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	m = pattern_open(&pt, type, name, err);
	pattern_table_fini(&pt);
	return m;
}
