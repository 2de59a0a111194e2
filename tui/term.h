/*
 * tui/term.h - the terminal: the only module that includes curses.
 *
 * term_open() starts ncursesw on the controlling terminal (newterm, so an
 * unusable TERM is an error with a message, not an exit inside curses);
 * term_close() restores it and is safe to call twice (and from the OOM
 * path).  term_draw() blits attributed rows, mapping roles to colours, or
 * to attributes only on a monochrome terminal or with colour turned off
 * (NO_COLOR, --no-color).  term_key() translates curses keys into the
 * TKEY_* values of keymap.h.
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/rows.h"

/* term_open - 0, or -1 with a message in ERR (ERRSIZE bytes) */
int term_open(bool color, char *err, size_t errsize);
void term_close(void);
bool term_is_open(void);
/* term_size - current size in cells */
void term_size(int *w, int *h);
/* term_input_fd - the descriptor to poll for keys */
int term_input_fd(void);
/* term_key - the next key without waiting; TKEY_NONE when there is none.
 * A resize comes back as TKEY_RESIZE (once term_size() reports it). */
int term_key(void);
/* term_draw - show ROWS (row i on screen line i) and the cursor */
void term_draw(const struct rows *r);
/* term_redraw_all - repaint from scratch next time (Ctrl-L, after resume) */
void term_redraw_all(void);
/* term_has_colors - colours are in use */
bool term_has_colors(void);

#endif
