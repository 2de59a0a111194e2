/*
 * tests/unit/test_textsafe.c - core/textsafe.c: hostile bytes -> safe text.
 * Table-driven: input bytes, width limit, wanted output and width.
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/textsafe.h"
#include "util/utf8.h"

struct tcase {
	const char *in;
	size_t inlen;           /* 0: strlen */
	size_t maxw;
	const char *want;
	size_t wantw;
	unsigned flags;
};

#define NL TEXTSAFE_NOLIMIT
#define E TEXTSAFE_F_ESCAPED
#define T TEXTSAFE_F_TRUNCATED

static const struct tcase cases[] = {
	{ "", 0, NL, "", 0, 0 },
	{ "plain text", 0, NL, "plain text", 10, 0 },
	{ "a\x1b[31mred", 0, NL, "a^[[31mred", 10, E },
	{ "tab\there", 0, NL, "tab^Ihere", 9, E },
	{ "cr\rlf\n", 0, NL, "cr^Mlf^J", 8, E },
	{ "del\x7f", 0, NL, "del^?", 5, E },
	{ "nul\0x", 5, NL, "nul^@x", 6, E },
	{ "caf\xc3\xa9", 0, NL, "caf\xc3\xa9", 4, 0 },
	{ "\xe6\x97\xa5\xe6\x9c\xac", 0, NL, "\xe6\x97\xa5\xe6\x9c\xac", 4, 0 },          /* wide: 2 cells each */
	{ "bad\xff", 0, NL, "bad\\xFF", 7, E },
	{ "trunc\xc3", 0, NL, "trunc\\xC3", 9, E },
	{ "overlong\xc0\xaf", 0, NL, "overlong\\xC0\\xAF", 16, E },
	{ "surrogate\xed\xa0\x80", 0, NL, "surrogate\\xED\\xA0\\x80", 21, E },
	{ "c1\xc2\x9b", 0, NL, "c1\\u009B", 8, E },
	{ "rlo\xe2\x80\xae", 0, NL, "rlo\\u202E", 9, E },
	{ "zw\xe2\x80\x8b", 0, NL, "zw\\u200B", 8, E },
	{ "bom\xef\xbb\xbf", 0, NL, "bom\\uFEFF", 9, E },
	/* width limits: the cut is marked with an ellipsis inside the limit */
	{ "abcdef", 0, 6, "abcdef", 6, 0 },
	{ "abcdefg", 0, 6, "abcde\xe2\x80\xa6", 6, T },
	{ "ab\x1b", 0, 3, "ab\xe2\x80\xa6", 3, T | E },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5", 0, 4, "\xe6\x97\xa5\xe2\x80\xa6", 3, T },
	{ "abc", 0, 0, "", 0, T },
	{ "abc", 0, 1, "\xe2\x80\xa6", 1, T },
};

static void
test_table(void **state)
{
	struct strbuf sb;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		size_t n = c->inlen ? c->inlen : strlen(c->in), w = 99;
		unsigned fl = 99;

		strbuf_reset(&sb);
		assert_int_equal(textsafe_append(&sb, c->in, n, c->maxw, &w, &fl), 0);
		if (strcmp(sb.buf, c->want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, sb.buf, c->want);
		if (w != c->wantw)
			fail_msg("case %zu (%s): got width %zu, want %zu", i, c->want, w, c->wantw);
		if (fl != c->flags)
			fail_msg("case %zu (%s): got flags %u, want %u", i, c->want, fl, c->flags);
		if (c->maxw == NL && textsafe_width(c->in, n) != c->wantw)
			fail_msg("case %zu: textsafe_width %zu, want %zu", i, textsafe_width(c->in, n),
				 c->wantw);
		assert_int_equal(textsafe_is_clean(c->in, n), (c->flags & E) == 0);
	}
	strbuf_fini(&sb);
}

static void
test_fit_and_null(void **state)
{
	struct strbuf sb;
	size_t w = 5;

	(void)state;
	strbuf_init(&sb);
	assert_int_equal(textsafe_append(&sb, NULL, 0, NL, &w, NULL), 0);
	assert_int_equal(w, 0);
	assert_string_equal(sb.buf, "");
	assert_int_equal(textsafe_fit(&sb, "ab", 2, 5), 0);
	assert_string_equal(sb.buf, "ab   ");
	strbuf_reset(&sb);
	/* a wide character that does not fit leaves a padded cell */
	assert_int_equal(textsafe_fit(&sb, "a\xe6\x97\xa5\xe6\x97\xa5", 7, 3), 0);
	assert_string_equal(sb.buf, "a\xe2\x80\xa6 ");
	strbuf_fini(&sb);
}

/* Every output of arbitrary bytes is valid UTF-8 without C0/C1 controls. */
static void
test_random_bytes(void **state)
{
	struct strbuf sb;
	unsigned char in[64];
	int round;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	srand(12345);
	for (round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % 64), k;

		for (i = 0; i < n; i++)
			in[i] = (unsigned char)rand();
		strbuf_reset(&sb);
		assert_int_equal(textsafe_append(&sb, (char *)in, n, (size_t)(rand() % 80), NULL, NULL), 0);
		for (i = 0; i < sb.len; i += k) {
			unsigned cp;

			k = utf8_decode((unsigned char *)sb.buf + i, sb.len - i, &cp);
			if (k == 0)
				fail_msg("round %d: invalid UTF-8 in output at %zu", round, i);
			if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
				fail_msg("round %d: control U+%04X in output", round, cp);
		}
	}
	strbuf_fini(&sb);
}

static void
test_c_locale(void **state)
{
	struct strbuf sb;

	(void)state;
	setlocale(LC_ALL, "C");
	strbuf_init(&sb);
	assert_int_equal(textsafe_append(&sb, "caf\xc3\xa9 abcdef", 12, 8, NULL, NULL), 0);
	/* not a UTF-8 terminal: non-ASCII escaped, ASCII ellipsis */
	assert_string_equal(sb.buf, "caf~");
	strbuf_reset(&sb);
	assert_int_equal(textsafe_append(&sb, "caf\xc3\xa9", 5, NL, NULL, NULL), 0);
	assert_string_equal(sb.buf, "caf\\u00E9");
	strbuf_fini(&sb);
	setlocale(LC_ALL, "C.UTF-8");
}

/* util/utf8: the validity rules textsafe and strbuf's JSON output share */
static void
test_utf8_rules(void **state)
{
	static const struct {
		const char *s;
		size_t bad;     /* offset of the first invalid byte; strlen when valid */
	} t[] = {
		{ "plain", 5 },
		{ "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", 14 },
		{ "a\xc0\xaf" "b", 1 },         /* overlong '/' */
		{ "ab\xe0\x80\xaf", 2 },         /* overlong, 3 bytes */
		{ "\xed\xa0\x80", 0 },           /* surrogate U+D800 */
		{ "x\xf4\x90\x80\x80", 1 },     /* above U+10FFFF */
		{ "xy\xe4\xb8", 2 },              /* truncated */
		{ "\x80", 0 },                     /* lone continuation byte */
		{ "ok\xf5\x80\x80\x80", 2 },    /* no such lead byte */
	};
	unsigned cp = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = strlen(t[i].s);

		assert_int_equal(utf8_invalid_at(t[i].s, n), t[i].bad);
		assert_int_equal(utf8_valid(t[i].s, n), t[i].bad == n);
	}
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 3, &cp), 0);
	assert_int_equal(cp, 0x1F600);    /* untouched on failure */
	assert_int_equal(utf8_decode((const unsigned char *)"\xdf\xbf", 2, NULL), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_utf8_rules),
		cmocka_unit_test(test_fit_and_null),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_c_locale),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		printf("1..0 # SKIP no C.UTF-8 locale\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
