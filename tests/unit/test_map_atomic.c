/* tests/unit/test_map_atomic.c - maps/atomic.c: temporaries, owner/mode,
 * rename, abort, symlinks, stale temporaries of dead processes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps/atomic.h"
#include "tests/unit/test_map_lib.h"

static void
read_all(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, cap - 1, fp);
	buf[n] = 0;
	fclose(fp);
}

static void
test_commit_replaces_and_keeps_mode(void **state)
{
	struct atomic_file af;
	struct map_error err;
	struct stat st, before;
	char buf[64];

	(void)state;
	tl_write("target", "old\n", 0604);
	assert_int_equal(stat(tl_path("target"), &before), 0);
	assert_int_equal(atomic_begin(&af, tl_path("target"), NULL, 0, &err), 0);
	assert_true(af.fd >= 0);
	assert_non_null(strstr(af.tmp, "/.target.pfctmp-"));
	assert_int_equal(tl_count_temps(), 1);
	assert_int_equal(write(af.fd, "new\n", 4), 4);
	/* the target is untouched until commit */
	read_all(tl_path("target"), buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_null(af.tmp);
	read_all(tl_path("target"), buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(stat(tl_path("target"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	assert_int_equal(st.st_uid, before.st_uid);
	assert_int_equal(st.st_gid, before.st_gid);
	assert_true(st.st_ino != before.st_ino);    /* a new inode: readers of the old one notice */
	assert_int_equal(tl_count_temps(), 0);
}

static void
test_mode_and_owner_from_source(void **state)
{
	struct atomic_file af;
	struct map_error err;
	struct stat st;

	(void)state;
	tl_write("src", "x\n", 0600);
	if (geteuid() == 0)
		assert_int_equal(chown(tl_path("src"), 12345, 23456), 0);
	unlink(tl_path("fresh"));
	assert_int_equal(atomic_begin(&af, tl_path("fresh"), tl_path("src"), 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(stat(tl_path("fresh"), &st), 0);
	/* postmap's rule: 0644 minus the source's missing group/other read bits */
	assert_int_equal(st.st_mode & 07777, 0600);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 12345);
		assert_int_equal(st.st_gid, 23456);
	}
	tl_write("src2", "x\n", 0640);
	unlink(tl_path("fresh2"));
	assert_int_equal(atomic_begin(&af, tl_path("fresh2"), tl_path("src2"), 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(stat(tl_path("fresh2"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* neither target nor source: 0644 */
	unlink(tl_path("fresh3"));
	assert_int_equal(atomic_begin(&af, tl_path("fresh3"), NULL, 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(stat(tl_path("fresh3"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void
test_abort_removes_only_temp(void **state)
{
	struct atomic_file af;
	struct map_error err;
	char buf[64];

	(void)state;
	tl_write("keep", "old\n", 0644);
	assert_int_equal(atomic_begin(&af, tl_path("keep"), NULL, 0, &err), 0);
	assert_int_equal(write(af.fd, "partial", 7), 7);
	atomic_abort(&af);
	assert_int_equal(tl_count_temps(), 0);
	read_all(tl_path("keep"), buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	/* private-directory mode */
	assert_int_equal(atomic_begin(&af, tl_path("keep"), NULL, ATOMIC_PRIVATE_DIR, &err), 0);
	assert_int_equal(af.fd, -1);
	assert_non_null(af.tmpdir);
	tl_write("dummy", "", 0644);
	{
		int fd = open(af.tmp, O_CREAT | O_WRONLY | O_EXCL, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "zz", 2), 2);
		close(fd);
	}
	atomic_abort(&af);
	assert_int_equal(tl_count_temps(), 0);
	read_all(tl_path("keep"), buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
}

static void
test_private_dir_commit(void **state)
{
	struct atomic_file af;
	struct map_error err;
	char buf[64];
	int fd;

	(void)state;
	assert_int_equal(atomic_begin(&af, tl_path("pd"), NULL, ATOMIC_PRIVATE_DIR, &err), 0);
	fd = open(af.tmp, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "db\n", 3), 3);
	close(fd);
	assert_int_equal(atomic_commit(&af, &err), 0);
	read_all(tl_path("pd"), buf, sizeof(buf));
	assert_string_equal(buf, "db\n");
	assert_int_equal(tl_count_temps(), 0);
}

/* a stale temporary of a process that no longer runs is removed; one of a
 * live process (our parent's, here: pid 1) is not */
static void
test_stale_temps(void **state)
{
	struct atomic_file af;
	struct map_error err;
	char name[128];
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	snprintf(name, sizeof(name), ".stale.pfctmp-%ld-abcdef", (long)pid);
	tl_write(name, "junk", 0600);
	snprintf(name, sizeof(name), ".stale.pfctmp-%d-abcdef", 1);
	tl_write(name, "live", 0600);
	assert_int_equal(tl_count_temps(), 2);
	assert_int_equal(atomic_begin(&af, tl_path("stale"), NULL, 0, &err), 0);
	atomic_abort(&af);
	assert_int_equal(tl_count_temps(), 1);
	unlink(tl_path(name));
}

/* the temporary is never created through a planted symlink */
static void
test_symlink_target_dir(void **state)
{
	struct atomic_file af;
	struct map_error err;
	struct stat st;

	(void)state;
	assert_int_equal(atomic_begin(&af, tl_path("sl"), NULL, 0, &err), 0);
	assert_int_equal(lstat(af.tmp, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	atomic_abort(&af);
	assert_int_equal(atomic_begin(&af, "/nonexistent-dir/x", NULL, 0, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.text, "/nonexistent-dir/"));
}

/* owner/mode never come through a symlink (x.db -> /dev/null would give a
 * world-writable index) and never carry set-id bits */
static void
test_mode_not_through_symlink_no_setid(void **state)
{
	struct atomic_file af;
	struct map_error err;
	struct stat st;

	(void)state;
	unlink(tl_path("ln.db"));
	assert_int_equal(symlink("/dev/null", tl_path("ln.db")), 0);
	tl_write("ln", "x\n", 0640);
	assert_int_equal(atomic_begin(&af, tl_path("ln.db"), tl_path("ln"), 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(lstat(tl_path("ln.db"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);    /* from the source, not /dev/null's 0666 */
	assert_int_equal(lstat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));               /* the link's target is untouched */
	/* a symlink to a regular file gives nothing either */
	tl_write("other", "y\n", 0666);
	unlink(tl_path("ln2.db"));
	assert_int_equal(symlink(tl_path("other"), tl_path("ln2.db")), 0);
	assert_int_equal(atomic_begin(&af, tl_path("ln2.db"), NULL, 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(lstat(tl_path("ln2.db"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* set-id and sticky bits of the replaced file are dropped */
	tl_write("suid", "z\n", 0644);
	assert_int_equal(chmod(tl_path("suid"), 06755 | 01000), 0);
	assert_int_equal(atomic_begin(&af, tl_path("suid"), NULL, 0, &err), 0);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(lstat(tl_path("suid"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_replaces_and_keeps_mode),
		cmocka_unit_test(test_mode_and_owner_from_source),
		cmocka_unit_test(test_abort_removes_only_temp),
		cmocka_unit_test(test_private_dir_commit),
		cmocka_unit_test(test_stale_temps),
		cmocka_unit_test(test_symlink_target_dir),
		cmocka_unit_test(test_mode_not_through_symlink_no_setid),
	};

	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
