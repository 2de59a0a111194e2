/*
 * tests/unit/test_logsrc.c - core/logsrc.c: back-log read backwards,
 * partial and over-long lines, truncation that regrows, source discovery.
 * (Rotation under a live writer: tests/feed/rotation.sh.)
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/logsrc.h"

static char dir[] = "/tmp/test_logsrc.XXXXXX";
static char path[256];

struct got {
	char to[200][32];
	size_t n;
	int stop_after;         /* >0: stop after that many */
	int notes[8];
};

static int
on_event(void *arg, const struct pf_event *ev)
{
	struct got *g = arg;

	if (g->n < 200) {
		snprintf(g->to[g->n], sizeof(g->to[0]), "%.*s", (int)ev->to.n, ev->to.p);
		g->n++;
	}
	return g->stop_after > 0 && g->n == (size_t)g->stop_after;
}

static bool
want_even(void *arg, const struct pf_event *ev)
{
	(void)arg;
	/* rcpt numbers ending in an even digit */
	return ev->to.n > 0 && strchr("02468", ev->to.p[ev->to.n - 1]) != NULL;
}

static void
on_note(void *arg, enum logsrc_note what, const char *text)
{
	struct got *g = arg;

	(void)text;
	g->notes[what]++;
}

static void
event_line(FILE *fp, int i)
{
	fprintf(fp, "Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: "
		    "550 5.7.1 no; from=<s@x> to=<r%d> proto=ESMTP helo=<h>\n", i);
}

static void
write_file(int nevents, int other_per_event, const char *tail)
{
	FILE *fp = fopen(path, "w");
	int i, k;

	assert_non_null(fp);
	for (i = 1; i <= nevents; i++) {
		for (k = 0; k < other_per_event; k++)
			fprintf(fp, "Nov 22 12:30:27 mx postfix/smtpd[1]: connect from a[192.0.2.%d]\n", k);
		event_line(fp, i);
	}
	if (tail)
		fputs(tail, fp);
	fclose(fp);
}

static void
append(const char *s)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(s, fp);
	fclose(fp);
}

static void
test_backlog(void **state)
{
	struct got g;
	struct feed_sink sink = { &g, NULL, on_event, on_note, NULL };
	char reason[256];
	struct logsrc *ls;

	(void)state;
	/* 3000 events with 40 other lines each: many 64 KiB blocks */
	write_file(3000, 40, "Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 no; from=<s@x> to=<partial");
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 5, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.to[0], "r2996");
	assert_string_equal(g.to[4], "r3000");
	/* the unfinished line is delivered once, when it is completed */
	append("> proto=ESMTP helo=<h>\n");
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.to[0], "partial");
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 0);
	logsrc_close(ls);

	/* with a filter: the last 3 wanted events */
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	sink.want = want_even;
	assert_int_equal(logsrc_backlog(ls, 3, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.to[0], "r2996");
	assert_string_equal(g.to[2], "r3000");
	sink.want = NULL;
	logsrc_close(ls);

	/* more wanted than there are; and a sink that stops early */
	write_file(4, 0, NULL);
	ls = logsrc_open(path, false, reason, sizeof(reason));
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 100, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.to[0], "r1");
	logsrc_close(ls);
	ls = logsrc_open(path, false, reason, sizeof(reason));
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	assert_int_equal(logsrc_read(ls, &sink, reason, sizeof(reason)), 1);
	assert_int_equal(g.n, 2);
	g.stop_after = 0;
	assert_int_equal(logsrc_read(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.to[2], "r3");
	logsrc_close(ls);

	/* an empty file, and a file without any newline */
	write_file(0, 0, NULL);
	ls = logsrc_open(path, true, reason, sizeof(reason));
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 10, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 0);
	logsrc_close(ls);
}

static void
test_long_and_junk(void **state)
{
	struct got g;
	struct feed_sink sink = { &g, NULL, on_event, NULL, NULL };
	struct logsrc_counts c;
	char reason[256], *big;
	struct logsrc *ls;
	FILE *fp;

	(void)state;
	big = malloc(3 * LOGSRC_LINE_MAX);
	assert_non_null(big);
	memset(big, 'x', 3 * LOGSRC_LINE_MAX);
	fp = fopen(path, "w");
	event_line(fp, 1);
	fwrite(big, 1, 3 * LOGSRC_LINE_MAX, fp);
	fputc('\n', fp);
	fwrite("\0\0\0\xff\xfe", 1, 5, fp);
	event_line(fp, 2);
	fclose(fp);
	free(big);
	ls = logsrc_open(path, false, reason, sizeof(reason));
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_read(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.to[1], "r2");
	logsrc_counts(ls, &c);
	assert_int_equal(c.lines, 3);
	assert_int_equal(c.cut, 1);
	assert_int_equal(c.junk, 1);
	logsrc_close(ls);
}

static void
test_truncate_regrow(void **state)
{
	struct got g;
	struct feed_sink sink = { &g, NULL, on_event, on_note, NULL };
	char reason[256];
	struct logsrc *ls;
	FILE *fp;
	int i;

	(void)state;
	write_file(3, 0, NULL);
	ls = logsrc_open(path, true, reason, sizeof(reason));
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 0, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 0);
	/* truncated, then written past the old size before we look again */
	fp = fopen(path, "w");
	for (i = 10; i < 15; i++)
		event_line(fp, i);
	fclose(fp);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.notes[LOGSRC_NOTE_TRUNCATED], 1);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.to[0], "r10");
	logsrc_close(ls);
}

static void
test_discover(void **state)
{
	char spec[512], p[512];
	struct strbuf tried;
	FILE *fp;

	(void)state;
	strbuf_init(&tried);
	/* nothing there: every attempt reported */
	assert_int_equal(logsrc_discover(dir, dir, spec, sizeof(spec), &tried), -1);
	assert_non_null(strstr(tried.buf, "main.cf"));
	assert_non_null(strstr(tried.buf, "/var/log/mail.log: No such file"));
	assert_non_null(strstr(tried.buf, "/var/log/maillog: No such file"));
	assert_non_null(strstr(tried.buf, "journal"));
	/* /var/log/maillog under the root */
	snprintf(p, sizeof(p), "%s/var", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/maillog", dir);
	fclose(fopen(p, "w"));
	strbuf_reset(&tried);
	assert_int_equal(logsrc_discover(dir, dir, spec, sizeof(spec), &tried), 0);
	assert_string_equal(spec, p);
	/* main.cf maillog_file wins */
	snprintf(p, sizeof(p), "%s/main.cf", dir);
	fp = fopen(p, "w");
	fprintf(fp, "# comment\nmaillog_file = /nonexistent\nmyhostname = x\nmaillog_file =\n  %s\n", path);
	fclose(fp);
	write_file(1, 0, NULL);
	assert_int_equal(logsrc_discover(dir, dir, spec, sizeof(spec), &tried), 0);
	assert_string_equal(spec, path);
	/* with $name expansion, as Postfix expands it */
	fp = fopen(p, "w");
	fprintf(fp, "maillog_file = ${logdir}/mail.log\nlogdir = %s\n", dir);
	fclose(fp);
	assert_int_equal(logsrc_discover(dir, dir, spec, sizeof(spec), &tried), 0);
	assert_string_equal(spec, path);
	strbuf_fini(&tried);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_long_and_junk),
		cmocka_unit_test(test_truncate_regrow),
		cmocka_unit_test(test_discover),
	};
	int rc;

	setenv("TZ", "UTC", 1);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	return rc;
}
