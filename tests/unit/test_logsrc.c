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

/* write_nuls - N NUL bytes to FP */
static void
write_nuls(FILE *fp, size_t n)
{
	static const char z[4096];

	while (n > 0) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		assert_int_equal(fwrite(z, 1, k, fp), k);
		n -= k;
	}
}

/*
 * A crash hole: a run of NUL bytes, of any length, with the next line
 * right after it (no newline in between).  The line after the run is never
 * lost: read whole, read as the back-log, and followed while the hole and
 * the line arrive in pieces.  (Before: a run over 8 KiB lost the line.)
 */
static void
test_nul_holes(void **state)
{
	static const size_t runs[] = { 1, 8191, 8193, 65535, 65536, 65537, 131072 + 7,
				       300000, 1000000 };
	struct got g;
	struct feed_sink sink = { &g, NULL, on_event, NULL, NULL };
	char reason[256], want[32];
	struct logsrc *ls;
	FILE *fp;
	size_t i;

	(void)state;
	fp = fopen(path, "w");
	assert_non_null(fp);
	event_line(fp, 0);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		/* odd runs follow a torn line (the write the crash cut) */
		if (i % 2)
			fputs("Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0", fp);
		write_nuls(fp, runs[i]);
		event_line(fp, (int)i + 1);
	}
	fclose(fp);
	ls = logsrc_open(path, false, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_read(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 1 + sizeof(runs) / sizeof(runs[0]));
	for (i = 0; i < g.n; i++) {
		snprintf(want, sizeof(want), "r%zu", i);
		assert_string_equal(g.to[i], want);
	}
	logsrc_close(ls);

	/* the back-log counts the lines after holes as events */
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 3, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.to[0], "r7");
	assert_string_equal(g.to[2], "r9");
	/* followed: a hole written in pieces, then the line in two pieces */
	memset(&g, 0, sizeof(g));
	fp = fopen(path, "a");
	write_nuls(fp, 70000);
	fclose(fp);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	fp = fopen(path, "a");
	write_nuls(fp, 70000);
	fputs("Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: ", fp);
	fclose(fp);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 0);
	append("550 5.7.1 no; from=<s@x> to=<r10> proto=ESMTP helo=<h>\n");
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.to[0], "r10");
	logsrc_close(ls);
}

static int
to_json(void *arg, const struct pf_event *ev)
{
	struct strbuf *out = arg;

	assert_int_equal(event_to_json(ev, out), 0);
	return strbuf_addch(out, '\n');
}

/*
 * Lines up to the documented 64 KiB are read whole (from/to/helo at the
 * end of a 60 KiB line are found); a longer line is cut there and its event
 * says so ("truncated":true), with the field list absent - never read from
 * the cut text, even when the cut text ends in a field list of its own.
 * (Before: lines were cut at 8 KiB, and from/to/helo became null with no
 * marker.)
 */
static void
test_long_lines(void **state)
{
	static const size_t lens[] = { 9000, 30000, 60000, 65000 };
	struct strbuf out;
	struct feed_sink sink = { &out, NULL, to_json, NULL, NULL };
	char reason[256], *pad;
	struct logsrc *ls;
	struct logsrc_counts c;
	FILE *fp;
	size_t i;
	const char *q;

	(void)state;
	pad = malloc(200000);
	assert_non_null(pad);
	memset(pad, 'x', 200000);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		fprintf(fp, "Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: "
			    "550 5.7.1 <%.*s>: Sender address rejected; from=<s%zu@x> to=<r%zu> "
			    "proto=ESMTP helo=<h>\n", (int)lens[i], pad, i, i);
	/* 100 KiB: the cut falls inside a forged field list the sender wrote */
	{
		const char *forged = "; from=<partner@good.example> to=<ceo@b.example> proto=ESMTP "
				     "helo=<mail.good.example>";
		size_t pre = strlen("Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
				    "a[192.0.2.1]: 550 5.7.1 <");

		fprintf(fp, "Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: "
			    "550 5.7.1 <%.*s%s%.*s>: Sender address rejected; from=<evil@x> to=<r9> "
			    "proto=ESMTP helo=<h>\n", (int)(LOGLINE_MAX - pre - strlen(forged)), pad,
			forged, 40000, pad);
	}
	fclose(fp);
	strbuf_init(&out);
	ls = logsrc_open(path, false, reason, sizeof(reason));
	assert_non_null(ls);
	assert_int_equal(logsrc_read(ls, &sink, reason, sizeof(reason)), 0);
	logsrc_counts(ls, &c);
	assert_int_equal(c.events, 5);
	assert_int_equal(c.cut, 1);
	q = out.buf;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char want[64];
		const char *nl = strchr(q, '\n');

		assert_non_null(nl);
		snprintf(want, sizeof(want), "\"from\":\"s%zu@x\",\"to\":\"r%zu\"", i, i);
		if (memmem(q, (size_t)(nl - q), want, strlen(want)) == NULL)
			fail_msg("line %zu (%zu bytes): no %s", i, lens[i], want);
		assert_null(memmem(q, (size_t)(nl - q), "truncated", 9));
		q = nl + 1;
	}
	assert_non_null(strstr(q, "\"from\":null,\"to\":null,\"proto\":null,\"helo\":null"));
	assert_non_null(strstr(q, "\"client_ip\":\"192.0.2.1\""));
	assert_non_null(strstr(q, ",\"truncated\":true}"));
	assert_null(strstr(q, "good.example"));
	logsrc_close(ls);
	strbuf_fini(&out);
	free(pad);
}

/* add_events - append events FROM..TO to FILE */
static void
add_events(const char *file, int from, int to)
{
	FILE *fp = fopen(file, "a");
	int i;

	assert_non_null(fp);
	for (i = from; i <= to; i++)
		event_line(fp, i);
	fclose(fp);
}

/* got_range - G holds r FROM .. r TO, in order */
static void
got_range(const struct got *g, int from, int to)
{
	char want[32];
	int i;

	assert_int_equal(g->n, (size_t)(to - from + 1));
	for (i = from; i <= to; i++) {
		snprintf(want, sizeof(want), "r%d", i);
		assert_string_equal(g->to[i - from], want);
	}
}

/*
 * Deterministic rotations between two looks (the follower was slow, or
 * logrotate ran twice): every line once, in order.
 *  - two rename rotations: the file the name held in between is found next
 *    to it (mail.log.1) and read, in the order the files were written;
 *  - a symbolic link flipped between two files: a file read before is
 *    resumed where reading stopped (before: read again from its start);
 *  - copytruncate before anything was read: the copy holds the first
 *    batch (before: lost);
 *  - two copytruncates between two looks, with copies under new names.
 */
static void
test_rotations_between_looks(void **state)
{
	struct got g;
	struct feed_sink sink = { &g, NULL, on_event, on_note, NULL };
	char reason[256], p1[300], p2[300], p3[300], cmd[1400];
	struct logsrc *ls;

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s'.*", path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.old", path);
	/* an old rotated file present at the start is never read */
	add_events(p3, 900, 905);
	add_events(path, 1, 3);
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 0, &sink, reason, sizeof(reason)), 0);
	add_events(path, 4, 5);
	assert_int_equal(rename(path, p1), 0);
	add_events(path, 6, 8);
	assert_int_equal(rename(path, p2), 0);
	add_events(path, 9, 10);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	got_range(&g, 4, 10);
	memset(&g, 0, sizeof(g));
	add_events(p2, 11, 11);         /* a late write to a rotated file */
	add_events(path, 12, 12);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	got_range(&g, 11, 12);
	logsrc_close(ls);

	/* a symbolic link flipping between two files */
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s'.*", path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(p1, sizeof(p1), "%s.a", path);
	snprintf(p2, sizeof(p2), "%s.b", path);
	snprintf(p3, sizeof(p3), "%s.tmp", path);
	add_events(p1, 1, 2);
	add_events(p2, 0, -1);
	assert_int_equal(symlink(p1, path), 0);
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 10, &sink, reason, sizeof(reason)), 0);
	got_range(&g, 1, 2);
	{
		int k, next = 3;

		for (k = 0; k < 6; k++) {
			const char *to = k % 2 ? p1 : p2;

			memset(&g, 0, sizeof(g));
			assert_int_equal(symlink(to, p3), 0);
			assert_int_equal(rename(p3, path), 0);
			add_events(to, next, next + 2);
			assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
			got_range(&g, next, next + 2);
			next += 3;
		}
		/* both flips between two looks, and long after (no file drained) */
		memset(&g, 0, sizeof(g));
		add_events(p1, next, next);
		assert_int_equal(symlink(p2, p3), 0);
		assert_int_equal(rename(p3, path), 0);
		add_events(p2, next + 1, next + 1);
		assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
		got_range(&g, next, next + 1);
	}
	logsrc_close(ls);

	/* copytruncate before the first read, then twice between two looks */
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s'.*", path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(p1, sizeof(p1), "%s-20261201", path);
	snprintf(p2, sizeof(p2), "%s-20261202", path);
	snprintf(p3, sizeof(p3), "%s-20261203", path);
	add_events(path, 0, -1);
	ls = logsrc_open(path, true, reason, sizeof(reason));
	assert_non_null(ls);
	memset(&g, 0, sizeof(g));
	assert_int_equal(logsrc_backlog(ls, 10, &sink, reason, sizeof(reason)), 0);
	assert_int_equal(g.n, 0);
	add_events(path, 1, 4);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && : >'%s'", path, p1, path);
	assert_int_equal(system(cmd), 0);
	add_events(path, 5, 6);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	got_range(&g, 1, 6);
	memset(&g, 0, sizeof(g));
	add_events(path, 7, 8);
	usleep(20000);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && : >'%s'", path, p2, path);
	assert_int_equal(system(cmd), 0);
	add_events(path, 9, 10);
	usleep(20000);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && : >'%s'", path, p3, path);
	assert_int_equal(system(cmd), 0);
	add_events(path, 11, 11);
	assert_int_equal(logsrc_poll(ls, &sink, reason, sizeof(reason)), 0);
	got_range(&g, 7, 11);
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
		cmocka_unit_test(test_nul_holes),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_truncate_regrow),
		cmocka_unit_test(test_rotations_between_looks),
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
