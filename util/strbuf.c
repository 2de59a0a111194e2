/*
 * util/strbuf.c - growable byte buffer (see strbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/utf8.h"

static char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->cap = 0;
}

void
strbuf_fini(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = 0;
}

void
strbuf_truncate(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = 0;
}

int
strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - sb->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = sb->cap ? realloc(sb->buf, cap) : malloc(cap);
	if (p == NULL)
		return -1;
	if (!sb->cap)
		p[0] = 0;
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

int
strbuf_add(struct strbuf *sb, const void *p, size_t n)
{
	if (n < sb->cap - sb->len) {        /* fits: the common case (cap > len always) */
		memcpy(sb->buf + sb->len, p, n);
		sb->len += n;
		sb->buf[sb->len] = 0;
		return 0;
	}
	if (strbuf_reserve(sb, n) < 0)
		return -1;
	if (n)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
	return 0;
}

int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int
strbuf_add_num(struct strbuf *sb, bool neg, unsigned long long v)
{
	char num[24], *e = num + sizeof(num), *q = e;

	do
		*--q = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--q = '-';
	return strbuf_add(sb, q, (size_t)(e - q));
}

int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	if (sb->cap - sb->len > 1) {
		sb->buf[sb->len++] = ch;
		sb->buf[sb->len] = 0;
		return 0;
	}
	return strbuf_add(sb, &ch, 1);
}

int
strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	/* format once into the room there is; again only when it did not fit */
	va_copy(ap2, ap);
	n = sb->cap > sb->len ? vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap2)
		: vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (sb->cap > sb->len)
			sb->buf[sb->len] = 0;
		return -1;
	}
	if ((size_t)n < sb->cap - sb->len) {
		sb->len += (size_t)n;
		return 0;
	}
	if (sb->cap > sb->len)
		sb->buf[sb->len] = 0;   /* the truncated attempt is not kept */
	if (strbuf_reserve(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

int
strbuf_add_json_string(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;
	unsigned cp;

	if (strbuf_addch(sb, '"') < 0)
		return -1;
	while (i < n) {
		unsigned char c = p[i];
		int r = 0;

		if (c == '"' || c == '\\')
			r = strbuf_addch(sb, '\\') | strbuf_addch(sb, c);
		else if (c == '\n')
			r = strbuf_addstr(sb, "\\n");
		else if (c == '\t')
			r = strbuf_addstr(sb, "\\t");
		else if (c == '\r')
			r = strbuf_addstr(sb, "\\r");
		else if (c < 0x20 || c == 0x7f)
			r = strbuf_addf(sb, "\\u%04x", c);
		else if (c < 0x80)
			r = strbuf_addch(sb, c);
		else if ((l = utf8_decode(p + i, n - i, &cp)) != 0) {
			if ((cp >= 0x80 && cp <= 0x9F) || utf8_is_format(cp))
				r = cp > 0xFFFF ? strbuf_addf(sb, "\\u%04x\\u%04x",
							     0xD800 + ((cp - 0x10000) >> 10),
							     0xDC00 + ((cp - 0x10000) & 0x3FF))
						: strbuf_addf(sb, "\\u%04x", cp);
			else
				r = strbuf_add(sb, p + i, l);
			i += l;
			if (r < 0)
				return -1;
			continue;
		} else
			r = strbuf_addf(sb, "\\udc%02x", c);
		if (r < 0)
			return -1;
		i++;
	}
	return strbuf_addch(sb, '"');
}

char *
strbuf_export(struct strbuf *sb)
{
	char *p = sb->cap ? sb->buf : strdup("");

	strbuf_init(sb);
	return p;
}
