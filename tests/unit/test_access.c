/* tests/unit/test_access.c - access(5) results: parsing, problems, replies.
 *
 * The expected replies are the ones a real Postfix 3.7.11 smtpd sent for
 * the same values (tests/explain/e2e.py, configuration "actions").
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"

static void
test_empty_and_null(void **state)
{
	struct access_action a;

	(void)state;
	access_parse("", 0, &a);
	assert_int_equal(a.kind, ACCESS_EMPTY);
	access_parse(" , ", 3, &a);
	assert_int_equal(a.kind, ACCESS_EMPTY);
	assert_string_equal(access_kind_name(ACCESS_OK), "OK");
}

static void
test_kinds(void **state)
{
	static const struct {
		const char *value;
		enum access_kind kind;
		int code;
		const char *dsn;            /* as written, "" if none */
		const char *text;
	} t[] = {
		{ "OK", ACCESS_OK, 0, "", "" },
		{ "ok whatever", ACCESS_OK, 0, "", "whatever" },
		{ "RELAY", ACCESS_OK, 0, "", "" },
		{ "12345", ACCESS_NUMERIC, 0, "", "" },
		{ "550", ACCESS_NUMERIC, 0, "", "" },
		{ "DUNNO", ACCESS_DUNNO, 0, "", "" },
		{ "REJECT", ACCESS_REJECT, 0, "", "" },
		{ "reject go away", ACCESS_REJECT, 0, "", "go away" },
		{ "REJECT 5.7.9 custom", ACCESS_REJECT, 0, "5.7.9", "custom" },
		{ "REJECT  521", ACCESS_REJECT, 0, "", "521" },
		{ "REJECT 5.7.1000 x", ACCESS_REJECT, 0, "", "5.7.1000 x" },
		{ "521 botnet", ACCESS_CODE, 521, "", "botnet" },
		{ "550 4.7.9 x", ACCESS_CODE, 550, "4.7.9", "x" },
		{ "250 not a reply", ACCESS_RESTRICTIONS, 0, "", "250 not a reply" },
		{ "699 out of range", ACCESS_RESTRICTIONS, 0, "", "699 out of range" },
		{ "DEFER", ACCESS_DEFER, 0, "", "" },
		{ "DEFER_IF_PERMIT later", ACCESS_DEFER_IF_PERMIT, 0, "", "later" },
		{ "DEFER_IF_REJECT", ACCESS_DEFER_IF_REJECT, 0, "", "" },
		{ "HOLD", ACCESS_HOLD, 0, "", "" },
		{ "DISCARD x", ACCESS_DISCARD, 0, "", "x" },
		{ "FILTER smtp:[127.0.0.1]:10025", ACCESS_FILTER, 0, "", "smtp:[127.0.0.1]:10025" },
		{ "REDIRECT a@b", ACCESS_REDIRECT, 0, "", "a@b" },
		{ "BCC a@b", ACCESS_BCC, 0, "", "a@b" },
		{ "PREPEND X-A: b", ACCESS_PREPEND, 0, "", "X-A: b" },
		{ "WARN w", ACCESS_WARN, 0, "", "w" },
		{ "INFO i", ACCESS_INFO, 0, "", "i" },
		{ "HANGUP", ACCESS_HANGUP, 0, "", "" },
		{ "check_sender_access hash:/x", ACCESS_TABLE_REF, 0, "", "hash:/x" },
		{ "permit_mynetworks, reject", ACCESS_RESTRICTIONS, 0, "", "permit_mynetworks, reject" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct access_action a;
		const char *v = t[i].value;

		access_parse(v, strlen(v), &a);
		if (a.kind != t[i].kind)
			fail_msg("%s: got kind %s, want %s", v, access_kind_name(a.kind),
				 access_kind_name(t[i].kind));
		assert_int_equal(a.code, t[i].code);
		if (strlen(t[i].dsn) != a.dsn.len || memcmp(v + a.dsn.off, t[i].dsn, a.dsn.len) != 0)
			fail_msg("%s: got dsn '%.*s', want '%s'", v, (int)a.dsn.len, v + a.dsn.off,
				 t[i].dsn);
		if (strlen(t[i].text) != a.text.len || memcmp(v + a.text.off, t[i].text, a.text.len) != 0)
			fail_msg("%s: got text '%.*s', want '%s'", v, (int)a.text.len, v + a.text.off,
				 t[i].text);
	}
}

static void
test_dsn_valid(void **state)
{
	(void)state;
	assert_int_equal(access_dsn_valid("5.7.1 x", 7), 5);
	assert_int_equal(access_dsn_valid("5.7.1", 5), 5);
	assert_int_equal(access_dsn_valid("4.123.456", 9), 9);
	assert_int_equal(access_dsn_valid("5.7.1000", 8), 0);
	assert_int_equal(access_dsn_valid("3.7.1 x", 7), 0);
	assert_int_equal(access_dsn_valid("5.7.1x", 6), 0);
	assert_int_equal(access_dsn_valid("5..1", 4), 0);
	assert_int_equal(access_dsn_valid("", 0), 0);
}

static void
test_dsn_fix(void **state)
{
	/* smtpd_dsn_fix as Postfix 3.7.11 does it (seen from a real smtpd) */
	static const struct {
		const char *in;
		enum access_ctx ctx;
		const char *out;
	} t[] = {
		{ "5.1.1", ACCESS_CTX_SENDER, "5.1.7" },
		{ "5.1.2", ACCESS_CTX_SENDER, "5.1.8" },
		{ "5.1.3", ACCESS_CTX_SENDER, "5.1.7" },
		{ "5.1.5", ACCESS_CTX_SENDER, "5.1.0" },
		{ "5.1.6", ACCESS_CTX_SENDER, "5.1.7" },
		{ "5.1.9", ACCESS_CTX_SENDER, "5.1.0" },
		{ "5.1.7", ACCESS_CTX_RECIPIENT, "5.1.3" },
		{ "5.1.8", ACCESS_CTX_RECIPIENT, "5.1.2" },
		{ "5.1.1", ACCESS_CTX_RECIPIENT, "5.1.1" },
		{ "4.1.1", ACCESS_CTX_CLIENT, "4.0.0" },
		{ "5.1.3", ACCESS_CTX_HELO, "5.0.0" },
		{ "5.7.9", ACCESS_CTX_SENDER, "5.7.9" },
	};
	size_t i;
	char out[12];

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		access_dsn_fix(t[i].in, t[i].ctx, out);
		if (strcmp(out, t[i].out) != 0)
			fail_msg("%s in %s: got %s, want %s", t[i].in, access_ctx_class(t[i].ctx), out,
				 t[i].out);
	}
}

static void
test_replies(void **state)
{
	static const struct {
		const char *value;
		enum access_ctx ctx;
		const char *name;
		const char *want;       /* code dsn text, as smtpd sent it */
	} t[] = {
		{ "REJECT  521", ACCESS_CTX_SENDER, "318787866@qq.com",
		  "554 5.7.1 <318787866@qq.com>: Sender address rejected: 521" },
		{ "REJECT", ACCESS_CTX_RECIPIENT, "r@local.test",
		  "554 5.7.1 <r@local.test>: Recipient address rejected: Access denied" },
		{ "550 4.7.9 dsn class four", ACCESS_CTX_SENDER, "u@x",
		  "550 5.7.9 <u@x>: Sender address rejected: dsn class four" },
		{ "451 5.3.0 mismatch", ACCESS_CTX_SENDER, "u@x",
		  "451 4.3.0 <u@x>: Sender address rejected: mismatch" },
		{ "DEFER 5.7.1 five in defer", ACCESS_CTX_CLIENT, "c.example[192.0.2.1]",
		  "450 4.7.1 <c.example[192.0.2.1]>: Client host rejected: five in defer" },
		{ "DEFER", ACCESS_CTX_HELO, "h.example",
		  "450 4.7.1 <h.example>: Helo command rejected: Access denied" },
		{ "REJECT 5.1.1 one", ACCESS_CTX_SENDER, "u@x",
		  "554 5.1.7 <u@x>: Sender address rejected: one" },
		{ "REJECT tab\there", ACCESS_CTX_SENDER, "u@x",
		  "554 5.7.1 <u@x>: Sender address rejected: tab here" },
		{ "DEFER_IF_PERMIT", ACCESS_CTX_SENDER, "u@x",
		  "450 4.7.1 <u@x>: Sender address rejected: Service unavailable" },
		{ "521 botnet go away", ACCESS_CTX_SENDER, "u@x",
		  "521 5.7.1 <u@x>: Sender address rejected: botnet go away" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct access_action a;
		struct access_reply r;
		char got[600];

		access_parse(t[i].value, strlen(t[i].value), &a);
		access_reply_init(&r);
		assert_int_equal(access_reply_for(&r, t[i].value, strlen(t[i].value), &a, t[i].ctx,
						  t[i].name, 554, 450), 1);
		snprintf(got, sizeof(got), "%d %s %s", r.code, r.dsn, r.text.buf);
		if (strcmp(got, t[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", t[i].value, got, t[i].want);
		access_reply_fini(&r);
	}
}

static void
test_reply_set(void **state)
{
	struct access_reply r;

	(void)state;
	access_reply_init(&r);
	assert_int_equal(access_reply_set(&r, 699, "5.7.1", "x", 1, false), 0);
	assert_int_equal(r.code, 450);
	assert_string_equal(r.dsn, "4.7.1");
	assert_string_equal(r.text.buf, "Service unavailable");
	assert_int_equal(access_reply_set(&r, 554, "5.7.1", "a\001b", 3, true), 0);
	assert_int_equal(r.code, 454);
	assert_string_equal(r.dsn, "4.7.1");
	assert_string_equal(r.text.buf, "a b");
	/* printable(): valid UTF-8 stays; overlong forms, surrogates and code
	 * points past U+10FFFF are invalid, each byte a space */
	assert_int_equal(access_reply_set(&r, 550, "5.1.1", "\xc3\xa9|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80", 14,
					  false), 0);
	assert_string_equal(r.text.buf, "\xc3\xa9|  |   |    ");
	access_reply_fini(&r);
}

static bool
only_insiders(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return len == 13 && memcmp(name, "insiders_only", 13) == 0;
}

static void
test_problems(void **state)
{
	static const struct {
		const char *value;
		enum diag_code code;        /* first problem; DIAG_NCODES = none */
		size_t off;
	} t[] = {
		{ "REJECT 521", DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 7 },
		{ "REJECT 550 no", DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, 7 },
		{ "550", DIAG_BAD_CODE, 0 },
		{ "250 ok", DIAG_BAD_CODE, 0 },
		{ "REJECT 5.7.1", DIAG_BAD_CODE, 7 },
		{ "550 4.7.1 text", DIAG_BAD_CODE, 4 },
		{ "FILTER nocolon", DIAG_BAD_ACTION, 7 },
		{ "REDIRECT nobody", DIAG_BAD_ACTION, 9 },
		{ "PREPEND no header", DIAG_BAD_ACTION, 8 },
		{ "check_sender_access hash:/x", DIAG_BAD_ACTION, 0 },
		{ "Insiders_Only", DIAG_UNDEFINED_CLASS, 0 },
		{ "permit_mynetworks, good_senders_only", DIAG_UNDEFINED_CLASS, 19 },
		{ "insiders_only", DIAG_NCODES, 0 },
		{ "REJECT go away", DIAG_NCODES, 0 },
		{ "OK", DIAG_NCODES, 0 },
		{ "550 5.7.1 fine", DIAG_NCODES, 0 },
		{ "reject_rbl_client zen.example, reject", DIAG_NCODES, 0 },
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct access_action a;
		struct access_problem p[4];

		access_parse(t[i].value, strlen(t[i].value), &a);
		n = access_check(t[i].value, strlen(t[i].value), &a, only_insiders, NULL, p, 4);
		if (t[i].code == DIAG_NCODES) {
			if (n != 0)
				fail_msg("%s: got problem '%s', want none", t[i].value, p[0].message);
			continue;
		}
		if (n == 0)
			fail_msg("%s: got no problem, want %s", t[i].value, diag_code_name(t[i].code));
		if (p[0].code != t[i].code || p[0].off != t[i].off)
			fail_msg("%s: got %s at %zu, want %s at %zu", t[i].value, diag_code_name(p[0].code),
				 p[0].off, diag_code_name(t[i].code), t[i].off);
	}
}

static void
test_words(void **state)
{
	const char *v = "a, {b c}, inline:{ k=v, x=y } ,d";
	const char *want[] = { "a", "{b c}", "inline:{ k=v, x=y }", "d" };
	size_t pos = 0, off, wl, i = 0;

	(void)state;
	while (access_next_word(v, strlen(v), &pos, &off, &wl)) {
		assert_true(i < 4);
		if (wl != strlen(want[i]) || memcmp(v + off, want[i], wl) != 0)
			fail_msg("word %zu: got '%.*s', want '%s'", i, (int)wl, v + off, want[i]);
		i++;
	}
	assert_int_equal(i, 4);
	assert_true(access_is_builtin_restriction("PERMIT_MYNETWORKS", 17));
	assert_false(access_is_builtin_restriction("permit_mynetwork", 16));
	assert_true(access_restriction_takes_arg("check_client_access", 19));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_dsn_valid),
		cmocka_unit_test(test_dsn_fix),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_reply_set),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
