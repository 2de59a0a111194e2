/*
 * tui/screen_maps.c - the Maps screen: every table main.cf references,
 * grouped by the parameter or restriction class that uses it, with type,
 * entry count, state and when its index was last built.  Enter opens the
 * editor; 'o' opens any table by TYPE:PATH.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/diag.h"
#include "core/postconf.h"
#include "core/textsafe.h"
#include "tui/console.h"

struct maps_item {
	const char *group;      /* non-NULL: a group header line */
	size_t table;           /* index into con->chk.tables */
};

struct screen_maps {
	struct screen base;
	struct console *con;
	struct maps_item *items;
	size_t nitems;
	size_t sel;             /* index into items (never a header) */
	size_t top;
	int page;
	char search[256];
};

static const enum action maps_keys[] = {
	ACT_ENTER, ACT_EDIT_MAINCF, ACT_OPEN_PATH, ACT_SEARCH, ACT_SCREEN_FEED, ACT_SCREEN_EXPLAIN,
	ACT_NONE
};

static void
rebuild(struct screen_maps *m)
{
	const struct check_result *chk = &m->con->chk;
	size_t i, j, n = 0;
	bool *done;

	free(m->items);
	m->items = calloc(chk->ntables * 2 + 1, sizeof(*m->items));
	m->nitems = 0;
	done = calloc(chk->ntables + 1, sizeof(*done));
	if (!m->items || !done) {
		free(done);
		return;
	}
	for (i = 0; i < chk->ntables; i++) {
		const char *g = chk->tables[i].param ? chk->tables[i].param : "(other)";

		if (done[i])
			continue;
		m->items[n].group = g;
		m->items[n++].table = i;
		for (j = i; j < chk->ntables; j++) {
			const char *g2 = chk->tables[j].param ? chk->tables[j].param : "(other)";

			if (!done[j] && strcmp(g, g2) == 0) {
				m->items[n].group = NULL;
				m->items[n++].table = j;
				done[j] = true;
			}
		}
	}
	m->nitems = n;
	free(done);
	if (m->sel >= n)
		m->sel = n ? n - 1 : 0;
	while (m->sel < n && m->items[m->sel].group)
		m->sel++;
}

static const char *
maps_title(struct app *app, struct screen *s)
{
	(void)app;
	(void)s;
	return "Maps";
}

static void
state_text(struct console *con, const struct check_table *t, char *buf, size_t size,
	   enum role *role)
{
	struct con_doc *d = t->path ? console_doc_find(con, t->path) : NULL;

	*role = ROLE_OK;
	if (con->checking && t->state != CHECK_NOT_FILE) {
		snprintf(buf, size, "checking...");
		*role = ROLE_DIM;
		return;
	}
	if (d && console_doc_dirty(d)) {
		snprintf(buf, size, "unsaved edits%s", d->nerrors ? ", errors" : "");
		*role = d->nerrors ? ROLE_ERROR : ROLE_WARNING;
		return;
	}
	switch (t->state) {
	case CHECK_OK:
		if (t->nwarnings)
			snprintf(buf, size, "ok, %zu warning%s", t->nwarnings,
				 t->nwarnings == 1 ? "" : "s");
		else
			snprintf(buf, size, "ok");
		break;
	case CHECK_MISSING:
		snprintf(buf, size, "missing");
		*role = ROLE_ERROR;
		break;
	case CHECK_STALE:
		snprintf(buf, size, "stale index");
		*role = ROLE_WARNING;
		break;
	case CHECK_ERRORS:
		snprintf(buf, size, "%zu error%s", t->nerrors, t->nerrors == 1 ? "" : "s");
		*role = ROLE_ERROR;
		break;
	case CHECK_NOT_FILE:
		snprintf(buf, size, "not a file");
		*role = ROLE_DIM;
		break;
	}
}

static void
built_text(const struct check_table *t, char *buf, size_t size)
{
	struct stat st;
	struct tm tm;

	if (!t->index_path) {
		/* pattern tables have no index: Postfix reads them when a process
		 * starts (a reload picks up changes) */
		snprintf(buf, size, "%s", t->state == CHECK_NOT_FILE || !maincf_is_pattern_type(t->type)
			 ? "" : "no index");
		return;
	}
	if (stat(t->index_path, &st) < 0) {
		snprintf(buf, size, "never");
		return;
	}
	localtime_r(&st.st_mtime, &tm);
	strftime(buf, size, "%m-%d %H:%M", &tm);
}

/* fit_ref - REF in exactly W cells; too long: "type:…" + the path's tail,
 * since the file name is what tells tables apart */
static void
fit_ref(struct strbuf *sb, const char *ref, size_t w)
{
	const char *colon = strchr(ref, ':');
	size_t len = strlen(ref), off, pre;

	if (textsafe_width(ref, len) <= w || !colon || (size_t)(colon - ref) + 8 > w) {
		textsafe_fit(sb, ref, len, w);
		return;
	}
	pre = (size_t)(colon - ref) + 1;
	off = pre;
	while (off < len && textsafe_width(ref + off, len - off) + pre + 1 > w)
		off++;
	strbuf_add(sb, ref, pre);
	strbuf_addstr(sb, "\xe2\x80\xa6");   /* … */
	textsafe_fit(sb, ref + off, len - off, w - pre - 1);
}

/* in_table - D is located in a table source the Maps screen lists (its
 * STATE column counts it) */
static bool
in_table(const struct check_result *chk, const struct diag *d)
{
	size_t i;

	for (i = 0; i < chk->ntables; i++)
		if (chk->tables[i].path && !chk->tables[i].inline_body &&
		    strcmp(chk->tables[i].path, d->file) == 0)
			return true;
	return false;
}

/* maincf_row - main.cf's own findings as a row with its counts (and the
 * first error, else warning): relay protection, restriction names, macro
 * loops are seen here, not only when Apply is refused.  With OTHERS, the
 * same for the findings in no table and not in main.cf (master.cf, a built
 * table nothing references), which the header counts too.  Rows used (0/1). */
static int
maincf_row(struct rows *out, struct console *con, int w, bool others)
{
	const struct diag_list *dl = &con->chk.diags;
	const char *path = maincf_path(con->cf);
	const struct diag *first = NULL;
	size_t i, ne = 0, nw = 0;
	struct row *row;
	struct strbuf sb;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];

		if (d->file == NULL || (strcmp(d->file, path) == 0) == others ||
		    (others && in_table(&con->chk, d)))
			continue;
		/* the first in the file: the error on the lowest line, else
		 * the warning on the lowest line */
		if (d->severity == DIAG_ERROR) {
			if (ne++ == 0 || first->severity != DIAG_ERROR || d->line < first->line)
				first = d;
		} else if (d->severity == DIAG_WARNING) {
			if (nw++ == 0 && first == NULL)
				first = d;
			else if (first->severity == DIAG_WARNING && d->line < first->line)
				first = d;
		}
	}
	if (ne + nw == 0)
		return 0;
	row = rows_new(out, ROLE_NORMAL);
	if (!row)
		return 0;
	rows_add(row, ROLE_NORMAL, others ? "  other files " : "  main.cf ");
	rows_addf(row, ne ? ROLE_ERROR : ROLE_WARNING, "%zu error%s, %zu warning%s", ne,
		  ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
	strbuf_init(&sb);
	if (others) {
		const char *base = strrchr(first->file, '/');

		strbuf_addf(&sb, "  %s", base ? base + 1 : first->file);
		if (first->line)
			strbuf_addf(&sb, ":%u", first->line);
		strbuf_addstr(&sb, ": ");
	} else {
		strbuf_addf(&sb, "  line %u: ", first->line);
	}
	textsafe_append(&sb, first->message, strlen(first->message), TEXTSAFE_NOLIMIT, NULL, NULL);
	{
		/* cut with an ellipsis, as the table names are: the first
		 * finding is rarely short (the editor, m, shows it whole) */
		int room = w - rows_width(row);

		if (room > 1 && text_width(sb.buf, sb.len) > room) {
			rows_add_bytes(row, ROLE_DIM, sb.buf, text_fit(sb.buf, sb.len, room - 1));
			rows_add(row, ROLE_DIM, "\xe2\x80\xa6");   /* … */
		} else if (room > 1) {
			rows_add_bytes(row, ROLE_DIM, sb.buf, sb.len);
		}
	}
	strbuf_fini(&sb);
	return 1;
}

static void
maps_render(struct app *app, struct screen *s, struct rows *out, int w, int h)
{
	struct screen_maps *m = (struct screen_maps *)s;
	struct console *con = m->con;
	const struct check_result *chk = &con->chk;
	struct row *row;
	size_t i, nerr = diag_count(&chk->diags, DIAG_ERROR);
	int refw, rolew = 4, statew = 5, y, recent = 0;

	(void)app;
	rebuild(m);
	/* ROLE and STATE as wide as their longest text (never cut), the table
	 * name the rest */
	for (i = 0; i < chk->ntables; i++) {
		char st[64];
		enum role r;
		int k = (int)strlen(maincf_role_name(chk->tables[i].role));

		if (k > rolew)
			rolew = k;
		state_text(con, &chk->tables[i], st, sizeof(st), &r);
		if ((k = (int)strlen(st)) > statew)
			statew = k;
	}
	refw = w - (2 + 1 + rolew + 1 + 7 + 2 + statew + 1 + 11);
	if (refw < 20)
		refw = 20;
	row = rows_new(out, ROLE_NORMAL);
	if (!con->cf) {
		rows_add(row, ROLE_ERROR, con->cf_error);
		return;
	}
	{
		/* the Postfix whose defaults the answers follow (core/postconf)
		 * stays visible at 80 columns: main.cf's path (the title bar
		 * names the directory) gives way first, from the left, then the
		 * words around the version */
		const char *path = maincf_path(con->cf);
		bool builtin = strcmp(postconf_origin(), "built-in table") == 0;
		char head[64], counts[96], ver[96];
		size_t fixed, pw = textsafe_width(path, strlen(path));
		struct strbuf sb;

		snprintf(head, sizeof(head), "%zu table%s referenced by ", chk->ntables,
			 chk->ntables == 1 ? "" : "s");
		snprintf(counts, sizeof(counts), "   %zu error%s, %zu warning%s", nerr,
			 nerr == 1 ? "" : "s", diag_count(&chk->diags, DIAG_WARNING),
			 diag_count(&chk->diags, DIAG_WARNING) == 1 ? "" : "s");
		snprintf(ver, sizeof(ver), "   Postfix %s (%s)", postconf_version(),
			 builtin ? "built-in defaults" : "postconf -d");
		fixed = strlen(head) + strlen(counts) + strlen(ver);
		if (w > 0 && fixed + 12 > (size_t)w)
			snprintf(ver, sizeof(ver), "  Postfix %s%s", postconf_version(),
				 builtin ? " (built-in)" : "");
		fixed = strlen(head) + strlen(counts) + strlen(ver);
		strbuf_init(&sb);
		if (w > 0 && fixed + pw > (size_t)w && (size_t)w > fixed + 8) {
			size_t room = (size_t)w - fixed, off = 0, len = strlen(path);

			while (off < len && textsafe_width(path + off, len - off) + 1 > room)
				off++;
			strbuf_addstr(&sb, "\xe2\x80\xa6");      /* … */
			textsafe_fit(&sb, path + off, len - off, room - 1);
		} else if (w > 0 && fixed + pw > (size_t)w) {
			strbuf_addstr(&sb, "main.cf");
		} else {
			strbuf_addstr(&sb, path);
		}
		rows_add(row, ROLE_NORMAL, head);
		rows_add_bytes(row, ROLE_NORMAL, sb.buf, sb.len);
		rows_add(row, nerr ? ROLE_ERROR : ROLE_OK, counts);
		rows_add(row, ROLE_DIM, ver);
		strbuf_fini(&sb);
	}
	{
		/* the log says smtpd is failing: said before anything else */
		char fail[512];

		if (feedpane_failing(con, fail, sizeof(fail))) {
			row = rows_new(out, ROLE_ERROR);
			rows_add(row, ROLE_ERROR, "smtpd is failing: ");
			rows_add_bytes(row, ROLE_ERROR, fail, strlen(fail));
			h--;
		}
	}
	h -= maincf_row(out, con, w, false);
	h -= maincf_row(out, con, w, true);
	row = rows_new(out, ROLE_NORMAL);
	rows_addf(row, ROLE_HEADER, "  %-*s %-*s %7s  %-*s %-11s", refw, "TABLE", rolew, "ROLE",
		  "ENTRIES", statew, "STATE", "BUILT");
	m->page = h - 2;
	if (m->page < 1)
		m->page = 1;
	if (m->sel < m->top)
		m->top = m->sel > 0 && m->items[m->sel - 1].group ? m->sel - 1 : m->sel;
	if (m->sel >= m->top + (size_t)m->page)
		m->top = m->sel - (size_t)m->page + 1;
	/* the newest rejects under the tables, when there is room: the feed
	 * is visible from the first screen */
	{
		int room = h - 2 - (int)m->nitems - 1;

		if (con->feed && room >= 3) {
			recent = room - 2 < 6 ? room - 2 : 6;
			m->page = h - 2 - recent - 2;
		}
	}
	for (i = m->top, y = 0; i < m->nitems && y < m->page; i++, y++) {
		const struct maps_item *it = &m->items[i];
		const struct check_table *t = &chk->tables[it->table];
		char st[64], built[32], refbuf[1024];
		enum role srole;
		bool sel = i == m->sel;
		struct strbuf sb;

		row = rows_new(out, sel ? ROLE_SELECTED : ROLE_NORMAL);
		if (!row)
			return;
		if (it->group) {
			const struct maincf_class *c = maincf_find_class(con->cf, it->group);

			rows_add_bytes(row, ROLE_HEADER, it->group, strlen(it->group));
			if (c)
				rows_add(row, ROLE_DIM, "  (restriction class)");
			continue;
		}
		state_text(con, t, st, sizeof(st), &srole);
		built_text(t, built, sizeof(built));
		snprintf(refbuf, sizeof(refbuf), "%s", t->ref ? t->ref : "");
		strbuf_init(&sb);
		fit_ref(&sb, refbuf, (size_t)refw);
		rows_add(row, sel ? ROLE_SELECTED : ROLE_NORMAL, "  ");
		rows_add(row, sel ? ROLE_SELECTED : ROLE_NORMAL, sb.buf);
		strbuf_fini(&sb);
		rows_addf(row, sel ? ROLE_SELECTED : ROLE_NORMAL, " %-*s %7zu  ",
			  rolew, maincf_role_name(t->role), t->nentries);
		rows_addf(row, sel ? ROLE_SELECTED : srole, "%-*s", statew, st);
		rows_addf(row, sel ? ROLE_SELECTED : ROLE_DIM, " %-11s", built);
	}
	if (recent > 0) {
		while (y++ < m->page)
			rows_new(out, ROLE_NORMAL);
		rows_new(out, ROLE_NORMAL);
		feedpane_render_recent(con, out, w, recent);
	}
}

static size_t
next_table(struct screen_maps *m, size_t from, int dir)
{
	size_t i = from;

	for (;;) {
		if (dir < 0) {
			if (i == 0)
				return from;
			i--;
		} else {
			if (i + 1 >= m->nitems)
				return from;
			i++;
		}
		if (!m->items[i].group)
			return i;
	}
}

static unsigned
maps_search_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_maps *m = ctx;
	size_t k, i;

	snprintf(m->search, sizeof(m->search), "%s", text);
	for (k = 1; k <= m->nitems && m->search[0]; k++) {
		i = (m->sel + k) % m->nitems;
		if (!m->items[i].group &&
		    strstr(m->con->chk.tables[m->items[i].table].ref, m->search)) {
			m->sel = i;
			return APP_REDRAW;
		}
	}
	if (m->search[0])
		app_status(app, ROLE_WARNING, "not found: %s", m->search);
	return APP_REDRAW;
}

static unsigned
maps_open_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_maps *m = ctx;
	const char *colon = strchr(text, ':'), *path = text;
	char type[32] = "";
	struct con_doc *d;

	if (!text[0])
		return APP_REDRAW;
	if (colon && colon[1] == '/' && (size_t)(colon - text) < sizeof(type)) {
		memcpy(type, text, (size_t)(colon - text));
		type[colon - text] = '\0';
		path = colon + 1;
	}
	d = console_doc_open(m->con, type[0] ? type : NULL, path);
	if (!d)
		return APP_REDRAW;
	console_open_editor(m->con, d, 0);
	(void)app;
	return APP_REDRAW;
}

static unsigned
maps_handle(struct app *app, struct screen *s, enum action a)
{
	struct screen_maps *m = (struct screen_maps *)s;
	int k;

	switch (a) {
	case ACT_UP:
		m->sel = next_table(m, m->sel, -1);
		break;
	case ACT_DOWN:
		m->sel = next_table(m, m->sel, 1);
		break;
	case ACT_PAGE_UP:
		for (k = 0; k < m->page; k++)
			m->sel = next_table(m, m->sel, -1);
		break;
	case ACT_PAGE_DOWN:
		for (k = 0; k < m->page; k++)
			m->sel = next_table(m, m->sel, 1);
		break;
	case ACT_HOME:
		m->sel = next_table(m, 0, 1);
		if (m->nitems && !m->items[0].group)
			m->sel = 0;
		break;
	case ACT_END:
		m->sel = m->nitems ? next_table(m, m->nitems - 1, -1) : 0;
		if (m->nitems && !m->items[m->nitems - 1].group)
			m->sel = m->nitems - 1;
		break;
	case ACT_ENTER: {
		const struct check_table *t;
		struct con_doc *d;

		if (m->sel >= m->nitems || m->items[m->sel].group)
			return 0;
		t = &m->con->chk.tables[m->items[m->sel].table];
		if (t->state == CHECK_NOT_FILE || !t->path) {
			app_status(app, ROLE_WARNING, "%s is not a file pfconsole can edit", t->ref);
			return APP_REDRAW;
		}
		d = console_doc_open(m->con, t->type, t->path);
		if (d)
			console_open_editor(m->con, d, 0);
		return APP_REDRAW;
	}
	case ACT_SEARCH:
		app_prompt_text(app, s, "/", m->search, m, NULL, maps_search_accept, NULL, NULL);
		return APP_REDRAW;
	case ACT_SEARCH_NEXT:
		return maps_search_accept(app, m, m->search);
	case ACT_EDIT_MAINCF: {
		/* the same editor as the tables: validated as typed (main.cf's
		 * findings), saved atomically with FILE~, changes on disk noticed */
		char path[4200];
		struct con_doc *d;

		snprintf(path, sizeof(path), "%s/main.cf", m->con->config_dir);
		d = console_doc_open(m->con, "maincf", path);
		if (d)
			console_open_editor(m->con, d, 0);
		return APP_REDRAW;
	}
	case ACT_OPEN_PATH:
		app_prompt_text(app, s, "open table (TYPE:PATH or PATH): ", "", m, NULL,
				maps_open_accept, NULL, NULL);
		return APP_REDRAW;
	case ACT_REFRESH:
		console_load(m->con);
		rebuild(m);
		app_status(app, ROLE_OK, "re-read %s/main.cf", m->con->config_dir);
		return APP_REDRAW;
	case ACT_QUIT:
		return APP_POP;
	default:
		return 0;
	}
	return APP_REDRAW;
}

static void
maps_destroy(struct screen *s)
{
	struct screen_maps *m = (struct screen_maps *)s;

	free(m->items);
	free(m);
}

static const struct screen_ops maps_ops = {
	.kind = SCREEN_MAPS,
	.handle = maps_handle,
	.render = maps_render,
	.title = maps_title,
	.destroy = maps_destroy,
	.keyline = maps_keys,
};

struct screen *
screen_maps_new(struct console *con)
{
	struct screen_maps *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->base.ops = &maps_ops;
	m->con = con;
	rebuild(m);
	return &m->base;
}
