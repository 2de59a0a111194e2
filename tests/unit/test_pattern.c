/* tests/unit/test_pattern.c - regexp_table(5)/pcre_table(5) parsing and
 * compilation through the maps/ backends, table-driven per problem. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/pattern.h"

static void
test_rules(void **state)
{
	const char *src =
		"# comment\n"
		"/^a@b\\/c$/i   REJECT x\n"
		"!/^ok@/ DUNNO\n"
		"if /@example\\.com$/\n"
		"~^(.*)@x~  PREPEND X: $1\n"
		"ENDIF\n"
		"/a/!/b/  OK\n"
		"/long/\n"
		"   continued REJECT\n";
	struct pattern_table pt;
	struct diag_list dl;

	(void)state;
	pattern_table_init(&pt, PATTERN_REGEXP);
	diag_list_init(&dl);
	assert_int_equal(pattern_parse_buf(&pt, src, strlen(src), "t.regexp", 0, &dl), 7);
	assert_int_equal(dl.n, 0);
	assert_int_equal(pt.rules[0].kind, MAP_RULE_MATCH);
	assert_memory_equal(pt.rules[0].pattern, "^a@b\\/c$", 8);
	assert_int_equal(pt.rules[0].pattern_len, 8);
	assert_string_equal(pt.rules[0].flags, "i");
	assert_string_equal(pt.rules[0].result, "REJECT x");
	assert_int_equal(pt.pos[0].line, 2);
	assert_int_equal(pt.pos[0].pattern_col, 2);
	assert_int_equal(pt.pos[0].result_col, 15);
	assert_true(pt.rules[1].negate);
	assert_int_equal(pt.rules[2].kind, MAP_RULE_IF);
	assert_string_equal(pt.rules[3].result, "PREPEND X: $1");
	assert_int_equal(pt.rules[4].kind, MAP_RULE_ENDIF);
	assert_non_null(pt.rules[5].pattern2);
	assert_memory_equal(pt.rules[5].pattern2, "b", 1);
	assert_string_equal(pt.rules[6].result, "continued REJECT");   /* joined continuation */
	assert_int_equal(pattern_compile_check(&pt, "regexp", "t.regexp", &dl), 0);
	assert_int_equal(dl.n, 0);
	pattern_table_fini(&pt);
	diag_list_fini(&dl);
}

static const struct {
	enum pattern_dialect dialect;
	unsigned flags;
	const char *line;
	enum diag_code code;        /* expected first diagnostic */
	unsigned col;
	long kept;                  /* rules kept */
	const char *text;           /* substring of the message */
} bad[] = {
	{ PATTERN_REGEXP, 0, "/abc REJECT", DIAG_SYNTAX, 1, 0, "no closing regexp delimiter" },
	{ PATTERN_REGEXP, 0, "/a/q REJECT", DIAG_SYNTAX, 4, 0, "unknown regexp option \"q\"" },
	{ PATTERN_PCRE, 0, "/a/!/b/ REJECT", DIAG_SYNTAX, 4, 0, "unknown regexp option \"!\"" },
	{ PATTERN_PCRE, 0, "/a/s REJECT", 0, 0, 1, NULL },
	{ PATTERN_REGEXP, 0, "/a/s REJECT", DIAG_SYNTAX, 4, 0, "unknown regexp option \"s\"" },
	{ PATTERN_REGEXP, 0, "/a/", DIAG_NO_RESULT, 1, 1, "451 4.3.5" },
	{ PATTERN_REGEXP, 0, "/(a)/ REJECT $0", DIAG_SYNTAX, 14, 0, "\"0\"" },
	{ PATTERN_REGEXP, 0, "/(a)/ REJECT $name", DIAG_SYNTAX, 14, 0, "non-numeric" },
	{ PATTERN_REGEXP, 0, "!/(a)/ REJECT $1", DIAG_SYNTAX, 15, 0, "negative match" },
	{ PATTERN_REGEXP, PATTERN_NO_REGSUB, "/(a)/ smtp:$1", DIAG_SYNTAX, 12, 0, "not allowed" },
	{ PATTERN_REGEXP, 0, "/(a)/ REJECT ${1", DIAG_SYNTAX, 14, 0, "truncated" },
	{ PATTERN_REGEXP, 0, "endif", DIAG_SYNTAX, 1, 0, "ENDIF without matching IF" },
	{ PATTERN_REGEXP, 0, "if /a/", DIAG_SYNTAX, 1, 1, "IF has no matching ENDIF" },
	{ PATTERN_REGEXP, 0, "frobnicate", DIAG_SYNTAX, 1, 0, "unrecognized request" },
	{ PATTERN_REGEXP, 0, "   /a/ OK", DIAG_SYNTAX, 1, 0, "whitespace" },
	{ PATTERN_REGEXP, 0, "/a/ $$5 OK", 0, 0, 1, NULL },
};

static void
test_bad_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pattern_table pt;
		struct diag_list dl;
		long kept;

		pattern_table_init(&pt, bad[i].dialect);
		diag_list_init(&dl);
		kept = pattern_parse_buf(&pt, bad[i].line, strlen(bad[i].line), "t", bad[i].flags, &dl);
		if (kept != bad[i].kept)
			fail_msg("\"%s\": kept %ld rules, want %ld", bad[i].line, kept, bad[i].kept);
		if (bad[i].text == NULL) {
			if (dl.n)
				fail_msg("\"%s\": unexpected %s", bad[i].line, dl.v[0].message);
		} else if (dl.n == 0) {
			fail_msg("\"%s\": no diagnostic, want %s", bad[i].line,
				 diag_code_name(bad[i].code));
		} else if (dl.v[0].code != bad[i].code || dl.v[0].col != bad[i].col
			   || strstr(dl.v[0].message, bad[i].text) == NULL) {
			fail_msg("\"%s\": got %s col %u \"%s\", want %s col %u \"%s\"", bad[i].line,
				 diag_code_name(dl.v[0].code), dl.v[0].col, dl.v[0].message,
				 diag_code_name(bad[i].code), bad[i].col, bad[i].text);
		}
		pattern_table_fini(&pt);
		diag_list_fini(&dl);
	}
}

static const struct {
	const char *type;
	const char *line;
	unsigned col;               /* 0: must compile */
	enum diag_code code;
} regexes[] = {
	{ "regexp", "/^(foo|bar$/ REJECT", 2, DIAG_BAD_REGEX },
	{ "regexp", "/[[:nope:]]/ REJECT", 2, DIAG_BAD_REGEX },
	{ "regexp", "/a+b/ OK", 0, 0 },
	{ "regexp", "/(a)/ REJECT $2", 14, DIAG_SYNTAX },
	{ "pcre", "/^(foo|bar$/ REJECT", 12, DIAG_BAD_REGEX },
	{ "pcre", "/(?<n>x/ REJECT", 8, DIAG_BAD_REGEX },
	{ "pcre", "/a(?=b)/ OK", 0, 0 },
	{ "pcre", "/a/ OK", 0, 0 },
};

static void
test_compile(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(regexes) / sizeof(regexes[0]); i++) {
		struct pattern_table pt;
		struct diag_list dl;
		long nbad;

		pattern_table_init(&pt, pattern_dialect_for_type(regexes[i].type));
		diag_list_init(&dl);
		assert_int_equal(pattern_parse_buf(&pt, regexes[i].line, strlen(regexes[i].line), "t", 0,
						   &dl), 1);
		nbad = pattern_compile_check(&pt, regexes[i].type, "t", &dl);
		if (regexes[i].col == 0) {
			if (nbad != 0 || dl.n)
				fail_msg("%s \"%s\": should compile", regexes[i].type, regexes[i].line);
		} else if (nbad != 1 || dl.n != 1 || dl.v[0].code != regexes[i].code
			   || dl.v[0].col != regexes[i].col) {
			fail_msg("%s \"%s\": got %ld bad, %s col %u, want %s col %u", regexes[i].type,
				 regexes[i].line, nbad, dl.n ? diag_code_name(dl.v[0].code) : "none",
				 dl.n ? dl.v[0].col : 0, diag_code_name(regexes[i].code),
				 regexes[i].col);
		}
		pattern_table_fini(&pt);
		diag_list_fini(&dl);
	}
}

static void
test_open_lookup(void **state)
{
	const char *src = "/^(.*)@spam\\.example$/ REJECT no $1\n/^ok@/ OK\n";
	struct pattern_table pt;
	struct map_error err;
	struct map_hit hit;
	struct map *m;

	(void)state;
	pattern_table_init(&pt, PATTERN_PCRE);
	assert_int_equal(pattern_parse_buf(&pt, src, strlen(src), "t", 0, NULL), 2);
	m = pattern_open(&pt, "pcre", "t", &err);
	assert_non_null(m);
	assert_int_equal(map_lookup(m, "joe@spam.example", 16, &hit, &err), 1);
	assert_int_equal(hit.vlen, 13);
	assert_memory_equal(hit.val, "REJECT no joe", 13);
	assert_int_equal(hit.rule, 0);
	assert_int_equal(map_lookup(m, "x@y", 3, &hit, &err), 0);
	map_close(m);
	pattern_table_fini(&pt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_open_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
