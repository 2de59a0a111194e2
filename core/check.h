/*
 * core/check.h - `check`: walk main.cf, validate every referenced table.
 *
 * check_config() loads DIR/main.cf (core/maincf.h), validates the main.cf
 * side (syntax, restriction names, classes, references), then every table
 * it references, each by its role (access(5) for check_*_access and bare
 * type:name in restriction lists, transport(5), header/body checks, plain
 * key lists ...).  Every problem becomes a struct diag with a code from
 * core/diag_codes.h; problems with a table as a whole (missing, stale index)
 * are located at the reference in main.cf, problems inside a table at the
 * table's own FILE:LINE:COL.  Each table is checked once however often it
 * is referenced, by the role of its first reference.
 *
 * check_table() validates one table source by role; the build command and
 * the console's editor call it (check_table_buf on unsaved text).
 *
 * Nothing here prints or exits; the caller sorts (diag_sort) and renders.
 */
#ifndef CORE_CHECK_H
#define CORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "core/maincf.h"

enum check_state {
	CHECK_OK,                   /* source (and index) present, no errors */
	CHECK_MISSING,              /* source or index (or pattern file) absent/unreadable */
	CHECK_STALE,                /* index older than its source, or absent with a source */
	CHECK_ERRORS,               /* validated with errors (see nerrors) */
	CHECK_NOT_FILE,             /* inline:, static:, tcp:, ldap: ...: not checked as a file */
};

/* check_state_name - "ok", "missing", "stale", "errors", "not-file" */
const char *check_state_name(enum check_state st);

/* One referenced table (deduplicated by type + path). */
struct check_table {
	char *ref;                  /* "hash:/etc/postfix/access" (inner type for proxy:) */
	char *type;                 /* "hash", "cdb", "regexp", "pcre", "inline" ... */
	char *path;                 /* source file (the NAME of TYPE:NAME), resolved against
	                             * DIR if relative; for inline: the body */
	char *index_path;           /* PATH.db / PATH.cdb for indexed types; NULL otherwise */
	enum maincf_role role;      /* of the first reference */
	enum check_state state;
	size_t nerrors, nwarnings;  /* diagnostics located in the table itself */
	size_t nentries;            /* entries (or rules) read from the source */
	char *param;                /* parameter (or class) of the first reference */
	char *restriction;          /* restriction of the first reference, NULL if none */
	unsigned line, col;         /* main.cf position of the first reference */
	size_t nrefs;               /* how many references */
	char *file;                 /* the file of line/col: main.cf, or master.cf when
	                             * the first reference is a service's -o override */
	bool inline_body;           /* TYPE:{ ... } (inline:, regexp:{}, pcre:{}, cidr:{}):
	                             * path holds the text between the braces */
};

struct check_result {
	struct diag_list diags;     /* everything found, unsorted */
	struct check_table *tables; /* in order of first reference */
	size_t ntables;
	size_t cap;
};

void check_result_init(struct check_result *res);
void check_result_fini(struct check_result *res);

enum {
	CHECK_NO_TABLES = 1,        /* main.cf only: do not open the tables */
};

/*
 * check_config - check DIR/main.cf and every table it references.
 * Input problems go to RES->diags (a missing main.cf is a DIAG_MISSING_MAP
 * error at line 0).  Returns 0, or -1 on ENOMEM (RES holds what was found).
 */
int check_config(const char *dir, unsigned flags, struct check_result *res);

/* check_config_cf - the same on an already loaded model (the console's). */
int check_config_cf(struct maincf *cf, unsigned flags, struct check_result *res);

/*
 * check_table - validate the source of TYPE:PATH used in ROLE.  Diagnostics
 * are located in PATH (as given).  CF (may be NULL) supplies the restriction
 * classes (undefined-class) and parameters (smtpd_null_access_lookup_key,
 * parent_domain_matches_subdomains); USED_CLASSES (may be NULL) gets, for
 * each class name used as an action, one item with its position.
 * TYPE decides the syntax: regexp/pcre rules, cidr, otherwise postmap input.
 * Returns the number of entries read (>= 0), or -1 with errno when PATH
 * cannot be read (nothing added to DL) or on ENOMEM.
 */
long check_table(const char *type, const char *path, enum maincf_role role,
		 struct maincf *cf, struct diag_list *dl, struct maincf_list *used_classes);
/* check_table_buf - the same for source text in memory (the editor's
 * unsaved buffer); FILE names it in diagnostics. */
long check_table_buf(const char *type, const char *buf, size_t len, const char *file,
		     enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		     struct maincf_list *used_classes);

/*
 * check_value - validate one entry's VALUE for ROLE (access action,
 * transport, list, ...) as the editor does while typing.  KEY is used for
 * key-dependent checks (postmaster@ rejected, '<>' outside sender tables,
 * ".domain" keys ...).  FILE/LINE/COL locate the value's first byte.
 * Returns 0 or -1 (ENOMEM).
 */
int check_value(enum maincf_role role, const char *key, size_t klen,
		const char *value, size_t vlen, struct maincf *cf,
		const char *file, unsigned line, unsigned col, struct diag_list *dl);

/* check_guess_role - the role of a table file named PATH: from CF's
 * references when one names it (type + path, or path alone), else from the
 * file name ("transport" -> TRANSPORT, "*header_checks*" -> HEADER_CHECKS,
 * "*body_checks*" -> BODY_CHECKS, "*recipient*", "*rcpt*" -> RECIPIENT,
 * "*sender*" -> SENDER, "*client*" -> CLIENT, "*helo*" -> HELO,
 * "access*" -> ACCESS, else GENERIC).  *TYPE (may be NULL) gets the type
 * of the matching reference, or "regexp"/"pcre" by suffix, else "hash". */
enum maincf_role check_guess_role(struct maincf *cf, const char *path, const char **type);

#endif
