/*
 * tui/screen_feed.c - Live rejects: the feed model (feedpane) and its
 * screen.
 *
 * The feedpane follows the log from the moment the console starts, even
 * while other screens are shown (core/logsrc.c: rotation, partial lines),
 * keeping the last FEED_KEEP reject-like events (at most FEED_KEEP_BYTES
 * of their lines; reject, defer,
 * reject_warning, hold, discard, hangup) and counts per minute.  The
 * screen shows them newest first (or last), filtered by a PCRE2 filter
 * and exclude pattern (core/feed.c), pauses, and from an event: the event
 * in full with the table line that decided it (core/explain.c), a jump to
 * that line in the editor, and block/allow of the sender, its domain or
 * the client into a table the admin picks (remembered), prefilled in the
 * editor and validated before anything is written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/explain.h"
#include "core/feed.h"
#include "core/logmux.h"
#include "core/logsrc.h"
#include "core/textsafe.h"
#include "tui/console.h"
#include "tui/loop.h"
#include "util/safeopen.h"

#define FEED_KEEP 10000
/* and at most this many bytes of them: a kept event holds its whole line,
 * up to LOGLINE_MAX (64 KiB), so 10,000 long lines would be 640 MiB */
#define FEED_KEEP_BYTES ((size_t)32 << 20)
#define FEED_MINUTES 60

struct feedpane {
	struct console *con;
	struct logmux *lm;          /* one source, or several merged (core/logmux) */
	struct pf_event **ev;           /* ring: ev[(first + i) % FEED_KEEP] */
	size_t first, n;
	size_t bytes;                   /* the kept events' line bytes */
	unsigned long long total;       /* events seen since start */
	time_t minute[FEED_MINUTES];    /* start of the minute counted in count[i] */
	unsigned count[FEED_MINUTES];
	char note[256];                 /* last source note (rotation ...) */
	/* smtpd is failing while its latest failure (fatal, panic, throttling
	 * ...) is newer than its latest "connect from" */
	time_t fail_time, connect_time;
	char fail_msg[512];
	long long last_redraw_ms;
	bool dirty;
};

static bool
reject_like(enum pf_action a)
{
	return a == PF_ACT_REJECT || a == PF_ACT_DEFER || a == PF_ACT_REJECT_WARNING ||
	       a == PF_ACT_HOLD || a == PF_ACT_DISCARD || a == PF_ACT_HANGUP;
}

static bool
failure(enum pf_action a)
{
	return a == PF_ACT_FATAL || a == PF_ACT_PANIC || a == PF_ACT_WARNING;
}

static bool
sink_want(void *arg, const struct pf_event *ev)
{
	(void)arg;
	return reject_like(ev->action) || failure(ev->action);
}

/* smtpd_failure - EV is Postfix failing to serve SMTP: smtpd's own
 * failure, or the master's about smtpd ("/smtpd: bad command startup") */
static bool
smtpd_failure(const struct pf_event *ev)
{
	return failure(ev->action)
	       && (pf_span_eq(ev->program, "smtpd") || pf_span_eq(ev->program, "postscreen")
		   || (ev->reason.p && memmem(ev->reason.p, ev->reason.n, "/smtpd", 6)));
}

/* sink_other - smtpd's "connect from": smtpd works again */
static void
sink_other(void *arg, const char *line, size_t n)
{
	struct feedpane *f = arg;
	struct pf_event ev;

	if (n > 24 && memmem(line, n, "/smtpd[", 7) && memmem(line, n, "]: connect from ", 16)
	    && logline_head(line, n, NULL, true, &ev) == LOGLINE_OTHER && ev.has_time
	    && ev.time > f->connect_time)
		f->connect_time = ev.time;
}

bool
feedpane_failing(const struct console *con, char *buf, size_t size)
{
	const struct feedpane *f = con->feed;

	if (f == NULL || f->fail_time == 0 || f->fail_time < f->connect_time)
		return false;
	snprintf(buf, size, "%s", f->fail_msg);
	return true;
}

static int
sink_event(void *arg, const struct pf_event *ev)
{
	struct feedpane *f = arg;
	struct pf_event *copy = pf_event_dup(ev);
	time_t t = ev->has_time ? ev->time : time(NULL), m = t - t % 60;
	size_t slot = (size_t)((m / 60) % FEED_MINUTES);

	if (!copy)
		return 0;
	if (smtpd_failure(ev) && t >= f->fail_time) {
		struct strbuf sb;

		f->fail_time = t;
		strbuf_init(&sb);
		textsafe_append(&sb, ev->reason.p, ev->reason.n, TEXTSAFE_NOLIMIT, NULL, NULL);
		snprintf(f->fail_msg, sizeof(f->fail_msg), "%.*s", (int)ev->service.n, ev->service.p);
		snprintf(f->fail_msg + strlen(f->fail_msg), sizeof(f->fail_msg) - strlen(f->fail_msg),
			 " %s: %s", pf_action_name(ev->action), sb.buf ? sb.buf : "");
		strbuf_fini(&sb);
	}
	if (f->n == FEED_KEEP) {
		f->bytes -= f->ev[f->first]->line.n;
		pf_event_free(f->ev[f->first]);
		f->ev[f->first] = copy;
		f->first = (f->first + 1) % FEED_KEEP;
	} else {
		f->ev[(f->first + f->n) % FEED_KEEP] = copy;
		f->n++;
	}
	f->bytes += copy->line.n;
	while (f->n > 1 && f->bytes > FEED_KEEP_BYTES) {
		/* the oldest go first */
		f->bytes -= f->ev[f->first]->line.n;
		pf_event_free(f->ev[f->first]);
		f->ev[f->first] = NULL;
		f->first = (f->first + 1) % FEED_KEEP;
		f->n--;
	}
	f->total++;
	if (f->minute[slot] != m) {
		f->minute[slot] = m;
		f->count[slot] = 0;
	}
	f->count[slot]++;
	f->dirty = true;
	return 0;
}

static void
sink_note(void *arg, enum logsrc_note what, const char *text)
{
	struct feedpane *f = arg;
	static const char *const names[] = {
		"reading", "rotated", "truncated", "gone", "error", "ended",
	};

	snprintf(f->note, sizeof(f->note), "%s %s", (unsigned)what < 6 ? names[what] : "?",
		 text ? text : "");
}

static const struct feed_sink *
sink_of(struct feedpane *f)
{
	static struct feed_sink sink;

	sink.arg = f;
	sink.want = sink_want;
	sink.event = sink_event;
	sink.note = sink_note;
	sink.other = sink_other;
	return &sink;
}

static unsigned
feed_ready(struct app *app, void *ctx)
{
	struct feedpane *f = ctx;
	char reason[256];
	long long now = loop_now_ms();

	(void)app;
	logmux_poll(f->lm, sink_of(f), reason, sizeof(reason));
	/* at most five redraws a second however fast the log grows; the
	 * tick shows the rest */
	if (f->dirty && now - f->last_redraw_ms >= 200) {
		f->last_redraw_ms = now;
		f->dirty = false;
		return APP_REDRAW;
	}
	return 0;
}

int
feedpane_start(struct console *con, const char *spec, char *why, size_t size)
{
	struct feedpane *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->con = con;
	f->ev = calloc(FEED_KEEP, sizeof(*f->ev));
	/* SPEC may be a directory of per-host files: merged in time order */
	f->lm = f->ev ? logmux_open(&spec, 1, true, why, size) : NULL;
	if (!f->lm) {
		free(f->ev);
		free(f);
		return -1;
	}
	logmux_backlog(f->lm, 500, sink_of(f), why, size);
	f->dirty = false;
	con->feed = f;
	{
		struct pollfd pfd[64];
		size_t i, n = logmux_pollfds(f->lm, pfd, 64);

		for (i = 0; i < n; i++)
			if (pfd[i].fd >= 0)
				app_add_source(con->app, pfd[i].fd, feed_ready, f);
	}
	return 0;
}

void
feedpane_stop(struct console *con)
{
	struct feedpane *f = con->feed;
	size_t i;

	if (!f)
		return;
	{
		struct pollfd pfd[64];
		size_t k, n = logmux_pollfds(f->lm, pfd, 64);

		for (k = 0; k < n; k++)
			if (pfd[k].fd >= 0)
				app_remove_source(con->app, pfd[k].fd);
	}
	logmux_close(f->lm);
	for (i = 0; i < f->n; i++)
		pf_event_free(f->ev[(f->first + i) % FEED_KEEP]);
	free(f->ev);
	free(f);
	con->feed = NULL;
}

/* ---- the screen ---- */

struct screen_feed {
	struct screen base;
	struct console *con;
	struct feed_filter *flt;
	char filter[256], exclude[256];
	bool newest_last;
	bool paused;
	size_t paused_n;            /* events shown while paused */
	unsigned long long paused_total;
	size_t sel;                 /* position in the filtered view, display order */
	bool follow;                /* the selection follows the newest event */
	unsigned long long sel_seq; /* else: the selected event's number since start */
	size_t top;
	int page;
	size_t *view;               /* filtered event positions (oldest first) */
	size_t nview;
	struct pf_event *selected;  /* copy of the selected event, for actions */
};

static const enum action feed_keys[] = {
	ACT_ENTER, ACT_EXPLAIN_EVENT, ACT_PAUSE, ACT_FILTER, ACT_EXCLUDE, ACT_BLOCK_SENDER,
	ACT_BLOCK_DOMAIN, ACT_BLOCK_CLIENT, ACT_ALLOW_SENDER, ACT_SCREEN_MAPS, ACT_NONE
};

/* explain_event - open Explain on top of the current screen (q comes back)
 * with the probe of EV: client address (and name when known), HELO,
 * sender (the null sender as empty), recipient */
static unsigned
explain_event(struct app *app, struct console *con, const struct pf_event *ev)
{
	struct screen *x;
	char (*f)[512] = con->explain_fields;

	if (!ev->to.p || !ev->to.n) {
		app_status(app, ROLE_WARNING, "this event has no recipient to explain");
		return APP_REDRAW;
	}
	if (ev->client_name.p && ev->client_name.n &&
	    !(ev->client_name.n == 7 && memcmp(ev->client_name.p, "unknown", 7) == 0))
		snprintf(f[0], sizeof(f[0]), "%.*s,%.*s", (int)ev->client_ip.n,
			 ev->client_ip.p ? ev->client_ip.p : "", (int)ev->client_name.n,
			 ev->client_name.p);
	else
		snprintf(f[0], sizeof(f[0]), "%.*s", (int)ev->client_ip.n,
			 ev->client_ip.p ? ev->client_ip.p : "");
	snprintf(f[1], sizeof(f[1]), "%.*s", (int)ev->helo.n, ev->helo.p ? ev->helo.p : "");
	snprintf(f[2], sizeof(f[2]), "%.*s", (int)ev->from.n, ev->from.p ? ev->from.p : "");
	snprintf(f[3], sizeof(f[3]), "%.*s", (int)ev->to.n, ev->to.p);
	x = screen_explain_new(con);
	if (!x)
		return APP_REDRAW;
	app_push(app, x);
	return APP_REDRAW;
}

static struct pf_event *
event_at(struct feedpane *f, size_t i)
{
	return f->ev[(f->first + i) % FEED_KEEP];
}

static void
review(struct screen_feed *s)
{
	struct feedpane *f = s->con->feed;
	size_t n, i;

	s->nview = 0;
	if (!f)
		return;
	n = s->paused ? s->paused_n : f->n;
	if (n > f->n)
		n = f->n;
	free(s->view);
	s->view = malloc((n + 1) * sizeof(*s->view));
	if (!s->view)
		return;
	for (i = 0; i < n; i++)
		if (feed_filter_match(s->flt, event_at(f, i)))
			s->view[s->nview++] = i;
	/* the selection stays on its event while new ones arrive (a key such
	 * as b must act on the line the admin is looking at), unless it
	 * follows the newest */
	if (!s->follow && s->nview) {
		unsigned long long base = f->total - f->n;
		size_t lo = 0, hi = s->nview;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (base + s->view[mid] < s->sel_seq)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == s->nview)
			lo = s->nview - 1;
		s->sel = s->newest_last ? lo : s->nview - 1 - lo;
	} else if (s->follow) {
		s->sel = s->newest_last && s->nview ? s->nview - 1 : 0;
	}
}

/* pin - remember the selected event (after a move) */
static void
pin(struct screen_feed *s)
{
	struct feedpane *f = s->con->feed;
	size_t vi;

	if (!f || s->nview == 0)
		return;
	if (s->sel >= s->nview)
		s->sel = s->nview - 1;
	vi = s->newest_last ? s->sel : s->nview - 1 - s->sel;
	s->sel_seq = f->total - f->n + s->view[vi];
	s->follow = false;
}

/* the event at view position POS in display order */
static struct pf_event *
shown(struct screen_feed *s, size_t pos)
{
	size_t i;

	if (pos >= s->nview)
		return NULL;
	i = s->newest_last ? s->view[pos] : s->view[s->nview - 1 - pos];
	return event_at(s->con->feed, i);
}

static const char *
feed_title(struct app *app, struct screen *s)
{
	(void)app;
	(void)s;
	return "Live rejects";
}

static void
add_field(struct row *row, enum role role, struct pf_span sp, int width, bool last)
{
	struct strbuf sb;

	strbuf_init(&sb);
	if (last)
		textsafe_append(&sb, sp.p ? sp.p : "", sp.p ? sp.n : 0, (size_t)width, NULL, NULL);
	else
		textsafe_fit(&sb, sp.p ? sp.p : "-", sp.p ? sp.n : 1, (size_t)width);
	rows_addn(row, role, sb.buf, sb.len);
	if (!last)
		rows_add(row, role, " ");
	strbuf_fini(&sb);
}

/* Column widths of the event list: time, reply code (in the action's
 * colour), client, sender, recipient, reason (the rest).  ACTION is kept
 * for a layout that wants it; none does now. */
#define FEED_PAGE_MAX 512        /* events on one screen, at most */

struct feed_cols {
	int time, action, code, client, sender, rcpt, reason;
	int host;               /* several log sources: the host column (0: none) */
};

/* host_col - with several sources (core/logmux), a HOST column as wide as
 * the hosts shown (4-14 cells), taken from the reason */
static void
host_col(const struct feedpane *f, const struct pf_event *const *evs, size_t n,
	 struct feed_cols *c)
{
	size_t i;

	c->host = 0;
	if (!f || logmux_count(f->lm) < 2)
		return;
	c->host = 4;
	for (i = 0; i < n; i++)
		if (evs[i]->host.p && (int)evs[i]->host.n > c->host)
			c->host = (int)evs[i]->host.n;
	if (c->host > 14)
		c->host = 14;
	c->reason -= c->host + 1;
	if (c->reason < 10)
		c->reason = 10;
}

static int
span_cells(struct pf_span sp, int dflt)
{
	return sp.p ? text_width(sp.p, sp.n) : dflt;
}

static struct pf_span short_reason(struct pf_span r, int w, char *buf, size_t size);

/* feed_cols - widths for a W-column screen and the N events EVS that are
 * shown: the addresses get what they need (up to a cap that grows with the
 * width), and whatever they do not need goes to the reason */
static void
feed_cols(int w, const struct pf_event *const *evs, size_t n, struct feed_cols *c)
{
	int extra = w - 100, need_s = 6, need_r = 9, need_x = 6, need_c = 6, fixed;
	size_t i;

	c->time = w >= 100 ? 8 : 5;
	c->action = 0;          /* the code says it, in the action's colour */
	c->code = 5;
	c->client = 15;
	c->sender = w >= 100 ? 22 : 16;
	c->rcpt = w >= 100 ? 18 : 14;
	if (extra > 0) {
		c->sender += extra / 2 < 18 ? extra / 2 : 18;
		c->rcpt += extra / 3 < 12 ? extra / 3 : 12;
	}
	for (i = 0; i < n; i++) {
		int k = evs[i]->from.p && evs[i]->from.n == 0 ? 2 : span_cells(evs[i]->from, 1);

		/* an unsure sender shows its marker whole: ?ambiguous, ?truncated */
		if (!evs[i]->from.p && (evs[i]->ambiguous || evs[i]->truncated) && k < 10)
			k = 10;

		if (k > need_s)
			need_s = k;
		if ((k = span_cells(evs[i]->to, 1)) > need_r)
			need_r = k;
		{
			/* the reason as shown when short of room (short_reason) */
			char rb[512];

			k = span_cells(short_reason(feed_reason_key(evs[i]->reason), 0, rb, sizeof(rb)), 1);
			if (k > need_x)
				need_x = k;
		}
		if ((k = span_cells(evs[i]->client_ip, 1)) > need_c)
			need_c = k;
	}
	if (n) {
		if (need_c < c->client)
			c->client = need_c;
		if (need_s < c->sender)
			c->sender = need_s;
		if (need_r < c->rcpt)
			c->rcpt = need_r;
	}
	fixed = c->time + 1 + (c->action ? c->action + 1 : 0) + c->code + 1 + c->client + 1;
	c->reason = w - (fixed + c->sender + 1 + c->rcpt + 1);
	if (c->reason < 10)
		c->reason = 10;
	/* room the reason does not need widens cut addresses again */
	while (n && c->reason > need_x && (c->sender < need_s || c->rcpt < need_r)) {
		if (c->sender < need_s)
			c->sender++;
		else
			c->rcpt++;
		c->reason--;
	}
}

/* event_code - the reply code; for an event without one its enhanced
 * status code (cleanup's header rejects), else its action word (warning,
 * hold, discard) */
static struct pf_span
event_code(const struct pf_event *ev, char buf[8])
{
	struct pf_span sp;

	if (ev->code > 0) {
		snprintf(buf, 8, "%03d", ev->code % 1000);
		sp.p = buf;
		sp.n = 3;
	} else if (ev->dsn.p && ev->dsn.n) {
		sp = ev->dsn;
	} else {
		sp.p = pf_action_name(ev->action);
		sp.n = strlen(sp.p);
	}
	return sp;
}

/* short_reason - REASON in W cells: when it does not fit, smtpd's
 * "Sender address rejected: " (Recipient, Client host, Helo command) is
 * said as "Sender: ", so the words after it, the table's own text, show */
static struct pf_span
short_reason(struct pf_span r, int w, char *buf, size_t size)
{
	static const char *const longer[][2] = {
		{ "Sender address rejected: ", "Sender: " },
		{ "Recipient address rejected: ", "Recipient: " },
		{ "Client host rejected: ", "Client: " },
		{ "Helo command rejected: ", "Helo: " },
	};
	size_t i, n;

	if (!r.p || text_width(r.p, r.n) <= w)
		return r;
	for (i = 0; i < sizeof(longer) / sizeof(longer[0]); i++) {
		n = strlen(longer[i][0]);
		if (r.n >= n && memcmp(r.p, longer[i][0], n) == 0) {
			int k = snprintf(buf, size, "%s%.*s", longer[i][1], (int)(r.n - n), r.p + n);

			r.p = buf;
			r.n = k < 0 ? 0 : (size_t)k < size ? (size_t)k : size - 1;
			break;
		}
	}
	return r;
}

/* cols_header - the column titles */
static void
cols_header(struct row *row, const struct feed_cols *c)
{
	rows_addf(row, ROLE_HEADER, "%-*s ", c->time, "TIME");
	if (c->host)
		rows_addf(row, ROLE_HEADER, "%-*s ", c->host, "HOST");
	if (c->action)
		rows_addf(row, ROLE_HEADER, "%-*s ", c->action, "ACTION");
	rows_addf(row, ROLE_HEADER, "%-*s %-*s %-*s %-*s %-*s", c->code, "CODE", c->client, "CLIENT",
		  c->sender, "SENDER", c->rcpt, "RECIPIENT", c->reason, "REASON");
}

/* event_row - one event as a table row */
static void
event_row(struct rows *out, const struct pf_event *ev, bool sel, const struct feed_cols *c)
{
	enum role ar = ev->action == PF_ACT_REJECT ? ROLE_REJECT :
		       ev->action == PF_ACT_DEFER ? ROLE_DEFER :
		       ev->action == PF_ACT_FATAL || ev->action == PF_ACT_PANIC ? ROLE_ERROR :
		       ROLE_WARNING;
	/* Postfix itself failing: the whole row highlighted */
	enum role base = sel ? ROLE_SELECTED : failure(ev->action) ? ar : ROLE_NORMAL;
	char tbuf[16] = "--:--:--", cbuf[8], rbuf[512];
	struct tm tm;
	struct pf_span act = { pf_action_name(ev->action), strlen(pf_action_name(ev->action)) };
	struct row *row = rows_new(out, base);
	const struct pf_span null_sender = { "<>", 2 };

	if (!row)
		return;
	if (ev->has_time) {
		localtime_r(&ev->time, &tm);
		strftime(tbuf, sizeof(tbuf), c->time >= 8 ? "%H:%M:%S" : "%H:%M", &tm);
	}
	rows_addf(row, base, "%-*.*s ", c->time, c->time, tbuf);
	if (c->host)
		add_field(row, base, ev->host, c->host, false);
	if (c->action)
		add_field(row, sel ? base : ar, act, c->action, false);
	add_field(row, sel ? base : ar, event_code(ev, cbuf), c->code, false);
	{
		/* a line that reads more than one way: its unsure fields say so */
		const struct pf_span amb = { "?ambiguous", 10 };
		/* a line longer than LOGLINE_MAX: its end, the field list, was cut */
		const struct pf_span cut = { "?truncated", 10 };

		/* a failure has no client: the service that failed instead */
		add_field(row, base, failure(ev->action) && !ev->client_ip.p ? ev->service
			  : ev->ambiguous && !ev->client_ip.p ? amb
			  : ev->truncated && !ev->client_ip.p ? cut : ev->client_ip, c->client, false);
		/* the null sender is logged as from=<>: shown as <>, not as a blank */
		add_field(row, base, ev->from.p && ev->from.n == 0 ? null_sender
			  : ev->ambiguous && !ev->from.p ? amb
			  : ev->truncated && !ev->from.p ? cut : ev->from, c->sender, false);
	}
	add_field(row, base, ev->to, c->rcpt, false);
	add_field(row, base, short_reason(feed_reason_key(ev->reason), c->reason, rbuf, sizeof(rbuf)),
		  c->reason, true);
}

static void
feed_render(struct app *app, struct screen *scr, struct rows *out, int w, int h)
{
	struct screen_feed *s = (struct screen_feed *)scr;
	struct feedpane *f = s->con->feed;
	struct row *row;
	time_t now = time(NULL), m;
	const struct pf_event *evs[FEED_PAGE_MAX];
	struct feed_cols c;
	size_t pos, n;
	int k;

	(void)app;
	row = rows_new(out, ROLE_NORMAL);
	if (!f) {
		rows_add(row, ROLE_WARNING, "no live feed: ");
		rows_add_bytes(row, ROLE_NORMAL, s->con->log_spec[0] ? s->con->log_spec :
			       "no readable mail log (start with --log FILE)",
			       strlen(s->con->log_spec[0] ? s->con->log_spec :
				      "no readable mail log (start with --log FILE)"));
		return;
	}
	review(s);
	rows_add(row, ROLE_DIM, "log ");
	if (logmux_count(f->lm) == 1)
		rows_add_bytes(row, ROLE_NORMAL, logsrc_name(logmux_src(f->lm, 0)),
			       strlen(logsrc_name(logmux_src(f->lm, 0))));
	else {
		rows_add_bytes(row, ROLE_NORMAL, s->con->log_spec, strlen(s->con->log_spec));
		rows_addf(row, ROLE_DIM, " (%zu sources)", logmux_count(f->lm));
	}
	rows_addf(row, ROLE_NORMAL, "  %llu events", f->total);
	if (s->paused)
		rows_addf(row, ROLE_BANNER, " PAUSED (+%llu) ", f->total - s->paused_total);
	rows_add(row, ROLE_DIM, "  per minute:");
	/* the last five minutes, oldest first */
	for (k = 4; k >= 0; k--) {
		time_t mm = now - now % 60 - 60 * k;
		size_t slot = (size_t)((mm / 60) % FEED_MINUTES);

		m = f->minute[slot];
		rows_addf(row, k == 0 ? ROLE_STATUS : ROLE_NORMAL, " %u", m == mm ? f->count[slot] : 0);
	}
	row = rows_new(out, ROLE_NORMAL);
	if (s->filter[0] || s->exclude[0]) {
		if (s->filter[0]) {
			rows_add(row, ROLE_DIM, "filter /");
			rows_add_bytes(row, ROLE_MATCH, s->filter, strlen(s->filter));
			rows_add(row, ROLE_DIM, "/ ");
		}
		if (s->exclude[0]) {
			rows_add(row, ROLE_DIM, "exclude /");
			rows_add_bytes(row, ROLE_MATCH, s->exclude, strlen(s->exclude));
			rows_add(row, ROLE_DIM, "/ ");
		}
		rows_addf(row, ROLE_DIM, "%zu shown", s->nview);
	} else {
		rows_addf(row, ROLE_DIM, "%s first; f filter, x exclude, p pause, Enter details",
			  s->newest_last ? "oldest" : "newest");
	}
	s->page = h - 3;
	if (s->page < 1)
		s->page = 1;
	if (s->sel >= s->nview)
		s->sel = s->nview ? s->nview - 1 : 0;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + (size_t)s->page)
		s->top = s->sel - (size_t)s->page + 1;
	for (pos = s->top, n = 0; pos < s->nview && (int)n < s->page && n < FEED_PAGE_MAX; pos++)
		evs[n++] = shown(s, pos);
	feed_cols(w, evs, n, &c);
	host_col(f, evs, n, &c);
	row = rows_new(out, ROLE_NORMAL);
	cols_header(row, &c);
	if (s->nview == 0) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "(no rejects yet)");
	}
	for (pos = 0; pos < n; pos++)
		event_row(out, evs[pos], s->top + pos == s->sel, &c);
}

/* feedpane_render_recent - the newest N events (newest first) under a
 * header, for the Maps screen: the feed is visible from the first screen */
void
feedpane_render_recent(struct console *con, struct rows *out, int w, int n)
{
	struct feedpane *f = con->feed;
	const struct pf_event *evs[FEED_PAGE_MAX];
	struct feed_cols c;
	struct row *row;
	int k, i;
	time_t now = time(NULL);
	size_t slot = (size_t)(((now - now % 60) / 60) % FEED_MINUTES);

	if (!f || n < 1)
		return;
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "Latest rejects");
	rows_addf(row, ROLE_DIM, "  %llu since start, %u this minute (2: Live rejects)", f->total,
		  f->minute[slot] == now - now % 60 ? f->count[slot] : 0);
	if (f->n == 0) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "(none yet)");
	}
	for (k = 0; k < n && (size_t)k < f->n && k < FEED_PAGE_MAX; k++)
		evs[k] = event_at(f, f->n - 1 - (size_t)k);
	feed_cols(w, evs, (size_t)k, &c);
	host_col(f, evs, (size_t)k, &c);
	for (i = 0; i < k; i++)
		event_row(out, evs[i], false, &c);
}

static unsigned
filter_set(struct app *app, struct screen_feed *s)
{
	char reason[256];
	struct feed_filter *nf = feed_filter_new();

	if (!nf)
		return 0;
	if ((s->filter[0] && feed_filter_grep(nf, s->filter, reason, sizeof(reason)) < 0) ||
	    (s->exclude[0] && feed_filter_exclude(nf, s->exclude, reason, sizeof(reason)) < 0)) {
		feed_filter_free(nf);
		app_status(app, ROLE_ERROR, "%s", reason);
		return APP_REDRAW;
	}
	feed_filter_free(s->flt);
	s->flt = nf;
	s->sel = 0;
	s->top = 0;
	s->follow = true;
	return APP_REDRAW;
}

/* pattern_accept - FIELD (S->filter or S->exclude, SIZE bytes) becomes
 * TEXT; a pattern that does not compile leaves the old one in place */
static unsigned
pattern_accept(struct app *app, struct screen_feed *s, char *field, size_t size, const char *text)
{
	char old[256];

	snprintf(old, sizeof(old), "%s", field);
	snprintf(field, size, "%s", text);
	if (filter_set(app, s) && app->status_role == ROLE_ERROR && app->status[0])
		snprintf(field, size, "%s", old);
	return APP_REDRAW;
}

static unsigned
filter_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_feed *s = ctx;

	return pattern_accept(app, s, s->filter, sizeof(s->filter), text);
}

static unsigned
exclude_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_feed *s = ctx;

	return pattern_accept(app, s, s->exclude, sizeof(s->exclude), text);
}

/* ---- block / allow ---- */

struct block_req {
	struct console *con;
	enum action a;
	char key[512];
	char probe[4][512];         /* the event's client "ADDR[,NAME]", HELO, sender,
	                             * recipient: explained with the pending line */
};

static struct block_req pending_block;

static bool has_client_table(const struct console *con);

/* in_class - T is used (first) inside a restriction class: it decides only
 * for the mail that reaches the class */
static const struct maincf_class *
in_class(struct console *con, const struct check_table *t)
{
	return con->cf && t->param ? maincf_find_class(con->cf, t->param) : NULL;
}

/* default_table - a table of a fitting role as "type:path": first one that
 * a restriction list applies to all mail at its stage, only then one used
 * inside a restriction class (which guards only some recipients) */
static void
default_table(struct console *con, bool client, char *buf, size_t size)
{
	size_t i;
	int pass;

	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < con->chk.ntables; i++) {
			const struct check_table *t = &con->chk.tables[i];

			if (t->state == CHECK_NOT_FILE || !t->path)
				continue;
			if (pass == 0 && in_class(con, t))
				continue;
			if ((client && t->role == MAINCF_ROLE_CLIENT) ||
			    (!client && t->role == MAINCF_ROLE_SENDER)) {
				snprintf(buf, size, "%s:%s", t->type, t->path);
				return;
			}
		}
	}
}

/* table_scope - which mail a line in table TEXT ("type:path") decides for,
 * into BUF: all mail at the stage of its restriction list, or for a table
 * inside a restriction class the recipients (keys of the tables that name
 * the class) that lead there, "only mail to foo@bar.org".  Role OK/WARNING. */
static enum role
table_scope(struct console *con, const char *text, char *buf, size_t size)
{
	const char *colon = strchr(text, ':'), *path = colon ? colon + 1 : text;
	const struct check_table *t = NULL;
	const struct maincf_class *cls;
	size_t i, j, len = 0, n = 0;

	buf[0] = '\0';
	for (i = 0; i < con->chk.ntables && !t; i++)
		if (con->chk.tables[i].path && strcmp(con->chk.tables[i].path, path) == 0)
			t = &con->chk.tables[i];
	if (!t)
		return ROLE_DIM;
	if (!(cls = in_class(con, t))) {
		snprintf(buf, size, "applies to all mail that reaches %s", t->param ? t->param : "it");
		return ROLE_OK;
	}
	len = (size_t)snprintf(buf, size, "only mail to ");
	/* the tables whose values name the class: their keys are the mail */
	for (i = 0; i < con->chk.ntables; i++) {
		const struct check_table *u = &con->chk.tables[i];
		struct con_doc *d;

		if (!u->path || u == t || u->state == CHECK_NOT_FILE || u->inline_body)
			continue;
		d = console_doc_find(con, u->path);
		if (!d)
			d = console_doc_open(con, u->type, u->path);
		if (!d)
			continue;
		for (j = 0; j < tabledoc_count(d->doc); j++) {
			const struct tabledoc_item *it = tabledoc_item(d->doc, j);
			size_t cl = strlen(cls->name);

			if (it->kind != TABLEDOC_ENTRY || it->vlen < cl ||
			    strncmp(it->value, cls->name, cl) != 0 ||
			    (it->value[cl] && it->value[cl] != ' ' && it->value[cl] != ','))
				continue;
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len, "%s%.*s", n ? ", " : "",
							(int)it->klen, it->key);
			n++;
		}
	}
	if (n == 0)
		len = (size_t)snprintf(buf, size, "only mail that reaches class %s", cls->name);
	if (len < size)
		snprintf(buf + len, size - len, " (in restriction class %s), not other mail",
			 cls->name);
	return ROLE_WARNING;
}

static unsigned
block_table_change(struct app *app, void *ctx, const char *text)
{
	struct block_req *b = ctx;
	char scope[400];
	enum role r = table_scope(b->con, text, scope, sizeof(scope));

	if (scope[0])
		app_prompt_set_note(app, r, "%s", scope);
	else if ((b->a == ACT_BLOCK_CLIENT || b->a == ACT_ALLOW_CLIENT) && !has_client_table(b->con))
		app_prompt_set_note(app, ROLE_WARNING, "no table checks the client address: Enter "
				    "shows this new table and the main.cf line that uses it "
				    "(nothing changes before y)");
	else
		app_prompt_set_note(app, ROLE_DIM, "TYPE:PATH of the table (remembered); Enter opens it "
				    "with the new line prefilled");
	return APP_REDRAW;
}

/* state_path - where the remembered tables are kept between sessions:
 * $XDG_STATE_HOME/pfconsole/tables or ~/.local/state/pfconsole/tables */
static int
state_path(char *buf, size_t size, bool mkdirs)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4096];

	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/pfconsole", xdg);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/pfconsole", home);
	else
		return -1;
	if (mkdirs) {
		char *p;

		for (p = dir + 1; *p; p++) {
			if (*p == '/') {
				*p = '\0';
				mkdir(dir, 0700);
				*p = '/';
			}
		}
		mkdir(dir, 0700);
	}
	snprintf(buf, size, "%s/tables", dir);
	return 0;
}

/* remembered_load - the tables chosen in earlier sessions for this
 * configuration ("DIR<TAB>SLOT<TAB>TYPE:PATH" lines) */
void
remembered_load(struct console *con)
{
	char path[4200], line[5000];
	FILE *fp;

	/* util/safeopen: the state directory may be a user's ($HOME under
	 * sudo): never block on a FIFO or read a device */
	if (state_path(path, sizeof(path), false) < 0 ||
	    !(fp = safeopen_fopen(path, SAFEOPEN_CONFIG_MAX, NULL, 0)))
		return;
	while (fgets(line, sizeof(line), fp)) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL, *nl;
		int slot;

		if (!t2)
			continue;
		*t1 = '\0';
		if ((nl = strchr(t2 + 1, '\n')))
			*nl = '\0';
		slot = atoi(t1 + 1);
		if (strcmp(line, con->config_dir) == 0 && slot >= 0 && slot < 4)
			snprintf(con->remembered[slot], sizeof(con->remembered[0]), "%s", t2 + 1);
	}
	fclose(fp);
}

/* remembered_save - rewrite the state file with this configuration's choices */
static void
remembered_save(struct console *con)
{
	char path[4200], tmp[4300], line[5000];
	FILE *in, *out;
	int k;

	if (state_path(path, sizeof(path), true) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	/* a new file, never through a link planted in a user's directory */
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd < 0)
			return;
		if (!(out = fdopen(fd, "w"))) {
			close(fd);
			unlink(tmp);
			return;
		}
	}
	if ((in = safeopen_fopen(path, SAFEOPEN_CONFIG_MAX, NULL, 0))) {
		size_t dl = strlen(con->config_dir);

		while (fgets(line, sizeof(line), in))
			if (!(strncmp(line, con->config_dir, dl) == 0 && line[dl] == '\t'))
				fputs(line, out);
		fclose(in);
	}
	for (k = 0; k < 4; k++)
		if (con->remembered[k][0])
			fprintf(out, "%s\t%d\t%s\n", con->config_dir, k, con->remembered[k]);
	if (fclose(out) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* remember_slot - which remembered table an action uses */
static int
remember_slot(enum action a)
{
	bool client = a == ACT_BLOCK_CLIENT || a == ACT_ALLOW_CLIENT;
	bool allow = a == ACT_ALLOW_SENDER || a == ACT_ALLOW_DOMAIN || a == ACT_ALLOW_CLIENT;

	return (allow ? 2 : 0) + (client ? 1 : 0);
}

/* has_client_table - main.cf uses a table whose keys are client addresses */
static bool
has_client_table(const struct console *con)
{
	size_t i;

	for (i = 0; i < con->chk.ntables; i++)
		if (con->chk.tables[i].role == MAINCF_ROLE_CLIENT && con->chk.tables[i].path &&
		    con->chk.tables[i].state != CHECK_NOT_FILE)
			return true;
	return false;
}

/* new_client_table - "TYPE:PATH" proposed for a new client table: the
 * indexed type the configuration already uses (else cdb when this Postfix
 * has it, else default_database_type), a name in the configuration
 * directory that no file has yet */
static void
new_client_table(struct console *con, char *buf, size_t size)
{
	static const char *const names[] = { "access_client", "client_access", "access_client.pfc" };
	const char *type = NULL;
	char path[4200];
	struct stat st;
	size_t i;

	for (i = 0; i < con->chk.ntables && !type; i++)
		if (con->chk.tables[i].index_path && con->chk.tables[i].type)
			type = con->chk.tables[i].type;
	if (!type && con->cf && maincf_type_available(con->cf, "cdb") == 1)
		type = "cdb";
	if (!type && con->cf)
		type = maincf_get(con->cf, "default_database_type", NULL);
	if (!type || !*type)
		type = "hash";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", con->config_dir, names[i]);
		if (stat(path, &st) != 0)
			break;
	}
	snprintf(buf, size, "%s:%s", type, path);
}

/* the offer of a new client table: the table with its line and the main.cf
 * line that uses it, shown before anything changes; y makes both edits */
struct newclient {
	struct console *con;
	enum action a;
	char type[32];
	char path[4096];
	char line[700];             /* the table's line */
	char words[4200];           /* "check_client_access TYPE:PATH" */
};

#define NEWCLIENT_PARAM "smtpd_client_restrictions"

/* newclient_cf_edit - the main.cf document and what the edit does to it:
 * *IDX the item to replace (*REPLACE) or where to insert; OUT the new
 * logical line; BEFORE the permit it goes before.  0 or -1 */
static int
newclient_cf_edit(struct newclient *n, struct con_doc **dcf, size_t *idx, bool *replace,
		  struct strbuf *out, char *before, size_t bsize)
{
	char path[4200];
	struct con_doc *d;
	size_t i, pl = strlen(NEWCLIENT_PARAM);

	snprintf(path, sizeof(path), "%s/main.cf", n->con->config_dir);
	d = console_doc_open(n->con, "maincf", path);
	if (!d)
		return -1;
	*dcf = d;
	*replace = false;
	before[0] = '\0';
	/* the last definition is the one Postfix uses */
	for (i = 0; i < tabledoc_count(d->doc); i++) {
		const struct tabledoc_item *it = tabledoc_item(d->doc, i);

		if (it->kind == TABLEDOC_ENTRY && it->klen >= pl &&
		    strncmp(it->key, NEWCLIENT_PARAM, pl) == 0 &&
		    (it->klen == pl || it->key[pl] == '='))
			*idx = i, *replace = true;
	}
	if (*replace) {
		size_t len;
		const char *text = tabledoc_item_text(d->doc, *idx, &len);

		while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
			len--;
		return maincf_list_insert(text, len, n->words, out, before, bsize);
	}
	*idx = tabledoc_count(d->doc);
	strbuf_reset(out);
	return strbuf_addf(out, "%s = %s", NEWCLIENT_PARAM, n->words) < 0 ? -1 : 0;
}

static unsigned
newclient_action(struct app *app, void *ctx, enum action a)
{
	struct newclient *n = ctx;
	struct console *con = n->con;
	struct con_doc *dcf, *dt;
	struct strbuf out;
	char before[128];
	size_t idx, tidx = 0;
	bool replace;
	int rc;

	if (a != ACT_CONFIRM)
		return 0;
	strbuf_init(&out);
	rc = newclient_cf_edit(n, &dcf, &idx, &replace, &out, before, sizeof(before));
	if (rc == 0)
		rc = replace ? console_doc_replace(con, dcf, idx, out.buf) :
			console_doc_insert(con, dcf, idx, out.buf, NULL);
	strbuf_fini(&out);
	if (rc < 0) {
		app_status(app, ROLE_ERROR, "main.cf could not be edited");
		return APP_REDRAW;
	}
	dt = console_doc_open(con, n->type, n->path);
	if (!dt || console_doc_insert(con, dt, tabledoc_count(dt->doc), n->line, &tidx) < 0) {
		app_status(app, ROLE_ERROR, "%s could not be opened (main.cf is edited, unsaved)",
			   n->path);
		return APP_REDRAW;
	}
	{
		char *slot = con->remembered[remember_slot(n->a)];
		size_t tl = strlen(n->type), pl = strlen(n->path);

		if (tl + 1 + pl < sizeof(con->remembered[0])) {
			memcpy(slot, n->type, tl);
			slot[tl] = ':';
			memcpy(slot + tl + 1, n->path, pl + 1);
			remembered_save(con);
		}
	}
	app_pop(app);               /* frees N */
	console_open_editor(con, dt, tidx);
	app_status(app, ROLE_OK, "table and main.cf line added (unsaved): A saves both, builds, "
		   "reloads");
	return APP_REDRAW;
}

static const enum action newclient_keys[] = { ACT_CONFIRM, ACT_NONE };

/* newclient_offer - show the new table and the main.cf edit; y makes them */
static unsigned
newclient_offer(struct app *app, struct block_req *b, const char *type, const char *path,
		bool allow)
{
	struct newclient *n = calloc(1, sizeof(*n));
	struct screen_text *t;
	struct con_doc *dcf;
	struct strbuf out;
	struct row *row;
	char before[128], def[4300];
	size_t idx, len;
	bool replace;
	const char *p, *nl;

	if (!n)
		return APP_REDRAW;
	n->con = b->con;
	n->a = b->a;
	if (!type || !*type) {
		const char *colon;

		new_client_table(b->con, def, sizeof(def));
		colon = strchr(def, ':');
		snprintf(n->type, sizeof(n->type), "%.*s", (int)(colon - def), def);
	} else
		snprintf(n->type, sizeof(n->type), "%s", type);
	snprintf(n->path, sizeof(n->path), "%s", path);
	snprintf(n->line, sizeof(n->line), "%s %s", b->key, allow ? "OK" : "REJECT");
	snprintf(n->words, sizeof(n->words), "check_client_access %s:%s", n->type, n->path);
	strbuf_init(&out);
	if (newclient_cf_edit(n, &dcf, &idx, &replace, &out, before, sizeof(before)) < 0) {
		strbuf_fini(&out);
		free(n);
		app_status(app, ROLE_ERROR, "%s/main.cf cannot be edited", b->con->config_dir);
		return APP_REDRAW;
	}
	t = screen_text_new("Block client: a new client table", newclient_action, n, free);
	if (!t) {
		strbuf_fini(&out);
		free(n);
		return APP_REDRAW;
	}
	screen_text_keyline(t, newclient_keys);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_WARNING, "No table in main.cf checks the client address. A new one, "
		 "and the main.cf line that makes smtpd use it:");
	screen_text_row(t, ROLE_NORMAL);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "new table ");
	rows_add_bytes(row, ROLE_STATUS, n->type, strlen(n->type));
	rows_add(row, ROLE_STATUS, ":");
	rows_add_bytes(row, ROLE_STATUS, n->path, strlen(n->path));
	rows_add(row, ROLE_DIM, " (a new file)");
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_OK, "  + ");
	rows_add_bytes(row, ROLE_NORMAL, n->line, strlen(n->line));
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "main.cf ");
	if (replace)
		rows_addf(row, ROLE_DIM, "line %u, %s", tabledoc_item(dcf->doc, idx)->line,
			  NEWCLIENT_PARAM);
	else
		rows_addf(row, ROLE_DIM, "a new line at the end (%s is not set)", NEWCLIENT_PARAM);
	if (replace) {
		const char *text = tabledoc_item_text(dcf->doc, idx, &len);

		for (p = text; p < text + len; p = nl + 1) {
			size_t l;

			nl = memchr(p, '\n', (size_t)(text + len - p));
			if (!nl)
				nl = text + len;
			l = (size_t)(nl - p);
			if (l && p[l - 1] == '\r')
				l--;
			row = screen_text_row(t, ROLE_NORMAL);
			rows_add(row, ROLE_ERROR, "  - ");
			rows_add_bytes(row, ROLE_NORMAL, p, l);
		}
	}
	for (p = out.buf; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_OK, "  + ");
		rows_add_bytes(row, ROLE_NORMAL, p, (size_t)(nl - p));
	}
	row = screen_text_row(t, ROLE_NORMAL);
	if (before[0])
		rows_addf(row, ROLE_DIM, "    before %s: a permit ends the list for the mail it "
			  "permits", before);
	else
		rows_add(row, ROLE_DIM, "    at the end of the list: no permit comes before it");
	screen_text_row(t, ROLE_NORMAL);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_STATUS, "y: make both edits (unsaved; A saves both atomically, builds "
		 "the table and reloads Postfix); q: cancel, nothing changes");
	strbuf_fini(&out);
	app_push(app, screen_text_screen(t));
	app_status(app, ROLE_WARNING, "y adds the new table and the main.cf line (unsaved); q cancels");
	return APP_REDRAW;
}

static unsigned
block_table_accept(struct app *app, void *ctx, const char *text)
{
	struct block_req *b = ctx;
	struct console *con = b->con;
	bool allow = b->a == ACT_ALLOW_SENDER || b->a == ACT_ALLOW_DOMAIN || b->a == ACT_ALLOW_CLIENT;
	const char *colon = strchr(text, ':'), *path = text;
	char type[32] = "", line[700];
	struct con_doc *d;
	struct screen *ed;
	struct stat st;
	size_t idx = 0, i;
	bool exists, used = false;

	if (!text[0])
		return APP_REDRAW;
	if (colon && colon[1] == '/' && (size_t)(colon - text) < sizeof(type)) {
		memcpy(type, text, (size_t)(colon - text));
		type[colon - text] = '\0';
		path = colon + 1;
	}
	/* a new table may be meant (created on save), but a mistyped path
	 * must not pass unseen: say when main.cf does not use the table */
	exists = stat(path, &st) == 0;
	if (exists ? !S_ISREG(st.st_mode) : errno != ENOENT) {
		app_status(app, ROLE_ERROR, "%s: %s", path, exists ? "not a regular file" :
			   strerror(errno));
		return APP_REDRAW;
	}
	for (i = 0; i < con->chk.ntables && !used; i++)
		used = con->chk.tables[i].path && strcmp(con->chk.tables[i].path, path) == 0;
	/* no client table at all: offer a new one with its main.cf line */
	if (!used && !exists && (b->a == ACT_BLOCK_CLIENT || b->a == ACT_ALLOW_CLIENT) &&
	    !has_client_table(con))
		return newclient_offer(app, b, type, path, allow);
	snprintf(con->remembered[remember_slot(b->a)], sizeof(con->remembered[0]), "%s", text);
	remembered_save(con);
	d = console_doc_open(con, type[0] ? type : NULL, path);
	if (!d)
		return APP_REDRAW;
	/* the key is there already: show that line instead of a duplicate */
	if (tabledoc_find(d->doc, b->key, strlen(b->key), TABLEDOC_FIND_FOLD, 0, &idx) == 1) {
		console_open_editor(con, d, idx);
		app_status(app, ROLE_WARNING, "%s is already in this table (the selected line): "
			   "Enter edits it", b->key);
		return APP_REDRAW;
	}
	console_open_editor(con, d, 0);
	ed = app_top(app);
	snprintf(line, sizeof(line), "%s %s", b->key, allow ? "OK" : "REJECT");
	screen_edit_prepare_add(app, ed, line);
	if (used) {
		char scope[400];
		enum role r = table_scope(con, text, scope, sizeof(scope));

		if (r == ROLE_WARNING) {    /* on the note line: the prompt hides the status */
			char was[sizeof(app->prompt.note)], reply[1024] = "";

			snprintf(was, sizeof(was), "%s", app->prompt.note);
			/* the effect on the event's own mail, before anything is
			 * saved: explain with the pending line in the table */
			if (b->probe[3][0]) {
				const char *const probe[4] = { b->probe[0], b->probe[1], b->probe[2],
							       b->probe[3] };

				console_explain_with(con, probe, path, line, reply, sizeof(reply));
			}
			app_prompt_set_note(app, r, "%s%sthis line %s %s%s%s", was, was[0] ? "; " : "",
					    allow ? "allows" : "blocks", scope,
					    reply[0] ? "; this mail would now get: " : "", reply);
		} else {
			app_status(app, ROLE_NORMAL, "%s %s: check the line, Enter adds it, then A applies",
				   allow ? "allow" : "block", b->key);
		}
	}
	else    /* on the note line: the prompt hides the status line */
		app_prompt_set_note(app, ROLE_WARNING, "%s main.cf does not use: this line %s "
				    "nothing until main.cf references the table",
				    exists ? "a table" : "a NEW table, which", allow ? "allows" : "blocks");
	return APP_REDRAW;
}

/* feed_block - start block/allow action A for event EV */
static unsigned
feed_block(struct app *app, struct console *con, const struct pf_event *ev, enum action a)
{
	struct block_req *b = &pending_block;
	bool client = a == ACT_BLOCK_CLIENT || a == ACT_ALLOW_CLIENT;
	bool allow = a == ACT_ALLOW_SENDER || a == ACT_ALLOW_DOMAIN || a == ACT_ALLOW_CLIENT;
	struct pf_span sp = client ? ev->client_ip : ev->from;
	const char *at;
	char def[512];

	if (ev->ambiguous) {
		app_status(app, ROLE_ERROR, "this line reads more than one way (a forged field list?): "
			   "its %s is not certain, so it is not offered as a key",
			   client ? "client" : "sender");
		return APP_REDRAW;
	}
	if (ev->truncated && !(client ? ev->client_ip.p : ev->from.p)) {
		app_status(app, ROLE_ERROR, "this line was longer than %d KiB and was cut: its field "
			   "list is lost, so its %s is not known and it is not offered as a key",
			   LOGLINE_MAX / 1024, client ? "client" : "sender");
		return APP_REDRAW;
	}
	if (!sp.p || sp.n == 0 || sp.n >= sizeof(b->key)) {
		app_status(app, ROLE_WARNING, "this event has no %s", client ? "client address"
			   : "sender address");
		return APP_REDRAW;
	}
	if (!textsafe_is_clean(sp.p, sp.n) || memchr(sp.p, ' ', sp.n) || memchr(sp.p, '\t', sp.n)) {
		app_status(app, ROLE_ERROR, "the %s holds bytes that cannot be a table key",
			   client ? "client address" : "sender");
		return APP_REDRAW;
	}
	b->con = con;
	b->a = a;
	memcpy(b->key, sp.p, sp.n);
	b->key[sp.n] = '\0';
	memset(b->probe, 0, sizeof(b->probe));
	if (ev->to.p && ev->to.n) {
		if (ev->client_name.p && ev->client_name.n &&
		    !(ev->client_name.n == 7 && memcmp(ev->client_name.p, "unknown", 7) == 0))
			snprintf(b->probe[0], sizeof(b->probe[0]), "%.*s,%.*s", (int)ev->client_ip.n,
				 ev->client_ip.p ? ev->client_ip.p : "", (int)ev->client_name.n,
				 ev->client_name.p);
		else
			snprintf(b->probe[0], sizeof(b->probe[0]), "%.*s", (int)ev->client_ip.n,
				 ev->client_ip.p ? ev->client_ip.p : "");
		snprintf(b->probe[1], sizeof(b->probe[1]), "%.*s", (int)ev->helo.n,
			 ev->helo.p ? ev->helo.p : "");
		snprintf(b->probe[2], sizeof(b->probe[2]), "%.*s", (int)ev->from.n,
			 ev->from.p ? ev->from.p : "");
		snprintf(b->probe[3], sizeof(b->probe[3]), "%.*s", (int)ev->to.n, ev->to.p);
	}
	if (a == ACT_BLOCK_DOMAIN || a == ACT_ALLOW_DOMAIN) {
		at = strrchr(b->key, '@');
		if (!at || !at[1]) {
			app_status(app, ROLE_WARNING, "the sender has no domain");
			return APP_REDRAW;
		}
		memmove(b->key, at + 1, strlen(at + 1) + 1);
	}
	snprintf(def, sizeof(def), "%s", con->remembered[remember_slot(a)]);
	if (!def[0])
		default_table(con, client, def, sizeof(def));
	if (!def[0] && client && !has_client_table(con))
		new_client_table(con, def, sizeof(def));
	app_prompt_text(app, NULL, allow ? "allow into table: " : "block into table: ", def, b,
			block_table_change, block_table_accept, NULL, NULL);
	block_table_change(app, b, def);
	return APP_REDRAW;
}

/* ---- details ---- */

struct detail_ctx {
	struct console *con;
	struct pf_event *ev;
	char file[4096];
	unsigned line;
};

static void
detail_free(void *p)
{
	struct detail_ctx *d = p;

	if (!d)
		return;
	pf_event_free(d->ev);
	free(d);
}

static unsigned
detail_action(struct app *app, void *ctx, enum action a)
{
	struct detail_ctx *d = ctx;
	struct con_doc *doc;
	size_t idx = 0;

	switch (a) {
	case ACT_JUMP:
		if (!d->file[0]) {
			app_status(app, ROLE_WARNING, "no table line decided this event");
			return APP_REDRAW;
		}
		doc = console_doc_open(d->con, NULL, d->file);
		if (!doc)
			return APP_REDRAW;
		if (d->line)
			tabledoc_find_line(doc->doc, d->line, &idx);
		console_open_editor(d->con, doc, idx);
		return APP_REDRAW;
	case ACT_EXPLAIN_EVENT:
		return explain_event(app, d->con, d->ev);
	case ACT_BLOCK_SENDER:
	case ACT_BLOCK_DOMAIN:
	case ACT_BLOCK_CLIENT:
	case ACT_ALLOW_SENDER:
	case ACT_ALLOW_DOMAIN:
	case ACT_ALLOW_CLIENT:
		return feed_block(app, d->con, d->ev, a);
	default:
		return 0;
	}
}

static void
detail_field(struct screen_text *t, const char *name, struct pf_span sp)
{
	struct row *row = screen_text_row(t, ROLE_NORMAL);

	rows_addf(row, ROLE_DIM, "%-10s ", name);
	if (sp.p)
		rows_add_bytes(row, ROLE_NORMAL, sp.p, sp.n);
	else
		rows_add(row, ROLE_DIM, "-");
}

static char *
span_str(struct pf_span sp)
{
	char *s = malloc(sp.p ? sp.n + 1 : 1);

	if (!s)
		return NULL;
	if (sp.p)
		memcpy(s, sp.p, sp.n);
	s[sp.p ? sp.n : 0] = '\0';
	return s;
}

static const enum action detail_keys[] = {
	ACT_JUMP, ACT_EXPLAIN_EVENT, ACT_BLOCK_SENDER, ACT_BLOCK_DOMAIN, ACT_BLOCK_CLIENT, ACT_ALLOW_SENDER,
	ACT_ALLOW_DOMAIN, ACT_ALLOW_CLIENT, ACT_NONE
};

static void
open_detail(struct app *app, struct console *con, const struct pf_event *ev)
{
	struct detail_ctx *d = calloc(1, sizeof(*d));
	struct screen_text *t;
	struct row *row;
	struct explain *ex;
	struct explain_result res;
	struct explain_probe pr;
	char tbuf[64], *ca, *cn, *helo, *from, *to;
	size_t i;
	bool is_smtpd;

	if (!d)
		return;
	d->con = con;
	d->ev = pf_event_dup(ev);
	t = screen_text_new("Event", detail_action, d, detail_free);
	if (!t || !d->ev) {
		detail_free(d);
		return;
	}
	screen_text_keyline(t, detail_keys);
	event_format_time(ev, tbuf, sizeof(tbuf));
	row = screen_text_row(t, ROLE_NORMAL);
	rows_addf(row, ROLE_DIM, "%-10s ", "time");
	rows_add(row, ROLE_NORMAL, tbuf);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_addf(row, ROLE_DIM, "%-10s ", "action");
	rows_add(row, ev->action == PF_ACT_REJECT ? ROLE_REJECT : ROLE_DEFER,
		 pf_action_name(ev->action));
	if (ev->code)
		rows_addf(row, ROLE_NORMAL, " %d", ev->code);
	detail_field(t, "stage", ev->stage);
	if (ev->ambiguous) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_WARNING, "AMBIGUOUS: this line reads more than one way (a forged "
			 "field list?); the fields that differ are not shown, and it cannot be blocked "
			 "or allowed from here");
	}
	if (ev->truncated) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_WARNING, "TRUNCATED: this line was longer than %d KiB and was cut; "
			  "its field list (sender, recipient, HELO) is lost and not shown", LOGLINE_MAX / 1024);
	}
	detail_field(t, "client", ev->client_name);
	detail_field(t, "address", ev->client_ip);
	detail_field(t, "helo", ev->helo);
	if (ev->from.p && ev->from.n == 0) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_DIM, "%-10s ", "sender");
		rows_add(row, ROLE_NORMAL, "<> (null sender)");
	} else
		detail_field(t, "sender", ev->from);
	detail_field(t, "recipient", ev->to);
	detail_field(t, "dsn", ev->dsn);
	detail_field(t, "reason", ev->reason);
	detail_field(t, "service", ev->service);
	detail_field(t, "queue id", ev->queue_id);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "log line:");
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add_bytes(row, ROLE_NORMAL, ev->line.p ? ev->line.p : "", ev->line.p ? ev->line.n : 0);
	screen_text_row(t, ROLE_NORMAL);
	/* explain: which table line decides this today */
	ca = span_str(ev->client_ip);
	cn = span_str(ev->client_name);
	helo = span_str(ev->helo);
	from = span_str(ev->from);
	to = span_str(ev->to);
	memset(&pr, 0, sizeof(pr));
	pr.client_addr = ca && *ca ? ca : "127.0.0.1";
	pr.client_name = cn;
	pr.helo = ev->helo.p ? helo : NULL;
	pr.sender = from ? from : "";
	pr.recipient = to ? to : "";
	/* explain evaluates smtpd's restrictions: a cleanup (header/body
	 * checks) or postscreen event was not decided by them */
	is_smtpd = pf_span_eq(ev->program, "smtpd");
	ex = is_smtpd ? explain_new(con->config_dir, NULL, NULL) : NULL;
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "What the current configuration answers (explain)");
	if (!is_smtpd) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "not an smtpd event (");
		rows_add_bytes(row, ROLE_DIM, ev->service.p ? ev->service.p : "",
			       ev->service.p ? ev->service.n : 0);
		rows_add(row, ROLE_DIM, "): explain covers smtpd's restriction lists only");
		if (pf_span_eq(ev->stage, "header") || pf_span_eq(ev->stage, "body")) {
			row = screen_text_row(t, ROLE_NORMAL);
			rows_addf(row, ROLE_DIM, "the rule is in %s_checks (the reason above is its text)",
				  pf_span_eq(ev->stage, "header") ? "header" : "body");
		}
	} else if (!ex) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_ERROR, "cannot read main.cf");
	} else {
		explain_result_init(&res);
		if (explain_run(ex, &pr, &res) == 0) {
			row = screen_text_row(t, ROLE_NORMAL);
			rows_addf(row, res.decision == EXPLAIN_REJECT ? ROLE_REJECT :
				  res.decision == EXPLAIN_ACCEPT ? ROLE_OK : ROLE_DEFER,
				  "%s", explain_decision_name(res.decision));
			if (res.code) {
				rows_addf(row, ROLE_NORMAL, " %d %s ", res.code, res.dsn);
				rows_add_bytes(row, ROLE_NORMAL, res.text.buf, res.text.len);
			}
			if (res.rule.file) {
				row = screen_text_row(t, ROLE_NORMAL);
				rows_add(row, ROLE_DIM, "decided by ");
				rows_add_bytes(row, ROLE_STATUS, res.rule.file, strlen(res.rule.file));
				rows_addf(row, ROLE_STATUS, ":%u", res.rule.line);
				rows_add(row, ROLE_DIM, "  ");
				if (res.rule.key)
					rows_add_bytes(row, ROLE_NORMAL, res.rule.key, strlen(res.rule.key));
				rows_add(row, ROLE_NORMAL, " ");
				if (res.rule.value)
					rows_add_bytes(row, ROLE_REJECT, res.rule.value,
						       strlen(res.rule.value));
				snprintf(d->file, sizeof(d->file), "%s", res.rule.file);
				d->line = res.rule.line;
				row = screen_text_row(t, ROLE_NORMAL);
				rows_add(row, ROLE_DIM, "g: open this line in the editor");
			}
			for (i = 0; i < res.ntrail; i++) {
				row = screen_text_row(t, ROLE_NORMAL);
				rows_add(row, ROLE_DIM, "  ");
				rows_add_bytes(row, ROLE_DIM, res.trail[i], strlen(res.trail[i]));
			}
		}
		explain_result_fini(&res);
		explain_free(ex);
	}
	free(ca);
	free(cn);
	free(helo);
	free(from);
	free(to);
	app_push(app, screen_text_screen(t));
}

static unsigned
feed_handle(struct app *app, struct screen *scr, enum action a)
{
	struct screen_feed *s = (struct screen_feed *)scr;
	struct feedpane *f = s->con->feed;
	struct pf_event *ev;

	switch (a) {
	case ACT_UP:
		review(s);
		if (s->sel > 0)
			s->sel--;
		pin(s);
		break;
	case ACT_DOWN:
		review(s);
		if (s->sel + 1 < s->nview)
			s->sel++;
		pin(s);
		break;
	case ACT_PAGE_UP:
		review(s);
		s->sel = s->sel > (size_t)s->page ? s->sel - (size_t)s->page : 0;
		pin(s);
		break;
	case ACT_PAGE_DOWN:
		review(s);
		s->sel += (size_t)s->page;
		if (s->sel >= s->nview)
			s->sel = s->nview ? s->nview - 1 : 0;
		pin(s);
		break;
	case ACT_HOME:
		/* the newest end again: follow it (newest first) */
		review(s);
		s->sel = 0;
		if (s->newest_last)
			pin(s);
		else
			s->follow = true;
		break;
	case ACT_END:
		review(s);
		s->sel = s->nview ? s->nview - 1 : 0;
		if (s->newest_last)
			s->follow = true;
		else
			pin(s);
		break;
	case ACT_PAUSE:
		if (!f)
			return 0;
		s->paused = !s->paused;
		s->paused_n = f->n;
		s->paused_total = f->total;
		app_status(app, ROLE_NORMAL, s->paused ? "paused: new events are kept, not shown"
			   : "following");
		break;
	case ACT_ORDER:
		s->newest_last = !s->newest_last;
		review(s);
		break;
	case ACT_FILTER:
		app_prompt_text(app, NULL, "filter (PCRE2, empty: all): ", s->filter, s, NULL,
				filter_accept, NULL, NULL);
		break;
	case ACT_EXCLUDE:
		app_prompt_text(app, NULL, "exclude (PCRE2, empty: none): ", s->exclude, s, NULL,
				exclude_accept, NULL, NULL);
		break;
	case ACT_ENTER:
		review(s);
		ev = shown(s, s->sel);
		if (ev)
			open_detail(app, s->con, ev);
		break;
	case ACT_EXPLAIN_EVENT:
		review(s);
		ev = shown(s, s->sel);
		if (!ev) {
			app_status(app, ROLE_WARNING, "no event selected");
			break;
		}
		return explain_event(app, s->con, ev);
	case ACT_BLOCK_SENDER:
	case ACT_BLOCK_DOMAIN:
	case ACT_BLOCK_CLIENT:
	case ACT_ALLOW_SENDER:
	case ACT_ALLOW_DOMAIN:
	case ACT_ALLOW_CLIENT:
		review(s);
		ev = shown(s, s->sel);
		if (!ev) {
			app_status(app, ROLE_WARNING, "no event selected");
			break;
		}
		return feed_block(app, s->con, ev, a);
	case ACT_QUIT:
		return APP_POP;
	default:
		return 0;
	}
	return APP_REDRAW;
}

static unsigned
feed_tick(struct app *app, struct screen *scr)
{
	struct screen_feed *s = (struct screen_feed *)scr;
	struct feedpane *f = s->con->feed;
	char reason[256];

	(void)app;
	if (!f)
		return 0;
	/* the safety net for file systems that do not notify */
	logmux_poll(f->lm, sink_of(f), reason, sizeof(reason));
	if (f->dirty) {
		f->dirty = false;
		return APP_REDRAW;
	}
	return APP_REDRAW;  /* the per-minute counts move with the clock */
}

static void
feed_destroy(struct screen *scr)
{
	struct screen_feed *s = (struct screen_feed *)scr;

	feed_filter_free(s->flt);
	free(s->view);
	free(s);
}

static const struct screen_ops feed_ops = {
	.kind = SCREEN_FEED,
	.handle = feed_handle,
	.render = feed_render,
	.title = feed_title,
	.destroy = feed_destroy,
	.tick = feed_tick,
	.keyline = feed_keys,
};

struct screen *
screen_feed_new(struct console *con)
{
	struct screen_feed *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &feed_ops;
	s->con = con;
	s->flt = feed_filter_new();
	s->follow = true;
	return &s->base;
}
