/*
 * util/strbuf.h - growable byte buffer.
 *
 * A strbuf holds bytes plus a length and is always NUL-terminated (the NUL
 * is not counted), so its text can be handed to C string functions when it
 * holds no NUL of its own.  Embed it (strbuf_init/strbuf_fini).  A zeroed
 * struct strbuf (calloc, "= { 0 }") is a valid empty buffer too, except
 * that buf is NULL until the first append or reserve.  Functions return
 * 0, or -1 with errno = ENOMEM; after a failure the buffer still holds its
 * previous, valid contents.  The one byte buffer of pfconsole (maps/
 * included).
 */
#ifndef UTIL_STRBUF_H
#define UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;   /* never NULL after strbuf_init; "" when empty */
	size_t len;
	size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);   /* len = 0, keeps memory */
void strbuf_truncate(struct strbuf *sb, size_t len);   /* back to LEN <= len bytes (undo appends) */
int strbuf_reserve(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *p, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
/* strbuf_add_num - V in decimal, after a '-' when NEG: what printf's %d or %u
 * writes, without printf (hot paths: explain's answers, replay's listings) */
int strbuf_add_num(struct strbuf *sb, bool neg, unsigned long long v);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* strbuf_add_json_string - append S (N bytes) as a JSON string literal with
 * quotes.  Valid UTF-8 is kept as it is, except C0/DEL, C1 controls
 * (U+0080..U+009F) and the characters utf8_is_format() lists (bidi
 * overrides...), written as \uXXXX (\uD8xx\uDCxx pairs above U+FFFF).
 * A byte that is not part of valid UTF-8 is written as the lone low
 * surrogate \uDCXX of its value XX (0x80..0xFF; "surrogateescape", PEP
 * 383): no valid character is ever written that way, so 0xFF (\udcff) and
 * U+00FF (written as the character) never look alike, and a reader can
 * get the bytes back (Python: s.encode("utf-8", "surrogateescape")). */
int strbuf_add_json_string(struct strbuf *sb, const char *s, size_t n);
/* strbuf_export - hand the buffer to the caller (free() it); sb is reset. */
char *strbuf_export(struct strbuf *sb);

#endif
