/* tests/unit/test_merge.c - three-way merge by lines: one-sided changes
 * merge by themselves, the same change on both sides once, overlapping
 * different changes are conflicts resolved by the caller's choice. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/merge.h"

static char *
merged(const char *b, const char *t, const char *m, const enum merge_choice *ch, size_t *nconf)
{
	struct merge mg;
	struct strbuf out;

	assert_int_equal(merge3(b, strlen(b), t, strlen(t), m, strlen(m), 1000, &mg), 0);
	*nconf = mg.nconflicts;
	strbuf_init(&out);
	assert_int_equal(merge_text(&mg, b, t, m, ch, &out), 0);
	merge_fini(&mg);
	return out.buf;
}

static void
test_non_overlapping(void **state)
{
	const char *base = "a OK\nb OK\nc OK\nd OK\ne OK\nf OK\n";
	/* theirs changes b and appends g; mine deletes e and inserts x after c
	 * (a change right next to the other side's is a conflict, as in diff3) */
	const char *theirs = "a OK\nb REJECT\nc OK\nd OK\ne OK\nf OK\ng OK\n";
	const char *mine = "a OK\nb OK\nc OK\nx OK\nd OK\nf OK\n";
	size_t n;
	char *r = merged(base, theirs, mine, NULL, &n);

	(void)state;
	assert_int_equal(n, 0);
	assert_string_equal(r, "a OK\nb REJECT\nc OK\nx OK\nd OK\nf OK\ng OK\n");
	free(r);
	/* the same change on both sides is taken once */
	r = merged(base, theirs, theirs, NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(r, theirs);
	free(r);
	/* one side appends right after the line the other changed: both */
	r = merged("a\nb\n", "a\nB\n", "a\nb\nc\n", NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(r, "a\nB\nc\n");
	free(r);
	r = merged("a\nb\n", "a\nb\nc\n", "a\nB\n", NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(r, "a\nB\nc\n");
	free(r);
	r = merged("a\nb\n", "A\nb\n", "x\na\nb\n", NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(r, "x\nA\nb\n");
	free(r);
	/* nothing changed on one side: the other side wins whole */
	r = merged(base, base, mine, NULL, &n);
	assert_string_equal(r, mine);
	free(r);
	r = merged(base, theirs, base, NULL, &n);
	assert_string_equal(r, theirs);
	free(r);
}

static void
test_conflicts(void **state)
{
	const char *base = "a OK\nb OK\nc OK\n";
	const char *theirs = "a OK\nb REJECT theirs\nc OK\nt OK\n";
	const char *mine = "a OK\nb REJECT mine\nc OK\n";
	enum merge_choice ch[1];
	struct merge mg;
	size_t n, i, k = 0;
	char *r;

	(void)state;
	assert_int_equal(merge3(base, strlen(base), theirs, strlen(theirs), mine, strlen(mine), 100,
				&mg), 0);
	assert_int_equal(mg.nconflicts, 1);
	assert_int_equal(mg.ntheirs, 1);        /* t OK appended: theirs only */
	for (i = 0; i < mg.n; i++) {
		if (mg.v[i].kind != MERGE_CONFLICT)
			continue;
		k++;
		assert_int_equal(mg.v[i].base_line, 2);
		assert_memory_equal(theirs + mg.v[i].theirs_off, "b REJECT theirs\n", mg.v[i].theirs_len);
		assert_memory_equal(mine + mg.v[i].mine_off, "b REJECT mine\n", mg.v[i].mine_len);
	}
	assert_int_equal(k, 1);
	merge_fini(&mg);
	ch[0] = MERGE_TAKE_MINE;
	r = merged(base, theirs, mine, ch, &n);
	assert_string_equal(r, "a OK\nb REJECT mine\nc OK\nt OK\n");
	free(r);
	ch[0] = MERGE_TAKE_THEIRS;
	r = merged(base, theirs, mine, ch, &n);
	assert_string_equal(r, theirs);
	free(r);
	ch[0] = MERGE_TAKE_BOTH;
	r = merged(base, theirs, mine, ch, &n);
	assert_string_equal(r, "a OK\nb REJECT theirs\nb REJECT mine\nc OK\nt OK\n");
	free(r);
}

/* odd texts: empty sides, no final newline, CRLF kept */
static void
test_edges(void **state)
{
	size_t n;
	char *r;

	(void)state;
	r = merged("", "x\n", "", NULL, &n);
	assert_string_equal(r, "x\n");
	free(r);
	r = merged("a\nb", "a\nb", "a\nb\nc", NULL, &n);
	assert_string_equal(r, "a\nb\nc");
	free(r);
	r = merged("a\r\nb\r\n", "A\r\nb\r\n", "a\r\nb\r\nc\r\n", NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(r, "A\r\nb\r\nc\r\n");
	free(r);
}

/* a big table with far-apart edits on both sides merges quickly and
 * exactly; too many differences give E2BIG */
static void
test_big(void **state)
{
	struct strbuf b, t, m, out;
	struct merge mg;
	size_t i;

	(void)state;
	strbuf_init(&b);
	strbuf_init(&t);
	strbuf_init(&m);
	for (i = 0; i < 200000; i++) {
		strbuf_addf(&b, "user%zu@example.com REJECT\n", i);
		strbuf_addf(&t, i == 10 ? "user%zu@example.com OK\n" : "user%zu@example.com REJECT\n", i);
		if (i != 150000)
			strbuf_addf(&m, "user%zu@example.com REJECT\n", i);
	}
	strbuf_addstr(&m, "new@example.com REJECT\n");
	assert_int_equal(merge3(b.buf, b.len, t.buf, t.len, m.buf, m.len, 1000, &mg), 0);
	assert_int_equal(mg.nconflicts, 0);
	strbuf_init(&out);
	assert_int_equal(merge_text(&mg, b.buf, t.buf, m.buf, NULL, &out), 0);
	assert_non_null(strstr(out.buf, "user10@example.com OK\n"));
	assert_null(strstr(out.buf, "user150000@example.com REJECT\n"));
	assert_non_null(strstr(out.buf, "user149999@example.com REJECT\nuser150001@"));
	assert_non_null(strstr(out.buf, "new@example.com REJECT\n"));
	assert_int_equal(out.len, t.len - strlen("user150000@example.com REJECT\n") +
			 strlen("new@example.com REJECT\n"));
	merge_fini(&mg);
	strbuf_fini(&out);
	/* every line different: beyond MAXD */
	strbuf_reset(&m);
	for (i = 0; i < 5000; i++)
		strbuf_addf(&m, "other%zu\n", i);
	errno = 0;
	assert_int_equal(merge3(b.buf, b.len, t.buf, t.len, m.buf, m.len, 100, &mg), -1);
	assert_int_equal(errno, E2BIG);
	strbuf_fini(&b);
	strbuf_fini(&t);
	strbuf_fini(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_non_overlapping),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
