/*
 * core/build.h - `build`: validate table sources, then rebuild their
 * indexes atomically through the maps/ builders.
 *
 * build_one() builds one TYPE:PATH: the source is parsed with kvparse
 * (problems go to DL with the source's FILE:LINE:COL), every entry is put
 * (keys folded as postmap folds them, first duplicate wins and is reported
 * as duplicate-key), and the index is committed atomically (maps/atomic.h).
 * When DL receives an error for the source, the temporary is removed and
 * the old index is left untouched.
 *
 * A struct build_job collects targets (explicit TYPE:PATH references, or
 * every stale indexed table DIR/main.cf references) and runs them: each
 * source is validated by core/check (in a thread, while the temporary index
 * is written); each index is committed unless an error (with BUILD_STRICT:
 * or a warning) was found in its own source: a broken table never keeps
 * the clean ones from being built.  Nothing here prints.
 */
#ifndef CORE_BUILD_H
#define CORE_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "maps/map.h"

enum {
	BUILD_NOFOLD = 1,           /* do not fold keys (postmap -f) */
	BUILD_NO_DUP_WARN = 2,      /* do not report duplicate keys (the caller's check did) */
	BUILD_UNIQUE = 4,           /* the caller's check found no duplicate keys: the
	                             * builder may skip its own detection */
	BUILD_STRICT = 8,           /* a warning in a table keeps it from being built,
	                             * as an error does (build --strict) */
};

struct build_stats {
	size_t entries;             /* entries stored */
	size_t duplicates;          /* entries dropped as duplicates */
};

/*
 * build_one - build TYPE:PATH.  Returns 1 built, 0 not built because DL got
 * an error for PATH (nothing written), -1 on an environment failure (ERR
 * filled: source unreadable, write/rename failed, type cannot be built).
 */
int build_one(const char *type, const char *path, unsigned flags, struct diag_list *dl,
	      struct build_stats *st, struct map_error *err);

struct build_target {
	char *type;
	char *path;                 /* source path */
	char *index;                /* index path (PATH + suffix) */
	int state;                  /* BUILD_PENDING, BUILD_DONE, BUILD_SKIPPED, BUILD_FAILED */
	struct build_stats stats;
	char *error;                /* environment failure text, or NULL */
	bool checked;               /* already validated (build_job_add_config) */
};

enum { BUILD_PENDING, BUILD_DONE, BUILD_SKIPPED, BUILD_FAILED, BUILD_UP_TO_DATE };

struct build_job {
	struct diag_list diags;
	struct build_target *v;
	size_t n, cap;
	unsigned flags;
	const char *dir;            /* configuration directory (roles, classes); may be NULL */
};

/* build_job_init - an empty job.  job->dir (NULL; build_job_add_config sets
 * it, a caller may too; borrowed) names the configuration whose main.cf
 * decides how explicit targets are validated (their role, the classes). */
void build_job_init(struct build_job *job, unsigned flags);
void build_job_fini(struct build_job *job);

/*
 * build_job_add_ref - add "TYPE:PATH" (copied).  A malformed reference or a
 * type that cannot be built is a DIAG_BAD_REFERENCE error in job->diags.
 * 0 or -1 (ENOMEM).
 */
int build_job_add_ref(struct build_job *job, const char *ref);

/*
 * build_job_add_config - validate DIR/main.cf and every table it references
 * (core/check.h) into job->diags, and add every indexed table whose index is
 * stale or absent.  0 or -1 (ENOMEM).
 */
int build_job_add_config(struct build_job *job, const char *dir);

/*
 * build_job_run - validate every target not yet validated (core/check.h, by
 * the role main.cf gives it, else guessed from its name) while writing its
 * temporary index; then commit each whose source has no error (BUILD_STRICT:
 * and no warning).  Returns 0 all built, 1 errors found anywhere (the
 * tables with errors were not written, the others were), 2 an environment
 * failure (see each target's error; other targets may have been built),
 * -1 ENOMEM.  Each target's state says what happened to it.
 */
int build_job_run(struct build_job *job);

#endif
