/*
 * tests/unit/test_watch.c - core/watch.h: the fd becomes readable when the
 * watched file is appended to, replaced, or created after being absent.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/watch.h"

static bool
readable(struct watch *w, int ms)
{
	struct pollfd p = { watch_fd(w), POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

static void
test_watch(void **state)
{
	char dir[] = "/tmp/test_watch.XXXXXX", path[256], other[256], reason[256];
	struct watch *w;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	snprintf(other, sizeof(other), "%s/mail.log.1", dir);
	w = watch_new(reason, sizeof(reason));
	if (strcmp(watch_backend(), "none") == 0) {
		/* configure --with-watch=none: no watcher, followers poll by time */
		assert_null(w);
		assert_int_equal(errno, ENOSYS);
		assert_non_null(strstr(reason, "no file watcher"));
		assert_int_equal(watch_add_file(NULL, path, reason, sizeof(reason)), -1);
		assert_int_equal(watch_fd(NULL), -1);
		assert_false(watch_drain(NULL));
		watch_free(NULL);
		rmdir(dir);
		return;
	}
	assert_non_null(w);
	assert_true(strcmp(watch_backend(), "inotify") == 0 || strcmp(watch_backend(), "kqueue") == 0);
	/* the file does not exist yet */
	assert_int_equal(watch_add_file(w, path, reason, sizeof(reason)), 0);
	assert_false(readable(w, 50));
	assert_false(watch_drain(w));
	fp = fopen(path, "w");
	fclose(fp);
	assert_true(readable(w, 2000));
	assert_true(watch_drain(w));
	assert_false(readable(w, 50));
	assert_int_equal(watch_add_file(w, path, reason, sizeof(reason)), 0);
	/* appended */
	fp = fopen(path, "a");
	fputs("line\n", fp);
	fclose(fp);
	assert_true(readable(w, 2000));
	assert_true(watch_drain(w));
	/* renamed away and recreated */
	assert_int_equal(rename(path, other), 0);
	assert_true(readable(w, 2000));
	watch_drain(w);
	fclose(fopen(path, "w"));
	assert_true(readable(w, 2000));
	watch_drain(w);
	/* a directory that does not exist */
	assert_int_equal(watch_add_file(w, "/nonexistent-dir/x.log", reason, sizeof(reason)), -1);
	assert_non_null(strstr(reason, "/nonexistent-dir"));
	watch_free(w);
	watch_free(NULL);
	unlink(path);
	unlink(other);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
