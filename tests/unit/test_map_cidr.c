/* tests/unit/test_map_cidr.c - cidr: backend (maps/map_cidr.c) as Postfix
 * 3.7's dict_cidr: first match in file order, IPv4/IPv6, prefix lengths,
 * bare addresses, brackets, '!' negation, IF/ENDIF (and a missing ENDIF),
 * continuation lines, the lookup key's family and syntax; the lines Postfix
 * skips with its reason, line and column; the inline form. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps/map.h"

struct notes {
	char text[4096];
	size_t rules;
};

static int
note_fn(void *ctx, const struct map_cidr_note *n)
{
	struct notes *ns = ctx;
	size_t l = strlen(ns->text);

	if (n->kind == MAP_CIDR_RULE) {
		ns->rules++;
		snprintf(ns->text + l, sizeof(ns->text) - l, "rule %u:%u [%s] -> %u:%u [%s]\n",
			 n->line, n->col, n->pattern, n->vline, n->vcol, n->value);
	} else
		snprintf(ns->text + l, sizeof(ns->text) - l, "%s %u:%u %s\n",
			 n->kind == MAP_CIDR_SKIPPED ? "skip" : n->kind == MAP_CIDR_BAD_LINE
			 ? "line" : "noendif", n->line, n->col, n->why);
	return 0;
}

/* open SRC written to a temporary file */
static struct map *
open_src(const char *src, struct notes *ns, char *path, size_t size)
{
	struct map_error err;
	struct map *m;
	FILE *fp;
	int fd;

	snprintf(path, size, "%s/pfc-cidr-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(src, fp);
	fclose(fp);
	memset(ns, 0, sizeof(*ns));
	m = map_cidr_open(path, note_fn, ns, &err);
	assert_non_null(m);
	return m;
}

/* lookup KEY: the value, or "-" when not found */
static const char *
q(struct map *m, const char *key)
{
	static char buf[256];
	struct map_hit hit;
	struct map_error err;
	int r = map_lookup(m, key, strlen(key), &hit, &err);

	assert_true(r >= 0);
	if (r == 0)
		return "-";
	snprintf(buf, sizeof(buf), "%.*s", (int)hit.vlen, hit.val);
	return buf;
}

static void
test_match(void **state)
{
	char path[256];
	struct notes ns;
	struct map *m;
	unsigned line;
	const char *pat;
	struct map_hit hit;
	struct map_error err;

	(void)state;
	m = open_src("# first match wins\n"
		     "192.0.2.0/25\tlow\n"
		     "192.0.2.0/24 whole\n"
		     "198.51.100.7 host\n"
		     "[2001:db8::]/32 v6\n"
		     "[2001:db8:1::/48] never\n"
		     "!10.0.0.0/8 not ten\n"
		     "0.0.0.0/0  all   \n"
		     "fe80::/10 link\n"
		     "  local\n", &ns, path, sizeof(path));
	assert_string_equal(q(m, "192.0.2.1"), "low");
	assert_string_equal(q(m, "192.0.2.128"), "whole");
	assert_string_equal(q(m, "198.51.100.7"), "host");
	assert_string_equal(q(m, "198.51.100.8"), "not ten");
	assert_string_equal(q(m, "10.9.9.9"), "all");
	assert_string_equal(q(m, "2001:db8:1::1"), "v6");
	assert_string_equal(q(m, "2001:DB8::1"), "v6");
	assert_string_equal(q(m, "fe80::1"), "link  local");
	assert_string_equal(q(m, "2001:db9::1"), "-");
	/* the key as given: family by ':', inet_pton, no brackets, no scope */
	assert_string_equal(q(m, "[192.0.2.1]"), "-");
	assert_string_equal(q(m, "::ffff:192.0.2.1"), "-");
	assert_string_equal(q(m, "fe80::1%eth0"), "-");
	assert_string_equal(q(m, "192.0.2"), "-");
	assert_string_equal(q(m, "mail.example.com"), "-");
	assert_string_equal(q(m, ""), "-");
	/* the rule found: its line and its pattern as written */
	assert_int_equal(map_lookup(m, "10.1.1.1", 8, &hit, &err), 1);
	assert_int_equal(map_lookup(m, "198.51.100.8", 12, &hit, &err), 1);
	assert_true(map_cidr_rule(m, hit.rule, &line, &pat));
	assert_int_equal(line, 7);
	assert_string_equal(pat, "!10.0.0.0/8");
	assert_int_equal(ns.rules, 8);
	assert_non_null(strstr(ns.text, "rule 7:1 [!10.0.0.0/8] -> 7:13 [not ten]\n"));
	assert_non_null(strstr(ns.text, "rule 9:1 [fe80::/10] -> 9:11 [link  local]\n"));
	map_close(m);
	unlink(path);
}

static void
test_if_endif(void **state)
{
	char path[256];
	struct notes ns;
	struct map *m;

	(void)state;
	m = open_src("IF 100.64.0.0/10\n"
		     "100.64.1.0/24 inside\n"
		     "if !100.64.2.0/24\n"
		     "100.64.0.0/16 inner\n"
		     "endif\n"
		     "ENDIF\n"
		     "100.64.0.0/10 after\n"
		     "IF 2001:db8::/32\n"
		     "::/0 v6 doc\n", &ns, path, sizeof(path));
	assert_string_equal(q(m, "100.64.1.1"), "inside");
	assert_string_equal(q(m, "100.64.3.1"), "inner");
	assert_string_equal(q(m, "100.64.2.1"), "after");
	assert_string_equal(q(m, "100.65.0.1"), "after");
	assert_string_equal(q(m, "2001:db8::1"), "v6 doc");
	/* a missing ENDIF: an IF that does not match ends the lookup */
	assert_string_equal(q(m, "2001:db9::1"), "-");
	assert_string_equal(ns.text,
			    "rule 2:1 [100.64.1.0/24] -> 2:15 [inside]\n"
			    "rule 4:1 [100.64.0.0/16] -> 4:15 [inner]\n"
			    "rule 7:1 [100.64.0.0/10] -> 7:15 [after]\n"
			    "rule 9:1 [::/0] -> 9:6 [v6 doc]\n"
			    "noendif 8:1 IF has no matching ENDIF\n");
	map_close(m);
	unlink(path);
}

static void
test_skipped(void **state)
{
	char path[256];
	struct notes ns;
	struct map *m;

	(void)state;
	m = open_src("  indented first\n"
		     "10.1.2.3/8 host bits\n"
		     "10.0.0.0/33 len\n"
		     "10.0.0.0/x value\n"
		     "10.0.0.0/ empty\n"
		     "300.0.0.0/8 net\n"
		     "1.2.3 addr\n"
		     "192.0.2.0/24\n"
		     "! 2001:db8::1/32 v6 bits\n"
		     "ENDIF\n"
		     "IF\n"
		     "IF 10.0.0.0/8\n"
		     "ENDIF junk\n"
		     "ENDIF\n"
		     "[192.0.2.1 x\n"
		     "[192.0.2.1]x y\n"
		     "1.2.3.0/264 wraps to /8\n"
		     "1.0.0.0/264 wrapped\n", &ns, path, sizeof(path));
	assert_string_equal(ns.text,
			    "line 1:1 logical line must not start with whitespace: \"  indented first\"\n"
			    "skip 2:1 non-null host address bits in \"10.1.2.3/8\", perhaps you should use \"10.0.0.0/8\" instead\n"
			    "skip 3:1 bad mask length in \"10.0.0.0/33\"\n"
			    "skip 4:1 bad mask value in \"10.0.0.0/x\"\n"
			    "skip 5:1 bad mask value in \"10.0.0.0/\"\n"
			    "skip 6:1 bad network value in \"300.0.0.0/8\"\n"
			    "skip 7:1 bad address pattern: \"1.2.3\"\n"
			    "skip 8:13 no lookup result\n"
			    "skip 9:3 non-null host address bits in \"2001:db8::1/32\", perhaps you should use \"2001:db8::/32\" instead\n"
			    "skip 10:1 ENDIF without IF\n"
			    "skip 11:3 no address pattern\n"
			    "skip 13:7 garbage after ENDIF\n"
			    "skip 15:1 missing ']' character after \"[192.0.2.1\"\n"
			    "skip 16:1 garbage after \"[192.0.2.1]\"\n"
			    "skip 17:1 non-null host address bits in \"1.2.3.0/264\", perhaps you should use \"1.0.0.0/8\" instead\n"
			    "rule 18:1 [1.0.0.0/264] -> 18:13 [wrapped]\n");
	assert_string_equal(q(m, "1.9.9.9"), "wrapped");
	assert_string_equal(q(m, "10.1.2.3"), "-");
	map_close(m);
	unlink(path);
}

static void
test_inline_and_errors(void **state)
{
	struct map_error err;
	struct map *m;
	struct notes ns;

	(void)state;
	m = map_open("cidr", "{ {192.0.2.0/24 OK inline}, , { !10.0.0.0/8 REJECT not ten } }",
		     NULL, 0, 0, &err);
	assert_non_null(m);
	assert_string_equal(q(m, "192.0.2.9"), "OK inline");
	assert_string_equal(q(m, "8.8.8.8"), "REJECT not ten");
	assert_string_equal(q(m, "10.0.0.1"), "-");
	map_close(m);
	assert_null(map_open("cidr", "{ 192.0.2.0/24 OK }", NULL, 0, 0, &err));
	assert_string_equal(err.text, "cidr map: no '{' at start of text in \"192.0.2.0/24\"");
	assert_null(map_open("cidr", "{ {192.0.2.0/24 OK} }x", NULL, 0, 0, &err));
	assert_string_equal(err.text, "cidr map: syntax error after '}' in \"{ {192.0.2.0/24 OK} }x\"");
	assert_null(map_open("cidr", "/nonexistent/pfc-cidr", NULL, 0, 0, &err));
	assert_string_equal(err.text, "open /nonexistent/pfc-cidr: No such file or directory");
	/* a buffer (the editor's), not NUL-terminated */
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(map_cidr_check("10.0.0.1/8 x\n192.0.2.0/24 y\nZZZ", 28, note_fn, &ns), 0);
	assert_string_equal(ns.text,
			    "skip 1:1 non-null host address bits in \"10.0.0.1/8\", perhaps you should use \"10.0.0.0/8\" instead\n"
			    "rule 2:1 [192.0.2.0/24] -> 2:14 [y]\n");
	assert_true(map_find_type("cidr") != NULL);
	assert_true(map_find_type("cidr")->flags & MAP_SOURCE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_if_endif),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_inline_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
