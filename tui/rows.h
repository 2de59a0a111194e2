/*
 * tui/rows.h - attributed rows: what screens render into.
 *
 * A screen renders its model at a given size into rows of UTF-8 text, each
 * with spans of semantic roles (selected, error, reject...).  Only term.c
 * turns roles into colours or attributes, so NO_COLOR and monochrome are one
 * table there, and unit tests assert text and roles without a terminal.
 *
 * Text given to rows_add() must be trusted (our own words); anything from a
 * file or the log goes through rows_add_bytes(), which passes it through
 * core/textsafe (control bytes, escapes and invalid UTF-8 made visible).
 * A struct rows owns its rows and their text.
 */
#ifndef TUI_ROWS_H
#define TUI_ROWS_H

#include <stddef.h>

#include "util/strbuf.h"
#include "util/textwidth.h"

#define ROLES(X) \
	X(NORMAL) X(TITLE) X(KEYS) X(KEYNAME) X(STATUS) X(SELECTED) X(ERROR) \
	X(WARNING) X(NOTE) X(REJECT) X(DEFER) X(OK) X(BANNER) X(COMMENT) \
	X(DIM) X(HEADER) X(INPUT) X(MATCH) X(ADDED) X(REMOVED)

enum role {
#define X(r) ROLE_##r,
	ROLES(X)
#undef X
	ROLE_NROLES
};

struct span {
	size_t start;   /* byte offset into the row's text */
	size_t len;
	enum role role;
};

struct row {
	struct strbuf text;
	struct span *spans;
	size_t nspans, capspans;
	enum role fill;         /* role of the rest of the line after the text */
};

struct rows {
	struct row *v;
	size_t n, cap;
	int cursor_row, cursor_col;     /* -1: no visible cursor; col in cells */
};

void rows_init(struct rows *r);
void rows_fini(struct rows *r);
void rows_clear(struct rows *r);
/* rows_new - append an empty row filled with FILL; NULL on ENOMEM */
struct row *rows_new(struct rows *r, enum role fill);
/* rows_add - append trusted UTF-8 TEXT with ROLE to ROW; 0 or -1 */
int rows_add(struct row *row, enum role role, const char *text);
int rows_addn(struct row *row, enum role role, const char *text, size_t n);
int rows_addf(struct row *row, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* rows_add_bytes - untrusted bytes (file or log text) made harmless first */
int rows_add_bytes(struct row *row, enum role role, const char *bytes, size_t n);
/* rows_pad - pad ROW with spaces (ROLE) up to display width W */
int rows_pad(struct row *row, enum role role, int w);
/* rows_width - display width of ROW's text */
int rows_width(const struct row *row);
/* rows_role_at - the role of byte OFF (ROLE_NORMAL outside spans) */
enum role rows_role_at(const struct row *row, size_t off);
const char *role_name(enum role r);


#endif
