/*
 * core/access.h - access(5) results and the SMTP replies smtpd makes of them.
 *
 * access_parse() splits a table value the way Postfix 3.7's
 * check_table_result() does (postfix-reference.md 3.1-3.3): the first word
 * (up to a space or tab) is the command, compared case-insensitively in
 * Postfix's order; the rest, leading whitespace skipped, is the text.  Every
 * part carries its byte offset in the value, so callers can point at a
 * column.  access_check() lists what is wrong with a parsed value (bad
 * action, bad code, text that looks like a code, DSN problems, unknown
 * restriction names) as access_problem entries, each with a diag code, a
 * severity, a byte range and a message.
 *
 * The reply functions build what smtpd sends for a reject-type action in a
 * given context (client, HELO, sender, recipient ...): code, enhanced status
 * code after smtpd_dsn_fix() and the first-digit rule, and the text after
 * the DSN ("<name>: Sender address rejected: text").
 *
 * Nothing here allocates except through the caller's strbuf; nothing prints.
 * VALUE strings are bytes + length and need not be NUL-terminated.
 */
#ifndef CORE_ACCESS_H
#define CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "util/strbuf.h"

/* What check_table_result() makes of a value, in its order of tests. */
enum access_kind {
	ACCESS_DUNNO,           /* DUNNO [ignored]: not found, stop this table */
	ACCESS_REJECT,          /* REJECT [D.S.N] [text]: access_map_reject_code */
	ACCESS_DEFER,           /* DEFER [D.S.N] [text]: access_map_defer_code */
	ACCESS_HANGUP,          /* HANGUP [text]: drop the connection (test feature) */
	ACCESS_INFO,            /* INFO [text]: log, continue */
	ACCESS_WARN,            /* WARN [text]: log, continue */
	ACCESS_FILTER,          /* FILTER transport:dest: continue */
	ACCESS_HOLD,            /* HOLD [text]: continue */
	ACCESS_DISCARD,         /* DISCARD [text]: permit, drop the message */
	ACCESS_REDIRECT,        /* REDIRECT user@domain: continue */
	ACCESS_BCC,             /* BCC user@domain: continue */
	ACCESS_DEFER_IF_PERMIT, /* DEFER_IF_PERMIT [D.S.N] [text] */
	ACCESS_DEFER_IF_REJECT, /* DEFER_IF_REJECT [D.S.N] [text] */
	ACCESS_PREPEND,         /* PREPEND header: value: continue */
	ACCESS_NUMERIC,         /* all digits ("550", "12345"): permit */
	ACCESS_CODE,            /* 4NN/5NN [D.S.N] text: reject with that code */
	ACCESS_OK,              /* OK or RELAY [ignored]: permit */
	ACCESS_TABLE_REF,       /* anything else containing ':': 451 4.3.5 */
	ACCESS_RESTRICTIONS,    /* restriction names / class names, run in context */
	ACCESS_EMPTY,           /* empty value: OK with a warning (postmap can't make it) */
};

/* A byte range inside the value; len 0 means "absent". */
struct access_span {
	size_t off;
	size_t len;
};

struct access_action {
	enum access_kind kind;
	struct access_span cmd;     /* the first word as written */
	struct access_span text;    /* after the command, leading blanks skipped
	                             * (for REJECT/DEFER/CODE/DEFER_IF_*: after
	                             * the D.S.N as well) */
	struct access_span dsn;     /* D.S.N written in the value (reply kinds), or absent */
	int code;                   /* ACCESS_CODE: the 4NN/5NN; 0 otherwise */
	char dsn_default[6];        /* the default D.S.N Postfix uses ("5.7.1", "4.7.1") */
	bool dsn_without_text;      /* "REJECT 5.7.1": 3.7.11 sends garbage text */
};

/* access_kind_name - "DUNNO", "REJECT", ..., "numeric", "code", "OK",
 * "table-reference", "restrictions", "empty" */
const char *access_kind_name(enum access_kind kind);

/* access_parse - parse VALUE (LEN bytes) into A.  Never fails. */
void access_parse(const char *value, size_t len, struct access_action *a);

/* access_decides - true if the action ends the current restriction list by
 * itself: OK/RELAY/numeric/DISCARD (permit), REJECT/DEFER/CODE (reject),
 * TABLE_REF (451).  RESTRICTIONS depend on what they evaluate to. */
bool access_decides(const struct access_action *a);
/* access_rejects - REJECT, DEFER or CODE (a 4xx/5xx reply), or a
 * restriction list whose first word is reject/defer/defer_if_permit */
bool access_rejects(const struct access_action *a, const char *value, size_t len);

/* ---- problems ---------------------------------------------------------- */

struct access_problem {
	enum diag_code code;        /* DIAG_BAD_ACTION, DIAG_BAD_CODE,
	                             * DIAG_REJECT_TEXT_LOOKS_LIKE_CODE,
	                             * DIAG_UNDEFINED_CLASS */
	enum diag_severity severity;
	size_t off, len;            /* byte range in the value it is about */
	char message[256];          /* lower case, says what Postfix will do */
};

/* access_class_fn - does restriction class NAME (LEN bytes, exact case)
 * exist?  Used by access_check for words of a restriction list. */
typedef bool access_class_fn(void *ctx, const char *name, size_t len);

/*
 * access_check - the problems of VALUE (parsed into A), at most MAX of them
 * stored in OUT; returns how many there are (may exceed MAX).
 * IS_CLASS (may be NULL: class names are then not judged) tells which
 * restriction classes exist.  Reported:
 *   REJECT/DEFER text starting with a 3-digit number      reject-text-looks-like-code
 *   a bare 4NN/5NN (all digits: permits)                   bad-code
 *   "250 text", "6NN text", "4NNx": run as restriction names  bad-code
 *   D.S.N with no text after it (3.7.11 sends garbage)     bad-code
 *   D.S.N class digit differing from the reply code        bad-code (warning)
 *   "5.7.1000"-like words that are not a D.S.N             bad-code (warning)
 *   FILTER without transport:destination, REDIRECT/BCC without '@',
 *   PREPEND without "Name: value"                          bad-action
 *   a lookup table inside a result                         bad-action
 *   a word that is no smtpd restriction and no class       undefined-class
 *   (a class name written in another case is said so)
 */
size_t access_check(const char *value, size_t len, const struct access_action *a,
		    access_class_fn *is_class, void *ctx,
		    struct access_problem *out, size_t max);

/* ---- restriction names ------------------------------------------------- */

/* access_is_builtin_restriction - NAME (LEN bytes) is a restriction smtpd
 * 3.7 knows (case-insensitive), including warn_if_reject and the
 * check_*_access family. */
bool access_is_builtin_restriction(const char *name, size_t len);
/* access_restriction_takes_arg - NAME is followed by one argument
 * (check_*_access, check_policy_service, reject_rbl_client, sleep ...) */
bool access_restriction_takes_arg(const char *name, size_t len);

/* access_next_word - iterate the words of a restriction list value the way
 * smtpd splits it (mystrtokq: commas and whitespace separate, except
 * inside "{ ... }", which stays in the word with its braces).  *POS starts at 0.  Returns true with the word in
 * *OFF and *WLEN, false at the end. */
bool access_next_word(const char *value, size_t len, size_t *pos,
		      size_t *off, size_t *wlen);

/* ---- replies ----------------------------------------------------------- */

/* What is being checked: decides CLASS in "<NAME>: CLASS rejected: ..." and
 * the smtpd_dsn_fix() mapping. */
enum access_ctx {
	ACCESS_CTX_CLIENT,          /* "Client host" */
	ACCESS_CTX_REV_CLIENT,      /* "Unverified Client host" */
	ACCESS_CTX_HELO,            /* "Helo command" */
	ACCESS_CTX_SENDER,          /* "Sender address" */
	ACCESS_CTX_RECIPIENT,       /* "Recipient address" */
	ACCESS_CTX_ETRN,            /* "Etrn command" */
	ACCESS_CTX_DATA,            /* "Data command" */
	ACCESS_CTX_EOD,             /* "End-of-data" */
};

/* access_ctx_class - "Client host", "Sender address", ... */
const char *access_ctx_class(enum access_ctx ctx);

struct access_reply {
	int code;                   /* 4xx/5xx as sent */
	char dsn[12];               /* "5.7.1" as sent */
	struct strbuf text;         /* what follows the DSN, exactly as sent */
};

void access_reply_init(struct access_reply *r);
void access_reply_fini(struct access_reply *r);

/* access_dsn_valid - length of the RFC 3463 code at the start of S (LEN
 * bytes): [245].D{1,3}.D{1,3} followed by the end or whitespace; 0 if none */
size_t access_dsn_valid(const char *s, size_t len);

/* access_dsn_fix - smtpd_dsn_fix(): rewrite an address status (X.1.Y) for
 * the context; other codes unchanged.  OUT gets at least 12 bytes. */
void access_dsn_fix(const char *dsn, enum access_ctx ctx, char *out);

/*
 * access_reply_set - what smtpd_check_reject() sends for CODE, DSN and the
 * text TEXT (TLEN bytes, already formatted, e.g. "<a@b>: Sender address
 * rejected: go away"): a code outside 400..599 becomes "450 4.7.1 Service
 * unavailable"; non-printable bytes become spaces; with SOFT_BOUNCE a 5
 * becomes 4; the DSN class digit follows the code.  DSN is used as given
 * (apply access_dsn_fix first).  0 or -1 (ENOMEM).
 */
int access_reply_set(struct access_reply *r, int code, const char *dsn,
		     const char *text, size_t tlen, bool soft_bounce);

/*
 * access_reply_for - the reply for a reject-type action A of VALUE (REJECT,
 * DEFER, CODE, DEFER_IF_PERMIT, DEFER_IF_REJECT) about NAME (the name as
 * smtpd shows it inside <>: the address, "host[addr]", the HELO argument)
 * in context CTX.  REJECT_CODE/DEFER_CODE are access_map_reject_code and
 * access_map_defer_code.  Soft bounce and DEFER_IF_REJECT are the caller's.
 * Returns 1 filled, 0 if A is not a reject-type action, -1 on ENOMEM.
 * For dsn_without_text the text is unknowable; it is left as "" and the
 * caller must say so.
 */
int access_reply_for(struct access_reply *r, const char *value, size_t len,
		     const struct access_action *a, enum access_ctx ctx,
		     const char *name, int reject_code, int defer_code);

#endif
