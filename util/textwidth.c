/*
 * util/textwidth.c - display width of text (see textwidth.h).
 */
#include "config.h"

#include <langinfo.h>
#include <string.h>
#include <wchar.h>

#include "util/textwidth.h"
#include "util/utf8.h"

bool
text_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

size_t
text_char(const char *s, size_t n, bool utf8, int *w)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t k;
	int cw;

	if (p[0] >= 0x80 && !utf8) {
		*w = 1;
		return 1;
	}
	if ((k = utf8_decode(p, n, &cp)) == 0) {
		*w = 1;
		return 1;
	}
	cw = cp == 0 ? -1 : wcwidth((wchar_t)cp);
	*w = cw < 0 ? 1 : cw;
	return k;
}

int
text_width(const char *s, size_t n)
{
	bool utf8 = text_locale_utf8();
	size_t i = 0;
	int total = 0, w;

	while (i < n) {
		i += text_char(s + i, n - i, utf8, &w);
		total += w;
	}
	return total;
}

size_t
text_fit(const char *s, size_t n, int w)
{
	bool utf8 = text_locale_utf8();
	size_t i = 0, k;
	int used = 0, cw;

	while (i < n) {
		k = text_char(s + i, n - i, utf8, &cw);
		if (used + cw > w)
			break;
		used += cw;
		i += k;
	}
	return i;
}
