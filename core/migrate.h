/*
 * core/migrate.h - move main.cf's and master.cf's tables from one indexed
 * type to another (hash -> cdb, hash -> lmdb) as Berkeley DB leaves the
 * distributions.
 *
 * migrate_plan() finds every reference of type FROM written literally in
 * main.cf or in a master.cf "-o" override (proxy:FROM:NAME too) and plans,
 * per line, the new text (FROM: -> TO:), and per table source the index to
 * build.  Not migrated, and said so: alias tables (alias_maps,
 * alias_database: built by postalias, not postmap), references that come
 * from a $name expansion or from a default, tables whose source is missing.
 *
 * migrate_apply() then builds the new indexes (the real postmap, by
 * absolute path from command_directory: the same entries the old index
 * holds, whatever check thinks of them), writes main.cf
 * and master.cf with the editor's atomic save (core/tabledoc: temporary,
 * fsync, rename; FILE~ kept), runs `postfix check`, and reloads when
 * Postfix runs.  (The tables' own problems are `check`'s business: they do
 * not stop a migration that leaves them as they were.)  When a step fails,
 * main.cf and master.cf get their old text back.  The old index files stay; they
 * are removed only with MIGRATE_REMOVE_OLD and only after the reload
 * succeeded.  A migration that went through writes the audit line as Apply
 * does (core/apply: "user=root config=/etc/postfix migrate=hash->lmdb
 * applied: main.cf, master.cf; built 7 tables; postfix reload ok"; syslog
 * unless opts->no_audit) and,
 * when DIR is in a git work tree, commits main.cf and master.cf with it
 * (core/vcs: only those two, never the indexes nor the table sources;
 * RES->vcs says what).  Nothing prints.
 */
#ifndef CORE_MIGRATE_H
#define CORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apply.h"
#include "util/strbuf.h"

struct migrate_line {
	char *file;                 /* main.cf or master.cf path */
	unsigned line;              /* first physical line of the logical line */
	char *old_text, *new_text;  /* the whole logical line, without its last newline */
};

struct migrate_table {
	char *source;               /* /etc/postfix/access */
	char *old_index;            /* /etc/postfix/access.db */
	char *new_ref;              /* cdb:/etc/postfix/access */
};

struct migrate_plan {
	char *from, *to;
	struct migrate_line *lines;
	size_t nlines;
	struct migrate_table *tables;
	size_t ntables;
	struct strbuf skipped;      /* one line per reference left alone, and why */
};

enum {
	MIGRATE_REMOVE_OLD = 1,     /* remove the old indexes after a successful reload */
};

void migrate_plan_init(struct migrate_plan *p);
void migrate_plan_fini(struct migrate_plan *p);

/* migrate_plan - plan FROM -> TO for DIR.  0, or -1 with REASON (main.cf
 * unreadable, an unsupported pair: FROM must be hash, btree or dbm, TO
 * cdb, lmdb or hash...; TO not in the installed Postfix's postconf -m). */
int migrate_plan(const char *dir, const char *from, const char *to, struct migrate_plan *p,
		 char *reason, size_t size);

/*
 * migrate_apply - carry PLAN out (see above); OPTS give the postfix
 * command and the deadline.  RES gets the postfix check and reload steps
 * (struct apply_result's steps 2 to 4: build, postfix check, reload),
 * RES->audit and RES->vcs; NOTE one line per other fact ("wrote main.cf",
 * "removed /x.db", "kept /x.db: ...").  0 done, 1 a step failed (main.cf/master.cf restored), -1
 * on ENOMEM.
 */
int migrate_apply(const char *dir, const struct migrate_plan *plan, unsigned flags,
		  const struct apply_opts *opts, struct apply_result *res, struct strbuf *note);

#endif
