/*
 * core/restriction.h - look up a restriction name in core/restrictions.h.
 */
#ifndef PFCONSOLE_CORE_RESTRICTION_H
#define PFCONSOLE_CORE_RESTRICTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/maincf.h"

enum restriction_arg { RARG_NONE, RARG_MAP, RARG_POLICY, RARG_NUMBER, RARG_DOMAIN };

enum restriction_stage { RSTAGE_ANY, RSTAGE_CLIENT, RSTAGE_HELO, RSTAGE_SENDER, RSTAGE_RCPT,
	RSTAGE_ETRN };

enum restriction_id {
#define RESTRICTION(id, name, arg, stage, role, handler) RESTR_##id,
#include "core/restrictions.h"
#undef RESTRICTION
	RESTR_COUNT
};

struct restriction {
	enum restriction_id id;
	const char *name;           /* lower case, as in postconf(5) */
	enum restriction_arg arg;
	enum restriction_stage stage;
	enum maincf_role role;      /* RARG_MAP: what the table's keys are */
};

/* restriction_find - the restriction NAME (LEN bytes, any case, as smtpd
 * compares with strcasecmp), or NULL when smtpd does not know it */
const struct restriction *restriction_find(const char *name, size_t len);
/* restriction_get - entry ID (RESTR_COUNT entries, sorted by name) */
const struct restriction *restriction_get(enum restriction_id id);
/* restriction_takes_arg - NAME takes the next word as its argument */
bool restriction_takes_arg(const char *name, size_t len);
/* restriction_policy_endpoint_error - why smtpd 3.7 exits at startup on
 * the check_policy_service argument ARG (auto_clnt_create: a transport of
 * inet, unix or local and a non-empty endpoint; "{name, overrides}" form
 * names the service first): false when fine, else true with smtpd's
 * fatal message in MSG (SIZE bytes). */
bool restriction_policy_endpoint_error(const char *arg, char *msg, size_t size);

#endif
