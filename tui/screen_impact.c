/*
 * tui/screen_impact.c - Apply's impact summary: before anything is built,
 * the mail log is replayed against the tables as Postfix uses them now
 * and as Apply would put them live (core/impact.h), in a background thread
 * with progress on the status line; Esc (or q) cancels it.
 *  - no decision would change: Apply goes on at once (the summary line is
 *    shown with its result);
 *  - some would: a summary screen (counts, not decidable by reason, the
 *    changes grouped by the pending table line), y applies, Enter opens
 *    the list of changed transactions, Enter there the transaction at the
 *    top (its fields, both answers, the pending explain trail; Enter again
 *    the deciding line in the editor), q leaves without applying (the
 *    tables stay saved, not built).
 * The replay runs on one worker thread, so that the other CPU keeps the
 * console responsive.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/apply.h"
#include "core/explain.h"
#include "core/impact.h"
#include "core/replay.h"
#include "tui/console.h"

struct ijob {
	char *dir, *log, *changes;
	struct apply_opts opts;
	struct screen_text *t;      /* the apply screen being filled */
	struct replay_log *rl;
	struct impact_report rep;
	volatile int cancel;
	int rc;
	char reason[512];
	int pipe[2];
	int last_pct;
};

/* one message through the job's pipe: progress, or done */
struct imsg {
	int pct;                    /* -1: done */
};

static struct ijob *running;    /* at most one (the console has one Apply) */

static void
ijob_free(struct ijob *j)
{
	if (!j)
		return;
	impact_report_fini(&j->rep);
	replay_free(j->rl);
	free(j->dir);
	free(j->log);
	free(j->changes);
	free(j);
}

static void
progress(void *arg, size_t done, size_t total)
{
	struct ijob *j = arg;
	struct imsg m;

	m.pct = total ? (int)(done * 100 / total) : 100;
	if (m.pct == j->last_pct)
		return;
	j->last_pct = m.pct;
	(void)!write(j->pipe[1], &m, sizeof(m));
}

static void *
ijob_main(void *arg)
{
	struct ijob *j = arg;
	struct impact_opts io;
	struct imsg m = { -1 };

	if (replay_load(j->log, NULL, &j->rl, j->reason, sizeof(j->reason)) < 0) {
		j->rc = -1;
	} else {
		memset(&io, 0, sizeof(io));
		io.dir = j->dir;
		io.pending = true;
		io.threads = 1;
		io.cancel = &j->cancel;
		io.progress = progress;
		io.arg = j;
		j->rc = impact_run(&io, j->rl, &j->rep, j->reason, sizeof(j->reason));
	}
	(void)!write(j->pipe[1], &m, sizeof(m));
	return NULL;
}

/* ---- screens ------------------------------------------------------------ */

struct list_ctx {
	struct console *con;
	struct ijob *j;             /* owned by the summary screen's context */
	size_t *change_of_row;      /* row -> change index + 1 (0: none) */
	size_t nrows;
	struct screen_text *t;
};

struct detail_ctx {
	struct console *con;
	char *file;
	unsigned line;
};

static void
detail_free(void *p)
{
	struct detail_ctx *d = p;

	if (!d)
		return;
	free(d->file);
	free(d);
}

static unsigned
detail_action(struct app *app, void *ctx, enum action a)
{
	struct detail_ctx *d = ctx;
	struct con_doc *doc;
	size_t idx = 0;

	if (a != ACT_JUMP)
		return 0;
	if (!d->file) {
		app_status(app, ROLE_WARNING, "no table line decides the pending answer");
		return APP_REDRAW;
	}
	doc = console_doc_open(d->con, NULL, d->file);
	if (!doc)
		return APP_REDRAW;
	if (d->line)
		tabledoc_find_line(doc->doc, d->line, &idx);
	console_open_editor(d->con, doc, idx);
	return APP_REDRAW;
}

static const enum action detail_keys[] = { ACT_JUMP, ACT_NONE };

static void
field(struct screen_text *t, const char *name, const char *v)
{
	struct row *row = screen_text_row(t, ROLE_NORMAL);

	rows_addf(row, ROLE_DIM, "%-10s ", name);
	if (v)
		rows_add_bytes(row, ROLE_NORMAL, v, strlen(v));
	else
		rows_add(row, ROLE_DIM, "-");
}

static enum role
decision_role(enum explain_decision d)
{
	return d == EXPLAIN_ACCEPT ? ROLE_OK : d == EXPLAIN_REJECT ? ROLE_REJECT : ROLE_DEFER;
}

static void
answer(struct screen_text *t, const char *name, const struct impact_answer *an)
{
	struct row *row = screen_text_row(t, ROLE_NORMAL);

	rows_addf(row, ROLE_DIM, "%-10s ", name);
	rows_add(row, decision_role(an->decision), explain_decision_name(an->decision));
	if (an->decision != EXPLAIN_ACCEPT) {
		rows_add(row, ROLE_NORMAL, " ");
		rows_add_bytes(row, ROLE_NORMAL, an->reply, strlen(an->reply));
	}
	row = screen_text_row(t, ROLE_NORMAL);
	rows_addf(row, ROLE_DIM, "%-10s ", "");
	if (an->rule)
		rows_add_bytes(row, ROLE_NORMAL, an->rule, strlen(an->rule));
	else
		rows_add(row, ROLE_DIM, "(no table line)");
}

/* open_change - the transaction of change I: fields, both answers, and
 * the pending version's explain trail */
static void
open_change(struct app *app, struct console *con, struct ijob *j, size_t i)
{
	const struct impact_change *c = &j->rep.changes[i];
	const struct replay_txn *x = replay_at(j->rl, c->txn);
	struct detail_ctx *d = calloc(1, sizeof(*d));
	struct screen_text *t;
	struct row *row;
	char tb[64];
	struct tm tm;

	if (!d)
		return;
	d->con = con;
	t = screen_text_new("Transaction", detail_action, d, detail_free);
	if (!t) {
		detail_free(d);
		return;
	}
	screen_text_keyline(t, detail_keys);
	tb[0] = '\0';
	if (localtime_r(&x->time, &tm))
		strftime(tb, sizeof(tb), "%Y-%m-%dT%H:%M:%S%z", &tm);
	field(t, "time", tb);
	field(t, "client", x->client_name);
	field(t, "address", x->client_addr);
	field(t, "helo", x->helo_known ? (x->helo ? x->helo : "(none)") : "(not logged)");
	field(t, "sender", *x->sender ? x->sender : "<> (null sender)");
	field(t, "recipient", x->recipient);
	field(t, "sasl user", x->sasl_user);
	field(t, "queue id", x->queue_id);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_addf(row, ROLE_DIM, "%-10s ", "log line");
	rows_addf(row, ROLE_NORMAL, "%lu", x->line);
	screen_text_row(t, ROLE_NORMAL);
	answer(t, "now", &c->live);
	answer(t, "pending", &c->pending);
	if (c->pending.rule) {
		/* "FILE:LINE: KEY VALUE" -> the line to jump to */
		const char *p = c->pending.rule, *colon = strchr(p, ':');

		while (colon && !(colon[1] >= '0' && colon[1] <= '9'))
			colon = strchr(colon + 1, ':');
		if (colon && p[0] == '/') {
			d->file = strndup(p, (size_t)(colon - p));
			d->line = (unsigned)strtoul(colon + 1, NULL, 10);
		}
	}
	/* the pending version's trail, as the Explain screen shows it */
	{
		struct explain_opts eo;
		struct explain *ex;
		struct explain_result r;
		struct explain_probe pr;
		size_t k;

		memset(&eo, 0, sizeof(eo));
		eo.sources = true;
		eo.sasl_user = x->sasl_user;
		ex = explain_new(con->config_dir, &eo, NULL);
		screen_text_row(t, ROLE_NORMAL);
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_HEADER, "Pending (table sources as saved): explain");
		if (ex) {
			memset(&pr, 0, sizeof(pr));
			pr.client_addr = x->client_addr;
			pr.client_name = x->client_name;
			pr.helo = x->helo_known ? x->helo : NULL;
			pr.sender = x->sender;
			pr.recipient = x->recipient;
			explain_result_init(&r);
			if (explain_run(ex, &pr, &r) == 0)
				for (k = 0; k < r.ntrail; k++) {
					row = screen_text_row(t, ROLE_NORMAL);
					rows_add(row, ROLE_NORMAL, "  ");
					rows_add_bytes(row, ROLE_NORMAL, r.trail[k], strlen(r.trail[k]));
				}
			explain_result_fini(&r);
			explain_free(ex);
		}
	}
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "Enter: the deciding pending line in the editor; q: back");
	app_push(app, screen_text_screen(t));
}

static void
list_free(void *p)
{
	struct list_ctx *l = p;

	if (!l)
		return;
	free(l->change_of_row);
	free(l);
}

static unsigned
list_action(struct app *app, void *ctx, enum action a)
{
	struct list_ctx *l = ctx;
	int top = screen_text_top(l->t);
	size_t r;

	if (a != ACT_JUMP)
		return 0;
	/* the first transaction at or below the top of the view */
	for (r = top < 0 ? 0 : (size_t)top; r < l->nrows; r++)
		if (l->change_of_row[r]) {
			open_change(app, l->con, l->j, l->change_of_row[r] - 1);
			return APP_REDRAW;
		}
	app_status(app, ROLE_WARNING, "no transaction below the top of the list");
	return APP_REDRAW;
}

static const enum action list_keys[] = { ACT_JUMP, ACT_NONE };

static void
list_row(struct list_ctx *l, size_t change)
{
	if (l->nrows % 64 == 0) {
		size_t *v = realloc(l->change_of_row, (l->nrows + 64) * sizeof(*v));

		if (!v)
			return;
		l->change_of_row = v;
	}
	l->change_of_row[l->nrows++] = change;
}

static void
open_list(struct app *app, struct console *con, struct ijob *j)
{
	struct list_ctx *l = calloc(1, sizeof(*l));
	struct screen_text *t;
	size_t i;

	if (!l)
		return;
	l->con = con;
	l->j = j;
	t = screen_text_new("Apply: changed transactions", list_action, l, list_free);
	if (!t) {
		list_free(l);
		return;
	}
	l->t = t;
	screen_text_keyline(t, list_keys);
	for (i = 0; i < j->rep.nchanges; i++) {
		const struct impact_change *c = &j->rep.changes[i];
		const struct replay_txn *x = replay_at(j->rl, c->txn);
		struct row *row = screen_text_row(t, ROLE_NORMAL);

		rows_addf(row, ROLE_DIM, "%-15s ", impact_kind_name(c->kind));
		rows_add_bytes(row, ROLE_NORMAL, x->client_addr, strlen(x->client_addr));
		rows_add(row, ROLE_NORMAL, " <");
		rows_add_bytes(row, ROLE_NORMAL, x->sender, strlen(x->sender));
		rows_add(row, ROLE_NORMAL, "> -> <");
		rows_add_bytes(row, ROLE_NORMAL, x->recipient, strlen(x->recipient));
		rows_add(row, ROLE_NORMAL, ">");
		list_row(l, i + 1);
	}
	app_push(app, screen_text_screen(t));
}

/* the summary screen: its context owns the job */
struct sum_ctx {
	struct console *con;
	struct ijob *j;
	bool applied;
};

static void
sum_free(void *p)
{
	struct sum_ctx *s = p;

	if (!s)
		return;
	if (!s->applied && s->j && s->j->t) {
		struct screen *sc = screen_text_screen(s->j->t);

		sc->ops->destroy(sc);
	}
	ijob_free(s->j);
	free(s);
}

static void
go_apply(struct app *app, struct console *con, struct ijob *j)
{
	if (console_apply_start(con, &j->opts, j->changes) < 0) {
		app_status(app, ROLE_ERROR, "apply: cannot start (out of resources)");
		return;
	}
	con->apply_screen = j->t;
	j->t = NULL;
	app_status(app, ROLE_STATUS, "applying: validate, build, postfix check, reload if needed...");
}

static unsigned
sum_action(struct app *app, void *ctx, enum action a)
{
	struct sum_ctx *s = ctx;

	if (a == ACT_JUMP) {
		open_list(app, s->con, s->j);
		return APP_REDRAW;
	}
	if (a == ACT_CONFIRM && !s->applied) {
		s->applied = true;
		go_apply(app, s->con, s->j);    /* the apply screen and changes move on */
		app_pop(app);                   /* frees this screen and the job */
		return APP_REDRAW;
	}
	return 0;
}

static const enum action sum_keys[] = { ACT_CONFIRM, ACT_JUMP, ACT_NONE };

/* summary - the report as rows of T (shared by the summary screen and the
 * apply result when nothing changes) */
static void
summary(struct screen_text *t, const struct ijob *j)
{
	const struct impact_report *rep = &j->rep;
	struct row *row;
	size_t i, k;

	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "Impact: ");
	rows_addf(row, ROLE_NORMAL, "replayed %zu transactions of ", rep->replayed);
	rows_add_bytes(row, ROLE_NORMAL, j->log, strlen(j->log));
	rows_addf(row, ROLE_NORMAL, ": %zu not decidable; ", rep->undecidable);
	rows_addf(row, rep->nchanges ? ROLE_WARNING : ROLE_OK, "%zu would change", rep->nchanges);
	for (i = 0; i < rep->nreasons && i < 5; i++) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_DIM, "  not decidable %5lu  ", rep->reasons[i].count);
		rows_add_bytes(row, ROLE_NORMAL, rep->reasons[i].key, strlen(rep->reasons[i].key));
	}
	/* groups, in order of first appearance */
	for (i = 0; i < rep->nchanges; i++) {
		const struct impact_change *c = &rep->changes[i];
		size_t n = 0, legit = 0;
		unsigned long dom = 0;

		for (k = 0; k < i; k++)
			if (strcmp(rep->changes[k].group, c->group) == 0)
				break;
		if (k < i)
			continue;
		for (k = i; k < rep->nchanges; k++)
			if (strcmp(rep->changes[k].group, c->group) == 0) {
				n++;
				if (rep->changes[k].kind == IMPACT_ACCEPT_TO_REJECT &&
				    rep->changes[k].legit_dom) {
					legit++;
					if (rep->changes[k].legit_dom > dom)
						dom = rep->changes[k].legit_dom;
				}
			}
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_NORMAL, "  %5zu  ", n);
		rows_add_bytes(row, ROLE_NORMAL, c->group, strlen(c->group));
		if (legit) {
			row = screen_text_row(t, ROLE_NORMAL);
			rows_addf(row, ROLE_WARNING, "         likely legitimate: %zu message%s from "
				  "correspondents of your users (%lu sent to them)", legit,
				  legit == 1 ? "" : "s", dom);
		}
	}
}

static void
ijob_done(struct app *app, struct console *con, struct ijob *j)
{
	struct row *row;

	running = NULL;
	app_remove_source(app, j->pipe[0]);
	close(j->pipe[0]);
	close(j->pipe[1]);
	if (j->rc < 0 && j->cancel) {
		struct screen *sc = screen_text_screen(j->t);

		sc->ops->destroy(sc);
		app_status(app, ROLE_WARNING, "apply cancelled during the replay: the tables are saved, "
			   "nothing was built or reloaded (A applies)");
		j->t = NULL;
		ijob_free(j);
		return;
	}
	if (j->rc < 0) {
		row = screen_text_row(j->t, ROLE_NORMAL);
		rows_add(row, ROLE_WARNING, "Impact: the mail log could not be replayed: ");
		rows_add_bytes(row, ROLE_NORMAL, j->reason, strlen(j->reason));
		go_apply(app, con, j);
		ijob_free(j);
		return;
	}
	if (j->rep.nchanges == 0) {
		summary(j->t, j);
		go_apply(app, con, j);
		ijob_free(j);
		return;
	}
	{
		struct sum_ctx *s = calloc(1, sizeof(*s));
		struct screen_text *t;

		if (!s) {
			ijob_free(j);
			return;
		}
		s->con = con;
		s->j = j;
		t = screen_text_new("Apply: impact of the pending changes", sum_action, s, sum_free);
		if (!t) {
			sum_free(s);
			return;
		}
		screen_text_keyline(t, sum_keys);
		summary(t, j);
		row = screen_text_row(t, ROLE_NORMAL);
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "y: apply (build, postfix check, reload); Enter: the changed "
			 "transactions; q: back without applying (the tables stay saved)");
		app_push(app, screen_text_screen(t));
		app_status(app, ROLE_WARNING, "%zu transaction%s of the log would be decided otherwise: "
			   "y applies", j->rep.nchanges, j->rep.nchanges == 1 ? "" : "s");
	}
}

static unsigned
ijob_ready(struct app *app, void *ctx)
{
	struct ijob *j = ctx;
	struct imsg m;

	while (read(j->pipe[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		if (m.pct < 0) {
			ijob_done(app, app->con, j);
			return APP_REDRAW;
		}
		app_status(app, ROLE_STATUS, "apply: replaying the mail log against the pending "
			   "tables: %d %% (Esc cancels)", m.pct);
	}
	return APP_REDRAW;
}

int
console_impact_start(struct console *con, struct screen_text *t, const struct apply_opts *opts,
		     const char *changes)
{
	struct ijob *j;
	struct stat st;
	pthread_attr_t attr;
	pthread_t th;
	int i;

	if (running || !con->log_spec[0] || stat(con->log_spec, &st) < 0 || !S_ISREG(st.st_mode))
		return 1;       /* no log file to replay: apply as before */
	j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	impact_report_init(&j->rep);
	j->last_pct = -1;
	j->opts = *opts;
	j->t = t;
	j->dir = strdup(con->config_dir);
	j->log = strdup(con->log_spec);
	j->changes = strdup(changes ? changes : "");
	if (!j->dir || !j->log || !j->changes || pipe(j->pipe) < 0) {
		ijob_free(j);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fcntl(j->pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(j->pipe[i], F_SETFL, fcntl(j->pipe[i], F_GETFL) | O_NONBLOCK);
	}
	if (app_add_source(con->app, j->pipe[0], ijob_ready, j) < 0) {
		close(j->pipe[0]);
		close(j->pipe[1]);
		ijob_free(j);
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, ijob_main, j) != 0) {
		pthread_attr_destroy(&attr);
		app_remove_source(con->app, j->pipe[0]);
		close(j->pipe[0]);
		close(j->pipe[1]);
		ijob_free(j);
		return -1;
	}
	pthread_attr_destroy(&attr);
	running = j;
	app_status(con->app, ROLE_STATUS, "apply: replaying the mail log against the pending tables "
		   "(Esc cancels)");
	return 0;
}

bool
console_impact_cancel(struct app *app)
{
	(void)app;
	if (!running)
		return false;
	running->cancel = 1;
	app_status(app, ROLE_WARNING, "cancelling the replay...");
	return true;
}

/* ---- hit counts for the editor's column ------------------------------ */

/* One replay of the log with the tables as built (core/impact hits), kept
 * for the console's lifetime: the editor's column looks lines up in it. */
static struct {
	bool running, ready;
	struct impact_report rep;
	int pipe[2];
	char *dir, *log;
	int rc;
	char reason[256];
} hits;

static void *
hits_main(void *arg)
{
	struct impact_opts io;
	struct replay_log *rl = NULL;
	char c = 1;

	(void)arg;
	if (replay_load(hits.log, NULL, &rl, hits.reason, sizeof(hits.reason)) < 0) {
		hits.rc = -1;
	} else {
		memset(&io, 0, sizeof(io));
		io.dir = hits.dir;
		io.hits = true;
		io.threads = 1;
		hits.rc = impact_run(&io, rl, &hits.rep, hits.reason, sizeof(hits.reason));
	}
	replay_free(rl);
	(void)!write(hits.pipe[1], &c, 1);
	return NULL;
}

static unsigned
hits_ready_cb(struct app *app, void *ctx)
{
	char c;

	(void)ctx;
	if (read(hits.pipe[0], &c, 1) != 1)
		return 0;
	app_remove_source(app, hits.pipe[0]);
	close(hits.pipe[0]);
	close(hits.pipe[1]);
	hits.running = false;
	hits.ready = hits.rc == 0;
	if (hits.rc == 0)
		app_status(app, ROLE_OK, "hit counts from %s: %zu table lines decided something",
			   hits.log, hits.rep.nhits);
	else
		app_status(app, ROLE_ERROR, "hit counts: %s", hits.reason);
	return APP_REDRAW;
}

int
console_hits_start(struct console *con)
{
	struct stat st;
	pthread_attr_t attr;
	pthread_t th;
	int i;

	if (hits.running || hits.ready)
		return 0;
	if (!con->log_spec[0] || stat(con->log_spec, &st) < 0 || !S_ISREG(st.st_mode)) {
		app_status(con->app, ROLE_WARNING, "hit counts need a mail log file (console --log FILE)");
		return -1;
	}
	free(hits.dir);
	free(hits.log);
	impact_report_init(&hits.rep);
	hits.dir = strdup(con->config_dir);
	hits.log = strdup(con->log_spec);
	if (!hits.dir || !hits.log || pipe(hits.pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++)
		fcntl(hits.pipe[i], F_SETFD, FD_CLOEXEC);
	fcntl(hits.pipe[0], F_SETFL, fcntl(hits.pipe[0], F_GETFL) | O_NONBLOCK);
	if (app_add_source(con->app, hits.pipe[0], hits_ready_cb, NULL) < 0) {
		close(hits.pipe[0]);
		close(hits.pipe[1]);
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	hits.running = pthread_create(&th, &attr, hits_main, NULL) == 0;
	pthread_attr_destroy(&attr);
	if (!hits.running) {
		app_remove_source(con->app, hits.pipe[0]);
		close(hits.pipe[0]);
		close(hits.pipe[1]);
		return -1;
	}
	app_status(con->app, ROLE_STATUS, "counting hits: replaying %s in the background", hits.log);
	return 0;
}

int
console_hits_count(const char *path, unsigned line, unsigned long *count)
{
	size_t lo = 0, hi;

	if (!hits.ready)
		return hits.running ? -1 : -2;
	hi = hits.rep.nhits;
	/* hits are sorted by file, then line (lines without a file last) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct impact_count *h = &hits.rep.hits[mid];
		int c = h->file ? strcmp(h->file, path) : 1;

		if (c < 0 || (c == 0 && h->line < line))
			lo = mid + 1;
		else
			hi = mid;
	}
	*count = 0;
	if (lo < hits.rep.nhits && hits.rep.hits[lo].file &&
	    strcmp(hits.rep.hits[lo].file, path) == 0 && hits.rep.hits[lo].line == line)
		*count = hits.rep.hits[lo].count;
	return 0;
}
