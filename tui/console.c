/*
 * tui/console.c - the engine side of the console (see console.h): loading
 * and checking the configuration, open documents with undo/redo and
 * validation, saving, external changes, screen switching and quitting.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/apply.h"
#include "core/watch.h"
#include "tui/console.h"

static void doc_free(struct con_doc *d);
static void start_check(struct console *con);

static void
watch_everything(struct console *con)
{
	char reason[256], path[4096];
	size_t i;

	if (!con->watch)
		return;
	snprintf(path, sizeof(path), "%s/main.cf", con->config_dir);
	watch_add_file(con->watch, path, reason, sizeof(reason));
	for (i = 0; i < con->chk.ntables; i++) {
		const struct check_table *t = &con->chk.tables[i];

		if (t->state == CHECK_NOT_FILE || !t->path)
			continue;
		watch_add_file(con->watch, t->path, reason, sizeof(reason));
	}
	for (i = 0; i < con->ndocs; i++)
		watch_add_file(con->watch, con->docs[i]->path, reason, sizeof(reason));
}

/* Background jobs.  Each runs in its own detached thread on its own data
 * (its own main.cf model: the console's caches are not shared), and hands
 * itself back through con->bg_pipe; the loop swaps the result in if it is
 * still the latest one asked for. */
enum bg_kind { BG_CHECK, BG_VALIDATE, BG_APPLY };

struct bg_job {
	enum bg_kind kind;
	int fd;                         /* write end of the pipe */
	char *dir;
	unsigned gen;
	struct check_result chk;        /* BG_CHECK */
	struct con_doc *doc;            /* BG_VALIDATE: compared, never dereferenced in the thread */
	char *type, *path, *text;
	size_t len, cap;                /* cap: bytes allocated at text (BG_VALIDATE) */
	enum maincf_role role;
	struct diag_list dl;
	struct apply_opts opts;         /* BG_APPLY (text = the changes) */
	struct apply_result res;
	int rc;
};

static void
bg_free(struct bg_job *j)
{
	if (!j)
		return;
	check_result_fini(&j->chk);
	diag_list_fini(&j->dl);
	if (j->kind == BG_APPLY)
		apply_result_fini(&j->res);
	free(j->dir);
	free(j->type);
	free(j->path);
	free(j->text);
	free(j);
}

/* validate_buf - the editor's validation of TEXT: a table's rules (core/check's
 * check_table_buf), or for main.cf itself (type "maincf") the main.cf
 * findings of check (its own lines; the tables are not opened) */
static void
validate_buf(const char *type, const char *text, size_t len, const char *path,
	     enum maincf_role role, struct maincf *cf, const char *dir, struct diag_list *dl)
{
	struct maincf *m = NULL;
	struct check_result res;
	size_t i;

	if (strcmp(type, "maincf") != 0) {
		check_table_buf(type, text, len, path, role, cf, dl, NULL);
		return;
	}
	if (maincf_parse(&m, text, len, path, dir, dl) < 0 || !m)
		return;
	check_result_init(&res);
	check_config_cf(m, CHECK_NO_TABLES, &res);
	for (i = 0; i < res.diags.n; i++) {
		const struct diag *x = &res.diags.v[i];

		if (x->file && strcmp(x->file, path) == 0)
			diag_add_sev(dl, x->severity, x->code, x->file, x->line, x->col, "%s",
				     x->message);
	}
	check_result_fini(&res);
	maincf_free(m);
}

static void *
bg_main(void *arg)
{
	struct bg_job *j = arg;
	struct maincf *cf = NULL;

	if (j->kind == BG_CHECK) {
		check_config(j->dir, 0, &j->chk);
	} else if (j->kind == BG_APPLY) {
		j->opts.changes = j->text;
		j->rc = apply_run(j->dir, &j->opts, &j->res);
	} else {
		if (maincf_load(&cf, j->dir, NULL) < 0)
			cf = NULL;
		validate_buf(j->type, j->text, j->len, j->path, j->role, cf, j->dir, &j->dl);
		diag_sort(&j->dl);
		maincf_free(cf);
	}
	if (write(j->fd, &j, sizeof(j)) != (ssize_t)sizeof(j))
		bg_free(j);     /* the console has gone */
	return NULL;
}

static int
bg_start(struct bg_job *j)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, bg_main, j);
	pthread_attr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

static bool
doc_is_open(struct console *con, const struct con_doc *d)
{
	size_t i;

	for (i = 0; i < con->ndocs; i++)
		if (con->docs[i] == d)
			return true;
	return false;
}

static size_t
count_errors(const struct diag_list *dl)
{
	size_t i, n = 0;

	for (i = 0; i < dl->n; i++)
		if (dl->v[i].severity == DIAG_ERROR)
			n++;
	return n;
}

static void doc_validate(struct console *con, struct con_doc *d, bool now);

/* bg_ready - a job is done: take its result if it is still wanted */
static unsigned
bg_ready(struct app *app, void *ctx)
{
	struct console *con = ctx;
	struct bg_job *j;
	unsigned fl = 0;

	(void)app;
	while (read(con->bg_pipe[0], &j, sizeof(j)) == (ssize_t)sizeof(j)) {
		if (!j) {
			/* validations put off until the screen was drawn */
			size_t i;

			for (i = 0; i < con->ndocs; i++)
				if (con->docs[i]->vpending)
					doc_validate(con, con->docs[i], true);
			continue;
		}
		if (j->kind == BG_CHECK) {
			con->check_running = false;
			if (j->gen == con->check_gen) {
				struct check_result tmp = con->chk;

				con->chk = j->chk;
				j->chk = tmp;
				con->checking = false;
				watch_everything(con);
				fl |= APP_REDRAW;
			} else {
				start_check(con);       /* asked again meanwhile */
			}
		} else if (j->kind == BG_VALIDATE && doc_is_open(con, j->doc)) {
			struct con_doc *d = j->doc;

			d->vrunning = false;
			if (!d->vbuf) {
				/* the copy's buffer serves the next validation */
				d->vbuf = j->text;
				d->vcap = j->cap;
				j->text = NULL;
			}
			if (j->gen == d->vgen) {
				struct diag_list tmp = d->diags;

				d->diags = j->dl;
				j->dl = tmp;
				d->nerrors = count_errors(&d->diags);
				d->validating = false;
				fl |= APP_REDRAW;
			} else {
				doc_validate(con, d, true);     /* edited meanwhile */
			}
		} else if (j->kind == BG_APPLY) {
			con->applying = false;
			fl |= console_apply_done(con, &j->res, j->rc) | APP_REDRAW;
		}
		bg_free(j);
	}
	return fl;
}

int
console_init(struct console *con, struct app *app, const char *config_dir)
{
	int i;

	memset(con, 0, sizeof(*con));
	con->app = app;
	con->config_dir = config_dir;
	check_result_init(&con->chk);
	app->con = con;
	if (pipe(con->bg_pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(con->bg_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(con->bg_pipe[i], F_SETFL, fcntl(con->bg_pipe[i], F_GETFL) | O_NONBLOCK);
	}
	return app_add_source(app, con->bg_pipe[0], bg_ready, con);
}

int
console_apply_start(struct console *con, const struct apply_opts *opts, const char *changes)
{
	struct bg_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	j->kind = BG_APPLY;
	j->fd = con->bg_pipe[1];
	j->opts = *opts;
	j->dir = strdup(con->config_dir);
	j->text = strdup(changes ? changes : "");
	check_result_init(&j->chk);
	diag_list_init(&j->dl);
	apply_result_init(&j->res);
	if (!j->dir || !j->text || con->bg_pipe[1] <= 0 || bg_start(j) < 0) {
		bg_free(j);
		return -1;
	}
	con->applying = true;
	return 0;
}

void
console_fini(struct console *con)
{
	struct bg_job *j;
	size_t i;

	/* results that arrived but were not taken; a job still running when the
	 * pipe is closed frees itself (its write fails) */
	if (con->bg_pipe[0] > 0) {
		while (read(con->bg_pipe[0], &j, sizeof(j)) == (ssize_t)sizeof(j))
			bg_free(j);
		app_remove_source(con->app, con->bg_pipe[0]);
		close(con->bg_pipe[0]);
		close(con->bg_pipe[1]);
		con->bg_pipe[0] = con->bg_pipe[1] = -1;
	}
	if (con->apply_screen) {
		struct screen *sc = screen_text_screen(con->apply_screen);

		sc->ops->destroy(sc);
		con->apply_screen = NULL;
	}
	for (i = 0; i < con->ndocs; i++)
		doc_free(con->docs[i]);
	free(con->docs);
	con->docs = NULL;
	con->ndocs = 0;
	check_result_fini(&con->chk);
	maincf_free(con->cf);
	con->cf = NULL;
}

/* start_check - the full check of generation con->check_gen in a thread;
 * while one runs, nothing is started: its result, now stale, starts the
 * next one when it arrives (a burst of file events costs two checks, not
 * one per event) */
static void
start_check(struct console *con)
{
	struct bg_job *j;

	if (con->check_running)
		return;
	j = calloc(1, sizeof(*j));
	if (j) {
		j->kind = BG_CHECK;
		j->fd = con->bg_pipe[1];
		j->gen = con->check_gen;
		j->dir = strdup(con->config_dir);
		check_result_init(&j->chk);
		diag_list_init(&j->dl);
	}
	if (!j || !j->dir || con->bg_pipe[1] <= 0 || bg_start(j) < 0) {
		bg_free(j);
		/* no thread: check here */
		check_result_fini(&con->chk);
		check_result_init(&con->chk);
		check_config_cf(con->cf, 0, &con->chk);
		con->checking = false;
		watch_everything(con);
		return;
	}
	con->check_running = true;
}

int
console_load(struct console *con)
{
	struct maincf *cf = NULL;
	struct diag_list dl;

	diag_list_init(&dl);
	con->cf_error[0] = '\0';
	if (maincf_load(&cf, con->config_dir, &dl) < 0) {
		snprintf(con->cf_error, sizeof(con->cf_error), "%s/main.cf: %s",
			 con->config_dir, strerror(errno));
		diag_list_fini(&dl);
		return -1;
	}
	diag_list_fini(&dl);
	maincf_free(con->cf);
	con->cf = cf;
	/* at once: main.cf and the list of tables (the first screen does not
	 * wait for a million-entry table to be read) */
	check_result_fini(&con->chk);
	check_result_init(&con->chk);
	check_config_cf(con->cf, CHECK_NO_TABLES, &con->chk);
	watch_everything(con);
	/* then every table, in the background */
	con->check_gen++;
	con->checking = true;
	start_check(con);
	return 0;
}

const struct check_table *
console_table_info(const struct console *con, const char *path)
{
	size_t i;

	for (i = 0; i < con->chk.ntables; i++)
		if (con->chk.tables[i].path && strcmp(con->chk.tables[i].path, path) == 0)
			return &con->chk.tables[i];
	return NULL;
}

struct con_doc *
console_doc_find(struct console *con, const char *path)
{
	size_t i;

	for (i = 0; i < con->ndocs; i++)
		if (strcmp(con->docs[i]->path, path) == 0)
			return con->docs[i];
	return NULL;
}

static void
edits_clear(struct con_doc *d, size_t from)
{
	size_t i;

	for (i = from; i < d->nedits; i++) {
		free(d->edits[i].old_text);
		free(d->edits[i].new_text);
	}
	d->nedits = from;
	if (d->nundo > from)
		d->nundo = from;
}

static void
doc_free(struct con_doc *d)
{
	if (!d)
		return;
	edits_clear(d, 0);
	free(d->edits);
	tabledoc_free(d->doc);
	diag_list_fini(&d->diags);
	free(d->vbuf);
	strbuf_fini(&d->changes);
	strbuf_fini(&d->base);
	free(d->type);
	free(d->path);
	free(d);
}

/* console_doc_validate_sync - the whole buffer, here and now (saving and
 * applying need the truth) */
void
console_doc_validate_sync(struct console *con, struct con_doc *d)
{
	const char *text;
	size_t len;

	diag_list_clear(&d->diags);
	text = tabledoc_text(d->doc, &len);
	validate_buf(d->type, text, len, d->path, d->role, con->cf, con->config_dir, &d->diags);
	diag_sort(&d->diags);
	d->nerrors = count_errors(&d->diags);
	d->vgen++;              /* any background result is older */
	d->validating = false;
}

#define VALIDATE_ASYNC_BYTES (256 * 1024)

void
console_doc_validate(struct console *con, struct con_doc *d)
{
	doc_validate(con, d, false);
}

static void
doc_validate(struct console *con, struct con_doc *d, bool now)
{
	size_t len;
	struct bg_job *j;

	/* the length only: tabledoc_text would close the document's gap,
	 * which the next edit would open again (a memmove of the text) */
	len = tabledoc_length(d->doc);
	if (len < VALIDATE_ASYNC_BYTES || con->bg_pipe[1] <= 0) {
		console_doc_validate_sync(con, d);
		return;
	}
	/* a big table: validate a copy in the background; the line being
	 * edited was validated as it was typed.  One job per document at a
	 * time: a newer edit makes the running one's result stale, and its
	 * arrival starts the next */
	d->validating = true;
	if (d->vrunning) {
		d->vgen++;
		return;
	}
	if (!now) {
		/* started after the screen is drawn: copying a big text for the
		 * thread is not part of the key's answer (bg_ready gets the NULL
		 * job on the loop's next round, after the draw) */
		struct bg_job *none = NULL;

		if (!d->vpending && write(con->bg_pipe[1], &none, sizeof(none)) == (ssize_t)sizeof(none)) {
			d->vpending = true;
			return;
		}
		if (d->vpending)
			return;
	}
	d->vpending = false;
	j = calloc(1, sizeof(*j));
	if (j && d->vbuf && d->vcap >= len + 1) {
		j->text = d->vbuf;
		j->cap = d->vcap;
		d->vbuf = NULL;
	} else if (j) {
		free(d->vbuf);
		d->vbuf = NULL;
		/* some room to grow: the next copies reuse it */
		j->cap = len + 1 + len / 16;
		j->text = malloc(j->cap);
	}
	if (!j || !j->text) {
		free(j);
		console_doc_validate_sync(con, d);
		return;
	}
	tabledoc_copy_text(d->doc, j->text);
	j->text[len] = '\0';
	j->len = len;
	j->kind = BG_VALIDATE;
	j->fd = con->bg_pipe[1];
	j->doc = d;
	j->gen = ++d->vgen;
	j->role = d->role;
	j->dir = strdup(con->config_dir);
	j->type = strdup(d->type);
	j->path = strdup(d->path);
	check_result_init(&j->chk);
	diag_list_init(&j->dl);
	if (!j->dir || !j->type || !j->path || bg_start(j) < 0) {
		bg_free(j);
		console_doc_validate_sync(con, d);
		return;
	}
	d->vrunning = true;
}

/* reuse_check - a document just read from a table the finished check
 * validated: take its diagnostics from there instead of validating a
 * million entries again.  False when there is no such result. */
static bool
reuse_check(struct console *con, struct con_doc *d)
{
	const struct check_table *t = console_table_info(con, d->path);
	size_t i;

	if (con->checking || !t || t->state == CHECK_MISSING || t->state == CHECK_NOT_FILE ||
	    strcmp(t->type, d->type) != 0 || tabledoc_changed_on_disk(d->doc) != 0)
		return false;
	diag_list_clear(&d->diags);
	for (i = 0; i < con->chk.diags.n; i++) {
		const struct diag *g = &con->chk.diags.v[i];

		/* the table's own lines (problems located in main.cf stay there) */
		if (g->file && strcmp(g->file, d->path) == 0 && g->code != DIAG_STALE_INDEX)
			diag_add_sev(&d->diags, g->severity, g->code, g->file, g->line, g->col, "%s",
				     g->message);
	}
	diag_sort(&d->diags);
	d->nerrors = count_errors(&d->diags);
	return true;
}

/* set_base - the document's text is now what the file holds */
static void
set_base(struct con_doc *d)
{
	size_t len;
	const char *text = tabledoc_text(d->doc, &len);

	strbuf_reset(&d->base);
	strbuf_add(&d->base, text, len);
}

struct con_doc *
console_doc_open(struct console *con, const char *type, const char *path)
{
	struct con_doc *d = console_doc_find(con, path), **v;
	struct map_error err;
	const char *guessed = NULL;
	char reason[256];

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	diag_list_init(&d->diags);
	strbuf_init(&d->changes);
	strbuf_init(&d->base);
	d->role = check_guess_role(con->cf, path, &guessed);
	d->type = strdup(type ? type : guessed ? guessed : "hash");
	d->path = strdup(path);
	memset(&err, 0, sizeof(err));
	if (tabledoc_load(&d->doc, path, tabledoc_syntax_for_type(d->type), NULL, &err) < 0) {
		if (err.errnum == ENOENT) {
			/* a new table: start empty, saving creates it */
			d->doc = tabledoc_new(path, tabledoc_syntax_for_type(d->type));
		}
		if (!d->doc) {
			app_status(con->app, ROLE_ERROR, "cannot open %s: %s", path,
				   err.text[0] ? err.text : strerror(err.errnum));
			doc_free(d);
			return NULL;
		}
	}
	set_base(d);
	v = realloc(con->docs, (con->ndocs + 1) * sizeof(*v));
	if (!v) {
		doc_free(d);
		return NULL;
	}
	con->docs = v;
	con->docs[con->ndocs++] = d;
	if (!reuse_check(con, d))
		console_doc_validate(con, d);
	if (con->watch)
		watch_add_file(con->watch, path, reason, sizeof(reason));
	return d;
}

void
console_doc_take(struct console *con, struct con_doc *d, struct tabledoc *nd)
{
	tabledoc_free(d->doc);
	d->doc = nd;
	set_base(d);
	d->conflict = false;
	d->force_save = false;
	/* the history refers to the old text: start a new one */
	edits_clear(d, 0);
	d->nundo = 0;
	d->clean_at = 0;
	console_doc_validate(con, d);
}

bool
console_doc_dirty(const struct con_doc *d)
{
	/* undoing back to the saved text is not an unsaved edit */
	return d->doc && d->nundo != d->clean_at;
}

size_t
console_unsaved(const struct console *con)
{
	size_t i, n = 0;

	for (i = 0; i < con->ndocs; i++)
		if (console_doc_dirty(con->docs[i]))
			n++;
	return n;
}

static char *
dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* strip_eol - TEXT without its final line ending */
static size_t
strip_eol(const char *text, size_t len)
{
	if (len && text[len - 1] == '\n')
		len--;
	if (len && text[len - 1] == '\r')
		len--;
	return len;
}

static void
note_change(struct con_doc *d, char sign, const char *text, size_t len)
{
	if (!text || !len)
		return;
	strbuf_addch(&d->changes, sign);
	strbuf_add(&d->changes, text, len);
	strbuf_addch(&d->changes, '\n');
}

static int
record(struct con_doc *d, size_t index, const char *old, size_t olen, const char *new_,
       size_t nlen)
{
	struct con_edit *e;

	edits_clear(d, d->nundo);
	if (d->clean_at > d->nundo)
		d->clean_at = (size_t)-1;       /* the saved state cannot be reached by redo now */
	if (d->nedits == d->capedits) {
		size_t cap = d->capedits ? d->capedits * 2 : 16;
		struct con_edit *v = realloc(d->edits, cap * sizeof(*v));

		if (!v)
			return -1;
		d->edits = v;
		d->capedits = cap;
	}
	e = &d->edits[d->nedits++];
	e->index = index;
	e->old_text = old ? dupn(old, olen) : NULL;
	e->old_len = olen;
	e->new_text = new_ ? dupn(new_, nlen) : NULL;
	e->new_len = nlen;
	e->with_prev = false;
	d->nundo = d->nedits;
	note_change(d, '-', old, olen);
	note_change(d, '+', new_, nlen);
	return 0;
}

/* item_copy - a copy of entry I's text without its line end (*LEN bytes),
 * or NULL */
static char *
item_copy(struct con_doc *d, size_t i, size_t *len)
{
	const char *old = tabledoc_item_text(d->doc, i, len);

	if (!old)
		return NULL;
	*len = strip_eol(old, *len);
	return dupn(old, *len);
}

int
console_doc_replace(struct console *con, struct con_doc *d, size_t i, const char *text)
{
	size_t olen, nidx;
	char *copy = item_copy(d, i, &olen);

	if (!copy || tabledoc_replace(d->doc, i, text, strlen(text), &nidx) < 0) {
		free(copy);
		return -1;
	}
	record(d, nidx, copy, olen, text, strlen(text));
	free(copy);
	console_doc_validate(con, d);
	return 0;
}

int
console_doc_insert(struct console *con, struct con_doc *d, size_t i, const char *text,
		   size_t *newidx)
{
	size_t nidx;

	if (tabledoc_insert(d->doc, i, text, strlen(text), &nidx) < 0)
		return -1;
	record(d, nidx, NULL, 0, text, strlen(text));
	if (newidx)
		*newidx = nidx;
	console_doc_validate(con, d);
	return 0;
}

int
console_doc_delete(struct console *con, struct con_doc *d, size_t i)
{
	size_t olen;
	char *copy = item_copy(d, i, &olen);

	if (!copy || tabledoc_delete(d->doc, i) < 0) {
		free(copy);
		return -1;
	}
	record(d, i, copy, olen, NULL, 0);
	free(copy);
	console_doc_validate(con, d);
	return 0;
}

/* replay - E once more towards its new text (REDO) or back to its old
 * text (undo), noting the change; *IDX is the entry's index afterwards */
static int
replay(struct console *con, struct con_doc *d, const struct con_edit *e, bool redo, size_t *idx)
{
	const char *from = redo ? e->old_text : e->new_text, *to = redo ? e->new_text : e->old_text;
	size_t from_len = redo ? e->old_len : e->new_len, to_len = redo ? e->new_len : e->old_len;
	size_t nidx = 0;
	int rc;

	if (from && to)
		rc = tabledoc_replace(d->doc, e->index, to, to_len, &nidx);
	else if (to)
		rc = tabledoc_insert(d->doc, e->index, to, to_len, &nidx);
	else
		rc = tabledoc_delete(d->doc, e->index), nidx = e->index;
	if (rc < 0)
		return -1;
	if (redo)
		d->nundo++;
	else
		d->nundo--;
	note_change(d, '-', from, from_len);
	note_change(d, '+', to, to_len);
	*idx = nidx;
	console_doc_validate(con, d);
	return 1;
}

int
console_doc_move(struct console *con, struct con_doc *d, size_t from, size_t to, size_t *newidx)
{
	size_t len;
	char *copy = item_copy(d, from, &len);
	int rc = -1;

	if (copy && console_doc_delete(con, d, from) == 0) {
		rc = console_doc_insert(con, d, to, copy, newidx);
		if (rc == 0)
			d->edits[d->nedits - 1].with_prev = true;
	}
	free(copy);
	return rc;
}

int
console_doc_undo(struct console *con, struct con_doc *d, size_t *idx)
{
	bool more;
	int rc;

	if (d->nundo == 0)
		return 0;
	do {    /* a move is two edits: both are undone */
		more = d->edits[d->nundo - 1].with_prev && d->nundo > 1;
		rc = replay(con, d, &d->edits[d->nundo - 1], false, idx);
	} while (rc > 0 && more);
	return rc;
}

int
console_doc_redo(struct console *con, struct con_doc *d, size_t *idx)
{
	int rc;

	if (d->nundo == d->nedits)
		return 0;
	do
		rc = replay(con, d, &d->edits[d->nundo], true, idx);
	while (rc > 0 && d->nundo < d->nedits && d->edits[d->nundo].with_prev);
	return rc;
}

void
console_validate_line(struct console *con, struct con_doc *d, const char *text,
		      unsigned line, struct diag_list *dl)
{
	size_t i;

	if (strcmp(d->type, "maincf") == 0) {
		/* main.cf lines mean something only in the whole file: the
		 * text with this line in place, its findings on this line */
		struct diag_list all;
		struct strbuf sb;
		size_t idx = 0, len, off = 0, ilen = 0;
		const char *doc = tabledoc_text(d->doc, &len);

		if (tabledoc_find_line(d->doc, line, &idx) == 1) {
			const struct tabledoc_item *it = tabledoc_item(d->doc, idx);

			off = it->off;
			ilen = it->len;
		} else {
			off = len;
		}
		strbuf_init(&sb);
		strbuf_add(&sb, doc, off);
		strbuf_addstr(&sb, text);
		strbuf_addch(&sb, '\n');
		strbuf_add(&sb, doc + off + ilen, len - off - ilen);
		diag_list_init(&all);
		validate_buf(d->type, sb.buf, sb.len, d->path, d->role, con->cf, con->config_dir, &all);
		for (i = 0; i < all.n; i++)
			if (all.v[i].line == line)
				diag_add_sev(dl, all.v[i].severity, all.v[i].code, all.v[i].file,
					     all.v[i].line, all.v[i].col, "%s", all.v[i].message);
		diag_list_fini(&all);
		strbuf_fini(&sb);
		return;
	}
	check_table_buf(d->type, text, strlen(text), d->path, d->role, con->cf, dl, NULL);
	for (i = 0; i < dl->n; i++)
		if (dl->v[i].line >= 1)
			dl->v[i].line += line - 1;
}

int
console_doc_save(struct console *con, struct con_doc *d, char *why, size_t size)
{
	struct map_error err;
	int rc;

	if (con->app->readonly) {
		snprintf(why, size, "read-only: %s", con->app->readonly_why);
		return -1;
	}
	if (con->applying) {
		snprintf(why, size, "not saved: an apply is running; save when it is done");
		return -1;
	}
	console_doc_validate_sync(con, d);
	if (d->nerrors) {
		snprintf(why, size, "not saved: %zu error%s in %s", d->nerrors,
			 d->nerrors == 1 ? "" : "s", d->path);
		return 1;
	}
	memset(&err, 0, sizeof(err));
	rc = tabledoc_save(d->doc, d->force_save ? TABLEDOC_FORCE : 0, &err);
	if (rc == 1) {
		d->conflict = true;
		snprintf(why, size, "not saved: %s changed on disk since it was opened", d->path);
		return 2;
	}
	if (rc < 0) {
		snprintf(why, size, "not saved: %s", err.text[0] ? err.text : strerror(err.errnum));
		return -1;
	}
	d->conflict = false;
	d->force_save = false;
	d->clean_at = d->nundo;
	set_base(d);
	if (maincf_is_pattern_type(d->type) || strcmp(d->type, "maincf") == 0)
		con->applied_reload_needed = true;
	{
		const char *base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;

		char bak[4200];
		struct stat bst;

		/* a new file has no previous version */
		snprintf(bak, sizeof(bak), "%s~", d->path);
		if (lstat(bak, &bst) == 0)
			snprintf(why, size, "saved %s (previous version kept as %s~)", base, base);
		else
			snprintf(why, size, "saved %s (a new file)", base);
	}
	console_load(con);
	return 0;
}

size_t
console_completions(const struct console *con, enum maincf_role role, const char *prefix,
		    const char **v, size_t max)
{
	static const char *const access_words[] = {
		"REJECT", "OK", "DUNNO", "DEFER", "DEFER_IF_PERMIT", "DEFER_IF_REJECT",
		"DISCARD", "HOLD", "WARN", "INFO", "FILTER", "REDIRECT", "BCC", "PREPEND",
		"RELAY", "permit", "reject", "defer", "permit_mynetworks",
		"reject_unauth_destination", NULL,
	};
	size_t n = 0, i, plen = strlen(prefix);

	if (maincf_role_is_access(role) || role == MAINCF_ROLE_GENERIC) {
		for (i = 0; access_words[i] && n < max; i++)
			if (strncasecmp(access_words[i], prefix, plen) == 0)
				v[n++] = access_words[i];
		if (con->cf)
			for (i = 0; i < maincf_class_count(con->cf) && n < max; i++) {
				const struct maincf_class *c = maincf_class_at(con->cf, i);

				if (strncmp(c->name, prefix, plen) == 0)
					v[n++] = c->name;
			}
	}
	return n;
}
