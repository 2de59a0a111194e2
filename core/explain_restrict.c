/*
 * core/explain_restrict.c - generic_checks(): walk one restriction list
 * as smtpd_check.c does.  Each name is looked up in the one restriction
 * table (core/restrictions.h): its argument is taken as smtpd takes it,
 * then its handler below (the table's last column) runs; anything else is
 * a restriction class or "unknown smtpd restriction" (451 4.3.5).
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
#include "core/restriction.h"

/* ------------------------------------------------------------------ */
/* generic_checks                                                       */

struct words *
find_class(struct explain *ex, const char *name)
{
	size_t i;

	for (i = 0; i < ex->classes.n; i++)
		if (strcmp(ex->classes.v[i], name) == 0)
			return &ex->class_lists[i];
	return NULL;
}

/* one restriction as generic_checks calls it */
struct rcall {
	enum restriction_id id;
	const char *name;           /* as written in the list (or the default check_*_access) */
	const char *arg;            /* its argument, NULL when it takes none */
	const char *reply_name;
	enum access_ctx ctx;
	const char *def_acl;
};

#define HANDLER(h) static int h(struct st *s, const struct rcall *c)

HANDLER(r_warn_if_reject)
{
	(void)s;
	(void)c;
	return ST_DUNNO;            /* handled by generic_checks itself */
}

HANDLER(r_permit)
{
	(void)s;
	(void)c;
	return ST_OK;
}

HANDLER(r_defer)
{
	return check_reject(s, EC_POLICY, s->ex->defer_code, "4.3.2",
			    "<%s>: %s rejected: Try again later", c->reply_name, ctxcls(c->ctx));
}

HANDLER(r_reject)
{
	return check_reject(s, EC_POLICY, s->ex->reject_code, "5.7.1",
			    "<%s>: %s rejected: Access denied", c->reply_name, ctxcls(c->ctx));
}

HANDLER(r_unauth_pipelining)
{
	(void)c;
	trail(s, "no pipelining in this probe");
	return ST_DUNNO;
}

HANDLER(r_policy_service)
{
	return unknown(s, "the policy service %s", c->arg);
}

HANDLER(r_defer_if_permit)
{
	return defer_if_permit(s, 450, "4.7.0", "<%s>: %s rejected: %s", c->reply_name,
			       ctxcls(c->ctx), "defer_if_permit requested");
}

HANDLER(r_defer_if_reject)
{
	defer_if(s, &s->dir, EC_POLICY, 450, "4.7.0",
		 "<%s>: %s rejected: defer_if_reject requested", c->reply_name, ctxcls(c->ctx));
	return ST_DUNNO;
}

HANDLER(r_sleep)
{
	(void)s;
	(void)c;
	return ST_DUNNO;            /* the probe does not wait */
}

HANDLER(r_plaintext_session)
{
	(void)c;
	return check_reject(s, EC_POLICY, s->ex->plaintext_code, "4.7.1",
			    "Session encryption is required");
}

HANDLER(r_unknown_client)
{
	(void)c;
	if (strcmp(s->name, "unknown") == 0)
		return check_reject(s, EC_POLICY, s->ex->unk_client_code, "4.7.25",
				    "Client host rejected: cannot find your hostname, [%s]", s->addr);
	return ST_DUNNO;
}

HANDLER(r_unknown_reverse_client)
{
	(void)c;
	if (strcmp(s->name, "unknown") == 0)
		return check_reject(s, EC_POLICY, s->ex->unk_client_code, "4.7.25",
				    "Client host rejected: cannot find your reverse "
				    "hostname, [%s]", s->addr);
	return ST_DUNNO;
}

HANDLER(r_inet_interfaces)
{
	char lit[80];

	(void)c;
	snprintf(lit, sizeof(lit), "[%s]", s->addr);
	return is_my_interface_literal(s->ex, lit) ? ST_OK : ST_DUNNO;
}

HANDLER(r_mynetworks)
{
	int m = namadr_match(s, "mynetworks", s->name, s->addr);

	(void)c;
	if (m < 0)
		return unknown(s, "mynetworks refers to a file or table we cannot read");
	if (m > 0) {
		bool mute = s->mute;

		s->mute = false;        /* a brief trail keeps it (impact's own users) */
		trail(s, "%s is in mynetworks", s->namaddr);
		s->mute = mute;
		return ST_OK;
	}
	trail(s, "%s is not in mynetworks", s->namaddr);
	return ST_DUNNO;
}

HANDLER(r_client_access)
{
	struct xtable *t = open_table(s->ex, c->arg);

	return t ? check_namadr_access(s, t, s->name, s->addr, s->namaddr, ACCESS_CTX_CLIENT,
				       c->def_acl)
		: unknown(s, "out of memory");
}

HANDLER(r_reverse_client_access)
{
	struct xtable *t = open_table(s->ex, c->arg);
	int status = t ? check_namadr_access(s, t, s->name, s->addr, s->name,
					     ACCESS_CTX_REV_CLIENT, c->def_acl)
		: unknown(s, "out of memory");

	if (status == ST_OK && !s->discard) {
		trail(s, "warning: restriction %s returns OK for %s", c->name, s->name);
		status = server_error(s);
	}
	return status;
}

/* reject_rbl_client, permit_dnswl_client, reject_rhsbl_* ...: a DNS query */
HANDLER(r_dnsxl)
{
	const char *dom = c->arg;   /* NULL for reject_maps_rbl */

	if ((c->id == RESTR_REJECT_RHSBL_SENDER && (!s->sender || !*s->sender))
	    || (c->id == RESTR_REJECT_RHSBL_RECIPIENT && !s->recipient)
	    || (c->id == RESTR_REJECT_RHSBL_HELO && !s->helo_name)
	    || ((c->id == RESTR_REJECT_RHSBL_CLIENT || c->id == RESTR_PERMIT_RHSWL_CLIENT
		 || c->id == RESTR_REJECT_RHSBL_REVERSE_CLIENT) && strcmp(s->name, "unknown") == 0)) {
		trail(s, "nothing to look up");
		return ST_DUNNO;
	}
	return unknown(s, "the DNS list %s%s%s", c->name, dom ? " " : "", dom ? dom : "");
}

HANDLER(r_ccert_access)
{
	(void)c;
	trail(s, "no client certificate (plaintext probe)");
	return ST_DUNNO;
}

HANDLER(r_sasl_access)
{
	struct explain *ex = s->ex;
	int found;

	if (ex->sasl_enable && ex->opts.sasl_user) {
		struct xtable *t = open_table(ex, c->arg);

		return t ? check_access(s, t, ex->opts.sasl_user, &found, ex->opts.sasl_user,
					ACCESS_CTX_CLIENT, c->def_acl)
			: unknown(s, "out of memory");
	}
	if (!ex->sasl_enable)
		trail(s, "warning: restriction `%s' ignored: no SASL support", c->name);
	return ST_DUNNO;
}

HANDLER(r_client_dns_access)
{
	if (strcmp(s->name, "unknown") != 0)
		return unknown(s, "DNS records of %s (%s)", s->name, c->name);
	return ST_DUNNO;
}

HANDLER(r_helo_access)
{
	int found;

	if (s->helo_name) {
		struct xtable *t = open_table(s->ex, c->arg);

		return t ? check_domain_access(s, t, s->helo_name, false, &found, s->helo_name,
					       ACCESS_CTX_HELO, c->def_acl)
			: unknown(s, "out of memory");
	}
	trail(s, "no HELO name yet");
	return ST_DUNNO;
}

HANDLER(r_invalid_helo)
{
	(void)c;
	if (!s->helo_name)
		return ST_DUNNO;
	return s->helo_name[0] != '['
		? reject_invalid_hostname(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO)
		: reject_invalid_hostaddr(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO);
}

HANDLER(r_unknown_helo)
{
	(void)c;
	if (!s->helo_name)
		return ST_DUNNO;
	if (s->helo_name[0] == '[')
		return reject_invalid_hostaddr(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO);
	if (!s->ex->opts.assume_dns_ok)
		return unknown(s, "DNS A/AAAA/MX records of %s", s->helo_name);
	return ST_DUNNO;
}

HANDLER(r_naked_ip_address)
{
	int status = ST_DUNNO;

	(void)c;
	if (s->helo_name && s->helo_name[strspn(s->helo_name, "0123456789.:")] == 0
	    && (status = reject_invalid_hostaddr(s, s->helo_name, s->helo_name,
						 ACCESS_CTX_HELO)) == 0)
		status = ST_OK;
	return status;
}

HANDLER(r_helo_dns_access)
{
	if (s->helo_name)
		return unknown(s, "DNS records of %s (%s)", s->helo_name, c->name);
	return ST_DUNNO;
}

HANDLER(r_non_fqdn_helo)
{
	(void)c;
	if (!s->helo_name)
		return ST_DUNNO;
	return s->helo_name[0] != '['
		? reject_non_fqdn_hostname(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO)
		: reject_invalid_hostaddr(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO);
}

HANDLER(r_sender_access)
{
	struct xtable *t = open_table(s->ex, c->arg);
	int found;

	if (!t)
		return unknown(s, "out of memory");
	if (s->sender && *s->sender)
		return check_mail_access(s, t, s->sender, &found, s->sender, ACCESS_CTX_SENDER,
					 c->def_acl);
	if (s->sender && !*s->sender)
		return check_access(s, t, s->ex->null_key, &found, s->sender, ACCESS_CTX_SENDER,
				    c->def_acl);
	trail(s, "no sender yet");
	return ST_DUNNO;
}

/* reject_unknown_sender_domain (and its 3.7 synonym reject_unknown_address),
 * reject_unknown_recipient_domain */
HANDLER(r_unknown_domain)
{
	const char *a = c->id == RESTR_REJECT_UNKNOWN_RECIPIENT_DOMAIN ? s->recipient : s->sender;
	int status = ST_DUNNO;

	if (a && *a && !s->ex->opts.assume_dns_ok) {
		struct strbuf res;
		bool routed;
		int cl;
		const char *at;

		strbuf_init(&res);
		resolve_addr(s->ex, a, &res);
		at = strrchr(res.buf, '@');
		cl = resolve_class(s, res.buf, &routed);
		if (at && cl == RC_DEFAULT && at[1] != '[')
			status = unknown(s, "DNS A/AAAA/MX records of %s", at + 1);
		strbuf_fini(&res);
	}
	return status;
}

HANDLER(r_unverified_sender)
{
	(void)c;
	if (s->sender && *s->sender)
		return unknown(s, "address verification of %s", s->sender);
	return ST_DUNNO;
}

HANDLER(r_non_fqdn_sender)
{
	(void)c;
	if (s->sender && *s->sender)
		return reject_non_fqdn_address(s, s->sender, s->sender, ACCESS_CTX_SENDER);
	return ST_DUNNO;
}

HANDLER(r_login_mismatch)
{
	if (!s->ex->sasl_enable)
		trail(s, "warning: restriction `%s' ignored: no SASL support", c->name);
	else if (s->sender && *s->sender)
		return unknown(s, "smtpd_sender_login_maps and the SASL login (%s)", c->name);
	return ST_DUNNO;
}

HANDLER(r_sender_dns_access)
{
	if (s->sender && *s->sender)
		return unknown(s, "DNS records of the sender domain (%s)", c->name);
	return ST_DUNNO;
}

HANDLER(r_unlisted_sender)
{
	(void)c;
	if (s->sender && *s->sender)
		return unknown(s, "whether the sender %s is a known address", s->sender);
	return ST_DUNNO;
}

HANDLER(r_recipient_access)
{
	int found;

	if (s->recipient) {
		struct xtable *t = open_table(s->ex, c->arg);

		return t ? check_mail_access(s, t, s->recipient, &found, s->recipient,
					     ACCESS_CTX_RECIPIENT, c->def_acl)
			: unknown(s, "out of memory");
	}
	return ST_DUNNO;
}

HANDLER(r_mx_backup)
{
	int status = ST_DUNNO;

	(void)c;
	if (s->recipient) {
		status = permit_auth_destination(s, s->recipient);
		if (status == ST_DUNNO)
			status = unknown(s, "the MX records of %s's domain", s->recipient);
	}
	return status;
}

HANDLER(r_auth_destination)
{
	(void)c;
	return s->recipient ? permit_auth_destination(s, s->recipient) : ST_DUNNO;
}

/* reject_unauth_destination, defer_unauth_destination */
HANDLER(r_unauth_destination)
{
	bool def = c->id == RESTR_DEFER_UNAUTH_DESTINATION;
	int status;

	if (!s->recipient)
		return ST_DUNNO;
	status = permit_auth_destination(s, s->recipient);
	if (status == ST_OK)
		status = ST_DUNNO;
	else if (status == ST_DUNNO)
		status = check_reject(s, EC_POLICY, def ? s->ex->relay_code - 100 : s->ex->relay_code,
				      def ? "4.7.1" : "5.7.1", "<%s>: Relay access denied", s->recipient);
	return status;
}

HANDLER(r_relay_domains)
{
	int status;

	(void)c;
	if (!s->recipient)
		return ST_DUNNO;
	if (list_match_domain(s, "relay_domains", s->name, s->ex->relay_parent) > 0)
		return ST_OK;
	if ((status = permit_auth_destination(s, s->recipient)) == ST_DUNNO)
		status = check_reject(s, EC_POLICY, s->ex->relay_code, "5.7.1",
				      "<%s>: %s rejected: Relay access denied",
				      s->recipient, ctxcls(ACCESS_CTX_RECIPIENT));
	return status;
}

HANDLER(r_sasl_authenticated)
{
	(void)c;
	if (s->ex->sasl_enable && s->ex->opts.sasl_user) {
		trail(s, "the client authenticated as %s", s->ex->opts.sasl_user);
		return ST_OK;
	}
	trail(s, "the client is not authenticated");
	return ST_DUNNO;
}

HANDLER(r_tls_clientcerts)
{
	(void)c;
	trail(s, "no client certificate (plaintext probe)");
	return ST_DUNNO;
}

HANDLER(r_non_fqdn_recipient)
{
	(void)c;
	if (s->recipient)
		return reject_non_fqdn_address(s, s->recipient, s->recipient, ACCESS_CTX_RECIPIENT);
	return ST_DUNNO;
}

HANDLER(r_recipient_dns_access)
{
	if (s->recipient && *s->recipient)
		return unknown(s, "DNS records of the recipient domain (%s)", c->name);
	return ST_DUNNO;
}

/* check_recipient_maps, reject_unlisted_recipient */
HANDLER(r_rcpt_maps)
{
	(void)c;
	if (s->recipient && *s->recipient)
		return check_rcpt_maps(s, s->recipient, ACCESS_CTX_RECIPIENT);
	return ST_DUNNO;
}

HANDLER(r_multi_recipient_bounce)
{
	(void)c;
	trail(s, "a single recipient in this probe");
	return ST_DUNNO;
}

HANDLER(r_unverified_recipient)
{
	(void)c;
	if (s->recipient && *s->recipient)
		return unknown(s, "address verification of %s", s->recipient);
	return ST_DUNNO;
}

HANDLER(r_etrn_access)
{
	(void)c;
	trail(s, "no ETRN in this probe");
	return ST_DUNNO;
}

static int (*const handler[RESTR_COUNT])(struct st *, const struct rcall *) = {
#define RESTRICTION(id, name, arg, stage, role, h) [RESTR_##id] = h,
#include "core/restrictions.h"
#undef RESTRICTION
};

/* call_restriction - take R's argument from LIST at *I as smtpd does, then
 * run its handler (C has the name, and the argument of a map restriction) */
static int
call_restriction(struct st *s, const struct restriction *r, struct rcall *c,
		 struct words *list, size_t *i)
{
	const char *next = *i + 1 < list->n ? list->v[*i + 1] : NULL;

	c->id = r->id;
	switch (r->arg) {
	case RARG_POLICY:
		if (!next || !strchr(next, ':')) {
			trail(s, "warning: restriction check_policy_service must be followed by "
			      "transport:server");
			return server_error(s);
		}
		break;
	case RARG_NUMBER:
		if (!next || !*next || strspn(next, "0123456789") != strlen(next)) {
			trail(s, "warning: restriction sleep must be followed by number");
			return server_error(s);
		}
		break;
	case RARG_DOMAIN:
		if (!next) {
			trail(s, "warning: restriction %s requires domain name argument", c->name);
			return ST_DUNNO;
		}
		break;
	default:
		return handler[r->id](s, c);
	}
	c->arg = next;
	++*i;
	return handler[r->id](s, c);
}

int
generic_checks(struct st *s, struct words *list, const char *reply_name, enum access_ctx ctx,
	       const char *def_acl)
{
	size_t i;
	int status = ST_DUNNO;
	int saved_recursion = s->recursion++;
	struct words *cl;

	for (i = 0; i < list->n; i++) {
		struct rcall c = { RESTR_COUNT, list->v[i], NULL, reply_name, ctx, def_acl };
		const struct restriction *r;

		if (s->discard)
			break;
		r = words_restriction(list, i);
		if (r && r->id == RESTR_WARN_IF_REJECT) {
			trail(s, "warn_if_reject");
			if (s->warn_if_reject == 0)
				s->warn_if_reject = s->recursion;
			continue;
		}
		if (strchr(c.name, ':')) {
			/* a bare table: the list's own check_*_access */
			if (def_acl == NULL) {
				trail(s, "warning: bare table %s where no check_*_access applies", c.name);
				status = server_error(s);
				break;
			}
			c.arg = c.name;
			c.name = def_acl;
			r = restriction_find(def_acl, strlen(def_acl));
		} else if (r && r->arg == RARG_MAP) {
			/* is_map_command */
			if (i + 1 >= list->n || !strchr(list->v[i + 1], ':')) {
				trail(s, "warning: restriction %s: bad argument \"%s\": need maptype:mapname",
				      c.name, i + 1 < list->n ? list->v[i + 1] : "");
				status = server_error(s);
				break;
			}
			c.arg = list->v[++i];
		}
		trail_parts(s, c.name, c.arg ? " " : "", c.arg ? c.arg : "", "", "");
		s->indent++;

		if (r)
			status = call_restriction(s, r, &c, list, &i);
		else if ((cl = find_class(s->ex, c.name)) != NULL)
			status = generic_checks(s, cl, reply_name, ctx, def_acl);
		else {
			trail(s, "warning: unknown smtpd restriction: \"%s\"", c.name);
			status = server_error(s);
		}
		s->indent--;
		if (s->warn_if_reject >= s->recursion)
			s->warn_if_reject = 0;
		if (status != ST_DUNNO || s->aborted)
			break;
		if (s->dip.active && s->dir.active)
			break;
	}
	s->recursion = saved_recursion;
	if (s->warn_if_reject >= s->recursion)
		s->warn_if_reject = 0;
	return status;
}
