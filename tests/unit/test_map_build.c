/* tests/unit/test_map_build.c - core/build and core/query over the maps/
 * backends (run under the sanitizers with the other unit tests): one-shot
 * builds, all-or-nothing jobs, the duplicate rewrite path, query. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/build.h"
#include "core/query.h"
#include "tests/unit/test_map_lib.h"

static void
expect_query(const char *type, const char *name, const char *key, const char *want)
{
	struct diag_list dl;
	struct map_error err;
	struct map_hit hit;
	struct query *q;
	int r;

	diag_list_init(&dl);
	q = query_open(type, tl_path(name), 0, &dl, &err);
	if (q == NULL)
		fail_msg("query_open %s:%s: %s", type, name, err.text);
	r = query_lookup(q, key, strlen(key), &hit, &err);
	if (want == NULL) {
		if (r != 0)
			fail_msg("%s:%s %s: got %d, want not found", type, name, key, r);
	} else if (r != 1 || hit.vlen != strlen(want) || memcmp(hit.val, want, hit.vlen) != 0) {
		fail_msg("%s:%s %s: got %d \"%.*s\", want \"%s\"", type, name, key, r,
			 r == 1 ? (int)hit.vlen : 0, r == 1 ? hit.val : "", want);
	}
	query_close(q);
	diag_list_fini(&dl);
}

static bool
exists(const char *name)
{
	struct stat st;

	return stat(tl_path(name), &st) == 0;
}

static void
test_build_one(void **state)
{
	struct diag_list dl;
	struct build_stats st;
	struct map_error err;

	(void)state;
	diag_list_init(&dl);
	tl_write("one", "a.example OK\nB.Example REJECT b\nb.example REJECT dup\n", 0644);
	assert_int_equal(build_one("cdb", tl_path("one"), 0, &dl, &st, &err), 1);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, DIAG_DUPLICATE_KEY);
	assert_int_equal(dl.v[0].line, 3);
	expect_query("cdb", "one", "b.EXAMPLE", "REJECT b");
	/* a line postmap skips is an error: nothing written */
	tl_write("one", "a.example OK\nkeyonly\n", 0644);
	diag_list_clear(&dl);
	assert_int_equal(build_one("cdb", tl_path("one"), 0, &dl, &st, &err), 0);
	assert_int_equal(tl_count_temps(), 0);
	expect_query("cdb", "one", "b.example", "REJECT b");     /* the old index */
	/* a pattern type cannot be built */
	assert_int_equal(build_one("regexp", tl_path("one"), 0, &dl, &st, &err), -1);
	assert_non_null(strstr(err.text, "bulk-mode"));
	diag_list_fini(&dl);
}

static void
test_job_clean_tables_built(void **state)
{
	struct build_job job;
	char ref[512];
	int strict;

	(void)state;
	tl_write("good", "a.example OK\n", 0644);
	tl_write("recipient_access", "b.example\n", 0644);   /* no value: postmap skips it */
	tl_write("sender_advice", "c.example REJECT 521\n", 0644);  /* a warning only */
	build_job_init(&job, 0);
	assert_int_equal(build_job_add_ref(&job, "cdb:"), 0);   /* malformed: a diagnostic */
	assert_int_equal(job.diags.n, 1);
	assert_int_equal(job.diags.v[0].code, DIAG_BAD_REFERENCE);
	diag_list_clear(&job.diags);
	assert_int_equal(build_job_add_ref(&job, "regexp:/x"), 0);
	assert_int_equal(job.n, 0);
	diag_list_clear(&job.diags);
	assert_int_equal(build_job_add_ref(&job, "cdb:/dev/null/x"), 0);
	assert_int_equal(job.n, 1);
	assert_int_equal(build_job_add_ref(&job, "cdb:/dev/null/x"), 0);     /* once only */
	assert_int_equal(job.n, 1);
	build_job_fini(&job);

	/* an error in one table never keeps the clean ones from being built;
	 * a warning blocks only with BUILD_STRICT */
	for (strict = 0; strict < 2; strict++) {
		unlink(tl_path("good.cdb"));
		unlink(tl_path("sender_advice.cdb"));
		build_job_init(&job, strict ? BUILD_STRICT : 0);
		snprintf(ref, sizeof(ref), "cdb:%s", tl_path("good"));
		assert_int_equal(build_job_add_ref(&job, ref), 0);
		snprintf(ref, sizeof(ref), "hash:%s", tl_path("recipient_access"));
		assert_int_equal(build_job_add_ref(&job, ref), 0);
		snprintf(ref, sizeof(ref), "cdb:%s", tl_path("sender_advice"));
		assert_int_equal(build_job_add_ref(&job, ref), 0);
		assert_int_equal(job.n, 3);
		assert_int_equal(build_job_run(&job), 1);
		assert_true(diag_count(&job.diags, DIAG_ERROR) > 0);
		assert_true(diag_count(&job.diags, DIAG_WARNING) > 0);
		assert_true(exists("good.cdb"));
		assert_int_equal(job.v[0].state, BUILD_DONE);
		assert_false(exists("recipient_access.db"));
		assert_int_equal(job.v[1].state, BUILD_SKIPPED);
		assert_int_equal(exists("sender_advice.cdb"), !strict);
		assert_int_equal(job.v[2].state, strict ? BUILD_SKIPPED : BUILD_DONE);
		assert_int_equal(tl_count_temps(), 0);
		build_job_fini(&job);
	}
}

static void
test_job_duplicates_rewrite(void **state)
{
	struct build_job job;
	char ref[512];

	(void)state;
	tl_write("dups", "x.example OK\nY.example REJECT y\nX.EXAMPLE REJECT second\ny.example DUNNO\n", 0644);
	build_job_init(&job, 0);
	snprintf(ref, sizeof(ref), "cdb:%s", tl_path("dups"));
	assert_int_equal(build_job_add_ref(&job, ref), 0);
	snprintf(ref, sizeof(ref), "hash:%s", tl_path("dups"));
	assert_int_equal(build_job_add_ref(&job, ref), 0);
	assert_int_equal(build_job_run(&job), 0);
	assert_int_equal(job.v[0].state, BUILD_DONE);
	assert_int_equal(job.v[1].state, BUILD_DONE);
	/* written again with duplicate detection: two entries each */
	assert_int_equal(job.v[0].stats.entries, 2);
	assert_int_equal(job.v[0].stats.duplicates, 2);
	assert_int_equal(job.v[1].stats.entries, 2);
	/* check reported the duplicates once (same source for both) */
	assert_int_equal(diag_count(&job.diags, DIAG_WARNING) >= 2, 1);
	build_job_fini(&job);
	expect_query("cdb", "dups", "x.example", "OK");
	expect_query("hash", "dups", "Y.EXAMPLE", "REJECT y");
	assert_int_equal(tl_count_temps(), 0);
}

static void
test_job_missing_source(void **state)
{
	struct build_job job;
	char ref[512];

	(void)state;
	build_job_init(&job, 0);
	snprintf(ref, sizeof(ref), "cdb:%s", tl_path("nonexistent"));
	assert_int_equal(build_job_add_ref(&job, ref), 0);
	assert_int_equal(build_job_run(&job), 1);
	assert_int_equal(job.diags.n, 1);
	assert_int_equal(job.diags.v[0].code, DIAG_MISSING_MAP);
	assert_int_equal(job.v[0].state, BUILD_SKIPPED);
	build_job_fini(&job);
}

static void
test_query_pattern(void **state)
{
	(void)state;
	tl_write("re", "/^(.*)@example\\.com$/ REJECT $1\n/a(b/ bad\n", 0644);
	expect_query("regexp", "re", "Joe@EXAMPLE.com", "REJECT Joe");
	expect_query("pcre", "re", "x@example.com", "REJECT x");
	expect_query("regexp", "re", "ab", NULL);
}

static void
test_query_errors(void **state)
{
	struct diag_list dl;
	struct map_error err;

	(void)state;
	diag_list_init(&dl);
	assert_null(query_open("cdb", tl_path("nonexistent"), 0, &dl, &err));
	assert_int_equal(err.errnum, ENOENT);
	assert_null(query_open("nosuchtype", tl_path("x"), 0, &dl, &err));
	assert_null(query_open("regexp", tl_path("nonexistent"), 0, &dl, &err));
	assert_int_equal(err.errnum, ENOENT);
	diag_list_fini(&dl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_one),
		cmocka_unit_test(test_job_clean_tables_built),
		cmocka_unit_test(test_job_duplicates_rewrite),
		cmocka_unit_test(test_job_missing_source),
		cmocka_unit_test(test_query_pattern),
		cmocka_unit_test(test_query_errors),
	};

	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
