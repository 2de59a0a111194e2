/*
 * core/apply.h - the Apply pipeline behind the console's Apply key and
 * `pfconsole reload`.
 *
 * apply_run() takes these steps, in order, and stops at the first that
 * fails (nothing is reloaded after a failed step):
 *   1. validate  main.cf and every table it references (core/check.h);
 *                any error refuses the whole apply, with the list of errors
 *                (except stale-index: an absent or old index step 2 builds);
 *   2. build     every stale or absent index, atomically (core/build.h);
 *   3. check     `postfix -c DIR check` (in a pty: it prints only to a tty);
 *   4. reload    `postfix -c DIR reload` when Postfix is running (`postfix
 *                status`) and a change needs it: main.cf, master.cf or a
 *                table Postfix reads only at start (regexp, pcre, cidr,
 *                texthash) changed since the master started (master.pid)
 *                or was last reloaded by pfconsole (a stamp under
 *                /run/pfconsole), or the caller says so (opts).
 *                cdb/hash rebuilds need no reload (daemons notice them).
 * Each step records its state, the command it ran and that command's
 * output.  When something was built or reloaded, one audit line goes to
 * syslog (facility mail): who, the configuration, what changed, what was
 * built, whether Postfix was reloaded.
 *
 * Nothing prints.  Ownership: the result owns its strings.
 */
#ifndef CORE_APPLY_H
#define CORE_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "util/strbuf.h"

struct apply_opts {
	bool reload_always;         /* reload whenever Postfix runs (`pfconsole reload`) */
	bool reload_hint;           /* the caller saved something that needs a reload */
	bool no_audit;              /* do not write the syslog audit line */
	bool strict;                /* a warning refuses the run as an error does */
	const char *changes;        /* what the caller changed ("+key value\n-key value\n"
	                             * per file, "FILE:" header lines); for the audit */
	const char *postfix;        /* the postfix command; NULL: command_directory/postfix */
	const char *action;         /* what ran, for the audit line after config=
	                             * ("migrate=hash->lmdb"); NULL: an Apply */
	int timeout_ms;             /* per command; <= 0: 60 s */
};

enum apply_state { APPLY_PENDING, APPLY_OK, APPLY_FAILED, APPLY_SKIPPED };

struct apply_step {
	const char *name;           /* "validate", "build", "postfix check", "reload" */
	enum apply_state state;
	struct strbuf detail;       /* one line per fact ("built hash:/x (3 entries)") */
	struct strbuf command;      /* the command line run, "" if none */
	struct strbuf output;       /* its output */
	int status;                 /* its exit status, -1 if none */
};

#define APPLY_NSTEPS 4

struct apply_result {
	struct apply_step steps[APPLY_NSTEPS];
	struct diag_list diags;     /* validate: every problem found (errors refuse) */
	bool refused;               /* validation errors (strict: or warnings): nothing done */
	bool built;                 /* at least one index was rebuilt */
	bool running;               /* Postfix was running */
	bool reloaded;
	struct strbuf applied;      /* what went live, for the audit: "access_sender +2 -1 ~1,
	                             * transport +1, main.cf" (see apply_audit_text) */
	size_t nbuilt, nbuild_failed;   /* indexes built / that failed */
	struct strbuf failed;       /* names of the tables whose build failed, ", " */
	struct strbuf audit;        /* the audit line written (or that would be) */
	char audit_lost[160];       /* not "": syslog could not be reached (why); the
	                             * audit line was not logged */
	struct strbuf vcs;          /* core/vcs: "git: committed 2 files in /etc (3f2a1c9)",
	                             * or why not; "" when not in git */
};

void apply_result_init(struct apply_result *r);
void apply_result_fini(struct apply_result *r);

/* apply_audit_text - the audit line of R into A: the one place it is made
 * (syslog, the screens, a commit message):
 *   user=root (sudo: alice) config=/etc/postfix applied: access_sender +2 -1 ~1,
 *   transport +1; built 2 tables; postfix reload ok
 * "applied:" lists each table whose entries changed against the index the
 * build replaced (+ keys added, - keys removed, ~ keys with another value;
 * a table built but unchanged is not listed), the files a reload put live
 * (main.cf, master.cf, regexp/pcre/cidr/texthash tables changed since
 * Postfix last (re)started: counted from OPTS->changes, the caller's saved
 * edits, when it has them, else "changed"), or "no entry changed". */
void apply_audit_text(const char *dir, const struct apply_opts *opts,
		      const struct apply_result *r, struct strbuf *a);

/* apply_audit - R's audit line into R->audit (apply_audit_text) and, unless
 * OPTS->no_audit, to syslog (facility mail, tag pfconsole); R->audit_lost
 * says why when syslog cannot be reached */
void apply_audit(const char *dir, const struct apply_opts *opts, struct apply_result *r);

/* apply_run_step - run ARGV (absolute argv[0]) on a pseudo-terminal
 * (postfix prints only to a terminal) for step ST: its command line,
 * output, exit status and state; TIMEOUT_MS <= 0: 60 s.  0 when it
 * succeeded, -1 when it could not run, failed or timed out. */
int apply_run_step(struct apply_step *st, const char *const argv[], int timeout_ms);

/* apply_state_name - "pending", "ok", "FAILED", "skipped" */
const char *apply_state_name(enum apply_state st);

/*
 * apply_run - run the pipeline on DIR.  Returns 0 when every step that ran
 * succeeded, 1 when validation refused or a step failed, -1 on ENOMEM.
 */
int apply_run(const char *dir, const struct apply_opts *opts, struct apply_result *r);

/*
 * apply_reload_needed - does something changed since Postfix last
 * (re)started need a reload?  Fills WHY.  1 yes, 0 no, -1 cannot tell
 * (Postfix not running: no master pid).
 */
int apply_reload_needed(const char *dir, char *why, size_t size);

#endif
