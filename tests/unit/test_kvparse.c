/* tests/unit/test_kvparse.c - postmap input syntax: logical lines, key/value
 * split, diagnostics, positions; compared with what the real postmap stores. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/kvparse.h"

struct got {
	char text[4096];            /* "line:nlines:start-end:val_off KEY=VALUE|" per entry */
	size_t n;
	int stop_after;
};

static int
collect(void *ctx, const struct kv_entry *e)
{
	struct got *g = ctx;
	size_t len = strlen(g->text);

	assert_int_equal(e->val[e->vlen], 0);
	snprintf(g->text + len, sizeof(g->text) - len, "%u:%u:%zu-%zu:%zu %.*s=%.*s|", e->line, e->nlines,
		 e->start, e->end, e->val_off, (int)e->klen, e->key, (int)e->vlen, e->val);
	g->n++;
	if (g->stop_after && (int)g->n == g->stop_after)
		return 7;
	return 0;
}

/* parse - TEXT into "KEY=VALUE|..." (positions dropped unless FULL) */
static void
parse(const char *text, const char *want, const char *want_diags)
{
	struct diag_list dl;
	struct got g;
	char simple[4096] = "", diags[2048] = "";
	const char *p;
	size_t i;

	memset(&g, 0, sizeof(g));
	diag_list_init(&dl);
	assert_int_equal(kvparse_buf(text, strlen(text), "t", collect, &g, &dl), 0);
	/* drop the position prefix */
	for (p = g.text; *p;) {
		const char *sp = strchr(p, ' '), *bar = strchr(sp, '|');

		strncat(simple, sp + 1, (size_t)(bar - sp));
		p = bar + 1;
	}
	if (strcmp(simple, want) != 0)
		fail_msg("parse \"%s\":\n got  %s\n want %s", text, simple, want);
	for (i = 0; i < dl.n; i++) {
		size_t len = strlen(diags);

		snprintf(diags + len, sizeof(diags) - len, "%u:%u:%s:%s|", dl.v[i].line, dl.v[i].col,
			 diag_severity_name(dl.v[i].severity), diag_code_name(dl.v[i].code));
	}
	if (strcmp(diags, want_diags) != 0)
		fail_msg("parse \"%s\" diagnostics:\n got  %s\n want %s", text, diags, want_diags);
	diag_list_fini(&dl);
}

static void
test_empty(void **state)
{
	(void)state;
	parse("", "", "");
	parse("\n\n", "", "");
	parse("# only a comment\n   \n\t\n", "", "");
}

static void
test_simple(void **state)
{
	(void)state;
	parse("a.example OK\n", "a.example=OK|", "");
	parse("a.example   \t REJECT  go  away \t \n", "a.example=REJECT  go  away|", "");
	parse("a OK # not a comment\n", "a=OK # not a comment|", "");
	parse("no-final-newline REJECT x", "no-final-newline=REJECT x|", "");
	parse("<> DUNNO\n", "<>=DUNNO|", "");
	parse("crlf OK\r\nnext REJECT\r\n", "crlf=OK|next=REJECT|", "");
}

static void
test_continuation(void **state)
{
	(void)state;
	parse("k REJECT a\n   b\n", "k=REJECT a   b|", "");
	parse("k v1\n# c\n  v2\n", "k=v1  v2|", "");
	parse("k v1\n\n\t v2\nz OK\n", "k=v1\t v2|z=OK|", "");
	parse("k\n  value-on-next-line\n", "k=value-on-next-line|", "");
	parse("  # indented comment\nk v\n", "k=v|", "");
}

static void
test_quotes_backslashes(void **state)
{
	(void)state;
	parse("\"aa bb\" cc\n", "\"aa bb\"=cc|", "");
	parse("\"john doe\"@example.net REJECT x\n", "\"john doe\"@example.net=REJECT x|", "");
	parse("\"gg\\\"hh\" ii\n", "\"gg\\\"hh\"=ii|", "");
	parse("gg\\ hh ii\n", "gg\\ hh=ii|", "");
	parse("\"open key\n", "", "1:1:error:syntax|");
	parse("a\"b c\n", "", "1:2:error:syntax|");
}

static void
test_diagnostics(void **state)
{
	(void)state;
	parse("keyonly\nok OK\n", "ok=OK|", "1:1:error:syntax|");
	parse("  indented first\n  more\nok OK\n", "ok=OK|", "1:1:error:syntax|");
	parse("# c\n\tindented after comment\nok OK\n", "ok=OK|", "2:1:error:syntax|");
	parse("alias: value\n", "alias:=value|", "1:1:warning:syntax|");
	parse("keyonly\r\n", "", "1:1:error:syntax|");
}

/* postmap reads C strings: a NUL ends the line there */
static void
test_nul_bytes(void **state)
{
	struct diag_list dl;
	struct got g;
	const char text[] = "a v\0junk\nk\0ey v\nok OK\n";

	(void)state;
	memset(&g, 0, sizeof(g));
	diag_list_init(&dl);
	assert_int_equal(kvparse_buf(text, sizeof(text) - 1, "t", collect, &g, &dl), 0);
	assert_int_equal(g.n, 2);
	assert_non_null(strstr(g.text, " a=v|"));
	assert_non_null(strstr(g.text, " ok=OK|"));
	assert_int_equal(dl.n, 1);      /* "k": key without value */
	diag_list_fini(&dl);
}

static void
test_positions(void **state)
{
	const char *text = "# head\nk1  v1\nk2 v2\n# mid\n  more\nk3\tv3";
	struct diag_list dl;
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	diag_list_init(&dl);
	assert_int_equal(kvparse_buf(text, strlen(text), "t", collect, &g, &dl), 0);
	assert_string_equal(g.text, "2:1:7-14:11 k1=v1|3:3:14-33:17 k2=v2  more|6:1:33-38:36 k3=v3|");
	assert_int_equal(dl.n, 0);
	/* a value that starts on a continuation line points there */
	memset(&g, 0, sizeof(g));
	text = "k\n  val\n";
	assert_int_equal(kvparse_buf(text, strlen(text), "t", collect, &g, &dl), 0);
	assert_string_equal(g.text, "1:2:0-8:4 k=val|");
	diag_list_fini(&dl);
}

static void
test_stop(void **state)
{
	const char *text = "a 1\nb 2\nc 3\n";
	struct diag_list dl;
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	diag_list_init(&dl);
	assert_int_equal(kvparse_buf(text, strlen(text), "t", collect, &g, &dl), 7);
	assert_int_equal(g.n, 2);
	diag_list_fini(&dl);
}

/* the same text through the real postmap: it stores what we parse */
static void
test_against_postmap(void **state)
{
	const char *text =
		"  indented first\n"
		"\"aa bb\" cc\n"
		"gg\\ hh ii\n"
		"k REJECT a\n"
		"# c\n"
		"   b\n"
		"keyonly\n"
		"x OK # text\r\n"
		"<> DUNNO\n"
		"last v";
	char dir[] = "/tmp/pfc-kv-XXXXXX", cmd[512], line[512];
	struct diag_list dl;
	struct got g;
	FILE *fp;
	char want[4096] = "";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s/main.cf", dir);
	fp = fopen(cmd, "w");
	assert_non_null(fp);
	fputs("compatibility_level = 3.6\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s/src", dir);
	fp = fopen(cmd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "postmap -c %s cdb:%s/src 2>/dev/null && cdb -d %s/src.cdb", dir, dir, dir);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	/* cdb -d prints +klen,vlen:key->value (we use no NULs or newlines here) */
	while (fgets(line, sizeof(line), fp)) {
		char *arrow = strstr(line, "->"), *colon = strchr(line, ':');
		size_t len = strlen(want);

		if (arrow == NULL || colon == NULL)
			continue;
		line[strcspn(line, "\n")] = 0;
		*arrow = 0;
		snprintf(want + len, sizeof(want) - len, "%s=%s|", colon + 1, arrow + 2);
	}
	assert_int_equal(pclose(fp), 0);
	memset(&g, 0, sizeof(g));
	diag_list_init(&dl);
	assert_int_equal(kvparse_buf(text, strlen(text), "t", collect, &g, &dl), 0);
	{
		char simple[4096] = "";
		const char *p;

		for (p = g.text; *p;) {
			const char *sp = strchr(p, ' '), *bar = strchr(sp, '|');

			strncat(simple, sp + 1, (size_t)(bar - sp));
			p = bar + 1;
		}
		if (strcmp(simple, want) != 0)
			fail_msg("got  %s\nwant %s (postmap)", simple, want);
	}
	assert_int_equal(dl.n, 2);  /* indented first line, keyonly */
	diag_list_fini(&dl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_file(void **state)
{
	char path[] = "/tmp/pfc-kvf-XXXXXX";
	struct diag_list dl;
	struct got g;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a 1\nb 2", 7), 7);
	close(fd);
	memset(&g, 0, sizeof(g));
	diag_list_init(&dl);
	assert_int_equal(kvparse_file(path, collect, &g, &dl), 0);
	assert_int_equal(g.n, 2);
	unlink(path);
	assert_int_equal(kvparse_file(path, collect, &g, &dl), -1);
	/* an empty file */
	strcpy(path, "/tmp/pfc-kvf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kvparse_file(path, collect, &g, &dl), 0);
	assert_int_equal(g.n, 2);
	unlink(path);
	diag_list_fini(&dl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_quotes_backslashes),
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_against_postmap),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
