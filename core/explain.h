/*
 * core/explain.h - what Postfix 3.7's smtpd would answer at RCPT TO, and why.
 *
 * explain_new() reads DIR/main.cf (core/maincf.h) once and opens tables
 * lazily, each once, the way smtpd does (core/access.h for the results,
 * maps/ backends for cdb/hash/regexp/pcre/cidr, postmap for btree/lmdb, our own
 * readers for texthash/inline).  explain_run() evaluates one probe:
 * smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, then smtpd_relay_restrictions and
 * smtpd_recipient_restrictions in smtpd's order (smtpd_delay_reject,
 * smtpd_relay_before_recipient_restrictions, compatibility_level defaults),
 * with restriction classes, every access(5) action and the built-in
 * restrictions.  What needs DNS, RBLs, policy services, SASL, TLS or milters
 * is never guessed: the decision is EXPLAIN_UNKNOWN and `depends` names it,
 * unless an earlier restriction already decided.
 *
 * The result carries the reply as smtpd sends it (code, DSN, text after the
 * DSN), a trail of what was evaluated (restrictions, tables, keys, the
 * entry that matched with FILE:LINE) and the decisive table entry.
 *
 * Ownership: struct explain owns its tables; a result owns its strings
 * (explain_result_init/fini; explain_run resets it first).  Nothing prints.
 */
#ifndef CORE_EXPLAIN_H
#define CORE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "util/strbuf.h"

struct explain;

struct explain_opts {
	bool sources;               /* look up table sources, not built indexes */
	bool assume_dns_ok;         /* DNS-based checks find what they look for */
	const char *sasl_user;      /* the client authenticated as this user */
	const char *service;        /* master.cf smtpd service ("name" or "name/type")
	                             * whose -o options override main.cf; NULL: main.cf */
	const char *const *source_tables;   /* without `sources`: these tables ("type:name",
	                             * proxy: left out) are read from their sources, the
	                             * others from their indexes; NULL-terminated, may be NULL */	const char *const *watch_tables;    /* same form: their lookups stay in a brief
	                             * trail (explain_result.brief); may be NULL */
};

/* One probe: strings are borrowed for the call. */
struct explain_probe {
	const char *client_addr;    /* "192.0.2.1" or "2001:db8::1" */
	const char *client_name;    /* verified name; NULL or "" -> "unknown" */
	const char *helo;           /* NULL: no HELO/EHLO was sent */
	const char *sender;         /* "" is the null sender <> */
	const char *recipient;
};

enum explain_decision {
	EXPLAIN_ACCEPT,
	EXPLAIN_REJECT,             /* 5xx */
	EXPLAIN_DEFER,              /* 4xx */
	EXPLAIN_DISCARD,
	EXPLAIN_HOLD,
	EXPLAIN_UNKNOWN,
};

/* explain_decision_name - "accept", "reject", "defer", "discard", "hold", "unknown" */
const char *explain_decision_name(enum explain_decision d);

struct explain_rule {
	char *file;                 /* source file of the deciding entry; NULL if none */
	unsigned line;              /* 0 if unknown (e.g. an index without source) */
	char *key;                  /* the table key that matched (pattern text for regexp) */
	char *table;                /* "hash:/etc/postfix/access" */
	char *value;                /* the result it returned */
};

struct explain_result {
	enum explain_decision decision;
	int code;                   /* 250, 554 ...; 0 for unknown */
	char dsn[12];               /* "2.1.5", "5.7.1"; "" for unknown */
	struct strbuf text;         /* the reply after the DSN, exactly as sent */
	const char *stage;          /* "RCPT", "MAIL", "HELO", "CONNECT": the command answered */
	struct strbuf depends;      /* unknown: what it depends on */
	struct explain_rule rule;   /* the decisive table entry (rule.file NULL: none) */
	/* the trail: one line per step, in order; the strings live in
	 * trail_text (internal), valid until the next explain_run */
	char **trail;
	size_t ntrail, captrail;
	struct strbuf trail_text;   /* internal: the lines, NUL-separated */
	size_t *trail_off;          /* internal: offset of each line */
	bool stale;                 /* --sources: a built index would answer differently */
	struct strbuf stale_note;
	/* set by the caller: a brief trail keeps only the lookups in the
	 * instance's watch_tables and the "... is in mynetworks" line (what a
	 * replay reads); every other field is the same as with the full trail */
	bool brief;
};

void explain_result_init(struct explain_result *r);
void explain_result_fini(struct explain_result *r);

/*
 * explain_new - read DIR/main.cf.  Problems that make smtpd refuse to start
 * (undefined class, no relay protection) are kept and reported by every
 * explain_run as unknown with the reason.  Returns NULL with errno when
 * main.cf cannot be read or on ENOMEM; input problems go to DL (may be NULL).
 */
struct explain *explain_new(const char *dir, const struct explain_opts *opts,
			    struct diag_list *dl);
void explain_free(struct explain *ex);

/*
 * explain_run - evaluate probe P into R.  0, or -1 on ENOMEM.
 * Lookups that fail (missing table ...) are answered as smtpd answers them.
 */
int explain_run(struct explain *ex, const struct explain_probe *p, struct explain_result *r);

/*
 * explain_client_addr - ADDR as smtpd has it for a client: an IPv4
 * address in dotted quad (inet_pton: "999.1.1.1", "1.2.3" refused), an
 * IPv6 address in its canonical form (inet_ntop: "2001:db9:0::1" is
 * "2001:db9::1"), an IPv4-mapped IPv6 address as the IPv4 address smtpd
 * turns it into ("::ffff:1.2.3.4" is "1.2.3.4").  A scope ("%eth0"), a
 * name or anything else is refused.  0 with OUT filled, or -1.
 */
int explain_client_addr(const char *addr, char *out, size_t size);
/* explain_json_plain - for tests: how many bytes at the start of S (MAX
 * readable) go into a JSON string as they are, by the fast scan or by its
 * plain reference (FAST false) */
size_t explain_json_plain(const char *s, size_t max, bool fast);

/*
 * explain_hold - HOLD true: tables keep what they lock (a hash table's
 * shared flock, see maps/map_hash.c) from one explain_run to the next until
 * explain_release(), saving a lock pair and an fstat per probe.  Only for a
 * caller that cannot block between probes (input and output regular files)
 * and that releases every few milliseconds: postmap waits meanwhile.
 * Default false: everything is released at the end of each explain_run.
 */
void explain_hold(struct explain *ex, bool hold);
void explain_release(struct explain *ex);

/* explain_result_json - {"decision":..,"code":..,"dsn":..,"text":..,
 * "stage":..,"trail":[..],"rule":{file,line,key,table,value}|null
 * [,"depends":..][,"stale":..]} (no newline) */
int explain_result_json(const struct explain_result *r, struct strbuf *out);

#endif
