/*
 * core/maincf_expand.c - main.cf values as Postfix reads them: the built-in
 * defaults (postconf -d of Postfix 3.7.11 on Debian 12, behind the installed
 * Postfix's own), the names Postfix knows, $name expansion with mac_expand()'s
 * forms and limits, maincf_get and friends, inline:{...} tables.  The
 * contract is in core/maincf.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/maincf.h"
#include "core/maincf_int.h"
#include "core/postconf.h"
#include "util/strbuf.h"

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

/* mcf_is_postfix_param - NAME is one of Postfix 3.7's parameters */
bool
mcf_is_postfix_param(const char *name)
{
	if (postconf_is_param(name) == 1)
		return true;
	return bsearch(&name, all_names, sizeof(all_names) / sizeof(all_names[0]),
		       sizeof(all_names[0]), name_cmp) != NULL;
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
	while (i < n && mcf_is_space((unsigned char)s[i]))
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
		if (mcf_is_space((unsigned char)s[i]))
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

				while (k < inend && mcf_is_name_char((unsigned char)s[k]))
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
		} else if (mcf_is_name_char((unsigned char)s[i])) {
			size_t k = i;

			while (k < n && mcf_is_name_char((unsigned char)s[k]))
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
		size_t pi = mcf_param_index(cf, p);

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

	if (maincf_default(name) || mcf_is_postfix_param(name))
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
		if (!items.v[i].braced && eq > t && mcf_is_space((unsigned char)eq[-1])) {
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

			while (kl > 0 && mcf_is_space((unsigned char)t[kl - 1]))
				kl--;
			while (mcf_is_space((unsigned char)*v))
				v++;
			if (mcf_list_push(keys, t, kl, false, line, col) < 0
			    || mcf_list_push(values, v, strlen(v), false, line, col) < 0)
				rc = -1;
		}
	}
	maincf_list_fini(&items);
	return rc;
}
