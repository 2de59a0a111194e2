/*
 * core/restriction.c - the restriction table (core/restrictions.h) as data:
 * name lookup for check, the table value checks and explain, and the
 * startup rules smtpd applies to check_policy_service arguments.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/restriction.h"

static const struct restriction table[RESTR_COUNT] = {
#define RESTRICTION(id, name, arg, stage, role, handler) \
	{ RESTR_##id, name, arg, stage, role },
#include "core/restrictions.h"
#undef RESTRICTION
};

/* cmp - NAME (LEN bytes, any case) against the lower-case entry E */
static int
cmp(const char *name, size_t len, const char *e)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (e[i] == 0 || c != (unsigned char)e[i])
			return e[i] == 0 ? 1 : (int)c - (unsigned char)e[i];
	}
	return e[len] == 0 ? 0 : -1;
}

const struct restriction *
restriction_find(const char *name, size_t len)
{
	size_t lo = 0, hi = RESTR_COUNT;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp(name, len, table[mid].name);

		if (c == 0)
			return &table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct restriction *
restriction_get(enum restriction_id id)
{
	return (unsigned)id < RESTR_COUNT ? &table[id] : NULL;
}

bool
restriction_takes_arg(const char *name, size_t len)
{
	const struct restriction *r = restriction_find(name, len);

	return r && r->arg != RARG_NONE;
}

bool
restriction_policy_endpoint_error(const char *arg, char *msg, size_t size)
{
	char svc[400];
	const char *p = arg, *colon;
	size_t n;

	if (arg[0] == '{') {
		/* {name, attr=value ...}: the name is the first word inside */
		p = arg + 1 + strspn(arg + 1, " \t\r\n,");
		n = strcspn(p, " \t\r\n,}");
		if (n == 0) {
			snprintf(msg, size, "fatal: empty policy service: \"%.400s\"", arg);
			return true;
		}
	} else
		n = strlen(p);
	snprintf(svc, sizeof(svc), "%.*s", (int)(n < sizeof(svc) ? n : sizeof(svc) - 1), p);
	colon = strchr(svc, ':');
	if (colon == NULL || colon == svc || colon[1] == 0) {
		snprintf(msg, size,
			 "fatal: need service transport:endpoint instead of \"%s\"", svc);
		return true;
	}
	n = (size_t)(colon - svc);
	if (!((n == 4 && strncmp(svc, "inet", 4) == 0) || (n == 4 && strncmp(svc, "unix", 4) == 0)
	      || (n == 5 && strncmp(svc, "local", 5) == 0))) {
		snprintf(msg, size, "fatal: invalid transport name: %.*s in service: %s",
			 (int)n, svc, svc);
		return true;
	}
	return false;
}
