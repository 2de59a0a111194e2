/*
 * core/explain_access.c - the access(5) lookups of smtpd_check.c:
 * check_table_result() turns a table value into a status (core/access.c
 * parses the value), check_access/check_domain_access/check_addr_access/
 * check_namadr_access/check_mail_access look up in Postfix's order,
 * address resolution (smtpd_resolve_addr, the trivial-rewrite address
 * class), permit_auth_destination and the recipient maps
 * (reject_unlisted_recipient, "User unknown in ... table").
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/explain_int.h"

/* ------------------------------------------------------------------ */
/* check_table_result and friends                                       */

const char *
ctxcls(enum access_ctx c)
{
	return access_ctx_class(c);
}

static bool
in_client_helo_without_sender(struct st *s, const char *what)
{
	if (s->sender == NULL) {
		trail(s, "warning: with smtpd_delay_reject=no, action %s is always skipped in "
		      "Client host or Helo command restrictions", what);
		return true;
	}
	return false;
}

/* is_header - Postfix is_header() */
static bool
is_hdr(const char *s)
{
	size_t i = 0;

	while (s[i] && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f && s[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return s[i] == ':';
}

static int
check_table_result(struct st *s, struct xtable *t, const char *value, const char *datum,
		   const char *reply_name, enum access_ctx ctx, const char *def_acl,
		   const struct hit *h)
{
	struct access_action a;
	struct access_reply rep;
	size_t vlen = strlen(value);
	const char *text;
	int status = ST_DUNNO;

	unsigned seq0 = s->prule_seq;

	access_parse(value, vlen, &a);
	text = value + a.text.off;
	if (h && s->depth < STACK_MAX)
		hit_copy(&s->stack[s->depth++], h);
	else if (!h && s->depth < STACK_MAX) {
		memset(&s->stack[s->depth], 0, sizeof(s->stack[0]));
		s->stack[s->depth].table = t ? t->ref : NULL;
		snprintf(s->stack[s->depth].key, sizeof(s->stack[0].key), "%s", datum);
		snprintf(s->stack[s->depth].value, sizeof(s->stack[0].value), "%s", value);
		s->depth++;
	}
	switch (a.kind) {
	case ACCESS_DUNNO:
		trail(s, "DUNNO: this table says nothing");
		break;
	case ACCESS_REJECT:
	case ACCESS_DEFER:
	case ACCESS_CODE:
		if (a.dsn_without_text) {
			status = unknown(s, "the entry '%s' has an enhanced status code without text: "
					 "Postfix 3.7.11 then sends garbage as the reply text", value);
			break;
		}
		access_reply_init(&rep);
		access_reply_for(&rep, value, vlen, &a, ctx, reply_name, s->ex->map_reject_code,
				 s->ex->map_defer_code);
		status = reject_text(s, EC_POLICY, a.kind == ACCESS_REJECT ? s->ex->map_reject_code
				     : a.kind == ACCESS_DEFER ? s->ex->map_defer_code : a.code,
				     rep.dsn, rep.text.buf, rep.text.len);
		access_reply_fini(&rep);
		break;
	case ACCESS_HANGUP:
		status = unknown(s, "HANGUP drops the connection without a reply");
		break;
	case ACCESS_INFO:
	case ACCESS_WARN:
		trail(s, "%s: log '%s' and go on", a.kind == ACCESS_INFO ? "info" : "warn", text);
		break;
	case ACCESS_FILTER:
		if (in_client_helo_without_sender(s, "FILTER"))
			break;
		if (a.text.len == 0)
			trail(s, "warning: access table %s entry \"%s\" has FILTER entry without value",
			      t ? t->ref : "", datum);
		else if (!strchr(text, ':'))
			trail(s, "warning: access table %s entry \"%s\" requires transport:destination",
			      t ? t->ref : "", datum);
		else
			trail(s, "filter: <%s>: %s triggers FILTER %s (for the whole message)",
			      reply_name, ctxcls(ctx), text);
		break;
	case ACCESS_HOLD:
		if (in_client_helo_without_sender(s, "HOLD") || s->hold)
			break;
		trail(s, "hold: <%s>: %s %s (the whole message goes to the hold queue)",
		      reply_name, ctxcls(ctx), a.text.len ? text : "triggers HOLD action");
		s->hold = true;
		if (s->depth > 0) {
			hit_copy(&s->hrule, &s->stack[s->depth - 1]);
			s->have_hrule = true;
		}
		break;
	case ACCESS_DISCARD:
		if (in_client_helo_without_sender(s, "DISCARD"))
			break;
		trail(s, "discard: <%s>: %s %s (the whole message is dropped)", reply_name,
		      ctxcls(ctx), a.text.len ? text : "triggers DISCARD action");
		s->discard = true;
		if (s->depth > 0) {
			hit_copy(&s->hrule, &s->stack[s->depth - 1]);
			s->have_hrule = true;
		}
		status = ST_OK;
		break;
	case ACCESS_REDIRECT:
	case ACCESS_BCC:
		if (in_client_helo_without_sender(s, a.kind == ACCESS_BCC ? "BCC" : "REDIRECT"))
			break;
		if (!strchr(text, '@'))
			trail(s, "warning: access table %s entry \"%s\" requires user@domain target",
			      t ? t->ref : "", datum);
		else
			trail(s, "%s: <%s>: %s triggers %s %s", a.kind == ACCESS_BCC ? "bcc" : "redirect",
			      reply_name, ctxcls(ctx), a.kind == ACCESS_BCC ? "BCC" : "REDIRECT", text);
		break;
	case ACCESS_DEFER_IF_PERMIT:
	case ACCESS_DEFER_IF_REJECT: {
		char fixed[12], dsn[12];
		char buf[1200];

		if (a.dsn_without_text) {
			status = unknown(s, "the entry '%s' has an enhanced status code without text: "
					 "Postfix 3.7.11 then sends garbage as the reply text", value);
			break;
		}
		if (a.dsn.len)
			snprintf(dsn, sizeof(dsn), "%.*s", (int)a.dsn.len, value + a.dsn.off);
		else
			snprintf(dsn, sizeof(dsn), "4.7.1");
		access_dsn_fix(dsn, ctx, fixed);
		snprintf(buf, sizeof(buf), "%.*s", (int)a.text.len, text);
		if (a.kind == ACCESS_DEFER_IF_PERMIT)
			status = defer_if_permit(s, s->ex->map_defer_code, fixed, "<%s>: %s rejected: %s",
						 reply_name, ctxcls(ctx),
						 a.text.len ? buf : "Service unavailable");
		else
			defer_if(s, &s->dir, EC_POLICY, s->ex->map_defer_code, fixed,
				 "<%s>: %s rejected: %s", reply_name, ctxcls(ctx),
				 a.text.len ? buf : "Service unavailable");
		break;
	}
	case ACCESS_PREPEND:
		if (in_client_helo_without_sender(s, "PREPEND"))
			break;
		if (a.text.len == 0 || !is_hdr(text))
			trail(s, "warning: access table %s entry \"%s\" requires header: text",
			      t ? t->ref : "", datum);
		else
			trail(s, "prepend: %s", text);
		break;
	case ACCESS_NUMERIC:
	case ACCESS_OK:
		trail(s, "%s: permit (ends this restriction list)", a.kind == ACCESS_OK ? "OK" : "numeric");
		status = ST_OK;
		break;
	case ACCESS_TABLE_REF:
		trail(s, "warning: access table %s has entry with lookup table: %s",
		      t ? t->ref : "", value);
		status = server_error(s);
		break;
	case ACCESS_EMPTY:
		trail(s, "warning: access table %s entry %s has empty value", t ? t->ref : "", value);
		status = ST_OK;
		break;
	case ACCESS_RESTRICTIONS: {
		struct words w = { 0 };

		if (s->recursion > 100) {
			trail(s, "warning: access table %s entry %s causes unreasonable recursion",
			      t ? t->ref : "", value);
			status = server_error(s);
			break;
		}
		if (words_split(&w, value) < 0) {
			words_free(&w);
			status = unknown(s, "out of memory");
			break;
		}
		trail(s, "run '%s' as restrictions (%s context)", value, ctxcls(ctx));
		s->indent++;
		status = generic_checks(s, &w, reply_name, ctx, def_acl);
		s->indent--;
		words_free(&w);
		break;
	}
	}
	/* the innermost entry that permitted is the decisive one */
	if (status == ST_OK && s->depth > 0 && s->stack[s->depth - 1].table && s->prule_seq == seq0) {
		hit_copy(&s->prule, &s->stack[s->depth - 1]);
		s->have_prule = true;
		s->prule_seq++;
	}
	s->depth--;
	return status;
}

static int
lookup_error(struct st *s, struct xtable *t, const char *datum, const char *reply_name,
	     enum access_ctx ctx, const char *def_acl)
{
	return check_table_result(s, t, "451 4.3.5 Server configuration error", datum, reply_name,
				  ctx, def_acl, NULL);
}

/* check_access - one full lookup (null sender) */
int
check_access(struct st *s, struct xtable *t, const char *name, int *found,
	     const char *reply_name, enum access_ctx ctx, const char *def_acl)
{
	const char *val;
	struct hit h;
	int ret = xt_find(s, t, name, false, &val, &h);

	*found = ret != 0;
	if (ret > 0)
		return check_table_result(s, t, val, name, reply_name, ctx, def_acl, &h);
	if (ret < 0)
		return lookup_error(s, t, name, reply_name, ctx, def_acl);
	return ST_DUNNO;
}

/* valid_hostaddr - IPv4 dotted quad or IPv6 (no brackets) */
bool
valid_hostaddr(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int
check_domain_access(struct st *s, struct xtable *t, const char *domain, bool partial,
		    int *found, const char *reply_name, enum access_ctx ctx, const char *def_acl)
{
	const char *name, *next, *val;
	struct hit h;
	bool maybe_numerical = true;
	int ret;

	*found = 0;
	for (name = domain; *name; name = next) {
		ret = xt_find(s, t, name, partial, &val, &h);
		if (ret > 0) {
			*found = 1;
			return check_table_result(s, t, val, domain, reply_name, ctx, def_acl, &h);
		}
		if (ret < 0) {
			*found = 1;
			return lookup_error(s, t, domain, reply_name, ctx, def_acl);
		}
		if (maybe_numerical && (maybe_numerical = valid_hostaddr(domain)))
			break;
		if ((next = strchr(name + 1, '.')) == NULL)
			break;
		if (s->ex->parent_style)
			next += 1;
		partial = true;
	}
	return ST_DUNNO;
}

static int
check_addr_access(struct st *s, struct xtable *t, const char *address, bool partial,
		  int *found, const char *reply_name, enum access_ctx ctx, const char *def_acl)
{
	char addr[256];
	int delim = strchr(address, ':') ? ':' : '.';
	const char *val;
	struct hit h;
	char *cut;
	int ret;

	*found = 0;
	snprintf(addr, sizeof(addr), "%s", address);
	do {
		ret = xt_find(s, t, addr, partial, &val, &h);
		if (ret > 0) {
			*found = 1;
			return check_table_result(s, t, val, address, reply_name, ctx, def_acl, &h);
		}
		if (ret < 0) {
			*found = 1;
			return lookup_error(s, t, address, reply_name, ctx, def_acl);
		}
		partial = true;
		cut = strrchr(addr, delim);
		if (cut)
			*cut = 0;
	} while (cut);
	return ST_DUNNO;
}

int
check_namadr_access(struct st *s, struct xtable *t, const char *name, const char *addr,
		    const char *reply_name, enum access_ctx ctx, const char *def_acl)
{
	int found, status;

	if ((status = check_domain_access(s, t, name, false, &found, reply_name, ctx, def_acl)) != 0
	    || found)
		return status;
	if ((status = check_addr_access(s, t, addr, false, &found, reply_name, ctx, def_acl)) != 0
	    || found)
		return status;
	return ST_DUNNO;
}

/* ------------------------------------------------------------------ */
/* addresses                                                            */

/* resolve - smtpd_resolve_addr(): rewrite in local context, case fold */
void
resolve_addr(struct explain *ex, const char *addr, struct strbuf *out)
{
	const char *at;

	strbuf_reset(out);
	/* internal form: a quoted localpart loses its quotes and backslashes
	 * (lookups quote it again, external form first) */
	if (addr[0] == '"') {
		const char *p = addr + 1;

		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(out, *p++);
		}
		if (*p == '"')
			p++;
		strbuf_addstr(out, p);
	} else
		strbuf_addstr(out, addr);
	/* strip one trailing dot of the domain */
	if (out->len > 1 && out->buf[out->len - 1] == '.' && out->buf[out->len - 2] != '.')
		out->buf[--out->len] = 0;
	at = strrchr(out->buf, '@');
	if (!at) {
		if (out->len)
			strbuf_addf(out, "@%s", ex->myorigin);
	} else if (ex->append_dot_mydomain && !strchr(at, '.') && at[1] && at[1] != '['
		   && *ex->mydomain)
		strbuf_addf(out, ".%s", ex->mydomain);
	{
		char buf[512], *heap = NULL;
		size_t fl;
		const char *f = fold_key(out->buf, out->len, buf, sizeof(buf), &heap, &fl);

		if (f && f != out->buf) {
			memmove(out->buf, f, fl);
			out->len = fl;
			out->buf[fl] = 0;
		}
		free(heap);
	}
}

/* needs_quote - does the localpart need RFC 822 quoting? */
static bool
needs_quote(const char *lp, size_t n)
{
	size_t i;

	if (n == 0 || lp[0] == '.' || lp[n - 1] == '.')
		return n > 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)lp[i];

		if (c <= ' ' || c == 0x7f || strchr("()<>@,;:\\\".[]", c)) {
			if (c == '.' && (i + 1 >= n || lp[i + 1] != '.'))
				continue;
			return true;
		}
	}
	return false;
}

/* find_addr - external (quoted) form first, then internal */
static int
find_addr(struct st *s, struct xtable *t, const char *addr, bool partial, bool with_domain,
	  const char **val, struct hit *h)
{
	const char *at = with_domain ? strrchr(addr, '@') : NULL;
	size_t lpl = at ? (size_t)(at - addr) : strlen(addr);
	int ret;

	if (needs_quote(addr, lpl)) {
		struct strbuf q;
		size_t i;

		strbuf_init(&q);
		strbuf_addch(&q, '"');
		for (i = 0; i < lpl; i++) {
			if (addr[i] == '"' || addr[i] == '\\')
				strbuf_addch(&q, '\\');
			strbuf_addch(&q, addr[i]);
		}
		strbuf_addch(&q, '"');
		strbuf_addstr(&q, addr + lpl);
		ret = xt_find(s, t, q.buf, partial, val, h);
		strbuf_fini(&q);
		if (ret != 0)
			return ret;
	}
	return xt_find(s, t, addr, partial, val, h);
}

/* strip_ext - split_addr(): the address without its extension, or NULL */
static char *
strip_ext(struct explain *ex, const char *full)
{
	const char *at = strrchr(full, '@');
	size_t lpl = at ? (size_t)(at - full) : strlen(full), len;
	char lp[512];
	char *res;

	if (!*ex->rcpt_delim || lpl >= sizeof(lp))
		return NULL;
	memcpy(lp, full, lpl);
	lp[lpl] = 0;
	if (strcasecmp(lp, "postmaster") == 0 || strcasecmp(lp, "MAILER-DAEMON") == 0
	    || strcasecmp(lp, "double-bounce") == 0)
		return NULL;
	if (strchr(ex->rcpt_delim, '-')) {
		if (strncasecmp(lp, "owner-", 6) == 0)
			return NULL;
		if (lpl > 8 && strcasecmp(lp + lpl - 8, "-request") == 0)
			return NULL;
	}
	len = strcspn(lp, ex->rcpt_delim);
	if (len == 0 || lp[len] == 0)
		return NULL;
	if ((res = malloc(len + strlen(full + lpl) + 1)) == NULL)
		return NULL;
	memcpy(res, lp, len);
	strcpy(res + len, full + lpl);
	return res;
}

/* mail_addr_find - FULL|NOEXT|DOMAIN|LOCALPART_AT|PDMS or PDDMDS */
static int
mail_addr_find(struct st *s, struct xtable *t, const char *full, const char **val,
	       struct hit *h)
{
	char *bare = strip_ext(s->ex, full);
	const char *at = strrchr(full, '@');
	int ret;

	ret = find_addr(s, t, full, false, true, val, h);
	if (ret == 0 && bare)
		ret = find_addr(s, t, bare, true, true, val, h);
	if (ret == 0 && at) {
		const char *name, *next;

		for (name = at + 1; *name; name = next) {
			if ((ret = xt_find(s, t, name, true, val, h)) != 0)
				break;
			if ((next = strchr(name + 1, '.')) == NULL)
				break;
			if (s->ex->parent_style)
				next++;
		}
	}
	if (ret == 0 && at) {
		char buf[1024];
		size_t lpl = (size_t)(at - full);

		if (lpl + 2 < sizeof(buf)) {
			memcpy(buf, full, lpl + 1);
			buf[lpl + 1] = 0;
			ret = find_addr(s, t, buf, true, true, val, h);
			if (ret == 0 && bare) {
				const char *bat = strrchr(bare, '@');
				size_t bl = (size_t)(bat - bare);

				memcpy(buf, bare, bl + 1);
				buf[bl + 1] = 0;
				ret = find_addr(s, t, buf, true, true, val, h);
			}
		}
	}
	free(bare);
	return ret;
}

/* resolve_class - the trivial-rewrite address class of ADDR (resolved);
 * -1 when a domain table cannot be read */
int
resolve_class(struct st *s, const char *addr, bool *routed)
{
	const char *at = strrchr(addr, '@');
	const char *dom;
	int m;

	*routed = false;
	if (!at)
		return RC_LOCAL;
	dom = at + 1;
	{
		size_t lpl = (size_t)(at - addr);

		if (memchr(addr, '@', lpl) || memchr(addr, '%', lpl) || memchr(addr, '!', lpl))
			*routed = true;
	}
	if (dom[0] == '[')
		return is_my_interface_literal(s->ex, dom) ? RC_LOCAL : RC_DEFAULT;
	if ((m = list_match_domain(s, "mydestination", dom, false)) != 0)
		return m < 0 ? -1 : RC_LOCAL;
	if ((m = list_match_domain(s, "virtual_alias_domains", dom, false)) != 0)
		return m < 0 ? -1 : RC_ALIAS;
	if ((m = list_match_domain(s, "virtual_mailbox_domains", dom, false)) != 0)
		return m < 0 ? -1 : RC_VIRTUAL;
	if ((m = list_match_domain(s, "relay_domains", dom,
				   s->ex->relay_parent)) != 0)
		return m < 0 ? -1 : RC_RELAY;
	return RC_DEFAULT;
}

int
check_mail_access(struct st *s, struct xtable *t, const char *addr, int *found,
		  const char *reply_name, enum access_ctx ctx, const char *def_acl)
{
	struct strbuf res;
	const char *val;
	struct hit h;
	int ret, status = ST_DUNNO;

	*found = 0;
	strbuf_init(&res);
	resolve_addr(s->ex, addr, &res);
	if (!strchr(res.buf, '@')) {
		strbuf_fini(&res);
		return ST_DUNNO;
	}
	ret = mail_addr_find(s, t, res.buf, &val, &h);
	if (ret > 0) {
		bool routed;

		*found = 1;
		status = check_table_result(s, t, val, res.buf, reply_name, ctx, def_acl, &h);
		if (status == ST_OK && ctx == ACCESS_CTX_RECIPIENT && !s->ex->allow_untrusted_routing) {
			(void)resolve_class(s, res.buf, &routed);
			if (routed) {
				trail(s, "OK is downgraded to DUNNO: sender-specified routing in %s", res.buf);
				status = ST_DUNNO;
			}
		}
	} else if (ret < 0)
		status = lookup_error(s, t, res.buf, reply_name, ctx, def_acl);
	strbuf_fini(&res);
	return status;
}

/* permit_auth_destination - OK or DUNNO (or unknown) */
int
permit_auth_destination(struct st *s, const char *recipient)
{
	struct strbuf res;
	bool routed;
	int c, status = ST_DUNNO;

	/* the same recipient is asked about in several lists: remember it */
	if (s->pad_for == recipient && s->pad_status >= 0) {
		trail_parts(s, s->pad_res, s->pad_status == ST_OK ? " is an authorized destination "
			    "(local, virtual or relay domain)" : " is not an authorized destination",
			    "", "", "");
		return s->pad_status;
	}
	strbuf_init(&res);
	resolve_addr(s->ex, recipient, &res);
	if (!strrchr(res.buf, '@'))
		status = ST_OK;
	else if ((c = resolve_class(s, res.buf, &routed)) < 0)
		status = unknown(s, "a domain table for %s cannot be read", res.buf);
	else if (!s->ex->allow_untrusted_routing && routed)
		status = ST_DUNNO;
	else if (c != RC_DEFAULT)
		status = ST_OK;
	trail(s, "%s is %s", res.buf, status == ST_OK ? "an authorized destination (local, virtual "
	      "or relay domain)" : "not an authorized destination");
	if (status != ST_UNKNOWN && res.len < sizeof(s->pad_res)) {
		memcpy(s->pad_res, res.buf, res.len + 1);
		s->pad_for = recipient;
		s->pad_status = status;
	}
	strbuf_fini(&res);
	return status;
}

static int
code_of(struct explain *ex, const char *name, int def)
{
	return code_param(ex->cf, name, def);
}

/* maps_match - check_mail_addr_find() over the tables of list parameter
 * PARAM: 1 found, 0 not, -1 a table cannot be read */
static int
maps_match(struct st *s, const char *param, const char *addr, bool local)
{
	struct words w = *param_words(s->ex, param);
	size_t i;
	int r = 0;

	for (i = 0; i < w.n && r == 0; i++) {
		struct xtable *t;
		const char *val, *at = strrchr(addr, '@');
		struct hit h;
		char *bare;

		if (!strchr(w.v[i], ':'))
			continue;
		if ((t = open_table(s->ex, w.v[i])) == NULL) {
			r = -1;
			break;
		}
		r = find_addr(s, t, addr, false, true, &val, &h);
		bare = strip_ext(s->ex, addr);
		if (r == 0 && bare)
			r = find_addr(s, t, bare, true, true, &val, &h);
		if (r == 0 && local && at) {
			char lp[512];
			size_t n = (size_t)(at - addr);

			if (n < sizeof(lp)) {
				memcpy(lp, addr, n);
				lp[n] = 0;
				r = find_addr(s, t, lp, true, false, &val, &h);
				if (r == 0 && bare) {
					const char *bat = strrchr(bare, '@');

					n = (size_t)(bat - bare);
					memcpy(lp, bare, n);
					lp[n] = 0;
					r = find_addr(s, t, lp, true, false, &val, &h);
				}
			}
		}
		if (r == 0 && at)
			r = xt_find(s, t, at, true, &val, &h);
		free(bare);
	}
	return r;
}

/* user_unknown - smtpd's "CODE 5.1.1 ... User unknown in TABLE" reject */
static int
user_unknown(struct st *s, int code, const char *recipient, enum access_ctx ctx, const char *table)
{
	return check_reject(s, EC_POLICY, code, "5.1.1", "<%s>: %s rejected: User unknown in %s",
			    recipient, ctxcls(ctx), table);
}

/* check_rcpt_maps - the recipient validation that follows the lists */
int
check_rcpt_maps(struct st *s, const char *recipient, enum access_ctx ctx)
{
	struct explain *ex = s->ex;
	struct strbuf res;
	bool routed;
	int c, m = 0;
	int status = ST_DUNNO;
	const char *at;

	if (s->rcptmap_checked)
		return ST_DUNNO;
	if (s->warn_if_reject == 0)
		s->rcptmap_checked = true;
	strbuf_init(&res);
	resolve_addr(ex, recipient, &res);
	at = strrchr(res.buf, '@');
	c = resolve_class(s, res.buf, &routed);
	if (c >= 0 && (m = maps_match(s, "recipient_canonical_maps", res.buf, c == RC_LOCAL)) == 0
	    && (m = maps_match(s, "canonical_maps", res.buf, c == RC_LOCAL)) == 0)
		m = maps_match(s, "virtual_alias_maps", res.buf, c == RC_LOCAL);
	if (c < 0 || m < 0)
		status = unknown(s, "a table for the recipient checks of %s cannot be read", res.buf);
	else if (m > 0)
		trail(s, "%s is rewritten by a canonical or virtual alias table: accepted here", res.buf);
	else if (c == RC_ALIAS)
		status = user_unknown(s, ex->virt_alias_code, recipient, ctx, "virtual alias table");
	else if (c == RC_LOCAL && *ex->local_rcpt_maps && at
		 && strncasecmp(res.buf, "postmaster@", 11) != 0
		 && strncasecmp(res.buf, "mailer-daemon@", 14) != 0
		 && strncasecmp(res.buf, "double-bounce@", 14) != 0) {
		if ((m = maps_match(s, "local_recipient_maps", res.buf, true)) < 0)
			status = unknown(s, "whether %s is a local user (local_recipient_maps = %s)",
					 res.buf, ex->local_rcpt_maps);
		else if (m == 0)
			status = user_unknown(s, code_of(ex, "unknown_local_recipient_reject_code", 550),
					      recipient, ctx, "local recipient table");
	} else if (c == RC_VIRTUAL && *cfget(ex, "virtual_mailbox_maps", NULL)) {
		if ((m = maps_match(s, "virtual_mailbox_maps", res.buf, false)) < 0)
			status = unknown(s, "whether %s is in virtual_mailbox_maps", res.buf);
		else if (m == 0)
			status = user_unknown(s, code_of(ex, "unknown_virtual_mailbox_reject_code", 550),
					      recipient, ctx, "virtual mailbox table");
	} else if (c == RC_RELAY && *cfget(ex, "relay_recipient_maps", NULL)) {
		if ((m = maps_match(s, "relay_recipient_maps", res.buf, false)) < 0)
			status = unknown(s, "whether %s is in relay_recipient_maps", res.buf);
		else if (m == 0)
			status = user_unknown(s, code_of(ex, "unknown_relay_recipient_reject_code", 550),
					      recipient, ctx, "relay recipient table");
	} else
		trail(s, "%s: no recipient table rejects it", res.buf);
	strbuf_fini(&res);
	return status;
}
