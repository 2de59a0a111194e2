/* tests/unit/test_map_hash.c - the hash: backend: build, read, fold, duplicates,
 * abort, and files exchanged with the real postmap both ways; readers
 * against rebuilds (postmap in place, ours by rename) and MAP_OPEN_BATCH. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps/map.h"
#include "tests/unit/test_map_lib.h"

#define TYPE "hash"
#define SUFFIX ".db"
#include "tests/unit/test_map_indexed.h"

/* postmap_source - write NAME with N keys kI -> "VAL I" and run the real postmap */
static void
postmap_source(const char *name, int n, const char *val)
{
	char args[600];
	FILE *fp = fopen(tl_path(name), "w");
	int i;

	assert_non_null(fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "k%d %s %d\n", i, val, i);
	assert_int_equal(fclose(fp), 0);
	snprintf(args, sizeof(args), "hash:'%s'", tl_path(name));
	assert_int_equal(tl_postmap(args), 0);
}

static ino_t
inode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* postmap rewrites the .db in place (same inode): an open reader must
 * not answer from pages of the old table it has cached */
static void
test_reader_sees_rewrite_in_place(void **state)
{
	struct map_error err;
	struct map *m;
	ino_t ino;

	(void)state;
	postmap_source("r1", 3000, "OLD");
	ino = inode_of(tl_path("r1.db"));
	m = map_open(TYPE, tl_path("r1"), NULL, 0, 0, &err);
	assert_non_null(m);
	expect(m, "k1", "OLD 1");
	expect(m, "k2999", "OLD 2999");
	expect(m, "k3000", NULL);
	postmap_source("r1", 3001, "NEW");
	assert_int_equal(inode_of(tl_path("r1.db")), ino);     /* really in place */
	expect(m, "k1", "NEW 1");
	expect(m, "k2999", "NEW 2999");
	expect(m, "k3000", "NEW 3000");
	map_close(m);
}

/* ours builds a new file and renames it over: the reader picks it up */
static void
test_reader_sees_rename(void **state)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_builder *b;
	struct map_error err;
	struct map *m;
	int dups;

	(void)state;
	b = build_entries("r2", &dups);
	assert_int_equal(ops->build_commit(b, &err), 0);
	m = map_open(TYPE, tl_path("r2"), NULL, 0, MAP_OPEN_BATCH, &err);
	assert_non_null(m);
	expect(m, "foo.example", "OK");
	map_release(m);
	b = ops->build_begin(ops, tl_path("r2"), &err);
	assert_non_null(b);
	assert_int_equal(map_build_put(ops, b, "foo.example", 11, "REJECT now", 10, true, &err), 0);
	assert_int_equal(ops->build_commit(b, &err), 0);
	expect(m, "foo.example", "REJECT now");
	expect(m, "k", NULL);
	map_close(m);
}

/* can_lock_ex - could postmap take its exclusive lock on PATH now? */
static bool
can_lock_ex(const char *path)
{
	int fd = open(path, O_RDONLY);
	bool ok;

	assert_true(fd >= 0);
	ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return ok;
}

/* MAP_OPEN_BATCH keeps the shared lock from lookup to lookup until
 * map_release; without it no lock outlives a lookup */
static void
test_batch_holds_lock_until_release(void **state)
{
	struct map_error err;
	struct map *m, *plain;

	(void)state;
	postmap_source("r3", 10, "V");
	m = map_open(TYPE, tl_path("r3"), NULL, 0, MAP_OPEN_BATCH, &err);
	plain = map_open(TYPE, tl_path("r3"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_non_null(plain);
	assert_true(can_lock_ex(tl_path("r3.db")));     /* open alone holds nothing */
	expect(plain, "k1", "V 1");
	assert_true(can_lock_ex(tl_path("r3.db")));
	expect(m, "k1", "V 1");
	expect(m, "k9", "V 9");
	assert_false(can_lock_ex(tl_path("r3.db")));
	map_release(m);
	assert_true(can_lock_ex(tl_path("r3.db")));
	expect(m, "k2", "V 2");
	map_close(m);                   /* closing releases too */
	assert_true(can_lock_ex(tl_path("r3.db")));
	map_close(plain);
}

/* A postmap rewriting the table in place, again and again, while a batch
 * reader looks keys up in windows of 50 lookups: every lookup succeeds,
 * and within one window all answers come from the same build. */
static void
test_batch_consistent_under_rewrites(void **state)
{
	struct map_error err;
	struct map_hit hit;
	struct map *m;
	pid_t pid;
	int i, j, st, windows = 0, gens = 0;
	char key[32], lastgen[16] = "";

	(void)state;
	postmap_source("r4", 2000, "G0");
	m = map_open(TYPE, tl_path("r4"), NULL, 0, MAP_OPEN_BATCH, &err);
	assert_non_null(m);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char val[16];

		for (i = 1; i <= 12; i++) {
			snprintf(val, sizeof(val), "G%d", i);
			postmap_source("r4", 2000, val);
		}
		_exit(0);
	}
	do {
		char gen[16] = "";

		for (j = 0; j < 50; j++) {
			int r;

			snprintf(key, sizeof(key), "k%d", (windows * 50 + j) * 7 % 2000);
			r = map_lookup(m, key, strlen(key), &hit, &err);
			if (r != 1)
				fail_msg("lookup %s: %d (%s)", key, r, r < 0 ? err.text : "not found");
			if (j == 0)
				snprintf(gen, sizeof(gen), "%.*s", (int)strcspn(hit.val, " "), hit.val);
			else if (strncmp(hit.val, gen, strlen(gen)) != 0 || hit.val[strlen(gen)] != ' ')
				fail_msg("window %d: %s answered %s, earlier %s", windows, key, hit.val, gen);
			if (strcmp(hit.val + strlen(gen) + 1, key + 1) != 0)
				fail_msg("%s answered %s", key, hit.val);
		}
		map_release(m);
		if (strcmp(gen, lastgen) != 0)
			gens++;
		snprintf(lastgen, sizeof(lastgen), "%s", gen);
		windows++;
	} while (waitpid(pid, &st, WNOHANG) == 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	expect(m, "k5", "G12 5");       /* the last build, once postmap is done */
	assert_true(gens >= 2);
	map_close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		INDEXED_TESTS,
		cmocka_unit_test(test_reader_sees_rewrite_in_place),
		cmocka_unit_test(test_reader_sees_rename),
		cmocka_unit_test(test_batch_holds_lock_until_release),
		cmocka_unit_test(test_batch_consistent_under_rewrites),
	};

	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
