/*
 * core/maincf.c - main.cf model: parameters, expansion, lists, references,
 * restriction classes.  The contract is in core/maincf.h.
 *
 * The source text is kept whole; each parameter remembers the segments of
 * its logical line (joined offset -> physical line and byte) so that list
 * items and table references can be located at their main.cf line/column
 * even on continuation lines.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/maincf.h"
#include "core/mastercf.h"
#include "core/postconf.h"
#include "core/restriction.h"
#include "util/strbuf.h"
#include "util/safeopen.h"

struct seg {
	size_t joff;                /* offset in the joined logical line */
	size_t src;                 /* byte offset in the source of that joined byte */
	size_t line_start;          /* byte offset of the physical line's start */
	unsigned line;
};

struct pinfo {
	struct seg *segs;
	size_t nsegs;
	size_t value_joff;          /* offset of the value in the joined text */
	char *expanded;             /* cache for maincf_get */
	int expanding;
};

struct rlist {                  /* cached restriction list */
	char *name;
	struct maincf_restriction *v;
	size_t n;
	char **strs;                /* owned strings */
	size_t nstrs;
};

struct dcache {                 /* expanded defaults cache */
	char *name;
	char *value;
};

#define MAINCF_NAME_MAX 256         /* longest $name expanded */

struct maincf {
	char *path;
	char *dir;
	char *src;
	size_t srclen;
	struct maincf_param *params;
	struct pinfo *pinfo;
	size_t nparams, capparams;
	struct maincf_ref *refs;
	size_t nrefs, caprefs;
	char **strs;                /* strings owned for refs/classes */
	size_t nstrs, capstrs;
	struct maincf_class *classes;
	size_t nclasses;
	struct rlist *rlists;
	size_t nrlists;
	struct dcache *dcache;
	size_t ndcache;
	struct diag_list *dl;       /* during load only */
	int master_state;           /* 0 not read, 1 read, -1 unreadable */
	const char *cur_file;       /* while scanning master.cf: its path (owned by strs) */
	const char *cur_service;    /* while scanning master.cf: "name/type" */
	char **services;
	size_t nservices;
	/* $name expansion guard (lookup_expanded): the names being expanded,
	 * the work done since the outermost call, and what stopped it */
	char (*xstack)[MAINCF_NAME_MAX];
	int xdepth;
	size_t xwork;
	int xerr;                   /* 0, XERR_NESTING, XERR_LOOP, XERR_SIZE */
	char xwhy[512];
};

/* ---- defaults (postconf -d, Postfix 3.7.11 on Debian 12) ---- */

static const struct {
	const char *name;
	const char *value;
} defaults[] = {
	{ "access_map_defer_code", "450" },
	{ "access_map_reject_code", "554" },
	{ "alias_database", "hash:/etc/aliases" },
	{ "alias_maps", "hash:/etc/aliases, nis:mail.aliases" },
	{ "allow_untrusted_routing", "no" },
	{ "body_checks", "" },
	{ "canonical_maps", "" },
	{ "command_directory", "/usr/sbin" },
	{ "compatibility_level", "0" },
	{ "config_directory", "/etc/postfix" },
	{ "daemon_directory", "/usr/lib/postfix/sbin" },
	{ "data_directory", "/var/lib/postfix" },
	{ "default_rbl_reply", "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}" },
	{ "default_transport", "smtp" },
	{ "defer_code", "450" },
	{ "empty_address_recipient", "MAILER-DAEMON" },
	{ "header_checks", "" },
	{ "inet_interfaces", "all" },
	{ "invalid_hostname_reject_code", "501" },
	{ "local_recipient_maps", "proxy:unix:passwd.byname $alias_maps" },
	{ "mail_version", "3.7.11" },
	{ "maps_rbl_reject_code", "554" },
	{ "milter_header_checks", "" },
	{ "meta_directory", "/etc/postfix" },
	{ "mime_header_checks", "$header_checks" },
	{ "mydestination", "$myhostname, localhost.$mydomain, localhost" },
	{ "mydomain", "localdomain" },
	{ "myhostname", "localhost.localdomain" },
	{ "mynetworks", "127.0.0.0/8 [::1]/128" },
	{ "mynetworks_style", "${{$compatibility_level} <level {2} ? {subnet} : {host}}" },
	{ "myorigin", "$myhostname" },
	{ "nested_header_checks", "$header_checks" },
	{ "non_fqdn_reject_code", "504" },
	{ "parent_domain_matches_subdomains", "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps" },
	{ "permit_mx_backup_networks", "" },
	{ "plaintext_reject_code", "450" },
	{ "postscreen_access_list", "permit_mynetworks" },
	{ "proxy_interfaces", "" },
	{ "queue_directory", "/var/spool/postfix" },
	{ "rbl_reply_maps", "" },
	{ "recipient_canonical_maps", "" },
	{ "recipient_delimiter", "" },
	{ "reject_code", "554" },
	{ "relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}" },
	{ "relay_domains_reject_code", "554" },
	{ "relay_recipient_maps", "" },
	{ "relay_transport", "relay" },
	{ "relayhost", "" },
	{ "sender_canonical_maps", "" },
	{ "sender_dependent_default_transport_maps", "" },
	{ "sender_dependent_relayhost_maps", "" },
	{ "shlib_directory", "/usr/lib/postfix" },
	{ "smtp_body_checks", "" },
	{ "smtp_header_checks", "" },
	{ "smtp_mime_header_checks", "" },
	{ "smtp_nested_header_checks", "" },
	{ "smtpd_client_restrictions", "" },
	{ "smtpd_data_restrictions", "" },
	{ "smtpd_delay_reject", "yes" },
	{ "smtpd_end_of_data_restrictions", "" },
	{ "smtpd_etrn_restrictions", "" },
	{ "smtpd_helo_required", "no" },
	{ "smtpd_helo_restrictions", "" },
	{ "smtpd_log_access_permit_actions", "" },
	{ "smtpd_null_access_lookup_key", "<>" },
	{ "smtpd_proxy_filter", "" },
	{ "smtpd_recipient_restrictions", "" },
	{ "smtpd_reject_footer", "" },
	{ "smtpd_reject_footer_maps", "" },
	{ "smtpd_reject_unlisted_recipient", "yes" },
	{ "smtpd_reject_unlisted_sender", "no" },
	{ "smtpd_relay_before_recipient_restrictions", "${{$compatibility_level} <level {3.6} ? {no} : {yes}}" },
	{ "smtpd_relay_restrictions", "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination}}" },
	{ "smtpd_restriction_classes", "" },
	{ "smtpd_sender_login_maps", "" },
	{ "smtpd_sender_restrictions", "" },
	{ "smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}" },
	{ "soft_bounce", "no" },
	{ "strict_rfc821_envelopes", "no" },
	{ "transport_maps", "" },
	{ "unknown_address_reject_code", "450" },
	{ "unknown_client_reject_code", "450" },
	{ "unknown_hostname_reject_code", "450" },
	{ "unknown_local_recipient_reject_code", "550" },
	{ "unknown_relay_recipient_reject_code", "550" },
	{ "unknown_virtual_alias_reject_code", "550" },
	{ "unknown_virtual_mailbox_reject_code", "550" },
	{ "unverified_recipient_defer_code", "450" },
	{ "unverified_recipient_reject_code", "450" },
	{ "unverified_sender_defer_code", "450" },
	{ "unverified_sender_reject_code", "450" },
	{ "virtual_alias_domains", "$virtual_alias_maps" },
	{ "virtual_alias_maps", "$virtual_maps" },
	{ "virtual_mailbox_domains", "$virtual_mailbox_maps" },
	{ "virtual_mailbox_maps", "" },
	{ "virtual_maps", "" },
};

const char *
maincf_default(const char *name)
{
	/* the installed Postfix's own default first (core/postconf) */
	const char *v = postconf_default(name);

	return v ? v : maincf_builtin_default(name);
}

const char *
maincf_builtin_default(const char *name)
{
	size_t lo = 0, hi = sizeof(defaults) / sizeof(defaults[0]);

	/* the table is sorted by name */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, defaults[mid].name);

		if (c == 0)
			return defaults[mid].value;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const char *const all_names[] = {
#include "core/maincf_names.h"
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* is_postfix_param - NAME is one of Postfix 3.7's parameters */
static bool
is_postfix_param(const char *name)
{
	if (postconf_is_param(name) == 1)
		return true;
	return bsearch(&name, all_names, sizeof(all_names) / sizeof(all_names[0]),
		       sizeof(all_names[0]), name_cmp) != NULL;
}

/* ---- roles, types, restriction names ---- */

static const char *const role_names[MAINCF_NROLES] = {
	"generic", "client", "helo", "sender", "recipient", "access",
	"transport", "header_checks", "body_checks", "list", "address", "alias",
};

const char *
maincf_role_name(enum maincf_role role)
{
	return (unsigned)role < MAINCF_NROLES ? role_names[role] : "?";
}

bool
maincf_role_is_access(enum maincf_role role)
{
	return role >= MAINCF_ROLE_CLIENT && role <= MAINCF_ROLE_ACCESS;
}

static bool
in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static bool
in_set_ci(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcasecmp(s, *set) == 0)
			return true;
	return false;
}

bool
maincf_is_map_type(const char *type)
{
	static const char *const types[] = {
		"btree", "cdb", "cidr", "dbm", "environ", "fail", "hash", "inline",
		"internal", "lmdb", "memcache", "nis", "nisplus", "pcre", "pipemap",
		"proxy", "randmap", "regexp", "sdbm", "socketmap", "static", "tcp",
		"texthash", "unionmap", "unix", "ldap", "mysql", "pgsql", "sqlite",
		NULL
	};
	return postconf_has_type(type) == 1 || in_set(type, types);
}

bool
maincf_is_file_type(const char *type)
{
	static const char *const types[] = {
		"btree", "cdb", "cidr", "dbm", "hash", "lmdb", "pcre", "regexp", "sdbm",
		"texthash", NULL
	};
	return in_set(type, types);
}

bool
maincf_is_pattern_type(const char *type)
{
	return strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0;
}

/* the names and their arguments: core/restrictions.h */
bool
maincf_restriction_takes_arg(const char *restriction)
{
	return restriction_takes_arg(restriction, strlen(restriction));
}

bool
maincf_is_builtin_restriction(const char *name)
{
	return restriction_find(name, strlen(name)) != NULL;
}

enum maincf_role
maincf_restriction_role(const char *r, const char *list)
{
	if (r && strchr(r, ':') == NULL) {
		const struct restriction *e = restriction_find(r, strlen(r));

		if (e && e->arg == RARG_MAP)
			return e->role;
		return MAINCF_ROLE_ACCESS;
	}
	/* a bare type:name: the list's own check_*_access */
	if (list == NULL)
		return MAINCF_ROLE_ACCESS;
	if (strcmp(list, "smtpd_client_restrictions") == 0)
		return MAINCF_ROLE_CLIENT;
	if (strcmp(list, "smtpd_helo_restrictions") == 0)
		return MAINCF_ROLE_HELO;
	if (strcmp(list, "smtpd_sender_restrictions") == 0)
		return MAINCF_ROLE_SENDER;
	if (strcmp(list, "smtpd_recipient_restrictions") == 0
	    || strcmp(list, "smtpd_relay_restrictions") == 0)
		return MAINCF_ROLE_RECIPIENT;
	return MAINCF_ROLE_ACCESS;
}

/* role of a table in a non-restriction parameter */
static enum maincf_role
param_role(const char *name)
{
	static const char *const lists[] = {
		"mydestination", "relay_domains", "mynetworks", "virtual_alias_domains",
		"virtual_mailbox_domains", "relay_recipient_maps", "local_recipient_maps",
		"permit_mx_backup_networks", "smtpd_sender_login_maps",
		"debug_peer_list", "fast_flush_domains", "qmqpd_authorized_clients",
		NULL
	};
	static const char *const addr[] = {
		"virtual_alias_maps", "virtual_maps", "canonical_maps", "sender_canonical_maps",
		"recipient_canonical_maps", "recipient_bcc_maps",
		"sender_bcc_maps", "smtp_generic_maps", "lmtp_generic_maps",
		NULL
	};
	size_t n = strlen(name);

	if (strcmp(name, "alias_maps") == 0)
		return MAINCF_ROLE_ALIAS;
	if (strcmp(name, "transport_maps") == 0
	    || strcmp(name, "sender_dependent_default_transport_maps") == 0)
		return MAINCF_ROLE_TRANSPORT;
	if (n >= 11 && strcmp(name + n - 11, "body_checks") == 0)
		return MAINCF_ROLE_BODY_CHECKS;
	if (n >= 13 && strcmp(name + n - 13, "header_checks") == 0)
		return MAINCF_ROLE_HEADER_CHECKS;
	if (in_set(name, lists))
		return MAINCF_ROLE_LIST;
	if (in_set(name, addr))
		return MAINCF_ROLE_ADDRESS;
	if (strcmp(name, "postscreen_access_list") == 0)
		return MAINCF_ROLE_CLIENT;
	return MAINCF_ROLE_GENERIC;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool
is_restriction_param(const char *name)
{
	return strncmp(name, "smtpd_", 6) == 0 && ends_with(name, "_restrictions");
}

/* ---- small helpers ---- */

static char *
own(struct maincf *cf, const char *s, size_t n)
{
	char *p;

	if (cf->nstrs == cf->capstrs) {
		size_t cap = cf->capstrs ? cf->capstrs * 2 : 64;
		char **v = realloc(cf->strs, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		cf->strs = v;
		cf->capstrs = cap;
	}
	p = malloc(n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	cf->strs[cf->nstrs++] = p;
	return p;
}

static char *
own_str(struct maincf *cf, const char *s)
{
	return own(cf, s, strlen(s));
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool
is_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* ---- list splitting ---- */

void
maincf_list_init(struct maincf_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void
maincf_list_fini(struct maincf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	maincf_list_init(l);
}

static int
list_push(struct maincf_list *l, const char *s, size_t n, bool braced, unsigned line,
	  unsigned col)
{
	struct maincf_item *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct maincf_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	it = &l->v[l->n];
	it->text = malloc(n + 1);
	if (it->text == NULL)
		return -1;
	memcpy(it->text, s, n);
	it->text[n] = '\0';
	it->braced = braced;
	it->line = line;
	it->col = col;
	l->n++;
	return 0;
}

/*
 * split_cb - the tokenizer behind maincf_split and maincf_param_items:
 * calls FN(ctx, text, len, braced, token offset) per item.
 */
typedef int split_fn(void *ctx, const char *s, size_t n, bool braced, size_t off);

static int
split_text(const char *text, size_t len, split_fn *fn, void *ctx)
{
	size_t pos = 0, start, n;

	/* words as smtpd's mystrtokq() finds them (access_next_word) */
	while (access_next_word(text, len, &pos, &start, &n)) {
		size_t end = start + n;

		if (text[start] == '{' && end - start >= 2 && text[end - 1] == '}') {
			/* a braced group: strip braces and trim */
			size_t a = start + 1, b = end - 1;
			size_t ia;

			while (a < b && is_space((unsigned char)text[a]))
				a++;
			while (b > a && is_space((unsigned char)text[b - 1]))
				b--;
			ia = a;
			if (fn(ctx, text + ia, b - ia, true, ia) < 0)
				return -1;
		} else if (fn(ctx, text + start, end - start, false, start) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
split_to_list(void *ctx, const char *s, size_t n, bool braced, size_t off)
{
	(void)off;
	return list_push(ctx, s, n, braced, 0, 0);
}

int
maincf_split(const char *text, struct maincf_list *l)
{
	return split_text(text, strlen(text), split_to_list, l);
}

/* ---- positions ---- */

static void
pos_of(const struct maincf *cf, size_t pi, size_t joff, unsigned *line, unsigned *col)
{
	const struct pinfo *inf = &cf->pinfo[pi];
	size_t k = 0, j;

	for (j = 0; j < inf->nsegs; j++)
		if (inf->segs[j].joff <= joff)
			k = j;
	if (inf->nsegs == 0 || cf->src == NULL) {
		*line = cf->params[pi].line;
		*col = 1;
		return;
	}
	{
		const struct seg *s = &inf->segs[k];
		size_t boff = s->src + (joff - s->joff) - s->line_start;
		/* diag_column needs a NUL-free prefix; the source may hold NULs,
		 * so compute on a bounded copy */
		const char *ls = cf->src + s->line_start;
		size_t ll = 0;
		char buf[4096];

		while (s->line_start + ll < cf->srclen && ls[ll] != '\n')
			ll++;
		if (boff > ll)
			boff = ll;
		*line = s->line;
		if (boff < sizeof(buf)) {
			memcpy(buf, ls, boff);
			buf[boff] = '\0';
			*col = diag_column(buf, boff);
		} else {
			*col = (unsigned)boff + 1;
		}
	}
}

struct items_ctx {
	const struct maincf *cf;
	size_t pi;
	size_t base;
	struct maincf_list *l;
};

static int
split_to_items(void *ctx, const char *s, size_t n, bool braced, size_t off)
{
	struct items_ctx *c = ctx;
	unsigned line = 0, col = 0;

	if (c->cf)
		pos_of(c->cf, c->pi, c->base + off, &line, &col);
	return list_push(c->l, s, n, braced, line, col);
}

/* param_index - index of P in CF, or (size_t)-1 */
static size_t
param_index(const struct maincf *cf, const struct maincf_param *p)
{
	if (cf && p >= cf->params && p < cf->params + cf->nparams)
		return (size_t)(p - cf->params);
	return (size_t)-1;
}

int
maincf_param_items(const struct maincf *cf, const struct maincf_param *p, struct maincf_list *l)
{
	struct items_ctx c;
	size_t pi = param_index(cf, p);

	c.cf = pi == (size_t)-1 ? NULL : cf;
	c.pi = pi;
	c.base = pi == (size_t)-1 ? 0 : cf->pinfo[pi].value_joff;
	c.l = l;
	if (c.cf == NULL) {
		size_t before = l->n, i;

		if (split_text(p->value, strlen(p->value), split_to_items, &c) < 0)
			return -1;
		for (i = before; i < l->n; i++) {
			l->v[i].line = p->value_line;
			l->v[i].col = p->value_col;
		}
		return 0;
	}
	return split_text(p->value, strlen(p->value), split_to_items, &c);
}

/* ---- loading ---- */

static int
add_param(struct maincf *cf, const char *joined, size_t jlen, struct seg *segs, size_t nsegs,
	  unsigned nlines, size_t start, size_t end)
{
	struct maincf_param *p;
	struct pinfo *inf;
	size_t i = 0, nend, v, vend;
	unsigned line, col;

	/* name runs to whitespace or '=' */
	while (i < jlen && !is_space((unsigned char)joined[i]) && joined[i] != '=')
		i++;
	nend = i;
	while (i < jlen && is_space((unsigned char)joined[i]))
		i++;
	if (nend == 0 || i >= jlen || joined[i] != '=') {
		if (cf->dl) {
			size_t show = jlen;
			char *t;

			while (show > 0 && is_space((unsigned char)joined[show - 1]))
				show--;
			t = strndup(joined, show);
			diag_add(cf->dl, DIAG_MAINCF_SYNTAX, cf->path, segs[0].line, 1,
				 "missing '=' after attribute name: \"%s\"; every Postfix command "
				 "(postconf, postfix reload, smtpd) stops with a fatal error here: "
				 "write \"name = value\" or make it a comment", t ? t : "");
			free(t);
		}
		free(segs);
		return 0;
	}
	v = i + 1;
	while (v < jlen && is_space((unsigned char)joined[v]))
		v++;
	vend = jlen;
	while (vend > v && is_space((unsigned char)joined[vend - 1]))
		vend--;

	if (cf->nparams == cf->capparams) {
		size_t cap = cf->capparams ? cf->capparams * 2 : 32;
		struct maincf_param *np = realloc(cf->params, cap * sizeof(*np));
		struct pinfo *ni;

		if (np == NULL)
			goto nomem;
		cf->params = np;
		ni = realloc(cf->pinfo, cap * sizeof(*ni));
		if (ni == NULL)
			goto nomem;
		cf->pinfo = ni;
		cf->capparams = cap;
	}
	p = &cf->params[cf->nparams];
	inf = &cf->pinfo[cf->nparams];
	memset(p, 0, sizeof(*p));
	memset(inf, 0, sizeof(*inf));
	p->name = strndup(joined, nend);
	p->value = strndup(joined + v, vend - v);
	if (p->name == NULL || p->value == NULL) {
		free(p->name);
		free(p->value);
		goto nomem;
	}
	inf->segs = segs;
	inf->nsegs = nsegs;
	inf->value_joff = v;
	p->line = segs[0].line;
	p->col = 1;
	p->nlines = nlines;
	p->start = start;
	p->end = end;
	cf->nparams++;
	pos_of(cf, cf->nparams - 1, v, &line, &col);
	p->value_line = line;
	p->value_col = col;
	/* an earlier line with the same name is overridden */
	for (i = 0; i + 1 < cf->nparams; i++) {
		struct maincf_param *q = &cf->params[i];

		if (!q->overridden && strcmp(q->name, p->name) == 0) {
			q->overridden = true;
			if (cf->dl)
				diag_add(cf->dl, DIAG_DUPLICATE_PARAMETER, cf->path, p->line, 1,
					 "%s is set again here; Postfix uses this value and ignores "
					 "the one on line %u: remove one of them", p->name, q->line);
		}
	}
	return 0;
nomem:
	free(segs);
	return -1;
}

static int
load_text(struct maincf *cf)
{
	const char *b = cf->src;
	size_t len = cf->srclen, pos = 0;
	unsigned lineno = 0;
	struct strbuf joined;
	struct seg *segs = NULL;
	size_t nsegs = 0, capsegs = 0, lstart = 0, lend = 0;
	unsigned nlines = 0;
	bool have = false;
	int rc = 0;

	strbuf_init(&joined);
	while (pos < len) {
		size_t ls = pos, le, next;
		size_t k;

		while (pos < len && b[pos] != '\n')
			pos++;
		le = pos;
		next = pos < len ? pos + 1 : pos;
		pos = next;
		lineno++;
		/* blank or comment: skipped, does not end a logical line */
		for (k = ls; k < le && is_space((unsigned char)b[k]); k++)
			;
		if (k == le || b[k] == '#') {
			if (have)
				nlines++;
			continue;
		}
		if (k > ls && !have) {
			if (cf->dl)
				diag_add(cf->dl, DIAG_MAINCF_SYNTAX, cf->path, lineno, 1,
					 "logical line must not start with whitespace; Postfix "
					 "ignores this line: remove the indentation");
			continue;
		}
		if (k == ls && have) {
			if (add_param(cf, joined.buf, joined.len, segs, nsegs, nlines, lstart,
				      lend) < 0)
				goto nomem;
			segs = NULL;
			nsegs = capsegs = 0;
			have = false;
		}
		if (!have) {
			strbuf_reset(&joined);
			lstart = ls;
			nlines = 0;
			have = true;
		}
		if (nsegs == capsegs) {
			size_t cap = capsegs ? capsegs * 2 : 4;
			struct seg *v = realloc(segs, cap * sizeof(*v));

			if (v == NULL)
				goto nomem;
			segs = v;
			capsegs = cap;
		}
		segs[nsegs].joff = joined.len;
		segs[nsegs].src = ls;
		segs[nsegs].line_start = ls;
		segs[nsegs].line = lineno;
		nsegs++;
		nlines++;
		if (strbuf_add(&joined, b + ls, le - ls) < 0)
			goto nomem;
		lend = next;
	}
	if (have && add_param(cf, joined.buf, joined.len, segs, nsegs, nlines, lstart, lend) < 0) {
		segs = NULL;
		goto nomem;
	}
	strbuf_fini(&joined);
	return rc;
nomem:
	free(segs);
	strbuf_fini(&joined);
	return -1;
}

/* ---- expansion ---- */

/* Postfix's mac_expand() gives up past 100 nested $name calls ("unreasonable
 * macro call nesting"); a loop (a = $b, b = $a) ends there too.  An
 * expansion that doubles at each level ($p1 = $p2 $p2 ...) never ends in
 * Postfix (it hangs expanding it): stopped here after XWORK_MAX lookups or
 * XSIZE_MAX bytes. */
#define XDEPTH_MAX 100
#define XWORK_MAX 200000
#define XSIZE_MAX (1024 * 1024)
enum { XERR_NESTING = 1, XERR_LOOP, XERR_SIZE };

static const char *get_raw(const struct maincf *cf, const char *name, enum maincf_source *src);
static int expand_into(struct maincf *cf, const char *s, size_t n, struct strbuf *out, int depth);

const struct maincf_param *
maincf_find(const struct maincf *cf, const char *name)
{
	size_t i;

	for (i = cf->nparams; i > 0; i--)
		if (strcmp(cf->params[i - 1].name, name) == 0)
			return &cf->params[i - 1];
	return NULL;
}

static const char *
get_raw(const struct maincf *cf, const char *name, enum maincf_source *src)
{
	const struct maincf_param *p = maincf_find(cf, name);
	const char *d;

	if (p) {
		if (src)
			*src = MAINCF_SET;
		return p->value;
	}
	/* Postfix sets config_directory from -c / MAIL_CONFIG: the directory
	 * this main.cf was read from, not the compiled-in /etc/postfix. */
	if (strcmp(name, "config_directory") == 0 && cf->dir != NULL) {
		if (src)
			*src = MAINCF_DEFAULT;
		return cf->dir;
	}
	d = maincf_default(name);
	if (src)
		*src = d ? MAINCF_DEFAULT : MAINCF_UNSET;
	return d;
}

const char *
maincf_raw(const struct maincf *cf, const char *name, enum maincf_source *src)
{
	return get_raw(cf, name, src);
}

/* lookup_expanded - expanded value of NAME into OUT */
static int
lookup_expanded(struct maincf *cf, const char *name, size_t nlen, struct strbuf *out,
		int depth)
{
	char nm[MAINCF_NAME_MAX];
	const char *raw;

	if (nlen == 0 || nlen >= sizeof(nm))
		return 0;
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	raw = get_raw(cf, nm, NULL);
	if (raw == NULL || cf->xerr)
		return 0;
	if (cf->xstack == NULL
	    && (cf->xstack = calloc(XDEPTH_MAX + 1, sizeof(*cf->xstack))) == NULL)
		return -1;
	if (++cf->xwork > XWORK_MAX || out->len > XSIZE_MAX) {
		cf->xerr = XERR_SIZE;
		snprintf(cf->xwhy, sizeof(cf->xwhy), "expanding $%s takes more than %d $name "
			 "lookups or %d bytes (each level uses the next more than once)", cf->xdepth ? cf->xstack[0] : nm, XWORK_MAX, XSIZE_MAX);
		return 0;
	}
	{
		int k;

		for (k = 0; k < cf->xdepth; k++) {
			if (strcmp(cf->xstack[k], nm) == 0) {
				size_t l;
				int j;

				cf->xerr = XERR_LOOP;
				l = (size_t)snprintf(cf->xwhy, sizeof(cf->xwhy), "unreasonable macro "
						     "call nesting: $name loop ");
				for (j = k; j < cf->xdepth && l < sizeof(cf->xwhy); j++)
					l += (size_t)snprintf(cf->xwhy + l, sizeof(cf->xwhy) - l,
							      "$%s -> ", cf->xstack[j]);
				if (l < sizeof(cf->xwhy))
					snprintf(cf->xwhy + l, sizeof(cf->xwhy) - l, "$%s", nm);
				return 0;
			}
		}
	}
	if (cf->xdepth >= XDEPTH_MAX) {
		cf->xerr = XERR_NESTING;
		snprintf(cf->xwhy, sizeof(cf->xwhy), "unreasonable macro call nesting: more than "
			 "%d levels of $name below $%s", XDEPTH_MAX, cf->xstack[0]);
		return 0;
	}
	snprintf(cf->xstack[cf->xdepth++], MAINCF_NAME_MAX, "%s", nm);
	{
		int r = expand_into(cf, raw, strlen(raw), out, depth + 1);

		cf->xdepth--;
		return r;
	}
}

/* matching_brace - index just past the '}' matching S[0] == '{' */
static size_t
matching_close(const char *s, size_t n, size_t i, char open, char close)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return n;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* compare dotted levels numerically: "3.6" vs "2" */
static int
level_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if (!isdigit((unsigned char)*a) && !isdigit((unsigned char)*b))
			break;
	}
	return 0;
}

/* skip_ws */
static size_t
skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* take_braced - S[i] must be '{': expand the inside into OUT, return index after '}' */
static size_t
take_braced(struct maincf *cf, const char *s, size_t n, size_t i, struct strbuf *out,
	    int depth, int *err)
{
	size_t e = matching_close(s, n, i, '{', '}');
	size_t inner_end = e > i + 1 && e <= n && s[e - 1] == '}' ? e - 1 : e;

	if (expand_into(cf, s + i + 1, inner_end - i - 1, out, depth) < 0)
		*err = -1;
	return e;
}

/* relational ${{a} OP {b} ? {x} : {y}}: S[i..n) is the inside of ${ } */
static int
expand_relop(struct maincf *cf, const char *s, size_t n, struct strbuf *out, int depth)
{
	struct strbuf a, b, t;
	size_t i = 0;
	char op[8];
	size_t ol = 0;
	int err = 0, cmp, truth = 0;

	strbuf_init(&a);
	strbuf_init(&b);
	strbuf_init(&t);
	i = take_braced(cf, s, n, i, &a, depth, &err);
	i = skip_ws(s, n, i);
	while (i < n && ol < sizeof(op) - 1 && strchr("=!<>level", s[i]) && s[i] != '{') {
		if (is_space((unsigned char)s[i]))
			break;
		op[ol++] = s[i++];
	}
	op[ol] = '\0';
	i = skip_ws(s, n, i);
	if (i < n && s[i] == '{')
		i = take_braced(cf, s, n, i, &b, depth, &err);
	if (err < 0)
		goto out;
	{
		bool level = ol > 5 && strcmp(op + ol - 5, "level") == 0;
		char base[8];

		strcpy(base, op);
		if (level)
			base[ol - 5] = '\0';
		if (level)
			cmp = level_cmp(a.buf, b.buf);
		else if (all_digits(a.buf) && all_digits(b.buf))
			cmp = level_cmp(a.buf, b.buf);
		else
			cmp = strcmp(a.buf, b.buf);
		if (strcmp(base, "==") == 0)
			truth = cmp == 0;
		else if (strcmp(base, "!=") == 0)
			truth = cmp != 0;
		else if (strcmp(base, "<") == 0)
			truth = cmp < 0;
		else if (strcmp(base, "<=") == 0)
			truth = cmp <= 0;
		else if (strcmp(base, ">") == 0)
			truth = cmp > 0;
		else if (strcmp(base, ">=") == 0)
			truth = cmp >= 0;
	}
	i = skip_ws(s, n, i);
	if (i < n && s[i] == '?') {
		i = skip_ws(s, n, i + 1);
		if (i < n && s[i] == '{')
			i = take_braced(cf, s, n, i, truth ? out : &t, depth, &err);
		i = skip_ws(s, n, i);
		if (i < n && s[i] == ':') {
			i = skip_ws(s, n, i + 1);
			if (i < n && s[i] == '{')
				i = take_braced(cf, s, n, i, truth ? &t : out, depth, &err);
		}
	}
out:
	strbuf_fini(&a);
	strbuf_fini(&b);
	strbuf_fini(&t);
	return err;
}

static int
expand_into(struct maincf *cf, const char *s, size_t n, struct strbuf *out, int depth)
{
	size_t i = 0;

	while (i < n) {
		size_t st = i;

		while (i < n && s[i] != '$')
			i++;
		if (i > st && strbuf_add(out, s + st, i - st) < 0)
			return -1;
		if (i >= n)
			break;
		i++;        /* past '$' */
		if (i >= n) {
			if (strbuf_addch(out, '$') < 0)
				return -1;
			break;
		}
		if (s[i] == '$') {
			if (strbuf_addch(out, '$') < 0)
				return -1;
			i++;
		} else if (s[i] == '{' || s[i] == '(') {
			char open = s[i], close = open == '{' ? '}' : ')';
			size_t e = matching_close(s, n, i, open, close);
			size_t in = i + 1, inend = (e <= n && e > in && s[e - 1] == close) ? e - 1 : e;
			size_t k = in;

			if (k < inend && s[k] == '{') {
				if (expand_relop(cf, s + in, inend - in, out, depth) < 0)
					return -1;
			} else {
				struct strbuf val;
				bool nonempty;

				while (k < inend && is_name_char((unsigned char)s[k]))
					k++;
				strbuf_init(&val);
				if (lookup_expanded(cf, s + in, k - in, &val, depth) < 0) {
					strbuf_fini(&val);
					return -1;
				}
				nonempty = val.len > 0;
				if (k >= inend) {
					if (strbuf_add(out, val.buf, val.len) < 0) {
						strbuf_fini(&val);
						return -1;
					}
				} else if (s[k] == '?' || s[k] == ':') {
					bool want = s[k] == '?' ? nonempty : !nonempty;
					size_t r = k + 1;
					const char *rs = s + r;
					size_t rn = inend - r;
					struct strbuf alt;
					bool two = false;

					strbuf_init(&alt);
					/* ${name?{x}:{y}} */
					if (s[k] == '?' && rn > 0 && rs[0] == '{') {
						size_t e1 = matching_close(rs, rn, 0, '{', '}');
						size_t j = skip_ws(rs, rn, e1);

						if (j < rn && rs[j] == ':') {
							int err = 0;

							j = skip_ws(rs, rn, j + 1);
							two = true;
							if (want)
								take_braced(cf, rs, rn, 0, out, depth, &err);
							else if (j < rn && rs[j] == '{')
								take_braced(cf, rs, rn, j, out, depth, &err);
							if (err < 0) {
								strbuf_fini(&alt);
								strbuf_fini(&val);
								return -1;
							}
						}
					}
					if (!two && want) {
						int r2;

						if (rn > 0 && rs[0] == '{') {
							int err = 0;

							take_braced(cf, rs, rn, 0, out, depth, &err);
							r2 = err;
						} else {
							r2 = expand_into(cf, rs, rn, out, depth);
						}
						if (r2 < 0) {
							strbuf_fini(&alt);
							strbuf_fini(&val);
							return -1;
						}
					}
					strbuf_fini(&alt);
				}
				strbuf_fini(&val);
			}
			i = e;
		} else if (is_name_char((unsigned char)s[i])) {
			size_t k = i;

			while (k < n && is_name_char((unsigned char)s[k]))
				k++;
			if (lookup_expanded(cf, s + i, k - i, out, depth) < 0)
				return -1;
			i = k;
		} else {
			if (strbuf_addch(out, '$') < 0)
				return -1;
		}
	}
	return 0;
}

int
maincf_expand(struct maincf *cf, const char *text, char **out)
{
	struct strbuf sb;

	strbuf_init(&sb);
	cf->xdepth = 0;
	cf->xwork = 0;
	cf->xerr = 0;
	if (expand_into(cf, text, strlen(text), &sb, 0) < 0) {
		strbuf_fini(&sb);
		return -1;
	}
	*out = strbuf_export(&sb);
	return *out ? 0 : -1;
}

const char *
maincf_get(struct maincf *cf, const char *name, enum maincf_source *src)
{
	const struct maincf_param *p = maincf_find(cf, name);
	enum maincf_source s;
	const char *raw = get_raw(cf, name, &s);
	size_t i;
	char *x;

	if (src)
		*src = s;
	if (raw == NULL)
		return "";
	if (p) {
		size_t pi = param_index(cf, p);

		if (cf->pinfo[pi].expanded == NULL) {
			if (maincf_expand(cf, raw, &x) < 0)
				return NULL;
			cf->pinfo[pi].expanded = x;
		}
		return cf->pinfo[pi].expanded;
	}
	for (i = 0; i < cf->ndcache; i++)
		if (strcmp(cf->dcache[i].name, name) == 0)
			return cf->dcache[i].value;
	{
		struct dcache *v = realloc(cf->dcache, (cf->ndcache + 1) * sizeof(*v));

		if (v == NULL)
			return NULL;
		cf->dcache = v;
		if (maincf_expand(cf, raw, &x) < 0)
			return NULL;
		v[cf->ndcache].name = strdup(name);
		if (v[cf->ndcache].name == NULL) {
			free(x);
			return NULL;
		}
		v[cf->ndcache].value = x;
		cf->ndcache++;
		return x;
	}
}

bool
maincf_get_bool(struct maincf *cf, const char *name, bool def)
{
	const char *v = maincf_get(cf, name, NULL);

	if (v == NULL)
		return def;
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		return true;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		return false;
	return def;
}

bool
maincf_in_list(struct maincf *cf, const char *name, const char *item)
{
	const char *v = maincf_get(cf, name, NULL);
	struct maincf_list l;
	bool found = false;
	size_t i;

	if (v == NULL)
		return false;
	maincf_list_init(&l);
	if (maincf_split(v, &l) == 0)
		for (i = 0; i < l.n && !found; i++)
			found = strcasecmp(l.v[i].text, item) == 0;
	maincf_list_fini(&l);
	return found;
}

bool
maincf_is_known(const struct maincf *cf, const char *name)
{
	size_t i;

	if (maincf_default(name) || is_postfix_param(name))
		return true;
	for (i = 0; i < cf->nclasses; i++)
		if (strcmp(cf->classes[i].name, name) == 0)
			return true;
	return false;
}

/* ---- inline tables ---- */

int
maincf_inline_split(const char *body, struct maincf_list *keys, struct maincf_list *values,
		    const char *file, unsigned line, unsigned col, struct diag_list *dl)
{
	struct maincf_list items;
	size_t i;
	int rc = 0;

	maincf_list_init(&items);
	if (maincf_split(body, &items) < 0) {
		maincf_list_fini(&items);
		return -1;
	}
	for (i = 0; i < items.n && rc == 0; i++) {
		const char *t = items.v[i].text;
		const char *eq = strchr(t, '=');

		if (eq == NULL || eq == t) {
			if (dl && diag_add(dl, DIAG_BAD_REFERENCE, file, line, col,
					   "inline table item \"%s\" is not key=value; Postfix "
					   "refuses the table (missing '=' after attribute name): "
					   "write key=value without spaces around '=', or "
					   "{key = value}", t) < 0)
				rc = -1;
			break;
		}
		if (!items.v[i].braced && eq > t && is_space((unsigned char)eq[-1])) {
			if (dl && diag_add(dl, DIAG_BAD_REFERENCE, file, line, col,
					   "inline table item \"%s\" has spaces around '='; "
					   "Postfix refuses it: write key=value or {key = value}",
					   t) < 0)
				rc = -1;
			break;
		}
		{
			size_t kl = (size_t)(eq - t);
			const char *v = eq + 1;

			while (kl > 0 && is_space((unsigned char)t[kl - 1]))
				kl--;
			while (is_space((unsigned char)*v))
				v++;
			if (list_push(keys, t, kl, false, line, col) < 0
			    || list_push(values, v, strlen(v), false, line, col) < 0)
				rc = -1;
		}
	}
	maincf_list_fini(&items);
	return rc;
}

/* ---- references and classes ---- */

static int
add_ref(struct maincf *cf, const char *token, const char *param, bool in_class,
	const char *restriction, enum maincf_role role, unsigned line, unsigned col)
{
	struct maincf_ref *r;
	const char *colon = strchr(token, ':');
	const char *type_s, *name_s;
	char *type, *name;
	bool proxy = false;

	if (colon == NULL)
		return 0;
	type_s = token;
	name_s = colon + 1;
	if ((size_t)(colon - token) == 5 && strncmp(token, "proxy", 5) == 0) {
		const char *c2 = strchr(name_s, ':');

		proxy = true;
		if (c2 == NULL) {
			if (cf->dl)
				diag_add(cf->dl, DIAG_BAD_REFERENCE, cf->path, line, col,
					 "\"%s\" needs proxy:TYPE:NAME", token);
			return 0;
		}
		type_s = name_s;
		colon = c2;
		name_s = c2 + 1;
	}
	if (cf->nrefs == cf->caprefs) {
		size_t cap = cf->caprefs ? cf->caprefs * 2 : 16;
		struct maincf_ref *v = realloc(cf->refs, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		cf->refs = v;
		cf->caprefs = cap;
	}
	type = own(cf, type_s, (size_t)(colon - type_s));
	if (type == NULL)
		return -1;
	if (*name_s == '{') {
		size_t n = strlen(name_s);

		/* inline:{ ... }: keep the body without the outer braces */
		if (n >= 2 && name_s[n - 1] == '}')
			name = own(cf, name_s + 1, n - 2);
		else
			name = own_str(cf, name_s + 1);
	} else {
		name = own_str(cf, name_s);
	}
	if (name == NULL)
		return -1;
	r = &cf->refs[cf->nrefs];
	r->text = own_str(cf, token);
	if (r->text == NULL)
		return -1;
	r->type = type;
	r->name = name;
	r->proxy = proxy;
	r->param = param;
	r->in_class = in_class;
	r->restriction = restriction;
	r->role = role;
	r->line = line;
	r->col = col;
	r->file = cf->cur_file ? cf->cur_file : cf->path;
	r->service = cf->cur_service;
	r->inline_body = *name_s == '{';
	cf->nrefs++;
	if (cf->dl) {
		if (!maincf_is_map_type(type))
			diag_add(cf->dl, DIAG_BAD_REFERENCE, r->file, line, col,
				 "unknown table type \"%s\" in \"%s\"; Postfix answers 451 4.3.5 "
				 "to mail that reaches it (see postconf -m)", type, token);
		else if (*name == '\0')
			diag_add(cf->dl, DIAG_BAD_REFERENCE, r->file, line, col,
				 "table reference \"%s\" has no name", token);
		else if (maincf_is_file_type(type) && name[0] != '/' && !r->inline_body)
			diag_add_sev(cf->dl, DIAG_WARNING, DIAG_BAD_REFERENCE, r->file, line, col,
				     "relative table path \"%s\": Postfix daemons resolve it in "
				     "queue_directory, not in the configuration directory; "
				     "write an absolute path", name);
	}
	return 0;
}

/* looks_like_ref - TOKEN is type:name with a known map type (or proxy:) */
static bool
looks_like_ref(const char *t)
{
	const char *c = strchr(t, ':');
	char type[32];
	size_t n;

	if (c == NULL || c == t)
		return false;
	n = (size_t)(c - t);
	if (n >= sizeof(type))
		return false;
	memcpy(type, t, n);
	type[n] = '\0';
	return maincf_is_map_type(type);
}

/* looks_like_ref_shape - "word:rest" where word is [a-z0-9_]+ */
static bool
looks_like_ref_shape(const char *t)
{
	const char *p = t;

	if (!isalpha((unsigned char)*p))
		return false;
	while (is_name_char((unsigned char)*p))
		p++;
	return *p == ':' && p[1] != '\0';
}

bool
maincf_is_table_param(const struct maincf *cf, const char *name)
{
	static const char *const extra[] = {
		"mydestination", "relay_domains", "mynetworks", "virtual_alias_domains",
		"virtual_mailbox_domains", "permit_mx_backup_networks", "debug_peer_list",
		"fast_flush_domains", "qmqpd_authorized_clients", "postscreen_access_list",
		"smtpd_client_event_limit_exceptions", "local_header_rewrite_clients",
		NULL
	};
	size_t i;

	if (ends_with(name, "_maps") || ends_with(name, "_checks")
	    || ends_with(name, "_restrictions") || in_set(name, extra))
		return true;
	if (cf)
		for (i = 0; i < cf->nclasses; i++)
			if (strcmp(cf->classes[i].name, name) == 0)
				return true;
	return false;
}

/* one item of a list value after $ expansion */
struct xitem {
	char *text;
	unsigned line, col;
};

struct xitems {
	struct xitem *v;
	size_t n, cap;
};

static void
xitems_fini(struct xitems *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		free(x->v[i].text);
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static int
xitems_push(struct xitems *x, const char *t, unsigned line, unsigned col)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		struct xitem *v = realloc(x->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n].text = strdup(t);
	if (x->v[x->n].text == NULL)
		return -1;
	x->v[x->n].line = line;
	x->v[x->n].col = col;
	x->n++;
	return 0;
}

/*
 * expanded_items - the items of a parameter's value with main.cf positions:
 * an item containing '$' is expanded and re-split, its pieces located at
 * the item.  For a parameter not set in main.cf (a default), positions are
 * line 0.
 */
static int
expanded_items(struct maincf *cf, const char *name, struct xitems *out)
{
	const struct maincf_param *p = maincf_find(cf, name);
	struct maincf_list l;
	size_t i;
	int rc = 0;

	maincf_list_init(&l);
	if (p) {
		if (maincf_param_items(cf, p, &l) < 0)
			rc = -1;
	} else {
		const char *raw = maincf_default(name);

		if (raw && maincf_split(raw, &l) < 0)
			rc = -1;
	}
	for (i = 0; i < l.n && rc == 0; i++) {
		const struct maincf_item *it = &l.v[i];

		if (strchr(it->text, '$') && !(it->braced)) {
			char *x;
			struct maincf_list sub;
			size_t j;

			if (maincf_expand(cf, it->text, &x) < 0) {
				rc = -1;
				break;
			}
			maincf_list_init(&sub);
			if (maincf_split(x, &sub) < 0)
				rc = -1;
			for (j = 0; j < sub.n && rc == 0; j++)
				rc = xitems_push(out, sub.v[j].text, it->line, it->col);
			maincf_list_fini(&sub);
			free(x);
		} else if (it->braced) {
			/* keep braced groups as one item, braces restored */
			size_t n = strlen(it->text);
			char *t = malloc(n + 3);

			if (t == NULL) {
				rc = -1;
				break;
			}
			t[0] = '{';
			memcpy(t + 1, it->text, n);
			t[n + 1] = '}';
			t[n + 2] = '\0';
			rc = xitems_push(out, t, it->line, it->col);
			free(t);
		} else {
			rc = xitems_push(out, it->text, it->line, it->col);
		}
	}
	maincf_list_fini(&l);
	return rc;
}

static struct rlist *
find_rlist(struct maincf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nrlists; i++)
		if (strcmp(cf->rlists[i].name, name) == 0)
			return &cf->rlists[i];
	return NULL;
}

static int
rlist_own(struct rlist *rl, const char *s, const char **out)
{
	char **v = realloc(rl->strs, (rl->nstrs + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	rl->strs = v;
	v[rl->nstrs] = strdup(s);
	if (v[rl->nstrs] == NULL)
		return -1;
	*out = v[rl->nstrs++];
	return 0;
}

static struct rlist *
build_rlist(struct maincf *cf, const char *name)
{
	struct rlist *rl;
	struct xitems x = { NULL, 0, 0 };
	size_t i;

	rl = find_rlist(cf, name);
	if (rl)
		return rl;
	{
		struct rlist *v = realloc(cf->rlists, (cf->nrlists + 1) * sizeof(*v));

		if (v == NULL)
			return NULL;
		cf->rlists = v;
	}
	rl = &cf->rlists[cf->nrlists];
	memset(rl, 0, sizeof(*rl));
	rl->name = strdup(name);
	if (rl->name == NULL)
		return NULL;
	cf->nrlists++;
	if (expanded_items(cf, name, &x) < 0)
		goto fail;
	if (x.n) {
		rl->v = calloc(x.n, sizeof(*rl->v));
		if (rl->v == NULL)
			goto fail;
	}
	for (i = 0; i < x.n; i++) {
		struct maincf_restriction *r = &rl->v[rl->n];
		const char *t = x.v[i].text;

		memset(r, 0, sizeof(*r));
		if (rlist_own(rl, t, &r->name) < 0)
			goto fail;
		r->line = x.v[i].line;
		r->col = x.v[i].col;
		if (looks_like_ref(t) || (t[0] != '{' && looks_like_ref_shape(t)
					  && !maincf_is_builtin_restriction(t))) {
			r->arg = r->name;
			r->arg_line = r->line;
			r->arg_col = r->col;
		} else if (maincf_restriction_takes_arg(t) && i + 1 < x.n) {
			i++;
			if (rlist_own(rl, x.v[i].text, &r->arg) < 0)
				goto fail;
			r->arg_line = x.v[i].line;
			r->arg_col = x.v[i].col;
		}
		rl->n++;
	}
	xitems_fini(&x);
	return rl;
fail:
	xitems_fini(&x);
	return NULL;
}

const struct maincf_restriction *
maincf_restrictions(struct maincf *cf, const char *name, size_t *n)
{
	struct rlist *rl = build_rlist(cf, name);

	*n = rl ? rl->n : 0;
	return rl && rl->n ? rl->v : NULL;
}

static int
scan_classes(struct maincf *cf)
{
	const struct maincf_param *p = maincf_find(cf, "smtpd_restriction_classes");
	struct xitems x = { NULL, 0, 0 };
	size_t i;

	if (p == NULL)
		return 0;
	if (expanded_items(cf, "smtpd_restriction_classes", &x) < 0)
		return -1;
	cf->classes = x.n ? calloc(x.n, sizeof(*cf->classes)) : NULL;
	if (x.n && cf->classes == NULL) {
		xitems_fini(&x);
		return -1;
	}
	for (i = 0; i < x.n; i++) {
		struct maincf_class *c = &cf->classes[cf->nclasses];
		size_t j;
		bool dup = false;

		for (j = 0; j < cf->nclasses; j++)
			dup |= strcmp(cf->classes[j].name, x.v[i].text) == 0;
		if (dup)
			continue;
		c->name = own_str(cf, x.v[i].text);
		if (c->name == NULL) {
			xitems_fini(&x);
			return -1;
		}
		c->line = x.v[i].line;
		c->col = x.v[i].col;
		c->def = maincf_find(cf, c->name);
		cf->nclasses++;
		if (c->def == NULL && cf->dl)
			diag_add(cf->dl, DIAG_UNDEFINED_CLASS, cf->path, c->line, c->col,
				 "restriction class %s is listed in smtpd_restriction_classes but "
				 "never defined; every smtpd process stops at startup with \"fatal: "
				 "restriction class `%s' needs a definition\": add a line "
				 "\"%s = ...\"", c->name, c->name, c->name);
	}
	xitems_fini(&x);
	return 0;
}


/* restriction_arg_ok - R's argument as smtpd 3.7 takes it (generic_checks,
 * policy_client_register at startup); false, with an error, when smtpd
 * exits at startup, answers 451 4.3.5 or skips the rule */
static bool
restriction_arg_ok(struct maincf *cf, const struct maincf_restriction *r)
{
	const struct restriction *e = restriction_find(r->name, strlen(r->name));
	const char *a = r->arg;
	char why[600];

	switch (e ? e->arg : RARG_NONE) {
	case RARG_MAP:
		if (a && looks_like_ref(a))
			return true;
		if (cf->dl)
			diag_add(cf->dl, DIAG_BAD_REFERENCE, cf->path, r->line, r->col,
				 "%s needs a type:name argument%s%s%s; smtpd answers 451 4.3.5 "
				 "when it reaches it", r->name, a ? " (got \"" : "", a ? a : "",
				 a ? "\")" : "");
		return false;
	case RARG_POLICY:
		if (a == NULL) {
			if (cf->dl)
				diag_add(cf->dl, DIAG_BAD_RESTRICTION_ARG, cf->path, r->line, r->col,
					 "%s needs a transport:endpoint argument (inet:host:port or "
					 "unix:private/NAME); smtpd answers 451 4.3.5 Server "
					 "configuration error when it reaches it", r->name);
			return false;
		}
		if (!restriction_policy_endpoint_error(a, why, sizeof(why)))
			return true;
		if (cf->dl)
			diag_add(cf->dl, DIAG_BAD_RESTRICTION_ARG, cf->path, r->arg_line, r->arg_col,
				 "%s \"%s\": smtpd exits at startup (%s) and every connection "
				 "fails: write the service as transport:endpoint, e.g. "
				 "inet:127.0.0.1:10023 or unix:private/policy", r->name, a, why);
		return false;
	case RARG_NUMBER:
		if (a && *a && strspn(a, "0123456789") == strlen(a))
			return true;
		if (cf->dl)
			diag_add(cf->dl, DIAG_BAD_RESTRICTION_ARG, cf->path, r->line, r->col,
				 "%s needs a number of seconds%s%s%s; smtpd answers 451 4.3.5 "
				 "Server configuration error when it reaches it", r->name,
				 a ? " (got \"" : "", a ? a : "", a ? "\")" : "");
		return false;
	case RARG_DOMAIN:
		if (a)
			return true;
		if (cf->dl)
			diag_add(cf->dl, DIAG_BAD_RESTRICTION_ARG, cf->path, r->line, r->col,
				 "%s needs a DNS list domain (e.g. %s zen.spamhaus.org); smtpd "
				 "logs \"requires domain name argument\" and skips the rule",
				 r->name, r->name);
		return false;
	default:
		return true;
	}
}

static int
scan_restriction_list(struct maincf *cf, const char *list, bool in_class)
{
	size_t n, i;
	struct rlist *rl = build_rlist(cf, list);
	const struct maincf_restriction *r;
	const char *lname;

	if (rl == NULL)
		return -1;
	r = rl->v;
	n = rl->n;
	if (n == 0)
		return 0;
	lname = own_str(cf, list);
	if (lname == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const char *nm = r[i].name;
		struct maincf_class *c = NULL;
		size_t k;

		for (k = 0; k < cf->nclasses; k++)
			if (strcmp(cf->classes[k].name, nm) == 0)
				c = &cf->classes[k];
		if (r[i].arg && r[i].arg == r[i].name) {
			if (!looks_like_ref(nm)) {
				if (cf->dl)
					diag_add(cf->dl, DIAG_BAD_REFERENCE, cf->path, r[i].line,
						 r[i].col, "unknown table type in \"%s\"; smtpd answers "
						 "451 4.3.5 when it reaches it (see postconf -m)", nm);
				continue;
			}
			if (add_ref(cf, nm, lname, in_class, NULL,
				    maincf_restriction_role(NULL, in_class ? NULL : list),
				    r[i].line, r[i].col) < 0)
				return -1;
			if (cf->dl && (strcmp(list, "smtpd_data_restrictions") == 0
				       || strcmp(list, "smtpd_end_of_data_restrictions") == 0))
				diag_add(cf->dl, DIAG_UNKNOWN_RESTRICTION, cf->path, r[i].line,
					 r[i].col, "a bare table %s is not allowed in %s; smtpd "
					 "answers 451 4.3.5: write check_sender_access (or another "
					 "check_*_access) before it", nm, list);
			continue;
		}
		if (c) {
			if (c->nuses++ == 0) {
				c->use_line = r[i].line;
				c->use_col = r[i].col;
			}
			continue;
		}
		if (!maincf_is_builtin_restriction(nm)) {
			if (cf->dl) {
				/* a class name in the wrong case? */
				const char *hint = "";

				for (k = 0; k < cf->nclasses; k++)
					if (strcasecmp(cf->classes[k].name, nm) == 0)
						hint = " (class names are case-sensitive)";
				diag_add(cf->dl, DIAG_UNKNOWN_RESTRICTION, cf->path, r[i].line,
					 r[i].col, "unknown restriction \"%s\"%s; smtpd logs "
					 "\"unknown smtpd restriction\" and answers 451 4.3.5 Server "
					 "configuration error when it reaches it: fix the name or "
					 "list it in smtpd_restriction_classes", nm, hint);
			}
			continue;
		}
		if (maincf_restriction_takes_arg(nm)) {
			if (!restriction_arg_ok(cf, &r[i]))
				continue;
			if (restriction_find(nm, strlen(nm))->arg == RARG_MAP) {
				char *lower = own_str(cf, nm);

				if (lower == NULL)
					return -1;
				for (k = 0; lower[k]; k++)
					lower[k] = (char)tolower((unsigned char)lower[k]);
				if (add_ref(cf, r[i].arg, lname, in_class, lower,
					    maincf_restriction_role(lower, list),
					    r[i].arg_line, r[i].arg_col) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
scan_other_param(struct maincf *cf, const struct maincf_param *p)
{
	struct xitems x = { NULL, 0, 0 };
	size_t i;
	enum maincf_role role = param_role(p->name);
	const char *pname = own_str(cf, p->name);

	if (pname == NULL || expanded_items(cf, p->name, &x) < 0) {
		xitems_fini(&x);
		return -1;
	}
	for (i = 0; i < x.n; i++) {
		const char *t = x.v[i].text;

		if (!looks_like_ref(t))
			continue;
		if (add_ref(cf, t, pname, false, NULL, role, x.v[i].line, x.v[i].col) < 0) {
			xitems_fini(&x);
			return -1;
		}
	}
	xitems_fini(&x);
	return 0;
}

/* Parameters a daemon expands with its own variables, not with main.cf
 * $name rules (postconf(5)): smtpd's reply footers and RBL replies, local(8)'s
 * forward_path, luser_relay and command_execution_directory.  mailbox_command
 * is never $name-expanded (the shell sees $EXTENSION, $HOME ...). */
static bool
daemon_variable(const char *param, const char *name)
{
	static const char *const smtpd_params[] = { "smtpd_reject_footer",
		"postscreen_reject_footer", "default_rbl_reply", NULL };
	static const char *const smtpd_vars[] = { "client", "client_address", "client_name",
		"client_port", "helo_name", "localtime", "rbl_class", "rbl_code", "rbl_domain",
		"rbl_reason", "rbl_txt", "rbl_what", "recipient", "recipient_domain",
		"recipient_name", "reverse_client_name", "sender", "sender_domain", "sender_name",
		"server_name", NULL };
	static const char *const local_params[] = { "forward_path", "luser_relay",
		"command_execution_directory", NULL };
	static const char *const local_vars[] = { "user", "home", "shell", "recipient",
		"extension", "domain", "local", "recipient_delimiter", NULL };

	if (strcmp(param, "mailbox_command") == 0)
		return true;
	if (in_set(param, smtpd_params))
		return in_set(name, smtpd_vars);
	if (in_set(param, local_params))
		return in_set_ci(name, local_vars);
	return false;
}

static int
scan_refs(struct maincf *cf)
{
	size_t i, k;

	if (scan_classes(cf) < 0)
		return -1;
	for (i = 0; i < cf->nparams; i++) {
		const struct maincf_param *p = &cf->params[i];
		bool is_class = false;

		if (p->overridden)
			continue;
		for (k = 0; k < cf->nclasses; k++)
			is_class |= strcmp(cf->classes[k].name, p->name) == 0;
		/* a name Postfix does not know is only a macro: its tables are
		 * found where it is used as $name */
		if (!is_class && !is_postfix_param(p->name))
			continue;
		if (is_class || is_restriction_param(p->name)) {
			if (scan_restriction_list(cf, p->name, is_class) < 0)
				return -1;
		} else if (maincf_is_table_param(cf, p->name)
			   /* proxy_read_maps/proxy_write_maps only list tables that other
			    * parameters use (their kind comes from that use); the write
			    * side names caches Postfix creates itself (address_verify_map,
			    * postscreen_cache_map, the SASL and TLS caches) */
			   && strcmp(p->name, "proxy_read_maps") != 0
			   && strcmp(p->name, "proxy_write_maps") != 0) {
			if (scan_other_param(cf, p) < 0)
				return -1;
		}
	}
	/* $name references to undefined parameters */
	if (cf->dl) {
		for (i = 0; i < cf->nparams; i++) {
			const struct maincf_param *p = &cf->params[i];
			const char *s = p->value;

			while ((s = strchr(s, '$')) != NULL) {
				const char *nm;
				size_t n;
				char name[128];

				s++;
				if (*s == '$') {
					s++;
					continue;
				}
				if (*s == '{' || *s == '(')
					s++;
				nm = s;
				while (is_name_char((unsigned char)*s))
					s++;
				n = (size_t)(s - nm);
				if (n == 0 || n >= sizeof(name))
					continue;
				memcpy(name, nm, n);
				name[n] = '\0';
				if (maincf_find(cf, name) == NULL && !maincf_default(name)
				    && !is_postfix_param(name) && !daemon_variable(p->name, name)
				    && !isdigit((unsigned char)name[0])) {
					unsigned line, col;

					pos_of(cf, i, cf->pinfo[i].value_joff + (size_t)(nm - p->value),
					       &line, &col);
					diag_add(cf->dl, DIAG_UNDEFINED_PARAMETER, cf->path, line,
						 col > 1 ? col - 1 : col,
						 "$%s refers to a parameter that is not set here and "
						 "that pfconsole does not know a default for; Postfix "
						 "expands an undefined name to nothing", name);
				}
			}
		}
	}
	return 0;
}

/* renamed_param - the 3.6 name of a parameter renamed in Postfix 3.6
 * (postconf -d: the new name defaults to ${old?{$old}:{...}}), or NULL */
static const char *
renamed_param(const char *name)
{
	static const char *const map[][2] = {
		{ "lmtp_per_record_deadline", "lmtp_per_request_deadline" },
		{ "postscreen_blacklist_action", "postscreen_denylist_action" },
		{ "postscreen_dnsbl_ttl", "postscreen_dnsbl_max_ttl" },
		{ "postscreen_dnsbl_whitelist_threshold", "postscreen_dnsbl_allowlist_threshold" },
		{ "postscreen_whitelist_interfaces", "postscreen_allowlist_interfaces" },
		{ "smtp_per_record_deadline", "smtp_per_request_deadline" },
		{ "smtpd_per_record_deadline", "smtpd_per_request_deadline" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* service_param_prefix - length of SERVICE in SERVICE_suffix for the
 * per-service parameters Postfix derives from master.cf service names
 * (policyd-spf_time_limit, relay_destination_concurrency_limit ...); 0 if
 * NAME is not of that form */
static size_t
service_param_prefix(const char *name)
{
	static const char *const suffixes[] = { "_time_limit", "_delivery_slot_cost",
		"_delivery_slot_discount", "_delivery_slot_loan", "_destination_concurrency_limit",
		"_destination_recipient_limit", "_destination_rate_delay",
		"_destination_concurrency_failed_cohort_limit",
		"_destination_concurrency_negative_feedback",
		"_destination_concurrency_positive_feedback", "_initial_destination_concurrency",
		"_extra_recipient_limit", "_minimum_delivery_slots", "_recipient_limit",
		"_recipient_refill_limit", "_recipient_refill_delay", "_transport_rate_delay",
		NULL };
	size_t i, n = strlen(name);

	for (i = 0; suffixes[i]; i++) {
		size_t l = strlen(suffixes[i]);

		if (n > l && strcmp(name + n - l, suffixes[i]) == 0)
			return n - l;
	}
	return 0;
}

/* unknown_params - names Postfix does not know and nothing refers to, in
 * main.cf values or master.cf (postconf: unused parameter) */
static void
unknown_params(struct maincf *cf)
{
	size_t i, k;
	char *mtext = NULL;

	if (cf->dl == NULL)
		return;
	{
		char *path;
		FILE *fp;

		if (asprintf(&path, "%s/master.cf", cf->dir) >= 0) {
			fp = safeopen_fopen(path, SAFEOPEN_CONFIG_MAX, NULL, 0);
			free(path);
			if (fp) {
				struct strbuf sb;
				char tmp[4096];
				size_t n;

				strbuf_init(&sb);
				while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
					if (strbuf_add(&sb, tmp, n) < 0)
						break;
				fclose(fp);
				mtext = strbuf_export(&sb);
			}
		}
	}
	/* names Postfix does not know and nothing refers to (postconf: unused parameter) */
	{
		for (i = 0; i < cf->nparams; i++) {
			const struct maincf_param *p = &cf->params[i];
			bool used = false;
			size_t n = strlen(p->name);

			const char *renamed;
			size_t svc;

			if (is_postfix_param(p->name) || maincf_find_class(cf, p->name))
				continue;
			/* renamed in 3.6: still honoured through the new name's default */
			if ((renamed = renamed_param(p->name)) != NULL) {
				diag_add(cf->dl, DIAG_UNKNOWN_PARAMETER, cf->path, p->line, 1,
					 "%s was renamed to %s in Postfix 3.6 (the old name still "
					 "works: %s defaults to it); write %s", p->name, renamed,
					 renamed, renamed);
				continue;
			}
			/* per-service and per-transport names: smtp_..., foo_destination_...;
			 * postconf knows them only for a service master.cf defines */
			if ((svc = service_param_prefix(p->name)) > 0) {
				char sname[MAINCF_NAME_MAX];

				snprintf(sname, sizeof(sname), "%.*s", (int)svc, p->name);
				if (maincf_master_service(cf, sname) == 0)
					diag_add(cf->dl, DIAG_UNKNOWN_PARAMETER, cf->path, p->line, 1,
						 "%s is for a service \"%s\" that master.cf does not "
						 "define (postconf: unused parameter); Postfix ignores it: "
						 "check the service name", p->name, sname);
				continue;
			}
			for (k = 0; k < cf->nparams && !used; k++) {
				const char *v = cf->params[k].value;

				while (!used && (v = strchr(v, '$')) != NULL) {
					v++;
					if (*v == '{' || *v == '(')
						v++;
					used = strncmp(v, p->name, n) == 0 && !is_name_char((unsigned char)v[n]);
				}
			}
			if (!used && mtext) {
				const char *v = mtext;

				while (!used && (v = strchr(v, '$')) != NULL) {
					v++;
					if (*v == '{' || *v == '(')
						v++;
					used = strncmp(v, p->name, n) == 0 && !is_name_char((unsigned char)v[n]);
				}
			}
			if (!used)
				diag_add(cf->dl, DIAG_UNKNOWN_PARAMETER, cf->path, p->line, 1,
					 "%s is not a Postfix parameter (postconf calls it an unused "
					 "parameter); Postfix ignores it: check the spelling", p->name);
		}
	}
	free(mtext);
}

/* ---- master.cf -o overrides ---- */

/* scan_override - the refs in VALUE of parameter NAME set by "-o" in service
 * SERVICE of master.cf, at LINE/COL */
static int
scan_override(struct maincf *cf, const char *name, const char *value, unsigned line,
	      unsigned col)
{
	struct maincf_list l;
	char *x = NULL;
	size_t i;
	bool restr = is_restriction_param(name) || maincf_find_class(cf, name) != NULL;
	const char *pname;
	int rc = 0;

	if (!restr && !maincf_is_table_param(cf, name))
		return 0;
	pname = own_str(cf, name);
	if (pname == NULL || maincf_expand(cf, value, &x) < 0)
		return -1;
	maincf_list_init(&l);
	if (maincf_split(x, &l) < 0)
		rc = -1;
	for (i = 0; i < l.n && rc == 0; i++) {
		const char *t = l.v[i].text;
		const char *prev = i > 0 ? l.v[i - 1].text : NULL;

		if (restr) {
			size_t k;
			bool known = false;

			for (k = 0; k < cf->nclasses; k++)
				if (strcmp(cf->classes[k].name, t) == 0) {
					known = true;
					if (cf->classes[k].nuses++ == 0) {
						cf->classes[k].use_line = line;
						cf->classes[k].use_col = col;
					}
				}
			if (!known && cf->dl && !maincf_is_builtin_restriction(t) && !looks_like_ref(t)
			    && l.v[i].text[0] != '{'
			    && !(prev && maincf_restriction_takes_arg(prev)))
				diag_add(cf->dl, DIAG_UNKNOWN_RESTRICTION, cf->cur_file, line, col,
					 "unknown restriction \"%s\" in the %s override of service %s; "
					 "smtpd logs \"unknown smtpd restriction\" and answers 451 "
					 "4.3.5 Server configuration error when it reaches it",
					 t, name, cf->cur_service ? cf->cur_service : "?");
		}
		if (!looks_like_ref(t))
			continue;
		if (!restr) {
			rc = add_ref(cf, t, pname, false, NULL, param_role(name), line, col);
		} else if (prev && strncasecmp(prev, "check_", 6) == 0
			   && maincf_restriction_takes_arg(prev)) {
			char *lower = own_str(cf, prev);
			size_t k;

			if (lower == NULL) {
				rc = -1;
				break;
			}
			for (k = 0; lower[k]; k++)
				lower[k] = (char)tolower((unsigned char)lower[k]);
			if (strcmp(lower, "check_policy_service") != 0)
				rc = add_ref(cf, t, pname, false, lower,
					     maincf_restriction_role(lower, name), line, col);
		} else if (prev == NULL || !maincf_restriction_takes_arg(prev)) {
			rc = add_ref(cf, t, pname, false, NULL, maincf_restriction_role(NULL, name),
				     line, col);
		}
	}
	maincf_list_fini(&l);
	free(x);
	return rc;
}

/* scan_master - the -o name=value overrides of DIR/master.cf's services */
static int
scan_master(struct maincf *cf)
{
	struct mastercf m;
	size_t i, k;
	int rc = 0;

	if (mastercf_read(&m, cf->dir) < 0) {
		rc = errno == ENOMEM ? -1 : 0;
		mastercf_free(&m);
		return rc;
	}
	cf->cur_file = own_str(cf, m.path);
	if (cf->cur_file == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < m.n; i++) {
		const struct mastercf_service *sv = &m.v[i];
		char sname[200];

		snprintf(sname, sizeof(sname), "%.90s/%.90s", sv->nf ? sv->f[0].text : "",
			 sv->nf > 1 ? sv->f[1].text : "");
		if ((cf->cur_service = own_str(cf, sname)) == NULL)
			rc = -1;
		for (k = 0; rc == 0 && k < sv->nopt; k++)
			rc = scan_override(cf, sv->opt[k].name, sv->opt[k].value, sv->opt[k].line,
					   sv->opt[k].col);
	}
	mastercf_free(&m);
	cf->cur_file = NULL;
	cf->cur_service = NULL;
	return rc;
}

/* ---- construction ---- */

static struct maincf *
cf_alloc(const char *path, const char *dir)
{
	struct maincf *cf = calloc(1, sizeof(*cf));

	if (cf == NULL)
		return NULL;
	cf->path = strdup(path ? path : "main.cf");
	cf->dir = strdup(dir ? dir : ".");
	if (cf->path == NULL || cf->dir == NULL) {
		maincf_free(cf);
		return NULL;
	}
	return cf;
}

struct maincf *
maincf_new_empty(const char *dir)
{
	struct maincf *cf;
	struct strbuf p;

	strbuf_init(&p);
	if (strbuf_addf(&p, "%s/main.cf", dir ? dir : ".") < 0)
		return NULL;
	cf = cf_alloc(p.buf, dir);
	strbuf_fini(&p);
	return cf;
}

/* macro_check - every parameter Postfix expands (one it knows, or a
 * restriction class) must expand in finite time: a $name loop or nesting
 * past 100 levels makes postconf and every daemon stop ("unreasonable macro
 * call nesting", then "fatal: dictionary mail_dict: macro processing
 * error"); a doubling chain makes them hang.  One error per parameter
 * whose expansion fails, at its line.  0 or -1 (ENOMEM). */
static int
macro_check(struct maincf *cf)
{
	size_t i, k;

	if (cf->dl == NULL)
		return 0;
	for (i = 0; i < cf->nparams; i++) {
		const struct maincf_param *p = &cf->params[i];
		bool is_class = false;
		char *x;

		if (p->overridden || strchr(p->value, '$') == NULL)
			continue;
		for (k = 0; k < cf->nclasses; k++)
			is_class |= strcmp(cf->classes[k].name, p->name) == 0;
		if (!is_class && !is_postfix_param(p->name))
			continue;
		if (maincf_expand(cf, p->value, &x) < 0)
			return -1;
		free(x);
		if (cf->xerr == 0)
			continue;
		if (diag_add(cf->dl, DIAG_MACRO_NESTING, cf->path, p->line, 1,
			     "%s = %s: %s; postconf and every Postfix program %s; break the "
			     "loop or shorten the chain", p->name, p->value, cf->xwhy,
			     cf->xerr == XERR_SIZE ? "hang expanding it"
			     : "stop with \"fatal: dictionary mail_dict: macro processing error\"") < 0)
			return -1;
	}
	cf->xerr = 0;
	return 0;
}

int
maincf_parse(struct maincf **out, const char *buf, size_t len, const char *file,
	     const char *dir, struct diag_list *dl)
{
	struct maincf *cf = cf_alloc(file, dir);

	*out = NULL;
	if (cf == NULL)
		return -1;
	cf->src = malloc(len + 1);
	if (cf->src == NULL) {
		maincf_free(cf);
		return -1;
	}
	memcpy(cf->src, buf, len);
	cf->src[len] = '\0';
	cf->srclen = len;
	cf->dl = dl;
	if (load_text(cf) < 0)
		goto nomem;
	/* the installed Postfix's defaults (postconf -d in command_directory)
	 * before anything expands a default */
	if (dir)
		postconf_use(maincf_get(cf, "command_directory", NULL), dir);
	if (scan_refs(cf) < 0 || scan_master(cf) < 0) {
nomem:
		cf->dl = NULL;
		maincf_free(cf);
		errno = ENOMEM;
		return -1;
	}
	unknown_params(cf);
	if (macro_check(cf) < 0) {
		cf->dl = NULL;
		maincf_free(cf);
		errno = ENOMEM;
		return -1;
	}
	cf->dl = NULL;
	*out = cf;
	return 0;
}

int
maincf_load(struct maincf **out, const char *dir, struct diag_list *dl)
{
	struct strbuf path, data;
	int fd, rc, e;
	char tmp[65536];
	ssize_t n;

	*out = NULL;
	strbuf_init(&path);
	strbuf_init(&data);
	if (strbuf_addf(&path, "%s/main.cf", dir) < 0)
		return -1;
	fd = safeopen_read(path.buf, SAFEOPEN_CONFIG_MAX, NULL, NULL, 0);
	if (fd < 0) {
		e = errno;
		strbuf_fini(&path);
		errno = e;
		return -1;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if ((off_t)(data.len + (size_t)n) > SAFEOPEN_CONFIG_MAX) {
			errno = EFBIG;
			goto fail;
		}
		if (strbuf_add(&data, tmp, (size_t)n) < 0)
			goto fail;
	}
	close(fd);
	rc = maincf_parse(out, data.buf, data.len, path.buf, dir, dl);
	e = errno;
	strbuf_fini(&path);
	strbuf_fini(&data);
	errno = e;
	return rc;
fail:
	e = errno;
	close(fd);
	strbuf_fini(&path);
	strbuf_fini(&data);
	errno = e;
	return -1;
}

void
maincf_free(struct maincf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nparams; i++) {
		free(cf->params[i].name);
		free(cf->params[i].value);
		free(cf->pinfo[i].segs);
		free(cf->pinfo[i].expanded);
	}
	free(cf->params);
	free(cf->pinfo);
	free(cf->xstack);
	for (i = 0; i < cf->nstrs; i++)
		free(cf->strs[i]);
	free(cf->strs);
	free(cf->refs);
	free(cf->classes);
	for (i = 0; i < cf->nrlists; i++) {
		size_t k;

		for (k = 0; k < cf->rlists[i].nstrs; k++)
			free(cf->rlists[i].strs[k]);
		free(cf->rlists[i].strs);
		free(cf->rlists[i].v);
		free(cf->rlists[i].name);
	}
	free(cf->rlists);
	for (i = 0; i < cf->ndcache; i++) {
		free(cf->dcache[i].name);
		free(cf->dcache[i].value);
	}
	free(cf->dcache);
	for (i = 0; i < cf->nservices; i++)
		free(cf->services[i]);
	free(cf->services);
	free(cf->src);
	free(cf->path);
	free(cf->dir);
	free(cf);
}

const char *
maincf_path(const struct maincf *cf)
{
	return cf->path;
}

const char *
maincf_dir(const struct maincf *cf)
{
	return cf->dir;
}

size_t
maincf_param_count(const struct maincf *cf)
{
	return cf->nparams;
}

const struct maincf_param *
maincf_param_at(const struct maincf *cf, size_t i)
{
	return i < cf->nparams ? &cf->params[i] : NULL;
}

size_t
maincf_ref_count(const struct maincf *cf)
{
	return cf->nrefs;
}

const struct maincf_ref *
maincf_ref_at(const struct maincf *cf, size_t i)
{
	return i < cf->nrefs ? &cf->refs[i] : NULL;
}

size_t
maincf_class_count(const struct maincf *cf)
{
	return cf->nclasses;
}

const struct maincf_class *
maincf_class_at(const struct maincf *cf, size_t i)
{
	return i < cf->nclasses ? &cf->classes[i] : NULL;
}

const struct maincf_class *
maincf_find_class(const struct maincf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nclasses; i++)
		if (strcmp(cf->classes[i].name, name) == 0)
			return &cf->classes[i];
	return NULL;
}

/* read_master - the service names of DIR/master.cf */
static int
read_master(struct maincf *cf)
{
	struct mastercf m;
	size_t i;
	int rc = mastercf_read(&m, cf->dir);

	for (i = 0; rc == 0 && i < m.n; i++) {
		char **v = realloc(cf->services, (cf->nservices + 1) * sizeof(*v));

		if (v == NULL)
			break;
		cf->services = v;
		v[cf->nservices] = strdup(m.v[i].nf ? m.v[i].f[0].text : "");
		if (v[cf->nservices] == NULL)
			break;
		cf->nservices++;
	}
	mastercf_free(&m);
	return rc;
}

int
maincf_master_service(struct maincf *cf, const char *name)
{
	size_t i;

	if (cf->master_state == 0)
		cf->master_state = read_master(cf) == 0 ? 1 : -1;
	if (cf->master_state < 0)
		return -1;
	for (i = 0; i < cf->nservices; i++) {
		if (strcmp(cf->services[i], name) == 0)
			return 1;
	}
	return 0;
}

/* dynmap_has - does the dynamicmaps file PATH list TYPE with an existing .so? */
static int
dynmap_has(const char *path, const char *type, const char *shlib)
{
	FILE *fp = safeopen_fopen(path, SAFEOPEN_CONFIG_MAX, NULL, 0);
	char line[1024];
	int found = 0;

	if (fp == NULL)
		return -1;
	while (found == 0 && fgets(line, sizeof(line), fp)) {
		char t[64], so[512], full[1100];
		struct stat st;

		if (line[0] == '#' || sscanf(line, "%63s %511s", t, so) != 2)
			continue;
		if (strcmp(t, type) != 0)
			continue;
		if (so[0] == '/')
			snprintf(full, sizeof(full), "%s", so);
		else
			snprintf(full, sizeof(full), "%s/%s", shlib, so);
		found = stat(full, &st) == 0 ? 1 : 0;
		if (found == 0)
			break;
	}
	fclose(fp);
	return found;
}

int
maincf_type_available(struct maincf *cf, const char *type)
{
	static const char *const plugins[] = { "cdb", "pcre", "lmdb", "ldap", "mysql", "pgsql",
		"sqlite", NULL };
	const char *meta, *shlib;
	char path[1024];
	int r;

	/* the installed postconf -m, when core/postconf read it */
	r = postconf_has_type(type);
	if (r >= 0)
		return r;
	if (!in_set(type, plugins))
		return maincf_is_map_type(type) ? 1 : 0;
	meta = maincf_get(cf, "meta_directory", NULL);
	shlib = maincf_get(cf, "shlib_directory", NULL);
	if (meta == NULL || shlib == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/dynamicmaps.cf", meta);
	r = dynmap_has(path, type, shlib);
	if (r == 1 || r == -1)
		return r;
	{
		/* dynamicmaps.cf.d/: one file per plugin package */
		char dpath[512];
		DIR *d;
		struct dirent *de;

		snprintf(dpath, sizeof(dpath), "%.480s/dynamicmaps.cf.d", meta);
		d = opendir(dpath);
		if (d == NULL)
			return 0;
		while (r != 1 && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%.500s/%.500s", dpath, de->d_name)
			    >= sizeof(path))
				continue;
			r = dynmap_has(path, type, shlib);
		}
		closedir(d);
		return r == 1 ? 1 : 0;
	}
}
