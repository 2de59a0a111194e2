/*
 * tui/keymap.h - keys and the actions they trigger, per screen.
 *
 * A key is an int: a Unicode code point for characters (control keys are
 * 1..31, Ctrl-X = KEY_CTRL('x')), or one of the KEY_* values below for
 * function and cursor keys (term.c translates curses codes into these, so
 * nothing else sees curses).  keymap_lookup() tries the screen's own
 * bindings, then the generic ones.  The table is data; the help screen and
 * the man page's key list are generated from it.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stddef.h>

enum action {
#define ACTION(id, name, help) ACT_##id,
#include "tui/action.h"
#undef ACTION
	ACT_NCODES
};

/* Screens that may carry their own bindings. */
enum screen_kind {
	SCREEN_ANY,     /* generic fallback */
	SCREEN_MAPS,
	SCREEN_EDIT,
	SCREEN_FEED,
	SCREEN_EXPLAIN,
	SCREEN_HELP,
	SCREEN_TEXT,    /* scrollable text: apply results, event detail, diff */
	SCREEN_NKINDS
};

enum {
	TKEY_BASE = 0x200000,   /* above every Unicode code point */
	TKEY_UP = TKEY_BASE, TKEY_DOWN, TKEY_LEFT, TKEY_RIGHT,
	TKEY_PGUP, TKEY_PGDN, TKEY_HOME, TKEY_END,
	TKEY_ENTER, TKEY_BACKSPACE, TKEY_DC, TKEY_IC, TKEY_BTAB,
	TKEY_SUP, TKEY_SDOWN,
	TKEY_F1, TKEY_F2, TKEY_F3, TKEY_F4, TKEY_F5, TKEY_F6,
	TKEY_F7, TKEY_F8, TKEY_F9, TKEY_F10, TKEY_F11, TKEY_F12,
	TKEY_RESIZE,            /* the terminal changed size */
	TKEY_NONE,              /* nothing (timeout, unknown key) */
};
#define TKEY_CTRL(c) ((c) & 0x1f)
#define TKEY_ESC 27
#define TKEY_TAB 9

struct keybind {
	enum screen_kind screen;
	int key;
	enum action action;
};

const char *action_name(enum action a);
const char *action_help(enum action a);

/* keymap_lookup - the action KEY triggers on SCREEN (ACT_NONE if none) */
enum action keymap_lookup(enum screen_kind screen, int key);

/* keymap_key_name - "q", "C-r", "F5", "Up", "Enter"... into BUF */
const char *keymap_key_name(int key, char *buf, size_t size);

/* keymap_keys_for - the names of every key bound to A on SCREEN (its own
 * bindings first, then generic ones not shadowed), "k,Up" style, into BUF */
const char *keymap_keys_for(enum screen_kind screen, enum action a, char *buf, size_t size);

/* keymap_bindings - the default table (for help); *N gets its length */
const struct keybind *keymap_bindings(size_t *n);

const char *screen_kind_name(enum screen_kind s);

#endif
