/*
 * core/explain_restrict.c - generic_checks(): walk one restriction list
 * as smtpd_check.c does, dispatching each restriction name to its check.
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

static bool
is_cmd(const char *name, const char *cmd)
{
	/* CMD is lower case: a cheap first-byte test before strcasecmp */
	unsigned char c = (unsigned char)name[0];

	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	return c == (unsigned char)cmd[0] && strcasecmp(name, cmd) == 0;
}

int
generic_checks(struct st *s, struct words *list, const char *reply_name, enum access_ctx ctx,
	       const char *def_acl)
{
	struct explain *ex = s->ex;
	size_t i;
	int status = ST_DUNNO, found;
	int saved_recursion = s->recursion++;
	struct words *cl;

	for (i = 0; i < list->n; i++) {
		const char *name = list->v[i];
		const char *arg = NULL;
		bool is_map = false;

		if (s->discard)
			break;
		if (is_cmd(name, "warn_if_reject")) {
			trail(s, "warn_if_reject");
			if (s->warn_if_reject == 0)
				s->warn_if_reject = s->recursion;
			continue;
		}
		if (strchr(name, ':')) {
			if (def_acl == NULL) {
				trail(s, "warning: bare table %s where no check_*_access applies", name);
				status = server_error(s);
				break;
			}
			arg = name;
			name = def_acl;
			is_map = true;
		} else if (access_restriction_takes_arg(name, strlen(name))
			   && strncasecmp(name, "check_", 6) == 0 && !is_cmd(name, "check_policy_service")) {
			if (i + 1 >= list->n || !strchr(list->v[i + 1], ':')) {
				trail(s, "warning: restriction %s: bad argument \"%s\": need maptype:mapname",
				      name, i + 1 < list->n ? list->v[i + 1] : "");
				status = server_error(s);
				break;
			}
			arg = list->v[++i];
			is_map = true;
		}
		trail_parts(s, name, arg ? " " : "", arg ? arg : "", "", "");
		s->indent++;

		if (is_cmd(name, "permit")) {
			status = ST_OK;
		} else if (is_cmd(name, "defer")) {
			status = check_reject(s, EC_POLICY, ex->defer_code, "4.3.2",
					      "<%s>: %s rejected: Try again later", reply_name, ctxcls(ctx));
		} else if (is_cmd(name, "reject")) {
			status = check_reject(s, EC_POLICY, ex->reject_code, "5.7.1",
					      "<%s>: %s rejected: Access denied", reply_name, ctxcls(ctx));
		} else if (is_cmd(name, "reject_unauth_pipelining")) {
			trail(s, "no pipelining in this probe");
		} else if (is_cmd(name, "check_policy_service")) {
			if (i + 1 >= list->n || !strchr(list->v[i + 1], ':')) {
				trail(s, "warning: restriction check_policy_service must be followed by "
				      "transport:server");
				status = server_error(s);
			} else
				status = unknown(s, "the policy service %s", list->v[++i]);
		} else if (is_cmd(name, "defer_if_permit")) {
			status = defer_if_permit(s, 450, "4.7.0", "<%s>: %s rejected: %s", reply_name,
						 ctxcls(ctx), "defer_if_permit requested");
		} else if (is_cmd(name, "defer_if_reject")) {
			defer_if(s, &s->dir, EC_POLICY, 450, "4.7.0",
				 "<%s>: %s rejected: defer_if_reject requested", reply_name, ctxcls(ctx));
		} else if (is_cmd(name, "sleep")) {
			if (i + 1 >= list->n || strspn(list->v[i + 1], "0123456789") != strlen(list->v[i + 1])
			    || !*list->v[i + 1]) {
				trail(s, "warning: restriction sleep must be followed by number");
				status = server_error(s);
			} else
				i++;
		} else if (is_cmd(name, "reject_plaintext_session")) {
			status = check_reject(s, EC_POLICY, ex->plaintext_code, "4.7.1",
					      "Session encryption is required");
		} else if (is_cmd(name, "reject_unknown_client_hostname") || is_cmd(name, "reject_unknown_client")) {
			if (strcmp(s->name, "unknown") == 0)
				status = check_reject(s, EC_POLICY, ex->unk_client_code, "4.7.25",
						      "Client host rejected: cannot find your hostname, [%s]",
						      s->addr);
		} else if (is_cmd(name, "reject_unknown_reverse_client_hostname")) {
			if (strcmp(s->name, "unknown") == 0)
				status = check_reject(s, EC_POLICY, ex->unk_client_code, "4.7.25",
						      "Client host rejected: cannot find your reverse "
						      "hostname, [%s]", s->addr);
		} else if (is_cmd(name, "permit_inet_interfaces")) {
			char lit[80];

			snprintf(lit, sizeof(lit), "[%s]", s->addr);
			if (is_my_interface_literal(ex, lit))
				status = ST_OK;
		} else if (is_cmd(name, "permit_mynetworks")) {
			int m = namadr_match(s, "mynetworks", s->name, s->addr);

			if (m < 0)
				status = unknown(s, "mynetworks refers to a file or table we cannot read");
			else if (m > 0) {
				trail(s, "%s is in mynetworks", s->namaddr);
				status = ST_OK;
			} else
				trail(s, "%s is not in mynetworks", s->namaddr);
		} else if (is_map && is_cmd(name, "check_client_access")) {
			struct xtable *t = open_table(ex, arg);

			status = t ? check_namadr_access(s, t, s->name, s->addr, s->namaddr,
							 ACCESS_CTX_CLIENT, def_acl)
				: unknown(s, "out of memory");
		} else if (is_map && is_cmd(name, "check_reverse_client_hostname_access")) {
			struct xtable *t = open_table(ex, arg);

			status = t ? check_namadr_access(s, t, s->name, s->addr, s->name,
							 ACCESS_CTX_REV_CLIENT, def_acl)
				: unknown(s, "out of memory");
			if (status == ST_OK && !s->discard) {
				trail(s, "warning: restriction %s returns OK for %s", name, s->name);
				status = server_error(s);
			}
		} else if (is_cmd(name, "reject_maps_rbl") || is_cmd(name, "reject_rbl_client")
			   || is_cmd(name, "reject_rbl") || is_cmd(name, "permit_dnswl_client")
			   || is_cmd(name, "reject_rhsbl_client") || is_cmd(name, "permit_rhswl_client")
			   || is_cmd(name, "reject_rhsbl_reverse_client") || is_cmd(name, "reject_rhsbl_helo")
			   || is_cmd(name, "reject_rhsbl_sender") || is_cmd(name, "reject_rhsbl_recipient")) {
			const char *dom = i + 1 < list->n && !is_cmd(name, "reject_maps_rbl")
				? list->v[i + 1] : NULL;

			if (!is_cmd(name, "reject_maps_rbl")) {
				if (!dom) {
					trail(s, "warning: restriction %s requires domain name argument", name);
					s->indent--;
					if (status != 0)
						break;
					continue;
				}
				i++;
			}
			if ((is_cmd(name, "reject_rhsbl_sender") && (!s->sender || !*s->sender))
			    || (is_cmd(name, "reject_rhsbl_recipient") && !s->recipient)
			    || (is_cmd(name, "reject_rhsbl_helo") && !s->helo_name)
			    || ((is_cmd(name, "reject_rhsbl_client") || is_cmd(name, "permit_rhswl_client")
				 || is_cmd(name, "reject_rhsbl_reverse_client"))
				&& strcmp(s->name, "unknown") == 0))
				trail(s, "nothing to look up");
			else
				status = unknown(s, "the DNS list %s%s%s", name, dom ? " " : "", dom ? dom : "");
		} else if (is_map && (is_cmd(name, "check_ccert_access"))) {
			trail(s, "no client certificate (plaintext probe)");
		} else if (is_map && is_cmd(name, "check_sasl_access")) {
			if (ex->sasl_enable && ex->opts.sasl_user) {
				struct xtable *t = open_table(ex, arg);

				status = t ? check_access(s, t, ex->opts.sasl_user, &found,
							  ex->opts.sasl_user, ACCESS_CTX_CLIENT, def_acl)
					: unknown(s, "out of memory");
			} else if (!ex->sasl_enable)
				trail(s, "warning: restriction `%s' ignored: no SASL support", name);
		} else if (is_map && (is_cmd(name, "check_client_ns_access") || is_cmd(name, "check_client_mx_access")
				      || is_cmd(name, "check_client_a_access")
				      || is_cmd(name, "check_reverse_client_hostname_ns_access")
				      || is_cmd(name, "check_reverse_client_hostname_mx_access")
				      || is_cmd(name, "check_reverse_client_hostname_a_access"))) {
			if (strcmp(s->name, "unknown") != 0)
				status = unknown(s, "DNS records of %s (%s)", s->name, name);
		} else if (is_map && is_cmd(name, "check_helo_access")) {
			if (s->helo_name) {
				struct xtable *t = open_table(ex, arg);

				status = t ? check_domain_access(s, t, s->helo_name, false, &found,
								 s->helo_name, ACCESS_CTX_HELO, def_acl)
					: unknown(s, "out of memory");
			} else
				trail(s, "no HELO name yet");
		} else if (is_cmd(name, "reject_invalid_helo_hostname") || is_cmd(name, "reject_invalid_hostname")) {
			if (s->helo_name)
				status = s->helo_name[0] != '['
					? reject_invalid_hostname(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO)
					: reject_invalid_hostaddr(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO);
		} else if (is_cmd(name, "reject_unknown_helo_hostname") || is_cmd(name, "reject_unknown_hostname")) {
			if (s->helo_name) {
				if (s->helo_name[0] == '[')
					status = reject_invalid_hostaddr(s, s->helo_name, s->helo_name,
									 ACCESS_CTX_HELO);
				else if (!ex->opts.assume_dns_ok)
					status = unknown(s, "DNS A/AAAA/MX records of %s", s->helo_name);
			}
		} else if (is_cmd(name, "permit_naked_ip_address")) {
			if (s->helo_name && s->helo_name[strspn(s->helo_name, "0123456789.:")] == 0
			    && (status = reject_invalid_hostaddr(s, s->helo_name, s->helo_name,
								 ACCESS_CTX_HELO)) == 0)
				status = ST_OK;
		} else if (is_map && (is_cmd(name, "check_helo_ns_access") || is_cmd(name, "check_helo_mx_access")
				      || is_cmd(name, "check_helo_a_access"))) {
			if (s->helo_name)
				status = unknown(s, "DNS records of %s (%s)", s->helo_name, name);
		} else if (is_cmd(name, "reject_non_fqdn_helo_hostname") || is_cmd(name, "reject_non_fqdn_hostname")) {
			if (s->helo_name)
				status = s->helo_name[0] != '['
					? reject_non_fqdn_hostname(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO)
					: reject_invalid_hostaddr(s, s->helo_name, s->helo_name, ACCESS_CTX_HELO);
		} else if (is_map && is_cmd(name, "check_sender_access")) {
			struct xtable *t = open_table(ex, arg);

			if (!t)
				status = unknown(s, "out of memory");
			else if (s->sender && *s->sender)
				status = check_mail_access(s, t, s->sender, &found, s->sender,
							   ACCESS_CTX_SENDER, def_acl);
			else if (s->sender && !*s->sender)
				status = check_access(s, t, ex->null_key, &found, s->sender,
						      ACCESS_CTX_SENDER, def_acl);
			else
				trail(s, "no sender yet");
		} else if (is_cmd(name, "reject_unknown_address") || is_cmd(name, "reject_unknown_sender_domain")
			   || is_cmd(name, "reject_unknown_recipient_domain")) {
			const char *a = is_cmd(name, "reject_unknown_recipient_domain") ? s->recipient : s->sender;

			if (a && *a && !ex->opts.assume_dns_ok) {
				struct strbuf res;
				bool routed;
				int c;
				const char *at;

				strbuf_init(&res);
				resolve_addr(ex, a, &res);
				at = strrchr(res.buf, '@');
				c = resolve_class(s, res.buf, &routed);
				if (at && c == RC_DEFAULT && at[1] != '[')
					status = unknown(s, "DNS A/AAAA/MX records of %s", at + 1);
				strbuf_fini(&res);
			}
		} else if (is_cmd(name, "reject_unverified_sender")) {
			if (s->sender && *s->sender)
				status = unknown(s, "address verification of %s", s->sender);
		} else if (is_cmd(name, "reject_non_fqdn_sender")) {
			if (s->sender && *s->sender)
				status = reject_non_fqdn_address(s, s->sender, s->sender, ACCESS_CTX_SENDER);
		} else if (is_cmd(name, "reject_authenticated_sender_login_mismatch")
			   || is_cmd(name, "reject_known_sender_login_mismatch")
			   || is_cmd(name, "reject_unauthenticated_sender_login_mismatch")
			   || is_cmd(name, "reject_sender_login_mismatch")) {
			if (!ex->sasl_enable)
				trail(s, "warning: restriction `%s' ignored: no SASL support", name);
			else if (s->sender && *s->sender)
				status = unknown(s, "smtpd_sender_login_maps and the SASL login (%s)", name);
		} else if (is_map && (is_cmd(name, "check_sender_ns_access") || is_cmd(name, "check_sender_mx_access")
				      || is_cmd(name, "check_sender_a_access"))) {
			if (s->sender && *s->sender)
				status = unknown(s, "DNS records of the sender domain (%s)", name);
		} else if (is_cmd(name, "reject_unlisted_sender")) {
			if (s->sender && *s->sender)
				status = unknown(s, "whether the sender %s is a known address", s->sender);
		} else if (is_map && is_cmd(name, "check_recipient_access")) {
			if (s->recipient) {
				struct xtable *t = open_table(ex, arg);

				status = t ? check_mail_access(s, t, s->recipient, &found, s->recipient,
							       ACCESS_CTX_RECIPIENT, def_acl)
					: unknown(s, "out of memory");
			}
		} else if (is_cmd(name, "permit_mx_backup")) {
			if (s->recipient) {
				status = permit_auth_destination(s, s->recipient);
				if (status == ST_DUNNO)
					status = unknown(s, "the MX records of %s's domain", s->recipient);
			}
		} else if (is_cmd(name, "permit_auth_destination")) {
			if (s->recipient)
				status = permit_auth_destination(s, s->recipient);
		} else if (is_cmd(name, "reject_unauth_destination") || is_cmd(name, "defer_unauth_destination")) {
			if (s->recipient) {
				bool def = is_cmd(name, "defer_unauth_destination");

				status = permit_auth_destination(s, s->recipient);
				if (status == ST_OK)
					status = ST_DUNNO;
				else if (status == ST_DUNNO)
					status = check_reject(s, EC_POLICY, def ? ex->relay_code - 100 : ex->relay_code,
							      def ? "4.7.1" : "5.7.1",
							      "<%s>: Relay access denied", s->recipient);
			}
		} else if (is_cmd(name, "check_relay_domains")) {
			if (s->recipient) {
				int m = list_match_domain(s, "relay_domains", s->name,
							  ex->relay_parent);

				if (m > 0)
					status = ST_OK;
				else if ((status = permit_auth_destination(s, s->recipient)) == ST_DUNNO)
					status = check_reject(s, EC_POLICY, ex->relay_code, "5.7.1",
							      "<%s>: %s rejected: Relay access denied",
							      s->recipient, ctxcls(ACCESS_CTX_RECIPIENT));
			}
		} else if (is_cmd(name, "permit_sasl_authenticated")) {
			if (ex->sasl_enable && ex->opts.sasl_user) {
				trail(s, "the client authenticated as %s", ex->opts.sasl_user);
				status = ST_OK;
			} else
				trail(s, "the client is not authenticated");
		} else if (is_cmd(name, "permit_tls_all_clientcerts") || is_cmd(name, "permit_tls_clientcerts")) {
			trail(s, "no client certificate (plaintext probe)");
		} else if (is_cmd(name, "reject_non_fqdn_recipient")) {
			if (s->recipient)
				status = reject_non_fqdn_address(s, s->recipient, s->recipient,
								 ACCESS_CTX_RECIPIENT);
		} else if (is_map && (is_cmd(name, "check_recipient_ns_access")
				      || is_cmd(name, "check_recipient_mx_access")
				      || is_cmd(name, "check_recipient_a_access"))) {
			if (s->recipient && *s->recipient)
				status = unknown(s, "DNS records of the recipient domain (%s)", name);
		} else if (is_cmd(name, "check_recipient_maps") || is_cmd(name, "reject_unlisted_recipient")) {
			if (s->recipient && *s->recipient)
				status = check_rcpt_maps(s, s->recipient, ACCESS_CTX_RECIPIENT);
		} else if (is_cmd(name, "reject_multi_recipient_bounce")) {
			trail(s, "a single recipient in this probe");
		} else if (is_cmd(name, "reject_unverified_recipient")) {
			if (s->recipient && *s->recipient)
				status = unknown(s, "address verification of %s", s->recipient);
		} else if (is_map && is_cmd(name, "check_etrn_access")) {
			trail(s, "no ETRN in this probe");
		} else if ((cl = find_class(ex, name)) != NULL) {
			status = generic_checks(s, cl, reply_name, ctx, def_acl);
		} else {
			trail(s, "warning: unknown smtpd restriction: \"%s\"", name);
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
