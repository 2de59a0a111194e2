/*
 * tui/screen_apply.c - the Apply key: save the unsaved tables (refused
 * when they have errors), then core/apply.c's pipeline (validate, build,
 * postfix check, reload when running and needed); the result is a text
 * screen with each step, its command and that command's output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apply.h"
#include "tui/console.h"

static const enum action apply_keys[] = { ACT_JUMP, ACT_NONE };

/* the error lines, for "go to line" */
struct apply_ctx {
	struct console *con;
	struct diag_list diags;
	struct screen_text *t;
	size_t first_diag_row;
};

static void
ctx_free(void *p)
{
	struct apply_ctx *c = p;

	if (!c)
		return;
	diag_list_fini(&c->diags);
	free(c);
}

static unsigned
apply_action(struct app *app, void *ctx, enum action a)
{
	struct apply_ctx *c = ctx;
	size_t i;

	if (a != ACT_JUMP)
		return 0;
	/* open the first error that is inside a table (not main.cf) and still
	 * there: the list is as Apply saw it, the admin may have fixed some
	 * since (and moved lines), so the table's current errors decide */
	for (i = 0; i < c->diags.n; i++) {
		const struct diag *d = &c->diags.v[i];
		struct con_doc *doc;
		size_t idx = 0, k, line;

		if (d->severity != DIAG_ERROR || !d->file)
			continue;
		if (strlen(d->file) >= 8 && strcmp(d->file + strlen(d->file) - 8, "/main.cf") == 0)
			continue;
		doc = console_doc_open(c->con, NULL, d->file);
		if (!doc)
			continue;
		console_doc_validate_sync(c->con, doc);
		line = 0;
		for (k = 0; k < doc->diags.n && !line; k++)
			if (doc->diags.v[k].severity == DIAG_ERROR && doc->diags.v[k].line)
				line = doc->diags.v[k].line;
		if (!line)
			continue;       /* fixed since */
		tabledoc_find_line(doc->doc, line, &idx);
		console_open_editor(c->con, doc, idx);
		return APP_REDRAW;
	}
	app_status(app, ROLE_WARNING, "no table error left to go to (errors in main.cf, or all "
		    "fixed since: A applies again)");
	return APP_REDRAW;
}

static void
add_lines(struct screen_text *t, const char *indent, enum role role, const char *text,
	  size_t len)
{
	size_t i = 0, j;

	while (i < len) {
		struct row *row;

		for (j = i; j < len && text[j] != '\n'; j++)
			;
		row = screen_text_row(t, ROLE_NORMAL);
		if (!row)
			return;
		rows_add(row, ROLE_DIM, indent);
		rows_add_bytes(row, role, text + i, j - i);
		i = j + 1;
	}
}

static void
add_diags(struct screen_text *t, const struct diag_list *dl, size_t max)
{
	size_t i;
	struct strbuf sb;

	strbuf_init(&sb);
	for (i = 0; i < dl->n && i < max; i++) {
		struct row *row = screen_text_row(t, ROLE_NORMAL);

		strbuf_reset(&sb);
		diag_format_text(&dl->v[i], &sb);
		rows_add(row, ROLE_NORMAL, "    ");
		rows_add_bytes(row, dl->v[i].severity == DIAG_ERROR ? ROLE_ERROR :
			       dl->v[i].severity == DIAG_WARNING ? ROLE_WARNING : ROLE_NOTE,
			       sb.buf, sb.len);
	}
	if (dl->n > max) {
		struct row *row = screen_text_row(t, ROLE_NORMAL);

		rows_addf(row, ROLE_DIM, "    ... and %zu more (pfconsole check lists them all)",
			  dl->n - max);
	}
	strbuf_fini(&sb);
}

unsigned
console_apply(struct app *app)
{
	struct console *con = app->con;
	struct apply_opts opts;
	struct apply_ctx *c;
	struct screen_text *t;
	struct strbuf changes;
	struct row *row;
	char why[512];
	size_t i, nerr = 0;
	int rc;

	if (!con)
		return 0;
	if (app->readonly) {
		app_status(app, ROLE_ERROR, "read-only: apply needs to write (%s)", app->readonly_why);
		return APP_REDRAW;
	}
	if (con->applying) {
		app_status(app, ROLE_WARNING, "an apply is already running");
		return APP_REDRAW;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return 0;
	c->con = con;
	diag_list_init(&c->diags);
	t = screen_text_new("Apply", apply_action, c, ctx_free);
	if (!t) {
		ctx_free(c);
		return 0;
	}
	c->t = t;
	screen_text_keyline(t, apply_keys);
	/* unsaved tables first: refused with their errors */
	for (i = 0; i < con->ndocs; i++) {
		struct con_doc *d = con->docs[i];

		if (!console_doc_dirty(d))
			continue;
		console_doc_validate_sync(con, d);
		nerr += d->nerrors;
	}
	if (nerr) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_ERROR, "Apply refused: %zu error%s in unsaved tables; nothing "
			  "was saved, built or reloaded.", nerr, nerr == 1 ? "" : "s");
		for (i = 0; i < con->ndocs; i++) {
			struct con_doc *d = con->docs[i];
			size_t k2;

			if (!console_doc_dirty(d) || !d->nerrors)
				continue;
			add_diags(t, &d->diags, 50);
			for (k2 = 0; k2 < d->diags.n; k2++) {
				const struct diag *dg = &d->diags.v[k2];

				diag_add_sev(&c->diags, dg->severity, dg->code, dg->file, dg->line,
					     dg->col, "%s", dg->message);
			}
		}
		row = screen_text_row(t, ROLE_NORMAL);
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "g or Enter: go to the first error in its table; q: back");
		screen_text_set_title(t, "Apply: REFUSED (unsaved tables with errors)");
		app_push(app, screen_text_screen(t));
		app_status(app, ROLE_ERROR, "apply refused: %zu error%s", nerr, nerr == 1 ? "" : "s");
		return APP_REDRAW;
	}
	strbuf_init(&changes);
	for (i = 0; i < con->ndocs; i++) {
		struct con_doc *d = con->docs[i];

		if (console_doc_dirty(d)) {
			rc = console_doc_save(con, d, why, sizeof(why));
			row = screen_text_row(t, ROLE_NORMAL);
			rows_add(row, rc == 0 ? ROLE_OK : ROLE_ERROR, rc == 0 ? "saved   " : "FAILED  ");
			rows_add_bytes(row, ROLE_NORMAL, why, strlen(why));
			if (rc != 0) {
				strbuf_fini(&changes);
				app_push(app, screen_text_screen(t));
				app_status(app, ROLE_ERROR, "apply stopped: %s", why);
				return APP_REDRAW;
			}
		}
		if (d->changes.len) {
			strbuf_addf(&changes, "%s:\n", d->path);
			strbuf_add(&changes, d->changes.buf, d->changes.len);
		}
	}
	memset(&opts, 0, sizeof(opts));
	opts.reload_hint = con->applied_reload_needed;
	opts.postfix = getenv("PFCONSOLE_POSTFIX");
	/* first what it would do to the mail in the log (screen_impact.c) */
	if (console_impact_start(con, t, &opts, changes.buf) == 0) {
		strbuf_fini(&changes);
		return APP_REDRAW;
	}
	if (console_apply_start(con, &opts, changes.buf) < 0) {
		strbuf_fini(&changes);
		app_status(app, ROLE_ERROR, "apply: cannot start (out of resources)");
		screen_text_screen(t)->ops->destroy(screen_text_screen(t));
		return APP_REDRAW;
	}
	strbuf_fini(&changes);
	/* the saves above are shown with the result */
	con->apply_screen = t;
	app_status(app, ROLE_STATUS, "applying: validate, build, postfix check, reload if needed...");
	return APP_REDRAW;
}

unsigned
console_apply_done(struct console *con, struct apply_result *res, int rc)
{
	struct app *app = con->app;
	struct screen_text *t = con->apply_screen;
	struct apply_ctx *c;
	struct row *row;
	size_t i;
	int k;

	con->apply_screen = NULL;
	if (!t)
		return 0;
	c = screen_text_ctx(t);
	for (k = 0; k < APPLY_NSTEPS; k++) {
		const struct apply_step *st = &res->steps[k];

		if (st->state == APPLY_PENDING)
			continue;
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, st->state == APPLY_OK ? ROLE_OK : st->state == APPLY_FAILED ?
			 ROLE_ERROR : ROLE_DIM, st->state == APPLY_OK ? "ok      " :
			 st->state == APPLY_FAILED ? "FAILED  " : "skipped ");
		rows_add(row, ROLE_HEADER, st->name);
		if (st->command.len) {
			rows_add(row, ROLE_DIM, "  $ ");
			rows_add_bytes(row, ROLE_NORMAL, st->command.buf, st->command.len);
			if (st->status > 0)
				rows_addf(row, ROLE_ERROR, "  (exit %d)", st->status);
		}
		add_lines(t, "        ", ROLE_NORMAL, st->detail.buf, st->detail.len);
		add_lines(t, "        | ", ROLE_DIM, st->output.buf, st->output.len);
		if (k == 0 && res->diags.n)
			add_diags(t, &res->diags, 200);
	}
	for (i = 0; i < res->diags.n; i++) {
		const struct diag *dg = &res->diags.v[i];

		diag_add_sev(&c->diags, dg->severity, dg->code, dg->file, dg->line, dg->col, "%s",
			     dg->message);
	}
	row = screen_text_row(t, ROLE_NORMAL);
	row = screen_text_row(t, ROLE_NORMAL);
	if (res->refused)
		rows_add(row, ROLE_ERROR, "Apply refused: fix the errors above (g: go to the first); "
			 "nothing was built or reloaded.");
	else if (rc != 0)
		rows_add(row, ROLE_ERROR, "Apply stopped at the failed step; nothing after it ran.");
	else
		rows_addf(row, ROLE_OK, "Applied%s.", res->reloaded ? ", Postfix reloaded" : "");
	if (res->audit.len) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "audit (syslog, facility mail): ");
		rows_add_bytes(row, ROLE_DIM, res->audit.buf, res->audit.len);
		if (res->audit_lost[0]) {
			row = screen_text_row(t, ROLE_NORMAL);
			rows_add(row, ROLE_WARNING, "syslog cannot be reached, this audit line was "
				 "NOT logged: ");
			rows_add_bytes(row, ROLE_WARNING, res->audit_lost, strlen(res->audit_lost));
		}
	}
	if (res->vcs.len) {
		/* core/vcs: the commit made in the configuration's git work tree */
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add_bytes(row, strncmp(res->vcs.buf, "git: committed", 14) ? ROLE_WARNING : ROLE_OK,
			       res->vcs.buf, res->vcs.len);
	}
	if (rc == 0) {
		con->applied_reload_needed = false;
		for (i = 0; i < con->ndocs; i++)
			strbuf_reset(&con->docs[i]->changes);
	}
	{
		const char *failed = NULL;

		for (k = 0; k < APPLY_NSTEPS; k++)
			if (res->steps[k].state == APPLY_FAILED)
				failed = res->steps[k].name;
		if (res->refused)
			screen_text_set_title(t, "Apply: REFUSED (errors listed below)");
		else if (rc != 0) {
			char title[96];

			snprintf(title, sizeof(title), "Apply: FAILED at %s", failed ? failed : "?");
			screen_text_set_title(t, title);
		} else
			screen_text_set_title(t, res->reloaded ? "Apply: done, Postfix reloaded" :
					      "Apply: done");
	}
	app_status(app, rc == 0 ? ROLE_OK : ROLE_ERROR, "%s",
		   res->refused ? "apply refused: errors" : rc ? "apply failed" :
		   res->reloaded ? "applied; postfix reloaded" : "applied");
	console_load(con);
	app_push(app, screen_text_screen(t));
	return APP_REDRAW;
}

void
console_open_editor(struct console *con, struct con_doc *doc, size_t idx)
{
	app_push(con->app, screen_edit_new(con, doc, idx));
}
