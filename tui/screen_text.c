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
	struct rows wrapped;        /* ROWS wrapped to WRAP_W cells */
	int wrap_w;
	size_t wrap_key;            /* rows, bytes and spans when wrapped */
	int top;                    /* first screen line shown (of WRAPPED) */
	int page;                   /* screen lines of the body */
	int total;                  /* screen lines of the whole text */
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

/* lead - the display cells of SRC's leading blanks */
static int
lead(const struct row *src)
{
	size_t i = 0;

	while (i < src->text.len && src->text.buf[i] == ' ')
		i++;
	return (int)i;
}

/* at_word_start - byte OFF of span K of SRC begins a word */
static int
at_word_start(const struct row *src, size_t k, size_t off)
{
	size_t at = src->spans[k].start + off;

	return at == 0 || src->text.buf[at - 1] == ' ';
}

/* word_width - cells up to the first space of S (N bytes) */
static int
word_width(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);

	return text_width(s, sp ? (size_t)(sp - s) : n);
}

/* screen_text_wrap - SRC appended to OUT wrapped to W cells (at a space
 * when one fits), continuation lines indented four more than SRC's own
 * indentation (at most half the width); at most MAX lines.
 * The number of lines appended. */
int
screen_text_wrap(struct rows *out, const struct row *src, int w, int max)
{
	struct row *row;
	size_t k, off;
	int used = 0, y, indent;

	if (max <= 0 || !(row = rows_new(out, src->fill)))
		return 0;
	indent = lead(src) + 4;
	if (indent > w / 2)
		indent = w / 2 > 4 ? w / 2 : 4;
	if (indent >= w)
		indent = w > 1 ? w - 1 : 0;
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
				if (sp > 0)
					fit = sp;       /* at the last space that fits */
				else if (used > indent && at_word_start(src, k, off) &&
					 word_width(p + off, len - off) <= w - indent)
					fit = 0;        /* the whole word on the next line */
			}
			if (fit == 0 && used <= indent) {
				fit = text_fit(p + off, len - off, 1);   /* wider than the line */
				if (fit == 0)
					fit = 1;
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
				rows_pad(row, ROLE_NORMAL, indent);
				used = indent;
			}
		}
	}
	return y;
}

/* rewrap - ROWS wrapped to W cells again when they or W changed */
static void
rewrap(struct screen_text *t, int w)
{
	size_t key = t->rows.n, i;

	for (i = 0; i < t->rows.n; i++)
		key = key * 31 + t->rows.v[i].text.len * 7 + t->rows.v[i].nspans;
	if (w == t->wrap_w && key == t->wrap_key && t->wrapped.n)
		return;
	rows_clear(&t->wrapped);
	for (i = 0; i < t->rows.n; i++)
		screen_text_wrap(&t->wrapped, &t->rows.v[i], w, 1 << 20);
	t->wrap_w = w;
	t->wrap_key = key;
	t->total = (int)t->wrapped.n;
}

/* clamp - TOP within the text: the last page shows the last line */
static void
clamp(struct screen_text *t)
{
	if (t->top > t->total - t->page)
		t->top = t->total - t->page;
	if (t->top < 0)
		t->top = 0;
}

/* text_render - rows wider than the screen wrap (screen_text_wrap); the
 * scroll position counts screen lines, so every line can be reached */
static void
text_render(struct app *app, struct screen *s, struct rows *out, int w, int h)
{
	struct screen_text *t = (struct screen_text *)s;
	int y;

	(void)app;
	rewrap(t, w);
	t->page = h;
	clamp(t);
	for (y = 0; y < h && t->top + y < t->total; y++) {
		const struct row *src = &t->wrapped.v[t->top + y];
		struct row *row = rows_new(out, src->fill);
		size_t k;

		if (!row)
			break;
		for (k = 0; k < src->nspans; k++)
			rows_addn(row, src->spans[k].role, src->text.buf + src->spans[k].start,
				  src->spans[k].len);
	}
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
	case ACT_END: t->top = t->total; break;
	case ACT_QUIT: return APP_POP;
	default:
		if (t->on_action)
			return t->on_action(app, t->ctx, a);
		return 0;
	}
	if (t->wrap_w == 0)     /* not drawn yet: logical rows are a lower bound */
		t->total = (int)t->rows.n;
	clamp(t);
	return APP_REDRAW;
}

static void
text_destroy(struct screen *s)
{
	struct screen_text *t = (struct screen_text *)s;

	if (t->free_ctx)
		t->free_ctx(t->ctx);
	rows_fini(&t->rows);
	rows_fini(&t->wrapped);
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
	rows_init(&t->wrapped);
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
	rows_clear(&t->wrapped);
	t->wrap_w = 0;
	t->top = 0;
}

int
screen_text_top(struct screen_text *t)
{
	return t->top;
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
