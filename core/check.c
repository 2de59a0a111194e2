/*
 * core/check.c - `check`: main.cf and every table it references.
 * The contract is in core/check.h.
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

/* ---- key set ----
 * Keys with a value, on util/htable.h: an entry holds the offset of the
 * NUL-terminated key in an arena and the value; its id is its index + 1.
 * Used for the few keys the postmaster rule needs; duplicate keys of the
 * whole table are core/keydup's. */

struct kent {
	size_t off;
	uint32_t len;
	uint32_t val;
};

struct kset {
	struct htable t;
	struct kent *ent;
	size_t n, ecap;
	struct strbuf arena;
};

static void
kset_init(struct kset *ks)
{
	memset(ks, 0, sizeof(*ks));
	strbuf_init(&ks->arena);
}

static void
kset_fini(struct kset *ks)
{
	htable_fini(&ks->t);
	free(ks->ent);
	strbuf_fini(&ks->arena);
	kset_init(ks);
}

/* kset_add - KEY (N bytes): 1 with *FIRST = its value when present, 0 added
 * with value LINE, -1 ENOMEM */
static int
kset_addn(struct kset *ks, const char *key, size_t n, unsigned line, unsigned *first)
{
	struct htable_probe p;
	uint32_t id;

	if (n > UINT32_MAX || ks->n >= UINT32_MAX - 1 || htable_reserve(&ks->t, ks->n + 1) < 0)
		return -1;
	htable_probe_start(&ks->t, &p, hash_words(key, n));
	while ((id = htable_probe_next(&ks->t, &p)) != 0) {
		const struct kent *e = &ks->ent[id - 1];

		if (e->len == n && memcmp(ks->arena.buf + e->off, key, n) == 0) {
			*first = e->val;
			return 1;
		}
	}
	if (ks->n == ks->ecap) {
		size_t nc = ks->ecap ? ks->ecap * 2 : 256;
		struct kent *ne = realloc(ks->ent, nc * sizeof(*ne));

		if (ne == NULL)
			return -1;
		ks->ent = ne;
		ks->ecap = nc;
	}
	if (strbuf_reserve(&ks->arena, n + 1) < 0)
		return -1;
	ks->ent[ks->n].off = ks->arena.len;
	ks->ent[ks->n].len = (uint32_t)n;
	ks->ent[ks->n].val = line;
	memcpy(ks->arena.buf + ks->arena.len, key, n);
	ks->arena.buf[ks->arena.len + n] = '\0';
	ks->arena.len += n + 1;
	ks->n++;
	htable_insert(&ks->t, &p, (uint32_t)ks->n);
	return 0;
}

static int
kset_add(struct kset *ks, const char *key, unsigned line, unsigned *first)
{
	return kset_addn(ks, key, strlen(key), line, first);
}

/* ---- value checks ---- */

struct cls_ctx {
	struct maincf *cf;
	struct maincf_list *used;
	unsigned line, col;
};

static bool
is_class_cb(void *ctx, const char *name, size_t len)
{
	struct cls_ctx *c = ctx;
	char buf[256];
	size_t i;

	if (c->cf == NULL || len >= sizeof(buf))
		return c->cf == NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (maincf_find_class(c->cf, buf) == NULL)
		return false;
	if (c->used) {
		for (i = 0; i < c->used->n; i++)
			if (strcmp(c->used->v[i].text, buf) == 0)
				return true;
		/* best effort: an allocation failure only loses the "used" mark */
		{
			struct maincf_item *v = realloc(c->used->v, (c->used->n + 1) * sizeof(*v));

			if (v) {
				c->used->v = v;
				v[c->used->n].text = strdup(buf);
				if (v[c->used->n].text) {
					v[c->used->n].braced = false;
					v[c->used->n].line = c->line;
					v[c->used->n].col = c->col;
					c->used->n++;
					c->used->cap = c->used->n;
				}
			}
		}
	}
	return true;
}

/* check_service - the transport T (TLEN bytes) must be a master.cf service */
static int
check_service(struct maincf *cf, const char *t, size_t tlen, const char *what, const char *file,
	      unsigned line, unsigned col, struct diag_list *dl)
{
	char name[128];

	if (cf == NULL || tlen == 0 || tlen >= sizeof(name))
		return 0;
	memcpy(name, t, tlen);
	name[tlen] = '\0';
	if (maincf_master_service(cf, name) != 0)
		return 0;
	return diag_add(dl, DIAG_UNKNOWN_TRANSPORT, file, line, col,
			"%s \"%s\" is not a service in %s/master.cf: the mail it applies to "
			"is deferred (\"unknown mail transport\"): add the service to master.cf "
			"or fix the name", what, name, maincf_dir(cf));
}

static enum access_ctx
role_ctx(enum maincf_role role)
{
	switch (role) {
	case MAINCF_ROLE_CLIENT:
		return ACCESS_CTX_CLIENT;
	case MAINCF_ROLE_HELO:
		return ACCESS_CTX_HELO;
	case MAINCF_ROLE_SENDER:
		return ACCESS_CTX_SENDER;
	case MAINCF_ROLE_RECIPIENT:
		return ACCESS_CTX_RECIPIENT;
	default:
		return ACCESS_CTX_RECIPIENT;
	}
}

static int
get_code(struct maincf *cf, const char *name, int def)
{
	const char *v = cf ? maincf_get(cf, name, NULL) : NULL;

	return v && isdigit((unsigned char)*v) ? atoi(v) : def;
}

/* role_gotchas - actions that do not do what they seem to in this context
 * (postfix-reference.md 3.2 notes, 4.3; gotchas 19, 24, 25) */
static int
role_gotchas(const struct access_action *a, const char *value, size_t vlen,
	     enum maincf_role role, struct maincf *cf, const char *file, unsigned line,
	     unsigned col, struct diag_list *dl)
{
	bool delegating = a->kind == ACCESS_HOLD || a->kind == ACCESS_DISCARD
		|| a->kind == ACCESS_FILTER || a->kind == ACCESS_REDIRECT
		|| a->kind == ACCESS_BCC;
	const char *cmd = value + a->cmd.off;
	int cl = (int)a->cmd.len;

	if (cf && (delegating || a->kind == ACCESS_PREPEND)
	    && (role == MAINCF_ROLE_CLIENT || role == MAINCF_ROLE_HELO)
	    && !maincf_get_bool(cf, "smtpd_delay_reject", true))
		return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
				    "%.*s in a %s table is skipped with a warning when "
				    "smtpd_delay_reject = no (the message does not exist yet)",
				    cl, cmd, maincf_role_name(role));
	if (cf && delegating) {
		const char *pf = maincf_get(cf, "smtpd_proxy_filter", NULL);

		if (pf && *pf)
			return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
					    "%.*s is skipped with a warning while smtpd_proxy_filter "
					    "is set", cl, cmd);
	}
	if (a->kind == ACCESS_DEFER_IF_REJECT && role != MAINCF_ROLE_RECIPIENT)
		return diag_add_sev(dl, DIAG_WARNING, DIAG_BAD_ACTION, file, line, col,
				    "DEFER_IF_REJECT in a %s table only softens rejects later in "
				    "the same restriction list; a reject in the recipient "
				    "restrictions stays a 5xx", maincf_role_name(role));
	if ((a->kind == ACCESS_REJECT || a->kind == ACCESS_DEFER || a->kind == ACCESS_CODE)
	    && a->text.len + 80 > 510)
		return diag_add_sev(dl, DIAG_WARNING, DIAG_BAD_CODE, file, line, col,
				    "the reply text is %zu bytes: with the code, the status code "
				    "and \"<address>: ... rejected: \" the reply exceeds the 512 "
				    "bytes RFC 5321 allows per line; shorten it", a->text.len);
	(void)vlen;
	return 0;
}

/* shown_name - NAME as smtpd would show it in a reply for a match on KEY */
static void
shown_name(enum maincf_role role, const char *key, size_t klen, char *out, size_t outlen)
{
	if (role == MAINCF_ROLE_CLIENT) {
		snprintf(out, outlen, "%s", "host.example[192.0.2.1]");
		return;
	}
	if (role == MAINCF_ROLE_HELO) {
		if (key && klen && klen < 200 && !memchr(key, '@', klen))
			snprintf(out, outlen, "%.*s", (int)klen, key);
		else
			snprintf(out, outlen, "%s", "helo.example");
		return;
	}
	if (key == NULL || klen == 0 || klen > 200 || (klen == 2 && memcmp(key, "<>", 2) == 0))
		snprintf(out, outlen, "%s", klen == 2 && key && key[0] == '<' ? ""
			 : "user@example.com");
	else if (key[klen - 1] == '@')
		snprintf(out, outlen, "%.*sexample.com", (int)klen, key);
	else if (memchr(key, '@', klen))
		snprintf(out, outlen, "%.*s", (int)klen, key);
	else
		snprintf(out, outlen, "user@%.*s", (int)klen, key[0] == '.' ? key + 1 : key);
}

static int
check_access_value_k(const char *key, size_t klen, const char *value, size_t vlen,
		     enum maincf_role role, struct maincf *cf, const char *file, unsigned line,
		     unsigned col, struct diag_list *dl, struct maincf_list *used);

static int
check_access_value(const char *value, size_t vlen, enum maincf_role role, struct maincf *cf,
		   const char *file, unsigned line, unsigned col, struct diag_list *dl,
		   struct maincf_list *used)
{
	return check_access_value_k(NULL, 0, value, vlen, role, cf, file, line, col, dl, used);
}

/* edit_distance - Levenshtein distance of A and B (short names), capped */
static size_t
edit_distance(const char *a, size_t al, const char *b, size_t bl)
{
	size_t row[65], i, j;

	if (al > 64 || bl > 64)
		return 99;
	for (j = 0; j <= bl; j++)
		row[j] = j;
	for (i = 1; i <= al; i++) {
		size_t diag = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= bl; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);

			tmp = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = tmp;
		}
	}
	return row[bl];
}

/* class_suggestion - the restriction class whose name is closest to W (a
 * case difference or at most two edits), or NULL: "did you mean" for
 * undefined-class, since a typo there means 451 4.3.5 for the mail */
static const char *
class_suggestion(const struct maincf *cf, const char *w, size_t wl)
{
	const char *best = NULL;
	size_t i, bestd = 3;

	for (i = 0; cf && i < maincf_class_count(cf); i++) {
		const char *name = maincf_class_at(cf, i)->name;
		size_t nl = strlen(name), d;

		if (nl == wl && strncasecmp(name, w, wl) == 0)
			return name;
		d = edit_distance(w, wl, name, nl);
		if (d < bestd && d < wl / 2 + 1) {
			bestd = d;
			best = name;
		}
	}
	return best;
}

static int
check_access_value_k(const char *key, size_t klen, const char *value, size_t vlen,
		     enum maincf_role role, struct maincf *cf, const char *file, unsigned line,
		     unsigned col, struct diag_list *dl, struct maincf_list *used)
{
	struct access_action a;
	struct access_problem probs[8];
	struct cls_ctx cc = { cf, used, line, col };
	size_t n, i;

	access_parse(value, vlen, &a);
	if (a.kind == ACCESS_FILTER && a.text.len) {
		const char *t = value + a.text.off;
		const char *colon = memchr(t, ':', a.text.len);

		if (colon && check_service(cf, t, (size_t)(colon - t), "FILTER transport", file,
					   line, col + (unsigned)a.text.off, dl) < 0)
			return -1;
	}
	if (role_gotchas(&a, value, vlen, role, cf, file, line, col, dl) < 0)
		return -1;
	n = access_check(value, vlen, &a, cf ? is_class_cb : NULL, &cc, probs, 8);
	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		const struct access_problem *p = &probs[i];
		unsigned pc = col + (unsigned)p->off;
		const char *sugg;
		int r;

		if (p->code == DIAG_REJECT_TEXT_LOOKS_LIKE_CODE) {
			struct access_reply rep;
			char shown[256];

			shown_name(role, key, klen, shown, sizeof(shown));
			access_reply_init(&rep);
			if (access_reply_for(&rep, value, vlen, &a, role_ctx(role), shown,
					     get_code(cf, "access_map_reject_code", 554),
					     get_code(cf, "access_map_defer_code", 450)) == 1)
				r = diag_add(dl, p->code, file, line, pc,
					     "\"%.*s\" is reply text, not a reply code: smtpd replies "
					     "\"%d %s %s\" and keeps the connection open; to send "
					     "that code write \"%.*s text\" (e.g. \"%.*s 5.7.1 go away\")",
					     (int)(vlen - a.text.off), value + a.text.off, rep.code,
					     rep.dsn, rep.text.buf, 3, value + a.text.off, 3,
					     value + a.text.off);
			else
				r = diag_add(dl, p->code, file, line, pc, "%s", p->message);
			access_reply_fini(&rep);
		} else if (p->code == DIAG_UNDEFINED_CLASS &&
			   (sugg = class_suggestion(cf, value + p->off, p->len)) != NULL) {
			r = diag_add_sev(dl, p->severity, p->code, file, line, pc,
					 "%s; did you mean '%s'?", p->message, sugg);
		} else {
			r = diag_add_sev(dl, p->severity, p->code, file, line, pc, "%s", p->message);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
check_header_value(const char *value, size_t vlen, bool body, struct maincf *cf,
		   const char *file, unsigned line, unsigned col, struct diag_list *dl)
{
	static const char *const acts[] = { "REJECT", "WARN", "INFO", "DISCARD", "HOLD",
		"FILTER", "REDIRECT", "BCC", "PREPEND", "REPLACE", "STRIP", "PASS", "IGNORE",
		"DUNNO", "OK", NULL };
	size_t wl = 0, i, ts;
	const char *t;
	char w[16];

	while (wl < vlen && !isspace((unsigned char)value[wl]))
		wl++;
	ts = wl;
	while (ts < vlen && isspace((unsigned char)value[ts]))
		ts++;
	t = value + ts;
	if (wl >= sizeof(w))
		wl = sizeof(w) - 1;
	memcpy(w, value, wl);
	w[wl] = '\0';
	for (i = 0; acts[i]; i++)
		if (strcasecmp(w, acts[i]) == 0)
			break;
	if (acts[i] == NULL)
		return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
				"unknown command \"%s\" in header/body checks: cleanup logs "
				"\"unknown command\" and leaves the line alone: use REJECT, WARN, "
				"DISCARD, HOLD, FILTER, REDIRECT, BCC, PREPEND, REPLACE, STRIP, PASS, "
				"IGNORE or DUNNO", w);
	if (strcasecmp(w, "REJECT") == 0) {
		if (vlen - ts >= 3 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1])
		    && isdigit((unsigned char)t[2]) && (vlen - ts == 3 || isspace((unsigned char)t[3])))
			return diag_add_sev(dl, DIAG_WARNING, DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, file,
					    line, col + (unsigned)ts,
					    "header/body checks do not parse reply codes: the reason "
					    "becomes \"5.7.1 %.*s\" and smtpd replies 550: write an "
					    "enhanced status code (5.7.1) or plain text",
					    (int)(vlen - ts), t);
		if (vlen - ts >= 5 && t[1] == '.' && (t[0] == '2' || t[0] == '4' || t[0] == '5')) {
			size_t dl_ = 0;

			while (ts + dl_ < vlen && !isspace((unsigned char)t[dl_]))
				dl_++;
			if (ts + dl_ >= vlen)
				return diag_add(dl, DIAG_BAD_CODE, file, line, col + (unsigned)ts,
						"enhanced status code without text: Postfix 3.7 then "
						"sends garbage as the reply text; add a text");
			if (t[0] == '4')
				return diag_add_sev(dl, DIAG_WARNING, DIAG_BAD_CODE, file, line,
						    col + (unsigned)ts,
						    "REJECT with a 4.x.x code is a temporary reject "
						    "(451): the sender will retry");
		}
	} else if (strcasecmp(w, "FILTER") == 0) {
		const char *colon = memchr(t, ':', vlen - ts);

		if (colon == NULL)
			return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
					"FILTER needs transport:destination; cleanup ignores it");
		return check_service(cf, t, (size_t)(colon - t), "FILTER transport", file, line,
				     col + (unsigned)ts, dl);
	} else if (strcasecmp(w, "REDIRECT") == 0 || strcasecmp(w, "BCC") == 0) {
		if (memchr(t, '@', vlen - ts) == NULL)
			return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
					"%s needs a user@domain target; cleanup ignores it", w);
	} else if (!body && (strcasecmp(w, "PREPEND") == 0 || strcasecmp(w, "REPLACE") == 0)) {
		const char *colon = memchr(t, ':', vlen - ts);
		size_t k;
		bool okh = colon != NULL && colon > t;

		const char *end = colon ? colon : t + (vlen - ts);
		bool subst = false;

		for (k = 0; okh && t + k < colon; k++)
			if (isspace((unsigned char)t[k]))
				okh = false;
		/* cleanup checks the header after $n substitution (cleanup_message.c):
		 * "REPLACE $1" is fine when the pattern captures "Name: value" */
		for (k = 0; t + k + 1 < end && !subst; k++)
			subst = t[k] == '$' && (isdigit((unsigned char)t[k + 1]) || t[k + 1] == '{'
						|| t[k + 1] == '(');
		if (!okh && !subst)
			return diag_add(dl, DIAG_BAD_ACTION, file, line, col,
					"%s in header checks needs \"Header-Name: value\"; cleanup "
					"ignores it", w);
	}
	return 0;
}

static int check_access_key(const char *k, size_t n, enum maincf_role role, struct maincf *cf,
			    int pdms, const char *file, unsigned line, struct diag_list *dl);
static bool value_rejects(const char *v, size_t n);

int
check_value(enum maincf_role role, const char *key, size_t klen, const char *value,
	    size_t vlen, struct maincf *cf, const char *file, unsigned line, unsigned col,
	    struct diag_list *dl)
{
	if (maincf_role_is_access(role)) {
		if (key && klen && check_access_key(key, klen, role, cf, -1, file, line, dl) < 0)
			return -1;
		if (key && role == MAINCF_ROLE_RECIPIENT && klen >= 11
		    && strncasecmp(key, "postmaster@", 11) == 0 && value_rejects(value, vlen)
		    && diag_add(dl, DIAG_POSTMASTER_REJECTED, file, line, 1,
				"this rejects mail to %.*s%s: RFC 5321 requires that mail to "
				"postmaster be accepted; remove it or make it OK", (int)klen, key,
				klen == 11 ? "<any domain>" : "") < 0)
			return -1;
		return check_access_value_k(key, klen, value, vlen, role, cf, file, line, col, dl,
					    NULL);
	}
	if (role == MAINCF_ROLE_TRANSPORT) {
		const char *colon = memchr(value, ':', vlen);
		size_t tl = colon ? (size_t)(colon - value) : vlen;

		if (transport_check(value, vlen, file, line, col, dl) < 0)
			return -1;
		return check_service(cf, value, tl, "transport", file, line, col, dl);
	}
	if (role == MAINCF_ROLE_HEADER_CHECKS || role == MAINCF_ROLE_BODY_CHECKS)
		return check_header_value(value, vlen, role == MAINCF_ROLE_BODY_CHECKS, cf, file,
					  line, col, dl);
	return 0;
}

/* ---- key checks (access tables) ---- */

static bool
looks_like_ip_net(const char *k, size_t n)
{
	size_t i;
	bool dig = false;

	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)k[i]))
			dig = true;
		else if (k[i] != '.' && k[i] != '/' && k[i] != ':' && !isxdigit((unsigned char)k[i]))
			return false;
	}
	return dig;
}

/* access_pdms - smtpd_access_maps is in parent_domain_matches_subdomains */
static bool
access_pdms(struct maincf *cf)
{
	return cf ? maincf_in_list(cf, "parent_domain_matches_subdomains", "smtpd_access_maps")
		  : true;
}

/* check_access_key - PDMS is access_pdms(CF), or -1 to have it computed
 * (tables pass it in: splitting the list per entry was costly) */
static int
check_access_key(const char *k, size_t n, enum maincf_role role, struct maincf *cf,
		 int pdms_in, const char *file, unsigned line, struct diag_list *dl)
{
	bool pdms;

	/* a bare "all" (recipient tables copied from a wildcard habit) */
	if (n == 3 && strncasecmp(k, "all", 3) == 0 && role != MAINCF_ROLE_GENERIC)
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"\"all\" is not a wildcard: access(5) has none, so this key matches "
				"only a domain or host literally named \"all\"; to act on every "
				"address put the action (reject, permit ...) in the restriction list");
	/* the common key needs none of the tests below */
	if (n > 2 && k[0] != '@' && k[0] != '.' && k[0] != '['
	    && !memchr(k, '/', n) && !memchr(k, '\\', n))
		return 0;
	pdms = pdms_in < 0 ? access_pdms(cf) : pdms_in != 0;

	if (cf && role == MAINCF_ROLE_SENDER && n == 2 && memcmp(k, "<>", 2) == 0) {
		const char *nk = maincf_get(cf, "smtpd_null_access_lookup_key", NULL);

		if (nk && strcmp(nk, "<>") != 0)
			return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
					"the null sender is looked up as \"%s\" "
					"(smtpd_null_access_lookup_key), never as <>", nk);
	}
	if (n == 2 && memcmp(k, "<>", 2) == 0 && role != MAINCF_ROLE_SENDER
	    && role != MAINCF_ROLE_ACCESS)
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"the null sender key <> is only looked up by check_sender_access; "
				"this %s table never sees it", maincf_role_name(role));
	if (n > 1 && k[0] == '@')
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"access tables have no @domain lookup (that is virtual/canonical "
				"syntax): \"%.*s\" never matches; write \"%.*s\" for the whole domain",
				(int)n, k, (int)n - 1, k + 1);
	if (n > 1 && k[0] == '.' && pdms && role != MAINCF_ROLE_GENERIC)
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"\"%.*s\" is never looked up: smtpd_access_maps is in "
				"parent_domain_matches_subdomains, so \"%.*s\" already covers its "
				"subdomains; remove the leading dot", (int)n, k, (int)n - 1, k + 1);
	if (memchr(k, '/', n) && looks_like_ip_net(k, n))
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"\"%.*s\": access tables look up addresses octet by octet "
				"(192.0.2.1, 192.0.2, 192.0 ...), never a /prefix; use a cidr: table",
				(int)n, k);
	if (n > 2 && k[0] == '[' && k[n - 1] == ']')
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"\"%.*s\": client addresses are looked up without brackets",
				(int)n, k);
	if (memchr(k, '\\', n) && (role == MAINCF_ROLE_SENDER || role == MAINCF_ROLE_RECIPIENT))
		return diag_add(dl, DIAG_UNREACHABLE_KEY, file, line, 1,
				"the backslash stays in the key and no address lookup produces it; "
				"quote the local part instead (\"john doe\"@example.com)");
	return 0;
}

/* ---- tables ---- */

struct entry_rec {
	char *key;                  /* folded */
	unsigned line, col;
	bool rejects;
};

struct kvctx {
	const char *type;
	const char *file;
	const char *src;            /* the buffer (for columns) */
	size_t srclen;
	enum maincf_role role;
	struct maincf *cf;
	struct diag_list *dl;
	struct maincf_list *used;
	bool fold;
	bool utf8fold;              /* smtputf8_enable: ICU folding, else ASCII only */
	long n;
	struct entry_rec *recs;     /* recipient tables: for postmaster-rejected */
	size_t nrecs, caprecs;
	struct kset recidx;         /* folded key -> index in recs (first entry wins) */
	const char *relay_list;     /* non-NULL: the table is consulted before the relay
	                             * guard of this list (open-relay check) */
	int err;
	char *fbuf;                 /* the folded key (ASCII case), reused */
	size_t fcap;
	bool pdms;                  /* parent_domain_matches_subdomains has smtpd_access_maps */
	struct keydup dups;         /* every key, for duplicate-key after the pass */
	/* where each entry's diagnostics start in DL, recorded where it
	 * changes: a duplicate found after the pass is put where it would
	 * have been added during it (first among its entry's own) */
	struct dmark {
		unsigned line;          /* the entry's first line */
		size_t pos;             /* DL->n when it began */
	} *marks;
	size_t nmarks, capmarks;
	size_t base_n, last_n;      /* DL->n at the start; at the last mark */
	/* values whose access checks found nothing: the same text in the same
	 * table finds nothing again (the checks read only the value, the role
	 * and main.cf; the class "used" list is a set), so it is not checked
	 * again.  Direct-mapped by a hash of the text. */
	struct vmemo {
		uint32_t len;           /* 0: empty slot */
		char text[44];
	} vmemo[64];
};

/* vmemo_slot - the memo slot for value V (N bytes), or NULL when too long;
 * the slot comes from the length and the first and last (up to) 8 bytes */
static struct vmemo *
vmemo_slot(struct kvctx *c, const char *v, size_t n)
{
	uint64_t a = 0, b = 0, h;

	if (n == 0 || n > sizeof(c->vmemo[0].text))
		return NULL;
	memcpy(&a, v, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&b, v + n - 8, 8);
	h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL) ^ n;
	return &c->vmemo[(h >> 58) & 63];
}

static bool
vmemo_hit(const struct vmemo *m, const char *v, size_t n)
{
	return m != NULL && m->len == n && memcmp(m->text, v, n) == 0;
}

static unsigned
src_col(const char *src, size_t srclen, size_t off)
{
	size_t ls = off, n;
	char tmp[1024];

	while (ls > 0 && src[ls - 1] != '\n')
		ls--;
	n = off - ls;
	if (n >= sizeof(tmp) || off > srclen)
		return (unsigned)n + 1;
	{
		/* plain ASCII without tabs: the column is the offset */
		size_t k;

		for (k = ls; k < off; k++)
			if ((unsigned char)src[k] >= 0x80 || src[k] < ' ')
				break;
		if (k == off)
			return (unsigned)n + 1;
	}
	memcpy(tmp, src + ls, n);
	tmp[n] = '\0';
	return diag_column(tmp, n);
}

/* relay_check - an OK-like VALUE in a table consulted before the relay guard */
static int
relay_check(const char *relay_list, enum maincf_role role, const char *value, size_t vlen,
	    const char *file, unsigned line, unsigned col, struct diag_list *dl)
{
	struct access_action a;
	const char *who;

	if (relay_list == NULL)
		return 0;
	access_parse(value, vlen, &a);
	if (a.kind != ACCESS_OK && a.kind != ACCESS_NUMERIC)
		return 0;
	if (role == MAINCF_ROLE_SENDER)
		who = "anyone who gives this MAIL FROM address";
	else if (role == MAINCF_ROLE_HELO)
		who = "anyone who sends this HELO name";
	else if (role == MAINCF_ROLE_CLIENT)
		who = "this client";
	else
		return 0;
	return diag_add(dl, DIAG_OPEN_RELAY, file, line, col,
			    "this OK ends %s before reject_unauth_destination: %s may relay mail "
			    "to any domain%s; use DUNNO, or move the check after "
			    "reject_unauth_destination", relay_list, who,
			    role == MAINCF_ROLE_CLIENT ? "" : " (sender addresses and HELO names "
			    "are trivially forged)");
}

static bool
value_rejects(const char *v, size_t n)
{
	struct access_action a;

	access_parse(v, n, &a);
	return access_rejects(&a, v, n);
}

/* glued_check - an indented line that looks like an entry of its own is
 * joined to the entry above it (postfix-reference.md 1.1, gotcha 10) */
static int
glued_check(struct kvctx *c, const struct kv_entry *e)
{
	const char *b = c->src;
	size_t pos = e->start;
	unsigned line = e->line;

	/* skip the first physical line */
	while (pos < e->end && b[pos] != '\n')
		pos++;
	while (++pos < e->end) {
		size_t ls = pos, k, w1, w2;

		line++;
		while (pos < e->end && b[pos] != '\n')
			pos++;
		if (ls >= e->end || !(b[ls] == ' ' || b[ls] == '\t'))
			continue;
		for (k = ls; k < pos && (b[k] == ' ' || b[k] == '\t'); k++)
			;
		if (k == pos || b[k] == '#' || b[k] == '\r')
			continue;
		w1 = k;
		while (k < pos && !isspace((unsigned char)b[k]))
			k++;
		w2 = k;
		while (k < pos && isspace((unsigned char)b[k]))
			k++;
		if (k >= pos)
			continue;
		if (!memchr(b + w1, '.', w2 - w1) && !memchr(b + w1, '@', w2 - w1)
		    && !(w2 - w1 == 2 && b[w1] == '<' && b[w1 + 1] == '>'))
			continue;
		if (diag_add_sev(c->dl, DIAG_WARNING, DIAG_SYNTAX, c->file, line, 1,
				 "this line starts with whitespace, so Postfix joins it to the "
				 "entry of line %u (its text becomes part of that value) instead of "
				 "reading \"%.*s\" as a key: remove the indentation",
				 e->line, (int)(w2 - w1), b + w1) < 0)
			return -1;
	}
	return 0;
}

/* value_pos - line and column of E's value (it may start on a
 * continuation line); plain ASCII before it makes the column the offset */
static unsigned
value_pos(const struct kvctx *c, const struct kv_entry *e, unsigned *vline)
{
	size_t k, ls = e->start;
	bool plain = true;

	*vline = e->line;
	for (k = e->start; k < e->val_off && k < c->srclen; k++) {
		unsigned char ch = (unsigned char)c->src[k];

		if (ch == '\n') {
			(*vline)++;
			ls = k + 1;
			plain = true;
		} else if (ch >= 0x80 || ch < ' ') {
			plain = false;
		}
	}
	return plain && e->val_off <= c->srclen ? (unsigned)(e->val_off - ls) + 1
		: src_col(c->src, c->srclen, e->val_off);
}

static int
kv_entry(void *ctx, const struct kv_entry *e)
{
	struct kvctx *c = ctx;
	unsigned vcol = 0;
	unsigned vline = e->line;
	char *fk = NULL, *owned = NULL;  /* owned: FK when it was allocated */
	size_t fl = 0, k;
	unsigned first;
	bool key_ascii;
	struct vmemo *memo = NULL;
	bool memo_hit = false;

	/* where this entry's diagnostics begin (see struct dmark) */
	if (c->dl->n != c->last_n) {
		if (c->nmarks == c->capmarks) {
			size_t cap = c->capmarks ? c->capmarks * 2 : 64;
			struct dmark *v = realloc(c->marks, cap * sizeof(*v));

			if (v == NULL)
				return -1;
			c->marks = v;
			c->capmarks = cap;
		}
		c->marks[c->nmarks].line = e->line;
		c->marks[c->nmarks].pos = c->dl->n;
		c->nmarks++;
		c->last_n = c->dl->n;
	}
	c->n++;
	/* the key, folded (ASCII case) into the reused buffer while looking
	 * for non-ASCII bytes: no allocation for the common key */
	if (e->klen >= c->fcap) {
		size_t cap = e->klen + 64;
		char *nb = realloc(c->fbuf, cap);

		if (nb == NULL)
			return -1;
		c->fbuf = nb;
		c->fcap = cap;
	}
	{
		unsigned char hi = 0;

		if (c->fold) {
			for (k = 0; k < e->klen; k++) {
				unsigned char ch = (unsigned char)e->key[k];

				hi |= ch;
				c->fbuf[k] = (char)((unsigned)ch - (unsigned)'A' < 26u ? ch + 32 : ch);
			}
		} else {
			for (k = 0; k < e->klen; k++)
				hi |= (unsigned char)e->key[k];
			memcpy(c->fbuf, e->key, e->klen);
		}
		c->fbuf[e->klen] = '\0';
		key_ascii = hi < 0x80;
	}
	if (maincf_role_is_access(c->role)) {
		memo = vmemo_slot(c, e->val, e->vlen);
		memo_hit = vmemo_hit(memo, e->val, e->vlen);
	}
	/* a remembered value passed these checks already (valid UTF-8 included) */
	if (c->utf8fold && ((!key_ascii && !utf8_valid(e->key, e->klen))
			    || (!memo_hit && !utf8_valid(e->val, e->vlen))))
		return diag_add(c->dl, DIAG_SYNTAX, c->file, e->line, 1,
				"non-UTF-8 input: with smtputf8_enable = yes postmap skips this "
				"line (\"non-UTF-8 input ... -- ignoring this line\"); convert the "
				"file to UTF-8");
	fk = c->fbuf;
	fl = e->klen;
	if (c->fold && !key_ascii && c->utf8fold) {
		if (map_fold(e->key, e->klen, &fk, &fl) < 0)
			return -1;
		owned = fk;
	}
	if (keydup_add(&c->dups, e->key, e->klen, fk, fl, e->line) < 0) {
		free(owned);
		return -1;
	}
	if (e->nlines > 1 && glued_check(c, e) < 0) {
		free(owned);
		return -1;
	}
	{
		/* "trailing comment": a '#' after whitespace inside the value */
		const char *h = e->val;

		for (k = e->vlen > 1 && memchr(h + 1, '#', e->vlen - 1) ? 1 : e->vlen; k < e->vlen; k++)
			if (h[k] == '#' && isspace((unsigned char)h[k - 1])) {
				vcol = value_pos(c, e, &vline);
				if (diag_add(c->dl, DIAG_TRAILING_COMMENT, c->file, vline,
					     vcol + (unsigned)k,
					     "'#' is a comment only at the start of a line: \"%.*s\" is "
					     "part of the value; move the comment to its own line",
					     (int)(e->vlen - k), h + k) < 0) {
					free(owned);
					return -1;
				}
				break;
			}
	}
	if (maincf_role_is_access(c->role)) {
		if (check_access_key(e->key, e->klen, c->role, c->cf, c->pdms, c->file,
					e->line, c->dl) < 0) {
			free(owned);
			return -1;
		}
		if (!memo_hit) {
			size_t before = c->dl->n;

			if (vcol == 0)
				vcol = value_pos(c, e, &vline);
			if (check_access_value_k(e->key, e->klen, e->val, e->vlen, c->role, c->cf,
						 c->file, vline, vcol, c->dl, c->used) < 0
			    || relay_check(c->relay_list, c->role, e->val, e->vlen, c->file, vline,
					   vcol, c->dl) < 0) {
				free(owned);
				return -1;
			}
			if (memo != NULL && c->dl->n == before) {
				memo->len = (uint32_t)e->vlen;
				memcpy(memo->text, e->val, e->vlen);
			}
		}
	} else {
		if (vcol == 0)
			vcol = value_pos(c, e, &vline);
		if (check_value(c->role, e->key, e->klen, e->val, e->vlen, c->cf, c->file, vline,
				vcol, c->dl) < 0) {
			free(owned);
			return -1;
		}
	}
	/* the postmaster rule needs domain keys and postmaster@ keys only */
	if (c->role == MAINCF_ROLE_RECIPIENT
	    && (memchr(fk, '@', fl) == NULL || strncmp(fk, "postmaster@", 11) == 0)) {
		if (c->nrecs == c->caprecs) {
			size_t cap = c->caprecs ? c->caprecs * 2 : 64;
			struct entry_rec *v = realloc(c->recs, cap * sizeof(*v));

			if (v == NULL) {
				free(owned);
				return -1;
			}
			c->recs = v;
			c->caprecs = cap;
		}
		if (owned == NULL && (owned = strdup(fk)) == NULL)
			return -1;
		c->recs[c->nrecs].key = owned;
		c->recs[c->nrecs].line = e->line;
		c->recs[c->nrecs].col = 1;
		c->recs[c->nrecs].rejects = value_rejects(e->val, e->vlen);
		if (kset_add(&c->recidx, fk, (unsigned)c->nrecs, &first) < 0) {
			free(owned);
			return -1;
		}
		c->nrecs++;
		owned = NULL;
	}
	free(owned);
	return 0;
}

/* duplicate-key diagnostics, collected by dup_diag, spliced in by dup_report */
struct dupctx {
	struct kvctx *c;
	struct diag_list add;
	size_t *pos, cap;
	size_t mark;                /* next mark to look at (lines only grow) */
};

static int
dup_diag(void *ctx, const char *raw, size_t rawlen, unsigned line, unsigned first)
{
	struct dupctx *d = ctx;
	struct kvctx *c = d->c;

	if (d->add.n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		size_t *v = realloc(d->pos, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		d->pos = v;
		d->cap = cap;
	}
	while (d->mark < c->nmarks && c->marks[d->mark].line <= line)
		d->mark++;
	d->pos[d->add.n] = d->mark ? c->marks[d->mark - 1].pos : c->base_n;
	return diag_add(&d->add, DIAG_DUPLICATE_KEY, c->file, line, 1,
			"duplicate key \"%.*s\": Postfix uses the first entry, on line %u, "
			"and ignores this one: remove one of them (or move the one you "
			"want first)", (int)rawlen, raw, first);
}

/* dup_report - the duplicate keys, each where the pass would have added it */
static int
dup_report(struct kvctx *c)
{
	struct dupctx d;
	int r;

	memset(&d, 0, sizeof(d));
	d.c = c;
	diag_list_init(&d.add);
	r = keydup_finish(&c->dups, dup_diag, &d);
	if (r == 0)
		r = diag_list_splice(c->dl, &d.add, d.pos);
	diag_list_fini(&d.add);
	free(d.pos);
	return r;
}

static const struct entry_rec *
find_rec(struct kvctx *c, const char *key)
{
	unsigned idx;

	/* kset_add reports the stored index of a present key; a miss adds the
	 * key with an index past the end, which is harmless here */
	if (kset_add(&c->recidx, key, (unsigned)-1, &idx) == 1 && idx < c->nrecs)
		return &c->recs[idx];
	return NULL;
}

/* postmaster_check - RFC 5321 4.5.1: mail to postmaster@ must be accepted */
static int
postmaster_check(struct kvctx *c)
{
	size_t i;

	for (i = 0; i < c->nrecs; i++) {
		const struct entry_rec *r = &c->recs[i];
		const char *at = strchr(r->key, '@');
		char *pk;
		const struct entry_rec *pm;

		if (!r->rejects)
			continue;
		if (strncmp(r->key, "postmaster@", 11) == 0) {
			if (diag_add(c->dl, DIAG_POSTMASTER_REJECTED, c->file, r->line, r->col,
				     "this rejects mail to %s%s: RFC 5321 requires that mail to "
				     "postmaster be accepted (Postfix exempts only a bare "
				     "RCPT TO:<postmaster>); remove it or make it OK",
				     r->key, r->key[11] ? "" : "<any domain>") < 0)
				return -1;
			continue;
		}
		if (at || r->key[0] == '\0')
			continue;
		/* a domain entry: postmaster@domain is rejected too unless excepted */
		if (asprintf(&pk, "postmaster@%s", r->key[0] == '.' ? r->key + 1 : r->key) < 0)
			return -1;
		/* smtpd looks up the full address first, then the domain, and
		 * "postmaster@" only after the domain: only a postmaster@DOMAIN
		 * entry saves it */
		pm = find_rec(c, pk);
		if ((pm == NULL || pm->rejects)
		    && diag_add(c->dl, DIAG_POSTMASTER_REJECTED, c->file, r->line, r->col,
				"rejecting the whole domain %s also rejects %s (the domain is "
				"looked up before any postmaster@ entry): RFC 5321 requires that "
				"mail to postmaster be accepted; add \"%s OK\" to this table",
				r->key, pk, pk) < 0) {
			free(pk);
			return -1;
		}
		free(pk);
	}
	return 0;
}

static bool
type_folds(const char *type)
{
	const struct map_ops *ops = map_find_type(type);

	if (ops)
		return (ops->flags & MAP_FOLD_KEYS) != 0;
	return true;
}

static long
check_kv_buf(const char *type, const char *buf, size_t len, const char *file,
	     enum maincf_role role, struct maincf *cf, struct diag_list *dl,
	     struct maincf_list *used, const char *relay_list)
{
	struct kvctx c;
	int r;
	size_t i;

	memset(&c, 0, sizeof(c));
	kset_init(&c.recidx);
	c.type = type;
	c.file = file;
	c.src = buf;
	c.srclen = len;
	c.role = role;
	c.cf = cf;
	c.dl = dl;
	c.used = used;
	c.relay_list = relay_list;
	c.fold = type_folds(type);
	c.utf8fold = cf ? maincf_get_bool(cf, "smtputf8_enable", true) : true;
	c.pdms = maincf_role_is_access(role) && access_pdms(cf);
	c.base_n = c.last_n = dl->n;
	/* about one entry per 24 source bytes */
	keydup_init(&c.dups, buf, len, c.fold, len / 24);
	r = kvparse_buf(buf, len, file, kv_entry, &c, dl);
	if (r == 0)
		r = dup_report(&c);
	if (r == 0 && role == MAINCF_ROLE_RECIPIENT)
		r = postmaster_check(&c);
	for (i = 0; i < c.nrecs; i++)
		free(c.recs[i].key);
	free(c.recs);
	keydup_fini(&c.dups);
	free(c.marks);
	kset_fini(&c.recidx);
	free(c.fbuf);
	if (r != 0) {
		errno = ENOMEM;
		return -1;
	}
	return c.n;
}

/* postmaster check for pattern tables: run the rules on postmaster@DOMAIN */
static int
pattern_postmaster(const struct pattern_table *pt, const char *type, const char *file,
		   struct maincf *cf, struct diag_list *dl)
{
	static const char *const params[] = { "mydestination", "relay_domains",
		"virtual_alias_domains", "virtual_mailbox_domains", NULL };
	struct map_error err;
	struct map *m;
	size_t i, j;
	int rc = 0;

	if (cf == NULL)
		return 0;
	memset(&err, 0, sizeof(err));
	m = pattern_open(pt, type, file, &err);
	if (m == NULL)
		return 0;
	for (i = 0; params[i] && rc == 0; i++) {
		struct maincf_list l;
		const char *v = maincf_get(cf, params[i], NULL);

		if (v == NULL)
			break;
		maincf_list_init(&l);
		if (maincf_split(v, &l) < 0)
			rc = -1;
		for (j = 0; j < l.n && rc == 0; j++) {
			struct map_hit hit;
			char *key;
			const char *d = l.v[j].text;

			if (strchr(d, ':') || strchr(d, '$') || strchr(d, '/'))
				continue;
			if (asprintf(&key, "postmaster@%s", d) < 0) {
				rc = -1;
				break;
			}
			for (char *p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (map_lookup(m, key, strlen(key), &hit, &err) == 1
			    && value_rejects(hit.val, hit.vlen) && hit.rule < pt->n)
				rc = diag_add(dl, DIAG_POSTMASTER_REJECTED, file,
					      pt->pos[hit.rule].line, pt->pos[hit.rule].col,
					      "this rule rejects %s (%s is in %s): RFC 5321 requires "
					      "that mail to postmaster be accepted; add a rule "
					      "/^postmaster@/ OK before it", key, d, params[i]);
			free(key);
		}
		maincf_list_fini(&l);
	}
	map_close(m);
	return rc;
}

/* pattern_rule_flags - flag misunderstandings (postfix-reference.md 5.2) */
static int
pattern_rule_flags(const struct pattern_table *pt, size_t i, const char *type,
		   enum maincf_role role, const char *file, struct diag_list *dl)
{
	const struct map_rule *r = &pt->rules[i];
	const struct pattern_pos *p = &pt->pos[i];
	bool cs = r->flags && strchr(r->flags, 'i');
	size_t k;

	if (strcmp(type, "regexp") == 0 && r->flags && strchr(r->flags, 'x')
	    && diag_add_sev(dl, DIAG_WARNING, DIAG_SYNTAX, file, p->line,
			    p->pattern_col + (unsigned)r->pattern_len + 1,
			    "flag x switches a regexp: pattern to POSIX basic syntax (+ ? | ( ) "
			    "are then literal), it does not ignore whitespace as in pcre: remove "
			    "it") < 0)
		return -1;
	if (cs && (role == MAINCF_ROLE_SENDER || role == MAINCF_ROLE_RECIPIENT)) {
		for (k = 0; k < r->pattern_len; k++) {
			if (r->pattern[k] == '\\') {
				k++;
				continue;
			}
			if (r->pattern[k] >= 'A' && r->pattern[k] <= 'Z')
				return diag_add_sev(dl, DIAG_WARNING, DIAG_UNREACHABLE_KEY, file,
						    p->line, p->pattern_col + (unsigned)k,
						    "flag i makes this pattern case-sensitive, but smtpd "
						    "lower-cases %s addresses before the lookup: the "
						    "upper-case '%c' never matches; remove the i flag",
						    maincf_role_name(role), r->pattern[k]);
		}
	}
	return 0;
}

/* always_matches - a top-level rule that matches every lookup: /^/, /./,
 * /.*\/, /^.*\/ without flags (keys, header and body lines are never empty) */
static bool
always_matches(const struct map_rule *r)
{
	static const char *const any[] = { "^", ".", ".*", "^.*", "" };
	size_t k;

	if (r->kind != MAP_RULE_MATCH || r->negate || r->pattern2 || (r->flags && r->flags[0]))
		return false;
	for (k = 0; k < sizeof(any) / sizeof(any[0]); k++)
		if (r->pattern_len == strlen(any[k]) && memcmp(r->pattern, any[k], r->pattern_len) == 0)
			return true;
	return false;
}

static bool
same_rule(const struct map_rule *a, const struct map_rule *b)
{
	return a->kind == b->kind && a->negate == b->negate && a->pattern_len == b->pattern_len
	       && memcmp(a->pattern, b->pattern, a->pattern_len) == 0
	       && strcmp(a->flags ? a->flags : "", b->flags ? b->flags : "") == 0
	       && (a->pattern2 == NULL) == (b->pattern2 == NULL)
	       && (a->pattern2 == NULL || (a->pattern2_len == b->pattern2_len
					   && memcmp(a->pattern2, b->pattern2, a->pattern2_len) == 0));
}

/* shadowed_rules - top-level rules Postfix never reaches: after one that
 * matches everything, or the same pattern as an earlier top-level rule
 * (the first match wins) */
static int
shadowed_rules(const struct pattern_table *pt, const char *file, struct diag_list *dl)
{
	size_t i, k, all = (size_t)-1;
	int depth = 0;

	for (i = 0; i < pt->n; i++) {
		const struct map_rule *r = &pt->rules[i];
		int d = depth;

		if (r->kind == MAP_RULE_IF)
			depth++;
		else if (r->kind == MAP_RULE_ENDIF) {
			if (depth > 0)
				depth--;
			continue;
		}
		if (d != 0)
			continue;
		if (all != (size_t)-1) {
			if (diag_add(dl, DIAG_SHADOWED_RULE, file, pt->pos[i].line, pt->pos[i].col,
				     "this rule is never reached: /%.*s/ on line %u matches every "
				     "input first (the first matching rule wins)",
				     (int)pt->rules[all].pattern_len, pt->rules[all].pattern,
				     pt->pos[all].line) < 0)
				return -1;
			continue;
		}
		if (r->kind == MAP_RULE_MATCH) {
			int dd = 0;

			for (k = 0; k < i; k++) {
				if (pt->rules[k].kind == MAP_RULE_ENDIF) {
					if (dd > 0)
						dd--;
					continue;
				}
				if (dd == 0 && same_rule(&pt->rules[k], r))
					break;
				if (pt->rules[k].kind == MAP_RULE_IF)
					dd++;
			}
			if (k < i && diag_add(dl, DIAG_SHADOWED_RULE, file, pt->pos[i].line,
					      pt->pos[i].col, "this rule never matches: line %u has the "
					      "same pattern and matches first", pt->pos[k].line) < 0)
				return -1;
		}
		if (always_matches(r))
			all = i;
	}
	return 0;
}

static long
check_pattern_buf(const char *type, const char *buf, size_t len, const char *file,
		  enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		  struct maincf_list *used, const char *relay_list)
{
	struct pattern_table pt;
	long n;
	size_t i;

	pattern_table_init(&pt, pattern_dialect_for_type(type));
	n = pattern_parse_buf(&pt, buf, len, file,
			      role == MAINCF_ROLE_TRANSPORT ? PATTERN_NO_REGSUB : 0, dl);
	if (n < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	if (pattern_compile_check(&pt, type, file, dl) < 0 && errno == ENOMEM) {
		pattern_table_fini(&pt);
		return -1;
	}
	for (i = 0; i < pt.n; i++) {
		const struct map_rule *r = &pt.rules[i];
		const struct pattern_pos *p = &pt.pos[i];
		int rc;

		if (r->kind != MAP_RULE_ENDIF && pattern_rule_flags(&pt, i, type, role, file, dl) < 0) {
			pattern_table_fini(&pt);
			return -1;
		}
		if (r->kind != MAP_RULE_MATCH || r->result_len == 0)
			continue;
		if (maincf_role_is_access(role))
			rc = check_access_value(r->result, r->result_len, role, cf, file, p->line,
						p->result_col, dl, used) < 0
				|| relay_check(r->negate ? NULL : relay_list, role, r->result,
					       r->result_len, file, p->line, p->result_col, dl) < 0
				? -1 : 0;
		else
			rc = check_value(role, NULL, 0, r->result, r->result_len, cf, file,
					 p->line, p->result_col, dl);
		if (rc < 0) {
			pattern_table_fini(&pt);
			return -1;
		}
	}
	if (role == MAINCF_ROLE_RECIPIENT && pattern_postmaster(&pt, type, file, cf, dl) < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	if (shadowed_rules(&pt, file, dl) < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	pattern_table_fini(&pt);
	return n;
}

/* alias_count - entries of an aliases(5) file; its syntax is postalias's,
 * not postmap's, and is not checked here */
static long
alias_count(const char *buf, size_t len)
{
	long n = 0;
	size_t i = 0;

	while (i < len) {
		size_t s = i;

		while (i < len && buf[i] != '\n')
			i++;
		if (i > s && buf[s] != '#' && buf[s] != ' ' && buf[s] != '\t' && buf[s] != '\r')
			n++;
		i++;
	}
	return n;
}

/* a cidr table (maps/map_cidr.c parses it, as dict_cidr): the lines Postfix
 * skips are errors, each result is checked as the role's values */
struct cidr_check {
	const char *file;
	enum maincf_role role;
	struct maincf *cf;
	struct diag_list *dl;
	struct maincf_list *used;
	const char *relay_list;
	long n;
};

static int
cidr_rule(void *ctx, const struct map_cidr_note *n)
{
	struct cidr_check *c = ctx;
	size_t vl;

	if (n->kind != MAP_CIDR_RULE)
		return query_cidr_note(c->dl, c->file, n);
	c->n++;
	vl = strlen(n->value);
	if (maincf_role_is_access(c->role))
		return check_access_value(n->value, vl, c->role, c->cf, c->file, n->vline,
					  n->vcol, c->dl, c->used) < 0
			|| relay_check(n->pattern[0] == '!' ? NULL : c->relay_list, c->role,
				       n->value, vl, c->file, n->vline, n->vcol, c->dl) < 0 ? -1 : 0;
	return check_value(c->role, NULL, 0, n->value, vl, c->cf, c->file, n->vline, n->vcol,
			   c->dl);
}

static long
check_cidr_buf(const char *buf, size_t len, const char *file, enum maincf_role role,
	       struct maincf *cf, struct diag_list *dl, struct maincf_list *used,
	       const char *relay_list)
{
	struct cidr_check c = { file, role, cf, dl, used, relay_list, 0 };

	if (map_cidr_check(buf, len, cidr_rule, &c) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return c.n;
}

static long
table_buf(const char *type, const char *buf, size_t len, const char *file,
	  enum maincf_role role, struct maincf *cf, struct diag_list *dl,
	  struct maincf_list *used, const char *relay_list)
{
	if (maincf_is_pattern_type(type))
		return check_pattern_buf(type, buf, len, file, role, cf, dl, used, relay_list);
	if (role == MAINCF_ROLE_ALIAS)
		return alias_count(buf, len);
	if (strcmp(type, "cidr") == 0)
		return check_cidr_buf(buf, len, file, role, cf, dl, used, relay_list);
	return check_kv_buf(type, buf, len, file, role, cf, dl, used, relay_list);
}

long
check_table_buf(const char *type, const char *buf, size_t len, const char *file,
		enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		struct maincf_list *used)
{
	return table_buf(type, buf, len, file, role, cf, dl, used, NULL);
}

static int
read_all(const char *path, struct strbuf *sb)
{
	FILE *fp = safeopen_fopen(path, SAFEOPEN_TABLE_MAX, NULL, 0);
	char tmp[65536];
	size_t n;

	if (fp == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		if ((off_t)(sb->len + n) > SAFEOPEN_TABLE_MAX || strbuf_add(sb, tmp, n) < 0) {
			fclose(fp);
			errno = ENOMEM;
			return -1;
		}
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		errno = e;
		return -1;
	}
	fclose(fp);
	return 0;
}

static long
table_file(const char *type, const char *path, enum maincf_role role, struct maincf *cf,
	   struct diag_list *dl, struct maincf_list *used, const char *relay_list)
{
	struct strbuf sb;
	long n;

	strbuf_init(&sb);
	if (read_all(path, &sb) < 0) {
		int e = errno;

		strbuf_fini(&sb);
		errno = e;
		return -1;
	}
	n = table_buf(type, sb.buf, sb.len, path, role, cf, dl, used, relay_list);
	strbuf_fini(&sb);
	return n;
}

long
check_table(const char *type, const char *path, enum maincf_role role, struct maincf *cf,
	    struct diag_list *dl, struct maincf_list *used)
{
	struct strbuf sb;
	struct stat st;
	long n;
	int fd;

	/* a regular file is mapped rather than copied (big tables: no 30 MB
	 * of copying and page faults before the first entry); pattern tables,
	 * small, keep the NUL-terminated copy their parser was written for */
	if (!maincf_is_pattern_type(type)
	    && (fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, &st, NULL, 0)) >= 0) {
		void *map = MAP_FAILED;

		if (st.st_size > 0
		    && (uintmax_t)st.st_size < SIZE_MAX)
			map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map != MAP_FAILED) {
			int e;

			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
			n = check_table_buf(type, map, (size_t)st.st_size, path, role, cf, dl, used);
			e = errno;
			munmap(map, (size_t)st.st_size);
			errno = e;
			return n;
		}
	}
	strbuf_init(&sb);
	if (read_all(path, &sb) < 0) {
		int e = errno;

		strbuf_fini(&sb);
		errno = e;
		return -1;
	}
	n = check_table_buf(type, sb.buf, sb.len, path, role, cf, dl, used);
	strbuf_fini(&sb);
	return n;
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
		nr = table_buf(t->type, text.buf, text.len, "inline", t->role, cf, &tmp, used,
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
				    ? check_access_value(v.v[i].text, strlen(v.v[i].text), t->role, cf,
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
	n = table_file(t->type, t->path, t->role, cf, &res->diags, used, relay_list_of(cf, t));
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
			map_close(m);
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
	if (read_all(path, &sb) < 0) {
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
