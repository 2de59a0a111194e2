/*
 * tui/term.c - ncursesw init/teardown, roles to colours, keys, blitting.
 *
 * Owns all curses state.  Colours: each role has a colour pair and an
 * attribute; on a monochrome terminal, or when colour is off, only the
 * monochrome attribute column is used (reverse, bold, underline), so every
 * role stays distinguishable without colour.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/keymap.h"
#include "tui/term.h"

static SCREEN *scr;
static bool use_color;

struct role_style {
	short fg, bg;           /* colour mode */
	attr_t cattr;           /* extra attribute in colour mode */
	attr_t mattr;           /* monochrome attribute */
};

static const struct role_style styles[ROLE_NROLES] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_KEYS] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_KEYNAME] = { COLOR_WHITE, COLOR_BLACK, A_BOLD, A_BOLD },
	[ROLE_STATUS] = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
	[ROLE_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_WARNING] = { COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE },
	[ROLE_NOTE] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[ROLE_REJECT] = { COLOR_RED, -1, A_NORMAL, A_BOLD },
	[ROLE_DEFER] = { COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE },
	[ROLE_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_BANNER] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_COMMENT] = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
	[ROLE_HEADER] = { -1, -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE },
	[ROLE_INPUT] = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[ROLE_MATCH] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_STANDOUT },
	[ROLE_ADDED] = { COLOR_GREEN, -1, A_NORMAL, A_BOLD },
	[ROLE_REMOVED] = { COLOR_RED, -1, A_NORMAL, A_DIM },
};

static attr_t
role_attr(enum role r)
{
	if ((unsigned)r >= ROLE_NROLES)
		r = ROLE_NORMAL;
	if (!use_color)
		return styles[r].mattr;
	return COLOR_PAIR(r + 1) | styles[r].cattr;
}

int
term_open(bool color, char *err, size_t errsize)
{
	const char *t = getenv("TERM");
	int i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errsize, "the console needs a terminal on stdin and stdout "
			 "(use a command such as 'pfconsole check' in scripts)");
		return -1;
	}
	if (!t || !*t || strcmp(t, "dumb") == 0) {
		snprintf(err, errsize, "TERM is %s%s%s: the console needs a terminal type "
			 "such as xterm-256color, screen or linux (set TERM)",
			 t && *t ? "'" : "not set", t && *t ? t : "", t && *t ? "'" : "");
		return -1;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errsize, "TERM '%s' is not known to this system's terminfo: "
			 "set TERM to a known type (xterm-256color, screen, linux)", t);
		return -1;
	}
	set_term(scr);
	if (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1) {
		endwin();
		delscreen(scr);
		scr = NULL;
		snprintf(err, errsize, "TERM '%s' cannot move the cursor: set TERM to a "
			 "full-screen type (xterm-256color, screen, linux)", t);
		return -1;
	}
	cbreak();       /* Ctrl-C and Ctrl-Z keep their signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	intrflush(stdscr, FALSE);
	leaveok(stdscr, FALSE);
	use_color = false;
	if (color && has_colors() && start_color() == OK) {
		use_default_colors();
		use_color = true;
		for (i = 0; i < ROLE_NROLES; i++)
			init_pair((short)(i + 1), styles[i].fg, styles[i].bg);
	}
	curs_set(0);
	return 0;
}

bool
term_is_open(void)
{
	return scr != NULL;
}

bool
term_has_colors(void)
{
	return use_color;
}

void
term_close(void)
{
	if (!scr)
		return;
	curs_set(1);
	endwin();
	delscreen(scr);
	scr = NULL;
	fflush(stdout);
}

void
term_size(int *w, int *h)
{
	*w = COLS;
	*h = LINES;
}

int
term_input_fd(void)
{
	return STDIN_FILENO;
}

int
term_key(void)
{
	wint_t wc;
	int rc;

	rc = get_wch(&wc);
	if (rc == ERR)
		return TKEY_NONE;
	if (rc == OK) {
		if (wc == '\r' || wc == '\n')
			return TKEY_ENTER;
		if (wc == 127 || wc == 8)
			return TKEY_BACKSPACE;
		return (int)wc;
	}
	switch (wc) {
	case KEY_UP: return TKEY_UP;
	case KEY_DOWN: return TKEY_DOWN;
	case KEY_LEFT: return TKEY_LEFT;
	case KEY_RIGHT: return TKEY_RIGHT;
	case KEY_PPAGE: return TKEY_PGUP;
	case KEY_NPAGE: return TKEY_PGDN;
	case KEY_HOME: return TKEY_HOME;
	case KEY_END: return TKEY_END;
	case KEY_ENTER: return TKEY_ENTER;
	case KEY_BACKSPACE: return TKEY_BACKSPACE;
	case KEY_DC: return TKEY_DC;
	case KEY_IC: return TKEY_IC;
	case KEY_BTAB: return TKEY_BTAB;
	case KEY_SR: return TKEY_SUP;
	case KEY_SF: return TKEY_SDOWN;
	case KEY_RESIZE: return TKEY_RESIZE;
	default:
		if (wc >= KEY_F(1) && wc <= KEY_F(12))
			return TKEY_F1 + (int)(wc - KEY_F(1));
		return TKEY_NONE;
	}
}

void
term_redraw_all(void)
{
	if (scr)
		clearok(curscr, TRUE);
}

void
term_draw(const struct rows *r)
{
	int w, h, y, x;
	size_t s;

	if (!scr)
		return;
	term_size(&w, &h);
	for (y = 0; y < h; y++) {
		const struct row *row = (size_t)y < r->n ? &r->v[y] : NULL;
		int used = 0;

		move(y, 0);
		if (row) {
			for (s = 0; s < row->nspans && used < w; s++) {
				const struct span *sp = &row->spans[s];
				const char *p = row->text.buf + sp->start;
				size_t fit = text_fit(p, sp->len, w - used);

				attrset(role_attr(sp->role));
				addnstr(p, (int)fit);
				used += text_width(p, fit);
				if (fit < sp->len)
					used = w;
			}
			attrset(role_attr(row->fill));
		} else {
			attrset(role_attr(ROLE_NORMAL));
		}
		if (row && row->fill != ROLE_NORMAL) {
			/* up to the last cell too: without scrollok, curses
			 * writes the bottom-right cell (addch only reports
			 * that the cursor cannot move past it); skipping it
			 * left whatever the row held before there */
			for (x = used; x < w; x++)
				(void)addch(' ');
		} else if (used < w) {
			clrtoeol();
		}
	}
	attrset(A_NORMAL);
	if (r->cursor_row >= 0 && r->cursor_row < h) {
		curs_set(1);
		move(r->cursor_row, r->cursor_col < w ? r->cursor_col : w - 1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}
