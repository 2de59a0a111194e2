/*
 * core/explain_lists.c - list parameters and host name checks as smtpd
 * applies them: words (restriction and name/address lists, split like
 * mystrtokq), domain lists (match_list/domain_list), name/address lists
 * such as mynetworks (namadr_list, with the default mynetworks), my own
 * interface literals, and the reject_invalid_* / reject_non_fqdn_*
 * restrictions (valid_hostname.c rules).
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

int
words_add(struct words *w, const char *s, size_t n)
{
	/* the parsed items no longer match the list */
	free(w->net);
	w->net = NULL;
	free(w->rs);
	w->rs = NULL;
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 8;
		char **nv = realloc(w->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		w->v = nv;
		w->cap = nc;
	}
	if ((w->v[w->n] = xstrndup(s, n)) == NULL)
		return -1;
	w->n++;
	return 0;
}

void
words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->net);
	free(w->rs);
	w->v = NULL;
	w->net = NULL;
	w->rs = NULL;
	w->n = w->cap = 0;
}

/* an item that names no restriction (a class, a table, a typo) */
static const struct restriction no_restriction;

const struct restriction *
words_restriction(struct words *w, size_t i)
{
	const struct restriction *r;

	if (w->rs == NULL && w->n > 0)
		w->rs = calloc(w->n, sizeof(*w->rs));
	if (w->rs != NULL && w->rs[i] != NULL)
		return w->rs[i] == &no_restriction ? NULL : w->rs[i];
	r = restriction_find(w->v[i], strlen(w->v[i]));
	if (w->rs != NULL)
		w->rs[i] = r ? r : &no_restriction;
	return r;
}

/* split like smtpd_check_parse/mystrtokq: commas and blanks; { } groups */
int
words_split(struct words *w, const char *s)
{
	size_t pos = 0, off, wl, len = strlen(s);

	while (access_next_word(s, len, &pos, &off, &wl))
		if (words_add(w, s + off, wl) < 0)
			return -1;
	return 0;
}

static void default_mynetworks(struct explain *ex, struct words *w);

/* param_words - the items of list parameter NAME, split once and kept */
struct words *
param_words(struct explain *ex, const char *name)
{
	static struct words empty;
	size_t i;
	const char *v;

	for (i = 0; i < ex->npcache; i++)
		if (strcmp(ex->pcache[i].name, name) == 0)
			return &ex->pcache[i].w;
	if (ex->npcache == sizeof(ex->pcache) / sizeof(ex->pcache[0]))
		return &empty;
	v = cfget(ex, name, NULL);
	i = ex->npcache;
	memset(&ex->pcache[i], 0, sizeof(ex->pcache[i]));
	if ((ex->pcache[i].name = xstrdup(name)) == NULL)
		return &empty;
	if (strcmp(name, "mynetworks") == 0) {
		enum maincf_source src;

		(void)cfraw(ex, name, &src);
		if (src != MAINCF_SET) {
			default_mynetworks(ex, &ex->pcache[i].w);
			ex->npcache++;
			return &ex->pcache[i].w;
		}
	}
	if (v && words_split(&ex->pcache[i].w, v) < 0) {
		words_free(&ex->pcache[i].w);
		free(ex->pcache[i].name);
		return &empty;
	}
	ex->npcache++;
	return &ex->pcache[i].w;
}

/* list_match_domain - domain_list/string_list match of DOMAIN in parameter
 * PARAM; PARENT: "example.com" also matches subdomains.  1, 0, or -1 when
 * a table cannot be read. */
int
list_match_domain(struct st *s, const char *param, const char *domain, bool parent)
{
	/* string_list (mydestination, virtual_*_domains) matches exactly;
	 * domain_list (relay_domains) knows .domain and parent matching */
	struct explain *ex = s->ex;
	bool exact = strcmp(param, "relay_domains") != 0;
	struct words *wp = param_words(ex, param);
	struct words w = *wp;
	size_t i;
	int result = 0;

	for (i = 0; i < w.n && result == 0; i++) {
		const char *item = w.v[i];
		bool neg = false;

		while (*item == '!') {
			neg = !neg;
			item++;
		}
		if (strchr(item, ':') && item[0] != '[') {
			struct xtable *t = open_table(ex, item);
			const char *d, *val;
			struct hit h;
			int r = 0;

			if (!t)
				continue;
			for (d = domain; d && *d; d = strchr(d + 1, '.') ? strchr(d + 1, '.') + 1 : NULL) {
				r = xt_find(s, t, d, d != domain, &val, &h);
				if (r != 0 || !parent)
					break;
			}
			if (r < 0) {
				result = -1;
				break;
			}
			if (r > 0)
				result = neg ? 2 : 1;
			continue;
		}
		if (strcasecmp(item, domain) == 0)
			result = neg ? 2 : 1;
		else {
			size_t dl = strlen(domain), il = strlen(item);

			if (!exact && item[0] == '.' && dl > il && strcasecmp(domain + dl - il, item) == 0)
				result = neg ? 2 : 1;
			else if (parent && dl > il && domain[dl - il - 1] == '.'
				 && strcasecmp(domain + dl - il, item) == 0)
				result = neg ? 2 : 1;
		}
	}
	(void)wp;
	return result == 2 ? 0 : result;
}

bool
is_my_interface_literal(struct explain *ex, const char *lit)
{
	char buf[80];
	size_t n = strlen(lit);
	const char *ifs = cfget(ex, "inet_interfaces", NULL);
	struct ifaddrs *ifa, *p;
	bool r = false;

	if (n < 3 || lit[0] != '[' || lit[n - 1] != ']' || n - 2 >= sizeof(buf))
		return false;
	memcpy(buf, lit + 1, n - 2);
	buf[n - 2] = 0;
	if (strncasecmp(buf, "ipv6:", 5) == 0)
		memmove(buf, buf + 5, strlen(buf + 5) + 1);
	if (ifs && strcmp(ifs, "loopback-only") == 0)
		return strcmp(buf, "127.0.0.1") == 0 || strcmp(buf, "::1") == 0;
	if (ifs && strcmp(ifs, "all") != 0) {
		struct words w = { 0 };
		size_t i;

		words_split(&w, ifs);
		for (i = 0; i < w.n; i++)
			if (strcmp(w.v[i], buf) == 0)
				r = true;
		words_free(&w);
		return r;
	}
	if (getifaddrs(&ifa) != 0)
		return false;
	for (p = ifa; p; p = p->ifa_next) {
		char a[64];

		if (!p->ifa_addr)
			continue;
		if (p->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)p->ifa_addr)->sin_addr, a,
				  sizeof(a));
		else if (p->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)p->ifa_addr)->sin6_addr, a,
				  sizeof(a));
		else
			continue;
		if (strcmp(a, buf) == 0)
			r = true;
	}
	freeifaddrs(ifa);
	return r;
}

/* parse_ip, parse_net, net_match - addresses and networks in name/address
 * lists (mynetworks ...: Postfix's match_ops.c).  cidr: tables are
 * maps/map_cidr.c. */
bool
parse_ip(const char *s, int *family, unsigned char *out)
{
	char buf[64];
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return false;
	if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = 0;
	} else
		memcpy(buf, s, n + 1);
	if (inet_pton(AF_INET, buf, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

bool
net_match(int fam, const unsigned char *net, unsigned bits, int afam, const unsigned char *a)
{
	unsigned i, full = bits / 8, rest = bits % 8;

	if (fam != afam)
		return false;
	for (i = 0; i < full; i++)
		if (net[i] != a[i])
			return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));

		if ((net[full] & m) != (a[full] & m))
			return false;
	}
	return true;
}

/* parse_net - "a.b.c.d/n", "a.b.c.d", "[v6]/n", "v6/n" */
bool
parse_net(const char *s, int *fam, unsigned char *net, unsigned *bits)
{
	char buf[80];
	const char *slash = strrchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long b;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (!parse_ip(buf, fam, net))
		return false;
	if (!slash) {
		*bits = *fam == AF_INET ? 32 : 128;
		return true;
	}
	b = strtol(slash + 1, &end, 10);
	if (*end || slash[1] == 0 || b < 0 || b > (*fam == AF_INET ? 32 : 128))
		return false;
	*bits = (unsigned)b;
	return true;
}

/* ------------------------------------------------------------------ */
/* mynetworks, hostnames                                                */

int
namadr_match(struct st *s, const char *param, const char *name, const char *addr)
{
	struct words *wp = param_words(s->ex, param);
	struct words w = *wp;
	size_t i;
	int afam;
	unsigned char a[16];
	int result = 0;
	bool have_a = parse_ip(addr, &afam, a);

	/* the list is parsed once, not per probe (w.net NULL: no memory,
	 * parsed each time as before) */
	if (wp->net == NULL && wp->n > 0)
		wp->net = w.net = calloc(wp->n, sizeof(*wp->net));
	for (i = 0; i < w.n && !result; i++) {
		const char *item = w.v[i];
		bool neg = false;
		struct wnet tmp = { 0 }, *nt = w.net ? &w.net[i] : &tmp;

		while (*item == '!') {
			neg = !neg;
			item++;
		}
		if (nt->state == WNET_UNPARSED)
			nt->state = parse_net(item, &nt->fam, nt->net, &nt->bits) ? WNET_NET : WNET_OTHER;
		if (item[0] == '/' || (strchr(item, ':') && item[0] != '[' && nt->state != WNET_NET)) {
			/* a table or a file of patterns */
			if (item[0] == '/') {
				result = -1;
				break;
			}
			{
				struct xtable *t = open_table(s->ex, item);
				const char *val;
				struct hit h;
				int r;

				if (!t)
					continue;
				r = xt_find(s, t, addr, false, &val, &h);
				if (r == 0 && name)
					r = xt_find(s, t, name, false, &val, &h);
				if (r < 0) {
					result = -1;
					break;
				}
				if (r > 0)
					result = neg ? 2 : 1;
			}
			continue;
		}
		if (have_a && nt->state == WNET_NET) {
			if (net_match(nt->fam, nt->net, nt->bits, afam, a))
				result = neg ? 2 : 1;
			continue;
		}
		if (name && strcasecmp(item, name) == 0)
			result = neg ? 2 : 1;
	}
	return result == 2 ? 0 : result;
}

/* default_mynetworks - Postfix's mynetworks() when mynetworks is not set:
 * the networks of the interfaces smtpd listens on (inet_interfaces,
 * inet_protocols), by mynetworks_style: host (/32, /128), subnet (the
 * interface's netmask) or class (A/B/C).  Items "a.b.c.d/n", "[v6]/n". */
static void
default_mynetworks(struct explain *ex, struct words *w)
{
	const char *style = cfget(ex, "mynetworks_style", NULL);
	const char *ifs = cfget(ex, "inet_interfaces", NULL);
	const char *protos = cfget(ex, "inet_protocols", NULL);
	bool v4 = !protos || !*protos || strstr(protos, "all") || strstr(protos, "ipv4");
	bool v6 = !protos || !*protos || strstr(protos, "all") || strstr(protos, "ipv6");
	bool loop_only = ifs && strcmp(ifs, "loopback-only") == 0;
	bool all = !ifs || !*ifs || strcmp(ifs, "all") == 0;
	struct ifaddrs *ifa, *p;

	if (!style || !*style)
		style = "host";
	if (getifaddrs(&ifa) != 0)
		return;
	for (p = ifa; p; p = p->ifa_next) {
		char a[64], item[96];
		unsigned bits = 0, i;
		const unsigned char *mask;
		size_t mlen;

		if (!p->ifa_addr || !p->ifa_netmask)
			continue;
		if (p->ifa_addr->sa_family == AF_INET && v4) {
			struct in_addr in = ((struct sockaddr_in *)(void *)p->ifa_addr)->sin_addr;

			mask = (const unsigned char *)&((struct sockaddr_in *)(void *)p->ifa_netmask)->sin_addr;
			mlen = 4;
			inet_ntop(AF_INET, &in, a, sizeof(a));
		} else if (p->ifa_addr->sa_family == AF_INET6 && v6) {
			mask = (const unsigned char *)&((struct sockaddr_in6 *)(void *)p->ifa_netmask)->sin6_addr;
			mlen = 16;
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)p->ifa_addr)->sin6_addr, a,
				  sizeof(a));
		} else
			continue;
		if (loop_only && strcmp(a, "127.0.0.1") != 0 && strcmp(a, "::1") != 0)
			continue;
		if (!all && !loop_only) {
			struct words iw = { 0 };
			bool listed = false;
			size_t k;

			words_split(&iw, ifs);
			for (k = 0; k < iw.n; k++)
				if (strcmp(iw.v[k], a) == 0)
					listed = true;
			words_free(&iw);
			if (!listed)
				continue;
		}
		for (i = 0; i < mlen * 8; i++)
			if (mask[i / 8] & (0x80 >> (i % 8)))
				bits++;
		if (strcmp(style, "host") == 0)
			bits = (unsigned)mlen * 8;
		else if (strcmp(style, "class") == 0 && mlen == 4) {
			unsigned first = (unsigned)strtoul(a, NULL, 10);

			bits = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
		}
		if (mlen == 4)
			snprintf(item, sizeof(item), "%s/%u", a, bits);
		else
			snprintf(item, sizeof(item), "[%s]/%u", a, bits);
		words_add(w, item, strlen(item));
	}
	freeifaddrs(ifa);
}

/* valid_hostname - Postfix valid_hostname(DONT_GRIPE) */
static bool
valid_hostname(const char *name)
{
	size_t len = strlen(name), label = 0, i;
	bool non_numeric = false;

	if (len == 0 || len > 255)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (isalnum(c) || c == '_') {
			if (!isdigit(c))
				non_numeric = true;
			if (++label > 63)
				return false;
		} else if (c == '-') {
			non_numeric = true;
			if (label == 0 || i + 1 == len || name[i + 1] == '.')
				return false;
			label++;
		} else if (c == '.') {
			if (label == 0 || i + 1 == len)
				return false;
			label = 0;
		} else
			return false;
	}
	return non_numeric;
}

static char *
dup_if_truncate(const char *name)
{
	size_t len = strlen(name);

	if (len > 1 && name[len - 1] == '.' && name[len - 2] != '.')
		return xstrndup(name, len - 1);
	return xstrdup(name);
}

static bool
valid_mailhost_literal(const char *lit)
{
	size_t n = strlen(lit);
	char buf[80];
	unsigned char a[16];

	if (n < 3 || lit[0] != '[' || lit[n - 1] != ']' || n - 2 >= sizeof(buf))
		return false;
	memcpy(buf, lit + 1, n - 2);
	buf[n - 2] = 0;
	if (strncasecmp(buf, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, buf + 5, a) == 1;
	return inet_pton(AF_INET, buf, a) == 1;
}

int
reject_invalid_hostaddr(struct st *s, const char *addr, const char *reply_name,
			enum access_ctx ctx)
{
	if (!valid_mailhost_literal(addr))
		return check_reject(s, EC_POLICY, s->ex->bad_name_code, "5.5.2",
				    "<%s>: %s rejected: invalid ip address", reply_name, ctxcls(ctx));
	return ST_DUNNO;
}

int
reject_invalid_hostname(struct st *s, const char *name, const char *reply_name,
			enum access_ctx ctx)
{
	char *t = dup_if_truncate(name);
	int st = ST_DUNNO;

	if (t && !valid_hostname(t) && !valid_hostaddr(t))
		st = check_reject(s, EC_POLICY, s->ex->bad_name_code, "5.5.2",
				  "<%s>: %s rejected: Invalid name", reply_name, ctxcls(ctx));
	free(t);
	return st;
}

int
reject_non_fqdn_hostname(struct st *s, const char *name, const char *reply_name,
			 enum access_ctx ctx)
{
	char *t = dup_if_truncate(name);
	int st = ST_DUNNO;

	if (t && (!valid_hostname(t) || !strchr(t, '.')))
		st = check_reject(s, EC_POLICY, s->ex->non_fqdn_code, "5.5.2",
				  "<%s>: %s rejected: need fully-qualified hostname", reply_name,
				  ctxcls(ctx));
	free(t);
	return st;
}

int
reject_non_fqdn_address(struct st *s, const char *addr, const char *reply_name,
			enum access_ctx ctx)
{
	const char *at = strrchr(addr, '@');
	const char *domain = at ? at + 1 : "";
	char *t;
	int st = ST_DUNNO;

	if (domain[0] == '[' && domain[strlen(domain) - 1] == ']')
		return ST_DUNNO;
	t = dup_if_truncate(domain);
	if (t && (!*t || !valid_hostname(t) || !strchr(t, '.')))
		st = check_reject(s, EC_POLICY, s->ex->non_fqdn_code, "4.5.2",
				  "<%s>: %s rejected: need fully-qualified address", reply_name,
				  ctxcls(ctx));
	free(t);
	return st;
}

