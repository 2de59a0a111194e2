/* tests/unit/unit_util.h - small helpers shared by the cmocka unit tests
 * (include after <cmocka.h>).  Static functions only. */
#ifndef TESTS_UNIT_UTIL_H
#define TESTS_UNIT_UTIL_H

#include <limits.h>
#include <stdio.h>

/* ut_write_file - write TEXT to DIR/NAME (replacing it); the test fails
 * when the file cannot be opened */
static void __attribute__((unused))
ut_write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

#endif
