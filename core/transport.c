/*
 * core/transport.c - transport(5) values and SMTP/LMTP nexthop checks.
 *
 * The nexthop rules follow Postfix's host_port() and
 * smtp_parse_destination(): "[host]" / "[host]:port" / "host:port" /
 * "host", the host a valid hostname or address, a numeric port in 1..65535
 * or a known service name.  Postfix accepts anything in the table and only
 * the delivery agent dies at delivery time (postfix-reference.md 6).
 */
#include "config.h"

#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/transport.h"

int
transport_parse(const char *value, size_t vlen, struct transport_value *tv)
{
	const char *c = memchr(value, ':', vlen);

	tv->transport = tv->nexthop = NULL;
	if (c == NULL) {
		tv->transport = strndup(value, vlen);
		return tv->transport ? 0 : -1;
	}
	tv->transport = strndup(value, (size_t)(c - value));
	tv->nexthop = strndup(c + 1, vlen - (size_t)(c - value) - 1);
	if (tv->transport == NULL || tv->nexthop == NULL) {
		transport_value_fini(tv);
		return -1;
	}
	return 0;
}

void
transport_value_fini(struct transport_value *tv)
{
	free(tv->transport);
	free(tv->nexthop);
	tv->transport = tv->nexthop = NULL;
}

bool
transport_is_smtp_like(const char *t, bool *lmtp)
{
	static const char *const smtp[] = { "smtp", "relay", "smtps", "submission",
		"submissions", "" , NULL };
	size_t i;

	if (lmtp)
		*lmtp = false;
	if (strcasecmp(t, "lmtp") == 0) {
		if (lmtp)
			*lmtp = true;
		return true;
	}
	for (i = 0; smtp[i]; i++)
		if (strcasecmp(t, smtp[i]) == 0)
			return true;
	return false;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool
valid_ipv4(const char *s, size_t n)
{
	unsigned parts = 0, val = 0, digits = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (digits == 0 || val > 255)
				return false;
			parts++;
			val = digits = 0;
		} else if (isdigit((unsigned char)s[i]) && digits < 4) {
			val = val * 10 + (unsigned)(s[i] - '0');
			digits++;
		} else {
			return false;
		}
	}
	return parts == 4;
}

static bool
valid_ipv6(const char *s, size_t n)
{
	size_t i, colons = 0;

	if (n < 2)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (!isxdigit((unsigned char)s[i]) && s[i] != '.')
			return false;
	}
	return colons >= 2 && colons <= 7;
}

static bool
valid_hostname(const char *s, size_t n)
{
	size_t i, label = 0;
	bool non_digit = false;

	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (isalnum(c) || c == '_' || c >= 0x80) {
			if (!isdigit(c))
				non_digit = true;
		} else if (c == '-') {
			if (label == 0)
				return false;
			non_digit = true;
		} else {
			return false;
		}
		if (++label > 63)
			return false;
	}
	if (label == 0 || s[n - 1] == '-')
		return false;
	return non_digit;     /* all-numeric names look like addresses */
}

static bool
valid_host(const char *s, size_t n)
{
	return valid_hostname(s, n) || valid_ipv4(s, n) || valid_ipv6(s, n);
}

/* check_port - NULL or the reason */
static const char *
check_port(const char *p, size_t n)
{
	char name[64];

	if (n == 0)
		return NULL;          /* "[host]:" means the default service */
	if (isdigit((unsigned char)p[0])) {
		unsigned long v = 0;
		size_t i;

		if (!all_digits(p, n))
			return "garbage after numerical service";
		for (i = 0; i < n && v < 100000; i++)
			v = v * 10 + (unsigned long)(p[i] - '0');
		if (v == 0 || v > 65535)
			return "bad network port";
		return NULL;
	}
	if (n >= sizeof(name))
		return "unknown service";
	memcpy(name, p, n);
	name[n] = '\0';
	if (getservbyname(name, "tcp") == NULL)
		return "unknown service";
	return NULL;
}

const char *
transport_check_nexthop(const char *d, size_t len, bool lmtp, size_t *bad)
{
	const char *r;

	*bad = 0;
	if (lmtp) {
		if (len >= 5 && strncasecmp(d, "unix:", 5) == 0) {
			if (len == 5) {
				*bad = 5;
				return "missing socket path";
			}
			return NULL;
		}
		if (len >= 5 && strncasecmp(d, "inet:", 5) == 0) {
			d += 5;
			len -= 5;
			r = transport_check_nexthop(d, len, false, bad);
			*bad += 5;
			return r;
		}
	}
	if (len > 0 && d[0] == '[') {
		const char *h = d + 1;
		const char *close = memchr(d, ']', len);
		size_t hl;

		if (len >= 6 && strncasecmp(h, "ipv6:", 5) == 0)
			h += 5;
		if (close == NULL) {
			*bad = len;
			return "missing \"]\"";
		}
		hl = (size_t)(close - h);
		if ((size_t)(close - d) + 1 < len && close[1] != ':') {
			*bad = (size_t)(close - d) + 1;
			return "garbage after \"]\"";
		}
		if (!valid_host(h, hl)) {
			*bad = hl ? (size_t)(h - d) : 0;
			return "valid hostname or network address required";
		}
		if ((size_t)(close - d) + 1 < len) {
			const char *p = close + 2;
			size_t pl = len - (size_t)(p - d);

			r = check_port(p, pl);
			if (r)
				*bad = (size_t)(p - d);
			return r;
		}
		return NULL;
	}
	{
		/* host:port, host:, host, :port - split at the rightmost ':' */
		const char *c = NULL;
		size_t i, hl;

		for (i = len; i > 0; i--)
			if (d[i - 1] == ':') {
				c = d + i - 1;
				break;
			}
		hl = c ? (size_t)(c - d) : len;
		if (hl == 0) {
			*bad = 0;
			return "missing host information";
		}
		if (!valid_host(d, hl)) {
			*bad = 0;
			return "valid hostname or network address required";
		}
		if (c) {
			r = check_port(c + 1, len - hl - 1);
			if (r)
				*bad = hl + 1;
			return r;
		}
	}
	return NULL;
}

int
transport_check(const char *value, size_t vlen, const char *file, unsigned line,
		unsigned col, struct diag_list *dl)
{
	const char *c = memchr(value, ':', vlen);
	char tname[64];
	size_t tl, i;
	bool lmtp;

	if (vlen == 0)
		return diag_add(dl, DIAG_SYNTAX, file, line, col,
				"empty transport value; write \":\" to mean \"no change\"");
	tl = c ? (size_t)(c - value) : vlen;
	if (tl >= sizeof(tname))
		tl = sizeof(tname) - 1;
	memcpy(tname, value, tl);
	tname[tl] = '\0';
	for (i = 0; i < tl; i++)
		if (isspace((unsigned char)tname[i]))
			return diag_add(dl, DIAG_SYNTAX, file, line, col,
					"transport name \"%s\" contains whitespace; trivial-rewrite "
					"will look for a master.cf service of that name and the mail "
					"will be deferred", tname);
	if (c == NULL || strcasecmp(tname, "error") == 0 || strcasecmp(tname, "retry") == 0
	    || strcasecmp(tname, "discard") == 0 || strcasecmp(tname, "local") == 0
	    || strcasecmp(tname, "virtual") == 0 || strcasecmp(tname, "pipe") == 0)
		return 0;
	if (!transport_is_smtp_like(tname, &lmtp))
		return 0;
	{
		/* several destinations since 3.5: comma or whitespace separated */
		const char *nh = c + 1, *end = value + vlen;

		while (nh < end) {
			const char *s, *why;
			size_t bad;

			while (nh < end && (*nh == ',' || isspace((unsigned char)*nh)))
				nh++;
			if (nh >= end)
				break;
			s = nh;
			while (nh < end && *nh != ',' && !isspace((unsigned char)*nh))
				nh++;
			why = transport_check_nexthop(s, (size_t)(nh - s), lmtp, &bad);
			/* a numeric host without brackets (smtp:127.0.0.1:1025) is no
			 * fault: dns_lookup() refuses to query a numerical address and
			 * the client connects to it directly */
			if (why) {
				unsigned ccol = col + (unsigned)(s - value) + (unsigned)bad;
				int dl_ = (int)(nh - s);
				char fatal[300];

				/* what the delivery agent logs before it dies */
				if (strcmp(why, "bad network port") == 0)
					snprintf(fatal, sizeof(fatal), "bad network port: %.*s for "
						 "destination: %.*s", dl_ - (int)bad, s + bad, dl_, s);
				else if (strcmp(why, "unknown service") == 0)
					snprintf(fatal, sizeof(fatal), "unknown service: %.*s/tcp",
						 dl_ - (int)bad, s + bad);
				else
					snprintf(fatal, sizeof(fatal), "%s in server description: %.*s",
						 why, dl_, s);
				if (diag_add(dl, DIAG_BAD_NEXTHOP, file, line, ccol,
					     "nexthop \"%.*s\" of transport %s: %s; Postfix accepts "
					     "it here, but the %s process dies with \"fatal: %s\" when "
					     "it delivers, and the mail stays deferred: write host, "
					     "host:port, [host] or [host]:port with a port 1-65535",
					     dl_, s, *tname ? tname : "(default)", why,
					     lmtp ? "lmtp" : "smtp", fatal) < 0)
					return -1;
			}
		}
		if (c + 1 == end && *tname == '\0')
			return 0;     /* ":" alone: no change */
	}
	return 0;
}
