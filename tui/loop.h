/*
 * tui/loop.h - the one poll(2) loop of the console.
 *
 * loop_run() polls the terminal, a self-pipe for signals (SIGINT is the
 * quit key: it asks when edits are unsaved, a second one leaves; SIGTERM
 * and SIGHUP end the console at once; SIGWINCH wakes it to resize) and the
 * app's sources; it feeds keys to app_key(), calls ready callbacks and ticks
 * once a second, and redraws when something changed.  Resizing is handled
 * here only: every redraw lays out at the current size.
 */
#ifndef TUI_LOOP_H
#define TUI_LOOP_H

#include "tui/app.h"

/* loop_run - until the app quits or a terminating signal; returns the
 * signal number that ended it, or 0 */
int loop_run(struct app *app);

/* loop_signals_install - before term_open(), so curses keeps ours */
int loop_signals_install(void);

/* loop_now_ms - milliseconds on the monotonic clock */
long long loop_now_ms(void);

#endif
