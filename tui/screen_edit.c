/*
 * tui/screen_edit.c - the table editor: the entries with their comments,
 * as in the file.  Add, edit, delete, move, search, filter, undo/redo;
 * the line being edited is validated at every key with the same codes and
 * words as `pfconsole check`, shown in place; Tab completes actions and
 * class names; save is refused while the table has errors.
 *
 * Only the visible items are rendered, so a 1,000,000-entry table costs
 * the same per keystroke as a small one (see doc/performance.md).
 */
#include "config.h"

#include <stdio.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/access.h"
#include "core/textsafe.h"
#include "tui/console.h"

struct screen_edit {
	struct screen base;
	struct console *con;
	struct con_doc *doc;
	size_t sel;             /* item index */
	size_t top;             /* first visible position (in view order) */
	int page;
	char search[256];
	char filter[256];
	size_t *view;           /* filtered item indices, NULL: all items */
	size_t nview, capview;
	bool adding;            /* the prompt inserts after sel (else replaces sel) */
	bool add_at_end;
	char title[300];
	struct diag_list live;  /* validation of the line being edited */
	int hits_mode;          /* 0 off, 1 hit-count column, 2 column sorted by count */
	bool sorted;            /* view holds the items by count, not in file order */
};

static const enum action edit_keys[] = {
	ACT_EDIT, ACT_ADD, ACT_DELETE, ACT_UNDO, ACT_SAVE, ACT_SEARCH, ACT_FILTER, ACT_NONE
};

static size_t
nitems(struct screen_edit *e)
{
	return e->view ? e->nview : tabledoc_count(e->doc->doc);
}

static size_t
item_at(struct screen_edit *e, size_t pos)
{
	return e->view ? e->view[pos] : pos;
}

/* pos_of - view position of item I (nearest) */
static size_t
pos_of(struct screen_edit *e, size_t i)
{
	size_t lo = 0, hi;

	if (!e->view)
		return i;
	if (e->sorted) {
		for (lo = 0; lo < e->nview; lo++)
			if (e->view[lo] == i)
				return lo;
		return 0;
	}
	hi = e->nview;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (e->view[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nview ? lo : (e->nview ? e->nview - 1 : 0);
}

static bool
item_matches(struct screen_edit *e, size_t i, const char *needle)
{
	size_t len, nl = strlen(needle), k;
	const char *t = tabledoc_item_text(e->doc->doc, i, &len);

	if (!t || nl == 0)
		return nl == 0;
	for (k = 0; k + nl <= len; k++)
		if (strncasecmp(t + k, needle, nl) == 0)
			return true;
	return false;
}

static void
refilter(struct screen_edit *e)
{
	size_t n = tabledoc_count(e->doc->doc), i;

	free(e->view);
	e->view = NULL;
	e->nview = 0;
	e->sorted = false;
	if (e->filter[0]) {
		e->view = malloc((n + 1) * sizeof(*e->view));
		if (!e->view)
			return;
		e->capview = n + 1;
		for (i = 0; i < n; i++)
			if (item_matches(e, i, e->filter))
				e->view[e->nview++] = i;
	}
	if (e->sel >= n)
		e->sel = n ? n - 1 : 0;
}

/* refilter_edit - the filtered view after one edit: only the items the
 * edit re-read are matched again, the later ones' indices move (a commit
 * in a filtered 1M-entry table costs the view's length in additions, not
 * a search of every line) */
static void
refilter_edit(struct screen_edit *e)
{
	size_t n = tabledoc_count(e->doc->doc), first, old, nw, a, b, lo, hi, m = 0, i, need;
	long long shift;

	if (!e->filter[0])
		return;
	tabledoc_last_edit(e->doc->doc, &first, &old, &nw);
	if (!e->view || e->sorted || first + nw > n) {
		refilter(e);
		return;
	}
	/* view positions: [0, a) before the edit, [a, b) in it, [b, nview) after */
	for (lo = 0, hi = e->nview; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->view[mid] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	for (b = a; b < e->nview && e->view[b] < first + old; b++)
		;
	for (i = first; i < first + nw; i++)
		m += item_matches(e, i, e->filter);
	need = e->nview - (b - a) + m;
	if (need + 1 > e->capview) {
		size_t cap = (need + 1) * 2;
		size_t *v = realloc(e->view, cap * sizeof(*v));

		if (!v) {
			refilter(e);
			return;
		}
		e->view = v;
		e->capview = cap;
	}
	memmove(e->view + a + m, e->view + b, (e->nview - b) * sizeof(*e->view));
	shift = (long long)nw - (long long)old;
	for (i = a + m; i < need; i++)
		e->view[i] = (size_t)((long long)e->view[i] + shift);
	for (i = first, m = a; i < first + nw; i++)
		if (item_matches(e, i, e->filter))
			e->view[m++] = i;
	e->nview = need;
	if (e->sel >= n)
		e->sel = n ? n - 1 : 0;
}

/* first_diag - index of the first diagnostic on lines [line, line+nlines) */
static size_t
first_diag(const struct diag_list *dl, unsigned line, unsigned nlines, size_t *count)
{
	size_t lo = 0, hi = dl->n, i;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (dl->v[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < dl->n && dl->v[i].line < line + (nlines ? nlines : 1); i++)
		;
	*count = i - lo;
	return lo;
}

static const char *
edit_title(struct app *app, struct screen *s)
{
	struct screen_edit *e = (struct screen_edit *)s;

	(void)app;
	snprintf(e->title, sizeof(e->title), "Edit %s:%s", e->doc->type, e->doc->path);
	return e->title;
}

static enum role
value_role(const char *v, size_t n)
{
	struct access_action a;

	access_parse(v, n, &a);
	switch (a.kind) {
	case ACCESS_REJECT:
	case ACCESS_CODE:
	case ACCESS_HANGUP:
		return a.kind == ACCESS_CODE && a.code / 100 == 4 ? ROLE_DEFER : ROLE_REJECT;
	case ACCESS_DEFER:
	case ACCESS_DEFER_IF_PERMIT:
	case ACCESS_DEFER_IF_REJECT:
		return ROLE_DEFER;
	case ACCESS_OK:
	case ACCESS_NUMERIC:
		return ROLE_OK;
	default:
		return ROLE_NORMAL;
	}
}

/* add_diag_rows - a diagnostic under its line, wrapped to the width;
 * returns the rows used */
static int
add_diag_rows(struct rows *out, const struct diag *d, int w, int max)
{
	enum role role = d->severity == DIAG_ERROR ? ROLE_ERROR :
			 d->severity == DIAG_WARNING ? ROLE_WARNING : ROLE_NOTE;
	struct strbuf sb, safe;
	size_t off = 0, fit;
	int used = 0, cw = w > 16 ? w - 8 : 8;

	strbuf_init(&sb);
	strbuf_init(&safe);
	diag_format_text(d, &sb);
	textsafe_append(&safe, sb.buf, sb.len, TEXTSAFE_NOLIMIT, NULL, NULL);
	while (off < safe.len && used < max) {
		struct row *row = rows_new(out, ROLE_NORMAL);

		if (!row)
			break;
		fit = text_fit(safe.buf + off, safe.len - off, cw);
		if (fit == 0)
			fit = 1;
		if (off + fit < safe.len) {
			/* break after the last space that fits */
			size_t sp = fit;

			while (sp > 0 && safe.buf[off + sp - 1] != ' ')
				sp--;
			if (sp > 0)
				fit = sp;
		}
		rows_add(row, ROLE_DIM, used ? "         " : "       ");
		rows_addn(row, role, safe.buf + off, fit);
		off += fit;
		used++;
	}
	strbuf_fini(&safe);
	strbuf_fini(&sb);
	return used;
}

static void
edit_render(struct app *app, struct screen *s, struct rows *out, int w, int h)
{
	struct screen_edit *e = (struct screen_edit *)s;
	struct con_doc *d = e->doc;
	struct row *row;
	size_t n = nitems(e), pos, selpos, i;
	bool editing = app->prompt.kind == PROMPT_TEXT && app->prompt.owner == s;
	int y, body;

	/* header */
	row = rows_new(out, ROLE_NORMAL);
	rows_addf(row, ROLE_NORMAL, "%zu entries, role %s", tabledoc_entry_count(d->doc),
		  maincf_role_name(d->role));
	if (console_doc_dirty(d))
		rows_add(row, ROLE_WARNING, "  [unsaved edits]");
	if (d->validating)
		rows_add(row, ROLE_DIM, "  validating...");
	else if (d->nerrors)
		rows_addf(row, ROLE_ERROR, "  %zu error%s: save refused until fixed", d->nerrors,
			  d->nerrors == 1 ? "" : "s");
	if (d->conflict)
		rows_add(row, ROLE_ERROR, "  [changed on disk]");
	if (e->filter[0]) {
		rows_add(row, ROLE_DIM, "  filter: ");
		rows_add_bytes(row, ROLE_MATCH, e->filter, strlen(e->filter));
		rows_addf(row, ROLE_DIM, " (%zu shown)", e->nview);
	}
	body = h - 1;
	e->page = body;
	selpos = pos_of(e, e->sel);
	if (selpos < e->top)
		e->top = selpos;
	/* leave room for the selected item's diagnostics and the edit note */
	if (selpos >= e->top + (size_t)(body > 4 ? body - 3 : 1))
		e->top = selpos - (size_t)(body > 4 ? body - 3 : 1) + 1;
	if (n == 0) {
		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "(empty table: 'a' adds an entry)");
	}
	for (pos = e->top, y = 0; pos < n && y < body; pos++) {
		size_t idx = item_at(e, pos), len, nd, k, first;
		const struct tabledoc_item *it = tabledoc_item(d->doc, idx);
		const char *text = tabledoc_item_text(d->doc, idx, &len);
		bool sel = idx == e->sel;
		enum role base = sel ? ROLE_SELECTED : ROLE_NORMAL;
		struct strbuf sb;
		size_t avail;

		if (!it || !text)
			break;
		first = first_diag(&d->diags, it->line, it->nlines, &nd);
		row = rows_new(out, base);
		if (!row)
			return;
		if (editing && sel && !e->adding) {
			/* the line being edited, in place */
			struct prompt *p = &app->prompt;
			size_t fit;
			int cw;

			rows_addf(row, ROLE_DIM, "%5u ", it->line);
			rows_add(row, ROLE_STATUS, ">");
			cw = text_width(p->buf.buf, p->cur);
			fit = text_fit(p->buf.buf, p->buf.len, w - 8);
			rows_addn(row, ROLE_INPUT, p->buf.buf, fit);
			row->fill = ROLE_NORMAL;
			out->cursor_row = (int)out->n - 1;
			out->cursor_col = 7 + cw;
			y++;
			for (k = 0; k < e->live.n && y < body; k++)
				y += add_diag_rows(out, &e->live.v[k], w, body - y);
			continue;
		}
		while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
			len--;
		rows_addf(row, nd ? ROLE_ERROR : ROLE_DIM, "%5u%s", it->line, nd ? "!" : " ");
		avail = (size_t)(w - 6);
		if (e->hits_mode && w > 20) {
			unsigned long cnt;
			int hr = it->kind == TABLEDOC_ENTRY
				? console_hits_count(d->path, it->line, &cnt) : -3;

			if (hr == 0)
				rows_addf(row, cnt ? ROLE_NORMAL : ROLE_DIM, "%7lu ", cnt);
			else
				rows_add(row, ROLE_DIM, hr == -1 ? "      \u2026 " : "        ");
			avail -= 8;
		}
		strbuf_init(&sb);
		if (it->kind == TABLEDOC_COMMENT || it->kind == TABLEDOC_BLANK) {
			textsafe_append(&sb, text, len, avail, NULL, NULL);
			rows_add(row, sel ? ROLE_SELECTED : ROLE_COMMENT, sb.buf);
		} else if (it->kind == TABLEDOC_ENTRY && it->nlines == 1 && it->value &&
			   it->vlen > 0 && d->role != MAINCF_ROLE_GENERIC &&
			   maincf_role_is_access(d->role)) {
			/* key part as written, the value coloured by its action */
			size_t voff = (size_t)(strstr(text, it->value) ? strstr(text, it->value) - text : 0);
			size_t kw;

			if (voff == 0 || voff > len)
				voff = len;
			textsafe_append(&sb, text, voff, avail, &kw, NULL);
			rows_add(row, base, sb.buf);
			strbuf_reset(&sb);
			if (kw < avail)
				textsafe_append(&sb, text + voff, len - voff, avail - kw, NULL, NULL);
			rows_add(row, sel ? ROLE_SELECTED : value_role(it->value, it->vlen), sb.buf);
		} else {
			/* multi-line entries show their first line and a marker */
			size_t l1 = 0;

			while (l1 < len && text[l1] != '\n')
				l1++;
			textsafe_append(&sb, text, l1 < len ? l1 : len, avail, NULL, NULL);
			rows_add(row, it->kind == TABLEDOC_SKIPPED ? (sel ? ROLE_SELECTED : ROLE_ERROR)
				 : base, sb.buf);
			if (it->nlines > 1)
				rows_addf(row, ROLE_DIM, " [+%u lines]", it->nlines - 1);
		}
		strbuf_fini(&sb);
		y++;
		if (editing && sel && e->adding) {
			struct prompt *p = &app->prompt;
			size_t fit;
			int cw;

			row = rows_new(out, ROLE_NORMAL);
			rows_add(row, ROLE_DIM, "  new ");
			rows_add(row, ROLE_STATUS, ">");
			cw = text_width(p->buf.buf, p->cur);
			fit = text_fit(p->buf.buf, p->buf.len, w - 8);
			rows_addn(row, ROLE_INPUT, p->buf.buf, fit);
			out->cursor_row = (int)out->n - 1;
			out->cursor_col = 7 + cw;
			y++;
			for (k = 0; k < e->live.n && y < body; k++)
				y += add_diag_rows(out, &e->live.v[k], w, body - y);
		}
		if (sel && !editing)
			for (k = 0; k < nd && y < body; k++)
				y += add_diag_rows(out, &d->diags.v[first + k], w, body - y);
	}
	if (editing && e->adding && n == 0) {
		struct prompt *p = &app->prompt;

		row = rows_new(out, ROLE_NORMAL);
		rows_add(row, ROLE_DIM, "  new ");
		rows_add(row, ROLE_STATUS, ">");
		rows_addn(row, ROLE_INPUT, p->buf.buf, text_fit(p->buf.buf, p->buf.len, w - 8));
		out->cursor_row = (int)out->n - 1;
		out->cursor_col = 7 + text_width(p->buf.buf, p->cur);
		for (i = 0; i < e->live.n; i++)
			add_diag_rows(out, &e->live.v[i], w, 4);
	}
}

/* the line under edit: validate it where it will stand */
static unsigned
edit_change(struct app *app, void *ctx, const char *text)
{
	struct screen_edit *e = ctx;
	const struct tabledoc_item *it = tabledoc_item(e->doc->doc, e->sel);
	unsigned line = it ? (e->adding ? it->line + it->nlines : it->line) : 1;
	size_t k, nerr = 0;

	diag_list_clear(&e->live);
	if (text[0])
		console_validate_line(e->con, e->doc, text, line, &e->live);
	for (k = 0; k < e->live.n; k++)
		if (e->live.v[k].severity == DIAG_ERROR)
			nerr++;
	if (!text[0])
		app_prompt_set_note(app, ROLE_DIM, "type KEY VALUE (Tab completes the action)");
	else if (nerr)
		app_prompt_set_note(app, ROLE_ERROR, "%zu error%s: Enter keeps the line, save "
				    "is refused until it is fixed", nerr, nerr == 1 ? "" : "s");
	else if (e->live.n)
		app_prompt_set_note(app, ROLE_WARNING, "warnings only: Enter keeps the line");
	else
		app_prompt_set_note(app, ROLE_OK, "ok");
	return APP_REDRAW;
}

/* a new table whose directory does not exist: create it, or open the file
 * of that name in the configuration directory (a path mistyped) */
static struct {
	struct screen_edit *e;
	char dir[4096];
	char other[4200];
} newdir;

static unsigned
newdir_answer(struct app *app, void *ctx, int key)
{
	char why[600];
	int rc;

	(void)ctx;
	app_prompt_close(app);
	if (key == 'c') {
		char *p;

		for (p = newdir.dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(newdir.dir, 0755) < 0 && errno != EEXIST) {
				app_status(app, ROLE_ERROR, "cannot create %s: %s", newdir.dir, strerror(errno));
				*p = '/';
				return APP_REDRAW;
			}
			*p = '/';
		}
		if (mkdir(newdir.dir, 0755) < 0 && errno != EEXIST) {
			app_status(app, ROLE_ERROR, "cannot create %s: %s", newdir.dir, strerror(errno));
			return APP_REDRAW;
		}
		rc = console_doc_save(newdir.e->con, newdir.e->doc, why, sizeof(why));
		app_status(app, rc == 0 ? ROLE_OK : ROLE_ERROR, "created %s; %s", newdir.dir, why);
	} else if (key == 'o' && newdir.other[0]) {
		struct con_doc *d = console_doc_open(newdir.e->con, newdir.e->doc->type, newdir.other);

		if (d)
			console_open_editor(newdir.e->con, d, 0);
		app_status(app, ROLE_WARNING, "opened %s; the new table's lines are still unsaved "
			   "in the other editor", newdir.other);
	} else {
		app_status(app, ROLE_WARNING, "not saved; the lines stay in the editor");
	}
	return APP_REDRAW;
}

static bool
missing_dir(struct app *app, struct screen_edit *e)
{
	const char *path = e->doc->path, *slash = strrchr(path, '/');
	struct stat st;

	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(newdir.dir))
		return false;
	memcpy(newdir.dir, path, (size_t)(slash - path));
	newdir.dir[slash - path] = '\0';
	if (stat(newdir.dir, &st) == 0 || errno != ENOENT)
		return false;
	newdir.e = e;
	/* the file of that name in the configuration directory, when it exists */
	snprintf(newdir.other, sizeof(newdir.other), "%s/%s", e->con->config_dir, slash + 1);
	if (stat(newdir.other, &st) < 0 || !S_ISREG(st.st_mode))
		newdir.other[0] = '\0';
	app_prompt_choice(app, NULL, "", NULL, newdir_answer);
	{
		const char *dn = strrchr(newdir.dir, '/') ? strrchr(newdir.dir, '/') + 1 : newdir.dir;

		if (newdir.other[0])
			snprintf(app->prompt.label, sizeof(app->prompt.label),
				 "no %.100s/: c creates it and saves, o opens the config dir's %.100s ",
				 dn, slash + 1);
		else
			snprintf(app->prompt.label, sizeof(app->prompt.label),
				 "no %.100s/: c creates it and saves, Esc keeps the lines unsaved ", dn);
	}
	app_status(app, ROLE_ERROR, "not saved: %.300s does not exist", newdir.dir);
	return true;
}

static unsigned
edit_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_edit *e = ctx;
	size_t n = tabledoc_count(e->doc->doc), nidx = 0;
	int rc;

	diag_list_clear(&e->live);
	if (e->adding) {
		if (!text[0])
			return APP_REDRAW;
		rc = console_doc_insert(e->con, e->doc, n == 0 || e->add_at_end ? n : e->sel + 1,
					text, &nidx);
		if (rc == 0)
			e->sel = nidx;
	} else {
		if (!text[0])
			rc = console_doc_delete(e->con, e->doc, e->sel);
		else
			rc = console_doc_replace(e->con, e->doc, e->sel, text);
	}
	if (rc < 0)
		app_status(app, ROLE_ERROR, "edit failed");
	else if (e->doc->nerrors)
		app_status(app, ROLE_ERROR, "%zu error%s in the table (marked !): save is refused",
			   e->doc->nerrors, e->doc->nerrors == 1 ? "" : "s");
	else
		app_status(app, ROLE_OK, "changed (unsaved): s saves, A applies");
	if (e->filter[0] && rc == 0)
		refilter_edit(e);
	else if (e->filter[0])
		refilter(e);
	return APP_REDRAW;
}

static unsigned
edit_cancel(struct app *app, void *ctx, const char *text)
{
	struct screen_edit *e = ctx;

	(void)app;
	(void)text;
	diag_list_clear(&e->live);
	return APP_REDRAW;
}

/* complete - the word under the cursor, when it is the value's first word */
static int
edit_complete(struct app *app, void *ctx, struct strbuf *buf, size_t *cur)
{
	struct screen_edit *e = ctx;
	const char *v[64];
	size_t start = *cur, n, k, common;
	char prefix[128];

	(void)app;
	while (start > 0 && buf->buf[start - 1] != ' ' && buf->buf[start - 1] != '\t')
		start--;
	/* the first word is the key: complete only after it */
	{
		size_t i = 0;

		while (i < buf->len && buf->buf[i] != ' ' && buf->buf[i] != '\t')
			i++;
		if (start <= i && start == 0)
			return 0;
	}
	if (*cur - start >= sizeof(prefix))
		return 0;
	memcpy(prefix, buf->buf + start, *cur - start);
	prefix[*cur - start] = '\0';
	n = console_completions(e->con, e->doc->role, prefix, v, 64);
	if (n == 0) {
		app_prompt_set_note(app, ROLE_WARNING, "no completion for '%s'", prefix);
		return 0;
	}
	common = strlen(v[0]);
	for (k = 1; k < n; k++) {
		size_t j = 0;

		while (j < common && v[k][j] && strncasecmp(v[k] + j, v[0] + j, 1) == 0)
			j++;
		common = j;
	}
	if (common < strlen(prefix))
		common = strlen(prefix);
	{
		struct strbuf nb;
		size_t newcur;

		strbuf_init(&nb);
		strbuf_add(&nb, buf->buf, start);
		strbuf_add(&nb, v[0], common);
		if (n == 1)
			strbuf_addch(&nb, ' ');
		newcur = nb.len;
		strbuf_add(&nb, buf->buf + *cur, buf->len - *cur);
		strbuf_reset(buf);
		strbuf_add(buf, nb.buf, nb.len);
		strbuf_fini(&nb);
		*cur = newcur;
	}
	if (n > 1) {
		char list[400];
		size_t len = 0;

		for (k = 0; k < n && len < sizeof(list) - 2; k++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s ", v[k]);
		app_prompt_set_note(app, ROLE_NOTE, "%s", list);
	}
	return 1;
}

static void
start_edit(struct app *app, struct screen_edit *e, bool adding)
{
	const struct tabledoc_item *it = tabledoc_item(e->doc->doc, e->sel);
	char *init = NULL;

	e->adding = adding || !it;
	e->add_at_end = false;
	if (!e->adding) {
		size_t len;
		const char *t = tabledoc_item_text(e->doc->doc, e->sel, &len);

		if (it->nlines > 1 && it->kind == TABLEDOC_ENTRY)
			init = tabledoc_format_entry(it->key, it->klen, it->value, it->vlen);
		else if (t) {
			while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
				len--;
			init = malloc(len + 1);
			if (init) {
				memcpy(init, t, len);
				init[len] = '\0';
			}
		}
	}
	app_prompt_text(app, &e->base, e->adding ? "new entry: " : "edit: ", init ? init : "",
			e, edit_change, edit_accept, edit_cancel, edit_complete);
	free(init);
}

static unsigned
edit_search(struct app *app, struct screen_edit *e, int dir)
{
	size_t n = nitems(e), pos = pos_of(e, e->sel), k;

	if (!e->search[0] || n == 0)
		return APP_REDRAW;
	for (k = 1; k <= n; k++) {
		size_t p = dir > 0 ? (pos + k) % n : (pos + n - k % n) % n;

		if (item_matches(e, item_at(e, p), e->search)) {
			e->sel = item_at(e, p);
			return APP_REDRAW;
		}
	}
	app_status(app, ROLE_WARNING, "not found: %s", e->search);
	return APP_REDRAW;
}

static unsigned
search_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_edit *e = ctx;

	snprintf(e->search, sizeof(e->search), "%s", text);
	return edit_search(app, e, 1);
}

static unsigned
filter_accept(struct app *app, void *ctx, const char *text)
{
	struct screen_edit *e = ctx;

	snprintf(e->filter, sizeof(e->filter), "%s", text);
	refilter(e);
	if (e->view && e->nview)
		e->sel = e->view[pos_of(e, e->sel)];
	app_status(app, ROLE_NORMAL, e->filter[0] ? "filter on" : "filter off");
	return APP_REDRAW;
}

static unsigned
move_item(struct app *app, struct screen_edit *e, int dir)
{
	size_t n = tabledoc_count(e->doc->doc), to, nidx;

	if (n < 2 || (dir < 0 && e->sel == 0) || (dir > 0 && e->sel + 1 >= n))
		return 0;
	to = dir < 0 ? e->sel - 1 : e->sel + 1;
	/* one step for u and C-r (a delete and an insert) */
	if (console_doc_move(e->con, e->doc, e->sel, to, &nidx) == 0)
		e->sel = nidx;
	else
		app_status(app, ROLE_ERROR, "move failed");
	if (e->filter[0])
		refilter(e);
	return APP_REDRAW;
}

static unsigned
quit_choice(struct app *app, void *ctx, int key)
{
	struct screen_edit *e = ctx;
	char why[512];
	int rc;

	app_prompt_close(app);
	switch (key) {
	case 's':
		rc = console_doc_save(e->con, e->doc, why, sizeof(why));
		app_status(app, rc == 0 ? ROLE_OK : ROLE_ERROR, "%s", why);
		if (rc == 0)
			app_pop(app);
		return APP_REDRAW;
	case 'k':
		/* keep the edits in memory; Maps shows them as unsaved */
		app_status(app, ROLE_WARNING, "%s keeps its unsaved edits", e->doc->path);
		app_pop(app);
		return APP_REDRAW;
	default:
		return APP_REDRAW;
	}
}

struct hsort {
	size_t idx;
	unsigned long count;
};

static int
by_count_desc(const void *a, const void *b)
{
	const struct hsort *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* toggle_hits - the hit-count column: off -> column -> sorted by count -> off */
static unsigned
toggle_hits(struct app *app, struct screen_edit *e)
{
	size_t n = tabledoc_count(e->doc->doc), i, k = 0;
	struct hsort *v;

	e->hits_mode = (e->hits_mode + 1) % 3;
	if (e->hits_mode == 1) {
		console_hits_start(e->con);
		return APP_REDRAW;
	}
	if (e->hits_mode == 0) {
		refilter(e);
		app_status(app, ROLE_STATUS, "hit counts hidden");
		return APP_REDRAW;
	}
	/* sorted: the entries by count, most first (comments and blanks left out) */
	if (console_hits_count(e->doc->path, 0, &(unsigned long){ 0 }) < 0) {
		e->hits_mode = 1;
		app_status(app, ROLE_WARNING, "hit counts are still being counted");
		return APP_REDRAW;
	}
	v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return APP_REDRAW;
	for (i = 0; i < n; i++) {
		const struct tabledoc_item *it = tabledoc_item(e->doc->doc, i);

		if (it->kind != TABLEDOC_ENTRY)
			continue;
		v[k].idx = i;
		console_hits_count(e->doc->path, it->line, &v[k].count);
		k++;
	}
	qsort(v, k, sizeof(*v), by_count_desc);
	free(e->view);
	e->view = malloc((k + 1) * sizeof(*e->view));
	e->capview = k + 1;
	if (e->view) {
		for (i = 0; i < k; i++)
			e->view[i] = v[i].idx;
		e->nview = k;
		e->sorted = true;
		e->filter[0] = '\0';
		e->top = 0;
		if (k)
			e->sel = e->view[0];
	}
	free(v);
	app_status(app, ROLE_STATUS, "entries sorted by hit count (H again: file order, no counts)");
	return APP_REDRAW;
}

static unsigned
edit_handle(struct app *app, struct screen *s, enum action a)
{
	struct screen_edit *e = (struct screen_edit *)s;
	size_t n = nitems(e), pos = pos_of(e, e->sel), idx;
	char why[512];
	int rc;

	if (e->sorted && (a == ACT_EDIT || a == ACT_ADD || a == ACT_DELETE || a == ACT_MOVE_UP ||
			  a == ACT_MOVE_DOWN || a == ACT_UNDO || a == ACT_REDO)) {
		/* edits work in file order */
		e->hits_mode = 1;
		refilter(e);
		n = nitems(e);
		pos = pos_of(e, e->sel);
	}
	switch (a) {
	case ACT_UP:
		if (pos > 0)
			e->sel = item_at(e, pos - 1);
		break;
	case ACT_DOWN:
		if (pos + 1 < n)
			e->sel = item_at(e, pos + 1);
		break;
	case ACT_PAGE_UP:
		e->sel = item_at(e, pos > (size_t)e->page ? pos - (size_t)e->page : 0);
		break;
	case ACT_PAGE_DOWN:
		if (n)
			e->sel = item_at(e, pos + (size_t)e->page < n ? pos + (size_t)e->page : n - 1);
		break;
	case ACT_HOME:
		if (n)
			e->sel = item_at(e, 0);
		break;
	case ACT_END:
		if (n)
			e->sel = item_at(e, n - 1);
		break;
	case ACT_EDIT:
		if (tabledoc_count(e->doc->doc) == 0)
			start_edit(app, e, true);
		else
			start_edit(app, e, false);
		break;
	case ACT_ADD:
		start_edit(app, e, true);
		break;
	case ACT_DELETE:
		if (tabledoc_count(e->doc->doc) == 0)
			return 0;
		rc = console_doc_delete(e->con, e->doc, e->sel);
		if (rc < 0)
			app_status(app, ROLE_ERROR, "delete failed");
		else
			app_status(app, ROLE_OK, "deleted (u undoes)");
		if (e->sel >= tabledoc_count(e->doc->doc) && e->sel > 0)
			e->sel--;
		if (e->filter[0] && rc == 0)
			refilter_edit(e);
		else if (e->filter[0])
			refilter(e);
		break;
	case ACT_MOVE_UP:
		return move_item(app, e, -1);
	case ACT_MOVE_DOWN:
		return move_item(app, e, 1);
	case ACT_UNDO:
	case ACT_REDO:
		if (a == ACT_UNDO)
			rc = console_doc_undo(e->con, e->doc, &idx);
		else
			rc = console_doc_redo(e->con, e->doc, &idx);
		if (rc > 0)
			e->sel = idx < tabledoc_count(e->doc->doc) ? idx : 0;
		app_status(app, rc > 0 ? ROLE_OK : ROLE_WARNING, "%s",
			   a == ACT_UNDO ? (rc > 0 ? "undone" : "nothing to undo")
					 : (rc > 0 ? "redone" : "nothing to redo"));
		if (e->filter[0])
			refilter(e);
		break;
	case ACT_SAVE:
		rc = console_doc_save(e->con, e->doc, why, sizeof(why));
		app_status(app, rc == 0 ? ROLE_OK : ROLE_ERROR, "%s", why);
		if (rc < 0 && missing_dir(app, e))
			break;
		if (rc == 2) {
			/* someone else saved first: never overwrite that unseen */
			console_conflict(app, e->con, e->doc);
			break;
		}
		if (rc == 1 && e->doc->diags.n) {
			/* jump to the first error */
			size_t k;

			for (k = 0; k < e->doc->diags.n; k++) {
				if (e->doc->diags.v[k].severity == DIAG_ERROR &&
				    tabledoc_find_line(e->doc->doc, e->doc->diags.v[k].line, &idx) == 1) {
					e->sel = idx;
					break;
				}
			}
		}
		break;
	case ACT_SEARCH:
		app_prompt_text(app, NULL, "/", e->search, e, NULL, search_accept, NULL, NULL);
		break;
	case ACT_SEARCH_NEXT:
		return edit_search(app, e, 1);
	case ACT_SEARCH_PREV:
		return edit_search(app, e, -1);
	case ACT_FILTER:
		app_prompt_text(app, NULL, "filter (empty: all): ", e->filter, e, NULL,
				filter_accept, NULL, NULL);
		break;
	case ACT_HITS:
		return toggle_hits(app, e);
	case ACT_QUIT:
		if (console_doc_dirty(e->doc)) {
			app_prompt_choice(app, s, "unsaved edits: s save, k keep them for later, "
					  "c cancel ", e, quit_choice);
			return APP_REDRAW;
		}
		return APP_POP;
	default:
		return 0;
	}
	return APP_REDRAW;
}

static void
edit_destroy(struct screen *s)
{
	struct screen_edit *e = (struct screen_edit *)s;

	diag_list_fini(&e->live);
	free(e->view);
	free(e);
}

static const struct screen_ops edit_ops = {
	.kind = SCREEN_EDIT,
	.handle = edit_handle,
	.render = edit_render,
	.title = edit_title,
	.destroy = edit_destroy,
	.keyline = edit_keys,
};

struct screen *
screen_edit_new(struct console *con, struct con_doc *doc, size_t idx)
{
	struct screen_edit *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->base.ops = &edit_ops;
	e->con = con;
	e->doc = doc;
	e->sel = idx < tabledoc_count(doc->doc) ? idx : 0;
	if (idx == 0) {
		/* open on the first entry, past the leading comments */
		size_t i, n = tabledoc_count(doc->doc);

		for (i = 0; i < n && i < 1000; i++)
			if (tabledoc_item(doc->doc, i)->kind == TABLEDOC_ENTRY) {
				e->sel = i;
				break;
			}
	}
	diag_list_init(&e->live);
	return &e->base;
}

struct con_doc *
screen_edit_doc(struct screen *s)
{
	return s && s->ops == &edit_ops ? ((struct screen_edit *)s)->doc : NULL;
}

void
screen_edit_prepare_add(struct app *app, struct screen *s, const char *text)
{
	struct screen_edit *e = (struct screen_edit *)s;
	size_t n = tabledoc_count(e->doc->doc);

	e->sel = n ? n - 1 : 0;
	e->adding = true;
	e->add_at_end = true;
	app_prompt_text(app, s, "new entry: ", text, e, edit_change, edit_accept, edit_cancel,
			edit_complete);
}
