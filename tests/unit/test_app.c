/* tests/unit/test_app.c - the console's model without a terminal: keymap,
 * rows, the one-line editor, the layout of the whole screen at 80x24
 * (title, body, status, key line, with their roles), help generated from
 * the action table, text screens that wrap, hostile text made harmless. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tui/app.h"
#include "tui/keymap.h"
#include "tui/rows.h"

/* row_text - row I of R as a C string ("" past the end) */
static const char *
row_text(const struct rows *r, size_t i)
{
	return i < r->n ? r->v[i].text.buf : "";
}

/* find_row - the first row containing NEEDLE, or -1 */
static int
find_row(const struct rows *r, const char *needle)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strstr(r->v[i].text.buf, needle))
			return (int)i;
	return -1;
}

static void
test_keymap(void **state)
{
	char buf[64];

	(void)state;
	/* screen bindings first, then the generic ones */
	assert_int_equal(keymap_lookup(SCREEN_EDIT, 'd'), ACT_DELETE);
	assert_int_equal(keymap_lookup(SCREEN_FEED, 'p'), ACT_PAUSE);
	assert_int_equal(keymap_lookup(SCREEN_FEED, 'q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(SCREEN_MAPS, TKEY_F5), ACT_APPLY);
	assert_int_equal(keymap_lookup(SCREEN_EDIT, 'A'), ACT_APPLY);
	assert_int_equal(keymap_lookup(SCREEN_ANY, 'd'), ACT_NONE);
	assert_int_equal(keymap_lookup(SCREEN_EDIT, TKEY_CTRL('r')), ACT_REDO);
	/* Apply is on every screen */
	for (int k = SCREEN_ANY; k < SCREEN_NKINDS; k++)
		assert_int_equal(keymap_lookup((enum screen_kind)k, TKEY_F5), ACT_APPLY);
	assert_string_equal(keymap_keys_for(SCREEN_MAPS, ACT_HELP, buf, sizeof(buf)), "?,F1");
	assert_string_equal(keymap_keys_for(SCREEN_EDIT, ACT_UP, buf, sizeof(buf)), "Up,k");
	/* an own binding shadows the generic key of the same name */
	assert_string_equal(keymap_keys_for(SCREEN_TEXT, ACT_HOME, buf, sizeof(buf)), "Home");
	assert_string_equal(keymap_key_name(TKEY_CTRL('r'), buf, sizeof(buf)), "C-r");
	assert_string_equal(keymap_key_name(TKEY_ESC, buf, sizeof(buf)), "Esc");
	assert_string_equal(action_name(ACT_BLOCK_DOMAIN), "block-domain");
}

static void
test_rows_width(void **state)
{
	struct rows r;
	struct row *row;

	(void)state;
	rows_init(&r);
	assert_int_equal(text_width("", 0), 0);
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87", 6), 4);    /* two CJK: 2 cells each */
	assert_int_equal(text_width("\xc3\xa9", 2), 1);                    /* é */
	assert_int_equal((int)text_fit("\xe4\xb8\xad\xe6\x96\x87", 6, 3), 3);  /* never half a character */
	assert_int_equal(text_width("\xff", 1), 1);                        /* invalid byte: one cell */
	row = rows_new(&r, ROLE_NORMAL);
	assert_non_null(row);
	assert_int_equal(rows_add(row, ROLE_ERROR, "bad"), 0);
	assert_int_equal(rows_add(row, ROLE_ERROR, "!"), 0);   /* merged into one span */
	assert_int_equal(rows_add(row, ROLE_OK, "ok"), 0);
	assert_int_equal((int)row->nspans, 2);
	assert_int_equal(rows_role_at(row, 3), ROLE_ERROR);
	assert_int_equal(rows_role_at(row, 4), ROLE_OK);
	assert_int_equal(rows_pad(row, ROLE_NORMAL, 10), 0);
	assert_int_equal(rows_width(row), 10);
	rows_fini(&r);
}

static void
test_hostile_bytes(void **state)
{
	struct rows r;
	struct row *row;
	size_t i;

	(void)state;
	rows_init(&r);
	row = rows_new(&r, ROLE_NORMAL);
	/* an escape sequence that would clear the screen, a BEL, invalid UTF-8 */
	assert_int_equal(rows_add_bytes(row, ROLE_NORMAL, "a\x1b[2Jb\x07\xff", 8), 0);
	for (i = 0; i < row->text.len; i++)
		assert_true((unsigned char)row->text.buf[i] >= 0x20);
	assert_non_null(strstr(row->text.buf, "^[[2J"));
	assert_non_null(strstr(row->text.buf, "\\xFF") ? strstr(row->text.buf, "\\xFF")
		       : strstr(row->text.buf, "\\xff"));
	rows_fini(&r);
}

static char accepted[256];

static unsigned
on_accept(struct app *app, void *ctx, const char *text)
{
	(void)app;
	(void)ctx;
	snprintf(accepted, sizeof(accepted), "%s", text);
	return APP_REDRAW;
}

static int changes;

static unsigned
on_change(struct app *app, void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	changes++;
	app_prompt_set_note(app, ROLE_OK, "ok");
	return APP_REDRAW;
}

static void
keys(struct app *app, const int *k)
{
	for (; *k; k++)
		app_key(app, *k);
}

static void
test_prompt(void **state)
{
	struct app app;
	const int k1[] = { 'q', 'q', '.', TKEY_LEFT, TKEY_LEFT, TKEY_BACKSPACE, 0xe9, TKEY_END,
			   'c', 'o', 'm', 0 };
	const int k2[] = { TKEY_CTRL('w'), 'x', 'y', TKEY_HOME, TKEY_DC, TKEY_ENTER, 0 };

	(void)state;
	app_init(&app, "/etc/postfix");
	changes = 0;
	app_prompt_text(&app, NULL, "edit: ", "", NULL, on_change, on_accept, NULL, NULL);
	assert_int_equal(changes, 1);   /* validated once when opened */
	keys(&app, k1);
	/* "qq." <- <- BS deletes the first q, é goes before the second */
	assert_string_equal(app.prompt.buf.buf, "\xc3\xa9q.com");
	assert_int_equal(app.prompt.cur, app.prompt.buf.len);
	keys(&app, k2);
	assert_int_equal(app.prompt.kind, PROMPT_NONE);
	assert_string_equal(accepted, "y");
	assert_true(changes >= 10);
	/* Esc cancels without accepting */
	accepted[0] = '\0';
	app_prompt_text(&app, NULL, "edit: ", "abc", NULL, NULL, on_accept, NULL, NULL);
	app_key(&app, TKEY_ESC);
	assert_int_equal(app.prompt.kind, PROMPT_NONE);
	assert_string_equal(accepted, "");
	app_fini(&app);
}

static void
test_layout_80x24(void **state)
{
	struct app app;
	struct rows out;

	(void)state;
	app_init(&app, "/etc/postfix");
	rows_init(&out);
	app_push(&app, screen_help_new(SCREEN_EDIT));
	app_render(&app, &out, 80, 24);
	assert_int_equal((int)out.n, 24);
	assert_memory_equal(row_text(&out, 0), " pfconsole | Help ", 18);
	/* the configuration directory at the right edge, one cell short of it */
	assert_string_equal(row_text(&out, 0) + 79 - strlen("/etc/postfix"), "/etc/postfix");
	assert_int_equal(out.v[0].fill, ROLE_TITLE);
	assert_int_equal(rows_role_at(&out.v[0], 2), ROLE_TITLE);
	/* help: the screen it came from first, keys from the keymap */
	{
		int h = find_row(&out, "Table editor"), e = find_row(&out, "Enter e");

		assert_true(h > 0);
		assert_int_equal(rows_role_at(&out.v[h], 0), ROLE_HEADER);
		assert_int_equal(e, h + 1);
		assert_non_null(strstr(row_text(&out, (size_t)e), "edit the selected line"));
		assert_int_equal(rows_role_at(&out.v[e], 2), ROLE_KEYNAME);
	}
	{
		/* the generic keys follow the editor's (a taller terminal: at 24
		 * rows they are below, reached by scrolling) */
		struct rows tall;

		rows_init(&tall);
		app_render(&app, &tall, 80, 60);
		assert_true(find_row(&tall, "every screen") > find_row(&tall, "Enter e"));
		assert_true(find_row(&tall, "Enter e") > 0);
		rows_fini(&tall);
	}
	/* the key line: the generic keys, key names in their own role */
	assert_non_null(strstr(row_text(&out, 23), "? Help A Apply q Quit"));
	assert_int_equal(out.v[23].fill, ROLE_KEYS);
	/* a status message on the line above it */
	app_status(&app, ROLE_ERROR, "not saved: 1 error");
	app_render(&app, &out, 80, 24);
	assert_string_equal(row_text(&out, 22), "not saved: 1 error");
	assert_int_equal(rows_role_at(&out.v[22], 0), ROLE_ERROR);
	/* read-only: a banner row */
	app.readonly = true;
	snprintf(app.readonly_why, sizeof(app.readonly_why), "cannot write /etc/postfix");
	app_render(&app, &out, 80, 24);
	assert_int_equal((int)out.n, 24);
	assert_non_null(strstr(row_text(&out, 0), "READ-ONLY"));
	assert_string_equal(row_text(&out, 1),
			    " read-only: cannot write /etc/postfix; everything but saving works");
	assert_int_equal(out.v[1].fill, ROLE_BANNER);
	/* too small */
	app_render(&app, &out, 79, 24);
	assert_string_equal(row_text(&out, 0), "terminal too small: 79x24");
	/* while too small nothing acts on the hidden screen: q (back), A
	 * (Apply), a prompt's keys; only Q leaves */
	assert_false(app_key(&app, 'q') & APP_QUIT);
	assert_int_equal(app.depth, 1);
	app.status[0] = '\0';
	app_key(&app, 'A');     /* without hooks it would say "not available" */
	assert_string_equal(app.status, "");
	assert_true(app_key(&app, 'Q') & APP_QUIT);
	/* at 80x24 again q leaves the help screen, and with nothing left the console */
	app_render(&app, &out, 80, 24);
	assert_true(app_key(&app, 'q') & APP_QUIT);
	rows_fini(&out);
	app_fini(&app);
}

static void
test_text_wraps(void **state)
{
	struct screen_text *t = screen_text_new("Apply", NULL, NULL, NULL);
	struct app app;
	struct rows out;
	struct row *row;
	char longtext[200];

	(void)state;
	memset(longtext, 'x', sizeof(longtext));
	memcpy(longtext + 60, " ", 1);
	longtext[150] = '\0';
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_ERROR, longtext);
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_OK, "next");
	app_init(&app, "/x");
	rows_init(&out);
	app_push(&app, screen_text_screen(t));
	app_render(&app, &out, 80, 24);
	/* broken after the space, continuation indented */
	assert_int_equal((int)strlen(row_text(&out, 1)), 61);
	assert_memory_equal(row_text(&out, 2), "    xxxx", 8);
	assert_int_equal(rows_role_at(&out.v[2], 5), ROLE_ERROR);
	assert_string_equal(row_text(&out, 3), "    xxxxxxxxxxxxx");
	assert_string_equal(row_text(&out, 4), "next");
	/* a screen with more keys than fit: its own keys give way, the
	 * generic ones (help, apply, back) always stay */
	{
		static const enum action many[] = {
			ACT_JUMP, ACT_BLOCK_SENDER, ACT_BLOCK_DOMAIN, ACT_BLOCK_CLIENT,
			ACT_ALLOW_SENDER, ACT_ALLOW_DOMAIN, ACT_ALLOW_CLIENT, ACT_UP, ACT_DOWN,
			ACT_NONE
		};

		screen_text_keyline(t, many);
		app_render(&app, &out, 80, 24);
		assert_non_null(strstr(row_text(&out, 23), "? Help A Apply q Quit"));
		assert_non_null(strstr(row_text(&out, 23), "g GoToLine"));
		assert_true(rows_width(&out.v[23]) <= 80);
	}
	rows_fini(&out);
	app_fini(&app);
}

/* every line of a text taller than the screen can be reached, also when
 * its rows wrap to several screen lines each; continuation lines are
 * indented under their parent and words are not split */
static void
test_text_scrolls_to_end(void **state)
{
	struct screen_text *t = screen_text_new("Apply", NULL, NULL, NULL);
	struct app app;
	struct rows out;
	struct row *row;
	char line[400];
	int i, k, last;

	(void)state;
	for (i = 0; i < 30; i++) {
		/* each row wraps to three or four lines at 80 columns */
		snprintf(line, sizeof(line), "row %02d", i);
		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_NORMAL, line);
		for (k = 0; k < 24; k++)
			rows_add(row, ROLE_NORMAL, " wordy");
		rows_add(row, ROLE_ERROR, " indivisibleword");
	}
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_NORMAL, "  trail: parent indented by two, a long line that wraps to "
		 "the next screen line and must stay under its parent's text, not left of it");
	row = screen_text_row(t, ROLE_NORMAL);
	rows_add(row, ROLE_OK, "THE LAST LINE");
	app_init(&app, "/x");
	rows_init(&out);
	app_push(&app, screen_text_screen(t));
	app_render(&app, &out, 80, 24);
	/* page down until nothing changes: the last line is then on screen */
	for (i = 0; i < 100; i++) {
		app_key(&app, TKEY_PGDN);
		app_render(&app, &out, 80, 24);
	}
	last = find_row(&out, "THE LAST LINE");
	assert_true(last > 0);
	assert_int_equal(last, 21);     /* on the last body line, not beyond */
	/* the trail line's continuation: under its text (2 + 4), whole words */
	i = find_row(&out, "  trail:");
	assert_true(i > 0);
	assert_memory_equal(row_text(&out, (size_t)i + 1), "      ", 6);
	assert_true(row_text(&out, (size_t)i + 1)[6] != ' ');
	/* words are whole: every word above the trail line is one we wrote */
	for (k = 1; k < i; k++) {
		char copy[200], *w, *save;

		snprintf(copy, sizeof(copy), "%s", row_text(&out, (size_t)k));
		for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
			assert_true(!strcmp(w, "row") || !strcmp(w, "wordy") ||
				    !strcmp(w, "indivisibleword") || (strlen(w) == 2 && w[0] >= '0' && w[0] <= '9'));
	}
	/* End goes there at once from the top; Home back */
	app_key(&app, TKEY_HOME);
	app_render(&app, &out, 80, 24);
	assert_true(find_row(&out, "row 00") == 1);
	app_key(&app, TKEY_END);
	app_render(&app, &out, 80, 24);
	assert_int_equal(find_row(&out, "THE LAST LINE"), 21);
	rows_fini(&out);
	app_fini(&app);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keymap),
		cmocka_unit_test(test_rows_width),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_layout_80x24),
		cmocka_unit_test(test_text_wraps),
		cmocka_unit_test(test_text_scrolls_to_end),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
