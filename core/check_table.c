/*
 * core/check_table.c - check of one table: reading a source (postmap
 * syntax, regexp/pcre rules, cidr, aliases), each entry's key and value
 * (core/check_value.c), duplicate keys, the postmaster rule of recipient
 * tables, glued and shadowed rules, open-relay values.  main.cf and which
 * tables to check are core/check.c's; the contract is in core/check.h.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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
#include "core/check.h"
#include "core/check_int.h"
#include "util/hash.h"
#include "util/htable.h"
#include "core/keydup.h"
#include "core/kvparse.h"
#include "core/pattern.h"
#include "core/query.h"
#include "util/strbuf.h"
#include "core/transport.h"
#include "util/utf8.h"
#include "maps/map.h"
#include "util/safeopen.h"

/* ---- key set ----
 * Keys with a value, on util/htable.h: an entry holds the offset of the
 * NUL-terminated key in an arena and the value; its id is its index + 1.
 * Used for the few keys the postmaster rule needs; duplicate keys of the
 * whole table are core/keydup's. */

struct kent {
	size_t off;
	uint32_t len;
	uint32_t val;
};

struct kset {
	struct htable t;
	struct kent *ent;
	size_t n, ecap;
	struct strbuf arena;
};

static void
kset_init(struct kset *ks)
{
	memset(ks, 0, sizeof(*ks));
	strbuf_init(&ks->arena);
}

static void
kset_fini(struct kset *ks)
{
	htable_fini(&ks->t);
	free(ks->ent);
	strbuf_fini(&ks->arena);
	kset_init(ks);
}

/* kset_add - KEY (N bytes): 1 with *FIRST = its value when present, 0 added
 * with value LINE, -1 ENOMEM */
static int
kset_addn(struct kset *ks, const char *key, size_t n, unsigned line, unsigned *first)
{
	struct htable_probe p;
	uint32_t id;

	if (n > UINT32_MAX || ks->n >= UINT32_MAX - 1 || htable_reserve(&ks->t, ks->n + 1) < 0)
		return -1;
	htable_probe_start(&ks->t, &p, hash_words(key, n));
	while ((id = htable_probe_next(&ks->t, &p)) != 0) {
		const struct kent *e = &ks->ent[id - 1];

		if (e->len == n && memcmp(ks->arena.buf + e->off, key, n) == 0) {
			*first = e->val;
			return 1;
		}
	}
	if (ks->n == ks->ecap) {
		size_t nc = ks->ecap ? ks->ecap * 2 : 256;
		struct kent *ne = realloc(ks->ent, nc * sizeof(*ne));

		if (ne == NULL)
			return -1;
		ks->ent = ne;
		ks->ecap = nc;
	}
	if (strbuf_reserve(&ks->arena, n + 1) < 0)
		return -1;
	ks->ent[ks->n].off = ks->arena.len;
	ks->ent[ks->n].len = (uint32_t)n;
	ks->ent[ks->n].val = line;
	memcpy(ks->arena.buf + ks->arena.len, key, n);
	ks->arena.buf[ks->arena.len + n] = '\0';
	ks->arena.len += n + 1;
	ks->n++;
	htable_insert(&ks->t, &p, (uint32_t)ks->n);
	return 0;
}

static int
kset_add(struct kset *ks, const char *key, unsigned line, unsigned *first)
{
	return kset_addn(ks, key, strlen(key), line, first);
}

/* ---- tables ---- */

struct entry_rec {
	char *key;                  /* folded */
	unsigned line, col;
	bool rejects;
};

struct kvctx {
	const char *type;
	const char *file;
	const char *src;            /* the buffer (for columns) */
	size_t srclen;
	enum maincf_role role;
	struct maincf *cf;
	struct diag_list *dl;
	struct maincf_list *used;
	bool fold;
	bool utf8fold;              /* smtputf8_enable: ICU folding, else ASCII only */
	long n;
	struct entry_rec *recs;     /* recipient tables: for postmaster-rejected */
	size_t nrecs, caprecs;
	struct kset recidx;         /* folded key -> index in recs (first entry wins) */
	const char *relay_list;     /* non-NULL: the table is consulted before the relay
	                             * guard of this list (open-relay check) */
	int err;
	char *fbuf;                 /* the folded key (ASCII case), reused */
	size_t fcap;
	bool pdms;                  /* parent_domain_matches_subdomains has smtpd_access_maps */
	struct keydup dups;         /* every key, for duplicate-key after the pass */
	/* where each entry's diagnostics start in DL, recorded where it
	 * changes: a duplicate found after the pass is put where it would
	 * have been added during it (first among its entry's own) */
	struct dmark {
		unsigned line;          /* the entry's first line */
		size_t pos;             /* DL->n when it began */
	} *marks;
	size_t nmarks, capmarks;
	size_t base_n, last_n;      /* DL->n at the start; at the last mark */
	/* values whose access checks found nothing: the same text in the same
	 * table finds nothing again (the checks read only the value, the role
	 * and main.cf; the class "used" list is a set), so it is not checked
	 * again.  Direct-mapped by a hash of the text: a cache that may forget
	 * (a miss only runs the checks again), not a table, hence not
	 * util/htable.h. */
	struct vmemo {
		uint32_t len;           /* 0: empty slot */
		char text[44];
	} vmemo[64];
};

/* vmemo_slot - the memo slot for value V (N bytes), or NULL when too long;
 * the slot comes from the length and the first and last (up to) 8 bytes */
static struct vmemo *
vmemo_slot(struct kvctx *c, const char *v, size_t n)
{
	uint64_t a = 0, b = 0, h;

	if (n == 0 || n > sizeof(c->vmemo[0].text))
		return NULL;
	memcpy(&a, v, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&b, v + n - 8, 8);
	h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL) ^ n;
	return &c->vmemo[(h >> 58) & 63];
}

static bool
vmemo_hit(const struct vmemo *m, const char *v, size_t n)
{
	return m != NULL && m->len == n && memcmp(m->text, v, n) == 0;
}

static unsigned
src_col(const char *src, size_t srclen, size_t off)
{
	size_t ls = off, n;
	char tmp[1024];

	while (ls > 0 && src[ls - 1] != '\n')
		ls--;
	n = off - ls;
	if (n >= sizeof(tmp) || off > srclen)
		return (unsigned)n + 1;
	{
		/* plain ASCII without tabs: the column is the offset */
		size_t k;

		for (k = ls; k < off; k++)
			if ((unsigned char)src[k] >= 0x80 || src[k] < ' ')
				break;
		if (k == off)
			return (unsigned)n + 1;
	}
	memcpy(tmp, src + ls, n);
	tmp[n] = '\0';
	return diag_column(tmp, n);
}

/* relay_check - an OK-like VALUE in a table consulted before the relay guard */
static int
relay_check(const char *relay_list, enum maincf_role role, const char *value, size_t vlen,
	    const char *file, unsigned line, unsigned col, struct diag_list *dl)
{
	struct access_action a;
	const char *who;

	if (relay_list == NULL)
		return 0;
	access_parse(value, vlen, &a);
	if (a.kind != ACCESS_OK && a.kind != ACCESS_NUMERIC)
		return 0;
	if (role == MAINCF_ROLE_SENDER)
		who = "anyone who gives this MAIL FROM address";
	else if (role == MAINCF_ROLE_HELO)
		who = "anyone who sends this HELO name";
	else if (role == MAINCF_ROLE_CLIENT)
		who = "this client";
	else
		return 0;
	return diag_add(dl, DIAG_OPEN_RELAY, file, line, col,
			    "this OK ends %s before reject_unauth_destination: %s may relay mail "
			    "to any domain%s; use DUNNO, or move the check after "
			    "reject_unauth_destination", relay_list, who,
			    role == MAINCF_ROLE_CLIENT ? "" : " (sender addresses and HELO names "
			    "are trivially forged)");
}

/* glued_check - an indented line that looks like an entry of its own is
 * joined to the entry above it (postfix-reference.md 1.1, gotcha 10) */
static int
glued_check(struct kvctx *c, const struct kv_entry *e)
{
	const char *b = c->src;
	size_t pos = e->start;
	unsigned line = e->line;

	/* skip the first physical line */
	while (pos < e->end && b[pos] != '\n')
		pos++;
	while (++pos < e->end) {
		size_t ls = pos, k, w1, w2;

		line++;
		while (pos < e->end && b[pos] != '\n')
			pos++;
		if (ls >= e->end || !(b[ls] == ' ' || b[ls] == '\t'))
			continue;
		for (k = ls; k < pos && (b[k] == ' ' || b[k] == '\t'); k++)
			;
		if (k == pos || b[k] == '#' || b[k] == '\r')
			continue;
		w1 = k;
		while (k < pos && !isspace((unsigned char)b[k]))
			k++;
		w2 = k;
		while (k < pos && isspace((unsigned char)b[k]))
			k++;
		if (k >= pos)
			continue;
		if (!memchr(b + w1, '.', w2 - w1) && !memchr(b + w1, '@', w2 - w1)
		    && !(w2 - w1 == 2 && b[w1] == '<' && b[w1 + 1] == '>'))
			continue;
		if (diag_add_sev(c->dl, DIAG_WARNING, DIAG_SYNTAX, c->file, line, 1,
				 "this line starts with whitespace, so Postfix joins it to the "
				 "entry of line %u (its text becomes part of that value) instead of "
				 "reading \"%.*s\" as a key: remove the indentation",
				 e->line, (int)(w2 - w1), b + w1) < 0)
			return -1;
	}
	return 0;
}

/* value_pos - line and column of E's value (it may start on a
 * continuation line); plain ASCII before it makes the column the offset */
static unsigned
value_pos(const struct kvctx *c, const struct kv_entry *e, unsigned *vline)
{
	size_t k, ls = e->start;
	bool plain = true;

	*vline = e->line;
	for (k = e->start; k < e->val_off && k < c->srclen; k++) {
		unsigned char ch = (unsigned char)c->src[k];

		if (ch == '\n') {
			(*vline)++;
			ls = k + 1;
			plain = true;
		} else if (ch >= 0x80 || ch < ' ') {
			plain = false;
		}
	}
	return plain && e->val_off <= c->srclen ? (unsigned)(e->val_off - ls) + 1
		: src_col(c->src, c->srclen, e->val_off);
}

static int
kv_entry(void *ctx, const struct kv_entry *e)
{
	struct kvctx *c = ctx;
	unsigned vcol = 0;
	unsigned vline = e->line;
	char *fk = NULL, *owned = NULL;  /* owned: FK when it was allocated */
	size_t fl = 0, k;
	unsigned first;
	bool key_ascii;
	struct vmemo *memo = NULL;
	bool memo_hit = false;

	/* where this entry's diagnostics begin (see struct dmark) */
	if (c->dl->n != c->last_n) {
		if (c->nmarks == c->capmarks) {
			size_t cap = c->capmarks ? c->capmarks * 2 : 64;
			struct dmark *v = realloc(c->marks, cap * sizeof(*v));

			if (v == NULL)
				return -1;
			c->marks = v;
			c->capmarks = cap;
		}
		c->marks[c->nmarks].line = e->line;
		c->marks[c->nmarks].pos = c->dl->n;
		c->nmarks++;
		c->last_n = c->dl->n;
	}
	c->n++;
	/* the key, folded (ASCII case) into the reused buffer while looking
	 * for non-ASCII bytes: no allocation for the common key */
	if (e->klen >= c->fcap) {
		size_t cap = e->klen + 64;
		char *nb = realloc(c->fbuf, cap);

		if (nb == NULL)
			return -1;
		c->fbuf = nb;
		c->fcap = cap;
	}
	{
		unsigned char hi = 0;

		if (c->fold) {
			for (k = 0; k < e->klen; k++) {
				unsigned char ch = (unsigned char)e->key[k];

				hi |= ch;
				c->fbuf[k] = (char)((unsigned)ch - (unsigned)'A' < 26u ? ch + 32 : ch);
			}
		} else {
			for (k = 0; k < e->klen; k++)
				hi |= (unsigned char)e->key[k];
			memcpy(c->fbuf, e->key, e->klen);
		}
		c->fbuf[e->klen] = '\0';
		key_ascii = hi < 0x80;
	}
	if (maincf_role_is_access(c->role)) {
		memo = vmemo_slot(c, e->val, e->vlen);
		memo_hit = vmemo_hit(memo, e->val, e->vlen);
	}
	/* a remembered value passed these checks already (valid UTF-8 included) */
	if (c->utf8fold && ((!key_ascii && !utf8_valid(e->key, e->klen))
			    || (!memo_hit && !utf8_valid(e->val, e->vlen))))
		return diag_add(c->dl, DIAG_SYNTAX, c->file, e->line, 1,
				"non-UTF-8 input: with smtputf8_enable = yes postmap skips this "
				"line (\"non-UTF-8 input ... -- ignoring this line\"); convert the "
				"file to UTF-8");
	fk = c->fbuf;
	fl = e->klen;
	if (c->fold && !key_ascii && c->utf8fold) {
		if (map_fold(e->key, e->klen, &fk, &fl) < 0)
			return -1;
		owned = fk;
	}
	if (keydup_add(&c->dups, e->key, e->klen, fk, fl, e->line) < 0) {
		free(owned);
		return -1;
	}
	if (e->nlines > 1 && glued_check(c, e) < 0) {
		free(owned);
		return -1;
	}
	{
		/* "trailing comment": a '#' after whitespace inside the value */
		const char *h = e->val;

		for (k = e->vlen > 1 && memchr(h + 1, '#', e->vlen - 1) ? 1 : e->vlen; k < e->vlen; k++)
			if (h[k] == '#' && isspace((unsigned char)h[k - 1])) {
				vcol = value_pos(c, e, &vline);
				if (diag_add(c->dl, DIAG_TRAILING_COMMENT, c->file, vline,
					     vcol + (unsigned)k,
					     "'#' is a comment only at the start of a line: \"%.*s\" is "
					     "part of the value; move the comment to its own line",
					     (int)(e->vlen - k), h + k) < 0) {
					free(owned);
					return -1;
				}
				break;
			}
	}
	if (maincf_role_is_access(c->role)) {
		if (chk_access_key(e->key, e->klen, c->role, c->cf, c->pdms, c->file,
				   e->line, c->dl) < 0) {
			free(owned);
			return -1;
		}
		if (!memo_hit) {
			size_t before = c->dl->n;

			if (vcol == 0)
				vcol = value_pos(c, e, &vline);
			if (chk_access_value_k(e->key, e->klen, e->val, e->vlen, c->role, c->cf,
					       c->file, vline, vcol, c->dl, c->used) < 0
			    || relay_check(c->relay_list, c->role, e->val, e->vlen, c->file, vline,
					   vcol, c->dl) < 0) {
				free(owned);
				return -1;
			}
			if (memo != NULL && c->dl->n == before) {
				memo->len = (uint32_t)e->vlen;
				memcpy(memo->text, e->val, e->vlen);
			}
		}
	} else {
		if (vcol == 0)
			vcol = value_pos(c, e, &vline);
		if (check_value(c->role, e->key, e->klen, e->val, e->vlen, c->cf, c->file, vline,
				vcol, c->dl) < 0) {
			free(owned);
			return -1;
		}
	}
	/* the postmaster rule needs domain keys and postmaster@ keys only */
	if (c->role == MAINCF_ROLE_RECIPIENT
	    && (memchr(fk, '@', fl) == NULL || strncmp(fk, "postmaster@", 11) == 0)) {
		if (c->nrecs == c->caprecs) {
			size_t cap = c->caprecs ? c->caprecs * 2 : 64;
			struct entry_rec *v = realloc(c->recs, cap * sizeof(*v));

			if (v == NULL) {
				free(owned);
				return -1;
			}
			c->recs = v;
			c->caprecs = cap;
		}
		if (owned == NULL && (owned = strdup(fk)) == NULL)
			return -1;
		c->recs[c->nrecs].key = owned;
		c->recs[c->nrecs].line = e->line;
		c->recs[c->nrecs].col = 1;
		c->recs[c->nrecs].rejects = chk_value_rejects(e->val, e->vlen);
		if (kset_add(&c->recidx, fk, (unsigned)c->nrecs, &first) < 0) {
			free(owned);
			return -1;
		}
		c->nrecs++;
		owned = NULL;
	}
	free(owned);
	return 0;
}

/* duplicate-key diagnostics, collected by dup_diag, spliced in by dup_report */
struct dupctx {
	struct kvctx *c;
	struct diag_list add;
	size_t *pos, cap;
	size_t mark;                /* next mark to look at (lines only grow) */
};

static int
dup_diag(void *ctx, const char *raw, size_t rawlen, unsigned line, unsigned first)
{
	struct dupctx *d = ctx;
	struct kvctx *c = d->c;

	if (d->add.n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		size_t *v = realloc(d->pos, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		d->pos = v;
		d->cap = cap;
	}
	while (d->mark < c->nmarks && c->marks[d->mark].line <= line)
		d->mark++;
	d->pos[d->add.n] = d->mark ? c->marks[d->mark - 1].pos : c->base_n;
	return diag_add(&d->add, DIAG_DUPLICATE_KEY, c->file, line, 1,
			"duplicate key \"%.*s\": Postfix uses the first entry, on line %u, "
			"and ignores this one: remove one of them (or move the one you "
			"want first)", (int)rawlen, raw, first);
}

/* dup_report - the duplicate keys, each where the pass would have added it */
static int
dup_report(struct kvctx *c)
{
	struct dupctx d;
	int r;

	memset(&d, 0, sizeof(d));
	d.c = c;
	diag_list_init(&d.add);
	r = keydup_finish(&c->dups, dup_diag, &d);
	if (r == 0)
		r = diag_list_splice(c->dl, &d.add, d.pos);
	diag_list_fini(&d.add);
	free(d.pos);
	return r;
}

static const struct entry_rec *
find_rec(struct kvctx *c, const char *key)
{
	unsigned idx;

	/* kset_add reports the stored index of a present key; a miss adds the
	 * key with an index past the end, which is harmless here */
	if (kset_add(&c->recidx, key, (unsigned)-1, &idx) == 1 && idx < c->nrecs)
		return &c->recs[idx];
	return NULL;
}

/* postmaster_check - RFC 5321 4.5.1: mail to postmaster@ must be accepted */
static int
postmaster_check(struct kvctx *c)
{
	size_t i;

	for (i = 0; i < c->nrecs; i++) {
		const struct entry_rec *r = &c->recs[i];
		const char *at = strchr(r->key, '@');
		char *pk;
		const struct entry_rec *pm;

		if (!r->rejects)
			continue;
		if (strncmp(r->key, "postmaster@", 11) == 0) {
			if (diag_add(c->dl, DIAG_POSTMASTER_REJECTED, c->file, r->line, r->col,
				     "this rejects mail to %s%s: RFC 5321 requires that mail to "
				     "postmaster be accepted (Postfix exempts only a bare "
				     "RCPT TO:<postmaster>); remove it or make it OK",
				     r->key, r->key[11] ? "" : "<any domain>") < 0)
				return -1;
			continue;
		}
		if (at || r->key[0] == '\0')
			continue;
		/* a domain entry: postmaster@domain is rejected too unless excepted */
		if (asprintf(&pk, "postmaster@%s", r->key[0] == '.' ? r->key + 1 : r->key) < 0)
			return -1;
		/* smtpd looks up the full address first, then the domain, and
		 * "postmaster@" only after the domain: only a postmaster@DOMAIN
		 * entry saves it */
		pm = find_rec(c, pk);
		if ((pm == NULL || pm->rejects)
		    && diag_add(c->dl, DIAG_POSTMASTER_REJECTED, c->file, r->line, r->col,
				"rejecting the whole domain %s also rejects %s (the domain is "
				"looked up before any postmaster@ entry): RFC 5321 requires that "
				"mail to postmaster be accepted; add \"%s OK\" to this table",
				r->key, pk, pk) < 0) {
			free(pk);
			return -1;
		}
		free(pk);
	}
	return 0;
}

static bool
type_folds(const char *type)
{
	const struct map_ops *ops = map_find_type(type);

	if (ops)
		return (ops->flags & MAP_FOLD_KEYS) != 0;
	return true;
}

static long
check_kv_buf(const char *type, const char *buf, size_t len, const char *file,
	     enum maincf_role role, struct maincf *cf, struct diag_list *dl,
	     struct maincf_list *used, const char *relay_list)
{
	struct kvctx c;
	int r;
	size_t i;

	memset(&c, 0, sizeof(c));
	kset_init(&c.recidx);
	c.type = type;
	c.file = file;
	c.src = buf;
	c.srclen = len;
	c.role = role;
	c.cf = cf;
	c.dl = dl;
	c.used = used;
	c.relay_list = relay_list;
	c.fold = type_folds(type);
	c.utf8fold = cf ? maincf_get_bool(cf, "smtputf8_enable", true) : true;
	c.pdms = maincf_role_is_access(role) && chk_access_pdms(cf);
	c.base_n = c.last_n = dl->n;
	/* about one entry per 24 source bytes */
	keydup_init(&c.dups, buf, len, c.fold, len / 24);
	r = kvparse_buf(buf, len, file, kv_entry, &c, dl);
	if (r == 0)
		r = dup_report(&c);
	if (r == 0 && role == MAINCF_ROLE_RECIPIENT)
		r = postmaster_check(&c);
	for (i = 0; i < c.nrecs; i++)
		free(c.recs[i].key);
	free(c.recs);
	keydup_fini(&c.dups);
	free(c.marks);
	kset_fini(&c.recidx);
	free(c.fbuf);
	if (r != 0) {
		errno = ENOMEM;
		return -1;
	}
	return c.n;
}

/* postmaster check for pattern tables: run the rules on postmaster@DOMAIN */
static int
pattern_postmaster(const struct pattern_table *pt, const char *type, const char *file,
		   struct maincf *cf, struct diag_list *dl)
{
	static const char *const params[] = { "mydestination", "relay_domains",
		"virtual_alias_domains", "virtual_mailbox_domains", NULL };
	struct map_error err;
	struct map *m;
	size_t i, j;
	int rc = 0;

	if (cf == NULL)
		return 0;
	memset(&err, 0, sizeof(err));
	m = pattern_open(pt, type, file, &err);
	if (m == NULL)
		return 0;
	for (i = 0; params[i] && rc == 0; i++) {
		struct maincf_list l;
		const char *v = maincf_get(cf, params[i], NULL);

		if (v == NULL)
			break;
		maincf_list_init(&l);
		if (maincf_split(v, &l) < 0)
			rc = -1;
		for (j = 0; j < l.n && rc == 0; j++) {
			struct map_hit hit;
			char *key;
			const char *d = l.v[j].text;

			if (strchr(d, ':') || strchr(d, '$') || strchr(d, '/'))
				continue;
			if (asprintf(&key, "postmaster@%s", d) < 0) {
				rc = -1;
				break;
			}
			for (char *p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (map_lookup(m, key, strlen(key), &hit, &err) == 1
			    && chk_value_rejects(hit.val, hit.vlen) && hit.rule < pt->n)
				rc = diag_add(dl, DIAG_POSTMASTER_REJECTED, file,
					      pt->pos[hit.rule].line, pt->pos[hit.rule].col,
					      "this rule rejects %s (%s is in %s): RFC 5321 requires "
					      "that mail to postmaster be accepted; add a rule "
					      "/^postmaster@/ OK before it", key, d, params[i]);
			free(key);
		}
		maincf_list_fini(&l);
	}
	map_close(m);
	return rc;
}

/* pattern_rule_flags - flag misunderstandings (postfix-reference.md 5.2) */
static int
pattern_rule_flags(const struct pattern_table *pt, size_t i, const char *type,
		   enum maincf_role role, const char *file, struct diag_list *dl)
{
	const struct map_rule *r = &pt->rules[i];
	const struct pattern_pos *p = &pt->pos[i];
	bool cs = r->flags && strchr(r->flags, 'i');
	size_t k;

	if (strcmp(type, "regexp") == 0 && r->flags && strchr(r->flags, 'x')
	    && diag_add_sev(dl, DIAG_WARNING, DIAG_SYNTAX, file, p->line,
			    p->pattern_col + (unsigned)r->pattern_len + 1,
			    "flag x switches a regexp: pattern to POSIX basic syntax (+ ? | ( ) "
			    "are then literal), it does not ignore whitespace as in pcre: remove "
			    "it") < 0)
		return -1;
	if (cs && (role == MAINCF_ROLE_SENDER || role == MAINCF_ROLE_RECIPIENT)) {
		for (k = 0; k < r->pattern_len; k++) {
			if (r->pattern[k] == '\\') {
				k++;
				continue;
			}
			if (r->pattern[k] >= 'A' && r->pattern[k] <= 'Z')
				return diag_add_sev(dl, DIAG_WARNING, DIAG_UNREACHABLE_KEY, file,
						    p->line, p->pattern_col + (unsigned)k,
						    "flag i makes this pattern case-sensitive, but smtpd "
						    "lower-cases %s addresses before the lookup: the "
						    "upper-case '%c' never matches; remove the i flag",
						    maincf_role_name(role), r->pattern[k]);
		}
	}
	return 0;
}

/* always_matches - a top-level rule that matches every lookup: /^/, /./,
 * /.*\/, /^.*\/ without flags (keys, header and body lines are never empty) */
static bool
always_matches(const struct map_rule *r)
{
	static const char *const any[] = { "^", ".", ".*", "^.*", "" };
	size_t k;

	if (r->kind != MAP_RULE_MATCH || r->negate || r->pattern2 || (r->flags && r->flags[0]))
		return false;
	for (k = 0; k < sizeof(any) / sizeof(any[0]); k++)
		if (r->pattern_len == strlen(any[k]) && memcmp(r->pattern, any[k], r->pattern_len) == 0)
			return true;
	return false;
}

static bool
same_rule(const struct map_rule *a, const struct map_rule *b)
{
	return a->kind == b->kind && a->negate == b->negate && a->pattern_len == b->pattern_len
	       && memcmp(a->pattern, b->pattern, a->pattern_len) == 0
	       && strcmp(a->flags ? a->flags : "", b->flags ? b->flags : "") == 0
	       && (a->pattern2 == NULL) == (b->pattern2 == NULL)
	       && (a->pattern2 == NULL || (a->pattern2_len == b->pattern2_len
					   && memcmp(a->pattern2, b->pattern2, a->pattern2_len) == 0));
}

/* shadowed_rules - top-level rules Postfix never reaches: after one that
 * matches everything, or the same pattern as an earlier top-level rule
 * (the first match wins) */
static int
shadowed_rules(const struct pattern_table *pt, const char *file, struct diag_list *dl)
{
	size_t i, k, all = (size_t)-1;
	int depth = 0;

	for (i = 0; i < pt->n; i++) {
		const struct map_rule *r = &pt->rules[i];
		int d = depth;

		if (r->kind == MAP_RULE_IF)
			depth++;
		else if (r->kind == MAP_RULE_ENDIF) {
			if (depth > 0)
				depth--;
			continue;
		}
		if (d != 0)
			continue;
		if (all != (size_t)-1) {
			if (diag_add(dl, DIAG_SHADOWED_RULE, file, pt->pos[i].line, pt->pos[i].col,
				     "this rule is never reached: /%.*s/ on line %u matches every "
				     "input first (the first matching rule wins)",
				     (int)pt->rules[all].pattern_len, pt->rules[all].pattern,
				     pt->pos[all].line) < 0)
				return -1;
			continue;
		}
		if (r->kind == MAP_RULE_MATCH) {
			int dd = 0;

			for (k = 0; k < i; k++) {
				if (pt->rules[k].kind == MAP_RULE_ENDIF) {
					if (dd > 0)
						dd--;
					continue;
				}
				if (dd == 0 && same_rule(&pt->rules[k], r))
					break;
				if (pt->rules[k].kind == MAP_RULE_IF)
					dd++;
			}
			if (k < i && diag_add(dl, DIAG_SHADOWED_RULE, file, pt->pos[i].line,
					      pt->pos[i].col, "this rule never matches: line %u has the "
					      "same pattern and matches first", pt->pos[k].line) < 0)
				return -1;
		}
		if (always_matches(r))
			all = i;
	}
	return 0;
}

static long
check_pattern_buf(const char *type, const char *buf, size_t len, const char *file,
		  enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		  struct maincf_list *used, const char *relay_list)
{
	struct pattern_table pt;
	long n;
	size_t i;

	pattern_table_init(&pt, pattern_dialect_for_type(type));
	n = pattern_parse_buf(&pt, buf, len, file,
			      role == MAINCF_ROLE_TRANSPORT ? PATTERN_NO_REGSUB : 0, dl);
	if (n < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	if (pattern_compile_check(&pt, type, file, dl) < 0 && errno == ENOMEM) {
		pattern_table_fini(&pt);
		return -1;
	}
	for (i = 0; i < pt.n; i++) {
		const struct map_rule *r = &pt.rules[i];
		const struct pattern_pos *p = &pt.pos[i];
		int rc;

		if (r->kind != MAP_RULE_ENDIF && pattern_rule_flags(&pt, i, type, role, file, dl) < 0) {
			pattern_table_fini(&pt);
			return -1;
		}
		if (r->kind != MAP_RULE_MATCH || r->result_len == 0)
			continue;
		if (maincf_role_is_access(role))
			rc = chk_access_value(r->result, r->result_len, role, cf, file, p->line,
					      p->result_col, dl, used) < 0
				|| relay_check(r->negate ? NULL : relay_list, role, r->result,
					       r->result_len, file, p->line, p->result_col, dl) < 0
				? -1 : 0;
		else
			rc = check_value(role, NULL, 0, r->result, r->result_len, cf, file,
					 p->line, p->result_col, dl);
		if (rc < 0) {
			pattern_table_fini(&pt);
			return -1;
		}
	}
	if (role == MAINCF_ROLE_RECIPIENT && pattern_postmaster(&pt, type, file, cf, dl) < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	if (shadowed_rules(&pt, file, dl) < 0) {
		pattern_table_fini(&pt);
		return -1;
	}
	pattern_table_fini(&pt);
	return n;
}

/* alias_count - entries of an aliases(5) file; its syntax is postalias's,
 * not postmap's, and is not checked here */
static long
alias_count(const char *buf, size_t len)
{
	long n = 0;
	size_t i = 0;

	while (i < len) {
		size_t s = i;

		while (i < len && buf[i] != '\n')
			i++;
		if (i > s && buf[s] != '#' && buf[s] != ' ' && buf[s] != '\t' && buf[s] != '\r')
			n++;
		i++;
	}
	return n;
}

/* a cidr table (maps/map_cidr.c parses it, as dict_cidr): the lines Postfix
 * skips are errors, each result is checked as the role's values */
struct cidr_check {
	const char *file;
	enum maincf_role role;
	struct maincf *cf;
	struct diag_list *dl;
	struct maincf_list *used;
	const char *relay_list;
	long n;
};

static int
cidr_rule(void *ctx, const struct map_cidr_note *n)
{
	struct cidr_check *c = ctx;
	size_t vl;

	if (n->kind != MAP_CIDR_RULE)
		return query_cidr_note(c->dl, c->file, n);
	c->n++;
	if (n->why != NULL && diag_add(c->dl, DIAG_WRAPPED_MASK, c->file, n->line, n->col, "cidr: %s",
				       n->why) < 0)
		return -1;
	vl = strlen(n->value);
	if (maincf_role_is_access(c->role))
		return chk_access_value(n->value, vl, c->role, c->cf, c->file, n->vline,
					n->vcol, c->dl, c->used) < 0
			|| relay_check(n->pattern[0] == '!' ? NULL : c->relay_list, c->role,
				       n->value, vl, c->file, n->vline, n->vcol, c->dl) < 0 ? -1 : 0;
	return check_value(c->role, NULL, 0, n->value, vl, c->cf, c->file, n->vline, n->vcol,
			   c->dl);
}

static long
check_cidr_buf(const char *buf, size_t len, const char *file, enum maincf_role role,
	       struct maincf *cf, struct diag_list *dl, struct maincf_list *used,
	       const char *relay_list)
{
	struct cidr_check c = { file, role, cf, dl, used, relay_list, 0 };

	if (map_cidr_check(buf, len, cidr_rule, &c) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return c.n;
}

long
chk_table_buf(const char *type, const char *buf, size_t len, const char *file,
	      enum maincf_role role, struct maincf *cf, struct diag_list *dl,
	      struct maincf_list *used, const char *relay_list)
{
	if (maincf_is_pattern_type(type))
		return check_pattern_buf(type, buf, len, file, role, cf, dl, used, relay_list);
	if (role == MAINCF_ROLE_ALIAS)
		return alias_count(buf, len);
	if (strcmp(type, "cidr") == 0)
		return check_cidr_buf(buf, len, file, role, cf, dl, used, relay_list);
	return check_kv_buf(type, buf, len, file, role, cf, dl, used, relay_list);
}

long
check_table_buf(const char *type, const char *buf, size_t len, const char *file,
		enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		struct maincf_list *used)
{
	return chk_table_buf(type, buf, len, file, role, cf, dl, used, NULL);
}

int
chk_read_all(const char *path, struct strbuf *sb)
{
	FILE *fp = safeopen_fopen(path, SAFEOPEN_TABLE_MAX, NULL, 0);
	char tmp[65536];
	size_t n;

	if (fp == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		if ((off_t)(sb->len + n) > SAFEOPEN_TABLE_MAX || strbuf_add(sb, tmp, n) < 0) {
			fclose(fp);
			errno = ENOMEM;
			return -1;
		}
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		errno = e;
		return -1;
	}
	fclose(fp);
	return 0;
}

long
chk_table_file(const char *type, const char *path, enum maincf_role role, struct maincf *cf,
	       struct diag_list *dl, struct maincf_list *used, const char *relay_list)
{
	struct strbuf sb;
	long n;

	strbuf_init(&sb);
	if (chk_read_all(path, &sb) < 0) {
		int e = errno;

		strbuf_fini(&sb);
		errno = e;
		return -1;
	}
	n = chk_table_buf(type, sb.buf, sb.len, path, role, cf, dl, used, relay_list);
	strbuf_fini(&sb);
	return n;
}

long
check_table(const char *type, const char *path, enum maincf_role role, struct maincf *cf,
	    struct diag_list *dl, struct maincf_list *used)
{
	struct stat st;
	long n;
	int fd;

	/* a regular file is mapped rather than copied (big tables: no 30 MB
	 * of copying and page faults before the first entry); pattern tables,
	 * small, keep the NUL-terminated copy their parser was written for */
	if (!maincf_is_pattern_type(type)
	    && (fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, &st, NULL, 0)) >= 0) {
		void *map = MAP_FAILED;

		if (st.st_size > 0
		    && (uintmax_t)st.st_size < SIZE_MAX)
			map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map != MAP_FAILED) {
			int e;

			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
			n = check_table_buf(type, map, (size_t)st.st_size, path, role, cf, dl, used);
			e = errno;
			munmap(map, (size_t)st.st_size);
			errno = e;
			return n;
		}
	}
	return chk_table_file(type, path, role, cf, dl, used, NULL);
}
