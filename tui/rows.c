/*
 * tui/rows.c - attributed rows (see rows.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/textsafe.h"
#include "tui/rows.h"

static const char *const role_names[] = {
#define X(r) #r,
	ROLES(X)
#undef X
};

const char *
role_name(enum role r)
{
	return (unsigned)r < ROLE_NROLES ? role_names[r] : "?";
}

void
rows_init(struct rows *r)
{
	memset(r, 0, sizeof(*r));
	r->cursor_row = r->cursor_col = -1;
}

void
rows_clear(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		strbuf_fini(&r->v[i].text);
		free(r->v[i].spans);
	}
	r->n = 0;
	r->cursor_row = r->cursor_col = -1;
}

void
rows_fini(struct rows *r)
{
	rows_clear(r);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

struct row *
rows_new(struct rows *r, enum role fill)
{
	struct row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct row *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	strbuf_init(&row->text);
	row->fill = fill;
	return row;
}

static int
add_span(struct row *row, enum role role, size_t start, size_t len)
{
	if (len == 0)
		return 0;
	if (row->nspans && row->spans[row->nspans - 1].role == role &&
	    row->spans[row->nspans - 1].start + row->spans[row->nspans - 1].len == start) {
		row->spans[row->nspans - 1].len += len;
		return 0;
	}
	if (row->nspans == row->capspans) {
		size_t cap = row->capspans ? row->capspans * 2 : 4;
		struct span *v = realloc(row->spans, cap * sizeof(*v));

		if (!v)
			return -1;
		row->spans = v;
		row->capspans = cap;
	}
	row->spans[row->nspans].start = start;
	row->spans[row->nspans].len = len;
	row->spans[row->nspans].role = role;
	row->nspans++;
	return 0;
}

int
rows_addn(struct row *row, enum role role, const char *text, size_t n)
{
	size_t start = row->text.len;

	if (strbuf_add(&row->text, text, n) < 0)
		return -1;
	return add_span(row, role, start, n);
}

int
rows_add(struct row *row, enum role role, const char *text)
{
	return rows_addn(row, role, text, strlen(text));
}

int
rows_addf(struct row *row, enum role role, const char *fmt, ...)
{
	size_t start = row->text.len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vaddf(&row->text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	return add_span(row, role, start, row->text.len - start);
}

int
rows_add_bytes(struct row *row, enum role role, const char *bytes, size_t n)
{
	struct strbuf sb;
	int rc;

	strbuf_init(&sb);
	if (textsafe_append(&sb, bytes, n, TEXTSAFE_NOLIMIT, NULL, NULL) < 0) {
		strbuf_fini(&sb);
		return -1;
	}
	rc = rows_addn(row, role, sb.buf, sb.len);
	strbuf_fini(&sb);
	return rc;
}

int
rows_width(const struct row *row)
{
	return text_width(row->text.buf, row->text.len);
}

int
rows_pad(struct row *row, enum role role, int w)
{
	int have = rows_width(row);

	while (have < w) {
		if (rows_addn(row, role, " ", 1) < 0)
			return -1;
		have++;
	}
	return 0;
}

enum role
rows_role_at(const struct row *row, size_t off)
{
	size_t i;

	for (i = 0; i < row->nspans; i++)
		if (off >= row->spans[i].start && off < row->spans[i].start + row->spans[i].len)
			return row->spans[i].role;
	return ROLE_NORMAL;
}
