/*
 * core/feed.c - event filters (--since, --grep, --exclude), --since time
 * parsing, the one-line text form of an event, and --stats counters.
 *
 * Public: feed_filter_*, feed_parse_time, feedstats_*, feed_reason_key,
 * feed_event_text.  Patterns are PCRE2 (JIT-compiled when available),
 * matched against the whole log line.  Counters are small open-addressing
 * hash tables that own their keys.  Nothing prints.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/feed.h"
#include "util/hash.h"
#include "core/textsafe.h"

struct pattern {
	pcre2_code *re;
	char *src;              /* the pattern as given, for feed_filter_dup */
};

struct feed_filter {
	struct pattern *grep, *excl;
	size_t ngrep, nexcl;
	pcre2_match_data *md;
	bool has_since;
	time_t since;
};

struct feed_filter *
feed_filter_new(void)
{
	return calloc(1, sizeof(struct feed_filter));
}

void
feed_filter_free(struct feed_filter *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ngrep; i++) {
		pcre2_code_free(f->grep[i].re);
		free(f->grep[i].src);
	}
	for (i = 0; i < f->nexcl; i++) {
		pcre2_code_free(f->excl[i].re);
		free(f->excl[i].src);
	}
	free(f->grep);
	free(f->excl);
	if (f->md)
		pcre2_match_data_free(f->md);
	free(f);
}

static int
add_pattern(struct feed_filter *f, struct pattern **v, size_t *n, const char *what,
	    const char *re, char *reason, size_t size)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code;
	struct pattern *nv;

	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		snprintf(reason, size, "%s '%s': %s at offset %zu", what, re, (char *)msg,
			 (size_t)off);
		errno = EINVAL;
		return -1;
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	if (f->md == NULL) {
		f->md = pcre2_match_data_create(1, NULL);
		if (f->md == NULL)
			goto nomem;
	}
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		goto nomem;
	*v = nv;
	nv[*n].src = strdup(re);
	if (nv[*n].src == NULL)
		goto nomem;
	nv[*n].re = code;
	(*n)++;
	return 0;
nomem:
	pcre2_code_free(code);
	snprintf(reason, size, "%s: out of memory", what);
	errno = ENOMEM;
	return -1;
}

int
feed_filter_grep(struct feed_filter *f, const char *re, char *reason, size_t size)
{
	return add_pattern(f, &f->grep, &f->ngrep, "--grep", re, reason, size);
}

int
feed_filter_exclude(struct feed_filter *f, const char *re, char *reason, size_t size)
{
	return add_pattern(f, &f->excl, &f->nexcl, "--exclude", re, reason, size);
}

void
feed_filter_since(struct feed_filter *f, time_t t)
{
	f->has_since = true;
	f->since = t;
}

static bool
matches(const struct feed_filter *f, const struct pattern *p, const struct pf_event *ev)
{
	return pcre2_match(p->re, (PCRE2_SPTR)ev->line.p, ev->line.n, 0, 0, f->md, NULL) >= 0;
}

struct feed_filter *
feed_filter_dup(const struct feed_filter *f)
{
	struct feed_filter *c = feed_filter_new();
	char reason[512];
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < f->ngrep; i++)
		if (feed_filter_grep(c, f->grep[i].src, reason, sizeof(reason)) < 0)
			goto fail;
	for (i = 0; i < f->nexcl; i++)
		if (feed_filter_exclude(c, f->excl[i].src, reason, sizeof(reason)) < 0)
			goto fail;
	c->has_since = f->has_since;
	c->since = f->since;
	return c;
fail:
	feed_filter_free(c);
	return NULL;
}

bool
feed_filter_match(const struct feed_filter *f, const struct pf_event *ev)
{
	size_t i;

	if (f == NULL)
		return true;
	if (f->has_since && ev->has_time && ev->time < f->since)
		return false;
	if (f->ngrep) {
		for (i = 0; i < f->ngrep; i++)
			if (matches(f, &f->grep[i], ev))
				break;
		if (i == f->ngrep)
			return false;
	}
	for (i = 0; i < f->nexcl; i++)
		if (matches(f, &f->excl[i], ev))
			return false;
	return true;
}

/* num - N digits at *PP; -1 if not digits */
static int
num(const char **pp, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	return v;
}

int
feed_parse_time(const char *s, time_t now, time_t *out)
{
	struct tm tm;
	const char *p = s;
	char *end;
	long v;
	int y, mo, d, h = 0, mi = 0, sec = 0;

	if (s == NULL || *s == '\0')
		goto bad;
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (s[0] == 'y')
			tm.tm_mday--;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return 0;
	}
	/* relative: [-]N{s,m,h,d} */
	if (*p == '-' || isdigit((unsigned char)*p)) {
		const char *q = *p == '-' ? p + 1 : p;

		errno = 0;
		v = strtol(q, &end, 10);
		if (end != q && end[0] != '\0' && end[1] == '\0' && strchr("smhd", end[0]) &&
		    errno == 0 && v >= 0 && v < 100000000L) {
			long mult = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;

			*out = now - (time_t)(v * mult);
			return 0;
		}
	}
	/* HH:MM[:SS] today (the time stamps the log shows) */
	if ((strlen(p) == 5 && p[2] == ':') || (strlen(p) == 8 && p[2] == ':' && p[5] == ':')) {
		h = num(&p, 2);
		p++;
		mi = num(&p, 2);
		if (*p == ':') {
			p++;
			sec = num(&p, 2);
		}
		if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 60)
			goto bad;
		localtime_r(&now, &tm);
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return 0;
	}
	y = num(&p, 4);
	if (y < 0 || *p++ != '-')
		goto bad;
	mo = num(&p, 2);
	if (mo < 1 || mo > 12 || *p++ != '-')
		goto bad;
	d = num(&p, 2);
	if (d < 1 || d > 31)
		goto bad;
	if (*p == 'T' || *p == ' ') {
		p++;
		h = num(&p, 2);
		if (h < 0 || h > 23 || *p++ != ':')
			goto bad;
		mi = num(&p, 2);
		if (mi < 0 || mi > 59)
			goto bad;
		if (*p == ':') {
			p++;
			sec = num(&p, 2);
			if (sec < 0 || sec > 60)
				goto bad;
			if (*p == '.') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*p == '\0') {
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return 0;
	}
	if (*p == 'Z' && p[1] == '\0') {
		*out = timegm(&tm);
		return 0;
	}
	if ((*p == '+' || *p == '-') && strlen(p) >= 5) {
		int sign = *p == '-' ? -1 : 1, oh, om;

		p++;
		oh = num(&p, 2);
		if (*p == ':')
			p++;
		om = num(&p, 2);
		if (oh < 0 || om < 0 || *p != '\0')
			goto bad;
		*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* --- counters ----------------------------------------------------------- */

/* a counted key, as the report sees it */
struct cnt_item {
	const char *key;
	size_t klen;
	unsigned long long n;
};

/* one hash slot: 16 bytes, so that the probe touches one cache line.  Not
 * util/htable.h's table, on purpose: there the count lives beside the key
 * and the key bytes are compared (see counter_add), one more cache miss per
 * event.  Measured 2026-12-03 (feed --stats, feedgen.py 1,000,000 lines, 12
 * alternating runs under load 8): CPU 0.15-0.16 s on htable against
 * 0.13-0.15 s here, same output.  feed --stats is held to 3x grep
 * (doc/performance.md). */
struct cnt_slot {
	uint64_t hash;
	uint32_t n;
	uint32_t idx;           /* 1 + index into keys; 0 = empty */
};

/* keys live in an arena of 64 KiB blocks: one malloc per block, not per key */
struct arena_blk {
	struct arena_blk *next;
	size_t used;
	char data[];
};

struct counter {
	struct cnt_slot *v;
	size_t cap, used;
	struct cnt_item *keys;  /* by idx - 1; n unused here */
	size_t nkeys_cap;
	struct arena_blk *arena;
};

#define ARENA_BLK (64 * 1024)

static char *
arena_alloc(struct counter *c, size_t n)
{
	struct arena_blk *b = c->arena;

	if (b == NULL || ARENA_BLK - b->used < n) {
		size_t sz = n > ARENA_BLK ? n : ARENA_BLK;

		b = malloc(sizeof(*b) + sz);
		if (b == NULL)
			return NULL;
		b->used = 0;
		if (n > ARENA_BLK && c->arena != NULL) {
			/* a huge key: its own block, behind the current one */
			b->next = c->arena->next;
			c->arena->next = b;
			b->used = n;
			return b->data;
		}
		b->next = c->arena;
		c->arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static int
counter_grow(struct counter *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 1024, i;
	struct cnt_slot *nv = calloc(ncap, sizeof(*nv));

	if (nv == NULL)
		return -1;
	for (i = 0; i < c->cap; i++) {
		if (c->v[i].idx != 0) {
			size_t j = c->v[i].hash & (ncap - 1);

			while (nv[j].idx != 0)
				j = (j + 1) & (ncap - 1);
			nv[j] = c->v[i];
		}
	}
	free(c->v);
	c->v = nv;
	c->cap = ncap;
	return 0;
}

/*
 * counter_add - count one KEY (P, N bytes, hash H; P may be NULL = skip).  A 64-bit
 * hash match is taken as the key itself: among a few million keys a
 * collision has a chance of about 1e-7 and would only merge two counts,
 * while comparing the bytes would cost a cache miss per event.
 */
static int
counter_add_n(struct counter *c, const char *p, size_t n, uint64_t h, uint32_t cnt)
{
	size_t j;
	char *k;

	if (p == NULL)
		return 0;
	if ((c->used + 1) * 4 >= c->cap * 3 && counter_grow(c) < 0)
		return -1;
	for (j = h & (c->cap - 1); c->v[j].idx != 0; j = (j + 1) & (c->cap - 1)) {
		if (c->v[j].hash == h) {
			c->v[j].n = c->v[j].n > UINT32_MAX - cnt ? UINT32_MAX : c->v[j].n + cnt;
			return 0;
		}
	}
	if (c->used == c->nkeys_cap) {
		size_t nc = c->nkeys_cap ? c->nkeys_cap * 2 : 256;
		struct cnt_item *nk = realloc(c->keys, nc * sizeof(*nk));

		if (nk == NULL)
			return -1;
		c->keys = nk;
		c->nkeys_cap = nc;
	}
	k = arena_alloc(c, n + 1);
	if (k == NULL)
		return -1;
	if (n)
		memcpy(k, p, n);
	k[n] = '\0';
	c->keys[c->used].key = k;
	c->keys[c->used].klen = n;
	c->v[j].hash = h;
	c->v[j].n = cnt;
	c->v[j].idx = (uint32_t)(c->used + 1);
	c->used++;
	return 0;
}

static inline int
counter_add(struct counter *c, const char *p, size_t n, uint64_t h)
{
	return counter_add_n(c, p, n, h, 1);
}

/* counter_merge - add SRC's counts to DST */
static int
counter_merge(struct counter *dst, const struct counter *src)
{
	size_t i;

	for (i = 0; i < src->cap; i++) {
		const struct cnt_slot *sl = &src->v[i];
		const struct cnt_item *k;

		if (sl->idx == 0)
			continue;
		k = &src->keys[sl->idx - 1];
		if (counter_add_n(dst, k->key, k->klen, sl->hash, sl->n) < 0)
			return -1;
	}
	return 0;
}

static void
counter_fini(struct counter *c)
{
	while (c->arena != NULL) {
		struct arena_blk *b = c->arena;

		c->arena = b->next;
		free(b);
	}
	free(c->keys);
	free(c->v);
}

static int
cmp_items(const struct cnt_item *x, const struct cnt_item *y)
{
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int r;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	r = n ? memcmp(x->key, y->key, n) : 0;
	if (r)
		return r;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* counter_sorted - the TOP items by count (descending), then key, in a
 * malloc'd array; *N gets their number.  A selection in one pass, not a
 * sort of every key: there may be a million distinct recipients. */
static struct cnt_item *
counter_sorted(const struct counter *c, size_t top, size_t *n)
{
	struct cnt_item *v;
	size_t i, k = 0;

	if (top > c->used)
		top = c->used;
	v = malloc((top + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < c->cap && top > 0; i++) {
		struct cnt_item it;
		size_t j;

		if (c->v[i].idx == 0)
			continue;
		it = c->keys[c->v[i].idx - 1];
		it.n = c->v[i].n;
		if (k == top && cmp_items(&it, &v[k - 1]) >= 0)
			continue;
		j = k < top ? k++ : k - 1;
		while (j > 0 && cmp_items(&it, &v[j - 1]) < 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = it;
	}
	*n = k;
	return v;
}

struct feedstats {
	unsigned long long total;
	struct counter act_stage, reason, domain, client, rcpt;
};

struct feedstats *
feedstats_new(void)
{
	return calloc(1, sizeof(struct feedstats));
}

void
feedstats_free(struct feedstats *st)
{
	if (st == NULL)
		return;
	counter_fini(&st->act_stage);
	counter_fini(&st->reason);
	counter_fini(&st->domain);
	counter_fini(&st->client);
	counter_fini(&st->rcpt);
	free(st);
}

int
feedstats_merge(struct feedstats *dst, const struct feedstats *src)
{
	dst->total += src->total;
	if (counter_merge(&dst->act_stage, &src->act_stage) < 0 ||
	    counter_merge(&dst->reason, &src->reason) < 0 ||
	    counter_merge(&dst->domain, &src->domain) < 0 ||
	    counter_merge(&dst->client, &src->client) < 0 ||
	    counter_merge(&dst->rcpt, &src->rcpt) < 0)
		return -1;
	return 0;
}

unsigned long long
feedstats_total(const struct feedstats *st)
{
	return st->total;
}

struct pf_span
feed_reason_key(struct pf_span r)
{
	const char *p = r.p, *e = r.p + r.n, *q;

	if (p == NULL || r.n == 0 || *p != '<')
		return r;
	q = memchr(p, '>', r.n);
	if (q != NULL && e - q >= 3 && q[1] == ':' && q[2] == ' ') {
		r.p = q + 3;
		r.n = (size_t)(e - r.p);
	}
	return r;
}

int
feedstats_add(struct feedstats *st, const struct pf_event *ev)
{
	char buf[128], low[256], cb[600];
	const char *an = pf_action_name(ev->action);
	struct {
		struct counter *c;
		const char *p;
		size_t n;
		uint64_t h;
	} k[5];
	size_t n, nk = 0, i;
	struct pf_span rk;

	st->total++;
	/* "action STAGE" */
	n = strlen(an);
	memcpy(buf, an, n);
	buf[n++] = ' ';
	if (ev->stage.p != NULL) {
		size_t sn = ev->stage.n > 64 ? 64 : ev->stage.n;

		memcpy(buf + n, ev->stage.p, sn);
		n += sn;
	}
	k[nk].c = &st->act_stage, k[nk].p = buf, k[nk++].n = n;
	rk = feed_reason_key(ev->reason);
	if (rk.p != NULL)
		k[nk].c = &st->reason, k[nk].p = rk.p, k[nk++].n = rk.n;
	if (ev->from.p != NULL) {
		const char *at = NULL, *p;

		for (p = ev->from.p + ev->from.n; p > ev->from.p; p--)
			if (p[-1] == '@') {
				at = p;
				break;
			}
		k[nk].c = &st->domain;
		if (ev->from.n == 0) {
			k[nk].p = "<>", k[nk++].n = 2;
		} else if (at != NULL) {
			size_t dn = (size_t)(ev->from.p + ev->from.n - at);

			if (dn > sizeof(low))
				dn = sizeof(low);
			for (i = 0; i < dn; i++)
				low[i] = (char)tolower((unsigned char)at[i]);
			k[nk].p = low, k[nk++].n = dn;
		} else {
			k[nk].p = ev->from.p, k[nk++].n = ev->from.n;
		}
	}
	if (ev->client_ip.p != NULL) {
		/* "name[addr]" */
		size_t nn = ev->client_name.p ? (ev->client_name.n > 300 ? 300 : ev->client_name.n) : 0;
		size_t an2 = ev->client_ip.n > 200 ? 200 : ev->client_ip.n;

		if (nn)
			memcpy(cb, ev->client_name.p, nn);
		cb[nn] = '[';
		memcpy(cb + nn + 1, ev->client_ip.p, an2);
		cb[nn + 1 + an2] = ']';
		k[nk].c = &st->client, k[nk].p = cb, k[nk++].n = nn + an2 + 2;
	}
	if (ev->to.p != NULL)
		k[nk].c = &st->rcpt, k[nk].p = ev->to.p, k[nk++].n = ev->to.n;
	/* the tables are larger than the caches: start every slot's load
	 * first, so that the misses overlap instead of adding up */
	for (i = 0; i < nk; i++) {
		k[i].h = hash_words(k[i].p, k[i].n);
		if (k[i].c->cap)
			__builtin_prefetch(&k[i].c->v[k[i].h & (k[i].c->cap - 1)]);
	}
	for (i = 0; i < nk; i++)
		if (counter_add(k[i].c, k[i].p, k[i].n, k[i].h) < 0)
			return -1;
	return 0;
}

static int
report_list(struct strbuf *out, const char *title, const struct counter *c, size_t top)
{
	size_t i, k;
	struct cnt_item *v = counter_sorted(c, top, &k);

	if (v == NULL)
		return -1;
	if (strbuf_addf(out, "\n%s:\n", title) < 0)
		goto fail;
	if (c->used == 0 && strbuf_addstr(out, "  (none)\n") < 0)
		goto fail;
	for (i = 0; i < k; i++) {
		if (strbuf_addf(out, "  %8llu  ", v[i].n) < 0 ||
		    textsafe_append(out, v[i].key, v[i].klen, 200, NULL, NULL) < 0 ||
		    strbuf_addch(out, '\n') < 0)
			goto fail;
	}
	if (c->used > top && strbuf_addf(out, "  (%zu more)\n", c->used - top) < 0)
		goto fail;
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

int
feedstats_report_text(const struct feedstats *st, size_t top, struct strbuf *out)
{
	if (strbuf_addf(out, "%llu events\n", st->total) < 0)
		return -1;
	if (report_list(out, "By action and stage", &st->act_stage, (size_t)-1) < 0 ||
	    report_list(out, "By reason", &st->reason, top) < 0 ||
	    report_list(out, "Top sender domains", &st->domain, top) < 0 ||
	    report_list(out, "Top clients", &st->client, top) < 0 ||
	    report_list(out, "Top recipients", &st->rcpt, top) < 0)
		return -1;
	return 0;
}

static int
json_list(struct strbuf *out, const char *name, const char *key, const struct counter *c,
	  size_t top, bool split_action)
{
	size_t i, k;
	struct cnt_item *v = counter_sorted(c, top, &k);

	if (v == NULL)
		return -1;
	if (strbuf_addf(out, ",\"%s\":[", name) < 0)
		goto fail;
	for (i = 0; i < k; i++) {
		if (i && strbuf_addch(out, ',') < 0)
			goto fail;
		if (split_action) {
			const char *sp = memchr(v[i].key, ' ', v[i].klen);
			size_t an = sp ? (size_t)(sp - v[i].key) : v[i].klen;

			if (strbuf_addstr(out, "{\"action\":") < 0 ||
			    strbuf_add_json_string(out, v[i].key, an) < 0 ||
			    strbuf_addstr(out, ",\"stage\":") < 0 ||
			    (sp ? strbuf_add_json_string(out, sp + 1, v[i].klen - an - 1)
				: strbuf_addstr(out, "null")) < 0)
				goto fail;
		} else if (strbuf_addf(out, "{\"%s\":", key) < 0 ||
			   strbuf_add_json_string(out, v[i].key, v[i].klen) < 0) {
			goto fail;
		}
		if (strbuf_addf(out, ",\"count\":%llu}", v[i].n) < 0)
			goto fail;
	}
	free(v);
	return strbuf_addch(out, ']');
fail:
	free(v);
	return -1;
}

int
feedstats_report_json(const struct feedstats *st, size_t top, struct strbuf *out)
{
	if (strbuf_addf(out, "{\"total\":%llu", st->total) < 0 ||
	    json_list(out, "by_action_stage", NULL, &st->act_stage, (size_t)-1, true) < 0 ||
	    json_list(out, "by_reason", "reason", &st->reason, top, false) < 0 ||
	    json_list(out, "sender_domains", "domain", &st->domain, top, false) < 0 ||
	    json_list(out, "clients", "client", &st->client, top, false) < 0 ||
	    json_list(out, "recipients", "recipient", &st->rcpt, top, false) < 0 ||
	    strbuf_addch(out, '}') < 0)
		return -1;
	return 0;
}

/* --- text form ----------------------------------------------------------- */

static int
add_safe(struct strbuf *out, struct pf_span sp)
{
	return textsafe_append(out, sp.p, sp.n, 1000, NULL, NULL);
}

/* add_quoted - SP made safe, then '"' and '\\' escaped with '\\': the text
 * between the quotes of text="..." is attacker-chosen and must not end
 * them (a header_checks match can hold '" from=<...>') */
static int
add_quoted(struct strbuf *out, struct pf_span sp)
{
	struct strbuf t;
	size_t i;
	int r;

	strbuf_init(&t);
	r = textsafe_append(&t, sp.p, sp.n, 1000, NULL, NULL);
	for (i = 0; r == 0 && i < t.len; i++)
		if ((t.buf[i] == '"' || t.buf[i] == '\\') && strbuf_addch(out, '\\') < 0)
			r = -1;
		else if (strbuf_addch(out, t.buf[i]) < 0)
			r = -1;
	strbuf_fini(&t);
	return r < 0 ? -1 : 0;
}

static int
add_field(struct strbuf *out, const char *name, struct pf_span sp)
{
	if (sp.p == NULL)
		return 0;
	if (strbuf_addf(out, " %s=<", name) < 0 || add_safe(out, sp) < 0 ||
	    strbuf_addch(out, '>') < 0)
		return -1;
	return 0;
}

int
feed_event_text(const struct pf_event *ev, struct strbuf *out)
{
	char tb[64];
	size_t mark = out->len;

	event_format_time(ev, tb, sizeof(tb));
	if (strbuf_addstr(out, ev->has_time ? tb : "-") < 0 ||
	    strbuf_addf(out, " %s ", pf_action_name(ev->action)) < 0 || add_safe(out, ev->stage) < 0)
		goto fail;
	/* the line reads more than one way: the fields that differ are left out */
	if (ev->ambiguous && strbuf_addstr(out, " AMBIGUOUS") < 0)
		goto fail;
	/* longer than LOGLINE_MAX: cut, its field list is lost */
	if (ev->truncated && strbuf_addstr(out, " TRUNCATED") < 0)
		goto fail;
	/* Postfix's own failure: "TIME fatal postfix/smtpd: text" */
	if (ev->stage.p == NULL && ev->service.p != NULL
	    && (ev->action == PF_ACT_FATAL || ev->action == PF_ACT_PANIC
		|| ev->action == PF_ACT_WARNING)) {
		if (out->len > mark && out->buf[out->len - 1] == ' ')
			strbuf_truncate(out, out->len - 1);
		if (strbuf_addch(out, ' ') < 0 || add_safe(out, ev->service) < 0)
			goto fail;
	} else if (ev->client_ip.p != NULL) {
		if (strbuf_addch(out, ' ') < 0 ||
		    (ev->client_name.p && add_safe(out, ev->client_name) < 0) ||
		    strbuf_addch(out, '[') < 0 || add_safe(out, ev->client_ip) < 0 ||
		    strbuf_addch(out, ']') < 0)
			goto fail;
	} else if (ev->text.p != NULL && !ev->ambiguous && strbuf_addstr(out, " local") < 0) {
		goto fail;
	}
	if (ev->code && strbuf_addf(out, " %d", ev->code) < 0)
		goto fail;
	if (ev->dsn.p && (strbuf_addch(out, ' ') < 0 || add_safe(out, ev->dsn) < 0))
		goto fail;
	if (add_field(out, "from", ev->from) < 0 || add_field(out, "to", ev->to) < 0 ||
	    add_field(out, "helo", ev->helo) < 0)
		goto fail;
	if (ev->text.p != NULL &&
	    (strbuf_addstr(out, " text=\"") < 0 || add_quoted(out, ev->text) < 0 ||
	     strbuf_addch(out, '"') < 0))
		goto fail;
	if (ev->reason.p != NULL &&
	    (strbuf_addstr(out, ": ") < 0 || add_safe(out, ev->reason) < 0))
		goto fail;
	return 0;
fail:
	strbuf_truncate(out, mark);
	return -1;
}
