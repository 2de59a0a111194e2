/*
 * util/textwidth.h - display width of text, the one copy.
 *
 * Widths are terminal cells as wcwidth(3) gives them; the process must
 * have called setlocale(LC_CTYPE, "").  In a UTF-8 locale a valid
 * character (util/utf8.h, strict) has its wcwidth, an unprintable one
 * (wcwidth -1, NUL) one cell; an invalid byte, and in any other locale
 * each byte above ASCII, is one character of one cell.  Text meant for a
 * terminal goes through core/textsafe first, which decides what is shown;
 * these functions only measure it.
 */
#ifndef UTIL_TEXTWIDTH_H
#define UTIL_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>

/* text_locale_utf8 - the current LC_CTYPE is UTF-8 (asked each call: the
 * locale may be set after startup) */
bool text_locale_utf8(void);

/* text_char - the character at S (N > 0 bytes left): its length in bytes
 * (>= 1), *W its cells; UTF8 as text_locale_utf8() said */
size_t text_char(const char *s, size_t n, bool utf8, int *w);

/* text_width - display cells of S (N bytes) */
int text_width(const char *s, size_t n);

/* text_fit - how many bytes of S (N bytes) fit in W cells, never splitting
 * a character */
size_t text_fit(const char *s, size_t n, int w);

#endif
