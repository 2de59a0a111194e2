/* tests/unit/test_restriction.c - the one restriction table
 * (core/restrictions.h) against the names smtpd 3.7.11 accepts
 * (tests/data/restrictions/smtpd-3.7.11.txt, written from smtpd_check.c),
 * and smtpd's startup rule for check_policy_service services.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"
#include "core/maincf.h"
#include "core/restriction.h"

static void
test_sorted(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < RESTR_COUNT; i++) {
		const struct restriction *r = restriction_get((enum restriction_id)i);

		assert_non_null(r);
		assert_int_equal(r->id, i);
		if (i > 0)
			assert_true(strcmp(restriction_get((enum restriction_id)(i - 1))->name,
					   r->name) < 0);
		assert_ptr_equal(restriction_find(r->name, strlen(r->name)), r);
	}
	assert_null(restriction_get(RESTR_COUNT));
}

static enum restriction_arg
arg_kind(const char *s)
{
	if (strcmp(s, "map") == 0)
		return RARG_MAP;
	if (strcmp(s, "policy") == 0)
		return RARG_POLICY;
	if (strcmp(s, "number") == 0)
		return RARG_NUMBER;
	if (strcmp(s, "domain") == 0)
		return RARG_DOMAIN;
	assert_string_equal(s, "none");
	return RARG_NONE;
}

/* every name of the data file is known to all three readers with its
 * argument kind, and the table has nothing else */
static void
test_smtpd_names(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[256], name[128], kind[32], upper[128];
	FILE *fp;
	size_t n = 0, i;
	bool seen[RESTR_COUNT] = { false };

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/restrictions/smtpd-3.7.11.txt",
		 top ? top : "..");
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		const struct restriction *r;

		if (line[0] == '#' || sscanf(line, "%127s %31s", name, kind) != 2)
			continue;
		r = restriction_find(name, strlen(name));
		if (r == NULL)
			fail_msg("smtpd 3.7.11 name %s is not in core/restrictions.h", name);
		assert_int_equal(r->arg, arg_kind(kind));
		assert_false(seen[r->id]);
		seen[r->id] = true;
		for (i = 0; name[i]; i++)
			upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
		upper[i] = 0;
		assert_ptr_equal(restriction_find(upper, i), r);
		assert_true(maincf_is_builtin_restriction(upper));
		assert_true(access_is_builtin_restriction(name, strlen(name)));
		assert_int_equal(maincf_restriction_takes_arg(name), r->arg != RARG_NONE);
		assert_int_equal(access_restriction_takes_arg(name, strlen(name)), r->arg != RARG_NONE);
		n++;
	}
	fclose(fp);
	for (i = 0; i < RESTR_COUNT; i++)
		if (!seen[i])
			fail_msg("core/restrictions.h has %s, which smtpd 3.7.11 does not accept",
				 restriction_get((enum restriction_id)i)->name);
	assert_int_equal(n, RESTR_COUNT);
}

static void
test_not_smtpd_names(void **state)
{
	static const char *const bad[] = { "reject_unknown_forward_client_hostname", "dunno",
		"permit_mx_primary", "permit_", "permitx", "check_", "reject_unknown", "" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(restriction_find(bad[i], strlen(bad[i])));
		assert_false(maincf_is_builtin_restriction(bad[i]));
		assert_false(access_is_builtin_restriction(bad[i], strlen(bad[i])));
	}
	/* LEN bounds the name */
	assert_non_null(restriction_find("permitx", 6));
}

static void
test_policy_endpoint(void **state)
{
	static const char *const good[] = { "inet:127.0.0.1:10023", "unix:private/policy",
		"local:private/x", "{inet:127.0.0.1:9, default_action=DUNNO}",
		"{ unix:private/p }" };
	char m[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_false(restriction_policy_endpoint_error(good[i], m, sizeof(m)));
	assert_true(restriction_policy_endpoint_error("inet:", m, sizeof(m)));
	assert_string_equal(m, "fatal: need service transport:endpoint instead of \"inet:\"");
	assert_true(restriction_policy_endpoint_error("permit", m, sizeof(m)));
	assert_string_equal(m, "fatal: need service transport:endpoint instead of \"permit\"");
	assert_true(restriction_policy_endpoint_error(":x", m, sizeof(m)));
	assert_true(restriction_policy_endpoint_error("tcp:h:1", m, sizeof(m)));
	assert_string_equal(m, "fatal: invalid transport name: tcp in service: tcp:h:1");
	assert_true(restriction_policy_endpoint_error("{ }", m, sizeof(m)));
	assert_string_equal(m, "fatal: empty policy service: \"{ }\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_smtpd_names),
		cmocka_unit_test(test_not_smtpd_names),
		cmocka_unit_test(test_policy_endpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
