/*
 * core/explain.c - evaluate smtpd's restriction lists for one RCPT TO.
 *
 * The structure follows Postfix 3.7's smtpd/smtpd_check.c so that the two
 * can be read side by side: smtpd_check_rcpt() runs the delayed client,
 * HELO and sender checks, then the relay and recipient lists;
 * generic_checks() walks one list; check_table_result() turns a table
 * value into a status (core/access.c parses it); check_mail_access(),
 * check_domain_access(), check_addr_access() make the access(5) lookups in
 * their order; smtpd_check_reject() formats the reply.  Postfix's longjmp
 * for configuration errors becomes a flag that unwinds the lists.
 *
 * Tables are opened lazily and kept (struct xtable): cdb/hash/regexp/pcre
 * through maps/ (btree/lmdb via postmap), texthash/inline/--sources from
 * an in-memory key table, cidr by its own matcher.  FILE:LINE of an
 * indexed table's entry comes from its source, indexed once on first need.
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

#include "core/access.h"
#include "core/explain.h"
#include "core/kvparse.h"
#include "core/maincf.h"
#include "core/pattern.h"
#include "maps/map.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* a list of words (restriction lists) */
/* wnet - an item of a name/address list, parsed once (namadr_match) */
struct wnet {
	unsigned char state;        /* WNET_UNPARSED, WNET_NET, WNET_OTHER */
	unsigned char net[16];
	int fam;
	unsigned bits;
};

#define WNET_UNPARSED 0
#define WNET_NET 1                  /* parse_net accepted the item (after any '!') */
#define WNET_OTHER 2

struct words {
	char **v;
	size_t n, cap;
	struct wnet *net;           /* NULL, or one per item: filled as used */
};

static int
words_add(struct words *w, const char *s, size_t n)
{
	/* the parsed items no longer match the list */
	free(w->net);
	w->net = NULL;
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

static void
words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->net);
	w->v = NULL;
	w->net = NULL;
	w->n = w->cap = 0;
}

/* split like smtpd_check_parse/mystrtokq: commas and blanks; { } groups */
static int
words_split(struct words *w, const char *s)
{
	size_t pos = 0, off, wl, len = strlen(s);

	while (access_next_word(s, len, &pos, &off, &wl))
		if (words_add(w, s + off, wl) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* in-memory key table (texthash, inline, --sources, line index)        */

struct kvent {
	char *key;                  /* folded key; value follows its NUL */
	size_t klen;
	const char *val;            /* NULL for a line index */
	unsigned line;
};

struct kvtab {
	struct kvent *v;
	size_t n, cap;              /* cap is a power of two */
};

static uint64_t
fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct kvent *
kv_slot(struct kvtab *t, const char *k, size_t kl)
{
	size_t i = (size_t)fnv(k, kl) & (t->cap - 1);

	while (t->v[i].key) {
		if (t->v[i].klen == kl && memcmp(t->v[i].key, k, kl) == 0)
			return &t->v[i];
		i = (i + 1) & (t->cap - 1);
	}
	return &t->v[i];
}

static int
kv_grow(struct kvtab *t)
{
	struct kvtab nt;
	size_t i;

	nt.cap = t->cap ? t->cap * 2 : 64;
	nt.n = t->n;
	if ((nt.v = calloc(nt.cap, sizeof(*nt.v))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->v[i].key)
			*kv_slot(&nt, t->v[i].key, t->v[i].klen) = t->v[i];
	free(t->v);
	*t = nt;
	return 0;
}

/* kv_put - first one wins (postmap's default); KEY already folded */
static int
kv_put(struct kvtab *t, const char *k, size_t kl, const char *v, size_t vl, unsigned line,
       bool with_val)
{
	struct kvent *e;
	char *p;

	if ((t->n + 1) * 2 > t->cap && kv_grow(t) < 0)
		return -1;
	e = kv_slot(t, k, kl);
	if (e->key)
		return 0;
	if ((p = malloc(kl + 1 + (with_val ? vl + 1 : 0))) == NULL)
		return -1;
	memcpy(p, k, kl);
	p[kl] = 0;
	e->val = NULL;
	if (with_val) {
		memcpy(p + kl + 1, v, vl);
		p[kl + 1 + vl] = 0;
		e->val = p + kl + 1;
	}
	e->key = p;
	e->klen = kl;
	e->line = line;
	t->n++;
	return 0;
}

static const struct kvent *
kv_get(const struct kvtab *t, const char *k, size_t kl)
{
	if (t->cap == 0)
		return NULL;
	{
		const struct kvent *e = kv_slot((struct kvtab *)t, k, kl);

		return e->key ? e : NULL;
	}
}

static void
kv_free(struct kvtab *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->v[i].key);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* line index of an indexed table's source: key hash -> first line (postmap
 * keeps the first of duplicate keys).  No key storage: an entry holds the
 * key's whole 64-bit hash (a wrong line needs a full 64-bit collision:
 * about 3e-8 for 1,000,000 keys) and the line.  Built in two sequential
 * passes instead of random inserts (which were cache- and TLB-miss bound:
 * 0.1 s for 1,000,000 keys): entries are appended in source order, then
 * grouped by the hash's upper bits with a counting sort, which keeps the
 * source order within a group, so a lookup returns the first line.
 * 1,000,000 entries cost 12 MB (24 MB while grouping). */
struct li_ent {
	uint32_t hi, lo, line;      /* hi, lo: the hash's upper and lower 32 bits */
};

struct lineidx {
	struct li_ent *v;           /* appended, then grouped */
	size_t n, cap;
	uint32_t *start;            /* grouped: group g is v[start[g] .. start[g + 1]) */
	uint32_t mask;              /* groups - 1 */
};

/* key_hash - 64-bit hash of a folded key, a word at a time (the line index
 * hashes every key of the source: 1,000,000 of them at startup) */
static uint64_t
key_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (uint64_t)n * k, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	/* murmur3's finalizer: every input bit reaches the upper bits */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* li_reserve - room for N more entries */
static int
li_reserve(struct lineidx *li, size_t n)
{
	struct li_ent *nv;
	size_t nc = li->cap ? li->cap : 1024;

	if (li->n + n <= li->cap)
		return 0;
	while (nc < li->n + n)
		nc *= 2;
	if ((nv = realloc(li->v, nc * sizeof(*nv))) == NULL)
		return -1;
	li->v = nv;
	li->cap = nc;
	return 0;
}

/* li_add - append (key hash H, LINE), in source order */
static inline int
li_add(struct lineidx *li, uint64_t h, unsigned line)
{
	if (li->n == li->cap && li_reserve(li, 1) < 0)
		return -1;
	li->v[li->n].hi = (uint32_t)(h >> 32);
	li->v[li->n].lo = (uint32_t)h;
	li->v[li->n].line = line;
	li->n++;
	return 0;
}

static inline uint32_t
li_group(const struct lineidx *li, uint32_t hi)
{
	return hi & li->mask;       /* key_hash's bits are already mixed */
}

/* li_finish - group the appended entries (stable counting sort) for li_get */
static int
li_finish(struct lineidx *li)
{
	struct li_ent *g;
	uint32_t *start, *pos;
	size_t i, ng = 1;

	if (li->n >= UINT32_MAX)
		return -1;
	while (ng < 1u << 26 && ng * 16 < li->n)
		ng *= 2;
	li->mask = (uint32_t)ng - 1;
	start = calloc(ng + 1, sizeof(*start));
	pos = malloc(ng * sizeof(*pos));
	g = malloc((li->n ? li->n : 1) * sizeof(*g));
	if (!start || !pos || !g) {
		free(start);
		free(pos);
		free(g);
		return -1;
	}
	for (i = 0; i < li->n; i++)
		start[li_group(li, li->v[i].hi) + 1]++;
	for (i = 0; i < ng; i++) {
		start[i + 1] += start[i];
		pos[i] = start[i];
	}
	for (i = 0; i < li->n; i++)
		g[pos[li_group(li, li->v[i].hi)]++] = li->v[i];
	free(pos);
	free(li->v);
	li->v = g;
	li->cap = li->n;
	li->start = start;
	return 0;
}

static unsigned
li_get(const struct lineidx *li, uint64_t h)
{
	uint32_t hi = (uint32_t)(h >> 32), lo = (uint32_t)h, g, i;

	if (!li->start)
		return 0;
	g = li_group(li, hi);
	for (i = li->start[g]; i < li->start[g + 1]; i++)
		if (li->v[i].hi == hi && li->v[i].lo == lo)
			return li->v[i].line;
	return 0;
}

static void
li_free(struct lineidx *li)
{
	free(li->v);
	free(li->start);
	memset(li, 0, sizeof(*li));
}

/* fold_key - fold KEY as fixed tables do; plain ASCII without allocating
 * (into BUF of SIZE bytes), anything else through map_fold (*HEAP, free it) */
static const char *
fold_key(const char *key, size_t kl, char *buf, size_t size, char **heap, size_t *outl)
{
	size_t i;

	*heap = NULL;
	if (kl < size) {
		for (i = 0; i < kl; i++) {
			unsigned char c = (unsigned char)key[i];

			if (c >= 0x80)
				break;
			buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		if (i == kl) {
			buf[kl] = 0;
			*outl = kl;
			return buf;
		}
	}
	if (map_fold(key, kl, heap, outl) < 0)
		return NULL;
	return *heap;
}

struct kvload {
	struct kvtab *t;
	bool with_val;
	bool fold;
	struct lineidx *li;         /* line index instead of T */
};

static int
kvload_fn(void *ctx, const struct kv_entry *e)
{
	struct kvload *l = ctx;
	char buf[256], *heap = NULL;
	const char *k = e->key;
	size_t fl = e->klen;
	int ret;

	if (l->fold && (k = fold_key(e->key, e->klen, buf, sizeof(buf), &heap, &fl)) == NULL)
		return -1;
	if (l->li)
		ret = li_add(l->li, key_hash(k, fl), e->line);
	else
		ret = kv_put(l->t, k, fl, e->val, e->vlen, e->line, l->with_val);
	free(heap);
	return ret < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* cidr tables                                                          */

struct cidr_rule {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char net[16];
	unsigned bits;
	char *result;
	char *pattern;
	unsigned line;
};

struct cidr_tab {
	struct cidr_rule *v;
	size_t n, cap;
};

static bool
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

static bool
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
static bool
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

struct cidr_load {
	struct cidr_tab *t;
};

static int
cidr_fn(void *ctx, const struct kv_entry *e)
{
	struct cidr_load *l = ctx;
	struct cidr_rule r;
	char *pat = xstrndup(e->key, e->klen);

	memset(&r, 0, sizeof(r));
	if (!pat)
		return -1;
	if (!parse_net(pat, &r.family, r.net, &r.bits)) {
		free(pat);
		return 0;               /* Postfix skips it with a warning */
	}
	r.pattern = pat;
	r.result = xstrndup(e->val, e->vlen);
	r.line = e->line;
	if (l->t->n == l->t->cap) {
		size_t nc = l->t->cap ? l->t->cap * 2 : 16;
		struct cidr_rule *nv = realloc(l->t->v, nc * sizeof(*nv));

		if (!nv) {
			free(pat);
			free(r.result);
			return -1;
		}
		l->t->v = nv;
		l->t->cap = nc;
	}
	l->t->v[l->t->n++] = r;
	return 0;
}

static void
cidr_free(struct cidr_tab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].pattern);
		free(t->v[i].result);
	}
	free(t->v);
}

/* ------------------------------------------------------------------ */
/* tables                                                               */

enum xt_kind { XT_MAP, XT_KV, XT_CIDR, XT_PASSWD, XT_ERROR };

struct xtable {
	char *ref;                  /* "hash:/etc/postfix/access" as written */
	char *type, *name;
	enum xt_kind kind;
	bool fixed;                 /* DICT_FLAG_FIXED: partial keys are looked up */
	bool fold;                  /* fixed tables fold the query (FOLD_FIX) */
	bool pattern;               /* regexp/pcre */
	struct map *m;
	struct pattern_table pt;
	bool have_pt;
	struct kvtab kv;            /* texthash, inline, --sources */
	struct lineidx lines;       /* indexed: key -> source line, built on demand */
	bool lines_built;
	struct map *index;          /* --sources: the built index, for staleness */
	struct cidr_tab cidr;
	char *src;                  /* source file shown in FILE:LINE; NULL inline */
	char *error;                /* XT_ERROR: the reason (Postfix's wording) */
	struct xtable *next;
};

struct explain {
	struct maincf *cf;
	struct explain_opts opts;
	bool hold;                  /* explain_hold: tables keep their locks between runs */
	char *dir;
	struct xtable *tables;
	struct words client, helo, mail, relay, rcpt;
	struct words classes;       /* names, in order */
	struct words *class_lists;  /* parallel */
	bool delay_reject, relay_first, fake_relay, parent_style, soft_bounce;
	bool allow_untrusted_routing, reject_unlisted_rcpt, append_dot_mydomain;
	int map_reject_code, map_defer_code, reject_code, defer_code, relay_code;
	int non_fqdn_code, bad_name_code, unk_client_code, plaintext_code, mul_rcpt_code;
	int virt_alias_code;
	char *null_key, *rcpt_delim, *myorigin, *mydomain, *local_rcpt_maps;
	char *startup_error;        /* smtpd refuses to start */
	char *service_note;         /* master.cf smtpd services with -o overrides */
	struct override {
		char *name, *raw, *expanded;
	} *over;                    /* --service: that service's -o name=value */
	size_t nover;
	bool relay_parent;          /* relay_domains in parent_domain_matches_subdomains */
	struct pcache {
		char *name;
		struct words w;
	} pcache[16];               /* split list parameters, by name */
	size_t npcache;
	struct hit *stack;          /* evaluation stack, reused by every probe */
	bool sasl_enable;
};

/* cfget - parameter NAME as the service sees it: a master.cf -o override
 * (--service) or main.cf's value (maincf_get: set, default or "") */
static const char *
cfget(struct explain *ex, const char *name, enum maincf_source *src)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			if (!ex->over[i].expanded
			    && maincf_expand(ex->cf, ex->over[i].raw, &ex->over[i].expanded) < 0)
				return "";
			if (src)
				*src = MAINCF_SET;
			return ex->over[i].expanded;
		}
	return maincf_get(ex->cf, name, src);
}

static const char *
cfraw(struct explain *ex, const char *name, enum maincf_source *src)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			*src = MAINCF_SET;
			return ex->over[i].raw;
		}
	return maincf_raw(ex->cf, name, src);
}

static bool
cfbool(struct explain *ex, const char *name, bool def)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			const char *v = cfget(ex, name, NULL);

			if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
				return true;
			if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
				return false;
			return def;
		}
	return maincf_get_bool(ex->cf, name, def);
}

const char *
explain_decision_name(enum explain_decision d)
{
	static const char *const n[] = { "accept", "reject", "defer", "discard", "hold", "unknown" };

	return (unsigned)d < 6 ? n[d] : "?";
}

static bool
type_is_fixed(const char *type)
{
	static const char *const fixed[] = { "hash", "btree", "cdb", "dbm", "lmdb", "sdbm",
		"texthash", "inline", "static", "unix", "nis", "ldap", "mysql", "pgsql",
		"sqlite", "memcache", "internal", "fail", "environ", NULL };
	size_t i;

	for (i = 0; fixed[i]; i++)
		if (strcmp(type, fixed[i]) == 0)
			return true;
	return false;
}

static void
xt_free(struct xtable *t)
{
	free(t->ref);
	free(t->type);
	free(t->name);
	if (t->m)
		map_close(t->m);
	if (t->index)
		map_close(t->index);
	if (t->have_pt)
		pattern_table_fini(&t->pt);
	kv_free(&t->kv);
	li_free(&t->lines);
	cidr_free(&t->cidr);
	free(t->src);
	free(t->error);
	free(t);
}

static void
xt_set_error(struct xtable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
xt_set_error(struct xtable *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->kind = XT_ERROR;
	free(t->error);
	t->error = xstrdup(buf);
}

/* inline_items - the items of "{ {a b}, {c d} }" (regexp:, pcre:, cidr:
 * written in main.cf) as lines of text, braces removed */
static void
inline_items(const char *name, struct strbuf *sb)
{
	size_t len = strlen(name), pos = 0, off, wl;
	const char *body = name + 1;
	size_t blen = len >= 2 && name[len - 1] == '}' ? len - 2 : len - 1;

	while (access_next_word(body, blen, &pos, &off, &wl)) {
		if (wl >= 2 && body[off] == '{' && body[off + wl - 1] == '}') {
			off++;
			wl -= 2;
			while (wl && (body[off] == ' ' || body[off] == '\t'))
				off++, wl--;
			while (wl && (body[off + wl - 1] == ' ' || body[off + wl - 1] == '\t'))
				wl--;
		}
		strbuf_add(sb, body + off, wl);
		strbuf_addch(sb, '\n');
	}
}

/* load_pattern - regexp/pcre source (file or inline {..}) into t->pt */
static int
load_pattern(struct explain *ex, struct xtable *t, struct diag_list *dl)
{
	struct map_error err;
	long n;

	(void)ex;
	pattern_table_init(&t->pt, pattern_dialect_for_type(t->type));
	t->have_pt = true;
	if (t->name[0] == '{') {
		/* inline rules: each braced item is one line */
		struct strbuf sb;

		strbuf_init(&sb);
		inline_items(t->name, &sb);
		n = pattern_parse_buf(&t->pt, sb.buf, sb.len, t->ref, 0, dl);
		strbuf_fini(&sb);
	} else {
		n = pattern_parse_file(&t->pt, t->name, 0, dl);
		if (n < 0) {
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
			return 0;
		}
		t->src = xstrdup(t->name);
	}
	if (n < 0)
		return -1;
	memset(&err, 0, sizeof(err));
	t->m = map_open(t->type, t->name, t->pt.rules, t->pt.n, MAP_OPEN_SKIP_BAD, &err);
	if (!t->m)
		xt_set_error(t, "%s", err.text);
	return 0;
}

static int
load_source_kv(struct xtable *t, const char *path, bool with_val)
{
	struct kvload l = { &t->kv, with_val, true, with_val ? NULL : &t->lines };
	struct diag_list dl;
	int ret;

	diag_list_init(&dl);
	ret = kvparse_file(path, kvload_fn, &l, &dl);
	diag_list_fini(&dl);
	return ret;
}

static struct xtable *
open_table(struct explain *ex, const char *ref)
{
	struct xtable *t;
	const char *colon;
	struct map_error err;
	const struct map_ops *ops;

	for (t = ex->tables; t; t = t->next)
		if (strcmp(t->ref, ref) == 0)
			return t;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ref = xstrdup(ref);
	colon = strchr(ref, ':');
	if (strncmp(ref, "proxy:", 6) == 0 && strchr(ref + 6, ':'))
		colon = strchr(ref + 6, ':'), ref += 6;
	t->type = colon ? xstrndup(ref, (size_t)(colon - ref)) : xstrdup(ref);
	t->name = colon ? xstrdup(colon + 1) : xstrdup("");
	t->next = ex->tables;
	ex->tables = t;
	if (!t->ref || !t->type || !t->name)
		return NULL;
	t->fixed = type_is_fixed(t->type);
	t->fold = t->fixed;
	t->kind = XT_MAP;
	memset(&err, 0, sizeof(err));

	if (strcmp(t->type, "regexp") == 0 || strcmp(t->type, "pcre") == 0) {
		t->pattern = true;
		if (load_pattern(ex, t, NULL) < 0)
			return NULL;
		return t;
	}
	if (strcmp(t->type, "unix") == 0 && strcmp(t->name, "passwd.byname") == 0) {
		/* what local_recipient_maps' default asks (through proxymap) */
		t->kind = XT_PASSWD;
		return t;
	}
	if (strcmp(t->type, "cidr") == 0) {
		struct cidr_load l = { &t->cidr };
		struct diag_list dl;

		t->kind = XT_CIDR;
		diag_list_init(&dl);
		if (t->name[0] == '{') {
			/* cidr:{ {net result}, ... } (3.7): one rule per braced item */
			struct strbuf sb;

			strbuf_init(&sb);
			inline_items(t->name, &sb);
			kvparse_buf(sb.buf, sb.len, t->ref, cidr_fn, &l, &dl);
			strbuf_fini(&sb);
		} else {
			if (kvparse_file(t->name, cidr_fn, &l, &dl) < 0)
				xt_set_error(t, "open %s: %s", t->name, strerror(errno));
			t->src = xstrdup(t->name);
		}
		diag_list_fini(&dl);
		return t;
	}
	if (strcmp(t->type, "texthash") == 0) {
		t->kind = XT_KV;
		if (load_source_kv(t, t->name, true) < 0)
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
		t->src = xstrdup(t->name);
		return t;
	}
	if (strcmp(t->type, "inline") == 0) {
		struct maincf_list keys, vals;
		size_t i, len = strlen(t->name);
		char *body;
		struct diag_list dl;

		t->kind = XT_KV;
		if (len < 2 || t->name[0] != '{' || t->name[len - 1] != '}') {
			xt_set_error(t, "%s: syntax error", ref);
			return t;
		}
		body = xstrndup(t->name + 1, len - 2);
		maincf_list_init(&keys);
		maincf_list_init(&vals);
		diag_list_init(&dl);
		if (body && maincf_inline_split(body, &keys, &vals, "main.cf", 0, 0, &dl) == 0) {
			for (i = 0; i < keys.n && i < vals.n; i++) {
				char *f = NULL;
				size_t fl = strlen(keys.v[i].text);

				if (map_fold(keys.v[i].text, fl, &f, &fl) == 0) {
					kv_put(&t->kv, f, fl, vals.v[i].text, strlen(vals.v[i].text),
					       (unsigned)i + 1, true);
					free(f);
				}
			}
		}
		if (diag_count(&dl, DIAG_ERROR))
			xt_set_error(t, "%s: %s", ref, dl.v[0].message);
		diag_list_fini(&dl);
		maincf_list_fini(&keys);
		maincf_list_fini(&vals);
		free(body);
		return t;
	}
	ops = map_find_type(t->type);
	if (!ops || !(ops->flags & MAP_INDEXED)) {
		xt_set_error(t, "unsupported dictionary type: %s", t->type);
		return t;
	}
	t->src = xstrdup(t->name);
	if (ex->opts.sources) {
		t->kind = XT_KV;
		if (load_source_kv(t, t->name, true) < 0)
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
		t->index = map_open(t->type, t->name, NULL, 0, MAP_OPEN_BATCH, &err);
		return t;
	}
	/* BATCH: a hash table's lock is taken once per probe (explain_run
	 * releases it), not twice per lookup */
	t->m = map_open(t->type, t->name, NULL, 0, MAP_OPEN_BATCH, &err);
	if (!t->m) {
		char *ip = map_index_path(ops, t->name);

		xt_set_error(t, "open database %s: %s", ip ? ip : t->name,
			     err.errnum ? strerror(err.errnum) : err.text);
		free(ip);
	}
	return t;
}

#define W_ONES 0x0101010101010101ULL
#define W_HIGH 0x8080808080808080ULL

/* w_has - the high bit of every byte of X that equals C (exact per byte:
 * no borrow crosses a byte, as every byte is given its high bit first) */
static inline uint64_t
w_has(uint64_t x, unsigned char c)
{
	uint64_t z = x ^ (c * W_ONES);

	return ~(((z | W_HIGH) - W_ONES) | z) & W_HIGH;
}

/* plain_run - how many bytes from P (at least 8 readable) a word-at-a-time
 * scan can take as a key without looking closer: none of them is a blank
 * or control byte (<= ' '), '"', '\\', an upper-case ASCII letter or
 * non-ASCII.  Each test is exact per byte (no borrow crosses a byte, as
 * every byte is first given its high bit), so the first flagged byte is
 * the first such byte. */
static inline size_t
plain_run(const char *p, const char *end)
{
	const char *q = p;

	while (end - q >= 8) {
		uint64_t x, l7, ge21, ge41, ge5b, bad;

		memcpy(&x, q, 8);
		l7 = x | W_HIGH;
		ge21 = (l7 - 0x21 * W_ONES) & W_HIGH;   /* low 7 bits >= '!' */
		ge41 = (l7 - 0x41 * W_ONES) & W_HIGH;   /* >= 'A' */
		ge5b = (l7 - 0x5b * W_ONES) & W_HIGH;   /* >= '[' */
		bad = (x & W_HIGH) | (~ge21 & W_HIGH) | (ge41 & ~ge5b) | w_has(x, '"')
			| w_has(x, '\\');
		if (bad)
			return (size_t)(q - p) + (size_t)(__builtin_ctzll(bad) >> 3);
		q += 8;
	}
	return (size_t)(q - p);
}

static inline bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * build_line_index - key -> first line of an indexed table's source, in one
 * pass over the mmap'd file.  Only the keys are needed, and postmap's rules
 * for them are simple: a line whose first byte is whitespace continues the
 * previous logical line (no new key), '#' and blank lines are skipped, the
 * key ends at the first whitespace outside double quotes, a backslash
 * protecting the next byte.  Keys are folded as fixed tables fold them
 * (non-ASCII through map_fold).  A key of plain lower-case ASCII (nearly
 * all) is found a word at a time and hashed in place.  -1 when the file
 * cannot be mapped (the caller then uses kvparse).
 */
static int
build_line_index(struct xtable *t)
{
	int fd = open(t->src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const char *buf, *p, *end;
	unsigned line = 0;
	int ret = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return st.st_size == 0 ? 0 : -1;
	}
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED)
		return -1;
	madvise((void *)buf, (size_t)st.st_size, MADV_SEQUENTIAL);
	end = buf + st.st_size;
	for (p = buf; p < end && ret == 0;) {
		const char *nl, *k;
		uint64_t h;

		line++;
		if (*p == '\n') {
			p++;
			continue;
		}
		if (is_blank((unsigned char)*p) || *p == '#') {
			/* continuation, blank or comment: no new key */
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			continue;
		}
		k = p + plain_run(p, end);
		if (k < end && (is_blank((unsigned char)*k) || *k == '\n')) {
			h = key_hash(p, (size_t)(k - p));
		} else {
			/* the byte by byte rules, then fold a copy */
			const char *le;
			bool inq = false;
			char fb[256], *heap = NULL;
			const char *f;
			size_t fl;

			nl = memchr(p, '\n', (size_t)(end - p));
			le = nl ? nl : end;
			for (k = p; k < le; k++) {
				unsigned char c = (unsigned char)*k;

				if (!inq && is_blank(c))
					break;
				if (c == '"')
					inq = !inq;
				else if (c == '\\' && k + 1 < le)
					k++;
			}
			if ((f = fold_key(p, (size_t)(k - p), fb, sizeof(fb), &heap, &fl)) == NULL) {
				/* as before: an unfoldable key hashed as written */
				f = p;
				fl = (size_t)(k - p);
			}
			h = key_hash(f, fl);
			free(heap);
		}
		ret = li_add(&t->lines, h, line);
		nl = memchr(k, '\n', (size_t)(end - k));
		p = nl ? nl + 1 : end;
	}
	munmap((void *)buf, (size_t)st.st_size);
	return ret;
}

/* source_line - FILE line of KEY (folded) in an indexed table's source */
static unsigned
source_line(struct xtable *t, const char *key, size_t kl)
{
	if (!t->src)
		return 0;
	if (!t->lines_built) {
		struct stat st;

		t->lines_built = true;
		/* about one entry per 32 bytes of source */
		if (stat(t->src, &st) == 0 && st.st_size > 0)
			(void)li_reserve(&t->lines, (size_t)st.st_size / 32 + 1);
		if (build_line_index(t) < 0) {
			t->lines.n = 0;
			if (load_source_kv(t, t->src, false) < 0) {
				li_free(&t->lines);
				return 0;
			}
		}
		if (li_finish(&t->lines) < 0) {
			li_free(&t->lines);
			return 0;
		}
	}
	return li_get(&t->lines, key_hash(key, kl));
}

/* ------------------------------------------------------------------ */
/* evaluation state                                                     */

enum { ST_DUNNO = 0, ST_OK = 1, ST_REJECT = 2, ST_UNKNOWN = 3 };

#define STACK_MAX 128

/* error classes of smtpd_check_reject */
enum { EC_POLICY, EC_SOFTWARE, EC_RESOURCE };

struct hit {
	const char *table;
	const char *src;
	unsigned line;
	char key[512];
	char value[512];
};

struct defer {
	bool active;
	int class;
	int code;
	char dsn[12];
	struct strbuf reason;
	struct hit rule;
	bool have_rule;
};

struct st {
	struct explain *ex;
	struct explain_result *r;
	const char *addr, *name, *namaddr_s;
	char namaddr[1100];
	const char *helo_name;      /* NULL until HELO (or when not sent) */
	const char *sender;         /* NULL before MAIL */
	const char *recipient;      /* NULL before RCPT */
	const char *where;
	int recursion;
	int warn_if_reject;
	struct defer dip, dir;
	bool dip_client, dip_helo, dip_sender;
	bool discard, hold;
	bool aborted;               /* a longjmp out of the lists */
	bool rcptmap_checked;
	/* the last reject (error_text) */
	int ecode;
	char edsn[12];
	struct strbuf etext;
	struct hit erule;
	bool have_erule;
	struct hit prule;           /* last table entry that permitted */
	bool have_prule;
	unsigned prule_seq;         /* bumped at each prule update */
	char *isender, *ircpt;      /* the probe's addresses in internal (unquoted) form */
	const char *pad_for;        /* permit_auth_destination cache: recipient */
	int pad_status;
	char pad_res[512];
	struct hit hrule;           /* HOLD / DISCARD entry */
	bool have_hrule;
	struct hit *stack;          /* STACK_MAX entries, owned by struct explain */
	int depth;
	int indent;
};

/* add_num - V in decimal, as printf's %d/%u writes it */
static void
add_num(struct strbuf *sb, bool neg, unsigned long long v)
{
	char num[24], *e = num + sizeof(num), *q = e;

	do
		*--q = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--q = '-';
	strbuf_add(sb, q, (size_t)(e - q));
}

/* trail_fmt - FMT with only %s, %d, %u and %% formatted without printf
 * (the trail's most frequent lines); -1 at any other conversion, the
 * caller then formats the whole line with strbuf_vaddf */
static int
trail_fmt(struct strbuf *sb, const char *fmt, va_list ap)
{
	const char *p = fmt, *q;

	for (;;) {
		if ((q = strchr(p, '%')) == NULL)
			return strbuf_addstr(sb, p);
		if (q > p)
			strbuf_add(sb, p, (size_t)(q - p));
		switch (q[1]) {
		case 's': {
			const char *a = va_arg(ap, const char *);

			strbuf_addstr(sb, a ? a : "(null)");
			break;
		}
		case 'd': {
			int v = va_arg(ap, int);

			add_num(sb, v < 0, v < 0 ? 0ULL - (unsigned long long)(long long)v
				: (unsigned long long)v);
			break;
		}
		case 'u':
			add_num(sb, false, va_arg(ap, unsigned));
			break;
		case '%':
			strbuf_addch(sb, '%');
			break;
		default:
			return -1;
		}
		p = q + 2;
	}
}

static void
trail(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
trail(struct st *s, const char *fmt, ...)
{
	struct explain_result *r = s->r;
	va_list ap, ap2;
	size_t mark;
	int i;

	if (r->ntrail == r->captrail) {
		size_t nc = r->captrail ? r->captrail * 2 : 32;
		char **nv = realloc(r->trail, nc * sizeof(*nv));
		size_t *no;

		if (!nv)
			return;
		r->trail = nv;
		if ((no = realloc(r->trail_off, nc * sizeof(*no))) == NULL)
			return;
		r->trail_off = no;
		r->captrail = nc;
	}
	/* one buffer for every line: pointers are set when the run ends */
	r->trail_off[r->ntrail] = r->trail_text.len;
	for (i = 0; i < s->indent && i < 20; i++)
		strbuf_add(&r->trail_text, "  ", 2);
	mark = r->trail_text.len;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	if (trail_fmt(&r->trail_text, fmt, ap) < 0) {
		strbuf_truncate(&r->trail_text, mark);
		strbuf_vaddf(&r->trail_text, fmt, ap2);
	}
	va_end(ap2);
	va_end(ap);
	strbuf_addch(&r->trail_text, 0);
	r->trail[r->ntrail++] = NULL;
}

/* trail_parts - a trail line made of five strings (no printf: the most
 * frequent lines, one per lookup) */
static void
trail_parts(struct st *s, const char *a, const char *b, const char *c, const char *d,
	    const char *e)
{
	struct explain_result *r = s->r;
	const char *part[5] = { a, b, c, d, e };
	size_t len[5], total = 0, k;
	struct strbuf *tt = &r->trail_text;
	char *w;
	int i;

	if (r->ntrail == r->captrail) {
		trail(s, "%s%s%s%s%s", a, b, c, d, e);
		return;
	}

	for (k = 0; k < 5; k++)
		total += len[k] = strlen(part[k]);
	i = s->indent < 20 ? s->indent : 20;
	if (i < 0)
		i = 0;
	r->trail_off[r->ntrail] = tt->len;
	/* one reservation for the whole line, its indent and its NUL */
	if (strbuf_reserve(tt, total + 2 * (size_t)i + 1) < 0)
		return;
	w = tt->buf + tt->len;
	memset(w, ' ', 2 * (size_t)i);
	w += 2 * (size_t)i;
	for (k = 0; k < 5; k++) {
		memcpy(w, part[k], len[k]);
		w += len[k];
	}
	*w++ = 0;
	tt->len = (size_t)(w - tt->buf);
	tt->buf[tt->len] = 0;
	r->trail[r->ntrail++] = NULL;
}

static void
hit_copy(struct hit *dst, const struct hit *src)
{
	memcpy(dst, src, sizeof(*dst));
}

/* smtpd_check_reject - format the reply as smtpd does; REJECT or DUNNO */
static int
check_reject(struct st *s, int eclass, int code, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
reject_text(struct st *s, int eclass, int code, const char *dsn, const char *text, size_t tlen)
{
	struct explain *ex = s->ex;
	bool warn = s->warn_if_reject && eclass == EC_POLICY;
	struct access_reply rep;
	int c = code;

	if (c < 400 || c > 599) {
		trail(s, "warning: SMTP reply code configuration error: %d %s %.*s", code, dsn,
		      (int)tlen, text);
		c = 450;
		dsn = "4.7.1";
		text = "Service unavailable";
		tlen = strlen(text);
	}
	if (!warn && s->dir.active && c / 100 == 5) {
		s->warn_if_reject = 0;
		s->dir.active = false;
		trail(s, "defer_if_reject is active: the %d reject becomes the deferral", c);
		if (s->dir.have_rule) {
			hit_copy(&s->erule, &s->dir.rule);
			s->have_erule = true;
		}
		return reject_text(s, s->dir.class, s->dir.code, s->dir.dsn, s->dir.reason.buf,
				   s->dir.reason.len);
	}
	access_reply_init(&rep);
	access_reply_set(&rep, c, dsn, text, tlen, ex->soft_bounce);
	trail(s, "%s: %d %s %s", warn ? "reject_warning" : "reject", rep.code, rep.dsn,
	      rep.text.buf);
	if (!warn) {
		s->ecode = rep.code;
		snprintf(s->edsn, sizeof(s->edsn), "%s", rep.dsn);
		strbuf_reset(&s->etext);
		strbuf_add(&s->etext, rep.text.buf, rep.text.len);
		if (s->depth > 0) {
			hit_copy(&s->erule, &s->stack[s->depth - 1]);
			s->have_erule = true;
		}
	}
	access_reply_fini(&rep);
	return warn ? ST_DUNNO : ST_REJECT;
}

static int
check_reject(struct st *s, int eclass, int code, const char *dsn, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	int ret;

	strbuf_init(&sb);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ret = reject_text(s, eclass, code, dsn, sb.buf, sb.len);
	strbuf_fini(&sb);
	return ret;
}

/* reject_server_error - 451 4.3.5, out of every list (Postfix longjmps) */
static int
server_error(struct st *s)
{
	check_reject(s, EC_SOFTWARE, 451, "4.3.5", "Server configuration error");
	s->aborted = true;
	return ST_REJECT;
}

static int
unknown(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
unknown(struct st *s, const char *fmt, ...)
{
	va_list ap;

	if (s->r->depends.len == 0) {
		va_start(ap, fmt);
		strbuf_vaddf(&s->r->depends, fmt, ap);
		va_end(ap);
		trail(s, "cannot know: %s", s->r->depends.buf);
	}
	s->aborted = true;
	return ST_UNKNOWN;
}

static void
defer_if(struct st *s, struct defer *d, int eclass, int code, const char *dsn,
	 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
defer_if(struct st *s, struct defer *d, int eclass, int code, const char *dsn,
	 const char *fmt, ...)
{
	va_list ap;

	if (d->active)
		return;
	d->active = true;
	d->class = eclass;
	d->code = code;
	snprintf(d->dsn, sizeof(d->dsn), "%s", dsn);
	strbuf_reset(&d->reason);
	va_start(ap, fmt);
	strbuf_vaddf(&d->reason, fmt, ap);
	va_end(ap);
	d->have_rule = s->depth > 0;
	if (d->have_rule)
		hit_copy(&d->rule, &s->stack[s->depth - 1]);
	trail(s, "%s raised: %d %s %s", d == &s->dip ? "defer_if_permit" : "defer_if_reject",
	      code, dsn, d->reason.buf);
}

/* DEFER_IF_PERMIT with warn_if_reject logs a reject_warning instead */
static int
defer_if_permit(struct st *s, int code, const char *dsn, const char *fmt, const char *a1,
		const char *a2, const char *a3)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), fmt, a1, a2, a3);
	if (s->warn_if_reject == 0)
		defer_if(s, &s->dip, EC_POLICY, code, dsn, "%s", buf);
	else
		(void)check_reject(s, EC_POLICY, code, dsn, "%s", buf);
	return ST_DUNNO;
}

/* ------------------------------------------------------------------ */
/* lookups                                                              */

/* copy_str - what snprintf(DST, SIZE, "%.*s", N, SRC) stores, without
 * printf (twice per found key) */
static void
copy_str(char *dst, size_t size, const char *src, size_t n)
{
	n = strnlen(src, n);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* xt_find - maps_find() on one table: 1 found (*val, hit filled), 0, -1 */
static int
xt_find(struct st *s, struct xtable *t, const char *key, bool partial, const char **val,
	struct hit *h)
{
	size_t kl = strlen(key);
	struct map_hit mh;
	struct map_error err;
	int ret;

	if (*key == 0)
		return 0;
	if (partial && !t->fixed)
		return 0;
	h->table = t->ref;
	h->src = t->src;
	h->line = 0;
	h->key[0] = 0;
	h->value[0] = 0;
	switch (t->kind) {
	case XT_ERROR:
		trail(s, "lookup '%s' in %s: error: %s", key, t->ref, t->error);
		return -1;
	case XT_PASSWD: {
		char buf[256], *heap = NULL;
		size_t fl;
		const char *f = fold_key(key, kl, buf, sizeof(buf), &heap, &fl);
		struct passwd *pw = f ? getpwnam(f) : NULL;

		free(heap);
		if (pw) {
			*val = "(passwd entry)";
			snprintf(h->key, sizeof(h->key), "%s", pw->pw_name);
			snprintf(h->value, sizeof(h->value), "%s", *val);
			trail(s, "lookup '%s' in %s: found (user %s)", key, t->ref, pw->pw_name);
			return 1;
		}
		break;
	}
	case XT_CIDR: {
		int fam;
		unsigned char a[16];
		size_t i;

		if (!parse_ip(key, &fam, a))
			break;
		for (i = 0; i < t->cidr.n; i++) {
			const struct cidr_rule *c = &t->cidr.v[i];

			if (net_match(c->family, c->net, c->bits, fam, a)) {
				*val = c->result;
				h->line = c->line;
				snprintf(h->key, sizeof(h->key), "%s", c->pattern);
				snprintf(h->value, sizeof(h->value), "%s", c->result);
				trail(s, "lookup '%s' in %s: found %s:%u '%s' -> %s", key, t->ref,
				      t->src ? t->src : t->ref, c->line, c->pattern, c->result);
				return 1;
			}
		}
		break;
	}
	case XT_KV: {
		char *f = NULL;
		size_t fl = kl;
		const struct kvent *e;

		if (t->fold && map_fold(key, kl, &f, &fl) < 0)
			return -1;
		e = kv_get(&t->kv, f ? f : key, fl);
		if (e) {
			*val = e->val;
			h->line = e->line;
			snprintf(h->key, sizeof(h->key), "%s", e->key);
			snprintf(h->value, sizeof(h->value), "%s", e->val);
			trail(s, "lookup '%s' in %s: found %s:%u -> %s", key, t->ref,
			      t->src ? t->src : t->ref, e->line, e->val);
		}
		if (t->index) {
			/* --sources: would the built index answer the same? */
			int iret;

			memset(&err, 0, sizeof(err));
			iret = map_lookup(t->index, key, kl, &mh, &err);
			if ((iret == 1) != (e != NULL)
			    || (iret == 1 && e && (mh.vlen != strlen(e->val)
						   || memcmp(mh.val, e->val, mh.vlen) != 0))) {
				s->r->stale = true;
				if (s->r->stale_note.len == 0)
					strbuf_addf(&s->r->stale_note,
						    "the built index of %s answers '%s' with %s%.*s%s "
						    "(rebuild it with postmap)", t->ref, key,
						    iret == 1 ? "'" : "", iret == 1 ? (int)mh.vlen : 9,
						    iret == 1 ? mh.val : "not found", iret == 1 ? "'" : "");
				trail(s, "  stale index: %s", s->r->stale_note.buf);
			}
		}
		free(f);
		if (e)
			return 1;
		break;
	}
	case XT_MAP:
		memset(&err, 0, sizeof(err));
		ret = map_lookup(t->m, key, kl, &mh, &err);
		if (ret < 0) {
			trail(s, "lookup '%s' in %s: error: %s", key, t->ref, err.text);
			return -1;
		}
		if (ret == 0)
			break;
		if (mh.vlen == 0) {
			trail(s, "warning: %s lookup of %s returns an empty string result", t->ref, key);
			return -1;
		}
		*val = mh.val;
		copy_str(h->value, sizeof(h->value), mh.val, mh.vlen);
		if (t->pattern && mh.rule < t->pt.n) {
			h->line = t->pt.rules[mh.rule].line;
			snprintf(h->key, sizeof(h->key), "%.*s", (int)t->pt.rules[mh.rule].pattern_len,
				 t->pt.rules[mh.rule].pattern);
		} else {
			char buf[256], *heap = NULL;
			size_t fl = kl;
			const char *f = fold_key(key, kl, buf, sizeof(buf), &heap, &fl);

			if (f) {
				h->line = source_line(t, f, fl);
				copy_str(h->key, sizeof(h->key), f, fl);
			}
			free(heap);
		}
		if (h->line)
			trail(s, "lookup '%s' in %s: found %s:%u -> %s", key, t->ref,
			      t->src ? t->src : t->ref, h->line, h->value);
		else
			trail(s, "lookup '%s' in %s: found -> %s", key, t->ref, h->value);
		return 1;
	}
	trail_parts(s, "lookup '", key, "' in ", t->ref, ": not found");
	return 0;
}

/* ------------------------------------------------------------------ */
/* check_table_result and friends                                       */

static int generic_checks(struct st *s, struct words *list, const char *reply_name,
			  enum access_ctx ctx, const char *def_acl);

static const char *
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
static int
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
static bool
valid_hostaddr(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
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

static int
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
static void
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

static void default_mynetworks(struct explain *ex, struct words *w);

/* param_words - the items of list parameter NAME, split once and kept */
static struct words *
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

/* resolve class of a recipient: domain list matching */
enum rclass { RC_DEFAULT, RC_LOCAL, RC_ALIAS, RC_VIRTUAL, RC_RELAY };

/* list_match_domain - domain_list/string_list match of DOMAIN in parameter
 * PARAM; PARENT: "example.com" also matches subdomains.  1, 0, or -1 when
 * a table cannot be read. */
static int
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

static bool
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

/* resolve_class - the trivial-rewrite address class of ADDR (resolved);
 * -1 when a domain table cannot be read */
static int
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

static int
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
static int
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

/* ------------------------------------------------------------------ */
/* mynetworks, hostnames                                                */

static int
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

static int
reject_invalid_hostaddr(struct st *s, const char *addr, const char *reply_name,
			enum access_ctx ctx)
{
	if (!valid_mailhost_literal(addr))
		return check_reject(s, EC_POLICY, s->ex->bad_name_code, "5.5.2",
				    "<%s>: %s rejected: invalid ip address", reply_name, ctxcls(ctx));
	return ST_DUNNO;
}

static int
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

static int
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

static int
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

static int code_param(struct maincf *cf, const char *name, int def);

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
static int
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

/* ------------------------------------------------------------------ */
/* generic_checks                                                       */

static struct words *
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

static int
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

/* ------------------------------------------------------------------ */
/* the stages                                                           */

static void
check_reset(struct st *s)
{
	s->recursion = 0;
	s->warn_if_reject = 0;
	s->dir.active = false;
}

static int
run_list(struct st *s, const char *pname, struct words *list, const char *reply_name,
	 enum access_ctx ctx, const char *def_acl)
{
	int status;

	if (list->n == 0) {
		trail_parts(s, pname, " is empty", "", "", "");
		return ST_DUNNO;
	}
	trail_parts(s, pname, ":", "", "", "");
	s->indent++;
	status = generic_checks(s, list, reply_name, ctx, def_acl);
	s->indent--;
	trail_parts(s, pname, ": ", status == ST_OK ? "permit" : status == ST_REJECT ? "reject"
		    : status == ST_UNKNOWN ? "unknown" : "no decision (DUNNO)", "", "");
	return status;
}

static int
stage_client(struct st *s)
{
	int status;

	s->dip.active = false;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_client_restrictions", &s->ex->client, s->namaddr,
			  ACCESS_CTX_CLIENT, "check_client_access");
	s->dip_client = s->dip.active;
	return status;
}

static int
stage_helo(struct st *s)
{
	int status;

	if (!s->helo_name) {
		trail(s, "smtpd_helo_restrictions: skipped, no HELO/EHLO");
		return ST_DUNNO;
	}
	s->dip.active = s->dip_client;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_helo_restrictions", &s->ex->helo, s->helo_name,
			  ACCESS_CTX_HELO, "check_helo_access");
	s->dip_helo = s->dip.active;
	return status;
}

static int
stage_mail(struct st *s)
{
	int status;

	s->dip.active = s->dip_client || s->dip_helo;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_sender_restrictions", &s->ex->mail, s->sender,
			  ACCESS_CTX_SENDER, "check_sender_access");
	s->dip_sender = s->dip.active;
	if (status != ST_REJECT && status != ST_UNKNOWN && !s->discard && *s->sender
	    && cfbool(s->ex, "smtpd_reject_unlisted_sender", false))
		status = unknown(s, "whether the sender %s is a known address "
				 "(smtpd_reject_unlisted_sender = yes)", s->sender);
	return status;
}

/* footer_lookup - smtpd_expand_lookup(): the $names a reject footer may use;
 * NULL for a name smtpd does not know */
static const char *
footer_lookup(struct st *s, const char *name, struct strbuf *tmp)
{
	const char *addr = NULL, *suffix = NULL, *at;

	if (strcmp(name, "client") == 0)
		return s->namaddr;
	if (strcmp(name, "client_address") == 0)
		return s->addr;
	if (strcmp(name, "client_name") == 0)
		return s->name;
	if (strcmp(name, "helo_name") == 0)
		return s->helo_name ? s->helo_name : "";
	/* smtpd sends the reply after the check restored its state: the
	 * recipient (or the sender, for a MAIL reject) is no longer set */
	if (strncmp(name, "sender", 6) == 0) {
		addr = s->sender;
		suffix = name + 6;
	} else if (strncmp(name, "recipient", 9) == 0) {
		addr = s->recipient;
		suffix = name + 9;
	} else
		return NULL;
	if (addr == NULL)
		return *suffix == 0 || strcmp(suffix, "_name") == 0 || strcmp(suffix, "_domain") == 0
			? "" : NULL;
	at = strrchr(addr, '@');
	strbuf_reset(tmp);
	if (*suffix == 0)
		return *addr ? addr : "<>";
	if (strcmp(suffix, "_name") == 0) {
		if (!*addr)
			return "<>";
		strbuf_add(tmp, addr, at ? (size_t)(at - addr) : strlen(addr));
		return tmp->buf;
	}
	if (strcmp(suffix, "_domain") == 0)
		return *addr && at ? at + 1 : "";
	return NULL;
}

/* apply_footer - smtp_reply_footer(): smtpd_reject_footer appended to a
 * 4xx/5xx reply, one line per "\n" of the template ("\c" first: on the
 * last line); the text keeps the lines, each without code and DSN.
 * 0, or -1 when it uses a $name smtpd does not know (then unknown). */
static int
apply_footer(struct st *s, const char *tmpl)
{
	struct explain_result *r = s->r;
	struct strbuf tmp;
	const char *p = tmpl;
	bool first = true;

	strbuf_init(&tmp);
	while (1) {
		const char *nl = strstr(p, "\\n");
		const char *e = nl ? nl : p + strlen(p);

		if (first && strncmp(p, "\\c", 2) == 0)
			p += 2;
		else
			strbuf_addch(&r->text, '\n');
		first = false;
		while (p < e) {
			if (*p == '$' && p + 1 < e) {
				char name[64];
				size_t n = 0;
				const char *q = p + 1, *v;
				char close = 0;

				if (*q == '$') {
					strbuf_addch(&r->text, '$');
					p = q + 1;
					continue;
				}
				if (*q == '{' || *q == '(') {
					close = *q == '{' ? '}' : ')';
					q++;
				}
				while (q < e && n + 1 < sizeof(name)
				       && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')
					   || (*q >= '0' && *q <= '9') || *q == '_'))
					name[n++] = *q++;
				name[n] = 0;
				if (close) {
					if (q >= e || *q != close) {
						strbuf_fini(&tmp);
						return -1;
					}
					q++;
				}
				if ((v = footer_lookup(s, name, &tmp)) == NULL) {
					strbuf_fini(&tmp);
					unknown(s, "smtpd_reject_footer uses $%s", name);
					return -1;
				}
				strbuf_addstr(&r->text, v);
				p = q;
				continue;
			}
			strbuf_addch(&r->text, *p++);
		}
		if (!nl)
			break;
		p = nl + 2;
	}
	strbuf_fini(&tmp);
	return 0;
}

static void
fill_reject(struct st *s, const char *stage)
{
	struct explain_result *r = s->r;

	r->code = s->ecode;
	snprintf(r->dsn, sizeof(r->dsn), "%s", s->edsn);
	strbuf_reset(&r->text);
	strbuf_add(&r->text, s->etext.buf, s->etext.len);
	r->decision = s->ecode >= 500 ? EXPLAIN_REJECT : EXPLAIN_DEFER;
	r->stage = stage;
}

static void
set_rule(struct explain_result *r, const struct hit *h)
{
	free(r->rule.file);
	free(r->rule.key);
	free(r->rule.table);
	free(r->rule.value);
	r->rule.file = xstrdup(h->src ? h->src : h->table);
	r->rule.line = h->line;
	r->rule.key = xstrdup(h->key);
	r->rule.table = xstrdup(h->table);
	r->rule.value = xstrdup(h->value);
}

/* internal_form - smtpd keeps addresses unquoted ("a b"@x -> a b@x): that is
 * what replies show; lookups quote them again (find_addr).  malloc'd. */
static char *
internal_form(const char *addr)
{
	struct strbuf sb;
	const char *p = addr;

	strbuf_init(&sb);
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(&sb, *p++);
		}
		if (*p == '"')
			p++;
	}
	strbuf_addstr(&sb, p);
	return strbuf_export(&sb);
}

static int
evaluate(struct explain *ex, const struct explain_probe *p, struct explain_result *r)
{
	struct st *s = calloc(1, sizeof(*s));
	int status = ST_DUNNO;
	const char *stage = "RCPT";

	if (!s)
		return -1;
	if (!ex->stack && (ex->stack = malloc(STACK_MAX * sizeof(*ex->stack))) == NULL) {
		free(s);
		return -1;
	}
	s->stack = ex->stack;
	s->ex = ex;
	s->r = r;
	strbuf_init(&s->etext);
	strbuf_init(&s->dip.reason);
	strbuf_init(&s->dir.reason);
	s->addr = p->client_addr ? p->client_addr : "";
	s->name = p->client_name && *p->client_name ? p->client_name : "unknown";
	snprintf(s->namaddr, sizeof(s->namaddr), "%s[%s]", s->name, s->addr);
	s->where = "RCPT";
	s->isender = internal_form(p->sender ? p->sender : "");
	s->ircpt = internal_form(p->recipient ? p->recipient : "");
	if (!s->isender || !s->ircpt) {
		free(s->isender);
		free(s->ircpt);
		free(s);
		return -1;
	}

	if (ex->service_note)
		trail(s, "note: %s", ex->service_note);
	if (ex->startup_error) {
		strbuf_addstr(&r->depends, ex->startup_error);
		trail(s, "smtpd cannot start: %s", ex->startup_error);
		r->decision = EXPLAIN_UNKNOWN;
		goto done;
	}
	if (strcasecmp(s->ircpt, "postmaster") == 0) {
		trail(s, "RCPT TO:<postmaster> skips every restriction (RFC 5321)");
		goto accept;
	}
	if (!ex->delay_reject) {
		/* each list at its own command; the first reject answers */
		trail(s, "smtpd_delay_reject = no: each list runs at its own command");
		s->where = "CONNECT";
		if ((status = stage_client(s)) == ST_REJECT || status == ST_UNKNOWN) {
			stage = "CONNECT";
			goto decided;
		}
		s->helo_name = p->helo;
		s->where = "HELO";
		if ((status = stage_helo(s)) == ST_REJECT || status == ST_UNKNOWN) {
			stage = "HELO";
			goto decided;
		}
		s->sender = s->isender;
		s->where = "MAIL";
		if ((status = stage_mail(s)) == ST_REJECT || status == ST_UNKNOWN) {
			stage = "MAIL";
			goto decided;
		}
		s->recipient = s->ircpt;
		s->where = "RCPT";
	} else {
		s->helo_name = p->helo;
		s->sender = s->isender;
		s->recipient = s->ircpt;
		trail(s, "smtpd_delay_reject = yes: client, HELO and sender lists run at RCPT TO");
		if ((status = stage_client(s)) == ST_REJECT || status == ST_UNKNOWN)
			goto decided;
		if ((status = stage_helo(s)) == ST_REJECT || status == ST_UNKNOWN)
			goto decided;
		if ((status = stage_mail(s)) == ST_REJECT || status == ST_UNKNOWN)
			goto decided;
	}

	/* smtpd_check_rcpt */
	s->dip.active = s->dip_sender;
	check_reset(s);
	s->rcptmap_checked = false;
	{
		struct words *lists[2];
		const char *names[2];
		int n, rcpt_index = ex->relay_first && !ex->fake_relay ? 1 : 0;

		lists[rcpt_index] = &ex->rcpt;
		names[rcpt_index] = "smtpd_recipient_restrictions";
		lists[!rcpt_index] = &ex->relay;
		names[!rcpt_index] = ex->fake_relay ? "smtpd_relay_restrictions (compatibility_level < 1: "
			"empty, never rejects)" : "smtpd_relay_restrictions";
		for (n = 0; n < 2; n++) {
			s->aborted = false;
			if (lists[n] == &ex->relay && ex->fake_relay) {
				trail(s, "%s", names[n]);
				status = ST_DUNNO;
				continue;
			}
			status = run_list(s, names[n], lists[n], s->ircpt, ACCESS_CTX_RECIPIENT,
					  "check_recipient_access");
			if (status == ST_REJECT || status == ST_UNKNOWN)
				break;
		}
	}
	if (status == ST_UNKNOWN)
		goto decided;
	if (status != ST_REJECT && s->dip.active) {
		trail(s, "a defer_if_permit is pending: the permit becomes a deferral");
		s->depth = 0;
		if (s->dip.have_rule) {
			s->stack[0] = s->dip.rule;
			s->depth = 1;
		}
		status = reject_text(s, s->dip.class, s->dip.code, s->dip.dsn, s->dip.reason.buf,
				     s->dip.reason.len);
		s->depth = 0;
	}
	if (ex->reject_unlisted_rcpt && status != ST_REJECT && !s->rcptmap_checked && !s->discard) {
		trail(s, "smtpd_reject_unlisted_recipient = yes:");
		s->indent++;
		status = check_rcpt_maps(s, s->ircpt, ACCESS_CTX_RECIPIENT);
		s->indent--;
	}
decided:
	if (status == ST_UNKNOWN) {
		r->decision = EXPLAIN_UNKNOWN;
		r->stage = stage;
		goto done;
	}
	if (status == ST_REJECT) {
		enum maincf_source fsrc;
		/* a raw parameter: $names are the footer's, not main.cf's */
		const char *footer = cfraw(ex, "smtpd_reject_footer", &fsrc);

		fill_reject(s, stage);
		/* the command's own argument is popped before the reply is sent */
		if (strcmp(stage, "RCPT") == 0)
			s->recipient = NULL;
		else if (strcmp(stage, "MAIL") == 0)
			s->sender = NULL;
		else if (strcmp(stage, "HELO") == 0)
			s->helo_name = NULL;
		if (footer && *footer && apply_footer(s, footer) < 0) {
			r->decision = EXPLAIN_UNKNOWN;
			goto done;
		}
		if (*cfget(ex, "smtpd_reject_footer_maps", NULL)) {
			unknown(s, "smtpd_reject_footer_maps (a footer chosen by the reply text)");
			r->decision = EXPLAIN_UNKNOWN;
			goto done;
		}
		if (s->have_erule && s->erule.table)
			set_rule(r, &s->erule);
		goto done;
	}
	if (!ex->delay_reject && strcmp(stage, "RCPT") != 0)
		goto accept;
accept:
	r->code = 250;
	snprintf(r->dsn, sizeof(r->dsn), "2.1.5");
	strbuf_reset(&r->text);
	strbuf_addstr(&r->text, "Ok");
	r->stage = "RCPT";
	if (s->discard) {
		r->decision = EXPLAIN_DISCARD;
		if (s->have_hrule)
			set_rule(r, &s->hrule);
	} else if (s->hold) {
		r->decision = EXPLAIN_HOLD;
		if (s->have_hrule)
			set_rule(r, &s->hrule);
	} else {
		r->decision = EXPLAIN_ACCEPT;
		if (s->have_prule)
			set_rule(r, &s->prule);
	}
done:
	free(s->isender);
	free(s->ircpt);
	strbuf_fini(&s->etext);
	strbuf_fini(&s->dip.reason);
	strbuf_fini(&s->dir.reason);
	free(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* setup                                                                */

static int
code_param(struct maincf *cf, const char *name, int def)
{
	const char *v = maincf_get(cf, name, NULL);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end ? def : (int)n;
}

static int
load_list(struct explain *ex, const char *param, struct words *w)
{
	const char *v = cfget(ex, param, NULL);

	return v ? words_split(w, v) : 0;
}

/* compat_below - compatibility_level < LEVEL (dotted, numerically) */
static bool
compat_below(struct explain *ex, const char *level)
{
	const char *v = cfget(ex, "compatibility_level", NULL);
	unsigned a[3] = { 0, 0, 0 }, b[3] = { 0, 0, 0 };
	int i;

	if (!v)
		v = "0";
	sscanf(v, "%u.%u.%u", &a[0], &a[1], &a[2]);
	sscanf(level, "%u.%u.%u", &b[0], &b[1], &b[2]);
	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

static bool
has_required(struct explain *ex, struct words *w, int depth)
{
	static const char *const req[] = { "reject_unauth_destination", "defer_unauth_destination",
		"reject", "defer", "defer_if_permit", "check_relay_domains", NULL };
	size_t i, k;
	struct words *cl;

	if (depth > 20)
		return false;
	for (i = 0; i < w->n; i++) {
		if (strcasecmp(w->v[i], "warn_if_reject") == 0 && i + 1 < w->n) {
			i++;
			continue;
		}
		if (strcasecmp(w->v[i], "permit") == 0)
			return false;
		for (k = 0; req[k]; k++)
			if (strcasecmp(w->v[i], req[k]) == 0)
				return true;
		if ((cl = find_class(ex, w->v[i])) && has_required(ex, cl, depth + 1))
			return true;
	}
	return false;
}

/* mcf_split - master.cf fields: whitespace separates (commas do not), a
 * "{ ... }" group is one field */
static int
mcf_split(struct words *w, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *st;
		int depth = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		for (st = p; *p; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			else if (depth == 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
				break;
		}
		if (words_add(w, st, (size_t)(p - st)) < 0)
			return -1;
	}
	return 0;
}

/* master_cf_note - which smtpd services of DIR/master.cf override what
 * explain evaluates (-o name=value): the answer is for main.cf's values,
 * i.e. the plain "smtp inet ... smtpd" service (postfix-reference.md 7.3) */
static char *
master_cf_note(const char *dir)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	struct strbuf svc, note;
	bool smtpd = false;

	snprintf(path, sizeof(path), "%s/master.cf", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	strbuf_init(&svc);
	strbuf_init(&note);
	for (;;) {
		n = getline(&line, &cap, fp);
		if (n > 0 && line[0] == '#')
			continue;
		if (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
			strbuf_add(&svc, line, (size_t)n);      /* continuation */
			continue;
		}
		/* a service ends: look at it */
		if (svc.len) {
			struct words w = { 0 };
			size_t i;
			struct strbuf over;

			strbuf_init(&over);
			mcf_split(&w, svc.buf);
			smtpd = w.n >= 8 && (strcmp(w.v[7], "smtpd") == 0);
			for (i = 8; smtpd && i + 1 < w.n; i++) {
				const char *o = NULL;

				if (strcmp(w.v[i], "-o") == 0)
					o = w.v[++i];
				else if (strncmp(w.v[i], "-o", 2) == 0)
					o = w.v[i] + 2;
				if (!o)
					continue;
				if (o[0] == '{')
					o++;
				while (*o == ' ')
					o++;
				if (strstr(o, "restrictions") || strncmp(o, "mynetworks", 10) == 0
				    || strncmp(o, "smtpd_delay_reject", 18) == 0
				    || strncmp(o, "relay_domains", 13) == 0
				    || strncmp(o, "smtpd_restriction_classes", 25) == 0
				    || strncmp(o, "smtpd_sasl_auth_enable", 22) == 0) {
					size_t k = strcspn(o, "= ");

					strbuf_addf(&over, "%s%.*s", over.len ? ", " : "", (int)k, o);
				}
			}
			if (over.len)
				strbuf_addf(&note, "%smaster.cf service %s overrides %s", note.len ? "; " : "",
					    w.v[0], over.buf);
			strbuf_fini(&over);
			words_free(&w);
			strbuf_reset(&svc);
		}
		if (n <= 0)
			break;
		strbuf_add(&svc, line, (size_t)n);
	}
	free(line);
	fclose(fp);
	strbuf_fini(&svc);
	if (!note.len) {
		strbuf_fini(&note);
		return NULL;
	}
	strbuf_addstr(&note, " (this answer uses main.cf's values)");
	return strbuf_export(&note);
}

/* service_overrides - the -o name=value options of smtpd service SERVICE
 * ("name" or "name/type") in DIR/master.cf, into ex->over.  0, or -1 with
 * *WHY set when there is no such smtpd service. */
static int
service_overrides(struct explain *ex, const char *dir, const char *service, const char **why)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	struct strbuf svc;
	int found = -1;

	*why = "no such service in master.cf";
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	if ((fp = fopen(path, "r")) == NULL) {
		*why = "master.cf cannot be read";
		return -1;
	}
	strbuf_init(&svc);
	for (;;) {
		n = getline(&line, &cap, fp);
		if (n > 0 && line[0] == '#')
			continue;
		if (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
			strbuf_add(&svc, line, (size_t)n);
			continue;
		}
		if (svc.len && found < 0) {
			struct words w = { 0 };
			char nt[512];
			size_t i;

			mcf_split(&w, svc.buf);
			if (w.n >= 2)
				snprintf(nt, sizeof(nt), "%s/%s", w.v[0], w.v[1]);
			if (w.n >= 8 && (strcmp(w.v[0], service) == 0 || strcmp(nt, service) == 0)) {
				if (strcmp(w.v[7], "smtpd") != 0)
					*why = "that master.cf service does not run smtpd";
				else {
					found = 0;
					for (i = 8; i < w.n; i++) {
						const char *o = NULL;
						char *item, *eq, *name, *val, *e;

						if (strcmp(w.v[i], "-o") == 0 && i + 1 < w.n)
							o = w.v[++i];
						else if (strncmp(w.v[i], "-o", 2) == 0 && w.v[i][2])
							o = w.v[i] + 2;
						if (!o || (item = xstrdup(o)) == NULL)
							continue;
						name = item;
						if (*name == '{') {
							name++;
							if ((e = strrchr(name, '}')) != NULL)
								*e = 0;
						}
						if ((eq = strchr(name, '=')) != NULL) {
							*eq = 0;
							val = eq + 1;
							while (*name == ' ' || *name == '\t')
								name++;
							for (e = name + strlen(name); e > name && (e[-1] == ' ' || e[-1] == '\t');)
								*--e = 0;
							while (*val == ' ' || *val == '\t')
								val++;
							for (e = val + strlen(val); e > val && (e[-1] == ' ' || e[-1] == '\t');)
								*--e = 0;
							{
								struct override *no = realloc(ex->over, (ex->nover + 1) * sizeof(*no));

								if (no) {
									ex->over = no;
									no[ex->nover].name = xstrdup(name);
									no[ex->nover].raw = xstrdup(val);
									no[ex->nover].expanded = NULL;
									if (no[ex->nover].name && no[ex->nover].raw)
										ex->nover++;
								}
							}
						}
						free(item);
					}
				}
			}
			words_free(&w);
		}
		strbuf_reset(&svc);
		if (n <= 0)
			break;
		strbuf_add(&svc, line, (size_t)n);
	}
	free(line);
	fclose(fp);
	strbuf_fini(&svc);
	return found;
}

struct explain *
explain_new(const char *dir, const struct explain_opts *opts, struct diag_list *dl)
{
	struct explain *ex = calloc(1, sizeof(*ex));
	const char *v;
	enum maincf_source src;
	size_t i;

	if (!ex)
		return NULL;
	if (opts)
		ex->opts = *opts;
	ex->dir = xstrdup(dir);
	{
		struct diag_list own;
		size_t k;
		int r;

		diag_list_init(&own);
		r = maincf_load(&ex->cf, dir, &own);
		if (r < 0) {
			int e = errno;

			diag_list_fini(&own);
			free(ex->dir);
			free(ex);
			errno = e;
			return NULL;
		}
		/* a main.cf line without '=' is fatal for every Postfix program */
		for (k = 0; k < own.n; k++) {
			if (own.v[k].code == DIAG_MAINCF_SYNTAX && !ex->startup_error) {
				char buf[512];

				snprintf(buf, sizeof(buf), "fatal: %s, line %u: %s", own.v[k].file,
					 own.v[k].line, own.v[k].message);
				ex->startup_error = xstrdup(buf);
			}
			if (dl)
				diag_add_sev(dl, own.v[k].severity, own.v[k].code, own.v[k].file,
					     own.v[k].line, own.v[k].col, "%s", own.v[k].message);
		}
		diag_list_fini(&own);
	}
	if (ex->opts.service) {
		const char *why;

		if (service_overrides(ex, dir, ex->opts.service, &why) < 0 && !ex->startup_error) {
			char buf[600];

			snprintf(buf, sizeof(buf), "service %s: %s", ex->opts.service, why);
			ex->startup_error = xstrdup(buf);
		}
	}
	if (load_list(ex, "smtpd_client_restrictions", &ex->client) < 0
	    || load_list(ex, "smtpd_helo_restrictions", &ex->helo) < 0
	    || load_list(ex, "smtpd_sender_restrictions", &ex->mail) < 0
	    || load_list(ex, "smtpd_relay_restrictions", &ex->relay) < 0
	    || load_list(ex, "smtpd_recipient_restrictions", &ex->rcpt) < 0)
		goto nomem;
	(void)cfraw(ex, "smtpd_relay_restrictions", &src);
	ex->fake_relay = src != MAINCF_SET && compat_below(ex, "1");
	ex->relay_first = cfbool(ex, "smtpd_relay_before_recipient_restrictions",
					  !compat_below(ex, "3.6"));
	ex->delay_reject = cfbool(ex, "smtpd_delay_reject", true);
	ex->soft_bounce = cfbool(ex, "soft_bounce", false);
	ex->allow_untrusted_routing = cfbool(ex, "allow_untrusted_routing", false);
	ex->reject_unlisted_rcpt = cfbool(ex, "smtpd_reject_unlisted_recipient", true);
	ex->append_dot_mydomain = cfbool(ex, "append_dot_mydomain", compat_below(ex, "1"));
	ex->sasl_enable = cfbool(ex, "smtpd_sasl_auth_enable", false);
	ex->parent_style = maincf_in_list(ex->cf, "parent_domain_matches_subdomains", "smtpd_access_maps");
	ex->relay_parent = maincf_in_list(ex->cf, "parent_domain_matches_subdomains", "relay_domains");
	ex->map_reject_code = code_param(ex->cf, "access_map_reject_code", 554);
	ex->map_defer_code = code_param(ex->cf, "access_map_defer_code", 450);
	ex->reject_code = code_param(ex->cf, "reject_code", 554);
	ex->defer_code = code_param(ex->cf, "defer_code", 450);
	ex->relay_code = code_param(ex->cf, "relay_domains_reject_code", 554);
	ex->non_fqdn_code = code_param(ex->cf, "non_fqdn_reject_code", 504);
	ex->bad_name_code = code_param(ex->cf, "invalid_hostname_reject_code", 501);
	ex->unk_client_code = code_param(ex->cf, "unknown_client_reject_code", 450);
	ex->plaintext_code = code_param(ex->cf, "plaintext_reject_code", 450);
	ex->mul_rcpt_code = code_param(ex->cf, "multi_recipient_bounce_reject_code", 550);
	ex->virt_alias_code = code_param(ex->cf, "unknown_virtual_alias_reject_code", 550);
	v = cfget(ex, "smtpd_null_access_lookup_key", NULL);
	ex->null_key = xstrdup(v && *v ? v : "<>");
	v = cfget(ex, "recipient_delimiter", NULL);
	ex->rcpt_delim = xstrdup(v ? v : "");
	v = cfget(ex, "myorigin", NULL);
	ex->myorigin = xstrdup(v ? v : "");
	v = cfget(ex, "mydomain", NULL);
	ex->mydomain = xstrdup(v ? v : "");
	v = cfget(ex, "local_recipient_maps", NULL);
	ex->local_rcpt_maps = xstrdup(v ? v : "");
	if (!ex->null_key || !ex->rcpt_delim || !ex->myorigin || !ex->mydomain || !ex->local_rcpt_maps)
		goto nomem;
	lower(ex->myorigin);

	v = cfget(ex, "smtpd_restriction_classes", NULL);
	if (v && words_split(&ex->classes, v) < 0)
		goto nomem;
	ex->class_lists = calloc(ex->classes.n + 1, sizeof(*ex->class_lists));
	if (!ex->class_lists)
		goto nomem;
	for (i = 0; i < ex->classes.n; i++) {
		const char *def = cfget(ex, ex->classes.v[i], &src);

		if (!def || !*def || src == MAINCF_UNSET) {
			char buf[300];

			snprintf(buf, sizeof(buf), "fatal: restriction class `%s' needs a definition",
				 ex->classes.v[i]);
			if (!ex->startup_error)
				ex->startup_error = xstrdup(buf);
			continue;
		}
		if (words_split(&ex->class_lists[i], def) < 0)
			goto nomem;
	}
	if (!ex->opts.service)
		ex->service_note = master_cf_note(dir);
	if (!ex->startup_error && !has_required(ex, &ex->rcpt, 0)
	    && (ex->fake_relay || !has_required(ex, &ex->relay, 0)))
		ex->startup_error = xstrdup("fatal: in parameter smtpd_relay_restrictions or "
					    "smtpd_recipient_restrictions, specify at least one working "
					    "instance of: reject_unauth_destination, defer_unauth_destination, "
					    "reject, defer, defer_if_permit or check_relay_domains");
	return ex;
nomem:
	explain_free(ex);
	errno = ENOMEM;
	return NULL;
}

void
explain_free(struct explain *ex)
{
	struct xtable *t, *n;
	size_t i;

	if (!ex)
		return;
	for (t = ex->tables; t; t = n) {
		n = t->next;
		xt_free(t);
	}
	words_free(&ex->client);
	words_free(&ex->helo);
	words_free(&ex->mail);
	words_free(&ex->relay);
	words_free(&ex->rcpt);
	if (ex->class_lists)
		for (i = 0; i < ex->classes.n; i++)
			words_free(&ex->class_lists[i]);
	free(ex->class_lists);
	words_free(&ex->classes);
	free(ex->null_key);
	free(ex->rcpt_delim);
	free(ex->myorigin);
	free(ex->mydomain);
	free(ex->local_rcpt_maps);
	free(ex->startup_error);
	free(ex->service_note);
	for (i = 0; i < ex->nover; i++) {
		free(ex->over[i].name);
		free(ex->over[i].raw);
		free(ex->over[i].expanded);
	}
	free(ex->over);
	free(ex->stack);
	for (i = 0; i < ex->npcache; i++) {
		free(ex->pcache[i].name);
		words_free(&ex->pcache[i].w);
	}
	free(ex->dir);
	if (ex->cf)
		maincf_free(ex->cf);
	free(ex);
}

void
explain_result_init(struct explain_result *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->text);
	strbuf_init(&r->depends);
	strbuf_init(&r->stale_note);
	strbuf_init(&r->trail_text);
}

static void
result_clear(struct explain_result *r)
{
	size_t i;

	(void)i;
	r->ntrail = 0;
	strbuf_reset(&r->trail_text);
	free(r->rule.file);
	free(r->rule.key);
	free(r->rule.table);
	free(r->rule.value);
	memset(&r->rule, 0, sizeof(r->rule));
	strbuf_reset(&r->text);
	strbuf_reset(&r->depends);
	strbuf_reset(&r->stale_note);
	r->stale = false;
	r->code = 0;
	r->dsn[0] = 0;
	r->stage = "RCPT";
	r->decision = EXPLAIN_UNKNOWN;
}

void
explain_result_fini(struct explain_result *r)
{
	result_clear(r);
	free(r->trail);
	free(r->trail_off);
	strbuf_fini(&r->trail_text);
	strbuf_fini(&r->text);
	strbuf_fini(&r->depends);
	strbuf_fini(&r->stale_note);
}

int
explain_run(struct explain *ex, const struct explain_probe *p, struct explain_result *r)
{
	size_t i;
	int ret;

	result_clear(r);
	ret = evaluate(ex, p, r);
	if (!ex->hold)
		explain_release(ex);    /* MAP_OPEN_BATCH: no table held past a probe */
	for (i = 0; i < r->ntrail; i++)
		r->trail[i] = r->trail_text.buf + r->trail_off[i];
	return ret;
}

void
explain_hold(struct explain *ex, bool hold)
{
	ex->hold = hold;
	if (!hold)
		explain_release(ex);
}

void
explain_release(struct explain *ex)
{
	struct xtable *t;

	for (t = ex->tables; t; t = t->next) {
		map_release(t->m);
		map_release(t->index);
	}
}

/* json_plain - how many bytes at the start of S can go into a JSON string
 * as they are, found a word at a time among the first MAX bytes (which
 * must all be readable; a lower bound, the caller goes on byte by byte):
 * none is below ' ', DEL or above, '"' or '\\' - so none is the NUL. */
static size_t
json_plain(const char *s, size_t max)
{
	const char *q = s, *end = s + max;

	while (end - q >= 8) {
		uint64_t x, l7, bad;

		memcpy(&x, q, 8);
		l7 = x | W_HIGH;
		bad = (x & W_HIGH) | (~((l7 - 0x20 * W_ONES) & W_HIGH) & W_HIGH)
			| w_has(x, '"') | w_has(x, '\\') | w_has(x, 0x7f);
		if (bad)
			return (size_t)(q - s) + (size_t)(__builtin_ctzll(bad) >> 3);
		q += 8;
	}
	return (size_t)(q - s);
}

/* json_str - a JSON string; plain ASCII in one copy (the trail is mostly
 * that), anything else through strbuf_add_json_string */
static void
json_str_in(struct strbuf *out, const char *s, size_t max)
{
	const unsigned char *p;

	if (!s) {
		strbuf_addstr(out, "null");
		return;
	}
	p = (const unsigned char *)s + (max ? json_plain(s, max) : 0);
	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			break;
	if (*p == 0) {
		size_t n = (size_t)(p - (const unsigned char *)s);

		if (strbuf_reserve(out, n + 2) == 0) {
			out->buf[out->len++] = '"';
			memcpy(out->buf + out->len, s, n);
			out->len += n;
			out->buf[out->len++] = '"';
			out->buf[out->len] = 0;
		}
		return;
	}
	strbuf_add_json_string(out, s, strlen(s));
}

static void
json_str(struct strbuf *out, const char *s)
{
	json_str_in(out, s, 0);
}

int
explain_result_json(const struct explain_result *r, struct strbuf *out)
{
	size_t i;

	strbuf_addstr(out, "{\"decision\":");
	json_str(out, explain_decision_name(r->decision));
	if (r->decision == EXPLAIN_UNKNOWN)
		strbuf_addstr(out, ",\"code\":null,\"dsn\":null,\"text\":null");
	else {
		strbuf_addf(out, ",\"code\":%d,\"dsn\":", r->code);
		json_str(out, r->dsn);
		strbuf_addstr(out, ",\"text\":");
		strbuf_add_json_string(out, r->text.buf, r->text.len);
	}
	strbuf_addstr(out, ",\"stage\":");
	json_str(out, r->stage);
	if (r->decision == EXPLAIN_UNKNOWN) {
		strbuf_addstr(out, ",\"depends\":");
		json_str(out, r->depends.buf);
	}
	strbuf_addstr(out, ",\"trail\":[");
	for (i = 0; i < r->ntrail; i++) {
		if (i)
			strbuf_addch(out, ',');
		/* a trail line lies in trail_text: readable up to its end */
		json_str_in(out, r->trail[i], r->trail_text.len - r->trail_off[i]);
	}
	strbuf_addstr(out, "],\"rule\":");
	if (r->rule.table) {
		strbuf_addstr(out, "{\"file\":");
		json_str(out, r->rule.file);
		if (r->rule.line)
			strbuf_addf(out, ",\"line\":%u", r->rule.line);
		else
			strbuf_addstr(out, ",\"line\":null");
		strbuf_addstr(out, ",\"key\":");
		json_str(out, r->rule.key);
		strbuf_addstr(out, ",\"table\":");
		json_str(out, r->rule.table);
		strbuf_addstr(out, ",\"value\":");
		json_str(out, r->rule.value);
		strbuf_addch(out, '}');
	} else
		strbuf_addstr(out, "null");
	if (r->stale) {
		strbuf_addstr(out, ",\"stale\":");
		strbuf_add_json_string(out, r->stale_note.buf, r->stale_note.len);
	}
	return strbuf_addch(out, '}');
}
