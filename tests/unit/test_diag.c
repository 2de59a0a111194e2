/* tests/unit/test_diag.c - diagnostics list, renderings, column counting. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/diag.h"

static void
test_text_and_json(void **state)
{
	struct diag_list dl;
	struct strbuf sb;

	(void)state;
	diag_list_init(&dl);
	strbuf_init(&sb);
	assert_int_equal(diag_add(&dl, DIAG_MISSING_MAP, "main.cf", 3, 7, "table %s is \"missing\"", "x"), 0);
	assert_int_equal(diag_format_text(&dl.v[0], &sb), 0);
	assert_string_equal(sb.buf, "main.cf:3:7: error: table x is \"missing\" [missing-map]");
	strbuf_reset(&sb);
	assert_int_equal(diag_format_json(&dl.v[0], &sb), 0);
	assert_string_equal(sb.buf, "{\"file\":\"main.cf\",\"line\":3,\"col\":7,\"severity\":\"error\","
			   "\"code\":\"missing-map\",\"message\":\"table x is \\\"missing\\\"\"}");
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 1);
	assert_int_equal(diag_count(&dl, DIAG_WARNING), 0);
	strbuf_fini(&sb);
	diag_list_fini(&dl);
}

/* splice: each inserted diagnostic lands before the one at its position,
 * equal positions keep their order, a position past the end appends */
static void
test_splice(void **state)
{
	struct diag_list dl, ins;
	const size_t pos[] = { 0, 2, 2, 3, 99 };
	const unsigned want[] = { 100, 1, 2, 101, 102, 3, 103, 104 };
	size_t i;

	(void)state;
	diag_list_init(&dl);
	diag_list_init(&ins);
	for (i = 1; i <= 3; i++)
		assert_int_equal(diag_add(&dl, DIAG_SYNTAX, "f", (unsigned)i, 1, "old %zu", i), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(diag_add(&ins, DIAG_DUPLICATE_KEY, "f", 100 + (unsigned)i, 1, "new"), 0);
	assert_int_equal(diag_list_splice(&dl, &ins, pos), 0);
	assert_int_equal(ins.n, 0);
	assert_null(ins.v);
	assert_int_equal(dl.n, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(dl.v[i].line, want[i]);
	assert_string_equal(dl.v[1].message, "old 1");
	/* an empty insertion changes nothing */
	assert_int_equal(diag_list_splice(&dl, &ins, pos), 0);
	assert_int_equal(dl.n, 8);
	diag_list_fini(&dl);
}

static void
test_sort_stable(void **state)
{
	struct diag_list dl;

	(void)state;
	diag_list_init(&dl);
	diag_add(&dl, DIAG_SYNTAX, "b", 1, 1, "b1");
	diag_add(&dl, DIAG_SYNTAX, "a", 9, 1, "a9");
	diag_add(&dl, DIAG_SYNTAX, "a", 2, 5, "first");
	diag_add(&dl, DIAG_DUPLICATE_KEY, "a", 2, 5, "second");
	diag_sort(&dl);
	assert_string_equal(dl.v[0].message, "first");
	assert_string_equal(dl.v[1].message, "second");
	assert_string_equal(dl.v[2].message, "a9");
	assert_string_equal(dl.v[3].message, "b1");
	diag_list_fini(&dl);
}

static void
test_codes_roundtrip(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < DIAG_NCODES; i++)
		assert_int_equal(diag_code_lookup(diag_code_name((enum diag_code)i)), i);
	assert_int_equal(diag_code_lookup("no-such-code"), -1);
	assert_string_equal(diag_code_name(DIAG_REJECT_TEXT_LOOKS_LIKE_CODE), "reject-text-looks-like-code");
}

static void
test_column(void **state)
{
	(void)state;
	assert_int_equal(diag_column("abc", 0), 1);
	assert_int_equal(diag_column("abc", 2), 3);
	assert_int_equal(diag_column("\tx", 1), 9);
	assert_int_equal(diag_column("ab\tx", 3), 9);
	/* "é" is two bytes, one column; "中" three bytes, two columns */
	assert_int_equal(diag_column("\xc3\xa9x", 2), 2);
	assert_int_equal(diag_column("\xe4\xb8\xadx", 3), 3);
}

static void
test_json_string_escapes(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	strbuf_add_json_string(&sb, "a\x1b[31m\xff\xc3\xa9\n", 10);
	/* an invalid byte is a lone low surrogate \udcXX, never \u00XX */
	assert_string_equal(sb.buf, "\"a\\u001b[31m\\udcff\xc3\xa9\\n\"");
	/* so the byte 0xFF and the character U+00FF encode differently */
	strbuf_reset(&sb);
	strbuf_add_json_string(&sb, "\xff|\xc3\xbf", 4);
	assert_string_equal(sb.buf, "\"\\udcff|\xc3\xbf\"");
	/* C1 controls, bidi overrides, line separators and a tag character
	 * (above U+FFFF: a surrogate pair) are escaped */
	strbuf_reset(&sb);
	strbuf_add_json_string(&sb, "\xc2\x9b|\xe2\x80\xae|\xe2\x81\xa6|\xe2\x80\xa8|\xf3\xa0\x80\x81", 19);
	assert_string_equal(sb.buf, "\"\\u009b|\\u202e|\\u2066|\\u2028|\\udb40\\udc01\"");
	/* encoded surrogates are not UTF-8: each byte escaped */
	strbuf_reset(&sb);
	strbuf_add_json_string(&sb, "\xed\xb3\xbf", 3);
	assert_string_equal(sb.buf, "\"\\udced\\udcb3\\udcbf\"");
	strbuf_fini(&sb);
}

static void
test_strbuf_truncate(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	strbuf_truncate(&sb, 0);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	assert_int_equal(strbuf_addstr(&sb, "key=value"), 0);
	strbuf_truncate(&sb, 20);           /* longer than it is: unchanged */
	assert_string_equal(sb.buf, "key=value");
	strbuf_truncate(&sb, 3);
	assert_int_equal(sb.len, 3);
	assert_string_equal(sb.buf, "key");
	strbuf_fini(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_json),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_sort_stable),
		cmocka_unit_test(test_codes_roundtrip),
		cmocka_unit_test(test_column),
		cmocka_unit_test(test_json_string_escapes),
		cmocka_unit_test(test_strbuf_truncate),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
