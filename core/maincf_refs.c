/*
 * core/maincf_refs.c - what main.cf's parameters refer to: the role of a
 * parameter or restriction, the map types, every table reference (type:name)
 * with its line/column, the restriction lists and classes and the arguments
 * smtpd takes (the restriction-list checks), master.cf "-o" overrides,
 * parameters Postfix does not know, whether a map type is available.  Runs
 * once at load (mcf_scan_refs, mcf_scan_master, mcf_unknown_params); the
 * contract is in core/maincf.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>

#include "core/access.h"
#include "core/maincf.h"
#include "core/maincf_int.h"
#include "core/mastercf.h"
#include "core/postconf.h"
#include "core/restriction.h"
#include "util/safeopen.h"
#include "util/strbuf.h"

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
				diag_add(cf->dl, DIAG_BAD_REFERENCE,
					 cf->cur_file ? cf->cur_file : cf->path, line, col,
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
	type = mcf_own(cf, type_s, (size_t)(colon - type_s));
	if (type == NULL)
		return -1;
	if (*name_s == '{') {
		size_t n = strlen(name_s);

		/* inline:{ ... }: keep the body without the outer braces */
		if (n >= 2 && name_s[n - 1] == '}')
			name = mcf_own(cf, name_s + 1, n - 2);
		else
			name = mcf_own_str(cf, name_s + 1);
	} else {
		name = mcf_own_str(cf, name_s);
	}
	if (name == NULL)
		return -1;
	r = &cf->refs[cf->nrefs];
	r->text = mcf_own_str(cf, token);
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
	while (mcf_is_name_char((unsigned char)*p))
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
	const char *file;           /* NULL: main.cf; else master.cf (owned by cf) */
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
xitems_push_at(struct xitems *x, const char *t, const char *file, unsigned line, unsigned col)
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
	x->v[x->n].file = file;
	x->n++;
	return 0;
}

/* xitems_push_braced - a braced group kept as one item, its braces
 * restored; 0 or -1 */
static int
xitems_push_braced(struct xitems *x, const char *text, const char *file, unsigned line,
		   unsigned col)
{
	size_t n = strlen(text);
	char *t = malloc(n + 3);
	int rc;

	if (t == NULL)
		return -1;
	t[0] = '{';
	memcpy(t + 1, text, n);
	t[n + 1] = '}';
	t[n + 2] = '\0';
	rc = xitems_push_at(x, t, file, line, col);
	free(t);
	return rc;
}

/* xitems_push_expanded - TEXT expanded ($name) and split, each piece
 * located at FILE:LINE:COL (the item it came from); 0 or -1 */
static int
xitems_push_expanded(struct maincf *cf, struct xitems *x, const char *text, const char *file,
		     unsigned line, unsigned col)
{
	struct maincf_list sub;
	char *e = NULL;
	size_t j;
	int rc = 0;

	if (maincf_expand(cf, text, &e) < 0)
		return -1;
	maincf_list_init(&sub);
	if (maincf_split(e, &sub) < 0)
		rc = -1;
	for (j = 0; j < sub.n && rc == 0; j++)
		rc = xitems_push_at(x, sub.v[j].text, file, line, col);
	maincf_list_fini(&sub);
	free(e);
	return rc;
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
			rc = xitems_push_expanded(cf, out, it->text, NULL, it->line, it->col);
		} else if (it->braced) {
			rc = xitems_push_braced(out, it->text, NULL, it->line, it->col);
		} else {
			rc = xitems_push_at(out, it->text, NULL, it->line, it->col);
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

/* rlist_fill - RL's restrictions from the items X (a name, then its
 * argument when it takes one) */
static int
rlist_fill(struct rlist *rl, const struct xitems *x)
{
	size_t i;

	if (x->n) {
		rl->v = calloc(x->n, sizeof(*rl->v));
		if (rl->v == NULL)
			return -1;
	}
	for (i = 0; i < x->n; i++) {
		struct maincf_restriction *r = &rl->v[rl->n];
		const char *t = x->v[i].text;

		memset(r, 0, sizeof(*r));
		if (rlist_own(rl, t, &r->name) < 0)
			return -1;
		r->line = x->v[i].line;
		r->col = x->v[i].col;
		r->file = x->v[i].file;
		if (looks_like_ref(t) || (t[0] != '{' && looks_like_ref_shape(t)
					  && !maincf_is_builtin_restriction(t))) {
			r->arg = r->name;
			r->arg_line = r->line;
			r->arg_col = r->col;
			r->arg_file = r->file;
		} else if (maincf_restriction_takes_arg(t) && i + 1 < x->n) {
			i++;
			if (rlist_own(rl, x->v[i].text, &r->arg) < 0)
				return -1;
			r->arg_line = x->v[i].line;
			r->arg_col = x->v[i].col;
			r->arg_file = x->v[i].file;
		}
		rl->n++;
	}
	return 0;
}

static void
rlist_fini(struct rlist *rl)
{
	size_t k;

	for (k = 0; k < rl->nstrs; k++)
		free(rl->strs[k]);
	free(rl->strs);
	free(rl->v);
	free(rl->name);
	memset(rl, 0, sizeof(*rl));
}

static struct rlist *
build_rlist(struct maincf *cf, const char *name)
{
	struct rlist *rl;
	struct xitems x = { NULL, 0, 0 };

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
	if (expanded_items(cf, name, &x) < 0 || rlist_fill(rl, &x) < 0) {
		xitems_fini(&x);
		return NULL;
	}
	xitems_fini(&x);
	return rl;
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
		c->name = mcf_own_str(cf, x.v[i].text);
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


/* rdiag - a restriction-list finding at FILE (NULL: main.cf) LINE:COL;
 * OVR: the list is the "-o OVR=..." override of service cf->cur_service */
static void __attribute__((format(printf, 7, 8)))
rdiag(struct maincf *cf, const char *ovr, enum diag_code code, const char *file,
      unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (cf->dl == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ovr)
		diag_add(cf->dl, code, file ? file : cf->path, line, col,
			 "service %s, -o %s: %s", cf->cur_service ? cf->cur_service : "?", ovr,
			 msg);
	else
		diag_add(cf->dl, code, file ? file : cf->path, line, col, "%s", msg);
}

/* ref_at - add_ref for a token written in FILE (NULL: main.cf) */
static int
ref_at(struct maincf *cf, const char *file, const char *token, const char *param,
       bool in_class, const char *restriction, enum maincf_role role, unsigned line,
       unsigned col)
{
	const char *saved = cf->cur_file;
	int rc;

	cf->cur_file = file;
	rc = add_ref(cf, token, param, in_class, restriction, role, line, col);
	cf->cur_file = saved;
	return rc;
}

/* restriction_arg_ok - R's argument as smtpd 3.7 takes it (generic_checks,
 * policy_client_register at startup); false, with an error, when smtpd
 * exits at startup, answers 451 4.3.5 or skips the rule */
static bool
restriction_arg_ok(struct maincf *cf, const char *ovr, const struct maincf_restriction *r)
{
	const struct restriction *e = restriction_find(r->name, strlen(r->name));
	const char *a = r->arg;
	char why[600];

	switch (e ? e->arg : RARG_NONE) {
	case RARG_MAP:
		if (a && looks_like_ref(a))
			return true;
		if (cf->dl)
			rdiag(cf, ovr, DIAG_BAD_REFERENCE, r->file, r->line, r->col,
				 "%s needs a type:name argument%s%s%s; smtpd answers 451 4.3.5 "
				 "when it reaches it", r->name, a ? " (got \"" : "", a ? a : "",
				 a ? "\")" : "");
		return false;
	case RARG_POLICY:
		if (a == NULL) {
			if (cf->dl)
				rdiag(cf, ovr, DIAG_BAD_RESTRICTION_ARG, r->file, r->line, r->col,
					 "%s needs a transport:endpoint argument (inet:host:port or "
					 "unix:private/NAME); smtpd answers 451 4.3.5 Server "
					 "configuration error when it reaches it", r->name);
			return false;
		}
		if (!restriction_policy_endpoint_error(a, why, sizeof(why)))
			return true;
		if (cf->dl)
			rdiag(cf, ovr, DIAG_BAD_RESTRICTION_ARG, r->arg_file, r->arg_line, r->arg_col,
				 "%s \"%s\": smtpd exits at startup (%s) and every connection "
				 "fails: write the service as transport:endpoint, e.g. "
				 "inet:127.0.0.1:10023 or unix:private/policy", r->name, a, why);
		return false;
	case RARG_NUMBER:
		if (a && *a && strspn(a, "0123456789") == strlen(a))
			return true;
		if (cf->dl)
			rdiag(cf, ovr, DIAG_BAD_RESTRICTION_ARG, r->file, r->line, r->col,
				 "%s needs a number of seconds%s%s%s; smtpd answers 451 4.3.5 "
				 "Server configuration error when it reaches it", r->name,
				 a ? " (got \"" : "", a ? a : "", a ? "\")" : "");
		return false;
	case RARG_DOMAIN:
		if (a)
			return true;
		if (cf->dl)
			rdiag(cf, ovr, DIAG_BAD_RESTRICTION_ARG, r->file, r->line, r->col,
				 "%s needs a DNS list domain (e.g. %s zen.spamhaus.org); smtpd "
				 "logs \"requires domain name argument\" and skips the rule",
				 r->name, r->name);
		return false;
	default:
		return true;
	}
}

/* check_rlist - the restriction list RL of parameter LIST (a class when
 * IN_CLASS) as smtpd parses it: names, arguments, tables (refs).  OVR: the
 * LIST of a master.cf "-o" override of service cf->cur_service, else NULL. */
static int
check_rlist(struct maincf *cf, struct rlist *rl, const char *list, bool in_class,
	    const char *ovr)
{
	size_t n = rl->n, i;
	const struct maincf_restriction *r = rl->v;
	const char *lname;

	if (n == 0)
		return 0;
	lname = mcf_own_str(cf, list);
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
					rdiag(cf, ovr, DIAG_BAD_REFERENCE, r[i].file, r[i].line, r[i].col, "unknown table type in \"%s\"; smtpd answers "
						 "451 4.3.5 when it reaches it (see postconf -m)", nm);
				continue;
			}
			if (ref_at(cf, r[i].file, nm, lname, in_class, NULL,
				   maincf_restriction_role(NULL, in_class ? NULL : list),
				   r[i].line, r[i].col) < 0)
				return -1;
			if (cf->dl && (strcmp(list, "smtpd_data_restrictions") == 0
				       || strcmp(list, "smtpd_end_of_data_restrictions") == 0))
				rdiag(cf, ovr, DIAG_UNKNOWN_RESTRICTION, r[i].file, r[i].line, r[i].col, "a bare table %s is not allowed in %s; smtpd "
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
				rdiag(cf, ovr, DIAG_UNKNOWN_RESTRICTION, r[i].file, r[i].line, r[i].col, "unknown restriction \"%s\"%s; smtpd logs "
					 "\"unknown smtpd restriction\" and answers 451 4.3.5 Server "
					 "configuration error when it reaches it: fix the name or "
					 "list it in smtpd_restriction_classes", nm, hint);
			}
			continue;
		}
		if (maincf_restriction_takes_arg(nm)) {
			if (!restriction_arg_ok(cf, ovr, &r[i]))
				continue;
			if (restriction_find(nm, strlen(nm))->arg == RARG_MAP) {
				char *lower = mcf_own_str(cf, nm);

				if (lower == NULL)
					return -1;
				for (k = 0; lower[k]; k++)
					lower[k] = (char)tolower((unsigned char)lower[k]);
				if (ref_at(cf, r[i].arg_file, r[i].arg, lname, in_class, lower,
					   maincf_restriction_role(lower, list),
					   r[i].arg_line, r[i].arg_col) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
scan_restriction_list(struct maincf *cf, const char *list, bool in_class)
{
	struct rlist *rl = build_rlist(cf, list);

	return rl ? check_rlist(cf, rl, list, in_class, NULL) : -1;
}

static int
scan_other_param(struct maincf *cf, const struct maincf_param *p)
{
	struct xitems x = { NULL, 0, 0 };
	size_t i;
	enum maincf_role role = param_role(p->name);
	const char *pname = mcf_own_str(cf, p->name);

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

int
mcf_scan_refs(struct maincf *cf)
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
		if (!is_class && !mcf_is_postfix_param(p->name))
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
				while (mcf_is_name_char((unsigned char)*s))
					s++;
				n = (size_t)(s - nm);
				if (n == 0 || n >= sizeof(name))
					continue;
				memcpy(name, nm, n);
				name[n] = '\0';
				if (maincf_find(cf, name) == NULL && !maincf_default(name)
				    && !mcf_is_postfix_param(name) && !daemon_variable(p->name, name)
				    && !isdigit((unsigned char)name[0])) {
					unsigned line, col;

					mcf_pos_of(cf, i, cf->pinfo[i].value_joff + (size_t)(nm - p->value),
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

/* mcf_unknown_params - names Postfix does not know and nothing refers to, in
 * main.cf values or master.cf (postconf: unused parameter) */
void
mcf_unknown_params(struct maincf *cf)
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

			if (mcf_is_postfix_param(p->name) || maincf_find_class(cf, p->name))
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
					used = strncmp(v, p->name, n) == 0 && !mcf_is_name_char((unsigned char)v[n]);
				}
			}
			if (!used && mtext) {
				const char *v = mtext;

				while (!used && (v = strchr(v, '$')) != NULL) {
					v++;
					if (*v == '{' || *v == '(')
						v++;
					used = strncmp(v, p->name, n) == 0 && !mcf_is_name_char((unsigned char)v[n]);
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

/* macro_name - NAME when the item T is exactly "$NAME", "${NAME}" or
 * "$(NAME)" (into BUF, SIZE bytes), else NULL */
static const char *
macro_name(const char *t, char *buf, size_t size)
{
	size_t n;

	if (t[0] != '$')
		return NULL;
	t++;
	if (*t == '{' || *t == '(') {
		char close = *t == '{' ? '}' : ')';

		t++;
		n = strcspn(t, "})");
		if (t[n] != close || t[n + 1] != '\0')
			return NULL;
	} else {
		n = strlen(t);
	}
	if (n == 0 || n >= size)
		return NULL;
	memcpy(buf, t, n);
	buf[n] = '\0';
	for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char)buf[k]) && buf[k] != '_')
			return NULL;
	return buf;
}

/* override_items - the items of the "-o" value VALUE written at FILE
 * LINE/COL, $ expanded.  An item "$name" naming a main.cf parameter that
 * main.cf's own checks do not scan (mua_recipient_restrictions = ...) takes
 * that parameter's items with their main.cf positions. */
static int
override_items(struct maincf *cf, const char *value, const char *file, unsigned line,
	       unsigned col, struct xitems *out)
{
	struct maincf_list l;
	size_t i;
	int rc = 0;

	maincf_list_init(&l);
	if (maincf_split(value, &l) < 0)
		rc = -1;
	for (i = 0; i < l.n && rc == 0; i++) {
		const struct maincf_item *it = &l.v[i];
		char nbuf[256];
		const char *mn;

		if (it->braced) {
			rc = xitems_push_braced(out, it->text, file, line, col);
		} else if (!strchr(it->text, '$')) {
			rc = xitems_push_at(out, it->text, file, line, col);
		} else if ((mn = macro_name(it->text, nbuf, sizeof(nbuf))) != NULL
			   && maincf_find(cf, mn) != NULL && !is_restriction_param(mn)
			   && maincf_find_class(cf, mn) == NULL) {
			rc = expanded_items(cf, mn, out);
		} else {
			rc = xitems_push_expanded(cf, out, it->text, file, line, col);
		}
	}
	maincf_list_fini(&l);
	return rc;
}

/* scan_override - the refs in VALUE of parameter NAME set by "-o" in service
 * cf->cur_service of master.cf, at LINE/COL; a restriction list is checked
 * as main.cf's are (check_rlist) */
static int
scan_override(struct maincf *cf, const char *name, const char *value, unsigned line,
	      unsigned col)
{
	struct maincf_list l;
	char *x = NULL;
	size_t i;
	const char *pname;
	int rc = 0;

	if (is_restriction_param(name) || maincf_find_class(cf, name) != NULL) {
		struct xitems xi = { NULL, 0, 0 };
		struct rlist rl;

		memset(&rl, 0, sizeof(rl));
		if (override_items(cf, value, cf->cur_file, line, col, &xi) < 0
		    || rlist_fill(&rl, &xi) < 0)
			rc = -1;
		else
			rc = check_rlist(cf, &rl, name, !is_restriction_param(name), name);
		xitems_fini(&xi);
		rlist_fini(&rl);
		return rc;
	}
	if (!maincf_is_table_param(cf, name))
		return 0;
	pname = mcf_own_str(cf, name);
	if (pname == NULL || maincf_expand(cf, value, &x) < 0)
		return -1;
	maincf_list_init(&l);
	if (maincf_split(x, &l) < 0)
		rc = -1;
	for (i = 0; i < l.n && rc == 0; i++)
		if (looks_like_ref(l.v[i].text))
			rc = add_ref(cf, l.v[i].text, pname, false, NULL, param_role(name), line,
				     col);
	maincf_list_fini(&l);
	free(x);
	return rc;
}

/* mcf_scan_master - the -o name=value overrides of DIR/master.cf's services */
int
mcf_scan_master(struct maincf *cf)
{
	struct mastercf m;
	size_t i, k;
	int rc = 0;

	if (mastercf_read(&m, cf->dir) < 0) {
		rc = errno == ENOMEM ? -1 : 0;
		mastercf_free(&m);
		return rc;
	}
	cf->cur_file = mcf_own_str(cf, m.path);
	if (cf->cur_file == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < m.n; i++) {
		const struct mastercf_service *sv = &m.v[i];
		char sname[200];

		snprintf(sname, sizeof(sname), "%.90s/%.90s", sv->nf ? sv->f[0].text : "",
			 sv->nf > 1 ? sv->f[1].text : "");
		if ((cf->cur_service = mcf_own_str(cf, sname)) == NULL)
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

int
maincf_list_insert(const char *line, size_t len, const char *words, struct strbuf *out,
		   char *before, size_t bsize)
{
	const char *eq = memchr(line, '=', len), *p, *end = line + len;
	size_t at = 0, n;
	int depth = 0;
	bool any = false;

	if (before && bsize)
		before[0] = '\0';
	if (!eq)
		return -1;
	for (p = eq + 1; p < end;) {
		const char *w;

		if (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '{' || *p == '}') {
			depth += *p == '{' ? 1 : -1;
			p++;
			any = true;
			continue;
		}
		w = p;
		while (p < end && !strchr(" \t,\n\r{}", *p))
			p++;
		any = true;
		if (depth == 0 && p - w >= 6 && strncmp(w, "permit", 6) == 0) {
			at = (size_t)(w - line);
			if (before && bsize)
				snprintf(before, bsize, "%.*s", (int)(p - w), w);
			break;
		}
	}
	strbuf_reset(out);
	if (at) {
		if (strbuf_add(out, line, at) < 0 || strbuf_addf(out, "%s, ", words) < 0 ||
		    strbuf_add(out, line + at, len - at) < 0)
			return -1;
		return 0;
	}
	n = len;
	while (n > (size_t)(eq - line) + 1 && strchr(" \t\r\n,", line[n - 1]))
		n--;
	if (strbuf_add(out, line, n) < 0 || strbuf_addf(out, "%s%s", any ? ", " : " ", words) < 0)
		return -1;
	return 0;
}
