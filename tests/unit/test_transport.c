/* tests/unit/test_transport.c - transport(5) values and SMTP/LMTP nexthops,
 * table-driven against the reasons Postfix's host_port() gives. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/transport.h"

static const struct {
	const char *dest;
	bool lmtp;
	const char *why;            /* NULL: fine */
	size_t bad;
} nexthops[] = {
	{ "mail.example.com", false, NULL, 0 },
	{ "mail.example.com:2525", false, NULL, 0 },
	{ "mail.example.com:smtp", false, NULL, 0 },
	{ "[mail.example.com]", false, NULL, 0 },
	{ "[192.0.2.1]:587", false, NULL, 0 },
	{ "[ipv6:2001:db8::1]:25", false, NULL, 0 },
	{ "[2001:db8::1]", false, NULL, 0 },
	{ "[mail.example.com]:", false, NULL, 0 },
	{ "[]", false, "valid hostname or network address required", 0 },
	{ "[]:1767", false, "valid hostname or network address required", 0 },
	{ "[mail.example", false, "missing \"]\"", 13 },
	{ "[mail.example]x", false, "garbage after \"]\"", 14 },
	{ ":25", false, "missing host information", 0 },
	{ "host:25x", false, "garbage after numerical service", 5 },
	{ "host:0", false, "bad network port", 5 },
	{ "[host]:65536", false, "bad network port", 7 },
	{ "host:nosuchservice", false, "unknown service", 5 },
	{ "foo bar", false, "valid hostname or network address required", 0 },
	{ "-bad-.example", false, "valid hostname or network address required", 0 },
	{ "unix:/run/dovecot/lmtp", true, NULL, 0 },
	{ "inet:127.0.0.1:24", true, NULL, 0 },
	{ "inet:[]:24", true, "valid hostname or network address required", 5 },
	{ "unix:", true, "missing socket path", 5 },
};

static void
test_nexthops(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nexthops) / sizeof(nexthops[0]); i++) {
		size_t bad = 99;
		const char *why = transport_check_nexthop(nexthops[i].dest, strlen(nexthops[i].dest),
							  nexthops[i].lmtp, &bad);

		if ((why == NULL) != (nexthops[i].why == NULL)
		    || (why && strcmp(why, nexthops[i].why) != 0))
			fail_msg("\"%s\": got %s, want %s", nexthops[i].dest, why ? why : "ok",
				 nexthops[i].why ? nexthops[i].why : "ok");
		if (why && bad != nexthops[i].bad)
			fail_msg("\"%s\": got offset %zu, want %zu", nexthops[i].dest, bad,
				 nexthops[i].bad);
	}
}

static void
test_parse(void **state)
{
	struct transport_value tv;

	(void)state;
	assert_int_equal(transport_parse("smtp:[192.0.2.1]:2525", 21, &tv), 0);
	assert_string_equal(tv.transport, "smtp");
	assert_string_equal(tv.nexthop, "[192.0.2.1]:2525");
	transport_value_fini(&tv);
	assert_int_equal(transport_parse(":", 1, &tv), 0);
	assert_string_equal(tv.transport, "");
	assert_string_equal(tv.nexthop, "");
	transport_value_fini(&tv);
	assert_int_equal(transport_parse("relay", 5, &tv), 0);
	assert_string_equal(tv.transport, "relay");
	assert_null(tv.nexthop);
	transport_value_fini(&tv);
	assert_int_equal(transport_parse("lmtp:unix:/x", 12, &tv), 0);
	assert_string_equal(tv.nexthop, "unix:/x");
	transport_value_fini(&tv);
}

static const struct {
	const char *value;
	int ndiags;
	enum diag_code code;
	unsigned col;
} values[] = {
	{ ":", 0, 0, 0 },
	{ "smtp:", 0, 0, 0 },
	{ "relay", 0, 0, 0 },
	{ "error:mailbox gone", 0, 0, 0 },
	{ "retry:later", 0, 0, 0 },
	{ "local:", 0, 0, 0 },
	{ "smtp:a.example, b.example:2525", 0, 0, 0 },
	{ ":[]:1767", 1, DIAG_BAD_NEXTHOP, 11 },
	{ "smtp:[mx.example]:99999", 1, DIAG_BAD_NEXTHOP, 28 },
	{ "smtp:good.example, [bad", 1, DIAG_BAD_NEXTHOP, 33 },
	{ "lmtp:unix:", 1, DIAG_BAD_NEXTHOP, 20 },
	{ "", 1, DIAG_SYNTAX, 10 },
};

static void
test_check(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct diag_list dl;

		diag_list_init(&dl);
		assert_int_equal(transport_check(values[i].value, strlen(values[i].value), "transport",
						 3, 10, &dl), 0);
		if ((int)dl.n != values[i].ndiags)
			fail_msg("\"%s\": got %zu diagnostics, want %d", values[i].value, dl.n,
				 values[i].ndiags);
		if (dl.n && (dl.v[0].code != values[i].code || dl.v[0].col != values[i].col
			     || dl.v[0].line != 3))
			fail_msg("\"%s\": got %s at col %u, want %s at col %u", values[i].value,
				 diag_code_name(dl.v[0].code), dl.v[0].col,
				 diag_code_name(values[i].code), values[i].col);
		diag_list_fini(&dl);
	}
	assert_true(transport_is_smtp_like("relay", NULL));
	assert_false(transport_is_smtp_like("pipe", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nexthops),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
