/*
 * core/replay.h - the SMTP transactions of a Postfix mail log, rebuilt.
 *
 * One transaction is one RCPT TO: client, HELO, sender, recipient, SASL
 * user, and what smtpd answered.  They come from the lines Postfix writes:
 *  - smtpd "QID|NOQUEUE: reject: RCPT from CLIENT: REPLY; from=<> to=<>
 *    proto= helo=<>" (also discard/hold at RCPT): every field is there;
 *  - accepted mail: smtpd "QID: client=NAME[ADDR][, sasl_method=M,
 *    sasl_username=U]", qmgr "QID: from=<S>, size=...", and each delivery
 *    agent's "QID: to=<R>[, orig_to=<O>], relay=..." (the address smtpd saw
 *    is O when logged, else R; each once per message).  The HELO name of
 *    accepted mail is known only when another smtpd line of the same queue
 *    ID carries the field list (an INFO/WARN action, a later recipient's
 *    reject): Postfix logs "helo=<...>" there whenever a HELO was given.
 *    Otherwise helo_known is false: the log does not say.
 *  - answers after RCPT TO (smtpd's DATA and END-OF-MESSAGE stages,
 *    cleanup's header/body checks: "reject: header ...; from=<> to=<>")
 *    are transactions too, marked not_replayed with the reason.
 * Lines are read with core/logline (logline_parse for events,
 * logline_head for the others); nothing else of the format is known here.
 *
 * Ownership: a replay_log owns every string of its transactions; they
 * live until replay_free().  Errors: -1 with errno and a reason.
 */
#ifndef CORE_REPLAY_H
#define CORE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/explain.h"

struct replay_txn {
	time_t time;                /* when smtpd answered (the client= line for accepted mail) */
	const char *client_name;    /* as logged: "unknown" when not verified */
	const char *client_addr;
	const char *helo;           /* NULL: no HELO/EHLO (only meaningful when helo_known) */
	bool helo_known;            /* false: accepted mail whose HELO the log does not show */
	const char *sender;         /* "" for the null sender */
	const char *recipient;      /* as smtpd saw it (orig_to when logged) */
	const char *sasl_user;      /* NULL: not authenticated (or not logged) */
	const char *queue_id;       /* NULL for NOQUEUE */
	const char *host;           /* the host the line names ("mx1"); NULL: none */
	enum explain_decision logged;   /* ACCEPT, REJECT, DEFER, DISCARD or HOLD */
	int code;                   /* logged reply code; 0 for accepted mail */
	const char *dsn;            /* "5.7.1"; "" when none */
	const char *text;           /* reply text after the DSN; "" for accepted mail */
	unsigned long line;         /* 1-based line number of the deciding line */
	const char *not_replayed;   /* non-NULL: answered after RCPT TO (DATA, END-OF-MESSAGE,
	                             * header/body checks), which explain does not evaluate:
	                             * not decidable, for this reason */
};

struct replay_opts {
	time_t since;               /* keep transactions at or after this time; 0: all */
	unsigned threads;           /* > 1: a big file is parsed in two halves at once
	                             * (the same transactions); 0 or 1: one thread */
};

struct replay_log;

/*
 * replay_load - read the log file PATH ("-": standard input) and rebuild
 * its transactions, in the order smtpd answered them (accepted mail at its
 * client= line).  0, or -1 with errno and REASON.
 */
int replay_load(const char *path, const struct replay_opts *opts, struct replay_log **out,
		char *reason, size_t size);
/*
 * replay_load_sources - the same for several sources: SPECS (N >= 1) as
 * core/logmux takes them (files, directories of per-host files, "-",
 * "journal", "journal-dir:DIR", "journal-file:FILE").  Each source is
 * rebuilt on its own (queue IDs belong to one host) and the transactions
 * are merged in time order (equal times: source order, then log order).
 * HOSTS (comma-separated, NULL or "": all) keeps the transactions whose
 * line names one of them (logmux_set_host's filter).  One file and no
 * HOSTS: exactly replay_load.  replay_lines() is the sum.
 */
int replay_load_sources(const char *const *specs, size_t n, const char *hosts,
			const struct replay_opts *opts, struct replay_log **out, char *reason,
			size_t size);
/* replay_parse - the same from LEN bytes at BUF (not kept) */
int replay_parse(const char *buf, size_t len, const struct replay_opts *opts,
		 struct replay_log **out);
void replay_free(struct replay_log *rl);       /* NULL allowed */

size_t replay_count(const struct replay_log *rl);
const struct replay_txn *replay_at(const struct replay_log *rl, size_t i);
/* replay_sources - sources read (after directory expansion; 1 for one file) */
size_t replay_sources(const struct replay_log *rl);
/* replay_lines - log lines read */
unsigned long replay_lines(const struct replay_log *rl);

#endif
