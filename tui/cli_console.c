/*
 * tui/cli_console.c - `pfconsole [-c DIR]` with no command: the console.
 *
 * pfconsole [-c DIR] [console] [--log SPEC] [--read-only]
 * Sets up the engine (console.c), the watcher for external changes, the
 * live feed on the log `feed` would choose, the terminal, and runs the
 * loop.  Exit status: 0 normal exit, 1 the console could not start (TERM
 * unusable, no terminal), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/logsrc.h"
#include "core/merge.h"
#include "core/watch.h"
#include "tui/cli.h"
#include "tui/console.h"
#include "tui/loop.h"
#include "tui/term.h"
#include "util/safeopen.h"

static struct console the_console;

static unsigned
hook_screen(struct app *app, enum action a)
{
	struct console *con = app->con;
	struct screen *base = app->depth ? app->stack[0] : NULL;
	enum screen_kind cur = base ? base->ops->kind : SCREEN_MAPS;
	enum screen_kind want;

	switch (a) {
	case ACT_SCREEN_MAPS: want = SCREEN_MAPS; break;
	case ACT_SCREEN_FEED: want = SCREEN_FEED; break;
	case ACT_SCREEN_EXPLAIN: want = SCREEN_EXPLAIN; break;
	default:
		want = cur == SCREEN_MAPS ? SCREEN_FEED : cur == SCREEN_FEED ? SCREEN_EXPLAIN
									      : SCREEN_MAPS;
		break;
	}
	if (app->depth == 1 && cur == want)
		return 0;
	/* editors keep their documents in the console: nothing is lost */
	app_replace_base(app, want == SCREEN_MAPS ? screen_maps_new(con) :
			      want == SCREEN_FEED ? screen_feed_new(con) :
						    screen_explain_new(con));
	return APP_REDRAW;
}

static unsigned
quit_answer(struct app *app, void *ctx, int key)
{
	struct console *con = ctx;
	size_t i;
	char why[512];

	app_prompt_close(app);
	if (key == 'd' || key == 'y')
		return APP_QUIT;
	if (key == 's') {
		for (i = 0; i < con->ndocs; i++) {
			if (!console_doc_dirty(con->docs[i]))
				continue;
			if (console_doc_save(con, con->docs[i], why, sizeof(why)) != 0) {
				app_status(app, ROLE_ERROR, "%s", why);
				return APP_REDRAW;
			}
		}
		return APP_QUIT;
	}
	app_status(app, ROLE_NORMAL, "not leaving");
	return APP_REDRAW;
}

static unsigned
hook_quit_all(struct app *app)
{
	struct console *con = app->con;
	size_t n = console_unsaved(con);

	if (n == 0)
		return APP_QUIT;
	if (app->depth == 0)
		app_push(app, screen_maps_new(con));
	app_prompt_choice(app, NULL, "", con, quit_answer);
	if (app->readonly)      /* nothing can be saved: s is not offered */
		snprintf(app->prompt.label, sizeof(app->prompt.label),
			 "%zu table%s with unsaved edits, read-only (no saving): "
			 "d discard and quit, c cancel ", n, n == 1 ? "" : "s");
	else
		snprintf(app->prompt.label, sizeof(app->prompt.label),
			 "%zu table%s with unsaved edits: s save all and quit, d discard and quit, "
			 "c cancel ", n, n == 1 ? "" : "s");
	return APP_REDRAW;
}

static unsigned
hook_refresh(struct app *app)
{
	console_load(app->con);
	return APP_REDRAW;
}

static const struct app_hooks hooks = {
	.screen = hook_screen,
	.apply = console_apply,
	.quit_all = hook_quit_all,
	.refresh = hook_refresh,
	.cancel = console_impact_cancel,
};

/* conflict resolution for a document changed on disk under unsaved edits */
struct conflict_ctx {
	struct console *con;
	struct con_doc *doc;
	bool diff_shown;
	bool confirm_keep;          /* k asked: their changes would be dropped */
	/* a three-way merge waiting for choices on its conflicts */
	struct merge mg;
	struct strbuf theirs;
	struct strbuf mine;
	enum merge_choice *choice;
	size_t next;                /* the conflict asked about now */
	bool merging;
};

static struct conflict_ctx pending_conflict;

static void console_take_theirs(struct console *con, struct con_doc *d);
static void show_difference(struct app *app, struct con_doc *d);
static unsigned merge_start(struct app *app, struct conflict_ctx *c);
static void conflict_label(struct app *app, struct conflict_ctx *c);

/* write_mine - the unsaved buffer to a NEW file named PATH (or PATH.1 ...
 * when that exists: an earlier rescue file is never overwritten, and a
 * planted link is never followed); the name used is put back in PATH */
static int
write_mine(struct con_doc *d, char *path, size_t pathlen)
{
	size_t len, done = 0;
	const char *text = tabledoc_text(d->doc, &len);
	char name[4300];
	int fd = safeopen_create_new(path, name, sizeof(name)), e;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			close(fd);
			unlink(name);
			errno = e;
			return -1;
		}
		done += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		return -1;
	if (strlen(name) < pathlen)
		memcpy(path, name, strlen(name) + 1);
	return 0;
}

static unsigned
conflict_answer(struct app *app, void *ctx, int key)
{
	struct conflict_ctx *c = ctx;
	struct con_doc *d = c->doc;
	char why[512], mine[4300];
	int rc;

	if (c->confirm_keep) {
		if (key == 'm') {
			c->confirm_keep = false;
			return merge_start(app, c);
		}
		c->confirm_keep = false;
		if (key != 'y') {
			conflict_label(app, c);
			return APP_REDRAW;
		}
		key = 'k';
		goto keep;
	}
	if (key == 'm')
		return merge_start(app, c);
	if (key != 'k' && key != 't' && key != 'd')
		return APP_REDRAW;
	if (key == 'k') {
		/* their changes would only be in FILE~: say so, and how many */
		struct tabledoc *disk = NULL;
		struct map_error err;
		struct merge mg;
		size_t mlen, theirs = 0;
		const char *mtext = tabledoc_text(d->doc, &mlen);

		memset(&err, 0, sizeof(err));
		if (tabledoc_load(&disk, d->path, tabledoc_get_syntax(d->doc), NULL, &err) == 0) {
			size_t tlen;
			const char *ttext = tabledoc_text(disk, &tlen);

			if (merge3(d->base.buf, d->base.len, ttext, tlen, mtext, mlen, 100000, &mg) == 0) {
				theirs = mg.ntheirs + mg.nconflicts;
				merge_fini(&mg);
			} else {
				theirs = 1;
			}
			tabledoc_free(disk);
		}
		if (theirs) {
			c->confirm_keep = true;
			const char *bn = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;

			snprintf(app->prompt.label, sizeof(app->prompt.label),
				 "their %zu change%s would only be in %s~: y drop, m merge, else back ",
				 theirs, theirs == 1 ? "" : "s", bn);
			return APP_REDRAW;
		}
	}
	if (key == 'd') {
		if (!c->diff_shown)
			show_difference(app, d);
		c->diff_shown = true;
		return APP_REDRAW;
	}
keep:
	app_prompt_close(app);
	if (c->diff_shown) {
		app_pop(app);
		c->diff_shown = false;
	}
	d->conflict = false;
	if (key == 'k') {
		/* mine wins: saved over theirs, which stays in FILE~ */
		d->force_save = true;
		rc = console_doc_save(c->con, d, why, sizeof(why));
		if (rc == 0)
			app_status(app, ROLE_WARNING, "kept your edits and saved them; the other "
				   "version (not live) is in %s~", d->path);
		else
			app_status(app, ROLE_WARNING, "your edits are kept (%s); saving will replace "
				   "the version on disk", why);
		return APP_REDRAW;
	}
	/* theirs wins: mine is written next to it first */
	snprintf(mine, sizeof(mine), "%s.pfconsole-mine", d->path);
	if (write_mine(d, mine, sizeof(mine)) < 0) {
		d->conflict = true;
		app_status(app, ROLE_ERROR, "cannot keep your version in %s: %s; nothing changed",
			   mine, strerror(errno));
		return APP_REDRAW;
	}
	console_take_theirs(c->con, d);
	app_status(app, ROLE_WARNING, "took the version on disk; yours is in %s", mine);
	return APP_REDRAW;
}

static void
console_take_theirs(struct console *con, struct con_doc *d)
{
	struct tabledoc *nd = NULL;
	struct map_error err;

	memset(&err, 0, sizeof(err));
	if (tabledoc_load(&nd, d->path, tabledoc_get_syntax(d->doc), NULL, &err) < 0)
		return;
	console_doc_take(con, d, nd);
	console_load(con);
}

/* show_difference - a text screen: lines only in mine (+) and only on disk (-) */
static void
show_difference(struct app *app, struct con_doc *d)
{
	struct screen_text *t = screen_text_new("Difference: yours (+) and on disk (-)", NULL,
						 NULL, NULL);
	struct tabledoc *disk = NULL;
	struct map_error err;
	struct row *row;
	size_t i, j, n1, n2, l1, l2;

	if (!t)
		return;
	memset(&err, 0, sizeof(err));
	if (tabledoc_load(&disk, d->path, tabledoc_get_syntax(d->doc), NULL, &err) < 0) {
		row = screen_text_row(t, ROLE_NORMAL);
		rows_addf(row, ROLE_ERROR, "cannot read %s: %s", d->path, err.text);
	} else {
		n1 = tabledoc_count(d->doc);
		n2 = tabledoc_count(disk);
		for (i = 0; i < n1; i++) {
			const char *a = tabledoc_item_text(d->doc, i, &l1);
			bool found = false;

			for (j = 0; j < n2 && !found; j++) {
				const char *b = tabledoc_item_text(disk, j, &l2);

				found = l1 == l2 && memcmp(a, b, l1) == 0;
			}
			if (!found && (row = screen_text_row(t, ROLE_NORMAL))) {
				rows_add(row, ROLE_ADDED, "+ ");
				rows_add_bytes(row, ROLE_ADDED, a, l1 && a[l1 - 1] == '\n' ? l1 - 1 : l1);
			}
		}
		for (j = 0; j < n2; j++) {
			const char *b = tabledoc_item_text(disk, j, &l2);
			bool found = false;

			for (i = 0; i < n1 && !found; i++) {
				const char *a = tabledoc_item_text(d->doc, i, &l1);

				found = l1 == l2 && memcmp(a, b, l1) == 0;
			}
			if (!found && (row = screen_text_row(t, ROLE_NORMAL))) {
				rows_add(row, ROLE_REMOVED, "- ");
				rows_add_bytes(row, ROLE_REMOVED, b, l2 && b[l2 - 1] == '\n' ? l2 - 1 : l2);
			}
		}
		tabledoc_free(disk);
	}
	app_push(app, screen_text_screen(t));
}

void
console_conflict(struct app *app, struct console *con, struct con_doc *d)
{
	const char *base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;

	(void)base;
	d->conflict = true;
	pending_conflict.con = con;
	pending_conflict.doc = d;
	pending_conflict.diff_shown = false;
	pending_conflict.confirm_keep = false;
	app_prompt_choice(app, NULL, "", &pending_conflict, conflict_answer);
	conflict_label(app, &pending_conflict);
}

static void
conflict_label(struct app *app, struct conflict_ctx *c)
{
	const char *p = c->doc->path, *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;

	snprintf(app->prompt.label, sizeof(app->prompt.label),
		 "%s changed on disk under your edits: m merge, k keep mine, t theirs, d diff ",
		 base);
}

static void
merge_clear(struct conflict_ctx *c)
{
	merge_fini(&c->mg);
	strbuf_fini(&c->theirs);
	strbuf_fini(&c->mine);
	free(c->choice);
	c->choice = NULL;
	c->merging = false;
}

/* merge_finish - the merged text becomes the buffer (unsaved), based on
 * the version on disk now */
static unsigned
merge_finish(struct app *app, struct conflict_ctx *c)
{
	struct con_doc *d = c->doc;
	struct tabledoc *nd = NULL;
	struct map_error err;
	struct strbuf out;
	size_t nconf = c->mg.nconflicts, nt = c->mg.ntheirs, nm = c->mg.nmine;

	strbuf_init(&out);
	memset(&err, 0, sizeof(err));
	if (merge_text(&c->mg, d->base.buf, c->theirs.buf, c->mine.buf, c->choice, &out) < 0 ||
	    tabledoc_load(&nd, d->path, tabledoc_get_syntax(d->doc), NULL, &err) < 0) {
		app_status(app, ROLE_ERROR, "merge failed: %s; nothing changed",
			   err.text[0] ? err.text : strerror(errno));
		strbuf_fini(&out);
		merge_clear(c);
		console_conflict(app, c->con, d);
		return APP_REDRAW;
	}
	if (c->diff_shown) {
		app_pop(app);
		c->diff_shown = false;
	}
	/* theirs is the new base; the merge result is an unsaved edit on it */
	console_doc_take(c->con, d, nd);
	tabledoc_set_text(d->doc, out.buf, out.len);
	d->clean_at = (size_t)-1;
	console_doc_validate(c->con, d);
	strbuf_fini(&out);
	merge_clear(c);
	console_load(c->con);
	app_status(app, ROLE_OK, "merged: %zu change%s from disk, %zu of yours%s%zu conflict%s chosen; "
		   "not saved yet (s saves)", nt, nt == 1 ? "" : "s", nm, nconf ? ", " : ", ",
		   nconf, nconf == 1 ? "" : "s");
	return APP_REDRAW;
}

/* show_conflict - a text screen with conflict K: the version loaded, theirs, mine */
static void
show_conflict(struct app *app, struct conflict_ctx *c, size_t k)
{
	struct screen_text *t;
	const struct merge_chunk *ch = NULL;
	struct row *row;
	size_t i, n = 0;
	char title[128];

	for (i = 0; i < c->mg.n; i++)
		if (c->mg.v[i].kind == MERGE_CONFLICT && n++ == k)
			ch = &c->mg.v[i];
	if (!ch)
		return;
	snprintf(title, sizeof(title), "Merge: conflict %zu of %zu", k + 1, c->mg.nconflicts);
	t = screen_text_new(title, NULL, NULL, NULL);
	if (!t)
		return;
	{
		static const char *const names[3] = { "loaded (both started from)", "theirs (on disk)",
						       "mine (unsaved)" };
		const char *text[3] = { c->doc->base.buf + ch->base_off, c->theirs.buf + ch->theirs_off,
					c->mine.buf + ch->mine_off };
		size_t len[3] = { ch->base_len, ch->theirs_len, ch->mine_len };
		size_t line[3] = { ch->base_line, ch->theirs_line, ch->mine_line };
		enum role role[3] = { ROLE_DIM, ROLE_REMOVED, ROLE_ADDED };
		int s;

		row = screen_text_row(t, ROLE_NORMAL);
		rows_add(row, ROLE_NORMAL, "Both sides changed these lines of ");
		rows_add_bytes(row, ROLE_STATUS, c->doc->path, strlen(c->doc->path));
		rows_add(row, ROLE_NORMAL, "; everything else merged by itself.");
		for (s = 0; s < 3; s++) {
			const char *p = text[s], *e = text[s] + len[s];

			screen_text_row(t, ROLE_NORMAL);
			row = screen_text_row(t, ROLE_NORMAL);
			rows_addf(row, ROLE_HEADER, "%s, line %zu:", names[s], line[s]);
			if (p == e) {
				row = screen_text_row(t, ROLE_NORMAL);
				rows_add(row, ROLE_DIM, "  (no lines)");
			}
			while (p < e) {
				const char *nl = memchr(p, '\n', (size_t)(e - p));
				size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);

				row = screen_text_row(t, ROLE_NORMAL);
				rows_add(row, role[s], s == 1 ? "- " : s == 2 ? "+ " : "  ");
				rows_add_bytes(row, role[s], p, l && p[l - 1] == '\r' ? l - 1 : l);
				p += l + (nl != NULL);
			}
		}
	}
	if (c->diff_shown)
		app_pop(app);
	app_push(app, screen_text_screen(t));
	c->diff_shown = true;
}

static unsigned
merge_answer(struct app *app, void *ctx, int key)
{
	struct conflict_ctx *c = ctx;

	if (key != 'm' && key != 't' && key != 'b') {
		if (key == TKEY_ESC || key == TKEY_CTRL('g')) {
			/* back to the first question; nothing changed */
			if (c->diff_shown) {
				app_pop(app);
				c->diff_shown = false;
			}
			merge_clear(c);
			app_prompt_close(app);
			console_conflict(app, c->con, c->doc);
		}
		return APP_REDRAW;
	}
	c->choice[c->next++] = key == 'm' ? MERGE_TAKE_MINE : key == 't' ? MERGE_TAKE_THEIRS
								   : MERGE_TAKE_BOTH;
	if (c->next < c->mg.nconflicts) {
		show_conflict(app, c, c->next);
		snprintf(app->prompt.label, sizeof(app->prompt.label),
			 "conflict %zu of %zu: m mine, t theirs, b both (theirs first), Esc back ",
			 c->next + 1, c->mg.nconflicts);
		return APP_REDRAW;
	}
	app_prompt_close(app);
	return merge_finish(app, c);
}

/* merge_start - three-way merge of the version loaded, theirs and mine */
static unsigned
merge_start(struct app *app, struct conflict_ctx *c)
{
	struct con_doc *d = c->doc;
	struct tabledoc *disk = NULL;
	struct map_error err;
	size_t len;
	const char *text;

	memset(&err, 0, sizeof(err));
	if (tabledoc_load(&disk, d->path, tabledoc_get_syntax(d->doc), NULL, &err) < 0) {
		app_status(app, ROLE_ERROR, "cannot read %s: %s", d->path, err.text);
		return APP_REDRAW;
	}
	strbuf_init(&c->theirs);
	strbuf_init(&c->mine);
	text = tabledoc_text(disk, &len);
	strbuf_add(&c->theirs, text, len);
	tabledoc_free(disk);
	text = tabledoc_text(d->doc, &len);
	strbuf_add(&c->mine, text, len);
	if (merge3(d->base.buf, d->base.len, c->theirs.buf, c->theirs.len, c->mine.buf, c->mine.len,
		   100000, &c->mg) < 0) {
		app_status(app, ROLE_ERROR, "%s: k, t or d",
			   errno == E2BIG ? "the versions differ too much to merge by lines"
					  : "out of memory while merging");
		strbuf_fini(&c->theirs);
		strbuf_fini(&c->mine);
		return APP_REDRAW;
	}
	c->merging = true;
	c->next = 0;
	if (c->mg.nconflicts == 0) {
		app_prompt_close(app);
		return merge_finish(app, c);
	}
	c->choice = calloc(c->mg.nconflicts, sizeof(*c->choice));
	if (!c->choice) {
		merge_clear(c);
		return APP_REDRAW;
	}
	app_prompt_close(app);
	show_conflict(app, c, 0);
	app_prompt_choice(app, NULL, "", c, merge_answer);
	snprintf(app->prompt.label, sizeof(app->prompt.label),
		 "conflict 1 of %zu: m mine, t theirs, b both (theirs first), Esc back ",
		 c->mg.nconflicts);
	return APP_REDRAW;
}

/* on_watch - a watched file changed: reload silently, or ask */
static unsigned
on_watch(struct app *app, void *ctx)
{
	struct console *con = ctx;
	size_t i;
	bool reload = false;

	if (!watch_drain(con->watch))
		return 0;
	for (i = 0; i < con->ndocs; i++) {
		struct con_doc *d = con->docs[i];

		if (tabledoc_changed_on_disk(d->doc) != 1)
			continue;
		if (!console_doc_dirty(d)) {
			console_take_theirs(con, d);
			reload = true;
			continue;
		}
		if (d->conflict && app->prompt.kind == PROMPT_CHOICE)
			continue;
		console_conflict(app, con, d);
	}
	if (!reload)
		console_load(con);
	return APP_REDRAW;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: pfconsole [-c DIR] [console] [-l FILE|journal|-] [-r] [-k]\n"
		"\n"
		"  -l, --log SRC    the mail log for Live: a file, '-' (standard input) or\n"
		"                   'journal' (default: maillog_file, /var/log/mail.log ...)\n"
		"  -r, --read-only  browse, explain and follow the log; never save\n"
		"  -k, --keys       print the key bindings of every screen and exit\n"
		"                   (--keys=roff: as the man page lists them)\n");
}

/* print_keys - the default bindings per screen, as a readable table or
 * (ROFF) as man page lines: doc/pfconsole.1 carries the roff text and
 * tests/tui/man-keys.sh compares, so both come from the one table */
static void
print_keys(bool roff)
{
	const struct keybind *b = NULL;
	size_t n, i, j;
	int k;

	b = keymap_bindings(&n);
	for (k = SCREEN_ANY; k < SCREEN_NKINDS; k++) {
		bool seen[ACT_NCODES];

		if (k == SCREEN_HELP)
			continue;
		memset(seen, 0, sizeof(seen));
		if (roff)
			printf(".SS \"Keys: %s\"\n", screen_kind_name((enum screen_kind)k));
		else
			printf("%sKeys: %s\n", k == SCREEN_ANY ? "" : "\n",
			       screen_kind_name((enum screen_kind)k));
		for (i = 0; i < n; i++) {
			char keys[128], name[16];
			size_t len = 0;

			if (b[i].screen != (enum screen_kind)k || seen[b[i].action])
				continue;
			seen[b[i].action] = true;
			keys[0] = '\0';
			for (j = 0; j < n; j++) {
				if (b[j].screen != b[i].screen || b[j].action != b[i].action)
					continue;
				keymap_key_name(b[j].key, name, sizeof(name));
				len += (size_t)snprintf(keys + len, len < sizeof(keys) ? sizeof(keys) - len : 0,
							"%s%s", len ? ", " : "", name);
			}
			if (roff) {
				printf(".TP\n.B %s\n", keys);
				printf("%s: %s.\n", action_name(b[i].action), action_help(b[i].action));
			} else {
				printf("  %-14s %s: %s\n", keys, action_name(b[i].action),
				       action_help(b[i].action));
			}
		}
	}
}

static const struct option console_longopts[] = {
	{ "log", required_argument, NULL, 'l' },
	{ "read-only", no_argument, NULL, 'r' },
	{ "keys", optional_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_console_options = { "l:rkh", console_longopts };

int
cli_console(int argc, char **argv, const struct cli_global *g)
{
	struct console *con = &the_console;
	struct app app;
	struct strbuf tried;
	char err[512], reason[256];
	const char *log = NULL, *dir = g->config_dir;
	char absdir[PATH_MAX];
	bool force_ro = false;
	int c, sig;

	while ((c = getopt_long(argc, argv, cli_console_options.shortopts, cli_console_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'l': log = optarg; break;
		case 'r': force_ro = true; break;
		case 'k':
			if (optarg && strcmp(optarg, "roff") != 0) {
				fprintf(stderr, "pfconsole console: --keys=%s: only --keys=roff is known\n", optarg);
				return 2;
			}
			print_keys(optarg != NULL);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* an absolute directory: the remembered tables are kept per
	 * configuration, and "-c etc" means another one in another directory */
	if (realpath(g->config_dir, absdir))
		dir = absdir;
	app_init(&app, dir);
	app.color = g->color;
	app.hooks = &hooks;
	console_init(con, &app, dir);
	remembered_load(con);
	if (force_ro || access(dir, W_OK) < 0) {
		app.readonly = true;
		snprintf(app.readonly_why, sizeof(app.readonly_why), "%s%.130s",
			 force_ro ? "--read-only given for " : "cannot write ", dir);
	}
	con->watch = watch_new(reason, sizeof(reason));
	console_load(con);
	if (con->watch)
		app_add_source(&app, watch_fd(con->watch), on_watch, con);
	/* the log feed: the one `feed` would choose */
	strbuf_init(&tried);
	if (log)
		snprintf(con->log_spec, sizeof(con->log_spec), "%s", log);
	else if (logsrc_discover(dir, NULL, con->log_spec, sizeof(con->log_spec),
				 &tried) < 0)
		con->log_spec[0] = '\0';
	strbuf_fini(&tried);
	if (con->log_spec[0] && feedpane_start(con, con->log_spec, err, sizeof(err)) < 0)
		app_status(&app, ROLE_WARNING, "live feed: %s", err);
	else if (!con->log_spec[0])
		app_status(&app, ROLE_WARNING, "live feed: no readable mail log (use --log FILE)");
	app_push(&app, screen_maps_new(con));

	if (loop_signals_install() < 0 || term_open(g->color, err, sizeof(err)) < 0) {
		fprintf(stderr, "pfconsole: %s\n", err);
		app_fini(&app);
		feedpane_stop(con);
		watch_free(con->watch);
		console_fini(con);
		return 1;
	}
	sig = loop_run(&app);
	term_close();
	if (sig) {
		size_t i;

		fprintf(stderr, "pfconsole: stopped by signal %d (%s)\n", sig, strsignal(sig));
		/* the terminal went away (SSH dropped) or someone stopped us:
		 * unsaved edits are written next to their tables, never lost */
		for (i = 0; i < con->ndocs; i++) {
			char mine[4300];

			if (!console_doc_dirty(con->docs[i]))
				continue;
			snprintf(mine, sizeof(mine), "%s.pfconsole-mine", con->docs[i]->path);
			if (write_mine(con->docs[i], mine, sizeof(mine)) == 0)
				fprintf(stderr, "pfconsole: unsaved edits of %s kept in %s\n",
					con->docs[i]->path, mine);
			else
				fprintf(stderr, "pfconsole: unsaved edits of %s LOST: %s: %s\n",
					con->docs[i]->path, mine, strerror(errno));
		}
	}
	app_fini(&app);
	feedpane_stop(con);
	watch_free(con->watch);
	console_fini(con);
	return sig ? 1 : 0;
}
