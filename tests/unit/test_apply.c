/* tests/unit/test_apply.c - util/runcmd (argv, pty or pipe, status,
 * timeout, output) and core/apply's pipeline with a stand-in postfix
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
	assert_non_null(strstr(r.audit.buf, "built hash:"));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runcmd_pipe_and_pty),
		cmocka_unit_test(test_runcmd_background_child),
		cmocka_unit_test_setup_teardown(test_apply_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
