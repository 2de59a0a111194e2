/*
 * core/check_value.c - what check says of one entry of a table: its value
 * as the table's role reads it (access actions and replies, restriction
 * classes, header/body actions, transport values, services) and an access
 * table's key (IP networks, parent_domain_matches_subdomains).  The tables
 * themselves are read in core/check_table.c; the contract is in
 * core/check.h.
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

int
chk_access_value(const char *value, size_t vlen, enum maincf_role role, struct maincf *cf,
		 const char *file, unsigned line, unsigned col, struct diag_list *dl,
		 struct maincf_list *used)
{
	return chk_access_value_k(NULL, 0, value, vlen, role, cf, file, line, col, dl, used);
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

int
chk_access_value_k(const char *key, size_t klen, const char *value, size_t vlen,
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

/* chk_value_rejects - access value V (N bytes) rejects */
bool
chk_value_rejects(const char *v, size_t n)
{
	struct access_action a;

	access_parse(v, n, &a);
	return access_rejects(&a, v, n);
}

int
check_value(enum maincf_role role, const char *key, size_t klen, const char *value,
	    size_t vlen, struct maincf *cf, const char *file, unsigned line, unsigned col,
	    struct diag_list *dl)
{
	if (maincf_role_is_access(role)) {
		if (key && klen && chk_access_key(key, klen, role, cf, -1, file, line, dl) < 0)
			return -1;
		if (key && role == MAINCF_ROLE_RECIPIENT && klen >= 11
		    && strncasecmp(key, "postmaster@", 11) == 0 && chk_value_rejects(value, vlen)
		    && diag_add(dl, DIAG_POSTMASTER_REJECTED, file, line, 1,
				"this rejects mail to %.*s%s: RFC 5321 requires that mail to "
				"postmaster be accepted; remove it or make it OK", (int)klen, key,
				klen == 11 ? "<any domain>" : "") < 0)
			return -1;
		return chk_access_value_k(key, klen, value, vlen, role, cf, file, line, col, dl,
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

/* chk_access_pdms - smtpd_access_maps is in parent_domain_matches_subdomains */
bool
chk_access_pdms(struct maincf *cf)
{
	return cf ? maincf_in_list(cf, "parent_domain_matches_subdomains", "smtpd_access_maps")
		  : true;
}

/* chk_access_key - PDMS is chk_access_pdms(CF), or -1 to have it computed
 * (tables pass it in: splitting the list per entry was costly) */
int
chk_access_key(const char *k, size_t n, enum maincf_role role, struct maincf *cf,
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
	pdms = pdms_in < 0 ? chk_access_pdms(cf) : pdms_in != 0;

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

