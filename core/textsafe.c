/*
 * core/textsafe.c - hostile bytes -> displayable, width-bounded UTF-8.
 *
 * See core/textsafe.h for the rules.  Public: textsafe_append, textsafe_fit,
 * textsafe_width, textsafe_is_clean.  The only
 * allocation is in the caller's strbuf; on ENOMEM the strbuf is restored.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/textsafe.h"
#include "util/textwidth.h"
#include "util/utf8.h"

/* is_format_char - invisible characters that can reorder or hide text */
static bool
is_format_char(unsigned cp)
{
	return utf8_is_format(cp);
}

/*
 * One unit of output: either the character copied, or its escape.
 * next_unit - decode the unit at S (N > 0): sets *IN (bytes consumed),
 * writes the output bytes to OUT (<= 16), *OUTLEN, *W (cells), returns
 * true when the unit is an escape.
 */
static bool
next_unit(const unsigned char *s, size_t n, bool utf8, size_t *in, char *out, size_t *outlen,
	  size_t *w)
{
	unsigned cp;
	size_t len;

	if (s[0] < 0x20 || s[0] == 0x7F) {
		out[0] = '^';
		out[1] = s[0] == 0x7F ? '?' : (char)(s[0] + '@');
		*outlen = 2;
		*w = 2;
		*in = 1;
		return true;
	}
	if (s[0] < 0x80) {
		out[0] = (char)s[0];
		*outlen = 1;
		*w = 1;
		*in = 1;
		return false;
	}
	len = utf8_decode(s, n, &cp);
	if (len == 0) {
		*outlen = (size_t)snprintf(out, 16, "\\x%02X", s[0]);
		*w = *outlen;
		*in = 1;
		return true;
	}
	*in = len;
	if (utf8 && cp >= 0xA0 && !is_format_char(cp)) {
		int cw = wcwidth((wchar_t)cp);

		if (cw >= 0) {
			memcpy(out, s, len);
			*outlen = len;
			*w = (size_t)cw;
			return false;
		}
	}
	*outlen = (size_t)snprintf(out, 16, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", cp);
	*w = *outlen;
	return true;
}

int
textsafe_append(struct strbuf *out, const char *s, size_t n, size_t maxw, size_t *width,
		unsigned *flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t mark = out->len, used = 0, i = 0, limit = TEXTSAFE_NOLIMIT;
	bool utf8 = text_locale_utf8(), cut = false;
	unsigned fl = 0;

	if (width)
		*width = 0;
	if (flags)
		*flags = 0;
	if (s == NULL)
		return 0;
	if (maxw != TEXTSAFE_NOLIMIT && textsafe_width(s, n) > maxw) {
		cut = true;
		limit = maxw ? maxw - 1 : 0;   /* one cell for the ellipsis */
	}
	if (strbuf_reserve(out, n < 4096 ? n : 4096) < 0)
		return -1;
	while (i < n) {
		char buf[16];
		size_t in, ol, w;

		/* fast path: a run of printable ASCII */
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			size_t j = i;

			while (j < n && p[j] >= 0x20 && p[j] < 0x7F && used + (j - i) < limit)
				j++;
			if (j == i)
				break;
			if (strbuf_add(out, s + i, j - i) < 0)
				goto fail;
			used += j - i;
			i = j;
			continue;
		}
		if (next_unit(p + i, n - i, utf8, &in, buf, &ol, &w))
			fl |= TEXTSAFE_F_ESCAPED;
		if (limit != TEXTSAFE_NOLIMIT && used + w > limit)
			break;
		if (strbuf_add(out, buf, ol) < 0)
			goto fail;
		used += w;
		i += in;
	}
	if (cut) {
		if (maxw > 0) {
			if (strbuf_addstr(out, utf8 ? "\xE2\x80\xA6" : "~") < 0)
				goto fail;
			used++;
		}
		fl |= TEXTSAFE_F_TRUNCATED;
	}
	if (width)
		*width = used;
	if (flags)
		*flags = fl;
	return 0;
fail:
	strbuf_truncate(out, mark);
	errno = ENOMEM;
	return -1;
}

int
textsafe_fit(struct strbuf *out, const char *s, size_t n, size_t width)
{
	size_t w, mark = out->len;

	if (textsafe_append(out, s, n, width, &w, NULL) < 0)
		return -1;
	while (w < width) {
		if (strbuf_addch(out, ' ') < 0) {
			strbuf_truncate(out, mark);
			return -1;
		}
		w++;
	}
	return 0;
}

size_t
textsafe_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	bool utf8 = text_locale_utf8();
	size_t i = 0, used = 0;

	while (i < n) {
		char buf[16];
		size_t in, ol, w;

		next_unit(p + i, n - i, utf8, &in, buf, &ol, &w);
		used += w;
		i += in;
	}
	return used;
}

bool
textsafe_is_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	bool utf8 = text_locale_utf8();
	size_t i = 0;

	while (i < n) {
		char buf[16];
		size_t in, ol, w;

		if (next_unit(p + i, n - i, utf8, &in, buf, &ol, &w))
			return false;
		i += in;
	}
	return true;
}
