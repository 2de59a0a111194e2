/*
 * core/transport.h - transport(5) values and SMTP/LMTP nexthops.
 *
 * A transport table value is "transport:nexthop", split at the first ':'
 * (postfix-reference.md 6): ":" no change, ":nexthop", "smtp:", "relay"
 * (no colon: transport only), "error:text", "retry:text".  For smtp, relay,
 * lmtp (and any transport of master.cf type smtp/lmtp we cannot see, when
 * the name starts with "smtp"/"lmtp"/"relay") the nexthop is checked with
 * the rules of Postfix's host_port()/smtp_parse_destination(), whose
 * failures are fatal to the delivery agent at delivery time and leave the
 * mail deferred: "[]", "[host", "[host]x", ":25", "host:25x", port 0 or >
 * 65535, unknown service names.
 */
#ifndef CORE_TRANSPORT_H
#define CORE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

struct transport_value {
	char *transport;            /* "" when the value starts with ':' */
	char *nexthop;              /* "" when empty; NULL when there is no ':' */
};

/* transport_parse - split VALUE (VLEN bytes) into TV (malloc'd strings).
 * 0 or -1 (ENOMEM). */
int transport_parse(const char *value, size_t vlen, struct transport_value *tv);
void transport_value_fini(struct transport_value *tv);

/*
 * transport_check_nexthop - check one SMTP/LMTP destination (one item of a
 * comma/space separated list).  LMTP destinations may be unix:/path or
 * inet:host:port.  Returns NULL when it is fine, else a static string: the
 * reason Postfix gives ("valid hostname or network address required",
 * "missing \"]\"", "garbage after \"]\"", "missing host information",
 * "garbage after numerical service", "bad network port", "unknown service").
 * *BAD_OFF gets the byte offset in DEST where the problem is.
 */
const char *transport_check_nexthop(const char *dest, size_t len, bool lmtp, size_t *bad_off);

/*
 * transport_check - validate a transport table VALUE; problems go to DL at
 * FILE:LINE, COL being the display column of VALUE's first byte and LINE_TEXT
 * (may be NULL) the physical line for column arithmetic (VALUE_OFF = offset
 * of VALUE in LINE_TEXT).  Codes: DIAG_BAD_NEXTHOP, DIAG_SYNTAX.
 * Returns 0 or -1 (ENOMEM).
 */
int transport_check(const char *value, size_t vlen, const char *file, unsigned line,
		    unsigned col, struct diag_list *dl);

/* transport_is_smtp_like - TRANSPORT delivers with smtp(8) or lmtp(8) by
 * Debian's default master.cf (smtp, relay, lmtp, smtps, submission ...) */
bool transport_is_smtp_like(const char *transport, bool *lmtp);

#endif
