/* tests/unit/test_explain.c - the access(5) lookup order and the evaluator.
 *
 * Each case writes a main.cf and texthash/regexp tables (no index needed)
 * into a temporary directory, runs explain_run() and checks the keys it
 * looked up, in order (from the trail), and the reply.  The orders are
 * those of postfix-reference.md 4.1/4.2, verified there against smtpd.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "core/explain.h"
#include "tests/unit/unit_util.h"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/pfc-explain-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* run - write main.cf (with %s = dir), evaluate, return the looked-up keys
 * of TABLE joined by '|' (malloc'd); R gets the result */
static char *
run(const char *maincf, const struct explain_probe *p, const char *table,
    struct explain_result *r)
{
	char buf[4096];
	struct explain *ex;
	struct strbuf keys;
	size_t i;

	snprintf(buf, sizeof(buf), maincf, dir, dir, dir, dir);
	ut_write_file(dir, "main.cf", buf);
	ex = explain_new(dir, NULL, NULL);
	assert_non_null(ex);
	assert_int_equal(explain_run(ex, p, r), 0);
	strbuf_init(&keys);
	for (i = 0; i < r->ntrail; i++) {
		const char *l = strstr(r->trail[i], "lookup '");
		const char *e;

		if (!l || !strstr(r->trail[i], table))
			continue;
		l += 8;
		e = strstr(l, "' in ");
		if (!e)
			continue;
		if (keys.len)
			strbuf_addch(&keys, '|');
		strbuf_add(&keys, l, (size_t)(e - l));
	}
	explain_free(ex);
	return strbuf_export(&keys);
}

static void
test_sender_order(void **state)
{
	struct explain_probe p = { "192.0.2.1", NULL, "h.example", "User+Ext@Sub.Example.COM",
				   "u@local.test" };
	struct explain_result r;
	char *k;

	(void)state;
	ut_write_file(dir, "empty", "# nothing\n");
	explain_result_init(&r);
	k = run("compatibility_level = 3.6\nmydestination = local.test\nrecipient_delimiter = +\n"
		"local_recipient_maps =\n"
		"smtpd_sender_restrictions = check_sender_access texthash:%s/empty\n",
		&p, "texthash:", &r);
	assert_string_equal(k, "user+ext@sub.example.com|user@sub.example.com|sub.example.com|"
			    "example.com|com|user+ext@|user@");
	free(k);
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.dsn, "2.1.5");

	/* without smtpd_access_maps in parent_domain_matches_subdomains */
	k = run("compatibility_level = 3.6\nmydestination = local.test\nrecipient_delimiter = +\n"
		"parent_domain_matches_subdomains = relay_domains\n"
		"smtpd_sender_restrictions = check_sender_access texthash:%s/empty\n",
		&p, "texthash:", &r);
	assert_string_equal(k, "user+ext@sub.example.com|user@sub.example.com|sub.example.com|"
			    ".example.com|.com|user+ext@|user@");
	free(k);

	/* no delimiter: no extension steps */
	k = run("compatibility_level = 3.6\nmydestination = local.test\n"
		"smtpd_sender_restrictions = check_sender_access texthash:%s/empty\n",
		&p, "texthash:", &r);
	assert_string_equal(k, "user+ext@sub.example.com|sub.example.com|example.com|com|user+ext@");
	free(k);
	explain_result_fini(&r);
}

static void
test_client_order(void **state)
{
	struct explain_probe p = { "192.0.2.10", "mail.sub.example.com", "h.example", "a@b.example",
				   "u@local.test" };
	struct explain_probe p6 = { "2001:db8:1::5", NULL, "h.example", "a@b.example", "u@local.test" };
	struct explain_result r;
	char *k;
	const char *cf = "compatibility_level = 3.6\nmydestination = local.test\n"
			 "smtpd_client_restrictions = check_client_access texthash:%s/empty\n";

	(void)state;
	ut_write_file(dir, "empty", "# nothing\n");
	explain_result_init(&r);
	k = run(cf, &p, "texthash:", &r);
	assert_string_equal(k, "mail.sub.example.com|sub.example.com|example.com|com|"
			    "192.0.2.10|192.0.2|192.0|192");
	free(k);
	k = run(cf, &p6, "texthash:", &r);
	assert_string_equal(k, "unknown|2001:db8:1::5|2001:db8:1:|2001:db8:1|2001:db8|2001");
	free(k);
	explain_result_fini(&r);
}

static void
test_null_sender_and_patterns(void **state)
{
	struct explain_probe p = { "192.0.2.1", NULL, "h.example", "", "u@local.test" };
	struct explain_probe q = { "192.0.2.1", NULL, "h.example", "a@sub.example.com", "u@local.test" };
	struct explain_result r;
	char *k;
	const char *cf = "compatibility_level = 3.6\nmydestination = local.test\n"
			 "smtpd_sender_restrictions = check_sender_access texthash:%s/nul, "
			 "check_sender_access regexp:%s/re\n";

	(void)state;
	ut_write_file(dir, "nul", "<> REJECT no bounces\n");
	ut_write_file(dir, "re", "/^nothing$/ OK\n");
	explain_result_init(&r);
	k = run(cf, &p, "texthash:", &r);
	assert_string_equal(k, "<>");
	free(k);
	assert_int_equal(r.decision, EXPLAIN_REJECT);
	assert_int_equal(r.code, 554);
	assert_string_equal(r.text.buf, "<>: Sender address rejected: no bounces");
	assert_non_null(r.rule.file);
	assert_int_equal(r.rule.line, 1);
	/* a pattern table sees the full address only */
	k = run(cf, &q, "regexp:", &r);
	assert_string_equal(k, "a@sub.example.com");
	free(k);
	explain_result_fini(&r);
}

static void
test_seed_2019(void **state)
{
	struct explain_probe p = { "203.0.113.82", NULL, "me.testing.example.com", "318787866@qq.com",
				   "foo@bar.org" };
	struct explain_result r;
	char *k;

	(void)state;
	ut_write_file(dir, "protected_destinations", "# not everyone can send to these destinations\n"
		   "# we restrict some of them\n\nfoo@bar.org     good_senders_only\n");
	ut_write_file(dir, "restricted_senders", "# We do not want mail from these folks, generally\n\n"
		   "qq.com         REJECT  521\n163.com        REJECT  521\n");
	explain_result_init(&r);
	k = run("compatibility_level = 3.6\nmydestination = bar.org\n"
		"smtpd_recipient_restrictions = \n        permit_mynetworks\n"
		"        check_recipient_access texthash:%s/protected_destinations\n\n"
		"smtpd_restriction_classes = good_senders_only\n"
		"good_senders_only = check_sender_access texthash:%s/restricted_senders, permit\n",
		&p, "restricted_senders", &r);
	assert_string_equal(k, "318787866@qq.com|qq.com");
	free(k);
	assert_int_equal(r.decision, EXPLAIN_REJECT);
	assert_int_equal(r.code, 554);
	assert_string_equal(r.dsn, "5.7.1");
	assert_string_equal(r.text.buf, "<318787866@qq.com>: Sender address rejected: 521");
	assert_int_equal(r.rule.line, 3);
	assert_string_equal(r.rule.key, "qq.com");
	explain_result_fini(&r);
}

static void
test_config_errors(void **state)
{
	struct explain_probe p = { "192.0.2.1", NULL, "h.example", "a@b.example", "u@local.test" };
	struct explain_result r;
	char *k;

	(void)state;
	explain_result_init(&r);
	/* an undefined class used in a list */
	k = run("compatibility_level = 3.6\nmydestination = local.test\n"
		"smtpd_sender_restrictions = no_such_class\n", &p, "-", &r);
	free(k);
	assert_int_equal(r.code, 451);
	assert_string_equal(r.dsn, "4.3.5");
	assert_string_equal(r.text.buf, "Server configuration error");
	/* the trail's end says defer, as the decision does, not reject */
	assert_true(r.ntrail > 0);
	assert_string_equal(r.trail[r.ntrail - 1],
			    "smtpd_sender_restrictions: defer (a reject with a 4xx code)");
	/* a missing table */
	k = run("compatibility_level = 3.6\nmydestination = local.test\n"
		"smtpd_sender_restrictions = check_sender_access hash:%s/none\n", &p, "-", &r);
	free(k);
	assert_int_equal(r.code, 451);
	assert_string_equal(r.text.buf, "<a@b.example>: Sender address rejected: Server configuration error");
	/* a class listed without definition: smtpd cannot start */
	k = run("compatibility_level = 3.6\nmydestination = local.test\n"
		"smtpd_restriction_classes = ghost\n", &p, "-", &r);
	free(k);
	assert_int_equal(r.decision, EXPLAIN_UNKNOWN);
	assert_non_null(strstr(r.depends.buf, "ghost"));
	/* DNS is never guessed */
	k = run("compatibility_level = 3.6\nmydestination = local.test\n"
		"smtpd_client_restrictions = reject_rbl_client zen.example\n", &p, "-", &r);
	free(k);
	assert_int_equal(r.decision, EXPLAIN_UNKNOWN);
	assert_non_null(strstr(r.depends.buf, "zen.example"));
	explain_result_fini(&r);
}

/* explain_client_addr's dotted-quad fast path against the reference
 * (inet_pton + inet_ntop, v4-mapped v6 as IPv4): the same answer for
 * every string, valid or not */
static int
ref_client_addr(const char *a, char *out, size_t size)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, a, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, a, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, a6.s6_addr + 12, 4);
		return inet_ntop(AF_INET, &a4, out, (socklen_t)size) ? 0 : -1;
	}
	return inet_ntop(AF_INET6, &a6, out, (socklen_t)size) ? 0 : -1;
}

static void
test_client_addr_fast_path(void **state)
{
	static const char *const fixed[] = {
		"192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5",
		"01.2.3.4", "1.2.3.04", "00.1.1.1", "1.2.3.0", "1.2.3.4 ", " 1.2.3.4", "1..2.3",
		"1.2.3.", ".1.2.3", "1.2.3.1000", "1.2.3.999", "10.020.3.4", "", "::1",
		"::ffff:192.0.2.1", "2001:DB8::1", "1.2.3.4x", "+1.2.3.4", "1.2.3.-4", "300.0.0.1",
		"1.2.3.255", "1.2.3.256", "0.0.0.00",
	};
	char fa[64], ra[64], s[40];
	const char *digits = "0123456789.";
	unsigned seed = 1;
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 200000; i++) {
		const char *a = s;
		int fr, rr;

		if (i < sizeof(fixed) / sizeof(fixed[0]))
			a = fixed[i];
		else {
			/* random strings of digits and dots, mostly near a dotted quad */
			seed = seed * 1103515245 + 12345;
			n = 1 + (seed >> 16) % 16;
			for (j = 0; j < n; j++) {
				seed = seed * 1103515245 + 12345;
				s[j] = digits[(seed >> 16) % ((seed >> 8) % 4 ? 10 : 11)];
				if (j % 4 == 3 && (seed >> 12) % 3)
					s[j] = '.';
			}
			s[n] = 0;
		}
		memset(fa, 'x', sizeof(fa));
		fr = explain_client_addr(a, fa, sizeof(fa));
		rr = ref_client_addr(a, ra, sizeof(ra));
		if (fr != rr || (fr == 0 && strcmp(fa, ra) != 0))
			fail_msg("'%s': %d '%s', reference %d '%s'", a, fr, fr == 0 ? fa : "",
				 rr, rr == 0 ? ra : "");
	}
}

/* the answer's JSON scan: the SSE2 one gives what the word-at-a-time
 * reference gives, for every byte value at every position of every
 * length up to 70 */
static void
test_json_plain_fast(void **state)
{
	char buf[80];
	size_t len, pos;
	int c;

	(void)state;
	for (len = 0; len <= 70; len++)
		for (pos = 0; pos <= len; pos++)
			for (c = 0; c < 256; c++) {
				size_t f, r;

				memset(buf, 'a', sizeof(buf));
				if (pos < len)
					buf[pos] = (char)c;
				f = explain_json_plain(buf, len, true);
				r = explain_json_plain(buf, len, false);
				if (f != r)
					fail_msg("len %zu, byte 0x%02x at %zu: fast %zu, reference %zu",
						 len, c, pos, f, r);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sender_order),
		cmocka_unit_test(test_client_order),
		cmocka_unit_test(test_null_sender_and_patterns),
		cmocka_unit_test(test_seed_2019),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_client_addr_fast_path),
		cmocka_unit_test(test_json_plain_fast),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
