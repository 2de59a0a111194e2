/*
 * tui/screen_explain.c - the Explain dialog: client, HELO, sender and
 * recipient in, the reply smtpd would give out, with its trail and the
 * table line that decided (core/explain.c).  's' cycles through the built
 * tables (what Postfix uses now), the saved sources (what it will use after
 * Apply) and the unsaved edits (main.cf copied to a scratch directory with
 * each edited table replaced by its buffer).  'g' opens the deciding line
 * in the editor.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/explain.h"
#include "core/textsafe.h"
#include "tui/console.h"
#include "util/safeopen.h"

enum { F_CLIENT, F_HELO, F_SENDER, F_RECIPIENT, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"client address", "HELO name", "sender", "recipient",
};

enum explain_against { AGAINST_BUILT, AGAINST_SOURCES, AGAINST_UNSAVED, AGAINST_N };

static const char *const against_names[AGAINST_N] = {
	"the built tables (in use now)",
	"the saved sources (after Apply)",
	"your unsaved edits",
};

struct screen_explain {
	struct screen base;
	struct console *con;
	char field[NFIELDS][512];
	int sel;
	enum explain_against against;
	char rule_file[4096];   /* the deciding file, mapped back from a scratch copy */
	bool ran;
	int top;                /* first line of the result shown (PgUp/PgDn) */
	int page;               /* result lines that fit */
	struct explain_result res;
	char error[256];
	char stale_index[4096];     /* built tables: the deciding table's index is
				     * older than its source (empty: not) */
};

static const enum action explain_keys[] = {
	ACT_EDIT, ACT_EXPLAIN_MODE, ACT_JUMP, ACT_PAGE_DOWN, ACT_SCREEN_MAPS, ACT_SCREEN_FEED,
	ACT_NONE
};

/* ends_path - the text at P is a whole path (followed by a delimiter) */
static bool
ends_path(const char *p)
{
	return *p == '\0' || *p == ' ' || *p == '\t' || *p == '\n' || *p == ',' || *p == '}' ||
	       *p == '\r';
}

/* scratch_config - a copy of main.cf in a new directory where every table
 * with unsaved edits is replaced by a file holding the edits (and the table
 * EXTRA_PATH, if not NULL, by its buffer with EXTRA_LINE added at the end);
 * *MAP gets "scratch-path\toriginal-path\n" lines.  The scratch directory,
 * or NULL. */
static char *
scratch_config(struct console *con, struct strbuf *map, const char *extra_path,
	       const char *extra_line)
{
	char tmpl[512], path[4200], *dir;
	struct strbuf cf, out;
	FILE *fp;
	size_t i, k = 0;
	int c;

	snprintf(tmpl, sizeof(tmpl), "%.400s/pfconsole-unsaved-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	snprintf(path, sizeof(path), "%s/main.cf", con->config_dir);
	fp = safeopen_fopen(path, SAFEOPEN_CONFIG_MAX, NULL, 0);
	if (!fp)
		return NULL;
	strbuf_init(&cf);
	while ((c = getc(fp)) != EOF)
		strbuf_addch(&cf, c);
	fclose(fp);
	dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
	if (!dir) {
		strbuf_fini(&cf);
		return NULL;
	}
	strbuf_init(&out);
	for (i = 0; i < con->ndocs; i++) {
		struct con_doc *d = con->docs[i];
		const char *base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
		const char *text, *p, *hit;
		size_t len, plen = strlen(d->path);

		bool extra = extra_path && strcmp(d->path, extra_path) == 0;

		if (!console_doc_dirty(d) && !extra)
			continue;
		snprintf(path, sizeof(path), "%s/%zu-%s", dir, k++, base);
		text = tabledoc_text(d->doc, &len);
		fp = fopen(path, "w");
		if (!fp)
			continue;
		fwrite(text, 1, len, fp);
		if (extra)
			fprintf(fp, "%s%s\n", len && text[len - 1] != '\n' ? "\n" : "", extra_line);
		fclose(fp);
		strbuf_addf(map, "%s\t%s\n", path, d->path);
		/* replace each whole occurrence of the path in main.cf */
		strbuf_reset(&out);
		for (p = cf.buf; (hit = strstr(p, d->path)); p = hit + plen) {
			strbuf_add(&out, p, (size_t)(hit - p));
			strbuf_addstr(&out, ends_path(hit + plen) ? path : d->path);
		}
		strbuf_addstr(&out, p);
		strbuf_reset(&cf);
		strbuf_add(&cf, out.buf, out.len);
	}
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	if (fp) {
		fwrite(cf.buf, 1, cf.len, fp);
		fclose(fp);
	}
	strbuf_fini(&out);
	strbuf_fini(&cf);
	return dir;
}

/* remove_scratch - the scratch directory and the files we put in it */
static void
remove_scratch(char *dir)
{
	char path[4200];
	struct dirent *de;
	DIR *dp;

	if (!dir)
		return;
	dp = opendir(dir);
	while (dp && (de = readdir(dp))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
	free(dir);
}

/* note_stale - against the built tables: the deciding table's index older
 * than its source means the answer (the index's value) and the source line
 * shown beside it may disagree */
static void
note_stale(struct screen_explain *x)
{
	const struct check_result *chk = &x->con->chk;
	struct stat src, idx;
	size_t i;

	for (i = 0; i < chk->ntables; i++) {
		const struct check_table *t = &chk->tables[i];

		if (!t->ref || !t->index_path || !t->path || strcmp(t->ref, x->res.rule.table) != 0)
			continue;
		if (stat(t->path, &src) == 0 && stat(t->index_path, &idx) == 0 &&
		    (src.st_mtim.tv_sec > idx.st_mtim.tv_sec ||
		     (src.st_mtim.tv_sec == idx.st_mtim.tv_sec &&
		      src.st_mtim.tv_nsec > idx.st_mtim.tv_nsec)))
			snprintf(x->stale_index, sizeof(x->stale_index), "%s", t->ref);
		return;
	}
}

static void
run(struct screen_explain *x)
{
	struct explain_opts opts;
	struct explain_probe p;
	struct explain *ex;
	struct strbuf map;
	char *scratch = NULL, client[sizeof(x->field[F_CLIENT])], *comma;
	const char *dir = x->con->config_dir;

	explain_result_fini(&x->res);
	explain_result_init(&x->res);
	x->ran = false;
	x->top = 0;
	x->error[0] = '\0';
	x->rule_file[0] = '\0';
	if (!x->field[F_RECIPIENT][0]) {
		snprintf(x->error, sizeof(x->error), "enter at least a recipient (Enter on a field)");
		return;
	}
	memset(&opts, 0, sizeof(opts));
	opts.sources = x->against != AGAINST_BUILT;
	strbuf_init(&map);
	if (x->against == AGAINST_UNSAVED && console_unsaved(x->con)) {
		scratch = scratch_config(x->con, &map, NULL, NULL);
		if (scratch)
			dir = scratch;
	}
	ex = explain_new(dir, &opts, NULL);
	if (!ex) {
		snprintf(x->error, sizeof(x->error), "cannot read %s/main.cf", x->con->config_dir);
		remove_scratch(scratch);
		strbuf_fini(&map);
		return;
	}
	memset(&p, 0, sizeof(p));
	/* ADDR[,NAME] as explain --client takes it; without NAME: unknown */
	snprintf(client, sizeof(client), "%s", x->field[F_CLIENT]);
	comma = strchr(client, ',');
	if (comma)
		*comma++ = '\0';
	p.client_addr = client[0] ? client : "192.0.2.1";
	p.client_name = comma && *comma ? comma : NULL;
	p.helo = x->field[F_HELO][0] ? x->field[F_HELO] : NULL;
	p.sender = x->field[F_SENDER];
	p.recipient = x->field[F_RECIPIENT];
	if (explain_run(ex, &p, &x->res) == 0)
		x->ran = true;
	explain_free(ex);
	if (x->ran && x->res.rule.file) {
		/* a scratch copy stands for the table being edited */
		const char *line = map.buf, *tab, *nl;

		snprintf(x->rule_file, sizeof(x->rule_file), "%s", x->res.rule.file);
		while (*line && (tab = strchr(line, '\t')) && (nl = strchr(tab, '\n'))) {
			if ((size_t)(tab - line) == strlen(x->res.rule.file) &&
			    strncmp(line, x->res.rule.file, (size_t)(tab - line)) == 0)
				snprintf(x->rule_file, sizeof(x->rule_file), "%.*s",
					 (int)(nl - tab - 1), tab + 1);
			line = nl + 1;
		}
	}
	remove_scratch(scratch);
	strbuf_fini(&map);
	x->stale_index[0] = '\0';
	if (x->ran && x->against == AGAINST_BUILT && x->res.rule.table)
		note_stale(x);
}

int
console_explain_with(struct console *con, const char *const probe[4], const char *path,
		     const char *line, char *out, size_t size)
{
	struct explain_opts opts;
	struct explain_probe p;
	struct explain_result res;
	struct explain *ex;
	struct strbuf map, txt;
	char *scratch, client[512], *comma;
	int rc = -1;

	out[0] = '\0';
	strbuf_init(&map);
	scratch = scratch_config(con, &map, path, line);
	strbuf_fini(&map);
	if (!scratch) {
		snprintf(out, size, "cannot copy main.cf to explain with the new line");
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.sources = true;
	ex = explain_new(scratch, &opts, NULL);
	if (!ex) {
		snprintf(out, size, "cannot read %s/main.cf", con->config_dir);
		remove_scratch(scratch);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	snprintf(client, sizeof(client), "%s", probe[0]);
	comma = strchr(client, ',');
	if (comma)
		*comma++ = '\0';
	p.client_addr = client[0] ? client : "192.0.2.1";
	p.client_name = comma && *comma ? comma : NULL;
	p.helo = probe[1][0] ? probe[1] : NULL;
	p.sender = probe[2];
	p.recipient = probe[3];
	explain_result_init(&res);
	strbuf_init(&txt);
	if (explain_run(ex, &p, &res) == 0) {
		if (res.code) {
			strbuf_addf(&txt, "%d %s ", res.code, res.dsn);
			strbuf_add(&txt, res.text.buf, res.text.len);
		} else {
			strbuf_addf(&txt, "%s", explain_decision_name(res.decision));
			if (res.depends.len) {
				strbuf_addstr(&txt, " (depends on ");
				strbuf_add(&txt, res.depends.buf, res.depends.len);
				strbuf_addstr(&txt, ")");
			}
		}
		rc = 0;
	} else
		strbuf_addstr(&txt, "explain failed (out of memory)");
	{
		struct strbuf safe;

		strbuf_init(&safe);
		textsafe_append(&safe, txt.buf, txt.len, TEXTSAFE_NOLIMIT, NULL, NULL);
		snprintf(out, size, "%s", safe.buf ? safe.buf : "");
		strbuf_fini(&safe);
	}
	strbuf_fini(&txt);
	explain_result_fini(&res);
	explain_free(ex);
	remove_scratch(scratch);
	return rc;
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
	struct rows *fixed = out, result;
	struct row *row;
	size_t i;
	int k, y, room;

	(void)app;
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "smtpd's answer at RCPT TO, against ");
	rows_add(row, ROLE_STATUS, against_names[x->against]);
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
				 k == F_CLIENT ? "(192.0.2.1; ADDR,NAME gives a client name)" :
				 "(required)");
	}
	rows_new(out, ROLE_NORMAL);
	if (x->error[0]) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_WARNING, x->error);
		return;
	}
	if (!x->ran)
		return;
	/* the result wraps and scrolls (PgDn/PgUp): at 80x24 the reply line
	 * and most of the trail did not fit */
	rows_init(&result);
	out = &result;
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_DIM, "reply  ");
	rows_addf(row, x->res.decision == EXPLAIN_REJECT ? ROLE_REJECT :
		  x->res.decision == EXPLAIN_ACCEPT ? ROLE_OK : ROLE_DEFER, "%s",
		  explain_decision_name(x->res.decision));
	if (x->res.code) {
		rows_addf(row, ROLE_NORMAL, "  %d %s ", x->res.code, x->res.dsn);
		rows_add_bytes(row, ROLE_NORMAL, x->res.text.buf, x->res.text.len);
	}
	if (x->res.code == 421 || x->res.code == 521) {
		/* smtpd hangs up after these (smtpd.c: 421 and 521 end the session) */
		row = rows_new(out, ROLE_NORMAL);
		rows_addf(row, ROLE_WARNING, "       smtpd closes the connection after this %d reply: "
			  "the client cannot try other recipients in this session", x->res.code);
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
		rows_add_bytes(row, ROLE_STATUS, x->rule_file, strlen(x->rule_file));
		rows_addf(row, ROLE_STATUS, ":%u  ", x->res.rule.line);
		if (x->res.rule.key)
			rows_add_bytes(row, ROLE_NORMAL, x->res.rule.key, strlen(x->res.rule.key));
		rows_add(row, ROLE_NORMAL, " ");
		if (x->res.rule.value)
			rows_add_bytes(row, ROLE_REJECT, x->res.rule.value, strlen(x->res.rule.value));
		rows_add(row, ROLE_DIM, "   (g opens it)");
	}
	if (x->stale_index[0]) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_WARNING, "stale  the index of ");
		rows_add_bytes(row, ROLE_WARNING, x->stale_index, strlen(x->stale_index));
		rows_add(row, ROLE_WARNING, " is older than its source: this answer is the "
			 "built index's (in use now), the source's line may say something else; "
			 "Apply (A) builds it");
	}
	if (x->res.stale) {
		/* the console's way to rebuild is Apply, not postmap */
		static const char pm[] = "(rebuild it with postmap)";
		size_t n = x->res.stale_note.len;
		const char *b = x->res.stale_note.buf;

		row = rows_new(out, ROLE_NORMAL);
		if (n >= sizeof(pm) - 1 && memcmp(b + n - (sizeof(pm) - 1), pm, sizeof(pm) - 1) == 0) {
			rows_add_bytes(row, ROLE_WARNING, b, n - (sizeof(pm) - 1));
			rows_add(row, ROLE_WARNING, "(Apply, A, builds it)");
		} else {
			rows_add_bytes(row, ROLE_WARNING, b, n);
		}
	}
	row = rows_new(out, ROLE_NORMAL);
	rows_add(row, ROLE_HEADER, "trail");
	for (i = 0; i < x->res.ntrail; i++) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "  ");
		rows_add_bytes(row, ROLE_NORMAL, x->res.trail[i], strlen(x->res.trail[i]));
	}
	/* wrap it all, then show the lines from x->top that fit */
	{
		struct rows wrapped;

		rows_init(&wrapped);
		for (i = 0; i < result.n; i++)
			screen_text_wrap(&wrapped, &result.v[i], w, 1 << 20);
		room = h - (int)fixed->n;
		if (room < 2)
			room = 2;
		x->page = room - 1;     /* the last line says there is more */
		if (x->top > (int)wrapped.n - x->page)
			x->top = (int)wrapped.n - x->page;
		if (x->top < 0)
			x->top = 0;
		for (y = 0; y < x->page && x->top + y < (int)wrapped.n; y++) {
			const struct row *src = &wrapped.v[x->top + y];

			row = rows_new(fixed, src->fill);
			for (i = 0; row && i < src->nspans; i++)
				rows_addn(row, src->spans[i].role, src->text.buf + src->spans[i].start,
					  src->spans[i].len);
		}
		if (x->top > 0 || x->top + x->page < (int)wrapped.n) {
			row = rows_new(fixed, ROLE_NORMAL);
			rows_addf(row, ROLE_DIM, "-- lines %d-%d of %zu: PgDn/PgUp scroll --", x->top + 1,
				  x->top + y, wrapped.n);
		}
		rows_fini(&wrapped);
	}
	rows_fini(&result);
}

static unsigned
field_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_explain *x = ctx;

	(void)app;
	snprintf(x->field[x->sel], sizeof(x->field[x->sel]), "%s", text);
	snprintf(x->con->explain_fields[x->sel], sizeof(x->con->explain_fields[0]), "%s", text);
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
	case ACT_PAGE_DOWN:
		x->top += x->page > 1 ? x->page - 1 : 1;
		break;
	case ACT_PAGE_UP:
		x->top -= x->page > 1 ? x->page - 1 : 1;
		if (x->top < 0)
			x->top = 0;
		break;
	case ACT_EDIT:
	case ACT_ENTER:
		snprintf(label, sizeof(label), "%s: ", field_names[x->sel]);
		app_prompt_text(app, NULL, label, x->field[x->sel], x, NULL, field_accept, NULL,
				NULL);
		break;
	case ACT_EXPLAIN_MODE:
		x->against = (enum explain_against)((x->against + 1) % AGAINST_N);
		x->con->explain_against = (int)x->against;
		run(x);
		break;
	case ACT_JUMP: {
		struct con_doc *d;
		size_t idx = 0;

		if (!x->ran || !x->res.rule.file) {
			app_status(app, ROLE_WARNING, "no table line decided");
			break;
		}
		d = console_doc_open(x->con, NULL, x->rule_file);
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
	int k;

	if (!x)
		return NULL;
	x->base.ops = &explain_ops;
	x->con = con;
	explain_result_init(&x->res);
	for (k = 0; k < NFIELDS; k++)
		snprintf(x->field[k], sizeof(x->field[k]), "%s", con->explain_fields[k]);
	x->against = (enum explain_against)con->explain_against;
	if (x->field[F_RECIPIENT][0])
		run(x);
	return &x->base;
}
