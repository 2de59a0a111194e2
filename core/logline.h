/*
 * core/logline.h - one Postfix mail log line -> struct pf_event.
 *
 * logline_parse() is a pure function of (line, context): no I/O, no
 * allocation, no global state except the local time zone (for stamps that
 * carry none).  It is fuzzed (tests/fuzz/).
 *
 * Recognised line prefixes (postfix-reference.md 8.1):
 *   "Nov  2 13:03:01 host tag[pid]: "                   traditional syslog
 *   "Nov 02 13:03:01 host tag[pid]: "                   maillog_file, journalctl -o short
 *   "Nov 02 13:03:01.123456 host tag[pid]: "            journalctl -o short-precise
 *   "2026-11-02T13:03:01.123456+01:00 host tag[pid]: "  rsyslog RFC 3339, short-iso[-precise]
 * Year-less stamps get the year that puts them at most 7 days after
 * ctx->ref_time (the file's mtime, or now), and the local zone offset.
 *
 * Recognised events: smtpd/postscreen policy lines
 *   "QID: ACTION: STAGE from CLIENT: TEXT; from=<> to=<> proto=P helo=<>"
 * (postscreen separates the fields with ", "), cleanup header/body_checks
 *   "QID: ACTION: header|body LINE from ORIGIN; from=<> ...: TEXT"
 * and milter-reject/-hold/-discard; and Postfix's own failures (fatal:,
 * panic:, and the warnings listed at PF_ACT_WARNING).  Everything else is
 * "not an event".
 *
 * Ownership: every field of a parsed event is a span BORROWED from the line
 * given to logline_parse(); it is valid as long as that line's bytes are.
 * pf_event_dup() makes an owned copy.  Fields are bytes + length: they may
 * hold any byte (they are what the attacker sent, after Postfix's own '?'
 * escaping); render them with core/textsafe.h, never raw.
 */
#ifndef CORE_LOGLINE_H
#define CORE_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/strbuf.h"

/* A field: P == NULL means "not in the log line" (JSON null); a present
 * field may be empty (N == 0, P != NULL), e.g. from=<> is "". */
struct pf_span {
	const char *p;
	size_t n;
};

/* What the event did.  reject = 5xx, defer = 4xx (Postfix logs "reject:"
 * for both); for header/body checks the DSN class decides the same way. */
enum pf_action {
	PF_ACT_NONE = 0,
	PF_ACT_REJECT,
	PF_ACT_DEFER,
	PF_ACT_REJECT_WARNING,
	PF_ACT_WARN,            /* smtpd "warn:", cleanup "warning:" */
	PF_ACT_HOLD,
	PF_ACT_DISCARD,
	PF_ACT_INFO,
	PF_ACT_FILTER,
	PF_ACT_REDIRECT,
	PF_ACT_BCC,
	PF_ACT_STRIP,
	PF_ACT_PREPEND,
	PF_ACT_REPLACE,
	PF_ACT_PASS,
	PF_ACT_PERMIT,
	PF_ACT_HANGUP,
	/* Postfix itself failing (no client, no queue id; reason = the text):
	 * "fatal: ...", "panic: ...", and the warnings that mean mail is not
	 * being handled: "bad command startup -- throttling", "... is
	 * unavailable", "... lookup error ...", "connect to ...", "process
	 * ... exit status N" */
	PF_ACT_FATAL,
	PF_ACT_PANIC,
	PF_ACT_WARNING,
	PF_NACTIONS
};

/* pf_action_name - "reject", "defer", "reject_warning", "warn", ... (the
 * JSON "action" value); "" for PF_ACT_NONE. */
const char *pf_action_name(enum pf_action a);
/* pf_action_lookup - the action named NAME (N bytes), PF_ACT_NONE if none */
enum pf_action pf_action_lookup(const char *name, size_t n);

/* The fields of the JSON form, in its order.  Comments give the JSON
 * value; "span" fields are null when absent. */
struct pf_event {
	/* time: ISO 8601 with zone offset */
	time_t time;            /* seconds since the epoch (UTC) */
	int usec;               /* microseconds, -1 when the stamp has none */
	int tzoff;              /* the stamp's offset east of UTC, seconds */
	bool has_time;          /* false: the line had no parsable stamp (journal "cat") */
	struct pf_span host;    /* "mx" */
	struct pf_span service; /* "postfix/smtpd", "postfix-in/smtpd", "postfix/submission/smtpd" */
	struct pf_span program; /* last '/' component of service: "smtpd", "cleanup", "postscreen" */
	long pid;               /* -1 when absent */
	struct pf_span queue_id;        /* absent (null) for NOQUEUE */
	enum pf_action action;
	struct pf_span action_word;     /* the word as logged: "reject", "warning", "milter-reject" */
	struct pf_span stage;   /* "RCPT", "END-OF-MESSAGE", ...; "header" / "body" for cleanup */
	struct pf_span client_name;     /* "unknown" as logged; absent for postscreen / local */
	struct pf_span client_ip;       /* without brackets; absent for "local" */
	struct pf_span client_port;     /* with smtpd_client_port_logging and postscreen */
	int code;               /* 3-digit reply code, 0 when the line carries none (JSON null) */
	struct pf_span dsn;     /* "5.7.1", absent when none */
	struct pf_span reason;  /* text after the DSN (after the code when no DSN) */
	struct pf_span from;    /* without <>; "" for the null sender */
	struct pf_span to;
	struct pf_span proto;
	struct pf_span helo;    /* without <> */
	struct pf_span text;    /* header/body checks: the matched header or body line */
	struct pf_span line;    /* the whole line, without its newline */
	struct pf_span message; /* the line after "tag[pid]: " */
	bool ambiguous;         /* the line reads more than one way: fields that
				 * differ between readings are absent; never a
				 * block/allow key (JSON "ambiguous":true) */
	bool truncated;         /* the line was longer than LOGLINE_MAX and was
				 * cut: the field list at its end is lost, so
				 * from/to/proto/helo (and cleanup's client and
				 * text) are absent, never read from the cut text;
				 * never a block/allow key (JSON "truncated":true) */
};

/* Parsing context: how to complete year-less, zone-less stamps. */
struct logline_ctx {
	time_t ref_time;        /* stamps are assumed to be <= ref_time + 7 days; 0 = now */
	/* cache for local-zone conversion; zero it once, then leave it alone */
	int cache_key;
	time_t cache_base;
	int cache_off;
};

/* logline_ctx_init - zero CTX and set its reference time (0 = time(NULL)) */
void logline_ctx_init(struct logline_ctx *ctx, time_t ref_time);

enum logline_result {
	LOGLINE_EVENT = 1,      /* *EV filled */
	LOGLINE_OTHER = 0,      /* a log line, but not an event (connect, status=sent ...) */
	LOGLINE_JUNK = -1,      /* not a syslog-shaped line at all (binary junk, garbage) */
};

/* logline_parse - parse LINE (LEN bytes, no trailing newline needed; a
 * trailing "\n" or "\r\n" is ignored).  Lines longer than LOGLINE_MAX are
 * parsed on their first LOGLINE_MAX bytes and the event is marked
 * truncated (logline_mark_truncated).  CTX may be NULL (ref = now, no
 * cache).  EV is filled only for LOGLINE_EVENT (its spans point into LINE).
 * LOGLINE_MAX is the longest line read whole (the documented 64 KiB; the
 * follower, core/logsrc, cuts at the same length). */
#define LOGLINE_MAX 65536
enum logline_result logline_parse(const char *line, size_t len, struct logline_ctx *ctx,
				  struct pf_event *ev);

/* logline_mark_truncated - EV was parsed from the first part of a longer
 * line: set EV->truncated and drop every field that Postfix writes after
 * attacker-chosen text (the field list; for cleanup also the client and the
 * matched text), since the cut text may end in a forged field list. */
void logline_mark_truncated(struct pf_event *ev);

/* logline_head - only the part every syslog line has: fills EV's line,
 * message (after "tag[pid]: "), host, service, program and pid, and with
 * WANT_TIME the time; every other field is absent.  LOGLINE_OTHER for a
 * syslog-shaped line, LOGLINE_JUNK otherwise.  For readers of the lines
 * that are not events (smtpd "client=", qmgr "from=", delivery "to="). */
enum logline_result logline_head(const char *line, size_t len, struct logline_ctx *ctx,
				 bool want_time, struct pf_event *ev);

/* logline_is_event - cheap pre-test: false when LINE certainly is not an
 * event (no time parsing).  logline_parse() calls it first. */
bool logline_is_event(const char *line, size_t len);

/* event_to_json - append EV as one JSON object (no newline):
 * {"time":..,"host":..,"service":..,"pid":..,"queue_id":..,"action":..,
 *  "stage":..,"client_name":..,"client_ip":..,"code":..,"dsn":..,"reason":..,
 *  "from":..,"to":..,"proto":..,"helo":..,"text":..}
 * null where the line carries no such field.  0, or -1 on ENOMEM. */
int event_to_json(const struct pf_event *ev, struct strbuf *out);

/* event_format_time - "2026-11-02T13:03:01+01:00" (with ".123456" when the
 * stamp had microseconds) into BUF (>= 40 bytes); "" when !has_time. */
void event_format_time(const struct pf_event *ev, char *buf, size_t size);

/* pf_event_dup - a heap copy of EV whose spans point into one owned block
 * (the copy's line and all fields).  NULL on ENOMEM.  Free with
 * pf_event_free() (NULL allowed). */
struct pf_event *pf_event_dup(const struct pf_event *ev);
void pf_event_free(struct pf_event *ev);

/* pf_span_eq - span equals the C string S (absent never equals) */
bool pf_span_eq(struct pf_span sp, const char *s);

#endif
