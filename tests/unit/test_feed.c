/*
 * tests/unit/test_feed.c - core/feed.c: --since parsing, filters, stats
 * (top-N order, merge), the parallel file scan giving the same counts as
 * one pass, the text form.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/feed.h"
#include "core/logsrc.h"

static void
test_parse_time(void **state)
{
	static const struct {
		const char *in;
		long long want;         /* -1: error */
	} cases[] = {
		{ "2026-11-02", 1793577600LL },
		{ "2026-11-02 13:03", 1793624580LL },
		{ "2026-11-02T13:03:01", 1793624581LL },
		{ "2026-11-02T13:03:01.5Z", 1793624581LL },
		{ "2026-11-02T14:03:01+01:00", 1793624581LL },
		{ "2026-11-02T08:03:01-0500", 1793624581LL },
		{ "-2h", 1793624581LL - 7200 },
		{ "30m", 1793624581LL - 1800 },
		{ "1d", 1793624581LL - 86400 },
		{ "45s", 1793624581LL - 45 },
		{ "13:00", 1793624400LL },
		{ "13:00:30", 1793624430LL },   /* as the log shows it */
		{ "13:00:3x", -1 }, { "13:60:00", -1 },
		{ "today", 1793577600LL },
		{ "yesterday", 1793577600LL - 86400 },
		{ "", -1 }, { "2026-13-01", -1 }, { "2026-11-02T25:00", -1 }, { "5x", -1 },
		{ "2026-11-02T13:03:01+1", -1 }, { "soon", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t = 0;
		int rc = feed_parse_time(cases[i].in, (time_t)1793624581LL, &t);

		if (cases[i].want < 0) {
			if (rc != -1)
				fail_msg("\"%s\": got %lld, want an error", cases[i].in, (long long)t);
		} else if (rc != 0 || (long long)t != cases[i].want) {
			fail_msg("\"%s\": got rc %d t %lld, want %lld", cases[i].in, rc, (long long)t,
				 cases[i].want);
		}
	}
}

static const char *const lines[] = {
	"Nov 02 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 <1@QQ.com>: Sender address rejected: 521; from=<1@QQ.com> to=<r1@bar.org> proto=ESMTP helo=<a>",
	"Nov 02 10:00:02 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 <2@qq.com>: Sender address rejected: 521; from=<2@qq.com> to=<r1@bar.org> proto=ESMTP helo=<a>",
	"Nov 02 10:00:03 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from b[192.0.2.2]: 450 4.7.1 <r2@bar.org>: Recipient address rejected: later; from=<> to=<r2@bar.org> proto=ESMTP helo=<b>",
	"Nov 02 10:00:04 mx postfix/smtpd[1]: connect from b[192.0.2.2]",
};

static void
test_filter_and_stats(void **state)
{
	struct logline_ctx ctx;
	struct feed_filter *f, *d;
	struct feedstats *st, *st2;
	struct strbuf sb;
	char reason[256];
	size_t i;

	(void)state;
	logline_ctx_init(&ctx, 1795000000);
	f = feed_filter_new();
	assert_int_equal(feed_filter_exclude(f, "b\\[192", reason, sizeof(reason)), 0);
	assert_int_equal(feed_filter_grep(f, "(", reason, sizeof(reason)), -1);
	assert_non_null(strstr(reason, "--grep '('"));
	d = feed_filter_dup(f);
	st = feedstats_new();
	st2 = feedstats_new();
	for (i = 0; i < 3; i++) {
		struct pf_event ev;

		assert_int_equal(logline_parse(lines[i], strlen(lines[i]), &ctx, &ev), LOGLINE_EVENT);
		assert_int_equal(feed_filter_match(f, &ev), i < 2);
		assert_int_equal(feed_filter_match(d, &ev), i < 2);
		assert_int_equal(feedstats_add(i == 2 ? st2 : st, &ev), 0);
	}
	assert_int_equal(feedstats_merge(st, st2), 0);
	assert_int_equal(feedstats_total(st), 3);
	strbuf_init(&sb);
	assert_int_equal(feedstats_report_json(st, 10, &sb), 0);
	assert_string_equal(sb.buf,
		"{\"total\":3,\"by_action_stage\":[{\"action\":\"reject\",\"stage\":\"RCPT\",\"count\":2},"
		"{\"action\":\"defer\",\"stage\":\"RCPT\",\"count\":1}],"
		"\"by_reason\":[{\"reason\":\"Sender address rejected: 521\",\"count\":2},"
		"{\"reason\":\"Recipient address rejected: later\",\"count\":1}],"
		"\"sender_domains\":[{\"domain\":\"qq.com\",\"count\":2},{\"domain\":\"<>\",\"count\":1}],"
		"\"clients\":[{\"client\":\"a[192.0.2.1]\",\"count\":2},{\"client\":\"b[192.0.2.2]\",\"count\":1}],"
		"\"recipients\":[{\"recipient\":\"r1@bar.org\",\"count\":2},{\"recipient\":\"r2@bar.org\",\"count\":1}]}");
	strbuf_reset(&sb);
	assert_int_equal(feedstats_report_text(st, 1, &sb), 0);
	assert_non_null(strstr(sb.buf, "3 events\n"));
	assert_non_null(strstr(sb.buf, "(1 more)"));
	strbuf_fini(&sb);
	feedstats_free(st);
	feedstats_free(st2);
	feed_filter_free(f);
	feed_filter_free(d);
	feed_filter_free(NULL);
	feedstats_free(NULL);
}

/* the parallel scan counts exactly what one pass counts */
static void
test_scan_parts(void **state)
{
	char path[] = "/tmp/test_feed.XXXXXX";
	int fd = mkstemp(path), i;
	FILE *fp;
	struct strbuf one, many;
	unsigned parts;

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	for (i = 0; i < 20000; i++) {
		fprintf(fp, "%s\n", lines[i % 4]);
		if (i % 1000 == 7)
			fputs("junk line\n", fp);
	}
	fputs(lines[0], fp);    /* no newline at the end */
	fclose(fp);
	strbuf_init(&one);
	strbuf_init(&many);
	for (parts = 1; parts <= 7; parts += 2) {
		struct feedstats *st = feedstats_new();
		struct logsrc_counts c;
		char reason[256];

		assert_int_equal(feedstats_scan_file(path, NULL, st, parts, &c, reason, sizeof(reason)), 0);
		assert_int_equal(c.lines, 20000 + 20 + 1);
		assert_int_equal(c.junk, 20);
		assert_int_equal(feedstats_total(st), 15000 + 1);
		if (parts == 1)
			assert_int_equal(feedstats_report_json(st, 10, &one), 0);
		strbuf_reset(&many);
		assert_int_equal(feedstats_report_json(st, 10, &many), 0);
		assert_string_equal(one.buf, many.buf);
		feedstats_free(st);
	}
	strbuf_fini(&one);
	strbuf_fini(&many);
	unlink(path);
}

static void
test_event_text(void **state)
{
	struct pf_event ev;
	struct strbuf sb;

	(void)state;
	assert_int_equal(logline_parse(lines[2], strlen(lines[2]), NULL, &ev), LOGLINE_EVENT);
	strbuf_init(&sb);
	assert_int_equal(feed_event_text(&ev, &sb), 0);
	assert_non_null(strstr(sb.buf, " defer RCPT b[192.0.2.2] 450 4.7.1 from=<> to=<r2@bar.org> helo=<b>: <r2@bar.org>: Recipient address rejected: later"));
	strbuf_fini(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_filter_and_stats),
		cmocka_unit_test(test_scan_parts),
		cmocka_unit_test(test_event_text),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
