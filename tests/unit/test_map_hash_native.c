/* tests/unit/test_map_hash_native.c - the hash: backend's native reader
 * (maps/map_hash.c, "Native reader") answers exactly as Berkeley DB does:
 * every record of tables built by the real postmap and by us (many
 * entries, big keys and values on overflow pages, an empty table, a
 * three-entry table whose buckets are mostly never-written pages) is looked
 * up through the map and through libdb directly, in both key forms
 * (with and without the trailing NUL), and keys that are not there must be
 * missed by both; a few are also checked against postmap -q.  Files in a
 * layout the native reader does not read (checksums, duplicates) must
 * still be answered, through Berkeley DB. */
#include "config.h"

#include <db.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps/map.h"
#include "maps/map_int.h"
#include "tests/unit/test_map_lib.h"

/* db_get - libdb's answer for K (N bytes) in PATH's open DB: value
 * (malloc'd, NUL-terminated, strnlen'd as map_hash does) or NULL */
static char *
db_get(DB *db, const char *k, size_t n)
{
	DBT key, val;
	char *v;

	memset(&key, 0, sizeof(key));
	memset(&val, 0, sizeof(val));
	key.data = (void *)k;
	key.size = (u_int32_t)n;
	if (db->get(db, NULL, &key, &val, 0) != 0)
		return NULL;
	v = malloc(val.size + 1);
	assert_non_null(v);
	memcpy(v, val.data, val.size);
	v[val.size] = 0;
	return v;
}

/* map_get - the map's answer for K (N bytes), without folding: the value
 * (malloc'd) or NULL */
static char *
map_get(struct map *m, const char *k, size_t n)
{
	struct map_hit hit;
	struct map_error err;
	int r;
	char *v;

	memset(&err, 0, sizeof(err));
	r = map_lookup(m, k, n, &hit, &err);
	assert_true(r >= 0);
	if (r == 0)
		return NULL;
	assert_int_equal(hit.val[hit.vlen], 0);
	v = malloc(hit.vlen + 1);
	assert_non_null(v);
	memcpy(v, hit.val, hit.vlen);
	v[hit.vlen] = 0;
	return v;
}

static void
same(const char *a, const char *b, const char *what, const char *k)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s: key '%.60s': map %s%.60s, libdb %s%.60s", what, k, a ? "" : "(none)",
			 a ? a : "", b ? "" : "(none)", b ? b : "");
}

/*
 * compare_all - open NAME.db through the map (NATIVE: expected to use the
 * native reader) and through libdb; every record's key, in both forms,
 * plus variants that are not there, gives the same answer.  Returns the
 * number of records.
 */
static size_t
compare_all(const char *name, bool native)
{
	char path[512], *k;
	struct map_error err;
	struct map *m;
	DB *db;
	DBC *c;
	DBT key, val;
	size_t n = 0;

	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path(name), NULL, 0, MAP_OPEN_NOFOLD | MAP_OPEN_BATCH, &err);
	if (m == NULL)
		fail_msg("open %s: %s", name, err.text);
	snprintf(path, sizeof(path), "%s.db", tl_path(name));
	assert_int_equal(db_create(&db, NULL, 0), 0);
	assert_int_equal(db->open(db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0), 0);
	assert_int_equal(db->cursor(db, NULL, &c, 0), 0);
	memset(&key, 0, sizeof(key));
	memset(&val, 0, sizeof(val));
	while (c->get(c, &key, &val, DB_NEXT) == 0) {
		size_t kl = key.size, v;
		char *a, *b;

		k = malloc(kl + 2);
		assert_non_null(k);
		memcpy(k, key.data, kl);
		k[kl] = 0;
		/* as stored (with its NUL when postmap wrote one) */
		a = map_get(m, k, kl && k[kl - 1] == 0 ? kl - 1 : kl);
		b = db_get(db, k, kl);
		if (b && kl && k[kl - 1] == 0)
			b[strnlen(b, val.size)] = 0;
		same(a, b, name, k);
		free(a);
		free(b);
		/* variants not in the table: a byte changed, one added, one removed */
		for (v = 0; v < 3; v++) {
			size_t vl = kl && k[kl - 1] == 0 ? kl - 1 : kl;
			char *dbk;

			if (v == 0 && vl)
				k[vl / 2] ^= 0x5a;
			else if (v == 1)
				k[vl++] = 'Z';
			else if (v == 2 && vl)
				vl--;
			a = map_get(m, k, vl);
			dbk = malloc(vl + 1);
			assert_non_null(dbk);
			memcpy(dbk, k, vl);
			dbk[vl] = 0;
			b = db_get(db, dbk, vl + 1);
			if (b == NULL)
				b = db_get(db, dbk, vl);
			same(a, b, name, dbk);
			free(a);
			free(b);
			free(dbk);
			memcpy(k, key.data, kl);
		}
		free(k);
		n++;
	}
	c->close(c);
	db->close(db, 0);
	if (native)
		assert_true(map_hash_native(m));
	map_close(m);
	return n;
}

/* write_source - NAME with N keys: mostly "kI@dJ.example" -> "REJECT listed I",
 * every BIGV-th value BIGLEN bytes long, every BIGK-th key 1500 bytes */
static void
write_source(const char *name, int n, int bigv, size_t biglen, int bigk)
{
	FILE *fp = fopen(tl_path(name), "w");
	int i;
	size_t j;

	assert_non_null(fp);
	for (i = 0; i < n; i++) {
		if (bigk && i % bigk == 0) {
			fprintf(fp, "big%d-", i);
			for (j = 0; j < 1500; j++)
				fputc('a' + (int)(j % 26), fp);
		} else
			fprintf(fp, "k%d@d%d.example", i, i % 97);
		if (bigv && i % bigv == 1) {
			fprintf(fp, " REJECT %d ", i);
			for (j = 0; j < biglen; j++)
				fputc('A' + (int)((j + (size_t)i) % 26), fp);
			fputc('\n', fp);
		} else
			fprintf(fp, " REJECT listed %d\n", i);
	}
	assert_int_equal(fclose(fp), 0);
}

static void
postmap_build(const char *name)
{
	char args[600];

	snprintf(args, sizeof(args), "hash:'%s'", tl_path(name));
	assert_int_equal(tl_postmap(args), 0);
}

/* our_build - build NAME.db from NAME's "key value" lines with map_build_* */
static void
our_build(const char *name)
{
	const struct map_ops *ops = map_find_type("hash");
	struct map_error err;
	struct map_builder *b;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp = fopen(tl_path(name), "r");
	size_t n = 0;

	assert_non_null(fp);
	memset(&err, 0, sizeof(err));
	b = ops->build_begin(ops, tl_path(name), &err);
	assert_non_null(b);
	while ((len = getline(&line, &cap, fp)) > 0) {
		char *sp = strchr(line, ' ');

		if (line[len - 1] == '\n')
			line[--len] = 0;
		assert_non_null(sp);
		assert_true(map_build_put(ops, b, line, (size_t)(sp - line), sp + 1,
					  strlen(sp + 1), true, &err) >= 0);
		n++;
	}
	free(line);
	fclose(fp);
	(void)n;
	assert_int_equal(ops->build_commit(b, &err), 0);
}

static void
test_postmap_many(void **state)
{
	(void)state;
	write_source("many", 30000, 0, 0, 0);
	postmap_build("many");
	assert_int_equal(compare_all("many", true), 30000);
}

static void
test_postmap_big_items(void **state)
{
	(void)state;
	/* values of 3000 and 9000 bytes span one and several overflow pages;
	 * keys of 1500+ bytes are big items too */
	write_source("bigv", 3000, 7, 3000, 0);
	postmap_build("bigv");
	assert_int_equal(compare_all("bigv", true), 3000);
	write_source("bigv2", 2000, 5, 9000, 11);
	postmap_build("bigv2");
	assert_int_equal(compare_all("bigv2", true), 2000);
}

static void
test_postmap_empty_and_tiny(void **state)
{
	struct map_error err;
	struct map_hit hit;
	struct map *m;

	(void)state;
	tl_write("empty", "", 0644);
	postmap_build("empty");
	assert_int_equal(compare_all("empty", true), 0);
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("empty"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_int_equal(map_lookup(m, "x", 1, &hit, &err), 0);
	assert_int_equal(map_lookup(m, "", 0, &hit, &err), 0);
	map_close(m);
	tl_write("tiny", "a x\nb y\nUPPER@Example.COM REJECT z\n", 0644);
	postmap_build("tiny");
	assert_int_equal(compare_all("tiny", true), 3);
	/* and as main.cf would ask: folded */
	m = map_open("hash", tl_path("tiny"), NULL, 0, 0, &err);
	assert_int_equal(map_lookup(m, "Upper@example.com", 17, &hit, &err), 1);
	assert_string_equal(hit.val, "REJECT z");
	map_close(m);
}

static void
test_ours_many_and_big(void **state)
{
	(void)state;
	write_source("ours", 20000, 13, 5000, 0);
	our_build("ours");
	assert_int_equal(compare_all("ours", true), 20000);
	write_source("ours2", 50, 0, 0, 0);
	our_build("ours2");
	assert_int_equal(compare_all("ours2", true), 50);
}

/* a few against postmap -q itself (values short enough for its buffer) */
static void
test_against_postmap_q(void **state)
{
	static const char *const keys[] = { "k0@d0.example", "k17@d17.example",
		"k2999@d89.example", "nothere@d1.example", "k1@d1.example" };
	struct map_error err;
	struct map_hit hit;
	struct map *m;
	size_t i;

	(void)state;
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("bigv"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_true(map_hash_native(m));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *q = tl_postmap_q("hash", "bigv", keys[i]);
		int r = map_lookup(m, keys[i], strlen(keys[i]), &hit, &err);

		if (q == NULL)
			assert_int_equal(r, 0);
		else {
			assert_int_equal(r, 1);
			if (strlen(q) < 1000)
				assert_string_equal(hit.val, q);
		}
	}
	map_close(m);
}

/* db_make - a DB_HASH file NAME.db made by libdb with FLAGS (DB_CHKSUM,
 * DB_DUP): a layout the native reader leaves to Berkeley DB */
static void
db_make(const char *name, u_int32_t flags, int n)
{
	char path[512], k[64], v[64];
	DB *db;
	DBT key, val;
	int i;

	snprintf(path, sizeof(path), "%s.db", tl_path(name));
	unlink(path);
	assert_int_equal(db_create(&db, NULL, 0), 0);
	assert_int_equal(db->set_flags(db, flags), 0);
	assert_int_equal(db->open(db, NULL, path, NULL, DB_HASH, DB_CREATE, 0644), 0);
	for (i = 0; i < n; i++) {
		memset(&key, 0, sizeof(key));
		memset(&val, 0, sizeof(val));
		snprintf(k, sizeof(k), "key%d", i);
		snprintf(v, sizeof(v), "value %d", i);
		key.data = k;
		key.size = (u_int32_t)strlen(k) + 1;
		val.data = v;
		val.size = (u_int32_t)strlen(v) + 1;
		assert_int_equal(db->put(db, NULL, &key, &val, 0), 0);
	}
	assert_int_equal(db->close(db, 0), 0);
}

static int
count_rec(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	/* "keyN" -> "value N" */
	if (kl < 4 || memcmp(k, "key", 3) != 0 || vl < 7 || strncmp(v, "value ", 6) != 0
	    || strncmp(k + 3, v + 6, kl - 3) != 0)
		fail_msg("record '%.*s' -> '%.*s'", (int)kl, k, (int)vl, v);
	++*(size_t *)ctx;
	return 0;
}

static void
test_fallback_layouts(void **state)
{
	struct map_error err;
	struct map_hit hit;
	struct map *m;

	(void)state;
	db_make("chk", DB_CHKSUM, 500);
	assert_int_equal(compare_all("chk", false), 500);
	db_make("dup", DB_DUP, 500);
	assert_int_equal(compare_all("dup", false), 500);
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("chk"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_false(map_hash_native(m));
	assert_int_equal(map_lookup(m, "key42", 5, &hit, &err), 1);
	assert_string_equal(hit.val, "value 42");
	/* listed through Berkeley DB's child too: every record, as stored */
	{
		size_t nrec = 0;

		assert_int_equal(map_walk(m, count_rec, &nrec, &err), 0);
		assert_int_equal(nrec, 500);
	}
	map_close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postmap_many),
		cmocka_unit_test(test_postmap_big_items),
		cmocka_unit_test(test_postmap_empty_and_tiny),
		cmocka_unit_test(test_ours_many_and_big),
		cmocka_unit_test(test_against_postmap_q),
		cmocka_unit_test(test_fallback_layouts),
	};

	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
