/* tests/unit/test_mastercf.c - the one master.cf reader: logical lines as
 * Postfix's readllines() joins them, fields, -o options and their places.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/mastercf.h"

static char dir[] = "/tmp/test_mastercf.XXXXXX";

static void
write_master(const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/master.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_logical_lines(void **state)
{
	struct mastercf m;

	(void)state;
	write_master("# comment\n"
		     "smtp      inet  n       -       y       -       -       smtpd\n"
		     "\n"
		     "submission inet n       -       y       -       -       smtpd\n"
		     "  # an indented comment inside the entry is skipped, not a field\n"
		     "  -o syslog_name=postfix/submission\n"
		     "\n"
		     "   \t\n"
		     "\t-o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
		     "  -osmtpd_tls_security_level=encrypt -o\n"
		     "pickup    unix  n       -       y       60      1       pickup");
	assert_int_equal(mastercf_read(&m, dir), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.v[0].f[0].text, "smtp");
	assert_int_equal(m.v[0].line, 2);
	assert_int_equal(m.v[0].nopt, 0);
	assert_string_equal(mastercf_command(&m.v[0]), "smtpd");

	assert_int_equal(m.v[1].line, 4);
	assert_int_equal(m.v[1].nf, 8 + 2 + 2 + 1 + 1);
	assert_int_equal(m.v[1].nopt, 3);
	assert_string_equal(m.v[1].opt[0].name, "syslog_name");
	assert_string_equal(m.v[1].opt[0].value, "postfix/submission");
	assert_int_equal(m.v[1].opt[0].line, 6);
	assert_int_equal(m.v[1].opt[0].col, 6);
	assert_string_equal(m.v[1].opt[1].name, "smtpd_client_restrictions");
	assert_string_equal(m.v[1].opt[1].value, "permit_sasl_authenticated, reject");
	assert_int_equal(m.v[1].opt[1].line, 9);
	assert_int_equal(m.v[1].opt[1].col, 6);   /* after the '{' */
	assert_string_equal(m.v[1].opt[2].name, "smtpd_tls_security_level");
	assert_string_equal(m.v[1].opt[2].value, "encrypt");
	assert_int_equal(m.v[1].opt[2].line, 10);
	assert_int_equal(m.v[1].opt[2].col, 5);

	/* no newline at the end of the file */
	assert_string_equal(m.v[2].f[0].text, "pickup");
	assert_string_equal(mastercf_command(&m.v[2]), "pickup");
	mastercf_free(&m);
}

static void
test_leading_whitespace_and_absent(void **state)
{
	struct mastercf m;

	(void)state;
	/* continuation text without an entry before it: Postfix warns and skips it */
	write_master("  -o stray=1\nsmtp inet n - y - - smtpd -o a=b\n");
	assert_int_equal(mastercf_read(&m, dir), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.v[0].nopt, 1);
	assert_string_equal(m.v[0].opt[0].name, "a");
	mastercf_free(&m);

	{
		char path[256];

		snprintf(path, sizeof(path), "%s/master.cf", dir);
		unlink(path);
	}
	assert_int_equal(mastercf_read(&m, dir), -1);
	assert_int_equal(errno, ENOENT);
	mastercf_free(&m);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	unlink(path);
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logical_lines),
		cmocka_unit_test(test_leading_whitespace_and_absent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
