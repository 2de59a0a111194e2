/*
 * tui/keymap.c - the default key bindings and their lookup.
 *
 * Habits of htop, tig and mutt: arrows and vi keys, q goes back, / searches
 * (where there is something to search: Maps, the editor; Live filters),
 * ? and F1 help.  Apply is F5 and A on every screen.  Screen bindings come
 * first in the table; generic (SCREEN_ANY) bindings are the fallback.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/keymap.h"

static const char *const names[] = {
#define ACTION(id, name, help) name,
#include "tui/action.h"
#undef ACTION
};

static const char *const helps[] = {
#define ACTION(id, name, help) help,
#include "tui/action.h"
#undef ACTION
};

static const struct keybind bindings[] = {
	/* Maps */
	{ SCREEN_MAPS, TKEY_ENTER, ACT_ENTER },
	{ SCREEN_MAPS, 'e', ACT_ENTER },
	{ SCREEN_MAPS, 'o', ACT_OPEN_PATH },
	{ SCREEN_MAPS, 'm', ACT_EDIT_MAINCF },
	{ SCREEN_MAPS, 'r', ACT_REFRESH },
	{ SCREEN_MAPS, '/', ACT_SEARCH },
	{ SCREEN_MAPS, 'n', ACT_SEARCH_NEXT },
	{ SCREEN_MAPS, 'N', ACT_SEARCH_PREV },
	/* Table editor */
	{ SCREEN_EDIT, TKEY_ENTER, ACT_EDIT },
	{ SCREEN_EDIT, 'e', ACT_EDIT },
	{ SCREEN_EDIT, 'a', ACT_ADD },
	{ SCREEN_EDIT, 'o', ACT_ADD },
	{ SCREEN_EDIT, 'd', ACT_DELETE },
	{ SCREEN_EDIT, TKEY_DC, ACT_DELETE },
	{ SCREEN_EDIT, 'K', ACT_MOVE_UP },
	{ SCREEN_EDIT, TKEY_SUP, ACT_MOVE_UP },
	{ SCREEN_EDIT, 'J', ACT_MOVE_DOWN },
	{ SCREEN_EDIT, TKEY_SDOWN, ACT_MOVE_DOWN },
	{ SCREEN_EDIT, 'u', ACT_UNDO },
	{ SCREEN_EDIT, TKEY_CTRL('r'), ACT_REDO },
	{ SCREEN_EDIT, 's', ACT_SAVE },
	{ SCREEN_EDIT, 'f', ACT_FILTER },
	{ SCREEN_EDIT, 'H', ACT_HITS },
	{ SCREEN_EDIT, '/', ACT_SEARCH },
	{ SCREEN_EDIT, 'n', ACT_SEARCH_NEXT },
	{ SCREEN_EDIT, 'N', ACT_SEARCH_PREV },
	/* Live rejects */
	{ SCREEN_FEED, TKEY_ENTER, ACT_ENTER },
	{ SCREEN_FEED, 'p', ACT_PAUSE },
	{ SCREEN_FEED, ' ', ACT_PAUSE },
	{ SCREEN_FEED, 'f', ACT_FILTER },
	{ SCREEN_FEED, '/', ACT_FILTER },       /* the list has no search: / filters */
	{ SCREEN_FEED, 'x', ACT_EXCLUDE },
	{ SCREEN_FEED, 'o', ACT_ORDER },
	{ SCREEN_FEED, 'b', ACT_BLOCK_SENDER },
	{ SCREEN_FEED, 'B', ACT_BLOCK_DOMAIN },
	{ SCREEN_FEED, 'c', ACT_BLOCK_CLIENT },
	{ SCREEN_FEED, 'e', ACT_EXPLAIN_EVENT },
	{ SCREEN_FEED, 'w', ACT_ALLOW_SENDER },
	{ SCREEN_FEED, 'W', ACT_ALLOW_DOMAIN },
	{ SCREEN_FEED, 'C', ACT_ALLOW_CLIENT },
	/* Explain */
	{ SCREEN_EXPLAIN, TKEY_ENTER, ACT_EDIT },
	{ SCREEN_EXPLAIN, 'e', ACT_EDIT },
	{ SCREEN_EXPLAIN, 's', ACT_EXPLAIN_MODE },
	{ SCREEN_EXPLAIN, 'g', ACT_JUMP },
	/* scrollable text (apply results, event detail, differences) */
	{ SCREEN_TEXT, 'g', ACT_JUMP },
	{ SCREEN_TEXT, 'y', ACT_CONFIRM },
	{ SCREEN_TEXT, TKEY_ENTER, ACT_JUMP },
	{ SCREEN_TEXT, 'b', ACT_BLOCK_SENDER },
	{ SCREEN_TEXT, 'B', ACT_BLOCK_DOMAIN },
	{ SCREEN_TEXT, 'c', ACT_BLOCK_CLIENT },
	{ SCREEN_TEXT, 'e', ACT_EXPLAIN_EVENT },
	{ SCREEN_TEXT, 'w', ACT_ALLOW_SENDER },
	{ SCREEN_TEXT, 'W', ACT_ALLOW_DOMAIN },
	{ SCREEN_TEXT, 'C', ACT_ALLOW_CLIENT },
	/* generic */
	{ SCREEN_ANY, 'q', ACT_QUIT },
	{ SCREEN_ANY, TKEY_ESC, ACT_QUIT },
	{ SCREEN_ANY, 'Q', ACT_QUIT_ALL },
	{ SCREEN_ANY, '?', ACT_HELP },
	{ SCREEN_ANY, TKEY_F1, ACT_HELP },
	{ SCREEN_ANY, TKEY_UP, ACT_UP },
	{ SCREEN_ANY, 'k', ACT_UP },
	{ SCREEN_ANY, TKEY_DOWN, ACT_DOWN },
	{ SCREEN_ANY, 'j', ACT_DOWN },
	{ SCREEN_ANY, TKEY_PGUP, ACT_PAGE_UP },
	{ SCREEN_ANY, TKEY_CTRL('b'), ACT_PAGE_UP },
	{ SCREEN_ANY, TKEY_PGDN, ACT_PAGE_DOWN },
	{ SCREEN_ANY, TKEY_CTRL('f'), ACT_PAGE_DOWN },
	{ SCREEN_ANY, TKEY_HOME, ACT_HOME },
	{ SCREEN_ANY, 'g', ACT_HOME },
	{ SCREEN_ANY, TKEY_END, ACT_END },
	{ SCREEN_ANY, 'G', ACT_END },
	{ SCREEN_ANY, '1', ACT_SCREEN_MAPS },
	{ SCREEN_ANY, '2', ACT_SCREEN_FEED },
	{ SCREEN_ANY, '3', ACT_SCREEN_EXPLAIN },
	{ SCREEN_ANY, TKEY_TAB, ACT_NEXT_SCREEN },
	{ SCREEN_ANY, 'A', ACT_APPLY },
	{ SCREEN_ANY, TKEY_F5, ACT_APPLY },
	{ SCREEN_ANY, TKEY_CTRL('l'), ACT_REFRESH },
};

static const char *const screen_names[SCREEN_NKINDS] = {
	"every screen", "Maps", "Table editor", "Live rejects", "Explain", "Help", "Text views",
};

const char *
action_name(enum action a)
{
	return (unsigned)a < ACT_NCODES ? names[a] : "?";
}

const char *
action_help(enum action a)
{
	return (unsigned)a < ACT_NCODES ? helps[a] : "?";
}

const char *
screen_kind_name(enum screen_kind s)
{
	return (unsigned)s < SCREEN_NKINDS ? screen_names[s] : "?";
}

enum action
keymap_lookup(enum screen_kind screen, int key)
{
	size_t i;

	for (i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].screen == screen && bindings[i].key == key)
			return bindings[i].action;
	for (i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].screen == SCREEN_ANY && bindings[i].key == key)
			return bindings[i].action;
	return ACT_NONE;
}

const char *
keymap_key_name(int key, char *buf, size_t size)
{
	static const char *const special[] = {
		"Up", "Down", "Left", "Right", "PgUp", "PgDn", "Home", "End",
		"Enter", "Backspace", "Del", "Ins", "S-Tab", "S-Up", "S-Down",
		"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
	};

	if (key >= TKEY_BASE && key < TKEY_RESIZE)
		snprintf(buf, size, "%s", special[key - TKEY_BASE]);
	else if (key == TKEY_ESC)
		snprintf(buf, size, "Esc");
	else if (key == TKEY_TAB)
		snprintf(buf, size, "Tab");
	else if (key == ' ')
		snprintf(buf, size, "Space");
	else if (key > 0 && key < 32)
		snprintf(buf, size, "C-%c", key + 'a' - 1);
	else if (key >= 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "U+%04X", (unsigned)key);
	return buf;
}

/* shadowed - KEY on SCREEN is bound to something else by the screen itself */
static int
shadowed(enum screen_kind screen, int key)
{
	size_t i;

	for (i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].screen == screen && bindings[i].key == key)
			return 1;
	return 0;
}

const char *
keymap_keys_for(enum screen_kind screen, enum action a, char *buf, size_t size)
{
	char k[16];
	size_t i, len = 0;
	int pass;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++) {
			const struct keybind *b = &bindings[i];

			if (b->action != a)
				continue;
			if (pass == 0 && b->screen != screen)
				continue;
			if (pass == 1 && (b->screen != SCREEN_ANY || screen == SCREEN_ANY ||
					  shadowed(screen, b->key)))
				continue;
			keymap_key_name(b->key, k, sizeof(k));
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? "," : "", k);
			if (len >= size) {
				buf[size - 1] = '\0';
				return buf;
			}
		}
	}
	return buf;
}

const struct keybind *
keymap_bindings(size_t *n)
{
	*n = sizeof(bindings) / sizeof(bindings[0]);
	return bindings;
}
