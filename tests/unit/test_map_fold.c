/* tests/unit/test_map_fold.c - map_fold: ASCII, ICU full folding, invalid UTF-8. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "maps/map.h"

static void
check_fold(const char *in, size_t inlen, const char *want)
{
	char *out = NULL;
	size_t outlen = 0;

	assert_int_equal(map_fold(in, inlen, &out, &outlen), 0);
	assert_non_null(out);
	if (outlen != strlen(want) || memcmp(out, want, outlen) != 0)
		fail_msg("fold \"%.*s\": got \"%.*s\", want \"%s\"", (int)inlen, in, (int)outlen, out, want);
	assert_int_equal(out[outlen], 0);
	free(out);
}

static void
test_empty_and_ascii(void **state)
{
	(void)state;
	check_fold("", 0, "");
	check_fold("Foo.EXAMPLE", 11, "foo.example");
	check_fold("user+EXT@Sub.Example.COM", 24, "user+ext@sub.example.com");
	check_fold("<>", 2, "<>");
	check_fold("\"John Doe\"@X", 12, "\"john doe\"@x");
	check_fold("0123[]@_-", 9, "0123[]@_-");
}

static void
test_icu(void **state)
{
	(void)state;
	check_fold("CAFÉ", strlen("CAFÉ"), "café");
	check_fold("CAFÉ.Example", strlen("CAFÉ.Example"), "café.example");
	check_fold("STRAßE", strlen("STRAßE"), "strasse");
	check_fold("STRAßE.example", strlen("STRAßE.example"), "strasse.example");
	check_fold("ΣΊΣΥΦΟΣ", strlen("ΣΊΣΥΦΟΣ"), "σίσυφοσ");  /* full folding: final sigma -> σ */
	check_fold("ÅNGSTRÖM@Bücher.DE", strlen("ÅNGSTRÖM@Bücher.DE"), "ångström@bücher.de");
	check_fold("ﬁ", strlen("ﬁ"), "fi");
}

static void
test_invalid_utf8_ascii_only(void **state)
{
	(void)state;
	check_fold("AB\xff" "CD", 5, "ab\xff" "cd");
	check_fold("\xc3(X", 3, "\xc3(x");
	/* a lone surrogate encoded in UTF-8 is invalid */
	check_fold("A\xed\xa0\x80Z", 5, "a\xed\xa0\x80z");
}

static void
test_index_path_and_types(void **state)
{
	char *p;

	(void)state;
	assert_null(map_find_type("nonesuch"));
	assert_null(map_find_type(NULL));
	assert_non_null(map_find_type("cdb"));
	assert_non_null(map_find_type("hash"));
	assert_non_null(map_find_type("regexp"));
	assert_non_null(map_find_type("pcre"));
	assert_non_null(map_find_type("btree"));
	assert_null(map_index_path(map_find_type("regexp"), "/x"));
	p = map_index_path(map_find_type("cdb"), "/etc/postfix/access");
	assert_string_equal(p, "/etc/postfix/access.cdb");
	free(p);
	p = map_index_path(map_find_type("hash"), "access");
	assert_string_equal(p, "access.db");
	free(p);
	p = map_index_path(map_find_type("lmdb"), "a");
	assert_string_equal(p, "a.lmdb");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_ascii),
		cmocka_unit_test(test_icu),
		cmocka_unit_test(test_invalid_utf8_ascii_only),
		cmocka_unit_test(test_index_path_and_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
