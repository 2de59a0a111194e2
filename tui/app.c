/*
 * tui/app.c - the application model (see app.h): screen stack, prompt,
 * generic actions, and the layout of the whole terminal into rows.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

void
app_init(struct app *app, const char *config_dir)
{
	memset(app, 0, sizeof(*app));
	app->config_dir = config_dir;
	app->color = true;
	strbuf_init(&app->prompt.buf);
}

void
app_fini(struct app *app)
{
	while (app->depth > 0)
		app_pop(app);
	strbuf_fini(&app->prompt.buf);
}

struct screen *
app_top(struct app *app)
{
	return app->depth ? app->stack[app->depth - 1] : NULL;
}

void
app_push(struct app *app, struct screen *s)
{
	if (!s)
		return;
	if (app->depth == APP_MAX_DEPTH) {
		/* drop the oldest non-base screen to make room */
		struct screen *old = app->stack[1];

		if (old->ops->destroy)
			old->ops->destroy(old);
		memmove(&app->stack[1], &app->stack[2],
			(size_t)(APP_MAX_DEPTH - 2) * sizeof(app->stack[0]));
		app->depth--;
	}
	app->stack[app->depth++] = s;
}

void
app_pop(struct app *app)
{
	struct screen *s;

	if (app->depth == 0)
		return;
	s = app->stack[--app->depth];
	if (app->prompt.kind != PROMPT_NONE && app->prompt.owner == s)
		app_prompt_close(app);
	if (s->ops->destroy)
		s->ops->destroy(s);
}

void
app_replace_base(struct app *app, struct screen *s)
{
	while (app->depth > 0)
		app_pop(app);
	app_push(app, s);
}

void
app_status(struct app *app, enum role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->status, sizeof(app->status), fmt, ap);
	va_end(ap);
	app->status_role = role;
}

static void
prompt_open(struct app *app, enum prompt_kind kind, struct screen *owner,
	    const char *label, void *ctx)
{
	struct prompt *p = &app->prompt;

	p->kind = kind;
	snprintf(p->label, sizeof(p->label), "%s", label);
	strbuf_reset(&p->buf);
	p->cur = 0;
	p->ctx = ctx;
	p->owner = owner;
	p->on_change = p->on_accept = p->on_cancel = NULL;
	p->on_key = NULL;
	p->complete = NULL;
	p->note[0] = '\0';
	p->note_role = ROLE_NORMAL;
}

void
app_prompt_text(struct app *app, struct screen *owner, const char *label,
		const char *initial, void *ctx, prompt_fn *on_change,
		prompt_fn *on_accept, prompt_fn *on_cancel, prompt_complete_fn *complete)
{
	struct prompt *p = &app->prompt;

	prompt_open(app, PROMPT_TEXT, owner, label, ctx);
	if (initial)
		strbuf_addstr(&p->buf, initial);
	p->cur = p->buf.len;
	p->on_change = on_change;
	p->on_accept = on_accept;
	p->on_cancel = on_cancel;
	p->complete = complete;
	if (on_change)
		on_change(app, ctx, p->buf.buf);
}

void
app_prompt_choice(struct app *app, struct screen *owner, const char *label,
		  void *ctx, prompt_key_fn *on_key)
{
	prompt_open(app, PROMPT_CHOICE, owner, label, ctx);
	app->prompt.on_key = on_key;
}

void
app_prompt_close(struct app *app)
{
	app->prompt.kind = PROMPT_NONE;
	app->prompt.owner = NULL;
	app->prompt.note[0] = '\0';
}

void
app_prompt_set_note(struct app *app, enum role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->prompt.note, sizeof(app->prompt.note), fmt, ap);
	va_end(ap);
	app->prompt.note_role = role;
}

/* utf8_prev - offset of the character before OFF in S */
static size_t
utf8_prev(const char *s, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
		off--;
	return off;
}

static size_t
utf8_next(const char *s, size_t len, size_t off)
{
	if (off >= len)
		return len;
	off++;
	while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
		off++;
	return off;
}

static int
utf8_encode(int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* buf_splice - replace [from, to) of SB by N bytes of P */
static int
buf_splice(struct strbuf *sb, size_t from, size_t to, const char *p, size_t n)
{
	size_t tail = sb->len - to;

	if (n > to - from && strbuf_reserve(sb, n - (to - from)) < 0)
		return -1;
	memmove(sb->buf + from + n, sb->buf + to, tail);
	memcpy(sb->buf + from, p, n);
	sb->len = from + n + tail;
	sb->buf[sb->len] = '\0';
	return 0;
}

/* prompt_key - the one-line editor: readline-like keys */
static unsigned
prompt_key(struct app *app, int key)
{
	struct prompt *p = &app->prompt;
	unsigned fl = APP_REDRAW;
	bool changed = false;
	char enc[4];
	int n;

	if (p->kind == PROMPT_CHOICE) {
		if (key == TKEY_RESIZE)
			return APP_REDRAW;
		return p->on_key ? p->on_key(app, p->ctx, key) | APP_REDRAW : APP_REDRAW;
	}
	switch (key) {
	case TKEY_ENTER: {
		prompt_fn *fn = p->on_accept;
		void *ctx = p->ctx;
		char *text = strdup(p->buf.buf);

		/* the callback may keep the prompt open (refused input) or open another */
		app_prompt_close(app);
		if (fn && text)
			fl |= fn(app, ctx, text);
		free(text);
		return fl;
	}
	case TKEY_ESC:
	case TKEY_CTRL('g'): {
		prompt_fn *fn = p->on_cancel;
		void *ctx = p->ctx;

		app_prompt_close(app);
		if (fn)
			fl |= fn(app, ctx, "");
		return fl;
	}
	case TKEY_LEFT:
	case TKEY_CTRL('b'):
		p->cur = utf8_prev(p->buf.buf, p->cur);
		break;
	case TKEY_RIGHT:
	case TKEY_CTRL('f'):
		p->cur = utf8_next(p->buf.buf, p->buf.len, p->cur);
		break;
	case TKEY_HOME:
	case TKEY_CTRL('a'):
		p->cur = 0;
		break;
	case TKEY_END:
	case TKEY_CTRL('e'):
		p->cur = p->buf.len;
		break;
	case TKEY_BACKSPACE:
	case TKEY_CTRL('h'):
		if (p->cur > 0) {
			size_t prev = utf8_prev(p->buf.buf, p->cur);

			buf_splice(&p->buf, prev, p->cur, "", 0);
			p->cur = prev;
			changed = true;
		}
		break;
	case TKEY_DC:
	case TKEY_CTRL('d'):
		if (p->cur < p->buf.len) {
			buf_splice(&p->buf, p->cur, utf8_next(p->buf.buf, p->buf.len, p->cur), "", 0);
			changed = true;
		}
		break;
	case TKEY_CTRL('u'):
		buf_splice(&p->buf, 0, p->cur, "", 0);
		p->cur = 0;
		changed = true;
		break;
	case TKEY_CTRL('k'):
		buf_splice(&p->buf, p->cur, p->buf.len, "", 0);
		changed = true;
		break;
	case TKEY_CTRL('w'): {
		size_t from = p->cur;

		while (from > 0 && (p->buf.buf[from - 1] == ' ' || p->buf.buf[from - 1] == '\t'))
			from--;
		while (from > 0 && p->buf.buf[from - 1] != ' ' && p->buf.buf[from - 1] != '\t')
			from--;
		buf_splice(&p->buf, from, p->cur, "", 0);
		p->cur = from;
		changed = true;
		break;
	}
	case TKEY_TAB:
		if (p->complete) {
			/* when Tab cannot extend the word, the note it leaves (the
			 * candidates, "no completion") stays, as bash lists them on
			 * a second Tab; the validation of the unchanged text would
			 * replace it at once */
			char note[sizeof(p->note)], before[sizeof(p->note)];
			enum role role, before_role = p->note_role;
			struct strbuf was;
			bool same;
			int rc;

			memcpy(before, p->note, sizeof(before));
			strbuf_init(&was);
			strbuf_add(&was, p->buf.buf, p->buf.len);
			p->note[0] = '\0';
			rc = p->complete(app, p->ctx, &p->buf, &p->cur);
			same = was.len == p->buf.len && memcmp(was.buf, p->buf.buf, was.len) == 0;
			strbuf_fini(&was);
			memcpy(note, p->note, sizeof(note));
			role = p->note_role;
			if (rc > 0 && p->on_change)
				fl |= p->on_change(app, p->ctx, p->buf.buf);
			if (note[0] && (same || rc <= 0)) {
				memcpy(p->note, note, sizeof(note));
				p->note_role = role;
			} else if (!note[0] && rc <= 0) {
				memcpy(p->note, before, sizeof(before));
				p->note_role = before_role;
			}
		}
		break;
	case TKEY_RESIZE:
		break;
	default:
		if (key >= 32 && key < TKEY_BASE && key != 127) {
			n = utf8_encode(key, enc);
			if (buf_splice(&p->buf, p->cur, p->cur, enc, (size_t)n) == 0) {
				p->cur += (size_t)n;
				changed = true;
			}
		}
		break;
	}
	if (changed && p->on_change)
		fl |= p->on_change(app, p->ctx, p->buf.buf);
	return fl;
}

unsigned
app_action(struct app *app, enum action a)
{
	struct screen *s = app_top(app);
	unsigned fl = 0;

	/* Esc/q first cancel background work that asked for it */
	if (a == ACT_QUIT && app->hooks && app->hooks->cancel && app->hooks->cancel(app))
		return APP_REDRAW;
	/* generic actions first that no screen overrides */
	switch (a) {
	case ACT_HELP:
		if (s && s->ops->kind == SCREEN_HELP)
			return 0;
		app_push(app, screen_help_new(s ? s->ops->kind : SCREEN_ANY));
		return APP_REDRAW;
	case ACT_APPLY:
		if (app->hooks && app->hooks->apply)
			return app->hooks->apply(app) | APP_REDRAW;
		app_status(app, ROLE_WARNING, "apply is not available here");
		return APP_REDRAW;
	case ACT_QUIT_ALL:
		if (app->hooks && app->hooks->quit_all)
			return app->hooks->quit_all(app) | APP_REDRAW;
		return APP_QUIT;
	case ACT_SCREEN_MAPS:
	case ACT_SCREEN_FEED:
	case ACT_SCREEN_EXPLAIN:
	case ACT_NEXT_SCREEN:
		if (app->hooks && app->hooks->screen)
			return app->hooks->screen(app, a) | APP_REDRAW;
		return 0;
	default:
		break;
	}
	if (s && s->ops->handle)
		fl = s->ops->handle(app, s, a);
	if (fl & APP_POP) {
		app_pop(app);
		fl &= ~(unsigned)APP_POP;
		fl |= APP_REDRAW;
		if (app->depth == 0) {
			if (app->hooks && app->hooks->quit_all)
				fl |= app->hooks->quit_all(app);
			else
				fl |= APP_QUIT;
		}
	}
	if (a == ACT_REFRESH && app->hooks && app->hooks->refresh)
		fl |= app->hooks->refresh(app) | APP_REDRAW;
	return fl;
}

unsigned
app_key(struct app *app, int key)
{
	struct screen *s;
	enum action a;

	if (key == TKEY_NONE)
		return 0;
	if (key == TKEY_RESIZE)
		return APP_REDRAW;
	if (app->too_small && app->prompt.kind != PROMPT_CHOICE) {
		/* nothing may act on a screen nobody can see: only leaving
		 * (Q, which may ask its question on this screen), redrawing
		 * (the loop's Ctrl-L) and resizing */
		s = app_top(app);
		if (app->prompt.kind == PROMPT_NONE &&
		    keymap_lookup(s ? s->ops->kind : SCREEN_ANY, key) == ACT_QUIT_ALL)
			return app_action(app, ACT_QUIT_ALL) | APP_REDRAW;
		return APP_REDRAW;
	}
	if (app->prompt.kind != PROMPT_NONE)
		return prompt_key(app, key);
	s = app_top(app);
	a = keymap_lookup(s ? s->ops->kind : SCREEN_ANY, key);
	if (a == ACT_NONE)
		return 0;
	/* a key clears an old message */
	app->status[0] = '\0';
	return app_action(app, a) | APP_REDRAW;
}

unsigned
app_tick(struct app *app)
{
	unsigned fl = 0;
	int i;

	for (i = 0; i < app->depth; i++)
		if (app->stack[i]->ops->tick)
			fl |= app->stack[i]->ops->tick(app, app->stack[i]);
	return fl;
}

int
app_add_source(struct app *app, int fd, unsigned (*ready)(struct app *, void *), void *ctx)
{
	if (app->nsources == APP_MAX_SOURCES || fd < 0)
		return -1;
	app->sources[app->nsources].fd = fd;
	app->sources[app->nsources].ready = ready;
	app->sources[app->nsources].ctx = ctx;
	app->nsources++;
	return 0;
}

void
app_remove_source(struct app *app, int fd)
{
	int i;

	for (i = 0; i < app->nsources; i++) {
		if (app->sources[i].fd == fd) {
			memmove(&app->sources[i], &app->sources[i + 1],
				(size_t)(app->nsources - i - 1) * sizeof(app->sources[0]));
			app->nsources--;
			return;
		}
	}
}

/* keyline - "q Back  ? Help  A Apply ..." from the screen's actions */
static void
render_keyline(struct app *app, struct screen *s, struct row *row, int w)
{
	static const enum action generic[] = { ACT_HELP, ACT_APPLY, ACT_QUIT, ACT_NONE };
	static const char *const short_names[ACT_NCODES] = {
		[ACT_QUIT] = "Back", [ACT_HELP] = "Help", [ACT_APPLY] = "Apply",
		[ACT_QUIT_ALL] = "Quit", [ACT_ENTER] = "Open", [ACT_SEARCH] = "Search",
		[ACT_FILTER] = "Filter", [ACT_EXCLUDE] = "Exclude", [ACT_SAVE] = "Save",
		[ACT_ADD] = "Add", [ACT_EDIT] = "Edit", [ACT_DELETE] = "Del",
		[ACT_UNDO] = "Undo", [ACT_REDO] = "Redo", [ACT_PAUSE] = "Pause",
		[ACT_ORDER] = "Order", [ACT_BLOCK_SENDER] = "Block", [ACT_BLOCK_DOMAIN] = "BlkDom",
		[ACT_BLOCK_CLIENT] = "BlkIP", [ACT_ALLOW_SENDER] = "Allow",
		[ACT_ALLOW_DOMAIN] = "AllowDom", [ACT_ALLOW_CLIENT] = "AllowIP",
		[ACT_SCREEN_MAPS] = "Maps", [ACT_SCREEN_FEED] = "Live",
		[ACT_SCREEN_EXPLAIN] = "Explain", [ACT_OPEN_PATH] = "Path", [ACT_EDIT_MAINCF] = "main.cf",
		[ACT_MOVE_UP] = "MoveUp", [ACT_MOVE_DOWN] = "MoveDn", [ACT_JUMP] = "GoToLine",
		[ACT_EXPLAIN_MODE] = "Source", [ACT_EXPLAIN_EVENT] = "Explain", [ACT_REFRESH] = "Reread",
		[ACT_DOWN] = "Scroll", [ACT_PAGE_DOWN] = "Page",
	};
	const enum action *lists[2];
	enum screen_kind kind = s ? s->ops->kind : SCREEN_ANY;
	struct { char key[64]; const char *name; } ent[64];
	size_t nent = 0, first_generic = 0, i, k;
	int l, total = 0, room = w - rows_width(row);

	lists[0] = s && s->ops->keyline ? s->ops->keyline : NULL;
	lists[1] = generic;
	for (l = 0; l < 2; l++) {
		if (l == 1)
			first_generic = nent;
		if (!lists[l])
			continue;
		for (i = 0; lists[l][i] != ACT_NONE && nent < 64; i++) {
			enum action a = lists[l][i];
			char keys[64], *comma;

			keymap_keys_for(kind, a, keys, sizeof(keys));
			if (!keys[0])
				continue;
			comma = strchr(keys, ',');
			if (comma)
				*comma = '\0';
			memcpy(ent[nent].key, keys, sizeof(ent[nent].key));
			ent[nent].name = short_names[a] ? short_names[a] : action_name(a);
			if (l == 1 && a == ACT_QUIT && app->depth <= 1)
				ent[nent].name = "Quit";
			total += (int)(strlen(ent[nent].key) + strlen(ent[nent].name) + 2);
			nent++;
		}
	}
	/* the generic keys (help, apply, back) always fit: drop screen keys
	 * from the end until everything does */
	k = first_generic;
	while (total > room && k > 0) {
		k--;
		total -= (int)(strlen(ent[k].key) + strlen(ent[k].name) + 2);
		ent[k].name = NULL;
	}
	for (i = 0; i < nent; i++) {
		if (!ent[i].name)
			continue;
		if (rows_width(row) + (int)(strlen(ent[i].key) + strlen(ent[i].name) + 2) > w)
			break;
		rows_add(row, ROLE_KEYNAME, ent[i].key);
		rows_addf(row, ROLE_KEYS, " %s ", ent[i].name);
	}
}

/* render_prompt - the prompt on the status line (when its owner does not
 * show it in place) */
static void
render_prompt(struct app *app, struct rows *out, int w)
{
	struct prompt *p = &app->prompt;
	struct row *row = rows_new(out, ROLE_NORMAL);
	size_t before_w, fit, from = 0;
	int lw;

	if (!row)
		return;
	rows_add(row, ROLE_STATUS, p->label);
	lw = rows_width(row);
	if (p->kind == PROMPT_CHOICE)
		return;
	/* scroll so that the cursor stays visible */
	before_w = (size_t)text_width(p->buf.buf, p->cur);
	while (lw + (int)before_w >= w - 1 && from < p->cur) {
		size_t nx = from + 1;

		while (nx < p->cur && ((unsigned char)p->buf.buf[nx] & 0xC0) == 0x80)
			nx++;
		from = nx;
		before_w = (size_t)text_width(p->buf.buf + from, p->cur - from);
	}
	fit = text_fit(p->buf.buf + from, p->buf.len - from, w - lw - 1);
	rows_addn(row, ROLE_INPUT, p->buf.buf + from, fit);
	out->cursor_row = (int)out->n - 1;
	out->cursor_col = lw + (int)before_w;
}

#define NOTE_ROWS 3

/* note_wrap - NOTE cut into at most NOTE_ROWS rows of W cells, at spaces
 * where it can (AT/LEN: byte offset and length of each); the row count */
static int
note_wrap(const char *note, int w, size_t *at, size_t *len)
{
	size_t n = strlen(note), off = 0;
	int k = 0;

	while (off < n && k < NOTE_ROWS) {
		size_t fit = text_fit(note + off, n - off, w);

		if (fit == 0)
			break;
		if (off + fit < n && k < NOTE_ROWS - 1) {
			size_t sp = fit;

			while (sp > 0 && note[off + sp] != ' ')
				sp--;
			if (sp > fit / 2)
				fit = sp;
		}
		at[k] = off;
		len[k++] = fit;
		off += fit;
		while (off < n && note[off] == ' ')
			off++;
	}
	return k;
}

void
app_render(struct app *app, struct rows *out, int w, int h)
{
	struct screen *s = app_top(app);
	struct rows body;
	struct row *row;
	const char *title;
	int bh, i, nnote;
	size_t note_at[NOTE_ROWS], note_len[NOTE_ROWS];
	bool inline_prompt, bottom_note;

	rows_clear(out);
	app->too_small = w < 80 || h < 24;
	if (app->too_small) {
		row = rows_new(out, ROLE_NORMAL);
		if (row)
			rows_addf(row, ROLE_ERROR, "terminal too small: %dx%d", w, h);
		row = rows_new(out, ROLE_NORMAL);
		if (row)
			rows_add(row, ROLE_NORMAL, "pfconsole needs 80x24 or larger");
		row = rows_new(out, ROLE_NORMAL);
		if (row)
			rows_add(row, ROLE_NORMAL, "until then only Q (quit) and Ctrl-L (redraw) act");
		if (app->prompt.kind == PROMPT_CHOICE && (row = rows_new(out, ROLE_NORMAL)))
			rows_add_bytes(row, ROLE_INPUT, app->prompt.label, strlen(app->prompt.label));
		return;
	}
	/* title bar */
	row = rows_new(out, ROLE_TITLE);
	if (!row)
		return;
	title = s && s->ops->title ? s->ops->title(app, s) : "pfconsole";
	rows_addf(row, ROLE_TITLE, " pfconsole | %s ", title);
	if (app->readonly) {
		rows_add(row, ROLE_BANNER, " READ-ONLY ");
		rows_add(row, ROLE_TITLE, " ");
	}
	{
		char cfg[256];
		int room = w - rows_width(row) - 1;

		snprintf(cfg, sizeof(cfg), "%s", app->config_dir ? app->config_dir : "");
		if (room > 8 && (int)strlen(cfg) <= room) {
			rows_pad(row, ROLE_TITLE, w - (int)strlen(cfg) - 1);
			rows_add_bytes(row, ROLE_TITLE, cfg, strlen(cfg));
		}
	}
	/* body */
	inline_prompt = app->prompt.kind != PROMPT_NONE && app->prompt.owner == s && s &&
			app->prompt.kind == PROMPT_TEXT && s->ops->kind == SCREEN_EDIT;
	bh = h - 3;
	if (app->readonly)
		bh--;
	/* a note longer than the status row wraps onto rows taken from the
	 * body (at most NOTE_ROWS): block's scope and its explained reply do
	 * not fit 80 columns */
	nnote = 0;
	bottom_note = !inline_prompt && (app->prompt.kind == PROMPT_TEXT ||
					 app->prompt.kind == PROMPT_CHOICE);
	if ((inline_prompt || bottom_note) && app->prompt.note[0])
		nnote = note_wrap(app->prompt.note, w, note_at, note_len);
	if (nnote > 1)
		bh -= nnote - 1;
	rows_init(&body);
	if (app->readonly) {
		row = rows_new(out, ROLE_BANNER);
		if (row)
			rows_addf(row, ROLE_BANNER, " read-only: %s; everything but saving works",
				  app->readonly_why[0] ? app->readonly_why : "the configuration is not writable");
	}
	if (s && s->ops->render)
		s->ops->render(app, s, &body, w, bh);
	for (i = 0; i < bh; i++) {
		struct row *src = (size_t)i < body.n ? &body.v[i] : NULL;

		row = rows_new(out, src ? src->fill : ROLE_NORMAL);
		if (!row)
			break;
		if (src) {
			size_t k;

			for (k = 0; k < src->nspans; k++)
				rows_addn(row, src->spans[k].role, src->text.buf + src->spans[k].start,
					  src->spans[k].len);
		}
	}
	if (body.cursor_row >= 0 && body.cursor_row < bh) {
		out->cursor_row = body.cursor_row + (int)out->n - bh;
		out->cursor_col = body.cursor_col;
	}
	rows_fini(&body);
	/* status or prompt line */
	if (app->prompt.kind != PROMPT_NONE && !inline_prompt) {
		render_prompt(app, out, w);
	} else {
		row = rows_new(out, ROLE_NORMAL);
		if (row) {
			if (nnote > 1) {
				for (i = 0; i < nnote; i++) {
					if (i && !(row = rows_new(out, ROLE_NORMAL)))
						break;
					rows_addn(row, app->prompt.note_role,
						  app->prompt.note + note_at[i], note_len[i]);
				}
			} else if (inline_prompt || (app->prompt.kind != PROMPT_NONE &&
						     app->prompt.note[0]))
				rows_add(row, app->prompt.note_role, app->prompt.note);
			else
				rows_add(row, app->status_role, app->status);
		}
	}
	/* key line, or the note under a prompt at the bottom (wrapped onto
	 * the rows taken from the body when it is longer than one row) */
	row = rows_new(out, ROLE_KEYS);
	if (!row)
		return;
	if (bottom_note && nnote > 1) {
		out->v[out->n - 1].fill = ROLE_NORMAL;
		for (i = 0; i < nnote; i++) {
			if (i && !(row = rows_new(out, ROLE_NORMAL)))
				break;
			rows_addn(row, app->prompt.note_role, app->prompt.note + note_at[i],
				  note_len[i]);
		}
	} else if (app->prompt.kind == PROMPT_TEXT) {
		bool note = !inline_prompt && app->prompt.note[0];

		out->v[out->n - 1].fill = ROLE_NORMAL;
		rows_add(row, note ? app->prompt.note_role : ROLE_DIM,
			 note ? app->prompt.note :
			 "Enter accept  Esc cancel  Tab complete  C-u clear");
	} else if (app->prompt.kind == PROMPT_CHOICE) {
		out->v[out->n - 1].fill = ROLE_NORMAL;
		rows_add(row, app->prompt.note_role, app->prompt.note);
	} else {
		render_keyline(app, s, row, w);
	}
}
