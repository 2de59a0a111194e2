/*
 * core/impact.c - replay logged SMTP transactions against the tables.
 *
 * Workers take contiguous ranges of the transactions; each owns explain
 * instances for the live version (built indexes) and the pending one
 * (sources), plus one pair per SASL user met (explain takes the SASL login
 * as an option of the instance).  A worker keeps its changes in order and
 * counts reasons, outbound recipients and deciding lines in its own
 * tables; they are merged at the end, so the result does not depend on
 * the number of threads.
 *
 * "Depends on the HELO name": explain is run without a HELO for accepted
 * mail whose HELO the log does not show; its trail then says whether a
 * HELO restriction was reached (the restriction's name, or the HELO list
 * skipped for want of a HELO while it is not empty).  When one was, the
 * answer could differ with the real HELO: not decidable.
 *
 * The pending version reads the sources of the changed tables and the
 * indexes of the others (equal to their sources: not older).
 * Pending is evaluated only when it can answer otherwise: when the live
 * evaluation's trail names a table whose source is newer than its index
 * (the only tables whose two versions can differ; main.cf is read by both),
 * or always when such a table is not an access table (relay_domains ...
 * act without a trail line naming them) or pending is another directory.
 *
 * Public: impact_run, impact_report_init/fini, impact_kind_name.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hash.h"
#include "util/htable.h"
#include "core/impact.h"
#include "core/kvparse.h"
#include "core/maincf.h"
#include "maps/map.h"

#define HELO_REASON "the HELO name (Postfix does not log it for accepted mail; see LOGGING ACCEPTED MAIL in pfconsole(1))"
#define MAX_SASL 32

static const char *const kind_names[IMPACT_NKINDS] = {
	[IMPACT_ACCEPT_TO_REJECT] = "accept->reject",
	[IMPACT_REJECT_TO_ACCEPT] = "reject->accept",
	[IMPACT_DEFER_TO_REJECT] = "defer->reject",
	[IMPACT_REJECT_TO_DEFER] = "reject->defer",
	[IMPACT_REPLY] = "reply changed",
	[IMPACT_OTHER] = "other",
};

const char *
impact_kind_name(enum impact_kind k)
{
	return (unsigned)k < IMPACT_NKINDS ? kind_names[k] : "";
}

/* ---- a counting table of strings --------------------------------------- */

struct cslot {
	char *key;
	uint64_t h;
	unsigned long count;
	time_t last;
	char *file;
	unsigned line;
};

struct ctab {
	struct cslot *v;            /* dense, in insertion order */
	size_t cap, n;
	struct htable t;            /* id: index in v + 1 */
};

static void
ctab_fini(struct ctab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].file);
	}
	free(t->v);
	htable_fini(&t->t);
	memset(t, 0, sizeof(*t));
}

static struct cslot *
ctab_get(struct ctab *t, const char *key, size_t n, bool add)
{
	uint64_t h = hash_words(key, n);
	struct htable_probe p;
	struct cslot *s;
	uint32_t id;

	if (add && (t->n >= UINT32_MAX - 1 || htable_reserve(&t->t, t->n + 1) < 0))
		return NULL;
	htable_probe_start(&t->t, &p, h);
	while ((id = htable_probe_next(&t->t, &p)) != 0) {
		s = &t->v[id - 1];
		if (s->h == h && strlen(s->key) == n && memcmp(s->key, key, n) == 0)
			return s;
	}
	if (!add)
		return NULL;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct cslot *nv = realloc(t->v, nc * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		t->v = nv;
		t->cap = nc;
	}
	s = &t->v[t->n];
	memset(s, 0, sizeof(*s));
	if ((s->key = strndup(key, n)) == NULL)
		return NULL;
	s->h = h;
	t->n++;
	htable_insert(&t->t, &p, (uint32_t)t->n);
	return s;
}

static int
ctab_add(struct ctab *t, const char *key, unsigned long count, time_t last)
{
	struct cslot *s = ctab_get(t, key, strlen(key), true);

	if (s == NULL)
		return -1;
	s->count += count;
	if (last > s->last)
		s->last = last;
	return 0;
}

static unsigned long
ctab_count(const struct ctab *t, const char *key, size_t n)
{
	struct cslot *s = ctab_get((struct ctab *)t, key, n, false);

	return s ? s->count : 0;
}

/* ---- the pending version of a changed table ------------------------------ */

/* What the source of a changed indexed table answers: folded key -> value
 * (kept in the slot's file member).  First entry wins, as for postmap. */
struct ptab {
	char *ref;                  /* "type:name" as the trail names it */
	size_t reflen;
	struct ctab map;
	bool ok;                    /* loaded; false: always evaluate pending */
};

static int
ptab_entry(void *ctx, const struct kv_entry *e)
{
	struct ptab *pt = ctx;
	char *fk = NULL;
	size_t fl;
	struct cslot *sl;

	if (map_fold(e->key, e->klen, &fk, &fl) < 0)
		return -1;
	sl = ctab_get(&pt->map, fk, fl, true);
	free(fk);
	if (sl == NULL)
		return -1;
	if (sl->file == NULL && (sl->file = strndup(e->val, e->vlen)) == NULL)
		return -1;
	return 0;
}

/* ptab_differs - does a lookup line of the live trail (after "lookup '")
 * get another answer from the pending source?  Unparsable: yes. */
static bool
ptab_differs(const struct ptab *pt, const char *k)
{
	const char *q, *rest;
	char *fk = NULL;
	size_t fl;
	struct cslot *sl;
	bool differs = true;

	/* KEY' in REF: RESULT */
	for (q = strstr(k, "' in "); q != NULL; q = strstr(q + 1, "' in ")) {
		if (strncmp(q + 5, pt->ref, pt->reflen) == 0 && strncmp(q + 5 + pt->reflen, ": ", 2) == 0)
			break;
	}
	if (q == NULL || !pt->ok)
		return true;
	rest = q + 5 + pt->reflen + 2;
	if (map_fold(k, (size_t)(q - k), &fk, &fl) < 0)
		return true;
	sl = ctab_get((struct ctab *)&pt->map, fk, fl, false);
	free(fk);
	if (strcmp(rest, "not found") == 0) {
		differs = sl != NULL;
	} else if (strncmp(rest, "found ", 6) == 0) {
		const char *v = strstr(rest, " -> ");

		differs = sl == NULL || v == NULL || strcmp(v + 4, sl->file) != 0;
	}
	return differs;
}

/* ---- workers ----------------------------------------------------------- */

struct version {
	struct explain *ex[MAX_SASL + 1];   /* [0]: no SASL */
	const char *user[MAX_SASL + 1];
	size_t n;
	const char *dir;
	bool sources;
	const char *const *source_tables;
	const char *const *watch_tables;
};

struct worker {
	const struct impact_opts *o;
	const struct replay_log *log;
	size_t from, to;
	struct version live, pend;
	struct explain_result rl, rp;
	struct impact_change *changes;
	size_t nchanges, capchanges;
	struct impact_undecided *und;
	size_t nund, capund;
	struct ctab reasons, outbound, hits;
	size_t replayed, undecidable, live_vs_log;
	unsigned long nout;
	bool helo_list;             /* smtpd_helo_restrictions is not empty (either version) */
	const struct ptab *changed; /* tables whose pending version may differ */
	size_t nchanged;
	bool all_changed;
	unsigned since_release;
	int err;
	char reason[256];
	size_t *done;
	pthread_mutex_t *mu;
};

static struct explain *
version_get(struct version *v, const char *sasl, char *reason, size_t size)
{
	struct explain_opts eo;
	size_t i;

	for (i = 0; i < v->n; i++) {
		if ((sasl == NULL && v->user[i] == NULL) ||
		    (sasl != NULL && v->user[i] != NULL && strcmp(sasl, v->user[i]) == 0))
			return v->ex[i];
	}
	if (v->n > MAX_SASL) {
		errno = E2BIG;
		return NULL;
	}
	memset(&eo, 0, sizeof(eo));
	eo.sources = v->sources;
	eo.source_tables = v->source_tables;
	eo.watch_tables = v->watch_tables;
	eo.sasl_user = sasl;
	v->ex[v->n] = explain_new(v->dir, &eo, NULL);
	if (v->ex[v->n] == NULL) {
		snprintf(reason, size, "%s/main.cf: %s", v->dir, strerror(errno));
		return NULL;
	}
	explain_hold(v->ex[v->n], true);
	v->user[v->n] = sasl;
	return v->ex[v->n++];
}

static void
version_fini(struct version *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		explain_release(v->ex[i]);
		explain_free(v->ex[i]);
	}
	v->n = 0;
}

/* ltrim - a trail line without its indentation */
static const char *
ltrim(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* uses_helo - the evaluation reached something that reads the HELO name */
static bool
uses_helo(const struct explain_result *r, bool helo_list)
{
	static const char *const names[] = {
		"check_helo_", "reject_invalid_helo_hostname", "reject_invalid_hostname",
		"reject_unknown_helo_hostname", "reject_unknown_hostname",
		"reject_non_fqdn_helo_hostname", "reject_non_fqdn_hostname", "reject_rhsbl_helo",
	};
	size_t i, j;

	for (i = 0; i < r->ntrail; i++) {
		const char *t = ltrim(r->trail[i]);

		if (helo_list && strncmp(t, "smtpd_helo_restrictions: skipped", 32) == 0)
			return true;
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strncmp(t, names[j], strlen(names[j])) == 0)
				return true;
	}
	return false;
}

/* in_mynetworks - permit_mynetworks matched the client */
static bool
in_mynetworks(const struct explain_result *r)
{
	size_t i;

	for (i = 0; i < r->ntrail; i++) {
		const char *t = r->trail[i];
		size_t n = strlen(t);

		if (n > 17 && strcmp(t + n - 17, " is in mynetworks") == 0)
			return true;
	}
	return false;
}

/* replace_all - S with every NEEDLE replaced by WITH, into SB */
static void
replace_all(struct strbuf *sb, const char *s, const char *needle, const char *with)
{
	size_t n = strlen(needle);
	const char *p;

	if (n == 0) {
		strbuf_addstr(sb, s);
		return;
	}
	while ((p = strstr(s, needle)) != NULL) {
		strbuf_add(sb, s, (size_t)(p - s));
		strbuf_addstr(sb, with);
		s = p + n;
	}
	strbuf_addstr(sb, s);
}

/* reason_key - DEPENDS with this transaction's own addresses made generic,
 * so that reasons group */
static char *
reason_key(const char *depends, const struct replay_txn *t, const char *prefix)
{
	struct strbuf a, b;

	strbuf_init(&a);
	strbuf_init(&b);
	strbuf_addstr(&a, prefix);
	replace_all(&a, depends, t->recipient, "the recipient");
	if (*t->sender) {
		replace_all(&b, a.buf, t->sender, "the sender");
		strbuf_reset(&a);
		strbuf_add(&a, b.buf, b.len);
		strbuf_reset(&b);
	}
	replace_all(&b, a.buf, t->client_addr, "the client");
	strbuf_fini(&a);
	return strbuf_export(&b);
}

static char *
rule_text(const struct explain_rule *r)
{
	struct strbuf sb;

	if (r->key == NULL)
		return NULL;
	strbuf_init(&sb);
	if (r->file != NULL && r->line == 0)    /* in the index, no longer in the source */
		strbuf_addf(&sb, "%s (built index only): %s %s", r->file, r->key,
			    r->value ? r->value : "");
	else if (r->file != NULL)
		strbuf_addf(&sb, "%s:%u: %s %s", r->file, r->line, r->key, r->value ? r->value : "");
	else
		strbuf_addf(&sb, "%s: %s %s", r->table ? r->table : "?", r->key,
			    r->value ? r->value : "");
	return strbuf_export(&sb);
}

static int
answer_set(struct impact_answer *a, const struct explain_result *r)
{
	struct strbuf sb;

	a->decision = r->decision;
	a->code = r->code;
	strbuf_init(&sb);
	if (r->code)
		strbuf_addf(&sb, "%d ", r->code);
	if (r->dsn[0])
		strbuf_addf(&sb, "%s ", r->dsn);
	strbuf_add(&sb, r->text.buf ? r->text.buf : "", r->text.len);
	a->reply = strbuf_export(&sb);
	a->rule = rule_text(&r->rule);
	return a->reply ? 0 : -1;
}

static bool
same_answer(const struct explain_result *a, const struct explain_result *b)
{
	return a->decision == b->decision && a->code == b->code && strcmp(a->dsn, b->dsn) == 0 &&
	       a->text.len == b->text.len &&
	       (a->text.len == 0 || memcmp(a->text.buf, b->text.buf, a->text.len) == 0);
}

/* log_agrees - the live answer is what the log shows */
static bool
log_agrees(const struct replay_txn *t, const struct explain_result *r)
{
	if (t->logged != r->decision)
		return false;
	if (t->logged == EXPLAIN_ACCEPT)
		return true;
	return t->code == r->code && strcmp(t->dsn, r->dsn) == 0 && r->text.buf != NULL &&
	       strcmp(t->text, r->text.buf) == 0;
}

static enum impact_kind
kind_of(enum explain_decision l, enum explain_decision p)
{
	bool lr = l == EXPLAIN_REJECT || l == EXPLAIN_DEFER, pr = p == EXPLAIN_REJECT || p == EXPLAIN_DEFER;

	if (l == EXPLAIN_ACCEPT && pr)
		return IMPACT_ACCEPT_TO_REJECT;
	if (lr && p == EXPLAIN_ACCEPT)
		return IMPACT_REJECT_TO_ACCEPT;
	if (l == EXPLAIN_DEFER && p == EXPLAIN_REJECT)
		return IMPACT_DEFER_TO_REJECT;
	if (l == EXPLAIN_REJECT && p == EXPLAIN_DEFER)
		return IMPACT_REJECT_TO_DEFER;
	if (l == p)
		return IMPACT_REPLY;
	return IMPACT_OTHER;
}

static void
release_all(struct version *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		explain_release(v->ex[i]);
}

/* reads_changed - the evaluation looked up a key that a changed table's
 * pending source answers otherwise (the trail names every lookup: key,
 * table, result).  Same answers to the same lookups: pending follows the
 * same path to the same answer. */
static bool
reads_changed(const struct worker *w, const struct explain_result *r)
{
	size_t i, j;

	if (w->nchanged == 0)
		return false;
	for (i = 0; i < r->ntrail; i++) {
		const char *t = ltrim(r->trail[i]);

		if (strncmp(t, "lookup '", 8) != 0)
			continue;       /* not a lookup (a restriction's own line ...) */
		for (j = 0; j < w->nchanged; j++) {
			if (strstr(t, w->changed[j].ref) == NULL)
				continue;
			if (ptab_differs(&w->changed[j], t + 8))
				return true;
		}
	}
	return false;
}

static int
one_txn(struct worker *w, const struct replay_txn *t)
{
	struct explain_probe pr;
	struct explain *le, *pe = NULL;
	const char *why = NULL;
	char *key = NULL;
	bool helo_dep;

	if (t->not_replayed != NULL) {
		/* answered after RCPT TO: explain does not evaluate that stage */
		w->replayed++;
		why = t->not_replayed;
		goto undecidable;
	}
	memset(&pr, 0, sizeof(pr));
	pr.client_addr = t->client_addr;
	pr.client_name = t->client_name;
	pr.helo = t->helo_known ? t->helo : NULL;
	pr.sender = t->sender;
	pr.recipient = t->recipient;
	/* the trail is read for the lookups in changed tables (watched), for
	 * "is in mynetworks" (both kept in a brief trail) and, when the log
	 * lacks the HELO, for the HELO restrictions reached (full trail) */
	w->rl.brief = w->rp.brief = t->helo_known;
	if ((le = version_get(&w->live, t->sasl_user, w->reason, sizeof(w->reason))) == NULL)
		return errno == E2BIG ? 1 : -1;
	if (w->o->pending &&
	    (pe = version_get(&w->pend, t->sasl_user, w->reason, sizeof(w->reason))) == NULL)
		return errno == E2BIG ? 1 : -1;
	if (explain_run(le, &pr, &w->rl) < 0)
		return -1;
	if (++w->since_release == 64) {
		/* hash tables keep their shared lock between probes (no syscalls
		 * per lookup); give postmap a chance every 64 probes */
		release_all(&w->live);
		release_all(&w->pend);
		w->since_release = 0;
	}
	if (pe != NULL && !w->all_changed && !reads_changed(w, &w->rl))
		pe = NULL;      /* same tables, same main.cf: the same answer */
	if (pe != NULL && explain_run(pe, &pr, &w->rp) < 0)
		return -1;
	w->replayed++;
	helo_dep = !t->helo_known &&
		   (uses_helo(&w->rl, w->helo_list) || (pe != NULL && uses_helo(&w->rp, w->helo_list)));
	if (helo_dep)
		why = HELO_REASON;
	else if (w->rl.decision == EXPLAIN_UNKNOWN)
		key = reason_key(w->rl.depends.buf ? w->rl.depends.buf : "?", t, "");
	else if (pe != NULL && w->rp.decision == EXPLAIN_UNKNOWN)
		key = reason_key(w->rp.depends.buf ? w->rp.depends.buf : "?", t, "pending: ");
	if (why != NULL || key != NULL) {
		int rc;
undecidable:
		rc = ctab_add(&w->reasons, key ? key : why, 1, t->time);

		if (rc == 0 && w->o->pending) {
			if (w->nund == w->capund) {
				size_t nc = w->capund ? w->capund * 2 : 64;
				struct impact_undecided *x = realloc(w->und, nc * sizeof(*x));

				if (x == NULL) {
					free(key);
					return -1;
				}
				w->und = x;
				w->capund = nc;
			}
			w->und[w->nund].txn = (size_t)(t - replay_at(w->log, 0));
			w->und[w->nund].reason = key ? key : strdup(why);
			if (w->und[w->nund].reason == NULL)
				return -1;
			w->nund++;
			key = NULL;
		}
		free(key);
		w->undecidable++;
		return rc;
	}
	if (!log_agrees(t, &w->rl))
		w->live_vs_log++;
	/* what our own users sent out: the correspondents */
	if (w->rl.decision == EXPLAIN_ACCEPT && (t->sasl_user != NULL || in_mynetworks(&w->rl))) {
		const char *at = strrchr(t->recipient, '@');

		w->nout++;
		if (ctab_add(&w->outbound, t->recipient, 1, 0) < 0)
			return -1;
		if (at != NULL && at[1] && ctab_add(&w->outbound, at + 1, 1, 0) < 0)
			return -1;
	}
	if (w->o->hits && w->rl.rule.key != NULL) {
		char *r = rule_text(&w->rl.rule);
		struct cslot *s;

		if (r == NULL || (s = ctab_get(&w->hits, r, strlen(r), true)) == NULL) {
			free(r);
			return -1;
		}
		s->count++;
		if (t->time > s->last)
			s->last = t->time;
		if (s->file == NULL && w->rl.rule.file != NULL) {
			s->file = strdup(w->rl.rule.file);
			s->line = w->rl.rule.line;
		}
		free(r);
	}
	if (pe != NULL && !same_answer(&w->rl, &w->rp)) {
		struct impact_change *c;

		if (w->nchanges == w->capchanges) {
			size_t nc = w->capchanges ? w->capchanges * 2 : 64;
			struct impact_change *x = realloc(w->changes, nc * sizeof(*x));

			if (x == NULL)
				return -1;
			w->changes = x;
			w->capchanges = nc;
		}
		c = &w->changes[w->nchanges];
		memset(c, 0, sizeof(*c));
		c->txn = (size_t)(t - replay_at(w->log, 0));
		c->kind = kind_of(w->rl.decision, w->rp.decision);
		if (answer_set(&c->live, &w->rl) < 0 || answer_set(&c->pending, &w->rp) < 0)
			return -1;
		w->nchanges++;
	}
	return 0;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	size_t i, step = 0;

	for (i = w->from; i < w->to; i++) {
		int rc;

		if (w->o->cancel != NULL && *w->o->cancel) {
			w->err = ECANCELED;
			snprintf(w->reason, sizeof(w->reason), "cancelled");
			break;
		}
		rc = one_txn(w, replay_at(w->log, i));
		if (rc < 0) {
			w->err = errno ? errno : ENOMEM;
			if (!w->reason[0])
				snprintf(w->reason, sizeof(w->reason), "%s", strerror(w->err));
			break;
		}
		if (rc > 0) {
			/* too many SASL users: not decidable, counted */
			if (ctab_add(&w->reasons, "more SASL users than pfconsole replays at once", 1, 0) < 0)
				break;
			w->undecidable++;
			w->replayed++;
		}
		if (++step == 512) {
			pthread_mutex_lock(w->mu);
			*w->done += step;
			if (w->o->progress != NULL)
				w->o->progress(w->o->arg, *w->done, replay_count(w->log));
			pthread_mutex_unlock(w->mu);
			step = 0;
		}
	}
	pthread_mutex_lock(w->mu);
	*w->done += step;
	pthread_mutex_unlock(w->mu);
	return NULL;
}

void
impact_report_init(struct impact_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	strbuf_init(&rep->names);
}

static void
answer_fini(struct impact_answer *a)
{
	free(a->reply);
	free(a->rule);
}

void
impact_report_fini(struct impact_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nchanges; i++) {
		answer_fini(&rep->changes[i].live);
		answer_fini(&rep->changes[i].pending);
	}
	free(rep->changes);
	for (i = 0; i < rep->nundecided; i++)
		free(rep->undecided[i].reason);
	free(rep->undecided);
	for (i = 0; i < rep->nreasons; i++)
		free(rep->reasons[i].key);
	free(rep->reasons);
	for (i = 0; i < rep->nhits; i++) {
		free(rep->hits[i].key);
		free(rep->hits[i].file);
	}
	free(rep->hits);
	strbuf_fini(&rep->names);
	memset(rep, 0, sizeof(*rep));
}

static int
by_count(const void *a, const void *b)
{
	const struct impact_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
by_place(const void *a, const void *b)
{
	const struct impact_count *x = a, *y = b;
	int c;

	if ((x->file == NULL) != (y->file == NULL))
		return x->file == NULL ? 1 : -1;
	if (x->file != NULL && (c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* export - the slots of T as a sorted array */
static int
export(struct ctab *t, struct impact_count **out, size_t *n, int (*cmp)(const void *, const void *))
{
	size_t i, k = 0;

	*out = calloc(t->n ? t->n : 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].key == NULL)
			continue;
		(*out)[k].key = t->v[i].key;
		(*out)[k].count = t->v[i].count;
		(*out)[k].last = t->v[i].last;
		(*out)[k].file = t->v[i].file;
		(*out)[k].line = t->v[i].line;
		t->v[i].key = NULL;
		t->v[i].file = NULL;
		k++;
	}
	*n = k;
	if (k > 1)
		qsort(*out, k, sizeof(**out), cmp);
	return 0;
}

/* index_suffix - the index file of an indexed table type, NULL for types
 * whose source Postfix itself reads (explain reads the same in both versions) */
static const char *
index_suffix(const char *type)
{
	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
		return ".db";
	if (strcmp(type, "cdb") == 0)
		return ".cdb";
	if (strcmp(type, "lmdb") == 0)
		return ".lmdb";
	return NULL;
}

static bool
newer(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

/* changed_tables - "type:name" of every indexed table main.cf references
 * whose source is newer than its index (or has no index): the only tables
 * whose live and pending versions can differ */
static int
changed_tables(const char *dir, struct ptab **out, size_t *n, bool *all)
{
	struct maincf *cf;
	size_t i, j;

	*out = NULL;
	*n = 0;
	if (maincf_load(&cf, dir, NULL) < 0)
		return 0;
	for (i = 0; i < maincf_ref_count(cf); i++) {
		const struct maincf_ref *r = maincf_ref_at(cf, i);
		const char *suf = index_suffix(r->type);
		struct stat ss, is;
		char idx[4096], *txt;
		struct ptab *nv;
		bool dup = false;

		if (suf == NULL || r->inline_body || r->name[0] != '/')
			continue;
		snprintf(idx, sizeof(idx), "%s%s", r->name, suf);
		if (stat(r->name, &ss) < 0 || (stat(idx, &is) == 0 && !newer(&ss, &is)))
			continue;
		/* the trail names tables that access restrictions read; a changed
		 * relay_domains, virtual or local user table may act unnamed */
		if (r->restriction == NULL || !maincf_role_is_access(r->role))
			*all = true;
		if (asprintf(&txt, "%s:%s", r->type, r->name) < 0)
			goto oom;
		for (j = 0; j < *n && !dup; j++)
			dup = strcmp((*out)[j].ref, txt) == 0;
		if (dup) {
			free(txt);
			continue;
		}
		nv = realloc(*out, (*n + 1) * sizeof(*nv));
		if (nv == NULL) {
			free(txt);
			goto oom;
		}
		*out = nv;
		memset(&nv[*n], 0, sizeof(nv[*n]));
		nv[*n].ref = txt;
		nv[*n].reflen = strlen(txt);
		{
			struct diag_list dl;

			diag_list_init(&dl);
			nv[*n].ok = kvparse_file(r->name, ptab_entry, &nv[*n], &dl) == 0;
			diag_list_fini(&dl);
		}
		(*n)++;
	}
	maincf_free(cf);
	return 0;
oom:
	maincf_free(cf);
	errno = ENOMEM;
	return -1;
}

static bool
list_nonempty(const char *dir)
{
	struct maincf *cf;
	const char *v;
	bool r = true;

	if (maincf_load(&cf, dir, NULL) < 0)
		return true;
	v = maincf_get(cf, "smtpd_helo_restrictions", NULL);
	if (v != NULL)
		r = v[strspn(v, " \t\r\n,")] != '\0';
	maincf_free(cf);
	return r;
}

int
impact_run(const struct impact_opts *o, const struct replay_log *log, struct impact_report *rep,
	   char *reason, size_t size)
{
	struct worker *w;
	struct ctab reasons = { 0 }, outbound = { 0 }, hits = { 0 };
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	size_t n = replay_count(log), done = 0, i, j, nchanges = 0, nund = 0;
	unsigned nt = o->threads;
	bool helo_list;
	int err = 0;
	struct ptab *changed = NULL;
	const char **srcs = NULL;
	size_t nchg = 0;
	bool all_chg = o->pending_dir != NULL || o->full;

	if (size > 0)
		reason[0] = '\0';
	if (nt == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		nt = c < 1 ? 1 : c > 4 ? 4 : (unsigned)c;
	}
	if (n < 2048)
		nt = 1;
	helo_list = list_nonempty(o->dir) ||
		    (o->pending_dir != NULL && list_nonempty(o->pending_dir));
	if (o->pending && o->pending_dir == NULL && changed_tables(o->dir, &changed, &nchg, &all_chg) < 0) {
		snprintf(reason, size, "out of memory");
		return -1;
	}
	srcs = calloc(nchg + 1, sizeof(*srcs));
	w = srcs ? calloc(nt, sizeof(*w)) : NULL;
	if (w == NULL) {
		snprintf(reason, size, "out of memory");
		errno = ENOMEM;
		goto out2;
	}
	for (i = 0; i < nchg; i++)
		srcs[i] = changed[i].ref;
	for (i = 0; i < nt; i++) {
		w[i].o = o;
		w[i].log = log;
		w[i].from = n * i / nt;
		w[i].to = n * (i + 1) / nt;
		w[i].live.dir = o->dir;
		w[i].live.sources = false;
		w[i].pend.dir = o->pending_dir ? o->pending_dir : o->dir;
		/* pending: the sources of the changed tables, the indexes of the
		 * others (built from the sources as they are now); another
		 * directory: every source */
		w[i].pend.sources = o->pending_dir != NULL;
		w[i].pend.source_tables = srcs;
		/* live: the changed tables' lookups are what reads_changed reads */
		w[i].live.watch_tables = srcs;
		w[i].helo_list = helo_list;
		w[i].changed = changed;
		w[i].nchanged = nchg;
		w[i].all_changed = all_chg;
		w[i].done = &done;
		w[i].mu = &mu;
		explain_result_init(&w[i].rl);
		explain_result_init(&w[i].rp);
	}
	/* the first instance of each version is made here, so that an
	 * unreadable main.cf is one error, not one per thread */
	if (version_get(&w[0].live, NULL, reason, size) == NULL ||
	    (o->pending && version_get(&w[0].pend, NULL, reason, size) == NULL)) {
		err = errno ? errno : EINVAL;
		goto out;
	}
	{
		pthread_t *th = calloc(nt, sizeof(*th));
		bool *started = calloc(nt, sizeof(*started));

		if (th == NULL || started == NULL) {
			free(th);
			free(started);
			err = ENOMEM;
			snprintf(reason, size, "out of memory");
			goto out;
		}
		for (i = 1; i < nt; i++)
			started[i] = pthread_create(&th[i], NULL, work, &w[i]) == 0;
		work(&w[0]);
		for (i = 1; i < nt; i++) {
			if (started[i])
				pthread_join(th[i], NULL);
			else
				work(&w[i]);
		}
		free(th);
		free(started);
	}
	for (i = 0; i < nt; i++) {
		if (w[i].err && !err) {
			err = w[i].err;
			snprintf(reason, size, "%s", w[i].reason);
		}
	}
	if (err)
		goto out;
	/* merge, in range order */
	for (i = 0; i < nt; i++) {
		struct ctab *src[3] = { &w[i].reasons, &w[i].outbound, &w[i].hits };
		struct ctab *dst[3] = { &reasons, &outbound, &hits };
		size_t k;

		rep->replayed += w[i].replayed;
		rep->undecidable += w[i].undecidable;
		rep->live_vs_log += w[i].live_vs_log;
		rep->outbound += w[i].nout;
		nchanges += w[i].nchanges;
		nund += w[i].nund;
		for (k = 0; k < 3; k++) {
			for (j = 0; j < src[k]->n; j++) {
				struct cslot *s = &src[k]->v[j], *d;

				if (s->key == NULL)
					continue;
				if ((d = ctab_get(dst[k], s->key, strlen(s->key), true)) == NULL) {
					err = ENOMEM;
					goto out;
				}
				d->count += s->count;
				if (s->last > d->last)
					d->last = s->last;
				if (d->file == NULL && s->file != NULL) {
					d->file = s->file;
					d->line = s->line;
					s->file = NULL;
				}
			}
		}
	}
	rep->changes = calloc(nchanges ? nchanges : 1, sizeof(*rep->changes));
	if (rep->changes == NULL) {
		err = ENOMEM;
		goto out;
	}
	rep->undecided = calloc(nund ? nund : 1, sizeof(*rep->undecided));
	if (rep->undecided == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < nt; i++) {
		for (j = 0; j < w[i].nchanges; j++)
			rep->changes[rep->nchanges++] = w[i].changes[j];
		w[i].nchanges = 0;
		for (j = 0; j < w[i].nund; j++)
			rep->undecided[rep->nundecided++] = w[i].und[j];
		w[i].nund = 0;
	}
	/* groups and the likely-legitimate flag */
	for (i = 0; i < rep->nchanges; i++) {
		struct impact_change *c = &rep->changes[i];
		const struct replay_txn *t = replay_at(log, c->txn);
		const char *at = strrchr(t->sender, '@');
		size_t off = rep->names.len;

		if (c->pending.rule != NULL)
			strbuf_addstr(&rep->names, c->pending.rule);
		else if (c->live.rule != NULL)
			strbuf_addf(&rep->names, "no longer: %s", c->live.rule);
		else
			strbuf_addstr(&rep->names, "(no table line)");
		strbuf_addch(&rep->names, 0);
		c->group = (const char *)(uintptr_t)off;
		if (*t->sender)
			c->legit_to = ctab_count(&outbound, t->sender, strlen(t->sender));
		if (at != NULL && at[1])
			c->legit_dom = ctab_count(&outbound, at + 1, strlen(at + 1));
	}
	for (i = 0; i < rep->nchanges; i++)
		rep->changes[i].group = rep->names.buf + (uintptr_t)rep->changes[i].group;
	if (export(&reasons, &rep->reasons, &rep->nreasons, by_count) < 0 ||
	    export(&hits, &rep->hits, &rep->nhits, by_place) < 0)
		err = ENOMEM;
out:
	for (i = 0; i < nt; i++) {
		for (j = 0; j < w[i].nchanges; j++) {
			answer_fini(&w[i].changes[j].live);
			answer_fini(&w[i].changes[j].pending);
		}
		free(w[i].changes);
		for (j = 0; j < w[i].nund; j++)
			free(w[i].und[j].reason);
		free(w[i].und);
		ctab_fini(&w[i].reasons);
		ctab_fini(&w[i].outbound);
		ctab_fini(&w[i].hits);
		version_fini(&w[i].live);
		version_fini(&w[i].pend);
		explain_result_fini(&w[i].rl);
		explain_result_fini(&w[i].rp);
	}
	free(w);
	ctab_fini(&reasons);
	ctab_fini(&outbound);
	ctab_fini(&hits);
out2:
	free(srcs);
	for (i = 0; i < nchg; i++) {
		free(changed[i].ref);
		ctab_fini(&changed[i].map);
	}
	free(changed);
	if (w == NULL && !err)
		err = ENOMEM;
	if (err) {
		if (!reason[0] || err == ENOMEM)
			snprintf(reason, size, "%s", strerror(err));
		errno = err;
		return -1;
	}
	return 0;
}
