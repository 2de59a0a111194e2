/*
 * core/replay.c - the SMTP transactions of a Postfix mail log, rebuilt.
 *
 * One pass over the lines.  Rejected (and deferred, discarded, held)
 * recipients become transactions at their smtpd line.  Accepted mail is
 * collected per queue ID - smtpd client=, qmgr from=, the delivery agents'
 * to=/orig_to=, and the HELO from any other smtpd line of that queue ID -
 * and becomes one transaction per distinct recipient when qmgr logs
 * "removed" (or at the end of the log).
 *
 * Strings are copied into one arena; transactions keep offsets until the
 * end, then pointers are made (the arena no longer moves).
 *
 * Several sources (replay_load_sources): core/logmux opens them (one
 * place for what a source is: files, per-host directories, the journal);
 * files are read as above, streams line by line through core/logsrc's
 * sink; each source gives its own log, merged by time at the end.
 *
 * Public: replay_load, replay_load_sources, replay_parse, replay_free, replay_count, replay_at,
 * replay_lines.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hash.h"
#include "util/htable.h"
#include "core/logline.h"
#include "core/logmux.h"
#include "core/logsrc.h"
#include "core/replay.h"
#include "util/strbuf.h"

#define NOSTR ((size_t)-1)

struct itxn {
	time_t time;
	size_t name, addr, helo, sender, rcpt, sasl, qid, dsn, text, host;
	const char *why;            /* not replayed: the reason (a static string) */
	bool helo_known;
	enum explain_decision logged;
	int code;
	unsigned long line;
};

/* an accepted message being collected */
struct msg {
	char qid[24];
	size_t qlen;
	bool used;
	time_t time;
	unsigned long line;
	size_t name, addr, sasl, helo, sender, host;
	bool helo_known, have_sender;
	size_t *rcpt;               /* arena offsets of recipients seen */
	unsigned char *done;        /* already a transaction (discard/hold at RCPT) */
	size_t nrcpt, caprcpt;
	int next;                   /* free list */
};

struct replay_log {
	struct strbuf arena;
	struct replay_log **parts;  /* replay_load_sources: the per-source logs */
	size_t nparts;
	struct itxn *it;
	size_t n, cap;
	struct replay_txn *txn;
	unsigned long lines;
	/* messages in flight */
	struct msg *msgs;
	size_t nmsgs, capmsgs;
	int freelist;
	struct htable bymsg;        /* queue ID -> index in msgs + 1 */
	size_t live;
	time_t since;
	bool oom;
	struct logline_ctx ctx;
	/* the second half of a split parse (replay_parse with threads): the
	 * lines that act on a queue ID this half has not seen, for the first
	 * half to replay at its end (NULL: one part, nothing deferred) */
	struct deferred *dfr;
	size_t ndfr, capdfr;
	bool split;
};

/* a line the second half leaves to the first: a queue-ID line (KILL:
 * only "this half's client= line starts queue ID LINE[0..LEN)": the first
 * half forgets its message of that ID, as one pass would) */
struct deferred {
	const char *line;
	size_t len;
	unsigned long lineno;       /* in the second half */
	bool kill;
};

static size_t
put(struct replay_log *rl, const char *p, size_t n)
{
	size_t off = rl->arena.len;

	if (p == NULL)
		return NOSTR;
	if (strbuf_reserve(&rl->arena, n + 1) < 0) {
		rl->oom = true;
		return NOSTR;
	}
	memcpy(rl->arena.buf + rl->arena.len, p, n);
	rl->arena.len += n;
	rl->arena.buf[rl->arena.len++] = '\0';
	return off;
}

static size_t
put_span(struct replay_log *rl, struct pf_span sp)
{
	return put(rl, sp.p, sp.n);
}

static int
add_txn(struct replay_log *rl, const struct itxn *t)
{
	if (rl->since && t->time < rl->since)
		return 0;
	if (rl->n == rl->cap) {
		size_t nc = rl->cap ? rl->cap * 2 : 1024;
		struct itxn *x = realloc(rl->it, nc * sizeof(*x));

		if (x == NULL)
			return -1;
		rl->it = x;
		rl->cap = nc;
	}
	rl->it[rl->n++] = *t;
	return 0;
}

/* ---- messages in flight, by queue ID ---------------------------------- */

static struct msg *
msg_find(struct replay_log *rl, const char *q, size_t n)
{
	struct htable_probe p;
	uint32_t id;

	if (n >= sizeof(rl->msgs[0].qid))
		return NULL;
	htable_probe_start(&rl->bymsg, &p, hash_words(q, n));
	while ((id = htable_probe_next(&rl->bymsg, &p)) != 0)
		if (rl->msgs[id - 1].qlen == n && memcmp(rl->msgs[id - 1].qid, q, n) == 0)
			return &rl->msgs[id - 1];
	return NULL;
}

/* defer - the second half leaves LINE to the first (see struct deferred) */
static int
defer(struct replay_log *rl, const char *line, size_t len, unsigned long lineno, bool kill)
{
	if (rl->ndfr == rl->capdfr) {
		size_t nc = rl->capdfr ? rl->capdfr * 2 : 256;
		struct deferred *x = realloc(rl->dfr, nc * sizeof(*x));

		if (x == NULL)
			return -1;
		rl->dfr = x;
		rl->capdfr = nc;
	}
	rl->dfr[rl->ndfr].line = line;
	rl->dfr[rl->ndfr].len = len;
	rl->dfr[rl->ndfr].lineno = lineno;
	rl->dfr[rl->ndfr].kill = kill;
	rl->ndfr++;
	return 0;
}

/* unknown - the second half of a split parse and queue ID Q unseen here:
 * the line belongs to the first half's state */
static bool
unknown(struct replay_log *rl, const char *q, size_t n)
{
	return rl->split && msg_find(rl, q, n) == NULL;
}

static struct msg *
msg_new(struct replay_log *rl, const char *q, size_t n)
{
	struct msg *m;
	struct htable_probe p;
	size_t i;

	if (n >= sizeof(m->qid) || rl->nmsgs >= INT_MAX - 1
	    || htable_reserve(&rl->bymsg, rl->live + 1) < 0)
		return NULL;
	/* msg_find found none: the probe ends on the free slot */
	htable_probe_start(&rl->bymsg, &p, hash_words(q, n));
	while (htable_probe_next(&rl->bymsg, &p) != 0)
		;
	if (rl->freelist >= 0) {
		i = (size_t)rl->freelist;
		rl->freelist = rl->msgs[i].next;
	} else {
		if (rl->nmsgs == rl->capmsgs) {
			size_t nc = rl->capmsgs ? rl->capmsgs * 2 : 256;
			struct msg *x = realloc(rl->msgs, nc * sizeof(*x));

			if (x == NULL)
				return NULL;
			rl->msgs = x;
			rl->capmsgs = nc;
		}
		i = rl->nmsgs++;
		rl->msgs[i].rcpt = NULL;
		rl->msgs[i].done = NULL;
		rl->msgs[i].caprcpt = 0;
	}
	m = &rl->msgs[i];
	{
		size_t *r = m->rcpt, cap = m->caprcpt;
		unsigned char *d = m->done;

		memset(m, 0, sizeof(*m));
		m->rcpt = r;
		m->done = d;
		m->caprcpt = cap;
	}
	memcpy(m->qid, q, n);
	m->qid[n] = '\0';
	m->qlen = n;
	m->used = true;
	m->name = m->addr = m->sasl = m->helo = m->sender = m->host = NOSTR;
	htable_insert(&rl->bymsg, &p, (uint32_t)(i + 1));
	rl->live++;
	return m;
}

static void
msg_unlink(struct replay_log *rl, struct msg *m)
{
	int i = (int)(m - rl->msgs);

	htable_remove(&rl->bymsg, hash_words(m->qid, m->qlen), (uint32_t)(i + 1));
	m->used = false;
	m->next = rl->freelist;
	rl->freelist = i;
	rl->live--;
}

static int
msg_add_rcpt(struct replay_log *rl, struct msg *m, struct pf_span r, bool done)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++) {
		const char *s = rl->arena.buf + m->rcpt[i];

		if (strlen(s) == r.n && memcmp(s, r.p, r.n) == 0) {
			if (done)
				m->done[i] = 1;
			return 0;
		}
	}
	if (m->nrcpt == m->caprcpt) {
		size_t nc = m->caprcpt ? m->caprcpt * 2 : 4;
		size_t *x = realloc(m->rcpt, nc * sizeof(*x));
		unsigned char *d;

		if (x == NULL)
			return -1;
		m->rcpt = x;
		d = realloc(m->done, nc);
		if (d == NULL)
			return -1;
		m->done = d;
		m->caprcpt = nc;
	}
	m->rcpt[m->nrcpt] = put_span(rl, r);
	if (m->rcpt[m->nrcpt] == NOSTR)
		return -1;
	m->done[m->nrcpt] = done;
	m->nrcpt++;
	return 0;
}

/* msg_finish - one accepted transaction per recipient, then forget M */
static int
msg_finish(struct replay_log *rl, struct msg *m)
{
	size_t i;
	int rc = 0;

	if (m->addr != NOSTR && m->have_sender) {
		for (i = 0; i < m->nrcpt && rc == 0; i++) {
			struct itxn t;

			if (m->done[i])
				continue;
			memset(&t, 0, sizeof(t));
			t.time = m->time;
			t.name = m->name;
			t.addr = m->addr;
			t.helo = m->helo;
			t.helo_known = m->helo_known;
			t.sender = m->sender;
			t.rcpt = m->rcpt[i];
			t.sasl = m->sasl;
			t.host = m->host;
			t.qid = put(rl, m->qid, m->qlen);
			t.dsn = t.text = NOSTR;
			t.why = NULL;
			t.logged = EXPLAIN_ACCEPT;
			t.line = m->line;
			rc = add_txn(rl, &t);
		}
	}
	m->nrcpt = 0;
	msg_unlink(rl, m);
	return rc;
}

/* ---- line shapes ------------------------------------------------------ */

/* qid_prefix - "QID: " at the start of MSG; length of QID or 0 */
static size_t
qid_prefix(const char *p, const char *e)
{
	const char *q = p;

	if (q >= e || !((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z')))
		return 0;
	while (q < e && ((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') ||
			 (*q >= 'a' && *q <= 'z')))
		q++;
	if (q - p < 5 || e - q < 2 || q[0] != ':' || q[1] != ' ')
		return 0;
	return (size_t)(q - p);
}

static bool
starts(const char *p, const char *e, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

/* angle_value - the value of KEY=<...> at P: up to the first '>' followed
 * by ", " or the end */
static struct pf_span
angle_value(const char *p, const char *e)
{
	struct pf_span sp = { NULL, 0 };
	const char *q = p;

	while ((q = memchr(q, '>', (size_t)(e - q))) != NULL) {
		if (q + 1 == e || (e - q >= 3 && q[1] == ',' && q[2] == ' ')) {
			sp.p = p;
			sp.n = (size_t)(q - p);
			return sp;
		}
		q++;
	}
	return sp;
}

/* field_after - the ", KEY=VALUE" value (up to ", " or the end) in [p, e) */
static struct pf_span
field_after(const char *p, const char *e, const char *key)
{
	struct pf_span sp = { NULL, 0 };
	size_t kn = strlen(key);
	const char *q = p;

	while (q < e && (q = memchr(q, key[0], (size_t)(e - q))) != NULL) {
		if ((size_t)(e - q) > kn && memcmp(q, key, kn) == 0 && q >= p + 2 && q[-1] == ' ' &&
		    q[-2] == ',') {
			const char *v = q + kn, *ve = v;

			while (ve < e && !(ve[0] == ',' && ve + 1 < e && ve[1] == ' '))
				ve++;
			sp.p = v;
			sp.n = (size_t)(ve - v);
			return sp;
		}
		q++;
	}
	return sp;
}

/* sasl_from_line - " sasl_username=U" at the end of an smtpd event line
 * (after the field list; the parser leaves it to us) */
static struct pf_span
sasl_from_line(struct pf_span line)
{
	struct pf_span sp = { NULL, 0 };
	const char *e = line.p + line.n, *k = "sasl_username=";
	const char *q;

	for (q = e - 14; q > line.p; q--) {
		if (q[-1] == ' ' && memcmp(q, k, 14) == 0) {
			const char *v = q + 14, *ve = v;

			while (ve < e && *ve != ' ')
				ve++;
			sp.p = v;
			sp.n = (size_t)(ve - v);
			return sp;
		}
		if (*q == ';')
			break;
	}
	return sp;
}

/* after_rcpt_reason - why an answer given after RCPT TO is not replayed;
 * NULL for a stage before it (CONNECT, HELO, MAIL: no recipient yet) */
static const char *
after_rcpt_reason(const struct pf_event *ev)
{
	if (pf_span_eq(ev->stage, "DATA"))
		return "answered at DATA (smtpd_data_restrictions): pfconsole replays RCPT TO only";
	if (pf_span_eq(ev->stage, "END-OF-MESSAGE") || pf_span_eq(ev->stage, "BDAT"))
		return "answered at END-OF-MESSAGE (smtpd_end_of_data_restrictions): pfconsole "
		       "replays RCPT TO only";
	if (pf_span_eq(ev->stage, "header"))
		return "a header_checks action (cleanup): pfconsole replays RCPT TO only";
	if (pf_span_eq(ev->stage, "body"))
		return "a body_checks action (cleanup): pfconsole replays RCPT TO only";
	return NULL;
}

static int
smtpd_event_line(struct replay_log *rl, const struct pf_event *ev, unsigned long lineno)
{
	struct msg *m = NULL;
	enum explain_decision d;
	struct itxn t;
	bool rcpt = pf_span_eq(ev->stage, "RCPT");

	if (ev->queue_id.p != NULL)
		m = msg_find(rl, ev->queue_id.p, ev->queue_id.n);
	if (m != NULL && ev->from.p != NULL) {
		/* any smtpd line with the field list says whether a HELO was given */
		m->helo_known = true;
		if (ev->helo.p != NULL && m->helo == NOSTR)
			m->helo = put_span(rl, ev->helo);
	}
	switch (ev->action) {
	case PF_ACT_REJECT:
		d = EXPLAIN_REJECT;
		break;
	case PF_ACT_DEFER:
		d = EXPLAIN_DEFER;
		break;
	case PF_ACT_DISCARD:
		d = EXPLAIN_DISCARD;
		break;
	case PF_ACT_HOLD:
		d = EXPLAIN_HOLD;
		break;
	default:
		return 0;
	}
	if (ev->to.p == NULL || ev->from.p == NULL || ev->client_ip.p == NULL)
		return 0;
	memset(&t, 0, sizeof(t));
	if (!rcpt) {
		/* an answer after RCPT TO (smtpd's DATA or END-OF-MESSAGE stage,
		 * cleanup's header and body checks): a transaction, not replayed */
		t.why = after_rcpt_reason(ev);
		if (t.why == NULL)
			return 0;
	}
	t.time = ev->time;
	t.name = ev->client_name.p ? put_span(rl, ev->client_name) : put(rl, "unknown", 7);
	t.addr = put_span(rl, ev->client_ip);
	t.helo = put_span(rl, ev->helo);
	t.helo_known = true;
	t.sender = put_span(rl, ev->from);
	t.rcpt = put_span(rl, ev->to);
	t.sasl = put_span(rl, sasl_from_line(ev->line));
	t.host = put_span(rl, ev->host);
	t.qid = put_span(rl, ev->queue_id);
	t.logged = d;
	t.code = ev->code;
	t.dsn = ev->dsn.p ? put_span(rl, ev->dsn) : put(rl, "", 0);
	t.text = put_span(rl, ev->reason);
	t.line = lineno;
	if (t.text == NOSTR)
		t.text = put(rl, "", 0);
	if (m != NULL && (d == EXPLAIN_DISCARD || d == EXPLAIN_HOLD)) {
		if (msg_add_rcpt(rl, m, ev->to, true) < 0)
			return -1;
	}
	return add_txn(rl, &t);
}

/* client_line - "client=NAME[ADDR][:PORT][, sasl_method=..., sasl_username=U...]" */
static int
client_line(struct replay_log *rl, const char *qid, size_t qn, const char *p, const char *e,
	    unsigned long lineno, const char *line, size_t len)
{
	const char *lb, *rb;
	struct msg *m;
	struct pf_event hv;
	struct pf_span sasl;

	lb = memchr(p, '[', (size_t)(e - p));
	if (lb == NULL)
		return 0;
	rb = memchr(lb, ']', (size_t)(e - lb));
	if (rb == NULL)
		return 0;
	if ((m = msg_find(rl, qid, qn)) != NULL)
		msg_unlink(rl, m);
	else if (rl->split && defer(rl, qid, qn, lineno, true) < 0)
		return -1;
	if ((m = msg_new(rl, qid, qn)) == NULL)
		return qn >= sizeof(m->qid) ? 0 : -1;
	if (logline_head(line, len, &rl->ctx, true, &hv) == LOGLINE_OTHER) {
		m->time = hv.time;
		m->host = put_span(rl, hv.host);
	}
	m->line = lineno;
	m->name = lb > p ? put(rl, p, (size_t)(lb - p)) : put(rl, "unknown", 7);
	m->addr = put(rl, lb + 1, (size_t)(rb - lb - 1));
	sasl = field_after(rb, e, "sasl_username=");
	m->sasl = put_span(rl, sasl);
	return 0;
}

/* may_matter - a cheap test before the line's head is parsed: every line
 * one_line acts on holds "=<" (from=<, to=<, orig_to=<), "client=" or
 * ends in "removed"; connect, disconnect and most other lines hold none */
static bool
may_matter(const char *line, size_t len)
{
	const char *p = line, *e = line + len, *q;

	while (e > line && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (e - line >= 7 && memcmp(e - 7, "removed", 7) == 0)
		return true;
	while ((q = memchr(p, '=', (size_t)(e - p))) != NULL) {
		if (q + 1 < e && q[1] == '<')
			return true;
		if (q - line >= 6 && memcmp(q - 6, "client", 6) == 0)
			return true;
		p = q + 1;
	}
	return false;
}

static int
one_line(struct replay_log *rl, const char *line, size_t len, unsigned long lineno)
{
	struct pf_event ev;
	const char *p, *e;
	size_t qn;

	if (!may_matter(line, len))
		return 0;
	if (logline_head(line, len, &rl->ctx, false, &ev) != LOGLINE_OTHER)
		return 0;
	p = ev.message.p;
	e = p + ev.message.n;
	if (pf_span_eq(ev.program, "smtpd")) {
		qn = qid_prefix(p, e);
		if (qn == 0) {
			if (!starts(p, e, "NOQUEUE: "))
				return 0;
		} else if (starts(p + qn + 2, e, "client=")) {
			return client_line(rl, p, qn, p + qn + 9, e, lineno, line, len);
		}
		if (logline_parse(line, len, &rl->ctx, &ev) != LOGLINE_EVENT)
			return 0;
		if (ev.queue_id.p != NULL && unknown(rl, ev.queue_id.p, ev.queue_id.n))
			return defer(rl, line, len, lineno, false);
		return smtpd_event_line(rl, &ev, lineno);
	}
	if (pf_span_eq(ev.program, "cleanup")) {
		/* header/body checks: "QID: reject: header ...; from=<> to=<>..." */
		if (qid_prefix(p, e) == 0 || logline_parse(line, len, &rl->ctx, &ev) != LOGLINE_EVENT)
			return 0;
		if (ev.queue_id.p != NULL && unknown(rl, ev.queue_id.p, ev.queue_id.n))
			return defer(rl, line, len, lineno, false);
		return smtpd_event_line(rl, &ev, lineno);
	}
	qn = qid_prefix(p, e);
	if (qn == 0)
		return 0;
	if (unknown(rl, p, qn)) {
		/* only qmgr's from=/removed and the delivery agents' to= act */
		if ((pf_span_eq(ev.program, "qmgr") &&
		     (starts(p + qn + 2, e, "from=<") ||
		      (e - (p + qn + 2) == 7 && memcmp(p + qn + 2, "removed", 7) == 0))) ||
		    starts(p + qn + 2, e, "to=<"))
			return defer(rl, line, len, lineno, false);
		return 0;
	}
	if (pf_span_eq(ev.program, "qmgr")) {
		struct msg *m;

		p += qn + 2;
		if (starts(p, e, "from=<")) {
			struct pf_span s = angle_value(p + 6, e);

			if (s.p != NULL && (m = msg_find(rl, ev.message.p, qn)) != NULL && !m->have_sender) {
				m->sender = put_span(rl, s);
				m->have_sender = true;
			}
		} else if (e - p == 7 && memcmp(p, "removed", 7) == 0) {
			if ((m = msg_find(rl, ev.message.p, qn)) != NULL)
				return msg_finish(rl, m);
		}
		return 0;
	}
	if (starts(p + qn + 2, e, "to=<")) {
		struct msg *m = msg_find(rl, p, qn);
		struct pf_span to, orig;

		if (m == NULL)
			return 0;
		to = angle_value(p + qn + 6, e);
		if (to.p == NULL)
			return 0;
		orig = field_after(to.p + to.n, e, "orig_to=<");
		if (orig.p != NULL) {
			orig = angle_value(orig.p, e);
			if (orig.p != NULL)
				to = orig;
		}
		return msg_add_rcpt(rl, m, to, false);
	}
	return 0;
}

static int
by_line(const void *a, const void *b)
{
	const struct itxn *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->rcpt < y->rcpt ? -1 : x->rcpt > y->rcpt;
}

static struct replay_log *
rl_new(const struct replay_opts *opts)
{
	struct replay_log *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	strbuf_init(&rl->arena);
	rl->freelist = -1;
	rl->since = opts ? opts->since : 0;
	logline_ctx_init(&rl->ctx, 0);
	if (strbuf_reserve(&rl->arena, 1 << 20) < 0) {
		free(rl);
		return NULL;
	}
	return rl;
}

/* rl_flush - the messages still in flight at the end: what was seen of them */
static int
rl_flush(struct replay_log *rl)
{
	size_t i;

	for (i = 0; i < rl->nmsgs; i++)
		if (rl->msgs[i].used && msg_finish(rl, &rl->msgs[i]) < 0)
			return -1;
	return 0;
}

/* rl_finish - the messages still in flight, the order, the pointers */
static int
rl_finish(struct replay_log *rl)
{
	size_t i;

	if (rl_flush(rl) < 0)
		return -1;
	/* accepted mail was added when qmgr removed it: put every transaction
	 * in the order smtpd answered (line, then the order recipients were
	 * seen, which their arena offsets keep) */
	if (rl->n > 1)
		qsort(rl->it, rl->n, sizeof(*rl->it), by_line);
	if (rl->oom)
		return -1;
	rl->txn = calloc(rl->n ? rl->n : 1, sizeof(*rl->txn));
	if (rl->txn == NULL)
		return -1;
	for (i = 0; i < rl->n; i++) {
		const struct itxn *t = &rl->it[i];
		struct replay_txn *x = &rl->txn[i];
		const char *a = rl->arena.buf;

		x->time = t->time;
		x->client_name = t->name != NOSTR ? a + t->name : "unknown";
		x->client_addr = a + t->addr;
		x->helo = t->helo != NOSTR ? a + t->helo : NULL;
		x->helo_known = t->helo_known;
		x->sender = a + t->sender;
		x->recipient = a + t->rcpt;
		x->sasl_user = t->sasl != NOSTR ? a + t->sasl : NULL;
		x->queue_id = t->qid != NOSTR ? a + t->qid : NULL;
		x->host = t->host != NOSTR ? a + t->host : NULL;
		x->logged = t->logged;
		x->code = t->code;
		x->dsn = t->dsn != NOSTR ? a + t->dsn : "";
		x->text = t->text != NOSTR ? a + t->text : "";
		x->line = t->line;
		x->not_replayed = t->why;
	}
	for (i = 0; i < rl->nmsgs; i++) {
		free(rl->msgs[i].rcpt);
		free(rl->msgs[i].done);
	}
	free(rl->msgs);
	rl->msgs = NULL;
	rl->nmsgs = 0;
	htable_fini(&rl->bymsg);
	return 0;
}

/* part - one range of lines into its log (a thread of a split parse) */
struct part {
	struct replay_log *rl;
	const char *p, *e;
	int rc;
};

static void *
parse_part(void *arg)
{
	struct part *pt = arg;
	const char *p = pt->p, *e = pt->e;

	pt->rc = 0;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		/* a NUL run (a crash hole) ends a line as the follower reads it
		 * (core/logsrc): the line is what follows the last NUL, the torn
		 * text before the hole is no line (line numbers still count
		 * newlines) */
		const char *z = memrchr(p, '\0', (size_t)(le - p));
		const char *ls = z ? z + 1 : p;

		pt->rl->lines++;
		if (one_line(pt->rl, ls, (size_t)(le - ls), pt->rl->lines) < 0) {
			pt->rc = -1;
			break;
		}
		p = nl ? nl + 1 : e;
	}
	return NULL;
}

/* join - the second half B after the first A, as one pass would have
 * made it: B's deferred lines replayed into A's state (after A's own
 * lines, before A's messages in flight are finished), then B's
 * transactions and strings appended to A's (line numbers after A's) */
static int
join(struct replay_log *a, struct replay_log *b)
{
	size_t i, base;
	unsigned long off = a->lines;

	for (i = 0; i < b->ndfr; i++) {
		const struct deferred *d = &b->dfr[i];

		if (d->kill) {
			struct msg *m = msg_find(a, d->line, d->len);

			if (m != NULL)
				msg_unlink(a, m);
		} else if (one_line(a, d->line, d->len, d->lineno + off) < 0) {
			return -1;
		}
	}
	if (rl_flush(a) < 0 || rl_flush(b) < 0 || a->oom || b->oom)
		return -1;
	base = a->arena.len;
	if (strbuf_add(&a->arena, b->arena.buf, b->arena.len) < 0)
		return -1;
	if (a->n + b->n > a->cap) {
		struct itxn *x = realloc(a->it, (a->n + b->n) * sizeof(*x));

		if (x == NULL)
			return -1;
		a->it = x;
		a->cap = a->n + b->n;
	}
	for (i = 0; i < b->n; i++) {
		struct itxn t = b->it[i];
		size_t *f[] = { &t.name, &t.addr, &t.helo, &t.sender, &t.rcpt, &t.sasl,
				&t.qid, &t.dsn, &t.text, &t.host };
		size_t k;

		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (*f[k] != NOSTR)
				*f[k] += base;
		t.line += off;
		a->it[a->n++] = t;
	}
	a->lines += b->lines;
	return 0;
}

/* SPLIT_MIN - below this many bytes one thread parses the log */
#define SPLIT_MIN (4u << 20)

int
replay_parse(const char *buf, size_t len, const struct replay_opts *opts, struct replay_log **out)
{
	struct replay_log *rl, *second = NULL;
	struct part pa, pb;
	const char *mid = NULL;
	pthread_t th;
	bool started = false;

	*out = NULL;
	if ((rl = rl_new(opts)) == NULL)
		goto oom;
	pa.rl = rl;
	pa.p = buf;
	pa.e = buf + len;
	if (opts != NULL && opts->threads > 1 && len >= SPLIT_MIN)
		mid = memchr(buf + len / 2, '\n', len - len / 2);
	if (mid != NULL && mid + 1 < buf + len && (second = rl_new(opts)) != NULL) {
		/* two halves at a line boundary, parsed at once */
		second->split = true;
		pa.e = mid + 1;
		pb.rl = second;
		pb.p = mid + 1;
		pb.e = buf + len;
		pb.rc = 0;
		started = pthread_create(&th, NULL, parse_part, &pb) == 0;
		if (!started) {
			replay_free(second);
			second = NULL;
			pa.e = buf + len;
		}
	}
	parse_part(&pa);
	if (started)
		pthread_join(th, NULL);
	if (pa.rc < 0 || (second != NULL && (pb.rc < 0 || join(rl, second) < 0)))
		goto oom;
	replay_free(second);
	second = NULL;
	if (rl_finish(rl) < 0)
		goto oom;
	*out = rl;
	return 0;
oom:
	replay_free(second);
	replay_free(rl);
	errno = ENOMEM;
	return -1;
}

int
replay_load(const char *path, const struct replay_opts *opts, struct replay_log **out,
	    char *reason, size_t size)
{
	struct stat st;
	int fd, rc, e;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		struct strbuf sb;
		char tmp[65536];
		ssize_t n;

		strbuf_init(&sb);
		while ((n = read(0, tmp, sizeof(tmp))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				e = errno;
				snprintf(reason, size, "read standard input: %s", strerror(e));
				strbuf_fini(&sb);
				errno = e;
				return -1;
			}
			if (strbuf_add(&sb, tmp, (size_t)n) < 0) {
				strbuf_fini(&sb);
				snprintf(reason, size, "out of memory");
				errno = ENOMEM;
				return -1;
			}
		}
		rc = replay_parse(sb.buf ? sb.buf : "", sb.len, opts, out);
		e = errno;
		strbuf_fini(&sb);
		if (rc < 0)
			snprintf(reason, size, "out of memory");
		errno = e;
		return rc;
	}
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		snprintf(reason, size, "open %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(reason, size, "%s: not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return replay_parse("", 0, opts, out);
	}
	{
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		e = errno;
		close(fd);
		if (map == MAP_FAILED) {
			snprintf(reason, size, "mmap %s: %s", path, strerror(e));
			errno = e;
			return -1;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
		rc = replay_parse(map, (size_t)st.st_size, opts, out);
		e = errno;
		munmap(map, (size_t)st.st_size);
		if (rc < 0)
			snprintf(reason, size, "out of memory");
		errno = e;
		return rc;
	}
}

void
replay_free(struct replay_log *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->nparts; i++)
		replay_free(rl->parts[i]);
	free(rl->parts);
	for (i = 0; i < rl->nmsgs; i++) {
		free(rl->msgs[i].rcpt);
		free(rl->msgs[i].done);
	}
	free(rl->msgs);
	htable_fini(&rl->bymsg);
	free(rl->it);
	free(rl->txn);
	free(rl->dfr);
	strbuf_fini(&rl->arena);
	free(rl);
}

size_t
replay_count(const struct replay_log *rl)
{
	return rl->n;
}

const struct replay_txn *
replay_at(const struct replay_log *rl, size_t i)
{
	return i < rl->n ? &rl->txn[i] : NULL;
}

size_t
replay_sources(const struct replay_log *rl)
{
	return rl->nparts ? rl->nparts : 1;
}

unsigned long
replay_lines(const struct replay_log *rl)
{
	return rl->lines;
}

/* ---- several sources ---------------------------------------------------- */

struct stream {
	struct replay_log *rl;
	int err;
};

static void
stream_line(struct stream *st, const char *p, size_t n)
{
	st->rl->lines++;
	if (!st->err && one_line(st->rl, p, n, st->rl->lines) < 0)
		st->err = ENOMEM;
}

static int
stream_event(void *arg, const struct pf_event *ev)
{
	struct stream *st = arg;

	stream_line(st, ev->line.p, ev->line.n);
	return st->err != 0;
}

static void
stream_other(void *arg, const char *line, size_t n)
{
	stream_line(arg, line, n);
}

/* load_stream - a source that is no regular file, read to its end */
static int
load_stream(struct logsrc *ls, const struct replay_opts *opts, struct replay_log **out,
	    char *reason, size_t size)
{
	struct stream st = { NULL, 0 };
	struct feed_sink sink;

	if ((st.rl = rl_new(opts)) == NULL)
		goto oom;
	memset(&sink, 0, sizeof(sink));
	sink.arg = &st;
	sink.event = stream_event;
	sink.other = stream_other;
	if (logsrc_read(ls, &sink, reason, size) < 0 && !st.err) {
		replay_free(st.rl);
		return -1;
	}
	if (st.err || rl_finish(st.rl) < 0)
		goto oom;
	*out = st.rl;
	return 0;
oom:
	replay_free(st.rl);
	snprintf(reason, size, "out of memory");
	errno = ENOMEM;
	return -1;
}

struct mref {
	time_t time;
	unsigned src;
	size_t i;
};

static int
by_time(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
replay_load_sources(const char *const *specs, size_t n, const char *hosts,
		    const struct replay_opts *opts, struct replay_log **out, char *reason,
		    size_t size)
{
	struct logmux *m;
	struct replay_log *rl = NULL;
	struct mref *refs = NULL;
	size_t i, j, k, total = 0, nsrc;
	int e;

	*out = NULL;
	if (n == 1 && (hosts == NULL || *hosts == '\0')) {
		struct stat st;

		/* one file: as it always was (a directory or a journal goes on) */
		if (strcmp(specs[0], "-") == 0 || (stat(specs[0], &st) == 0 && S_ISREG(st.st_mode)))
			return replay_load(specs[0], opts, out, reason, size);
	}
	m = logmux_open(specs, n, false, reason, size);
	if (m == NULL)
		return -1;
	if (logmux_set_host(m, hosts) < 0)
		goto oom;
	nsrc = logmux_count(m);
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		goto oom;
	strbuf_init(&rl->arena);
	if ((rl->parts = calloc(nsrc ? nsrc : 1, sizeof(*rl->parts))) == NULL)
		goto oom;
	for (i = 0; i < nsrc; i++) {
		struct logsrc *ls = logmux_src(m, i);
		struct replay_log *part;
		int rc;

		if (logsrc_size(ls) >= 0)
			rc = replay_load(logsrc_name(ls), opts, &part, reason, size);
		else
			rc = load_stream(ls, opts, &part, reason, size);
		if (rc < 0)
			goto fail;
		rl->parts[rl->nparts++] = part;
		rl->lines += part->lines;
		total += part->n;
	}
	if ((refs = calloc(total ? total : 1, sizeof(*refs))) == NULL ||
	    (rl->txn = calloc(total ? total : 1, sizeof(*rl->txn))) == NULL)
		goto oom;
	for (i = 0, k = 0; i < rl->nparts; i++) {
		const struct replay_log *part = rl->parts[i];

		for (j = 0; j < part->n; j++) {
			const char *h = part->txn[j].host;

			if (!logmux_host_wanted(m, h, h ? strlen(h) : 0))
				continue;
			refs[k].time = part->txn[j].time;
			refs[k].src = (unsigned)i;
			refs[k].i = j;
			k++;
		}
	}
	if (k > 1)
		qsort(refs, k, sizeof(*refs), by_time);
	for (i = 0; i < k; i++)
		rl->txn[i] = rl->parts[refs[i].src]->txn[refs[i].i];
	rl->n = k;
	free(refs);
	logmux_close(m);
	*out = rl;
	return 0;
oom:
	snprintf(reason, size, "out of memory");
	errno = ENOMEM;
fail:
	e = errno;
	free(refs);
	replay_free(rl);
	logmux_close(m);
	errno = e;
	return -1;
}
