/* tests/unit/test_check.c - every diagnostic code check produces, table
 * driven on table sources in memory, plus check_config on a scratch
 * configuration (missing/stale tables, classes). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/check.h"
#include "tests/unit/unit_util.h"

static struct maincf *
cf_of(const char *text)
{
	struct maincf *cf;

	assert_int_equal(maincf_parse(&cf, text, strlen(text), "main.cf", "/nonexistent", NULL), 0);
	return cf;
}

static const char *const classes_cf =
	"compatibility_level = 3.6\n"
	"smtpd_restriction_classes = good_senders_only\n"
	"good_senders_only = permit\n";

static const struct {
	const char *type;
	enum maincf_role role;
	const char *src;
	enum diag_code code;        /* DIAG_NCODES: no diagnostic at all */
	unsigned line, col;
} cases[] = {
	/* clean tables first */
	{ "hash", MAINCF_ROLE_SENDER, "qq.com 521 5.7.1 go away\n<> OK\n", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_RECIPIENT, "foo@bar.org good_senders_only\n", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_TRANSPORT, "example.com smtp:[mx.example.com]:2525\n", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_GENERIC, "k anything # at all\n", DIAG_TRAILING_COMMENT, 1, 12 },
	{ "hash", MAINCF_ROLE_SENDER, "", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_ALIAS, "root: admin\npostmaster: root\n", DIAG_NCODES, 0, 0 },
	/* one per code */
	{ "hash", MAINCF_ROLE_SENDER, "qq.com         REJECT  521\n", DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 1, 24 },
	{ "hash", MAINCF_ROLE_RECIPIENT, "foo@bar.org good_sender_only\n", DIAG_UNDEFINED_CLASS, 1, 13 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example FROBNICATE\n", DIAG_UNDEFINED_CLASS, 1, 11 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example FILTER nocolon\n", DIAG_BAD_ACTION, 1, 18 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example check_client_access hash:/x\n", DIAG_BAD_ACTION, 1, 11 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example 550\n", DIAG_BAD_CODE, 1, 11 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example 650 no\n", DIAG_BAD_CODE, 1, 11 },
	{ "hash", MAINCF_ROLE_CLIENT, "a.example REJECT 5.7.1\n", DIAG_BAD_CODE, 1, 18 },
	{ "hash", MAINCF_ROLE_RECIPIENT, "postmaster@bar.org REJECT\n", DIAG_POSTMASTER_REJECTED, 1, 1 },
	{ "hash", MAINCF_ROLE_RECIPIENT, "bar.org REJECT\n", DIAG_POSTMASTER_REJECTED, 1, 1 },
	{ "hash", MAINCF_ROLE_RECIPIENT, "bar.org REJECT\npostmaster@bar.org OK\n", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_SENDER, "postmaster@ REJECT\n", DIAG_NCODES, 0, 0 },
	{ "hash", MAINCF_ROLE_TRANSPORT, "domain.ie     :[]:1767\n", DIAG_BAD_NEXTHOP, 1, 16 },
	{ "hash", MAINCF_ROLE_SENDER, "A.example OK\na.example REJECT\n", DIAG_DUPLICATE_KEY, 2, 1 },
	{ "hash", MAINCF_ROLE_SENDER, "lonely\n", DIAG_SYNTAX, 1, 1 },
	{ "hash", MAINCF_ROLE_CLIENT, "<> REJECT\n", DIAG_UNREACHABLE_KEY, 1, 1 },
	{ "hash", MAINCF_ROLE_SENDER, "@example.com REJECT\n", DIAG_UNREACHABLE_KEY, 1, 1 },
	{ "hash", MAINCF_ROLE_CLIENT, "10.0.0.0/8 REJECT\n", DIAG_UNREACHABLE_KEY, 1, 1 },
	{ "cidr", MAINCF_ROLE_CLIENT, "10.0.0.0/8 REJECT\n", DIAG_NCODES, 0, 0 },
	{ "regexp", MAINCF_ROLE_SENDER, "/^(a/ REJECT\n", DIAG_BAD_REGEX, 1, 2 },
	{ "pcre", MAINCF_ROLE_SENDER, "/^(a/ REJECT\n", DIAG_BAD_REGEX, 1, 5 },
	{ "pcre", MAINCF_ROLE_SENDER, "/^a/\n", DIAG_NO_RESULT, 1, 1 },
	{ "pcre", MAINCF_ROLE_SENDER, "/^a/ REJECT 521\n", DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 1, 13 },
	{ "regexp", MAINCF_ROLE_HEADER_CHECKS, "/^Subject: x/ FROB\n", DIAG_BAD_ACTION, 1, 15 },
	{ "regexp", MAINCF_ROLE_HEADER_CHECKS, "/^Subject: x/ REJECT 554 no\n", DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 1, 22 },
	{ "regexp", MAINCF_ROLE_BODY_CHECKS, "/x/ REJECT 5.7.1\n", DIAG_BAD_CODE, 1, 12 },
	{ "pcre", MAINCF_ROLE_TRANSPORT, "/x/ smtp:[a.example]:0\n", DIAG_BAD_NEXTHOP, 1, 22 },
	{ "hash", MAINCF_ROLE_SENDER, "a.example OK\n  b.example REJECT\n", DIAG_SYNTAX, 2, 1 },
	{ "pcre", MAINCF_ROLE_RECIPIENT, "/^Foo@/i REJECT\n", DIAG_UNREACHABLE_KEY, 1, 3 },
	{ "regexp", MAINCF_ROLE_SENDER, "/^a+$/x OK\n", DIAG_SYNTAX, 1, 7 },
};

/* duplicates are found after the pass (core/keydup) and put back where the
 * pass would have added them: first among the findings of their entry, after
 * those of the lines before (a skipped line's syntax error included), and
 * the first entry's line named, whatever the case of the key */
static void
test_duplicate_order(void **state)
{
	static const char src[] =
		"@X.org OK\n"          /* 1: unreachable-key */
		"@x.org OK\n"          /* 2: duplicate-key, then unreachable-key */
		"lonely\n"             /* 3: syntax (skipped line) */
		"b.example OK\n"       /* 4 */
		"B.EXAMPLE REJECT 521\n" /* 5: duplicate-key, then looks-like-code */
		"@x.ORG OK\n";         /* 6: duplicate-key (of line 1), unreachable-key */
	static const struct { enum diag_code code; unsigned line; } want[] = {
		{ DIAG_UNREACHABLE_KEY, 1 }, { DIAG_DUPLICATE_KEY, 2 }, { DIAG_UNREACHABLE_KEY, 2 },
		{ DIAG_SYNTAX, 3 }, { DIAG_DUPLICATE_KEY, 5 }, { DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 5 },
		{ DIAG_DUPLICATE_KEY, 6 }, { DIAG_UNREACHABLE_KEY, 6 },
	};
	struct maincf *cf = cf_of(classes_cf);
	struct diag_list dl;
	size_t i;

	(void)state;
	diag_list_init(&dl);
	/* a finding already in the list stays first */
	assert_int_equal(diag_add(&dl, DIAG_MISSING_MAP, "other", 9, 1, "before"), 0);
	assert_true(check_table_buf("hash", src, strlen(src), "t", MAINCF_ROLE_SENDER, cf, &dl,
				    NULL) >= 0);
	assert_int_equal(dl.n, 1 + sizeof(want) / sizeof(want[0]));
	assert_int_equal(dl.v[0].code, DIAG_MISSING_MAP);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct diag *d = &dl.v[i + 1];

		if (d->code != want[i].code || d->line != want[i].line)
			fail_msg("finding %zu: got %s on line %u, want %s on line %u", i,
				 diag_code_name(d->code), d->line, diag_code_name(want[i].code),
				 want[i].line);
	}
	assert_non_null(strstr(dl.v[2].message, "\"@x.org\": Postfix uses the first entry, on line 1"));
	assert_non_null(strstr(dl.v[5].message, "\"B.EXAMPLE\": Postfix uses the first entry, on line 4"));
	assert_non_null(strstr(dl.v[7].message, "\"@x.ORG\": Postfix uses the first entry, on line 1"));
	diag_list_fini(&dl);
	maincf_free(cf);
}

static void
test_cases(void **state)
{
	struct maincf *cf = cf_of(classes_cf);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag_list dl;
		long n;

		diag_list_init(&dl);
		n = check_table_buf(cases[i].type, cases[i].src, strlen(cases[i].src), "t",
				    cases[i].role, cf, &dl, NULL);
		assert_true(n >= 0);
		if (cases[i].code == DIAG_NCODES) {
			if (dl.n)
				fail_msg("case %zu \"%s\": unexpected %s: %s", i, cases[i].src,
					 diag_code_name(dl.v[0].code), dl.v[0].message);
		} else if (dl.n == 0 || dl.v[0].code != cases[i].code || dl.v[0].line != cases[i].line
			   || dl.v[0].col != cases[i].col) {
			fail_msg("case %zu \"%s\": got %s at %u:%u (%s), want %s at %u:%u", i,
				 cases[i].src, dl.n ? diag_code_name(dl.v[0].code) : "nothing",
				 dl.n ? dl.v[0].line : 0, dl.n ? dl.v[0].col : 0,
				 dl.n ? dl.v[0].message : "", diag_code_name(cases[i].code),
				 cases[i].line, cases[i].col);
		}
		diag_list_fini(&dl);
	}
	maincf_free(cf);
}

static void
test_reply_text_in_message(void **state)
{
	struct maincf *cf = cf_of(classes_cf);
	struct diag_list dl;

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(check_value(MAINCF_ROLE_SENDER, "qq.com", 6, "REJECT 521", 10, cf, "t", 3, 16,
				     &dl), 0);
	assert_int_equal(dl.n, 1);
	assert_non_null(strstr(dl.v[0].message, "554 5.7.1 <"));
	assert_non_null(strstr(dl.v[0].message, ">: Sender address rejected: 521"));
	assert_non_null(strstr(dl.v[0].message, "521 text"));
	assert_int_equal(dl.v[0].col, 23);
	diag_list_clear(&dl);
	/* key-dependent checks while typing */
	assert_int_equal(check_value(MAINCF_ROLE_RECIPIENT, "postmaster@bar.org", 18, "REJECT", 6, cf,
				     "t", 1, 20, &dl), 0);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, DIAG_POSTMASTER_REJECTED);
	diag_list_clear(&dl);
	assert_int_equal(check_value(MAINCF_ROLE_CLIENT, "<>", 2, "OK", 2, cf, "t", 1, 4, &dl), 0);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, DIAG_UNREACHABLE_KEY);
	diag_list_fini(&dl);
	maincf_free(cf);
}

static const struct {
	const char *cf;
	enum maincf_role role;
	const char *entry;
	enum diag_code code;        /* DIAG_NCODES: none */
	enum diag_severity sev;
} ctx_cases[] = {
	/* smtpd skips these actions: Postfix does not do what the line says */
	{ "smtpd_delay_reject = no\n", MAINCF_ROLE_CLIENT, "a.example HOLD\n", DIAG_BAD_ACTION, DIAG_ERROR },
	{ "", MAINCF_ROLE_CLIENT, "a.example HOLD\n", DIAG_NCODES, 0 },
	{ "smtpd_proxy_filter = 127.0.0.1:10025\n", MAINCF_ROLE_SENDER, "a@b.example DISCARD\n", DIAG_BAD_ACTION, DIAG_ERROR },
	{ "", MAINCF_ROLE_SENDER, "a@b.example DEFER_IF_REJECT\n", DIAG_BAD_ACTION, DIAG_WARNING },
	{ "", MAINCF_ROLE_RECIPIENT, "a@b.example DEFER_IF_REJECT\n", DIAG_NCODES, 0 },
	{ "smtpd_null_access_lookup_key = <null>\n", MAINCF_ROLE_SENDER, "<> REJECT\n", DIAG_UNREACHABLE_KEY, DIAG_WARNING },
	{ "", MAINCF_ROLE_SENDER, "<> REJECT\n", DIAG_NCODES, 0 },
	/* a numeric nexthop without brackets: dns_lookup() sends no query for it */
	{ "", MAINCF_ROLE_TRANSPORT, "a.example smtp:192.0.2.1\n", DIAG_NCODES, 0 },
	{ "", MAINCF_ROLE_TRANSPORT, "a.example smtp:127.0.0.1:1025\n", DIAG_NCODES, 0 },
	{ "", MAINCF_ROLE_TRANSPORT, "a.example smtp:[192.0.2.1]\n", DIAG_NCODES, 0 },
};

static void
test_context(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ctx_cases) / sizeof(ctx_cases[0]); i++) {
		struct maincf *cf = cf_of(ctx_cases[i].cf);
		struct diag_list dl;

		diag_list_init(&dl);
		assert_true(check_table_buf("hash", ctx_cases[i].entry, strlen(ctx_cases[i].entry), "t",
					    ctx_cases[i].role, cf, &dl, NULL) == 1);
		if (ctx_cases[i].code == DIAG_NCODES ? dl.n != 0
		    : (dl.n == 0 || dl.v[0].code != ctx_cases[i].code
		       || dl.v[0].severity != ctx_cases[i].sev))
			fail_msg("context case %zu \"%s\": got %s", i, ctx_cases[i].entry,
				 dl.n ? dl.v[0].message : "nothing");
		diag_list_fini(&dl);
		maincf_free(cf);
	}
	{
		/* a reply too long for one SMTP line */
		struct maincf *cf = cf_of("");
		struct diag_list dl;
		char big[700];

		memset(big, 'x', sizeof(big));
		memcpy(big, "k REJECT ", 9);
		big[sizeof(big) - 1] = '\0';
		diag_list_init(&dl);
		assert_true(check_table_buf("hash", big, strlen(big), "t", MAINCF_ROLE_SENDER, cf, &dl,
					    NULL) == 1);
		assert_int_equal(dl.n, 1);
		assert_int_equal(dl.v[0].code, DIAG_BAD_CODE);
		diag_list_fini(&dl);
		maincf_free(cf);
	}
}

static void
test_guess_role(void **state)
{
	const char *type;

	(void)state;
	assert_int_equal(check_guess_role(NULL, "/x/transport", &type), MAINCF_ROLE_TRANSPORT);
	assert_string_equal(type, "hash");
	assert_int_equal(check_guess_role(NULL, "access_sender.pcre", &type), MAINCF_ROLE_SENDER);
	assert_string_equal(type, "pcre");
	assert_int_equal(check_guess_role(NULL, "header_checks", &type), MAINCF_ROLE_HEADER_CHECKS);
	assert_string_equal(type, "regexp");
	assert_int_equal(check_guess_role(NULL, "whatever", NULL), MAINCF_ROLE_GENERIC);
	assert_int_equal(check_guess_role(NULL, "/etc/aliases", NULL), MAINCF_ROLE_ALIAS);
	assert_string_equal(check_state_name(CHECK_STALE), "stale");
}

static bool
has(const struct check_result *r, enum diag_code code, const char *file_suffix, unsigned line)
{
	size_t i;

	for (i = 0; i < r->diags.n; i++) {
		const struct diag *d = &r->diags.v[i];
		size_t fl = strlen(d->file), sl = strlen(file_suffix);

		if (d->code == code && fl >= sl && strcmp(d->file + fl - sl, file_suffix) == 0
		    && (line == 0 || d->line == line))
			return true;
	}
	return false;
}

/* message - the message of the first diagnostic with CODE, or "" */
static const char *
message(const struct check_result *r, enum diag_code code)
{
	size_t i;

	for (i = 0; i < r->diags.n; i++)
		if (r->diags.v[i].code == code)
			return r->diags.v[i].message;
	return "";
}

/* undefined-class names the class meant: a typo or a case difference */
static void
test_class_suggestion(void **state)
{
	static const struct {
		const char *used, *want;
	} sugg[] = {
		{ "insider_only", "did you mean 'insiders_only'?" },
		{ "Insiders_Only", "did you mean 'insiders_only'?" },
		{ "good_sender_only", "did you mean 'good_senders_only'?" },
		{ "frobnicate", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sugg) / sizeof(sugg[0]); i++) {
		char dir[] = "/tmp/test_check_sugg.XXXXXX", main_cf[1024], rcpt[128], p[1100];
		struct check_result res;
		const char *m;

		assert_non_null(mkdtemp(dir));
		snprintf(main_cf, sizeof(main_cf),
			 "compatibility_level = 3.6\n"
			 "smtpd_restriction_classes = insiders_only, good_senders_only\n"
			 "insiders_only = reject\n"
			 "good_senders_only = permit\n"
			 "smtpd_recipient_restrictions = check_recipient_access texthash:%s/rcpt,\n"
			 "    reject_unauth_destination\n", dir);
		ut_write_file(dir, "main.cf", main_cf);
		snprintf(rcpt, sizeof(rcpt), "foo@bar.org %s\n", sugg[i].used);
		ut_write_file(dir, "rcpt", rcpt);
		check_result_init(&res);
		assert_int_equal(check_config(dir, 0, &res), 0);
		m = message(&res, DIAG_UNDEFINED_CLASS);
		if (*m == 0)
			fail_msg("%s: no undefined-class diagnostic", sugg[i].used);
		if (sugg[i].want ? strstr(m, sugg[i].want) == NULL : strstr(m, "did you mean") != NULL)
			fail_msg("%s: got \"%s\", want %s", sugg[i].used, m,
				 sugg[i].want ? sugg[i].want : "no suggestion");
		check_result_fini(&res);
		snprintf(p, sizeof(p), "rm -rf '%s'", dir);
		assert_int_equal(system(p), 0);
	}
}

static void
test_config(void **state)
{
	char dir[] = "/tmp/test_check.XXXXXX";
	char main_cf[2048], p[512];
	struct check_result res;
	struct timespec ts[2];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(main_cf, sizeof(main_cf),
		 "compatibility_level = 3.6\n"
		 "smtpd_restriction_classes = used_class, unused_class\n"
		 "used_class = check_sender_access hash:%s/senders, permit\n"
		 "unused_class = reject\n"
		 "smtpd_recipient_restrictions =\n"
		 "    check_recipient_access hash:%s/rcpt,\n"
		 "    check_recipient_access pcre:%s/absent.pcre,\n"
		 "    reject_unauth_destination\n"
		 "header_checks = inline:{ {/x/ = REJECT 521} }\n",
		 dir, dir, dir);
	ut_write_file(dir, "main.cf", main_cf);
	ut_write_file(dir, "senders", "qq.com REJECT go away\n");
	ut_write_file(dir, "senders.db", "");
	ut_write_file(dir, "rcpt", "foo@bar.org used_class\n");
	/* rcpt.db absent: never built; senders.db empty (Postfix cannot open
	 * it: unreadable-map) and older than its source */
	snprintf(p, sizeof(p), "%s/senders.db", dir);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 3600;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);

	check_result_init(&res);
	assert_int_equal(check_config(dir, 0, &res), 0);
	assert_true(has(&res, DIAG_UNREADABLE_MAP, "main.cf", 3));
	assert_true(has(&res, DIAG_STALE_INDEX, "main.cf", 6));
	assert_true(has(&res, DIAG_MISSING_MAP, "main.cf", 7));
	assert_true(has(&res, DIAG_UNUSED_CLASS, "main.cf", 2));
	assert_false(has(&res, DIAG_UNDEFINED_CLASS, "", 0));
	assert_int_equal(res.ntables, 4);
	assert_int_equal(res.tables[0].state, CHECK_STALE);
	assert_string_equal(res.tables[0].param, "used_class");
	assert_string_equal(res.tables[0].restriction, "check_sender_access");
	assert_int_equal(res.tables[0].role, MAINCF_ROLE_SENDER);
	assert_non_null(res.tables[0].index_path);
	assert_int_equal(res.tables[2].state, CHECK_MISSING);
	assert_int_equal(res.tables[3].state, CHECK_NOT_FILE);
	check_result_fini(&res);

	/* main.cf missing */
	check_result_init(&res);
	assert_int_equal(check_config("/nonexistent/dir", 0, &res), 0);
	assert_true(has(&res, DIAG_MISSING_MAP, "main.cf", 0));
	check_result_fini(&res);

	/* relaying decided by smtpd_recipient_restrictions (level 0), and master.cf */
	snprintf(main_cf, sizeof(main_cf),
		 "smtpd_recipient_restrictions = check_sender_access hash:%s/senders,\n"
		 "    reject_unauth_destination\n"
		 "transport_maps = hash:%s/transport\n", dir, dir);
	ut_write_file(dir, "main.cf", main_cf);
	ut_write_file(dir, "senders", "boss@example.com OK\nx@example.com DUNNO\n");
	ut_write_file(dir, "transport", "a.example smtp:\nb.example nosuch:\n");
	ut_write_file(dir, "master.cf", "smtp unix - - y - - smtp\n");
	check_result_init(&res);
	assert_int_equal(check_config(dir, 0, &res), 0);
	assert_true(has(&res, DIAG_OPEN_RELAY, "senders", 1));
	assert_false(has(&res, DIAG_OPEN_RELAY, "senders", 2));
	assert_true(has(&res, DIAG_UNKNOWN_TRANSPORT, "transport", 2));
	assert_false(has(&res, DIAG_UNKNOWN_TRANSPORT, "transport", 1));
	assert_false(has(&res, DIAG_NO_RELAY_RESTRICTION, "main.cf", 0));
	check_result_fini(&res);

	/* with compatibility_level 3.6 the relay restrictions decide: no open relay */
	snprintf(main_cf, sizeof(main_cf),
		 "compatibility_level = 3.6\n"
		 "smtpd_recipient_restrictions = check_sender_access hash:%s/senders\n", dir);
	ut_write_file(dir, "main.cf", main_cf);
	check_result_init(&res);
	assert_int_equal(check_config(dir, 0, &res), 0);
	assert_false(has(&res, DIAG_OPEN_RELAY, "senders", 0));
	check_result_fini(&res);

	/* a restriction after permit is never reached */
	ut_write_file(dir, "main.cf", "compatibility_level = 3.6\n"
	    "smtpd_helo_restrictions = permit, reject_invalid_helo_hostname\n");
	check_result_init(&res);
	assert_int_equal(check_config(dir, 0, &res), 0);
	assert_true(has(&res, DIAG_IGNORED_RESTRICTION, "main.cf", 2));
	check_result_fini(&res);

	/* level 0 and no reject_unauth_destination anywhere: smtpd will not start */
	ut_write_file(dir, "main.cf", "smtpd_recipient_restrictions = permit_mynetworks\n");
	check_result_init(&res);
	assert_int_equal(check_config(dir, 0, &res), 0);
	assert_true(has(&res, DIAG_NO_RELAY_RESTRICTION, "main.cf", 1));
	check_result_fini(&res);

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/* random sources through every parser and role: nothing may crash or leak
 * (run under ASan+UBSan by run-all.sh), and every diagnostic is well formed */
static void
test_random_sources(void **state)
{
	static const char alpha[] = "/!()[]{}\\$@.:#<> \t\n\r\"=,aAzZ019x_-OKREJECTifendif";
	static const char *const types[] = { "hash", "regexp", "pcre" };
	unsigned seed = 4242;
	struct maincf *cf = cf_of(classes_cf);
	int round;

	(void)state;
	for (round = 0; round < 1500; round++) {
		char buf[160];
		size_t n, i;
		struct diag_list dl;
		struct maincf *rcf;

		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % sizeof(buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		diag_list_init(&dl);
		assert_true(check_table_buf(types[round % 3], buf, n, "r",
					    (enum maincf_role)(round % MAINCF_NROLES), cf, &dl,
					    NULL) >= 0);
		assert_int_equal(maincf_parse(&rcf, buf, n, "main.cf", "/nonexistent", &dl), 0);
		(void)maincf_get(rcf, "smtpd_recipient_restrictions", NULL);
		(void)maincf_ref_count(rcf);
		maincf_free(rcf);
		for (i = 0; i < dl.n; i++) {
			assert_true(dl.v[i].code < DIAG_NCODES);
			assert_true(dl.v[i].message[0] != '\0');
		}
		diag_list_fini(&dl);
	}
	maincf_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_duplicate_order),
		cmocka_unit_test(test_reply_text_in_message),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_guess_role),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_class_suggestion),
		cmocka_unit_test(test_random_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
