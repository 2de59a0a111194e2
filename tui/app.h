/*
 * tui/app.h - the application model: screen stack, status line, prompt.
 *
 * No curses here.  Screens embed struct screen first and fill a
 * struct screen_ops (one file per screen, screen_*.c).  A screen's handler
 * takes an action (never a raw key), changes its model and returns APP_*
 * flags; the loop (loop.c) decides what to draw.  app_render() lays out
 * the whole terminal into rows: title bar, the screen's body, the status
 * or prompt line and the key line; unit tests call it at 80x24 and assert
 * text and roles.
 *
 * The prompt is a one-line editor that takes raw keys while active (search
 * patterns, table lines, dialog fields, choices); its callbacks belong to
 * the screen that opened it.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"
#include "tui/keymap.h"
#include "tui/rows.h"

enum {
	APP_REDRAW = 1,         /* the model changed: render again */
	APP_POP = 2,            /* close this screen */
	APP_QUIT = 4,           /* leave the console */
};

struct app;
struct screen;

struct screen_ops {
	enum screen_kind kind;
	/* handle - act on A; returns APP_* flags */
	unsigned (*handle)(struct app *app, struct screen *s, enum action a);
	/* render - the body, W x H cells, into OUT (H rows at most) */
	void (*render)(struct app *app, struct screen *s, struct rows *out, int w, int h);
	/* title - for the title bar */
	const char *(*title)(struct app *app, struct screen *s);
	/* destroy - free S (may be NULL) */
	void (*destroy)(struct screen *s);
	/* tick - once a second and after input from a source (may be NULL) */
	unsigned (*tick)(struct app *app, struct screen *s);
	/* keyline - actions shown on the bottom line, ACT_NONE-terminated */
	const enum action *keyline;
};

struct screen {
	const struct screen_ops *ops;
};

/* Prompt: a one-line editor (TEXT) or a choice between keys (CHOICE). */
enum prompt_kind { PROMPT_NONE, PROMPT_TEXT, PROMPT_CHOICE };

typedef unsigned prompt_fn(struct app *app, void *ctx, const char *text);
typedef unsigned prompt_key_fn(struct app *app, void *ctx, int key);
/* prompt_complete_fn - complete BUF at byte CUR in place; 0 if nothing */
typedef int prompt_complete_fn(struct app *app, void *ctx, struct strbuf *buf, size_t *cur);

struct prompt {
	enum prompt_kind kind;
	char label[600];
	struct strbuf buf;          /* UTF-8 text being edited */
	size_t cur;                 /* byte offset of the cursor */
	void *ctx;
	struct screen *owner;       /* renders it in place when it wants to */
	prompt_fn *on_change;       /* after every edit (validation) */
	prompt_fn *on_accept;       /* Enter */
	prompt_fn *on_cancel;       /* Esc or C-g */
	prompt_key_fn *on_key;      /* CHOICE: every key */
	prompt_complete_fn *complete;   /* Tab */
	char note[1536];            /* line under the prompt: diagnostic, hint (wraps
	                             * onto up to 3 rows under an editor's prompt) */
	enum role note_role;
};

#define APP_MAX_SOURCES 8
#define APP_MAX_DEPTH 16

/* A descriptor the loop polls for the app (log follower, watcher...). */
struct app_source {
	int fd;
	unsigned (*ready)(struct app *app, void *ctx);
	void *ctx;
};

/* Hooks the engine side (console.c) provides for generic actions; unit
 * tests may leave them NULL. */
struct app_hooks {
	unsigned (*screen)(struct app *app, enum action a);    /* SCREEN_*, NEXT_SCREEN */
	unsigned (*apply)(struct app *app);
	unsigned (*quit_all)(struct app *app);                 /* may ask first */
	unsigned (*refresh)(struct app *app);                  /* re-read everything */
	bool (*cancel)(struct app *app);        /* Esc/q: cancel background work; true if it did */
};

struct app {
	const struct app_hooks *hooks;
	const char *config_dir;
	bool color;
	bool readonly;              /* the configuration cannot be written */
	char readonly_why[160];
	struct screen *stack[APP_MAX_DEPTH];
	int depth;
	char status[512];
	enum role status_role;
	struct prompt prompt;
	struct app_source sources[APP_MAX_SOURCES];
	int nsources;
	struct console *con;        /* the engine side (console.c); NULL in unit tests */
	bool quit;
	bool too_small;             /* the last render was "terminal too small":
				     * only resize, redraw and quit act */
};

void app_init(struct app *app, const char *config_dir);
void app_fini(struct app *app);

/* app_push - make S the current screen (the app owns it from now on) */
void app_push(struct app *app, struct screen *s);
void app_pop(struct app *app);
struct screen *app_top(struct app *app);
/* app_replace_base - make S the only screen (Maps, Live, Explain tabs) */
void app_replace_base(struct app *app, struct screen *s);

/* app_status - message on the status line (trusted text) */
void app_status(struct app *app, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* app_prompt_text - open the one-line editor with INITIAL text */
void app_prompt_text(struct app *app, struct screen *owner, const char *label,
		     const char *initial, void *ctx, prompt_fn *on_change,
		     prompt_fn *on_accept, prompt_fn *on_cancel, prompt_complete_fn *complete);
/* app_prompt_choice - ask a question answered by one key */
void app_prompt_choice(struct app *app, struct screen *owner, const char *label,
		       void *ctx, prompt_key_fn *on_key);
void app_prompt_close(struct app *app);
/* app_prompt_set_note - the line under the prompt */
void app_prompt_set_note(struct app *app, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* app_key - feed one key (prompt first, else keymap + screen); APP_* flags */
unsigned app_key(struct app *app, int key);
/* app_action - run action A on the current screen, then generic handling */
unsigned app_action(struct app *app, enum action a);
/* app_tick - tick every screen on the stack */
unsigned app_tick(struct app *app);

/* app_render - the whole terminal at W x H into OUT */
void app_render(struct app *app, struct rows *out, int w, int h);

/* app_add_source / app_remove_source - descriptors for the loop */
int app_add_source(struct app *app, int fd, unsigned (*ready)(struct app *, void *), void *ctx);
void app_remove_source(struct app *app, int fd);


/* screen_help_new - the help screen for keys of screen kind FOR */
struct screen *screen_help_new(enum screen_kind kind_for);

/* Scrollable text screen (apply results, event details, differences). */
struct screen_text;
typedef unsigned text_action_fn(struct app *app, void *ctx, enum action a);
/* screen_text_new - empty text screen; add rows with screen_text_row().
 * ON_ACTION gets actions the text screen does not handle itself (jump,
 * block...); CTX is freed with FREE_CTX when the screen goes. */
struct screen_text *screen_text_new(const char *title, text_action_fn *on_action,
				    void *ctx, void (*free_ctx)(void *));
struct row *screen_text_row(struct screen_text *t, enum role fill);
struct screen *screen_text_screen(struct screen_text *t);
/* screen_text_wrap - ROW appended to OUT wrapped to W cells (continuation
 * lines indented by four), at most MAX lines; the number appended */
int screen_text_wrap(struct rows *out, const struct row *row, int w, int max);
/* screen_text_keyline - replace the key line (ACT_NONE-terminated, static) */
void screen_text_keyline(struct screen_text *t, const enum action *keys);
/* screen_text_set_title - change the title */
void screen_text_set_title(struct screen_text *t, const char *title);
/* screen_text_top - the row shown at the top */
int screen_text_top(struct screen_text *t);
/* screen_text_ctx - the CTX given to screen_text_new */
void *screen_text_ctx(struct screen_text *t);
/* screen_text_set_kind - key bindings of another screen kind (help) */
void screen_text_set_kind(struct screen_text *t, enum screen_kind kind);
/* screen_text_clear - drop every row (for a screen that is refilled) */
void screen_text_clear(struct screen_text *t);

#endif
