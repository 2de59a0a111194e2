/* tests/unit/test_map_regexp.c - regexp: and pcre: backends over rule lists:
 * default flags, i/x/m/s toggles, $N substitution, negation, the regexp
 * second pattern, if/endif, errors with rule index and offset. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "maps/map.h"

static struct map_rule
R(const char *pat, const char *flags, const char *result)
{
	struct map_rule r;

	memset(&r, 0, sizeof(r));
	r.kind = MAP_RULE_MATCH;
	r.pattern = pat;
	r.pattern_len = strlen(pat);
	r.flags = flags;
	r.result = result;
	r.result_len = result ? strlen(result) : 0;
	return r;
}

static struct map_rule
NR(const char *pat, const char *result)
{
	struct map_rule r = R(pat, "", result);

	r.negate = true;
	return r;
}

static struct map_rule
IF(const char *pat, bool neg)
{
	struct map_rule r = R(pat, "", NULL);

	r.kind = MAP_RULE_IF;
	r.negate = neg;
	return r;
}

static struct map_rule
ENDIF(void)
{
	struct map_rule r;

	memset(&r, 0, sizeof(r));
	r.kind = MAP_RULE_ENDIF;
	return r;
}

static void
expect(struct map *m, const char *key, const char *want)
{
	struct map_error err;
	struct map_hit hit;
	int r = map_lookup(m, key, strlen(key), &hit, &err);

	if (want == NULL) {
		if (r != 0)
			fail_msg("lookup %s: got %d (%.*s), want not found", key, r,
				 r > 0 ? (int)hit.vlen : 0, r > 0 ? hit.val : "");
		return;
	}
	if (r != 1)
		fail_msg("lookup %s: got %d, want \"%s\" (%s)", key, r, want, r < 0 ? err.text : "");
	if (hit.vlen != strlen(want) || memcmp(hit.val, want, hit.vlen) != 0)
		fail_msg("lookup %s: got \"%.*s\", want \"%s\"", key, (int)hit.vlen, hit.val, want);
}

static struct map *
open_ok(const char *type, const struct map_rule *rules, size_t n)
{
	struct map_error err;
	struct map *m = map_open(type, "test", rules, n, 0, &err);

	if (m == NULL)
		fail_msg("%s open: rule %zu: %s", type, err.rule, err.text);
	return m;
}

static void
both_defaults(const char *type)
{
	struct map_rule rules[] = {
		R("^User@Example\\.com$", "", "REJECT ci"),
		R("^Strict@x$", "i", "REJECT cs"),
		R("^(.*)@(sub)\\.example\\.org$", "", "REJECT $2 of $1 costs $$5 ${1}/$(2)"),
		R("^(a)|(b)$", "", "[$1][$2]"),
		NR("\\.", "no dot"),
		R("^empty$", "", NULL),
	};
	struct map *m = open_ok(type, rules, sizeof(rules) / sizeof(rules[0]));

	expect(m, "user@EXAMPLE.com", "REJECT ci");
	expect(m, "Strict@x", "REJECT cs");
	expect(m, "strict@x.y", NULL);
	expect(m, "Joe@Sub.Example.org", "REJECT Sub of Joe costs $5 Joe/Sub");
	expect(m, "b", "[][b]");
	expect(m, "nodothere", "no dot");
	expect(m, "empty.", NULL);
	map_close(m);
	rules[4] = R("^empty$", "", NULL);
	m = open_ok(type, rules, 5);
	expect(m, "empty", "");
	map_close(m);
}

static void
test_defaults(void **state)
{
	(void)state;
	both_defaults("regexp");
	both_defaults("pcre");
}

static void
test_if_endif(void **state)
{
	const char *types[] = { "regexp", "pcre" };
	size_t t;

	(void)state;
	for (t = 0; t < 2; t++) {
		struct map_rule rules[] = {
			IF("@example\\.com$", false),
			IF("^postmaster@", true),
			R("^", "", "REJECT inside"),
			ENDIF(),
			R("^postmaster@", "", "OK pm"),
			ENDIF(),
			ENDIF(),            /* stray: ignored */
			R("^x", "", "after"),
			IF("^never$", false),   /* no endif: lookups stop here when it fails */
			R("^y", "", "unreachable"),
		};
		struct map *m = open_ok(types[t], rules, sizeof(rules) / sizeof(rules[0]));

		expect(m, "bob@example.com", "REJECT inside");
		expect(m, "postmaster@example.com", "OK pm");
		expect(m, "xavier@other.org", "after");
		expect(m, "y@other.org", NULL);
		map_close(m);
	}
}

static void
test_regexp_flags(void **state)
{
	struct map_rule rules[] = {
		R("^a+$", "x", "basic"),        /* x: POSIX basic RE, + is literal */
		R("^b.c$", "", "dot"),
		R("^line$", "m", "multi"),
	};
	struct map *m;

	(void)state;
	m = open_ok("regexp", rules, 3);
	expect(m, "a+", "basic");
	expect(m, "aaa", NULL);
	expect(m, "b\nc", "dot");
	expect(m, "first\nline", "multi");
	map_close(m);
}

static void
test_pcre_flags(void **state)
{
	struct map_rule rules[] = {
		R("^b.c$", "s", "nodotall"),     /* s toggles DOTALL off */
		R("^b.c$", "", "dotall"),
		R("^ a b $", "x", "extended"),
		R("^line$", "m", "multi"),
		R("^u(.+)", "U", "ungreedy $1"),
	};
	struct map *m;

	(void)state;
	m = open_ok("pcre", rules, 5);
	expect(m, "b\nc", "dotall");
	expect(m, "bxc", "nodotall");
	expect(m, "ab", "extended");
	expect(m, "first\nline", "multi");
	expect(m, "uvw", "ungreedy v");
	map_close(m);
}

static void
test_regexp_second_pattern(void **state)
{
	struct map_rule rules[1];
	struct map *m;

	(void)state;
	rules[0] = R("@example\\.com$", "", "REJECT not postmaster");
	rules[0].pattern2 = "^postmaster@";
	rules[0].pattern2_len = strlen(rules[0].pattern2);
	rules[0].flags2 = "";
	m = open_ok("regexp", rules, 1);
	expect(m, "bob@example.com", "REJECT not postmaster");
	expect(m, "postmaster@example.com", NULL);
	map_close(m);
}

static void
expect_error(const char *type, struct map_rule rule, int where, size_t offset, const char *text)
{
	struct map_rule rules[2];
	struct map_error err;
	struct map *m;

	rules[0] = R("^ok$", "", "fine");
	rules[1] = rule;
	m = map_open(type, "t", rules, 2, 0, &err);
	if (m != NULL)
		fail_msg("%s: rule /%s/ opened, want error \"%s\"", type, rule.pattern, text);
	assert_int_equal(err.rule, 1);
	assert_int_equal(err.where, where);
	assert_int_equal(err.offset, offset);
	if (strstr(err.text, text) == NULL)
		fail_msg("%s: got \"%s\", want it to contain \"%s\"", type, err.text, text);
	/* SKIP_BAD drops the rule as Postfix does and keeps the others */
	m = map_open(type, "t", rules, 2, MAP_OPEN_SKIP_BAD, &err);
	assert_non_null(m);
	expect(m, "ok", "fine");
	map_close(m);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("regexp", R("a(b", "", "x"), MAP_ERR_PATTERN, 0, "Unmatched ( or \\(");
	expect_error("pcre", R("abc(def", "", "x"), MAP_ERR_PATTERN, 7, "error in regex at offset 7: missing closing parenthesis");
	expect_error("regexp", R("a", "iq", "x"), MAP_ERR_FLAGS, 1, "unknown regexp option \"q\"");
	expect_error("pcre", R("a", "ms!", "x"), MAP_ERR_FLAGS, 2, "unknown regexp option \"!\"");
	expect_error("regexp", R("(a)", "", "x $2"), MAP_ERR_RESULT, 2, "out of range replacement index \"2\"");
	expect_error("pcre", R("(a)", "", "x $0"), MAP_ERR_RESULT, 2, "out of range replacement index \"0\"");
	expect_error("regexp", R("(a)", "", "$name"), MAP_ERR_RESULT, 0, "non-numeric replacement index \"name\"");
	expect_error("pcre", R("(a)", "", "x ${1"), MAP_ERR_RESULT, 2, "truncated macro reference");
	expect_error("regexp", NR("(a)", "x $1"), MAP_ERR_RESULT, 2, "$number found in negative match replacement text");
	/* a '$' not followed by a name: Postfix drops the rule (checked with postmap) */
	expect_error("regexp", R("a", "", "costs $ 5"), MAP_ERR_RESULT, 6, "empty macro name");
	expect_error("pcre", R("a", "", "end$"), MAP_ERR_RESULT, 3, "empty macro name");
	expect_error("regexp", R("a", "", "x ${}"), MAP_ERR_RESULT, 2, "empty macro name");
}

static void
test_no_regsub(void **state)
{
	struct map_rule rules[1];
	struct map_error err;

	(void)state;
	rules[0] = R("(.*)@x", "", "smtp:[$1]");
	assert_null(map_open("regexp", "t", rules, 1, MAP_OPEN_NO_REGSUB, &err));
	assert_non_null(strstr(err.text, "substitution is not allowed"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_if_endif),
		cmocka_unit_test(test_regexp_flags),
		cmocka_unit_test(test_pcre_flags),
		cmocka_unit_test(test_regexp_second_pattern),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_no_regsub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
