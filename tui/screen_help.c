/*
 * tui/screen_help.c - the help screen, generated from the action table
 * and the default bindings (tui/action.h, tui/keymap.c): the keys of the
 * screen it was opened from first, then the keys of every screen.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/app.h"

static void
add_section(struct screen_text *t, enum screen_kind kind)
{
	const struct keybind *b;
	struct row *row;
	bool seen[ACT_NCODES];
	size_t n, i;
	char keys[64];

	b = keymap_bindings(&n);
	row = screen_text_row(t, ROLE_NORMAL);
	if (row)
		rows_addf(row, ROLE_HEADER, "%s", screen_kind_name(kind));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		if (b[i].screen != kind || seen[b[i].action])
			continue;
		seen[b[i].action] = true;
		keys[0] = '\0';
		{
			size_t j, len = 0;
			char k[16];

			for (j = 0; j < n; j++) {
				if (b[j].screen != kind || b[j].action != b[i].action)
					continue;
				keymap_key_name(b[j].key, k, sizeof(k));
				len += (size_t)snprintf(keys + len, len < sizeof(keys) ? sizeof(keys) - len : 0,
							"%s%s", len ? " " : "", k);
				if (len >= sizeof(keys))
					break;
			}
		}
		row = screen_text_row(t, ROLE_NORMAL);
		if (!row)
			return;
		rows_addf(row, ROLE_KEYNAME, "  %-14s", keys);
		rows_addf(row, ROLE_NORMAL, " %-14s %s", action_name(b[i].action),
			  action_help(b[i].action));
	}
	screen_text_row(t, ROLE_NORMAL);
}

struct screen *
screen_help_new(enum screen_kind kind_for)
{
	struct screen_text *t = screen_text_new("Help", NULL, NULL, NULL);
	struct row *row;
	int k;

	if (!t)
		return NULL;
	screen_text_set_kind(t, SCREEN_HELP);
	row = screen_text_row(t, ROLE_NORMAL);
	if (row)
		rows_add(row, ROLE_NORMAL, "pfconsole: edit the access tables main.cf uses, watch live "
			 "rejects, apply with one key.");
	row = screen_text_row(t, ROLE_NORMAL);
	if (row)
		rows_add(row, ROLE_DIM, "In text fields: Enter accept, Esc cancel, Tab complete, "
			 "C-a/C-e start/end, C-u/C-k kill, C-w word.");
	screen_text_row(t, ROLE_NORMAL);
	if (kind_for != SCREEN_ANY && kind_for != SCREEN_HELP)
		add_section(t, kind_for);
	add_section(t, SCREEN_ANY);
	for (k = SCREEN_MAPS; k < SCREEN_NKINDS; k++)
		if (k != (int)kind_for && k != SCREEN_HELP)
			add_section(t, (enum screen_kind)k);
	return screen_text_screen(t);
}
