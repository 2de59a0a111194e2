/*
 * core/explain_json.c - an explain answer as one JSON object
 * (explain_result_json), the format of `explain --json`, `--batch` and
 * impact's examples.  Strings are escaped as the rest of pfconsole's JSON
 * (util/strbuf's strbuf_add_json_string: invalid bytes as \udcXX, C1 and
 * bidi controls escaped); the common case - printable ASCII with no quote or
 * backslash - is copied in runs, found 16 bytes at a time where SSE2 is
 * available (explain_json_plain).  The answer itself is computed in
 * core/explain.c.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/explain.h"
#include "core/explain_int.h"
#include "util/strbuf.h"

/* json_plain - how many bytes at the start of S can go into a JSON string
 * as they are, found a word at a time among the first MAX bytes (which
 * must all be readable; a lower bound, the caller goes on byte by byte):
 * none is below ' ', DEL or above, '"' or '\\' - so none is the NUL. */
static size_t
json_plain_words(const char *s, size_t max)
{
	const char *q = s, *end = s + max;

	while (end - q >= 8) {
		uint64_t x, l7, bad;

		memcpy(&x, q, 8);
		l7 = x | W_HIGH;
		bad = (x & W_HIGH) | (~((l7 - 0x20 * W_ONES) & W_HIGH) & W_HIGH)
			| w_has(x, '"') | w_has(x, '\\') | w_has(x, 0x7f);
		if (bad)
			return (size_t)(q - s) + (size_t)(__builtin_ctzll(bad) >> 3);
		q += 8;
	}
	return (size_t)(q - s);
}

#ifdef __SSE2__
/* json_plain - json_plain_words() 16 bytes at a time (SSE2, on every
 * x86-64): a signed byte below ' ' is a control byte or one at 0x80 or
 * above.  The answer's text is about 1 KB a probe; this scan was a tenth
 * of a probe's instructions a word at a time.  test_explain compares the
 * two on every length and every byte at every position. */
static size_t
json_plain(const char *s, size_t max)
{
	const char *q = s, *end = s + max;
	const __m128i sp = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
	const __m128i bsl = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);

	while (end - q >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, sp), _mm_cmpeq_epi8(x, quote)),
					   _mm_or_si128(_mm_cmpeq_epi8(x, bsl), _mm_cmpeq_epi8(x, del)));
		int m = _mm_movemask_epi8(bad);

		if (m)
			return (size_t)(q - s) + (size_t)__builtin_ctz((unsigned)m);
		q += 16;
	}
	return (size_t)(q - s) + json_plain_words(q, (size_t)(end - q));
}
#else
#define json_plain json_plain_words
#endif

/* explain_json_plain - json_plain() and its reference for the unit test:
 * the plain bytes at the start of S (MAX readable), fast or word by word */
size_t
explain_json_plain(const char *s, size_t max, bool fast)
{
	return fast ? json_plain(s, max) : json_plain_words(s, max);
}

/* quoted_copy - S (N bytes that need no escape) between quotes; false
 * when out of memory */
static bool
quoted_copy(struct strbuf *out, const char *s, size_t n)
{
	if (strbuf_reserve(out, n + 2) < 0)
		return false;
	out->buf[out->len++] = '"';
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	out->buf[out->len++] = '"';
	out->buf[out->len] = 0;
	return true;
}

/* json_str - a JSON string; plain ASCII in one copy (the trail is mostly
 * that), anything else through strbuf_add_json_string */
static void
json_str_in(struct strbuf *out, const char *s, size_t max)
{
	const unsigned char *p;

	if (!s) {
		strbuf_addstr(out, "null");
		return;
	}
	p = (const unsigned char *)s + (max ? json_plain(s, max) : 0);
	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			break;
	if (*p == 0) {
		size_t n = (size_t)(p - (const unsigned char *)s);

		quoted_copy(out, s, n);
		return;
	}
	strbuf_add_json_string(out, s, strlen(s));
}

/* json_strn - S (N bytes, S[N] readable: a strbuf's text) as a JSON
 * string: plain ASCII in one copy, anything else (a NUL inside too)
 * through strbuf_add_json_string */
static void
json_strn(struct strbuf *out, const char *s, size_t n)
{
	size_t k = json_plain(s, n);

	while (k < n && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7f && s[k] != '"'
	       && s[k] != '\\')
		k++;
	if (k == n && quoted_copy(out, s, n))
		return;
	strbuf_add_json_string(out, s, n);
}

static void
json_str(struct strbuf *out, const char *s)
{
	json_str_in(out, s, 0);
}

int
explain_result_json(const struct explain_result *r, struct strbuf *out)
{
	size_t i;

	strbuf_addstr(out, "{\"decision\":");
	json_str(out, explain_decision_name(r->decision));
	if (r->decision == EXPLAIN_UNKNOWN)
		strbuf_addstr(out, ",\"code\":null,\"dsn\":null,\"text\":null");
	else {
		strbuf_addstr(out, ",\"code\":");
		strbuf_add_num(out, r->code < 0, r->code < 0 ? 0ULL - (unsigned long long)(long long)r->code
			: (unsigned long long)r->code);
		strbuf_addstr(out, ",\"dsn\":");
		json_str(out, r->dsn);
		strbuf_addstr(out, ",\"text\":");
		json_strn(out, r->text.buf, r->text.len);
	}
	strbuf_addstr(out, ",\"stage\":");
	json_str(out, r->stage);
	if (r->decision == EXPLAIN_UNKNOWN) {
		strbuf_addstr(out, ",\"depends\":");
		json_str(out, r->depends.buf);
	}
	strbuf_addstr(out, ",\"trail\":[");
	for (i = 0; i < r->ntrail; i++) {
		if (i)
			strbuf_addch(out, ',');
		/* a trail line lies in trail_text: readable up to its end */
		json_str_in(out, r->trail[i], r->trail_text.len - r->trail_off[i]);
	}
	strbuf_addstr(out, "],\"rule\":");
	if (r->rule.table) {
		strbuf_addstr(out, "{\"file\":");
		json_str(out, r->rule.file);
		if (r->rule.line)
		{
			strbuf_addstr(out, ",\"line\":");
			strbuf_add_num(out, false, r->rule.line);
		}
		else
			strbuf_addstr(out, ",\"line\":null");
		strbuf_addstr(out, ",\"key\":");
		json_str(out, r->rule.key);
		strbuf_addstr(out, ",\"table\":");
		json_str(out, r->rule.table);
		strbuf_addstr(out, ",\"value\":");
		json_str(out, r->rule.value);
		strbuf_addch(out, '}');
	} else
		strbuf_addstr(out, "null");
	if (r->stale) {
		strbuf_addstr(out, ",\"stale\":");
		strbuf_add_json_string(out, r->stale_note.buf, r->stale_note.len);
	}
	return strbuf_addch(out, '}');
}
