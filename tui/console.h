/*
 * tui/console.h - the engine side of the console: what the screens show.
 *
 * struct console holds the loaded main.cf model and the last check result,
 * the open table documents (with undo/redo and their last validation),
 * the file watcher, the live feed and the admin's remembered choices.  It
 * drives core/ (maincf, check, tabledoc, build, explain, logsrc, apply) and
 * never draws: screens render from it.  One per process.
 */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/check.h"
#include "core/diag.h"
#include "core/maincf.h"
#include "core/tabledoc.h"
#include "tui/app.h"

/* One edit, kept for undo: item I's text OLD became NEW (an insert has no
 * OLD, a delete no NEW). */
struct con_edit {
	size_t index;
	char *old_text, *new_text;      /* NULL for none */
	size_t old_len, new_len;
	bool with_prev;                 /* undone and redone with the edit before it (a move) */
};

/* An open table source. */
struct con_doc {
	char *type;                     /* "hash", "cdb", "regexp", "pcre" ... */
	char *path;                     /* source path */
	enum maincf_role role;
	struct tabledoc *doc;
	struct con_edit *edits;         /* undo history: [0, nundo) done, [nundo, nedits) redoable */
	size_t nedits, nundo, capedits;
	size_t clean_at;                /* nundo when the buffer equalled the file; -1: never again */
	unsigned vgen;                  /* validation generation (background validation) */
	bool validating;                /* diags are from an older text; new ones are coming */
	bool vrunning;                  /* a validation thread for this document is in flight */
	bool vpending;                  /* one is to start after the screen is drawn */
	struct diag_list diags;         /* validation of the whole buffer (after each edit) */
	char *vbuf;                     /* the last background validation's copy of the text, */
	size_t vcap;                    /* kept for the next one (no fresh pages to fault in) */
	size_t nerrors;
	bool conflict;                  /* changed on disk while we have unsaved edits */
	bool force_save;                /* the admin chose "keep mine": overwrite the disk version */
	struct strbuf base;             /* the text as loaded or last saved: the common
	                                 * ancestor of a three-way merge */
	struct strbuf changes;          /* "+key value" / "-key value" lines since the last apply (audit) */
};

struct feedpane;

struct console {
	struct app *app;
	const char *config_dir;
	struct maincf *cf;              /* NULL when main.cf cannot be read */
	char cf_error[256];
	struct check_result chk;
	struct con_doc **docs;
	size_t ndocs;
	struct watch *watch;
	struct feedpane *feed;
	char log_spec[512];
	char remembered[4][512];        /* "type:path" chosen for block sender/domain,
	                                 * block client, allow sender/domain, allow client;
	                                 * kept in ~/.local/state/pfconsole/tables */
	bool applied_reload_needed;     /* something saved that needs postfix reload */
	bool applying;                  /* an apply runs in the background */
	struct screen_text *apply_screen;   /* its result screen, filled when done */
	char explain_fields[4][512];    /* the Explain dialog's last probe (kept across screens) */
	int explain_against;
	/* background work (a thread per job, results through a pipe): the
	 * full check of every table, and validation of big documents */
	int bg_pipe[2];
	unsigned check_gen;             /* the latest check asked for */
	bool checking;                  /* chk holds main.cf only; tables are being checked */
	bool check_running;             /* a check thread is in flight */
	time_t last_apply;
};

/* console_init - set up CON for APP (background pipe); 0 or -1 */
int console_init(struct console *con, struct app *app, const char *config_dir);
/* console_fini - free everything CON holds (documents, results, pipe) */
void console_fini(struct console *con);
/* console_load - (re)load main.cf at once (main.cf-only check), then check
 * every table in the background; 0 or -1 (cf_error) */
int console_load(struct console *con);

/* console_doc_open - the open document for TYPE:PATH (loads it); NULL with
 * a status message on failure */
struct con_doc *console_doc_open(struct console *con, const char *type, const char *path);
/* console_doc_find - the open document for PATH, or NULL */
struct con_doc *console_doc_find(struct console *con, const char *path);
/* console_doc_validate - revalidate the whole buffer into DOC->diags; a
 * big one in the background (DOC->validating until the result is in) */
void console_doc_validate(struct console *con, struct con_doc *doc);
/* console_doc_validate_sync - the same, now */
void console_doc_validate_sync(struct console *con, struct con_doc *doc);
/* console_doc_edit - replace (OLD present, TEXT present), insert (I, TEXT)
 * or delete (TEXT NULL) item I, recording undo.  0 or -1 */
int console_doc_replace(struct console *con, struct con_doc *doc, size_t i, const char *text);
int console_doc_insert(struct console *con, struct con_doc *doc, size_t i, const char *text,
		       size_t *newidx);
int console_doc_delete(struct console *con, struct con_doc *doc, size_t i);
/* console_doc_move - move entry FROM to index TO (the entry next to it):
 * one step for undo and redo; *NEWIDX its index afterwards.  0 or -1 */
int console_doc_move(struct console *con, struct con_doc *doc, size_t from, size_t to,
		     size_t *newidx);
/* console_doc_undo / redo - 1 done, 0 nothing to do, -1 error; *IDX the item touched */
int console_doc_undo(struct console *con, struct con_doc *doc, size_t *idx);
int console_doc_redo(struct console *con, struct con_doc *doc, size_t *idx);
/* console_doc_save - refuse with errors (1), conflict (2), error (-1), 0 saved */
int console_doc_save(struct console *con, struct con_doc *doc, char *why, size_t size);
/* console_doc_take - replace DOC's text by ND (taken over; the version on
 * disk): history cleared, revalidated */
void console_doc_take(struct console *con, struct con_doc *doc, struct tabledoc *nd);
/* console_doc_dirty - unsaved edits */
bool console_doc_dirty(const struct con_doc *doc);
/* console_unsaved - how many documents have unsaved edits */
size_t console_unsaved(const struct console *con);

/* console_validate_line - diagnostics for one entry line TEXT as it would
 * stand at line LINE of DOC (same codes and words as `check`) */
void console_validate_line(struct console *con, struct con_doc *doc, const char *text,
			   unsigned line, struct diag_list *dl);

/* console_table_info - the check result row for PATH, or NULL */
const struct check_table *console_table_info(const struct console *con, const char *path);

/* console_completions - candidate words for an action (REJECT, OK, ..., the
 * restriction classes of main.cf) starting with PREFIX; fills V (at most
 * MAX); returns the count */
size_t console_completions(const struct console *con, enum maincf_role role,
			   const char *prefix, const char **v, size_t max);

/* console_open_editor - push the table editor on DOC at item IDX */
void console_open_editor(struct console *con, struct con_doc *doc, size_t idx);

/* console_conflict - DOC changed on disk under unsaved edits: ask keep
 * mine / take theirs / show the difference (nothing is lost either way) */
void console_conflict(struct app *app, struct console *con, struct con_doc *doc);

/* console_apply - the Apply key: save the edited tables (refused with
 * errors), then validate, build, postfix check, reload in the background */
unsigned console_apply(struct app *app);
/* console_apply_start - run core/apply in a background thread (OPTS
 * copied, CHANGES copied); console_apply_done() gets the result */
struct apply_opts;
struct apply_result;
int console_apply_start(struct console *con, const struct apply_opts *opts, const char *changes);
/* console_impact_start - before Apply builds: replay the mail log
 * (log_spec, a file) against live and pending tables in the background,
 * then show the impact summary (tui/screen_impact.c) and apply on 'y', or
 * at once when nothing changes.  T (the apply screen) and OPTS/CHANGES
 * are taken over.  0 started, 1 no log file (apply at once), -1 error */
struct screen_text;
int console_impact_start(struct console *con, struct screen_text *t, const struct apply_opts *opts,
			 const char *changes);
/* console_hits_start - count, in the background, the transactions of the
 * mail log each table line decides (core/impact hits; once per session).
 * 0 started or done, -1 (status says why) */
int console_hits_start(struct console *con);
/* console_hits_count - *COUNT for line LINE of table PATH: 0; -1 still
 * counting; -2 not started */
int console_hits_count(const char *path, unsigned line, unsigned long *count);
/* console_impact_cancel - Esc while the replay runs: cancel it */
bool console_impact_cancel(struct app *app);
/* console_apply_done - show the result (screen_apply.c); APP_* flags */
unsigned console_apply_done(struct console *con, struct apply_result *res, int rc);

/* Screens */
struct screen *screen_maps_new(struct console *con);
struct screen *screen_edit_new(struct console *con, struct con_doc *doc, size_t idx);
/* screen_edit_doc - the document an editor screen shows (NULL if S is not one) */
struct con_doc *screen_edit_doc(struct screen *s);
/* screen_edit_prepare_add - open the add prompt prefilled with TEXT, appended at the end */
void screen_edit_prepare_add(struct app *app, struct screen *s, const char *text);
struct screen *screen_feed_new(struct console *con);
struct screen *screen_explain_new(struct console *con);
/* console_explain_with - the reply smtpd would give PROBE (client
 * "ADDR[,NAME]", HELO, sender, recipient; "" for none) against the saved
 * sources and every unsaved edit, with LINE added at the end of the table
 * PATH (before anything is saved): "554 5.7.1 <x@y>: Sender address
 * rejected: Access denied" into OUT, made displayable.  0, or -1 with OUT
 * saying why. */
int console_explain_with(struct console *con, const char *const probe[4], const char *path,
			 const char *line, char *out, size_t size);

/* The live feed model (screen_feed.c): started once, keeps collecting
 * while other screens are shown. */
int feedpane_start(struct console *con, const char *spec, char *why, size_t size);
void feedpane_stop(struct console *con);
/* remembered_load - the block/allow tables chosen in earlier sessions */
void remembered_load(struct console *con);
/* feedpane_failing - smtpd is failing: its latest failure (fatal, panic,
 * throttling, table unavailable ...) is newer than its latest "connect
 * from"; BUF gets "service action: text".  false otherwise. */
bool feedpane_failing(const struct console *con, char *buf, size_t size);
/* feedpane_render_recent - the newest N events under a header (Maps) */
void feedpane_render_recent(struct console *con, struct rows *out, int w, int n);

#endif
