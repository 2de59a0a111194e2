/*
 * util/utf8.h - strict UTF-8 decoding and validation.
 *
 * "Valid" everywhere in pfconsole means what ICU and Postfix's
 * smtputf8_enable checks accept: shortest form only (no overlongs), no
 * UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF.  Every
 * decoder in the tree is this one (textsafe, JSON output, access reply
 * text, display widths through util/textwidth.h); map folding decodes
 * through ICU, whose U8_NEXT applies the same rules.
 */
#ifndef UTIL_UTF8_H
#define UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* utf8_decode - decode one character at S (N > 0 bytes left): returns its
 * length (1-4) and sets *CP, or returns 0 (and leaves *CP alone) for an
 * invalid or truncated sequence.  CP may be NULL. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* utf8_invalid_at - offset of the first byte of S that breaks UTF-8, or N
 * when all N bytes are valid */
size_t utf8_invalid_at(const char *s, size_t n);

/* utf8_is_format - invisible characters that can reorder or hide text
 * (bidi controls and overrides, zero-width and line/paragraph separators,
 * soft hyphen, BOM, tag characters): the one list textsafe and the JSON
 * writer escape */
bool utf8_is_format(unsigned cp);

/* utf8_valid - all N bytes of S are valid UTF-8 */
bool utf8_valid(const char *s, size_t n);

#endif
