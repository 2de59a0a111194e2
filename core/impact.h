/*
 * core/impact.h - replay logged SMTP transactions against the tables.
 *
 * impact_run() evaluates every transaction of a replay_log (core/replay.h)
 * with core/explain twice: "live" (the built indexes, what Postfix reads
 * now) and "pending" (the table sources as saved: what Apply would put
 * live; or another configuration directory, e.g. a snapshot holding the
 * console's unsaved edits).  Both read main.cf from their directory.  A
 * transaction whose decision, in either version, depends on something the
 * log does not hold - the HELO name of accepted mail, DNS, a local user
 * list pfconsole cannot read - is "not decidable", with the reason; it is
 * never guessed.  The others are compared: decision, reply code, DSN and
 * text.  Optionally (hits) the live version's deciding table line of each
 * transaction is counted.
 *
 * The transactions are split between worker threads, each with its own
 * explain instances (one per version, and one per SASL user seen).
 *
 * Ownership: a report owns its strings; the replay_log must outlive it
 * (changes refer to its transactions by index).  Nothing prints.
 */
#ifndef CORE_IMPACT_H
#define CORE_IMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/explain.h"
#include "core/replay.h"
#include "util/strbuf.h"

struct impact_opts {
	const char *dir;            /* configuration directory (main.cf, tables) */
	const char *pending_dir;    /* NULL: DIR; pending always reads table sources */
	bool pending;               /* evaluate the pending version (impact) */
	bool hits;                  /* count the live version's deciding lines (hits) */
	bool full;                  /* evaluate pending for every transaction, not only
	                             * where a changed table answers otherwise */
	unsigned threads;           /* 0: one per CPU, at most 4 */
	const volatile int *cancel; /* non-NULL and set: stop early (result: ECANCELED) */
	/* progress (may be NULL): called from worker threads, now and then */
	void (*progress)(void *arg, size_t done, size_t total);
	void *arg;
};

/* One version's answer to a transaction. */
struct impact_answer {
	enum explain_decision decision;
	int code;
	char *reply;                /* "554 5.7.1 <a@b>: Sender address rejected: ..." */
	char *rule;                 /* "FILE:LINE: KEY VALUE" of the deciding entry, NULL: none */
};

enum impact_kind {
	IMPACT_ACCEPT_TO_REJECT,    /* accepted -> rejected or deferred */
	IMPACT_REJECT_TO_ACCEPT,    /* rejected or deferred -> accepted */
	IMPACT_DEFER_TO_REJECT,
	IMPACT_REJECT_TO_DEFER,
	IMPACT_REPLY,               /* same decision, other code or text */
	IMPACT_OTHER,               /* discard / hold involved */
	IMPACT_NKINDS
};

/* impact_kind_name - "accept->reject", "reject->accept", ... */
const char *impact_kind_name(enum impact_kind k);

struct impact_change {
	size_t txn;                 /* index in the replay_log */
	enum impact_kind kind;
	struct impact_answer live, pending;
	const char *group;          /* the pending line that decides it, else
	                             * "no longer: " + the live line; "(no table line)" */
	unsigned long legit_to;     /* messages our users sent to the sender's address */
	unsigned long legit_dom;    /* ... to the sender's domain */
};

struct impact_count {
	char *key;                  /* a reason, or a rule "FILE:LINE: KEY VALUE" */
	unsigned long count;
	time_t last;                /* hits: time of the last transaction */
	char *file;                 /* hits: the rule's file and line (file NULL: none) */
	unsigned line;
};

struct impact_undecided {
	size_t txn;                 /* index in the replay_log */
	char *reason;
};

struct impact_report {
	size_t replayed;            /* transactions evaluated */
	size_t undecidable;
	size_t live_vs_log;         /* decidable transactions whose live answer is not
	                             * what the log shows (the configuration changed since) */
	struct impact_count *reasons;       /* not decidable, by reason, most first */
	size_t nreasons;
	struct impact_change *changes;      /* in log order */
	size_t nchanges;
	struct impact_undecided *undecided; /* in log order (impact only) */
	size_t nundecided;
	struct impact_count *hits;  /* hits: by deciding line (file, line order) */
	size_t nhits;
	unsigned long outbound;     /* messages our users sent (mynetworks or SASL) */
	struct strbuf names;        /* internal: group strings */
};

void impact_report_init(struct impact_report *rep);
void impact_report_fini(struct impact_report *rep);

/* impact_run - evaluate LOG as OPTS says into REP.  0, or -1 with errno
 * and REASON (main.cf unreadable, ENOMEM, ECANCELED). */
int impact_run(const struct impact_opts *opts, const struct replay_log *log,
	       struct impact_report *rep, char *reason, size_t size);

#endif
