/*
 * tui/screen_explain.c - the Explain dialog: client, HELO, sender and
 * recipient in, the reply smtpd would give out, with its trail and the
 * table line that decided (core/explain.c).  's' switches between the
 * built tables (what Postfix uses now) and the saved sources (what it will
 * use after Apply).  'g' opens the deciding line in the editor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/explain.h"
#include "tui/console.h"

enum { F_CLIENT, F_HELO, F_SENDER, F_RECIPIENT, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"client address", "HELO name", "sender", "recipient",
};

struct screen_explain {
	struct screen base;
	struct console *con;
	char field[NFIELDS][512];
	int sel;
	bool sources;
	bool ran;
	struct explain_result res;
	char error[256];
};

static const enum action explain_keys[] = {
	ACT_EDIT, ACT_EXPLAIN_MODE, ACT_JUMP, ACT_SCREEN_MAPS, ACT_SCREEN_FEED, ACT_NONE
};

static void
run(struct screen_explain *x)
{
	struct explain_opts opts;
	struct explain_probe p;
	struct explain *ex;

	explain_result_fini(&x->res);
	explain_result_init(&x->res);
	x->ran = false;
	x->error[0] = '\0';
	if (!x->field[F_RECIPIENT][0]) {
		snprintf(x->error, sizeof(x->error), "enter at least a recipient (Enter on a field)");
		return;
	}
	memset(&opts, 0, sizeof(opts));
	opts.sources = x->sources;
	ex = explain_new(x->con->config_dir, &opts, NULL);
	if (!ex) {
		snprintf(x->error, sizeof(x->error), "cannot read %s/main.cf", x->con->config_dir);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.client_addr = x->field[F_CLIENT][0] ? x->field[F_CLIENT] : "192.0.2.1";
	p.client_name = NULL;
	p.helo = x->field[F_HELO][0] ? x->field[F_HELO] : NULL;
	p.sender = x->field[F_SENDER];
	p.recipient = x->field[F_RECIPIENT];
	if (explain_run(ex, &p, &x->res) == 0)
		x->ran = true;
	explain_free(ex);
}

static const char *
explain_title(struct app *app, struct screen *s)
{
	(void)app;
	(void)s;
	return "Explain";
}

static void
explain_render(struct app *app, struct screen *s, struct rows *out, int w, int h)
{
	struct screen_explain *x = (struct screen_explain *)s;
	struct row *row;
	size_t i;
	int k;

	(void)app;
	(void)w;
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "What smtpd would answer at RCPT TO, against ");
	rows_add(row, ROLE_STATUS, x->sources ? "the saved table sources" : "the built tables");
	rows_add(row, ROLE_DIM, " (s switches)");
	rows_new(out, ROLE_NORMAL);
	for (k = 0; k < NFIELDS; k++) {
		bool sel = k == x->sel;

		row = rows_new(out, sel ? ROLE_SELECTED : ROLE_NORMAL);
		rows_addf(row, sel ? ROLE_SELECTED : ROLE_DIM, "  %-15s ", field_names[k]);
		if (x->field[k][0])
			rows_add_bytes(row, sel ? ROLE_SELECTED : ROLE_INPUT, x->field[k],
				       strlen(x->field[k]));
		else
			rows_add(row, sel ? ROLE_SELECTED : ROLE_DIM,
				 k == F_SENDER ? "<> (null sender)" : k == F_HELO ? "(none)" :
				 k == F_CLIENT ? "(192.0.2.1)" : "(required)");
	}
	rows_new(out, ROLE_NORMAL);
	if (x->error[0]) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_WARNING, x->error);
		return;
	}
	if (!x->ran)
		return;
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "reply  ");
	rows_addf(row, x->res.decision == EXPLAIN_REJECT ? ROLE_REJECT :
		  x->res.decision == EXPLAIN_ACCEPT ? ROLE_OK : ROLE_DEFER, "%s",
		  explain_decision_name(x->res.decision));
	if (x->res.code) {
		rows_addf(row, ROLE_NORMAL, "  %d %s ", x->res.code, x->res.dsn);
		rows_add_bytes(row, ROLE_NORMAL, x->res.text.buf, x->res.text.len);
	}
	if (x->res.stage) {
		row = rows_new(out, ROLE_NORMAL);
		rows_addf(row, ROLE_DIM, "at     %s", x->res.stage);
	}
	if (x->res.depends.len) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "depends on ");
		rows_add_bytes(row, ROLE_WARNING, x->res.depends.buf, x->res.depends.len);
	}
	if (x->res.rule.file) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "rule   ");
		rows_add_bytes(row, ROLE_STATUS, x->res.rule.file, strlen(x->res.rule.file));
		rows_addf(row, ROLE_STATUS, ":%u  ", x->res.rule.line);
		if (x->res.rule.key)
			rows_add_bytes(row, ROLE_NORMAL, x->res.rule.key, strlen(x->res.rule.key));
		rows_add(row, ROLE_NORMAL, " ");
		if (x->res.rule.value)
			rows_add_bytes(row, ROLE_REJECT, x->res.rule.value, strlen(x->res.rule.value));
		rows_add(row, ROLE_DIM, "   (g opens it)");
	}
	if (x->res.stale) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add_bytes(row, ROLE_WARNING, x->res.stale_note.buf, x->res.stale_note.len);
	}
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "trail");
	for (i = 0; i < x->res.ntrail && (int)out->n < h; i++) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "  ");
		rows_add_bytes(row, ROLE_NORMAL, x->res.trail[i], strlen(x->res.trail[i]));
	}
}

static unsigned
field_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_explain *x = ctx;

	(void)app;
	snprintf(x->field[x->sel], sizeof(x->field[x->sel]), "%s", text);
	if (x->sel < F_RECIPIENT && !x->field[F_RECIPIENT][0]) {
		/* walk through the fields like a form */
		x->sel++;
	}
	run(x);
	return APP_REDRAW;
}

static unsigned
explain_handle(struct app *app, struct screen *s, enum action a)
{
	struct screen_explain *x = (struct screen_explain *)s;
	char label[64];

	switch (a) {
	case ACT_UP:
		if (x->sel > 0)
			x->sel--;
		break;
	case ACT_DOWN:
		if (x->sel + 1 < NFIELDS)
			x->sel++;
		break;
	case ACT_EDIT:
	case ACT_ENTER:
		snprintf(label, sizeof(label), "%s: ", field_names[x->sel]);
		app_prompt_text(app, NULL, label, x->field[x->sel], x, NULL, field_accept, NULL,
				NULL);
		break;
	case ACT_EXPLAIN_MODE:
		x->sources = !x->sources;
		run(x);
		break;
	case ACT_JUMP: {
		struct con_doc *d;
		size_t idx = 0;

		if (!x->ran || !x->res.rule.file) {
			app_status(app, ROLE_WARNING, "no table line decided");
			break;
		}
		d = console_doc_open(x->con, NULL, x->res.rule.file);
		if (!d)
			break;
		if (x->res.rule.line)
			tabledoc_find_line(d->doc, x->res.rule.line, &idx);
		console_open_editor(x->con, d, idx);
		break;
	}
	case ACT_QUIT:
		return APP_POP;
	default:
		return 0;
	}
	return APP_REDRAW;
}

static void
explain_destroy(struct screen *s)
{
	struct screen_explain *x = (struct screen_explain *)s;

	explain_result_fini(&x->res);
	free(x);
}

static const struct screen_ops explain_ops = {
	.kind = SCREEN_EXPLAIN,
	.handle = explain_handle,
	.render = explain_render,
	.title = explain_title,
	.destroy = explain_destroy,
	.keyline = explain_keys,
};

struct screen *
screen_explain_new(struct console *con)
{
	struct screen_explain *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->base.ops = &explain_ops;
	x->con = con;
	explain_result_init(&x->res);
	return &x->base;
}
