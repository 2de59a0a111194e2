/* tests/unit/test_apply.c - util/runcmd (argv, pty or pipe, status,
 * timeout, output), core/indexdiff (what a rebuild changed, read from the
 * index itself) and core/apply's pipeline with a stand-in postfix
 * command (a shell script that records its arguments): the order of the
 * steps, refusal on errors with nothing run, nothing after a failed step,
 * reload only when Postfix runs and a change needs it.  The real Postfix is
 * exercised by tests/tui/reload.sh. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/apply.h"
#include "core/build.h"
#include "core/indexdiff.h"
#include "util/runcmd.h"
#include "tests/unit/unit_util.h"

static void
test_runcmd_pipe_and_pty(void **state)
{
	struct runcmd_result r;
	char why[256];
	const char *tty[] = { "/bin/sh", "-c", "if [ -t 2 ]; then echo tty >&2; else echo notty >&2; fi; exit 3", NULL };
	const char *missing[] = { "/nonexistent/postfix", "check", NULL };
	const char *slow[] = { "/bin/sleep", "10", NULL };

	(void)state;
	runcmd_result_init(&r);
	/* without a pty, stderr is a pipe: postfix would print nothing */
	assert_int_equal(runcmd_run(tty, 0, 5000, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.output.buf, "notty\n");
	runcmd_result_fini(&r);
	/* with RUNCMD_PTY the child sees a terminal; "\r\n" comes back as "\n" */
	runcmd_result_init(&r);
	assert_int_equal(runcmd_run(tty, RUNCMD_PTY, 5000, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.output.buf, "tty\n");
	runcmd_result_fini(&r);
	/* a command that cannot be run: status 127, the reason in the output */
	runcmd_result_init(&r);
	assert_int_equal(runcmd_run(missing, 0, 5000, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(r.output.buf, "No such file or directory"));
	runcmd_result_fini(&r);
	/* a child past its deadline is killed and reported */
	runcmd_result_init(&r);
	assert_int_equal(runcmd_run(slow, 0, 200, &r, why, sizeof(why)), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.status, 128 + 15);
	runcmd_result_fini(&r);
}

static void
test_runcmd_background_child(void **state)
{
	struct runcmd_result r;
	char why[256];
	/* like postfix reload: a grandchild keeps the terminal open */
	const char *argv[] = { "/bin/sh", "-c", "echo done; (sleep 5 &) ; exit 0", NULL };
	time_t t0 = time(NULL);

	(void)state;
	runcmd_result_init(&r);
	assert_int_equal(runcmd_run(argv, RUNCMD_PTY, 20000, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.output.buf, "done\n");
	assert_true(time(NULL) - t0 < 4);   /* did not wait for the grandchild */
	runcmd_result_fini(&r);
}

static char dir[256];
static char fake[300];
static char calls[300];

/* a stand-in postfix: records "ARGS" per call; FAKE_CHECK / FAKE_STATUS /
 * FAKE_RELOAD are the exit statuses of those subcommands */
static void
make_fake(const char *check, const char *status, const char *reload)
{
	FILE *fp = fopen(fake, "w");

	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n"
		"echo \"$*\" >>'%s'\n"
		"case \"$3\" in\n"
		"check) echo 'postfix/postfix-script: checking'; exit %s ;;\n"
		"status) exit %s ;;\n"
		"reload) echo 'postfix/postfix-script: refreshing the Postfix mail system'; exit %s ;;\n"
		"esac\n", calls, check, status, reload);
	fclose(fp);
	chmod(fake, 0755);
	unlink(calls);
}

static char *
read_calls(void)
{
	static char buf[4096];
	FILE *fp = fopen(calls, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		buf[n] = '\0';
		fclose(fp);
	}
	return buf;
}

static int
setup(void **state)
{
	char main_cf[4096], want[300];

	(void)state;
	snprintf(dir, sizeof(dir), "%.200s/pfc-apply-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/postfix", dir);
	snprintf(calls, sizeof(calls), "%s/calls", dir);
	snprintf(main_cf, sizeof(main_cf),
		 "queue_directory = %s/spool\n"
		 "smtpd_restriction_classes = good\n"
		 "good = check_sender_access hash:%s/senders, permit\n"
		 "smtpd_recipient_restrictions = check_recipient_access hash:%s/rcpt, "
		 "reject_unauth_destination\n", dir, dir, dir);
	ut_write_file(dir, "main.cf", main_cf);
	ut_write_file(dir, "senders", "qq.com REJECT\n");
	ut_write_file(dir, "rcpt", "foo@bar.org good\n");
	snprintf(want, sizeof(want), "%s/spool", dir);
	mkdir(want, 0755);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_apply_steps(void **state)
{
	struct apply_opts o;
	struct apply_result r;
	char path[PATH_MAX];
	struct stat st;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.postfix = fake;
	o.no_audit = true;
	/* not running: validate, build both stale indexes, check; no reload */
	make_fake("0", "1", "0");
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 0);
	assert_int_equal(r.steps[0].state, APPLY_OK);
	assert_int_equal(r.steps[1].state, APPLY_OK);
	assert_true(r.built);
	assert_non_null(strstr(r.steps[1].detail.buf, "/senders (1 entry)"));
	snprintf(path, sizeof(path), "%s/senders.db", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(r.steps[2].state, APPLY_OK);
	assert_non_null(strstr(r.steps[2].output.buf, "postfix-script: checking"));
	assert_int_equal(r.steps[3].state, APPLY_SKIPPED);
	assert_false(r.running);
	assert_non_null(strstr(r.steps[3].detail.buf, "not running"));
	assert_non_null(strstr(read_calls(), "check\n"));
	assert_null(strstr(read_calls(), "reload"));
	/* the audit line is composed even when not written */
	assert_non_null(strstr(r.audit.buf, "applied: senders +1, rcpt +1; built 2 tables"));
	assert_non_null(strstr(r.audit.buf, "postfix not running"));
	apply_result_fini(&r);

	/* running, reload_always: reload runs after check */
	make_fake("0", "0", "0");
	o.reload_always = true;
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 0);
	assert_true(r.running);
	assert_true(r.reloaded);
	assert_int_equal(r.steps[3].state, APPLY_OK);
	assert_non_null(strstr(r.steps[3].output.buf, "refreshing"));
	assert_non_null(strstr(read_calls(), "check\n"));
	assert_non_null(strstr(read_calls(), "status\n"));
	assert_non_null(strstr(read_calls(), "reload\n"));
	apply_result_fini(&r);

	/* a failed check: nothing after it, exit 1 */
	make_fake("1", "0", "0");
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 1);
	assert_int_equal(r.steps[2].state, APPLY_FAILED);
	assert_int_equal(r.steps[2].status, 1);
	assert_int_equal(r.steps[3].state, APPLY_PENDING);
	assert_null(strstr(read_calls(), "reload"));
	assert_false(r.reloaded);
	apply_result_fini(&r);

	/* a failed reload is reported */
	make_fake("0", "0", "1");
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 1);
	assert_int_equal(r.steps[3].state, APPLY_FAILED);
	assert_false(r.reloaded);
	apply_result_fini(&r);
}

static void
test_apply_refused(void **state)
{
	struct apply_opts o;
	struct apply_result r;
	size_t i;
	bool found = false;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.postfix = fake;
	o.no_audit = true;
	o.reload_always = true;
	make_fake("0", "0", "0");
	ut_write_file(dir, "rcpt", "foo@bar.org goood\n");   /* an undefined class */
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 1);
	assert_true(r.refused);
	assert_int_equal(r.steps[0].state, APPLY_FAILED);
	for (i = 0; i < r.diags.n; i++)
		if (r.diags.v[i].code == DIAG_UNDEFINED_CLASS)
			found = true;
	assert_true(found);
	assert_int_equal(r.steps[1].state, APPLY_PENDING);
	assert_int_equal(r.steps[2].state, APPLY_PENDING);
	assert_string_equal(read_calls(), "");  /* postfix never ran */
	apply_result_fini(&r);
}

/* index_snap_diff: added, removed and changed keys, on small sets (qsort)
 * and on big ones (the radix sort) */
static void
test_indexdiff_sets(void **state)
{
	struct index_snap a, b;
	struct index_delta d;
	char k[64], v[64];
	int i;

	(void)state;
	index_snap_init(&a);
	index_snap_init(&b);
	index_snap_diff(&a, &b, &d);
	assert_int_equal(d.added + d.removed + d.changed, 0);
	assert_int_equal(index_snap_add(&a, "x@y", 3, "REJECT", 6), 0);
	assert_int_equal(index_snap_add(&a, "gone", 4, "OK", 2), 0);
	assert_int_equal(index_snap_add(&a, "same", 4, "OK", 2), 0);
	assert_int_equal(index_snap_add(&b, "same", 4, "OK", 2), 0);
	assert_int_equal(index_snap_add(&b, "x@y", 3, "OK", 2), 0);
	assert_int_equal(index_snap_add(&b, "new1", 4, "REJECT", 6), 0);
	assert_int_equal(index_snap_add(&b, "new2", 4, "", 0), 0);
	index_snap_diff(&a, &b, &d);
	assert_int_equal(d.added, 2);
	assert_int_equal(d.removed, 1);
	assert_int_equal(d.changed, 1);
	/* from nothing: everything is new; to nothing: everything removed */
	index_snap_fini(&a);
	index_snap_diff(&a, &b, &d);
	assert_int_equal(d.added, 4);
	index_snap_diff(&b, &a, &d);
	assert_int_equal(d.removed, 4);
	assert_int_equal(d.added + d.changed, 0);
	index_snap_fini(&b);
	/* 200,000 entries in another order, 3 changed, 2 removed, 5 added */
	for (i = 0; i < 200000; i++) {
		int n = snprintf(k, sizeof(k), "user%d@example.com", i);

		assert_int_equal(index_snap_add(&a, k, (size_t)n, "REJECT", 6), 0);
	}
	for (i = 200000 + 4; i >= 2; i--) {
		int n = snprintf(k, sizeof(k), "user%d@example.com", i);
		int m = snprintf(v, sizeof(v), "%s", i == 7 || i == 70000 || i == 199999 ? "OK" : "REJECT");

		assert_int_equal(index_snap_add(&b, k, (size_t)n, v, (size_t)m), 0);
	}
	index_snap_diff(&a, &b, &d);
	assert_int_equal(d.added, 5);
	assert_int_equal(d.removed, 2);
	assert_int_equal(d.changed, 3);
	index_snap_fini(&a);
	index_snap_fini(&b);
}

/* index_snap_take reads what a build wrote (cdb and hash), and an absent
 * index is an empty set */
static void
test_indexdiff_take(void **state)
{
	static const char *const types[] = { "cdb", "hash" };
	struct index_snap a, b;
	struct index_delta d;
	struct build_stats st;
	struct map_error err;
	struct diag_list dl;
	char path[300];
	size_t t;

	(void)state;
	snprintf(path, sizeof(path), "%s/senders", dir);
	for (t = 0; t < 2; t++) {
		index_snap_init(&a);
		index_snap_init(&b);
		diag_list_init(&dl);
		assert_int_equal(index_snap_take(types[t], path, &a, &err), 0);
		assert_int_equal(a.n, 0);
		ut_write_file(dir, "senders", "qq.com REJECT\n163.com REJECT\nQQ.com OK\nkeep OK\n");
		assert_int_equal(build_one(types[t], path, BUILD_NO_DUP_WARN, &dl, &st, &err), 1);
		assert_int_equal(index_snap_take(types[t], path, &a, &err), 1);
		assert_int_equal(a.n, 3);       /* folded: QQ.com is a duplicate */
		ut_write_file(dir, "senders", "qq.com OK\nkeep OK\nnew.example REJECT\nother REJECT\n");
		assert_int_equal(build_one(types[t], path, BUILD_NO_DUP_WARN, &dl, &st, &err), 1);
		assert_int_equal(index_snap_take(types[t], path, &b, &err), 1);
		index_snap_diff(&a, &b, &d);
		assert_int_equal(d.added, 2);
		assert_int_equal(d.removed, 1);
		assert_int_equal(d.changed, 1);
		index_snap_fini(&a);
		index_snap_fini(&b);
		diag_list_fini(&dl);
	}
	/* a pattern table cannot be listed: an error, not an empty set */
	assert_int_equal(index_snap_take("pcre", path, &a, &err), -1);
	ut_write_file(dir, "senders", "qq.com REJECT\n");
}

/* the audit line: what the build put live against the index it replaced,
 * also changes saved before this run; a session's undone edits and files
 * never written are not in it; no "changes:" dump */
static void
test_apply_audit(void **state)
{
	struct apply_opts o;
	struct apply_result r;
	char changes[1024];
	const char *p;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.postfix = fake;
	o.no_audit = true;
	make_fake("0", "1", "0");
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 0);
	/* first build: every entry is new */
	assert_non_null(strstr(r.audit.buf, " applied: senders +1, rcpt +1; built 2 tables; "
			       "postfix not running"));
	assert_non_null(strstr(r.audit.buf, "user="));
	p = strstr(r.audit.buf, " config=");
	assert_non_null(p);
	apply_result_fini(&r);
	/* saved "earlier" (no session edits given): 2 added, 1 changed */
	sleep(1);   /* the sources newer than their indexes, whatever the clock's grain */
	ut_write_file(dir, "senders", "qq.com OK\nspam.example REJECT\njunk.example REJECT\n");
	/* this session: +X then -X in rcpt (undone, the file rewritten as it
	 * was), and edits of a file never written */
	snprintf(changes, sizeof(changes), "%s/rcpt:\n+x@y REJECT\n-x@y REJECT\n"
		 "%s/never:\n+a b\n-a b\n", dir, dir);
	o.changes = changes;
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 0);
	p = strstr(r.audit.buf, " applied: ");
	assert_non_null(p);
	assert_string_equal(p, " applied: senders +2 ~1; built 1 table; postfix not running");
	assert_null(strstr(r.audit.buf, "changes:"));
	assert_null(strstr(r.audit.buf, "rcpt"));
	assert_null(strstr(r.audit.buf, "never"));
	apply_result_fini(&r);
	/* rebuilt with the same entries: built, nothing changed */
	sleep(1);
	ut_write_file(dir, "senders", "# a comment\nqq.com OK\nspam.example REJECT\njunk.example REJECT\n");
	o.changes = NULL;
	apply_result_init(&r);
	assert_int_equal(apply_run(dir, &o, &r), 0);
	p = strstr(r.audit.buf, " applied: ");
	assert_non_null(p);
	assert_string_equal(p, " applied: no entry changed; built 1 table; postfix not running");
	apply_result_fini(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runcmd_pipe_and_pty),
		cmocka_unit_test(test_runcmd_background_child),
		cmocka_unit_test_setup_teardown(test_apply_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_refused, setup, teardown),
		cmocka_unit_test(test_indexdiff_sets),
		cmocka_unit_test_setup_teardown(test_indexdiff_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_audit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
