/*
 * tui/cli_feed.c - pfconsole feed: rejects and other actions from the log.
 *
 * pfconsole feed [-c DIR] [--log SRC] [--follow] [--json] [--since TIME]
 *                [--grep RE] [--exclude RE] [--stats] [-n N] [--top N]
 *
 * Reads the source (--log, or the first readable of main.cf maillog_file,
 * /var/log/mail.log, /var/log/maillog, the journal), filters events and
 * prints one line per event (text through core/textsafe, or --json), or
 * the --stats report.  --follow prints the last N events (default 10) and
 * then new ones as they are logged, until interrupted.
 * Exit: 0 done, 1 no source could be read or a read error, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/feed.h"
#include "core/logmux.h"
#include "core/logsrc.h"
#include "core/textsafe.h"
#include "util/strbuf.h"
#include "tui/cli.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct out {
	struct feed_filter *filter;
	struct feedstats *stats;
	bool json;
	bool show_host;             /* several sources or --host: text names each event's host */
	struct strbuf sb;
	bool write_error;
};

static bool
want(void *arg, const struct pf_event *ev)
{
	struct out *o = arg;

	return feed_filter_match(o->filter, ev);
}

static int
on_event(void *arg, const struct pf_event *ev)
{
	struct out *o = arg;

	if (o->stats != NULL)
		return feedstats_add(o->stats, ev) < 0 ? -1 : 0;
	strbuf_reset(&o->sb);
	if ((o->json ? event_to_json(ev, &o->sb) : feed_event_text(ev, &o->sb)) < 0 ||
	    strbuf_addch(&o->sb, '\n') < 0)
		return -1;
	if (o->show_host && !o->json) {
		/* "TIME HOST action ...": the host after the time stamp */
		char *sp = memchr(o->sb.buf, ' ', o->sb.len);
		size_t at = sp ? (size_t)(sp - o->sb.buf) + 1 : 0, tail = o->sb.len - at;
		struct strbuf h;

		strbuf_init(&h);
		if (ev->host.p)
			textsafe_append(&h, ev->host.p, ev->host.n, TEXTSAFE_NOLIMIT, NULL, NULL);
		else
			strbuf_addch(&h, '-');
		strbuf_addch(&h, ' ');
		if (strbuf_reserve(&o->sb, h.len) < 0) {
			strbuf_fini(&h);
			return -1;
		}
		memmove(o->sb.buf + at + h.len, o->sb.buf + at, tail + 1);
		memcpy(o->sb.buf + at, h.buf, h.len);
		o->sb.len += h.len;
		strbuf_fini(&h);
	}
	if (fwrite(o->sb.buf, 1, o->sb.len, stdout) != o->sb.len) {
		o->write_error = true;
		return -1;
	}
	return 0;
}

static void
on_note(void *arg, enum logsrc_note what, const char *text)
{
	(void)arg;
	switch (what) {
	case LOGSRC_NOTE_ROTATED:
		fprintf(stderr, "pfconsole feed: %s was rotated; reading the new file\n", text);
		break;
	case LOGSRC_NOTE_TRUNCATED:
		fprintf(stderr, "pfconsole feed: %s was truncated; reading from its start (the "
			"lines written between the copy and the truncation of a copytruncate "
			"are in neither file and cannot be shown)\n", text);
		break;
	case LOGSRC_NOTE_GONE:
		fprintf(stderr, "pfconsole feed: %s disappeared; waiting for it\n", text);
		break;
	case LOGSRC_NOTE_ERROR:
		fprintf(stderr, "pfconsole feed: %s\n", text);
		break;
	default:
		break;
	}
}

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole feed [-c DIR] [-l SRC]... [-H NAMES] [-f] [-n N] [-j]\n"
		"                      [-s TIME] [-g RE] [-x RE] [-S [-t N]]\n"
		"\n"
		"  -l, --log SRC     a log file, '-' for standard input, 'journal',\n"
		"                    'journal-dir:DIR', 'journal-file:FILE', or a directory\n"
		"                    of per-host files; repeat for several sources, merged\n"
		"                    in time order (default: main.cf maillog_file,\n"
		"                    /var/log/mail.log, /var/log/maillog, the systemd journal)\n"
		"  -H, --host NAMES  only events logged by these hosts (comma-separated)\n"
		"  -f, --follow      print the last N events, then new ones as they come\n"
		"  -n, --last N      only the last N events (read backwards from the end)\n"
		"  -j, --json        one JSON object per line\n"
		"  -s, --since TIME  2026-11-02[T13:03[:01][+01:00]], 13:03[:01] (today),\n"
		"                    -2h, 30m, 1d, today\n"
		"  -g, --grep RE     keep events whose log line matches the PCRE2 pattern RE\n"
		"  -x, --exclude RE  drop events whose log line matches RE\n"
		"  -S, --stats       counts by action and stage, reason, sender domain,\n"
		"                    client and recipient (-t, --top N entries, default 10)\n");
}

static int
parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
follow_loop(struct logmux *lm, const struct feed_sink *sink, struct out *o)
{
	char reason[512];

	while (!stop_flag) {
		struct pollfd pfd[64];
		size_t npfd = logmux_pollfds(lm, pfd, 64);
		int to = logmux_timeout_ms(lm), r;

		if (logmux_eof(lm))
			return 0;
		r = poll(pfd, npfd, to);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "pfconsole feed: poll: %s\n", strerror(errno));
			return 1;
		}
		if (stop_flag)
			break;
		if (logmux_poll(lm, sink, reason, sizeof(reason)) < 0) {
			fprintf(stderr, "pfconsole feed: %s\n", reason);
			return 1;
		}
		if (o->write_error || fflush(stdout) == EOF)
			return 1;
	}
	return 0;
}

static const struct option feed_longopts[] = {
	{ "log", required_argument, NULL, 'l' },
	{ "host", required_argument, NULL, 'H' },
	{ "follow", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "since", required_argument, NULL, 's' },
	{ "grep", required_argument, NULL, 'g' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "stats", no_argument, NULL, 'S' },
	{ "last", required_argument, NULL, 'n' },
	{ "top", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_feed_options = { "l:H:fjs:g:x:Sn:t:h", feed_longopts };

/* What the command line asked for */
struct feed_args {
	struct cli_logs logs;
	bool follow, stats, have_n;
	size_t n, top;
};

/* parse_args - the command line into A (and O's filter and format): -1 go
 * on, else the exit status (0 after --help, 2 usage) */
static int
parse_args(int argc, char **argv, struct feed_args *a, struct out *o)
{
	char reason[1024];
	time_t t;
	int c;

	a->n = a->top = 10;
	while ((c = getopt_long(argc, argv, cli_feed_options.shortopts, cli_feed_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			/* --log more than once: several sources merged in time order */
			if (cli_logs_add(&a->logs, "feed", optarg) < 0)
				return 2;
			break;
		case 'H':
			a->logs.host = optarg;
			break;
		case 'f':
			a->follow = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 's':
			if (cli_parse_since("feed", optarg, &t) < 0)
				return 2;
			feed_filter_since(o->filter, t);
			break;
		case 'g':
		case 'x':
			if ((c == 'g' ? feed_filter_grep : feed_filter_exclude)(o->filter, optarg, reason,
										 sizeof(reason)) < 0) {
				fprintf(stderr, "pfconsole feed: %s\n", reason);
				return 2;
			}
			break;
		case 'S':
			a->stats = true;
			break;
		case 'n':
		case 't':
			if (parse_count(optarg, c == 'n' ? &a->n : &a->top) < 0) {
				fprintf(stderr, "pfconsole feed: -%c '%s': not a count\n", c, optarg);
				return 2;
			}
			if (c == 'n')
				a->have_n = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pfconsole feed: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (a->stats && a->follow) {
		fprintf(stderr, "pfconsole feed: --stats and --follow cannot be combined\n");
		return 2;
	}
	return -1;
}

/* catch_signals - SIGINT, SIGTERM and SIGHUP end a read in progress (no
 * SA_RESTART: a blocked read returns) and are seen by every source */
static void
catch_signals(struct logmux *lm)
{
	struct sigaction sa;
	size_t k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (k = 0; k < logmux_count(lm); k++)
		logsrc_set_cancel(logmux_src(lm, k), &stop_flag);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* read_events - the events of LM through SINK: the whole log, or the last
 * N and (--follow) what comes after them; *INTERRUPTED when a signal
 * stopped it.  -1 on a read, memory or write error (said on stderr), else
 * the follow loop's exit status (0 without --follow) */
static int
read_events(struct logmux *lm, const struct feed_args *a, const struct feed_sink *sink,
	    struct out *o, bool *interrupted)
{
	char reason[1024];
	int rc;

	if (a->follow || a->have_n)
		rc = logmux_backlog(lm, a->n, sink, reason, sizeof(reason));
	else
		rc = logmux_read(lm, sink, reason, sizeof(reason));
	if (rc < 0) {
		fprintf(stderr, "pfconsole feed: %s\n", reason);
		return -1;
	}
	if (rc > 0 && stop_flag) {
		/* stopped by a signal: what was read so far is reported */
		fprintf(stderr, "pfconsole feed: interrupted\n");
		*interrupted = true;
		rc = 0;
	}
	if (rc > 0 && !o->write_error) {
		/* only a failing on_event stops the source early */
		fprintf(stderr, "pfconsole feed: out of memory\n");
		return -1;
	}
	if (o->write_error || fflush(stdout) == EOF)
		return -1;
	if (a->follow && !*interrupted)
		return follow_loop(lm, sink, o);
	return 0;
}

/* report - the --stats report, and what was skipped or cut; the exit status */
static int
report(const struct feed_args *a, struct out *o, const struct logsrc_counts *cnt)
{
	if (a->stats) {
		strbuf_reset(&o->sb);
		if ((o->json ? feedstats_report_json(o->stats, a->top, &o->sb)
			     : feedstats_report_text(o->stats, a->top, &o->sb)) < 0) {
			fprintf(stderr, "pfconsole feed: out of memory\n");
			return 1;
		}
		fputs(o->sb.buf, stdout);
		if (o->json)
			putchar('\n');
	}
	if (cnt->junk > 0)
		fprintf(stderr, "pfconsole feed: skipped %llu line%s that were not log lines\n",
			(unsigned long long)cnt->junk, cnt->junk == 1 ? "" : "s");
	if (cnt->cut > 0)
		fprintf(stderr, "pfconsole feed: cut %llu line%s longer than %d KiB (%s marked truncated)\n",
			(unsigned long long)cnt->cut, cnt->cut == 1 ? "" : "s", LOGSRC_LINE_MAX / 1024,
			cnt->cut == 1 ? "its event is" : "their events are");
	return fflush(stdout) == EOF ? 1 : 0;
}

int
cli_feed(int argc, char **argv, const struct cli_global *g)
{
	struct feed_args a;
	struct logmux *lm = NULL;
	struct logsrc *ls;
	struct logsrc_counts cnt;
	struct feed_sink sink = { NULL, want, on_event, on_note, NULL };
	struct out o;
	char reason[1024];
	bool interrupted = false;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	memset(&cnt, 0, sizeof(cnt));
	strbuf_init(&o.sb);
	sink.arg = &o;
	if ((o.filter = feed_filter_new()) == NULL) {
		fprintf(stderr, "pfconsole feed: out of memory\n");
		return 1;
	}
	if ((rc = parse_args(argc, argv, &a, &o)) >= 0)
		goto done;
	rc = 1;
	if (cli_logs_default(&a.logs, "feed", g->config_dir) < 0)
		goto done;
	if ((lm = logmux_open(a.logs.v, a.logs.n, a.follow, reason, sizeof(reason))) == NULL) {
		fprintf(stderr, "pfconsole feed: %s\n", reason);
		goto done;
	}
	if (logmux_set_host(lm, a.logs.host) < 0 || (a.stats && (o.stats = feedstats_new()) == NULL)) {
		fprintf(stderr, "pfconsole feed: out of memory\n");
		goto done;
	}
	ls = logmux_count(lm) == 1 ? logmux_src(lm, 0) : NULL;
	o.show_host = logmux_count(lm) > 1 || a.logs.host != NULL;
	catch_signals(lm);
	if (!a.follow) {
		static char obuf[1 << 16];

		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	}
	if (a.stats && !a.have_n && ls && !a.logs.host && logsrc_size(ls) > (off_t)(8 << 20)) {
		/* a big file: count its parts in parallel, one per CPU */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		if (feedstats_scan_file(a.logs.v[0], o.filter, o.stats,
					ncpu < 1 ? 1 : ncpu > 4 ? 4 : (unsigned)ncpu, &cnt, reason,
					sizeof(reason)) < 0) {
			fprintf(stderr, "pfconsole feed: %s\n", reason);
			goto done;
		}
		rc = report(&a, &o, &cnt);
	} else {
		int r = read_events(lm, &a, &sink, &o, &interrupted);

		if (r < 0)
			goto done;
		logmux_counts(lm, &cnt);
		rc = report(&a, &o, &cnt);
		if (rc == 0)
			rc = interrupted ? 1 : r;
	}
done:
	logmux_close(lm);
	feed_filter_free(o.filter);
	feedstats_free(o.stats);
	strbuf_fini(&o.sb);
	return rc;
}
