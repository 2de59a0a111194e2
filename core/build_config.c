/*
 * core/build_config.c - the tables `build` rebuilds when given no
 * TYPE:PATH (build_job_add_config in build.h): core/check.h validates
 * DIR/main.cf and every table it references; each indexed table whose
 * index is absent, older than its source or unreadable becomes a target,
 * and the stale-index and unreadable-map diagnostics the build fixes are
 * dropped.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/build.h"
#include "core/check.h"

/* fixed_by_build - D is the stale-index finding of a table in TARGETS */
static bool
fixed_by_build(const struct diag *d, const struct check_result *res, const bool *targets)
{
	size_t i;

	if (d->code != DIAG_STALE_INDEX && d->code != DIAG_UNREADABLE_MAP)
		return false;
	for (i = 0; i < res->ntables; i++)
		if (targets[i] && res->tables[i].line == d->line && res->tables[i].col == d->col)
			return true;
	return false;
}

/* build_job_add_config - validate DIR/main.cf, add its stale indexed tables */
int
build_job_add_config(struct build_job *job, const char *dir)
{
	struct check_result res;
	bool *targets;
	size_t i;
	int ret = 0;

	job->dir = dir;
	check_result_init(&res);
	if (check_config(dir, 0, &res) < 0) {
		check_result_fini(&res);
		return -1;
	}
	if ((targets = calloc(res.ntables + 1, sizeof(*targets))) == NULL) {
		check_result_fini(&res);
		return -1;
	}
	for (i = 0; i < res.ntables && ret == 0; i++) {
		const struct check_table *t = &res.tables[i];
		const struct map_ops *ops = map_find_type(t->type);
		char *ref;
		size_t n;

		/* aliases(5) files are built by newaliases/postalias, not postmap */
		/* a table with errors is a target too: it is not built (build_job_run
		 * skips it), and saying so is how the admin learns which were not */
		if ((t->state != CHECK_STALE && t->state != CHECK_ERRORS) || ops == NULL
		    || !(ops->flags & MAP_INDEXED) || t->role == MAINCF_ROLE_ALIAS)
			continue;
		n = strlen(t->type) + strlen(t->path) + 2;
		if ((ref = malloc(n)) == NULL) {
			ret = -1;
			break;
		}
		snprintf(ref, n, "%s:%s", t->type, t->path);
		ret = build_job_add_ref(job, ref);
		free(ref);
		if (ret == 0) {
			job->v[job->n - 1].checked = true;
			targets[i] = t->state == CHECK_STALE;
		}
	}
	for (i = 0; i < res.diags.n && ret == 0; i++) {
		const struct diag *d = &res.diags.v[i];

		if (fixed_by_build(d, &res, targets))
			continue;
		ret = diag_add_sev(&job->diags, d->severity, d->code, d->file, d->line, d->col, "%s",
				   d->message);
	}
	free(targets);
	check_result_fini(&res);
	return ret;
}
