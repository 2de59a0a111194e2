/*
 * tui/screen_text.c - a scrollable text screen: apply results, an event in
 * full, the difference between two versions, help.  It owns its rows; the
 * actions it does not handle (jump, block...) go to the creator's callback.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

struct screen_text {
	struct screen base;
	struct screen_ops ops;
	char *title;
	struct rows rows;
	int top;
	int page;
	text_action_fn *on_action;
	void *ctx;
	void (*free_ctx)(void *);
};

static const enum action text_keys[] = { ACT_DOWN, ACT_PAGE_DOWN, ACT_NONE };

static const char *
text_title(struct app *app, struct screen *s)
{
	(void)app;
	return ((struct screen_text *)s)->title;
}

/* screen_text_wrap - SRC appended to OUT wrapped to W cells (at a space
 * when one fits), continuation lines indented by four; at most MAX lines.
 * The number of lines appended. */
int
screen_text_wrap(struct rows *out, const struct row *src, int w, int max)
{
	struct row *row;
	size_t k, off;
	int used = 0, y;

	if (max <= 0 || !(row = rows_new(out, src->fill)))
		return 0;
	y = 1;
	for (k = 0; k < src->nspans; k++) {
		const char *p = src->text.buf + src->spans[k].start;
		size_t len = src->spans[k].len;

		off = 0;
		while (off < len) {
			size_t fit = text_fit(p + off, len - off, w - used);

			if (fit < len - off) {
				size_t sp = fit;

				while (sp > 0 && p[off + sp - 1] != ' ')
					sp--;
				if (sp > 0 && used + text_width(p + off, sp) > w / 3)
					fit = sp;
			}
			if (fit == 0 && used == 4) {
				fit = 1;        /* a character wider than the line */
			}
			rows_addn(row, src->spans[k].role, p + off, fit);
			used += text_width(p + off, fit);
			off += fit;
			if (off < len || (used >= w && k + 1 < src->nspans)) {
				if (y >= max)
					return y;
				row = rows_new(out, src->fill);
				if (!row)
					return y;
				y++;
				rows_add(row, ROLE_NORMAL, "    ");
				used = 4;
			}
		}
	}
	return y;
}

/* text_render - rows wider than the screen wrap (screen_text_wrap) */
static void
text_render(struct app *app, struct screen *s, struct rows *out, int w, int h)
{
	struct screen_text *t = (struct screen_text *)s;
	int y = 0;
	size_t i;

	(void)app;
	t->page = h;
	if (t->top > (int)t->rows.n - 1)
		t->top = (int)t->rows.n - 1;
	if (t->top < 0)
		t->top = 0;
	for (i = (size_t)t->top; i < t->rows.n && y < h; i++)
		y += screen_text_wrap(out, &t->rows.v[i], w, h - y);
}

static unsigned
text_handle(struct app *app, struct screen *s, enum action a)
{
	struct screen_text *t = (struct screen_text *)s;
	int page = t->page > 1 ? t->page - 1 : 1;

	switch (a) {
	case ACT_UP: t->top--; break;
	case ACT_DOWN: t->top++; break;
	case ACT_PAGE_UP: t->top -= page; break;
	case ACT_PAGE_DOWN: t->top += page; break;
	case ACT_HOME: t->top = 0; break;
	case ACT_END: t->top = (int)t->rows.n; break;
	case ACT_QUIT: return APP_POP;
	default:
		if (t->on_action)
			return t->on_action(app, t->ctx, a);
		return 0;
	}
	if (t->top > (int)t->rows.n - t->page)
		t->top = (int)t->rows.n - t->page;
	if (t->top < 0)
		t->top = 0;
	return APP_REDRAW;
}

static void
text_destroy(struct screen *s)
{
	struct screen_text *t = (struct screen_text *)s;

	if (t->free_ctx)
		t->free_ctx(t->ctx);
	rows_fini(&t->rows);
	free(t->title);
	free(t);
}

struct screen_text *
screen_text_new(const char *title, text_action_fn *on_action, void *ctx,
		void (*free_ctx)(void *))
{
	struct screen_text *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->title = strdup(title);
	t->ops.kind = SCREEN_TEXT;
	t->ops.handle = text_handle;
	t->ops.render = text_render;
	t->ops.title = text_title;
	t->ops.destroy = text_destroy;
	t->ops.keyline = text_keys;
	t->base.ops = &t->ops;
	t->on_action = on_action;
	t->ctx = ctx;
	t->free_ctx = free_ctx;
	t->page = 20;
	rows_init(&t->rows);
	return t;
}

struct row *
screen_text_row(struct screen_text *t, enum role fill)
{
	return rows_new(&t->rows, fill);
}

struct screen *
screen_text_screen(struct screen_text *t)
{
	return t ? &t->base : NULL;
}

void
screen_text_keyline(struct screen_text *t, const enum action *keys)
{
	t->ops.keyline = keys;
}

void
screen_text_set_kind(struct screen_text *t, enum screen_kind kind)
{
	t->ops.kind = kind;
}

void
screen_text_clear(struct screen_text *t)
{
	rows_clear(&t->rows);
	t->top = 0;
}

void *
screen_text_ctx(struct screen_text *t)
{
	return t->ctx;
}

void
screen_text_set_title(struct screen_text *t, const char *title)
{
	char *nt = strdup(title);

	if (nt) {
		free(t->title);
		t->title = nt;
	}
}
