/*
 * core/textsafe.h - the ONE place where hostile bytes become displayable.
 *
 * Log fields and table text are bytes chosen by strangers (HELO names,
 * addresses, header values).  Everything that reaches a terminal - the CLI's
 * text output and every row of the TUI - goes through textsafe_append() (or
 * textsafe_fit()), which produces valid UTF-8 with no control characters:
 *
 *   C0 controls and DEL   -> "^X" caret form ("^[" for ESC, "^?" for DEL)
 *                            (TAB -> "^I"; an ESC sequence becomes harmless
 *                            text such as "^[[31m")
 *   C1 controls U+0080-9F -> "\u0085" style
 *   invalid UTF-8 bytes   -> "\xNN" per byte (overlong, surrogates, > U+10FFFF,
 *                            truncated sequences all count as invalid)
 *   bidi overrides and other format characters (U+200B-200F, U+202A-202E,
 *   U+2066-2069, U+FEFF, U+061C), line/paragraph separators U+2028/2029,
 *   and any code point wcwidth() says is not printable -> "\u202E" style
 *   everything else       -> copied as is
 * Escape sequences are shown in the "escape" role by the TUI if it wants:
 * textsafe_append reports through TEXTSAFE_F_ESCAPED when it escaped anything.
 *
 * Widths are display cells (wcwidth; the process must have called
 * setlocale(LC_CTYPE, "") - in a non-UTF-8 locale every non-ASCII character
 * is escaped, so output is plain ASCII there).  Truncation never splits a
 * character or an escape, and marks the cut with "…" (or "~" when the
 * locale cannot show it) within the width limit.
 *
 * No allocation except the strbuf's; no printing.
 */
#ifndef CORE_TEXTSAFE_H
#define CORE_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define TEXTSAFE_NOLIMIT ((size_t)-1)

/* result flags of textsafe_append */
#define TEXTSAFE_F_ESCAPED   1u   /* something was shown escaped */
#define TEXTSAFE_F_TRUNCATED 2u   /* the text was cut to fit MAXW */

/* textsafe_append - append the displayable form of S (N bytes) to OUT,
 * at most MAXW display cells (TEXTSAFE_NOLIMIT for none).  *WIDTH (may be
 * NULL) receives the cells appended, *FLAGS (may be NULL) TEXTSAFE_F_*.
 * 0, or -1 on ENOMEM (OUT keeps what it had before the call). */
int textsafe_append(struct strbuf *out, const char *s, size_t n, size_t maxw,
		    size_t *width, unsigned *flags);

/* textsafe_fit - like textsafe_append, then pad with spaces to exactly
 * WIDTH cells (truncating as needed). */
int textsafe_fit(struct strbuf *out, const char *s, size_t n, size_t width);

/* textsafe_width - display cells textsafe_append would produce for S */
size_t textsafe_width(const char *s, size_t n);

/* textsafe_is_clean - true when S would be copied unchanged (valid UTF-8,
 * nothing to escape) */
bool textsafe_is_clean(const char *s, size_t n);

#endif
