/*
 * core/check.c - `check`: main.cf and every table it references: the
 * result, which tables and by which role, the main.cf walk (restriction
 * lists and the relay guard, inline tables, unused maps).  One table is
 * checked in core/check_table.c, one entry's value and key in
 * core/check_value.c; what they share is core/check_int.h.  The contract
 * is in core/check.h.
 *
 * Order of work: main.cf (syntax, restriction names, classes, the relay
 * rule), then each distinct table once, by the role of its first
 * reference; class names used as access results are collected from the
 * tables, and unused-class is decided at the end.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/check.h"
#include "core/check_int.h"
#include "util/hash.h"
#include "util/htable.h"
#include "core/keydup.h"
#include "core/kvparse.h"
#include "core/pattern.h"
#include "core/query.h"
#include "util/strbuf.h"
#include "core/transport.h"
#include "util/utf8.h"
#include "maps/map.h"
#include "util/safeopen.h"

static const char *const state_names[] = { "ok", "missing", "stale", "errors", "not-file" };

const char *
check_state_name(enum check_state st)
{
	return (unsigned)st < 5 ? state_names[st] : "?";
}

void
check_result_init(struct check_result *res)
{
	diag_list_init(&res->diags);
	res->tables = NULL;
	res->ntables = res->cap = 0;
}

static void
table_fini(struct check_table *t)
{
	free(t->ref);
	free(t->type);
	free(t->path);
	free(t->index_path);
	free(t->param);
	free(t->restriction);
	free(t->file);
}

void
check_result_fini(struct check_result *res)
{
	size_t i;

	for (i = 0; i < res->ntables; i++)
		table_fini(&res->tables[i]);
	free(res->tables);
	diag_list_fini(&res->diags);
	res->tables = NULL;
	res->ntables = res->cap = 0;
}

/* ---- role guessing ---- */

enum maincf_role
check_guess_role(struct maincf *cf, const char *path, const char **type)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	if (cf) {
		for (i = 0; i < maincf_ref_count(cf); i++) {
			const struct maincf_ref *r = maincf_ref_at(cf, i);
			const char *rb = strrchr(r->name, '/');

			if (strcmp(r->name, path) == 0 || (rb && strcmp(rb + 1, base) == 0
							   && strchr(path, '/') == NULL)) {
				if (type)
					*type = r->type;
				return r->role;
			}
		}
	}
	if (type) {
		size_t n = strlen(path);

		if (n > 5 && strcmp(path + n - 5, ".pcre") == 0)
			*type = "pcre";
		else if ((n > 7 && strcmp(path + n - 7, ".regexp") == 0)
			 || (n > 3 && strcmp(path + n - 3, ".re") == 0)
			 || strstr(base, "_checks"))
			*type = "regexp";
		else
			*type = "hash";
	}
	if (strcmp(base, "aliases") == 0)
		return MAINCF_ROLE_ALIAS;
	if (strstr(base, "transport"))
		return MAINCF_ROLE_TRANSPORT;
	if (strstr(base, "header_checks"))
		return MAINCF_ROLE_HEADER_CHECKS;
	if (strstr(base, "body_checks"))
		return MAINCF_ROLE_BODY_CHECKS;
	if (strstr(base, "recipient") || strstr(base, "rcpt") || strstr(base, "destination"))
		return MAINCF_ROLE_RECIPIENT;
	if (strstr(base, "sender"))
		return MAINCF_ROLE_SENDER;
	if (strstr(base, "client"))
		return MAINCF_ROLE_CLIENT;
	if (strstr(base, "helo"))
		return MAINCF_ROLE_HELO;
	if (strncmp(base, "access", 6) == 0)
		return MAINCF_ROLE_ACCESS;
	return MAINCF_ROLE_GENERIC;
}

/* ---- main.cf walk ---- */

static struct check_table *
find_table(struct check_result *res, const char *type, const char *path)
{
	size_t i;

	for (i = 0; i < res->ntables; i++)
		if (strcmp(res->tables[i].type, type) == 0 && strcmp(res->tables[i].path, path) == 0)
			return &res->tables[i];
	return NULL;
}

static struct check_table *
add_table(struct check_result *res, const struct maincf_ref *r, const char *path)
{
	struct check_table *t;

	if (res->ntables == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		struct check_table *v = realloc(res->tables, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		res->tables = v;
		res->cap = cap;
	}
	t = &res->tables[res->ntables];
	memset(t, 0, sizeof(*t));
	if (asprintf(&t->ref, "%s:%s", r->type, r->name) < 0) {
		t->ref = NULL;
		return NULL;
	}
	t->type = strdup(r->type);
	t->path = strdup(path);
	t->file = strdup(r->file ? r->file : "main.cf");
	if (r->service) {
		if (asprintf(&t->param, "%s (master.cf service %s)", r->param ? r->param : "",
			     r->service) < 0)
			t->param = NULL;
	} else {
		t->param = strdup(r->param ? r->param : "");
	}
	t->restriction = r->restriction ? strdup(r->restriction) : NULL;
	if (t->type == NULL || t->path == NULL || t->param == NULL || t->file == NULL
	    || (r->restriction && t->restriction == NULL)) {
		table_fini(t);
		return NULL;
	}
	t->role = r->role;
	t->line = r->line;
	t->col = r->col;
	t->nrefs = 1;
	t->inline_body = r->inline_body;
	res->ntables++;
	return t;
}

static bool
mtime_older(const struct stat *a, const struct stat *b)
{
	if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
		return a->st_mtim.tv_sec < b->st_mtim.tv_sec;
	return a->st_mtim.tv_nsec < b->st_mtim.tv_nsec;
}

static bool is_guard(const char *name);
static bool has_relay_guard(struct maincf *cf, const char *list, int depth);

/* arg_names - restriction argument ARG names the table T */
static bool
arg_names(const char *arg, const struct check_table *t)
{
	const char *a = arg;

	if (strncmp(a, "proxy:", 6) == 0)
		a += 6;
	return strcmp(a, t->ref) == 0
	       || (strncmp(a, t->type, strlen(t->type)) == 0 && a[strlen(t->type)] == ':'
		   && strcmp(a + strlen(t->type) + 1, t->path) == 0);
}

/* before_guard - is T consulted in LIST (or a class it names) before the
 * first reject_unauth_destination-like restriction? */
static bool
before_guard(struct maincf *cf, const char *list, const struct check_table *t, int depth)
{
	const struct maincf_restriction *r;
	size_t n, i;

	if (depth > 3)
		return false;
	r = maincf_restrictions(cf, list, &n);
	for (i = 0; i < n; i++) {
		if (is_guard(r[i].name))
			return false;
		if (r[i].arg && strncasecmp(r[i].name, "check_", 6) == 0 && arg_names(r[i].arg, t))
			return true;
		if (maincf_find_class(cf, r[i].name) && before_guard(cf, r[i].name, t, depth + 1))
			return true;
	}
	return false;
}

/* relay_list_of - the list whose OK decides relaying, if T is consulted in it
 * before the relay guard; NULL otherwise */
static const char *
relay_list_of(struct maincf *cf, const struct check_table *t)
{
	const char *list = has_relay_guard(cf, "smtpd_relay_restrictions", 0)
		? "smtpd_relay_restrictions" : "smtpd_recipient_restrictions";

	if (t->role != MAINCF_ROLE_SENDER && t->role != MAINCF_ROLE_HELO
	    && t->role != MAINCF_ROLE_CLIENT)
		return NULL;
	return before_guard(cf, list, t, 0) ? list : NULL;
}

/* star_key_check - a "*" key in sender_dependent_relayhost_maps or
 * sender_dependent_default_transport_maps: only transport_maps has a "*"
 * wildcard; these are searched for the sender address, @domain and the
 * null sender key, never for "*" */
static int
star_key_check(const struct check_table *t, struct diag_list *dl)
{
	FILE *fp;
	char line[4096];
	unsigned ln = 0;

	if (strcmp(t->param, "sender_dependent_relayhost_maps") != 0
	    && strcmp(t->param, "sender_dependent_default_transport_maps") != 0)
		return 0;
	if ((fp = safeopen_fopen(t->path, SAFEOPEN_TABLE_MAX, NULL, 0)) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		ln++;
		if (line[0] == '*' && (line[1] == ' ' || line[1] == '\t')
		    && diag_add(dl, DIAG_UNREACHABLE_KEY, t->path, ln, 1,
				"\"*\" is never looked up in %s (only transport_maps has a \"*\" "
				"wildcard): set %s for every other sender", t->param,
				strcmp(t->param, "sender_dependent_relayhost_maps") == 0
				? "relayhost" : "default_transport") < 0) {
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* same_base_elsewhere - a regular file named like PATH's last component in
 * DIR or one directory below it (not PATH itself): "did you mean" */
static void
same_base_elsewhere(const char *dir, const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	DIR *dp;
	struct dirent *de;
	struct stat st;
	char cand[1024];

	base = base ? base + 1 : path;
	if (dir == NULL || *base == '\0' || (dp = opendir(dir)) == NULL)
		return;
	snprintf(cand, sizeof(cand), "%s/%s", dir, base);
	if (strcmp(cand, path) != 0 && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(out, size, "%s", cand);
		closedir(dp);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(cand, sizeof(cand), "%s/%s/%s", dir, de->d_name, base);
		if (strcmp(cand, path) != 0 && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(out, size, "%s", cand);
			break;
		}
	}
	closedir(dp);
}

static int
check_one_table(struct check_result *res, size_t ti, struct maincf *cf,
		struct maincf_list *used)
{
	struct check_table *t = &res->tables[ti];
	const struct map_ops *ops = map_find_type(t->type);
	struct stat ss, is;
	bool have_src, have_idx = false;
	size_t before = res->diags.n, i;
	long n;

	if (maincf_type_available(cf, t->type) == 0
	    && diag_add(&res->diags, DIAG_BAD_REFERENCE, t->file, t->line, t->col,
			"table type %s is not installed here (%s/dynamicmaps.cf names no "
			"existing plugin for it): Postfix stops with \"unsupported dictionary "
			"type: %s\"; install the plugin (Debian: apt-get install postfix-%s)",
			t->type, maincf_get(cf, "meta_directory", NULL), t->type, t->type) < 0)
		return -1;
	if (t->inline_body && strcmp(t->type, "static") == 0) {
		/* static:{text with spaces} is one value, not a list of rules
		 * (e.g. check_client_access static:{INFO pfconsole}, the line
		 * that logs HELO and sender of accepted mail for 'impact') */
		t->state = CHECK_NOT_FILE;
		return 0;
	}
	if (t->inline_body && strcmp(t->type, "inline") != 0) {
		/* regexp:{ {rule}, {rule} } (3.7+): one rule per braced item; problems
		 * are reported at the reference, with the rule's number */
		struct maincf_list items;
		struct strbuf text;
		struct diag_list tmp;
		long nr;

		t->state = CHECK_NOT_FILE;
		maincf_list_init(&items);
		strbuf_init(&text);
		diag_list_init(&tmp);
		if (maincf_split(t->path, &items) < 0)
			goto inline_nomem;
		for (i = 0; i < items.n; i++)
			if (strbuf_addstr(&text, items.v[i].text) < 0 || strbuf_addch(&text, '\n') < 0)
				goto inline_nomem;
		nr = chk_table_buf(t->type, text.buf, text.len, "inline", t->role, cf, &tmp, used,
				   relay_list_of(cf, t));
		if (nr < 0)
			goto inline_nomem;
		t->nentries = (size_t)nr;
		for (i = 0; i < tmp.n; i++) {
			if (tmp.v[i].severity == DIAG_ERROR)
				t->nerrors++;
			else if (tmp.v[i].severity == DIAG_WARNING)
				t->nwarnings++;
			if (diag_add_sev(&res->diags, tmp.v[i].severity, tmp.v[i].code, t->file, t->line,
					 t->col, "inline %s rule %u: %s", t->type, tmp.v[i].line,
					 tmp.v[i].message) < 0)
				goto inline_nomem;
		}
		if (t->nerrors)
			t->state = CHECK_ERRORS;
		diag_list_fini(&tmp);
		strbuf_fini(&text);
		maincf_list_fini(&items);
		return 0;
inline_nomem:
		diag_list_fini(&tmp);
		strbuf_fini(&text);
		maincf_list_fini(&items);
		return -1;
	}
	if (!maincf_is_file_type(t->type)) {
		t->state = CHECK_NOT_FILE;
		if (strcmp(t->type, "inline") == 0) {
			struct maincf_list k, v;

			maincf_list_init(&k);
			maincf_list_init(&v);
			if (maincf_inline_split(t->path, &k, &v, t->file, t->line, t->col,
						&res->diags) < 0) {
				maincf_list_fini(&k);
				maincf_list_fini(&v);
				return -1;
			}
			for (i = 0; i < k.n; i++)
				if (maincf_role_is_access(t->role)
				    ? chk_access_value(v.v[i].text, strlen(v.v[i].text), t->role, cf,
						       t->file, t->line, t->col, &res->diags, used) < 0
				    : check_value(t->role, k.v[i].text, strlen(k.v[i].text),
						  v.v[i].text, strlen(v.v[i].text), cf, t->file,
						  t->line, t->col, &res->diags) < 0) {
					maincf_list_fini(&k);
					maincf_list_fini(&v);
					return -1;
				}
			t->nentries = k.n;
			maincf_list_fini(&k);
			maincf_list_fini(&v);
		}
		return 0;
	}
	have_src = stat(t->path, &ss) == 0;
	if (ops && ops->suffix && !(ops->flags & MAP_PATTERN)) {
		t->index_path = map_index_path(ops, t->path);
		if (t->index_path == NULL)
			return -1;
		have_idx = stat(t->index_path, &is) == 0;
	}
	if (!have_src && !(t->index_path && have_idx)) {
		char alt[1024];

		t->state = CHECK_MISSING;
		alt[0] = '\0';
		same_base_elsewhere(maincf_dir(cf), t->path, alt, sizeof(alt));
		return diag_add(&res->diags, DIAG_MISSING_MAP, t->file, t->line, t->col,
				"%s:%s (used by %s%s%s) does not exist: %s; smtpd logs \"%s:%s is "
				"unavailable\" and answers 451 4.3.5 to the mail that reaches it: "
				"create %s%s%s%s%s", t->type, t->path, t->param,
				t->restriction ? " " : "", t->restriction ? t->restriction : "",
				t->index_path ? "neither the source nor the index exists" : "no such file",
				t->type, t->path, t->path,
				t->index_path ? " and build it" : "",
				alt[0] ? "; did you mean " : "", alt, alt[0] ? "?" : "");
	}
	if (!have_src) {
		t->state = CHECK_OK;
		return diag_add_sev(&res->diags, DIAG_WARNING, DIAG_MISSING_MAP, t->file, t->line,
				    t->col, "the source %s of %s:%s is missing (Postfix uses %s); "
				    "it cannot be checked or rebuilt", t->path, t->type, t->path,
				    t->index_path);
	}
	n = chk_table_file(t->type, t->path, t->role, cf, &res->diags, used, relay_list_of(cf, t));
	if (n < 0) {
		if (errno == ENOMEM)
			return -1;
		t->state = CHECK_MISSING;
		return diag_add(&res->diags, DIAG_MISSING_MAP, t->file, t->line, t->col,
				"cannot read %s: %s; Postfix cannot either (451 4.3.5 for the "
				"mail that reaches it)", t->path, safeopen_strerror(errno));
	}
	t->nentries = (size_t)n;
	if (star_key_check(t, &res->diags) < 0)
		return -1;
	for (i = before; i < res->diags.n; i++) {
		if (strcmp(res->diags.v[i].file, t->path) != 0)
			continue;
		if (res->diags.v[i].severity == DIAG_ERROR)
			t->nerrors++;
		else if (res->diags.v[i].severity == DIAG_WARNING)
			t->nwarnings++;
	}
	t->state = t->nerrors ? CHECK_ERRORS : CHECK_OK;
	if (t->index_path && have_idx
	    && (strcmp(t->type, "hash") == 0 || strcmp(t->type, "cdb") == 0)) {
		/* an index that exists but is not what Postfix can open (truncated,
		 * corrupted, another format): what build rebuilds, like a stale one */
		struct map_error err;
		struct map *m;

		memset(&err, 0, sizeof(err));
		m = map_open(t->type, t->path, NULL, 0, 0, &err);
		if (m != NULL) {
			/* it opens; a damaged page would make smtpd's lookups
			 * (and postmap -q) fail, answer wrongly or crash */
			int v = map_verify(m, &err);

			map_close(m);
			if (v < 0 && err.errnum != ENOMEM) {
				if (t->state == CHECK_OK)
					t->state = CHECK_STALE;
				return diag_add(&res->diags, DIAG_UNREADABLE_MAP, t->file, t->line,
						t->col, "%s: Postfix's lookups in it can fail, miss "
						"keys or crash (smtpd, postmap -q); rebuild it: %s %s:%s",
						err.text, t->role == MAINCF_ROLE_ALIAS ? "postalias"
						: "pfconsole build", t->type, t->path);
			}
		} else if (err.errnum != EACCES && err.errnum != ENOMEM) {
			if (t->state == CHECK_OK)
				t->state = CHECK_STALE;
			return diag_add(&res->diags, DIAG_UNREADABLE_MAP, t->file, t->line, t->col,
					"%s exists but cannot be read as a %s table (%s): Postfix "
					"cannot open it either (\"%s:%s is unavailable\", 451 4.3.5 "
					"for the mail that reaches it); rebuild it: %s %s:%s",
					t->index_path, t->type, err.text, t->type, t->path,
					t->role == MAINCF_ROLE_ALIAS ? "postalias" : "pfconsole build",
					t->type, t->path);
		}
	}
	if (t->index_path) {
		if (!have_idx) {
			if (t->state == CHECK_OK)
				t->state = CHECK_STALE;
			if (t->role == MAINCF_ROLE_ALIAS)
				return diag_add_sev(&res->diags, DIAG_ERROR, DIAG_STALE_INDEX, t->file,
						    t->line, t->col,
						    "%s does not exist (the aliases file %s was never "
						    "built): local delivery is deferred; run \"newaliases\" "
						    "(or \"postalias %s:%s\")", t->index_path, t->path,
						    t->type, t->path);
			return diag_add_sev(&res->diags, DIAG_ERROR, DIAG_STALE_INDEX, t->file,
					    t->line, t->col,
					    "%s does not exist (the source %s was never built): smtpd "
					    "answers 451 4.3.5 to the mail that reaches it; run "
					    "\"pfconsole build %s:%s\" (or \"postmap %s:%s\")",
					    t->index_path, t->path, t->type, t->path, t->type, t->path);
		}
		if (mtime_older(&is, &ss)) {
			if (t->state == CHECK_OK)
				t->state = CHECK_STALE;
			if (t->role == MAINCF_ROLE_ALIAS)
				return diag_add(&res->diags, DIAG_STALE_INDEX, t->file, t->line, t->col,
						"%s is older than the aliases file %s: Postfix still "
						"uses the old aliases; run \"newaliases\" (or \"postalias "
						"%s:%s\")", t->index_path, t->path, t->type, t->path);
			return diag_add(&res->diags, DIAG_STALE_INDEX, t->file, t->line, t->col,
					"%s is older than its source %s: Postfix still uses the old "
					"entries; run \"pfconsole build %s:%s\" (or \"postmap %s:%s\")",
					t->index_path, t->path, t->type, t->path, t->type, t->path);
		}
	}
	return 0;
}

static bool
is_guard(const char *name)
{
	static const char *const guards[] = { "reject_unauth_destination",
		"defer_unauth_destination", "reject", "defer", "defer_if_permit",
		"check_relay_domains", NULL };
	size_t k;

	for (k = 0; guards[k]; k++)
		if (strcasecmp(name, guards[k]) == 0)
			return true;
	return false;
}

static bool
has_relay_guard(struct maincf *cf, const char *list, int depth)
{
	const struct maincf_restriction *r;
	size_t n, i;

	if (depth > 10)
		return false;
	r = maincf_restrictions(cf, list, &n);
	for (i = 0; i < n; i++) {
		if (is_guard(r[i].name))
			return true;
		if (maincf_find_class(cf, r[i].name) && has_relay_guard(cf, r[i].name, depth + 1))
			return true;
	}
	return false;
}

static int
check_lists(struct maincf *cf, struct diag_list *dl)
{
	static const char *const lists[] = { "smtpd_client_restrictions",
		"smtpd_helo_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions",
		"smtpd_recipient_restrictions", "smtpd_data_restrictions",
		"smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions", NULL };
	const char *path = maincf_path(cf);
	size_t i, j;

	if (!has_relay_guard(cf, "smtpd_relay_restrictions", 0)
	    && !has_relay_guard(cf, "smtpd_recipient_restrictions", 0)) {
		const struct maincf_param *p = maincf_find(cf, "smtpd_recipient_restrictions");

		if (p == NULL)
			p = maincf_find(cf, "smtpd_relay_restrictions");
		if (diag_add(dl, DIAG_NO_RELAY_RESTRICTION, path, p ? p->line : 0, p ? 1 : 0,
			     "neither smtpd_relay_restrictions nor smtpd_recipient_restrictions "
			     "contains reject_unauth_destination (or defer_unauth_destination, "
			     "reject, defer, defer_if_permit): smtpd refuses to start%s; add "
			     "reject_unauth_destination%s",
			     maincf_find(cf, "compatibility_level") ? ""
			     : " (no compatibility_level line: level 0 defaults apply, with empty "
			       "smtpd_relay_restrictions)",
			     maincf_find(cf, "compatibility_level") ? ""
			     : ", or set compatibility_level = 3.6") < 0)
			return -1;
	}
	/* restrictions after an unconditional permit/reject are never reached */
	for (i = 0; lists[i]; i++) {
		const struct maincf_restriction *r;
		size_t n;

		if (maincf_find(cf, lists[i]) == NULL)
			continue;
		r = maincf_restrictions(cf, lists[i], &n);
		for (j = 0; j + 1 < n; j++) {
			if (strcasecmp(r[j].name, "permit") == 0 || strcasecmp(r[j].name, "reject") == 0
			    || strcasecmp(r[j].name, "defer") == 0) {
				if (r[j + 1].line && diag_add(dl, DIAG_IGNORED_RESTRICTION, path,
							      r[j + 1].line, r[j + 1].col,
							      "%s after %s in %s is never reached; smtpd "
							      "ignores it", r[j + 1].name, r[j].name,
							      lists[i]) < 0)
					return -1;
				break;
			}
		}
	}
	return 0;
}

/* file_text - the whole of PATH (NULL if unreadable) */
static char *
file_text(const char *path)
{
	struct strbuf sb;

	strbuf_init(&sb);
	if (chk_read_all(path, &sb) < 0) {
		strbuf_fini(&sb);
		return NULL;
	}
	return strbuf_export(&sb);
}

/* unused_maps - NAME.db / NAME.cdb next to NAME in the configuration
 * directory that nothing references: Postfix never reads it.  When in
 * doubt (NAME appears anywhere in main.cf or master.cf) nothing is said. */
static int
unused_maps(struct maincf *cf, struct check_result *res)
{
	const char *dir = maincf_dir(cf);
	char *mtext, *ctext, *mpath = NULL;
	DIR *dp;
	struct dirent *de;
	int rc = 0;

	if (dir == NULL || (dp = opendir(dir)) == NULL)
		return 0;
	ctext = file_text(maincf_path(cf));
	if (asprintf(&mpath, "%s/master.cf", dir) < 0)
		mpath = NULL;
	mtext = mpath ? file_text(mpath) : NULL;
	free(mpath);
	while (rc == 0 && (de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name), sl = 0, i;
		char *src = NULL, *idx = NULL, base[256];
		struct stat st;
		bool used = false;

		if (n > 3 && strcmp(de->d_name + n - 3, ".db") == 0)
			sl = 3;
		else if (n > 4 && strcmp(de->d_name + n - 4, ".cdb") == 0)
			sl = 4;
		if (sl == 0 || de->d_name[0] == '.' || n - sl >= sizeof(base))
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(n - sl), de->d_name);
		if (asprintf(&src, "%s/%s", dir, base) < 0 || asprintf(&idx, "%s/%s", dir, de->d_name) < 0) {
			free(src);
			rc = -1;
			break;
		}
		for (i = 0; i < res->ntables && !used; i++)
			used = strcmp(res->tables[i].path, src) == 0;
		used = used || (ctext && strstr(ctext, base)) || (mtext && strstr(mtext, base))
			|| stat(src, &st) != 0 || !S_ISREG(st.st_mode);
		if (!used && diag_add(&res->diags, DIAG_UNUSED_MAP, idx, 0, 0,
				      "%s is built from %s, but nothing in main.cf or master.cf "
				      "references it: Postfix never reads it (a leftover, or a "
				      "reference that was lost)", idx, src) < 0)
			rc = -1;
		free(src);
		free(idx);
	}
	closedir(dp);
	free(ctext);
	free(mtext);
	return rc;
}

static int
run_checks(struct maincf *cf, unsigned flags, struct check_result *res)
{
	struct maincf_list used;
	const char *mainpath = maincf_path(cf);
	size_t i, k;
	int rc = 0;

	if (check_lists(cf, &res->diags) < 0)
		return -1;
	maincf_list_init(&used);
	for (i = 0; i < maincf_ref_count(cf); i++) {
		const struct maincf_ref *r = maincf_ref_at(cf, i);
		struct check_table *t;
		char *path;

		if (!r->inline_body && r->name[0] != '/' && maincf_is_file_type(r->type)) {
			if (asprintf(&path, "%s/%s", maincf_dir(cf), r->name) < 0)
				goto nomem;
		} else {
			path = strdup(r->name);
			if (path == NULL)
				goto nomem;
		}
		t = find_table(res, r->type, path);
		if (t) {
			t->nrefs++;
			free(path);
			continue;
		}
		t = add_table(res, r, path);
		free(path);
		if (t == NULL)
			goto nomem;
		if (!(flags & CHECK_NO_TABLES) && check_one_table(res, res->ntables - 1, cf,
								   &used) < 0)
			goto nomem;
	}
	/* classes: used in main.cf lists or as table results? */
	for (i = 0; i < maincf_class_count(cf); i++) {
		const struct maincf_class *c = maincf_class_at(cf, i);
		bool u = c->nuses > 0 || c->def == NULL;

		for (k = 0; k < used.n && !u; k++)
			u = strcmp(used.v[k].text, c->name) == 0;
		if (!u && !(flags & CHECK_NO_TABLES)
		    && diag_add(&res->diags, DIAG_UNUSED_CLASS, mainpath, c->line, c->col,
				"restriction class %s is defined but no restriction list and no "
				"access table result uses it: remove it, or name it as the result "
				"of an access table entry", c->name) < 0)
			goto nomem;
	}
	maincf_list_fini(&used);
	if (!(flags & CHECK_NO_TABLES) && unused_maps(cf, res) < 0)
		return -1;
	return rc;
nomem:
	maincf_list_fini(&used);
	return -1;
}

int
check_config_cf(struct maincf *cf, unsigned flags, struct check_result *res)
{
	struct maincf *tmp = NULL;

	/* main.cf's own problems: parse it again into the result */
	if (maincf_load(&tmp, maincf_dir(cf), &res->diags) == 0)
		maincf_free(tmp);
	return run_checks(cf, flags, res);
}

int
check_config(const char *dir, unsigned flags, struct check_result *res)
{
	struct maincf *cf = NULL;
	int rc;

	if (maincf_load(&cf, dir, &res->diags) < 0) {
		char *p;

		if (errno == ENOMEM)
			return -1;
		if (asprintf(&p, "%s/main.cf", dir) < 0)
			return -1;
		rc = diag_add(&res->diags, DIAG_MISSING_MAP, p, 0, 0, "cannot read %s: %s", p,
			      safeopen_strerror(errno));
		free(p);
		return rc;
	}
	rc = run_checks(cf, flags, res);
	maincf_free(cf);
	return rc;
}
