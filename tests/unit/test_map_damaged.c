/* tests/unit/test_map_damaged.c - damaged hash and cdb indexes never crash
 * or hang the reader (issue 12, section 4).  A hash .db (a few thousand
 * keys, and big keys and values on overflow pages) and a cdb are built
 * (by postmap when it is installed, else by our builders); then 1,000
 * damaged copies of each - mostly one random byte (a third of them in the
 * meta page and page headers, where a reader looks first), some several
 * bytes, some truncations - are opened, verified (map_verify, what check
 * reports as unreadable-map), looked up key by key and listed (map_walk,
 * what the audit line's diff reads).  A crash, an
 * AddressSanitizer report (the suite's sanitizer step runs this) or a hang
 * (the test's deadline) fails.  Berkeley DB itself runs in its sandboxed
 * child, so a crash there must come back as an error, never take us down.
 * Seeded: PFCONSOLE_DAMAGE_SEED=N repeats a run; every failure prints the
 * seed and round. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps/map.h"
#include "maps/map_int.h"
#include "tests/unit/test_map_lib.h"

#define ROUNDS 1000
#define NKEYS 2000

static unsigned long seed;
static char **keys;
static size_t nkeys;

/* rnd - xorshift64*, seeded */
static uint64_t rs;
static uint64_t
rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 2685821657736338717ULL;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *p;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* spit - PATH replaced by a new file of LEN bytes (a new inode, as a
 * rebuild gives, so the reader never mixes two versions) */
static void
spit(const char *path, const unsigned char *p, size_t len)
{
	char tmp[512];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
}

/* write_source - NKEYS keys; every 9th a 1500-byte key, every 4th value
 * 3000-9000 bytes (overflow pages) */
static void
write_source(const char *name)
{
	FILE *fp = fopen(tl_path(name), "w");
	size_t i, j;

	assert_non_null(fp);
	keys = calloc(NKEYS, sizeof(*keys));
	assert_non_null(keys);
	for (i = 0; i < NKEYS; i++) {
		char k[1600];

		if (i % 9 == 0) {
			int n = snprintf(k, sizeof(k), "big%zu-", i);

			for (j = 0; j < 1500; j++)
				k[n + (int)j] = (char)('a' + j % 26);
			k[n + 1500] = 0;
		} else
			snprintf(k, sizeof(k), "k%zu@d%zu.example", i, i % 97);
		keys[i] = strdup(k);
		assert_non_null(keys[i]);
		fprintf(fp, "%s ", k);
		if (i % 4 == 1) {
			fprintf(fp, "REJECT %zu ", i);
			for (j = 0; j < 3000 + 700 * (i % 10); j++)
				fputc('A' + (int)((j + i) % 26), fp);
			fputc('\n', fp);
		} else
			fprintf(fp, "REJECT listed %zu\n", i);
	}
	nkeys = NKEYS;
	assert_int_equal(fclose(fp), 0);
}

/* build - TYPE:NAME by postmap if it is there, else by our builder */
static void
build(const char *type, const char *name)
{
	const struct map_ops *ops = map_find_type(type);
	struct map_error err;
	struct map_builder *b;
	char args[600], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	snprintf(args, sizeof(args), "%s:'%s'", type, tl_path(name));
	if (tl_postmap(args) == 0)
		return;
	memset(&err, 0, sizeof(err));
	b = ops->build_begin(ops, tl_path(name), &err);
	assert_non_null(b);
	fp = fopen(tl_path(name), "r");
	assert_non_null(fp);
	while ((len = getline(&line, &cap, fp)) > 0) {
		char *sp = strchr(line, ' ');

		if (line[len - 1] == '\n')
			line[--len] = 0;
		assert_non_null(sp);
		assert_true(map_build_put(ops, b, line, (size_t)(sp - line), sp + 1,
					  strlen(sp + 1), true, &err) >= 0);
	}
	free(line);
	fclose(fp);
	assert_int_equal(ops->build_commit(b, &err), 0);
}

/* damage - a damaged copy of ORIG (LEN bytes) into OUT; its new length */
static size_t
damage(const unsigned char *orig, size_t len, unsigned char *out, char *what, size_t wlen)
{
	uint64_t x = rnd() % 100;
	size_t i, n;

	memcpy(out, orig, len);
	if (x < 85) {
		/* a third where a reader looks first: the meta page and the
		 * page headers (hash), the table index (cdb) */
		if (rnd() % 3 == 0)
			i = (size_t)(rnd() % (len / 4096 + 1)) * 4096 + (size_t)(rnd() % 64);
		else
			i = (size_t)(rnd() % len);
		if (i >= len)
			i = len - 1;
		out[i] ^= (unsigned char)(1 + rnd() % 255);
		snprintf(what, wlen, "byte %zu ^= 0x%02x", i, (unsigned)(out[i] ^ orig[i]));
		return len;
	}
	if (x < 95) {
		n = 2 + (size_t)(rnd() % 7);
		snprintf(what, wlen, "%zu bytes changed", n);
		while (n--)
			out[rnd() % len] = (unsigned char)rnd();
		return len;
	}
	n = (size_t)(rnd() % len);
	snprintf(what, wlen, "truncated to %zu", n);
	return n;
}

static int
count_rec(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	++*(size_t *)ctx;
	return 0;
}

/*
 * one_round - open the damaged TYPE:NAME, verify it, look up a sample of
 * the keys (all big ones among them) and a missing one.  Returns 1 when
 * open or verify said it is damaged.  Nothing may crash; every answer is
 * a value, "not found" or an error.
 */
static int
one_round(const char *type, const char *name, unsigned long rnd_no, const char *what)
{
	struct map_error err;
	struct map_hit hit;
	struct map *m;
	int damaged = 0, r;
	size_t i;

	memset(&err, 0, sizeof(err));
	m = map_open(type, tl_path(name), NULL, 0, MAP_OPEN_BATCH, &err);
	if (m == NULL)
		return 1;
	if (map_verify(m, &err) < 0) {
		damaged = 1;
		if (strstr(err.text, "damaged") == NULL && strstr(err.text, "open") == NULL
		    && strstr(err.text, "read") == NULL)
			fail_msg("seed %lu round %lu (%s %s): verify error without a reason: %s",
				 seed, rnd_no, type, what, err.text);
	}
	for (i = 0; i < 60; i++) {
		const char *k = i < 50 ? keys[rnd() % nkeys] : i < 55 ? keys[(i - 50) * 9]
			: "nothere@example.com";

		memset(&err, 0, sizeof(err));
		r = map_lookup(m, k, strlen(k), &hit, &err);
		if (r < -1 || r > 1)
			fail_msg("seed %lu round %lu (%s %s): lookup returned %d", seed, rnd_no, type,
				 what, r);
		if (r == 1 && (hit.val == NULL || hit.val[hit.vlen] != 0))
			fail_msg("seed %lu round %lu (%s %s): a hit without a NUL-terminated value",
				 seed, rnd_no, type, what);
		if (r < 0 && err.text[0] == 0)
			fail_msg("seed %lu round %lu (%s %s): an error without a message", seed, rnd_no,
				 type, what);
	}
	/* the whole index listed (the audit line's diff reads the index it
	 * replaces this way): every record, or an error; never a crash */
	{
		size_t nrec = 0;

		memset(&err, 0, sizeof(err));
		r = map_walk(m, count_rec, &nrec, &err);
		if (r < 0 && err.text[0] == 0)
			fail_msg("seed %lu round %lu (%s %s): a walk error without a message", seed,
				 rnd_no, type, what);
		if (r == 0 && !damaged && nrec != nkeys)
			fail_msg("seed %lu round %lu (%s %s): sound by verify, but a walk found %zu "
				 "of %zu records", seed, rnd_no, type, what, nrec, nkeys);
	}
	map_release(m);
	map_close(m);
	return damaged;
}

static void
fuzz(const char *type, const char *suffix)
{
	char name[64], path[512], what[80];
	unsigned char *orig, *buf;
	size_t len, n;
	unsigned long i;
	int damaged = 0;

	snprintf(name, sizeof(name), "t-%s", type);
	write_source(name);
	build(type, name);
	snprintf(path, sizeof(path), "%s%s", tl_path(name), suffix);
	orig = slurp(path, &len);
	buf = malloc(len);
	assert_non_null(buf);
	/* the undamaged index is sound */
	assert_int_equal(one_round(type, name, 0, "none"), 0);
	for (i = 1; i <= ROUNDS; i++) {
		n = damage(orig, len, buf, what, sizeof(what));
		spit(path, buf, n);
		damaged += one_round(type, name, i, what);
	}
	/* most damage is found (many bytes are values: unnoticeable) */
	if (damaged < ROUNDS / 20)
		fail_msg("seed %lu: %s: only %d of %d damaged indexes found damaged", seed, type,
			 damaged, ROUNDS);
	print_message("# %s: %d of %d damaged copies reported, 0 crashes (seed %lu)\n", type,
		      damaged, ROUNDS, seed);
	spit(path, orig, len);
	free(orig);
	free(buf);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
}

static void
test_hash_damaged(void **state)
{
	(void)state;
	fuzz("hash", ".db");
}

static void
test_cdb_damaged(void **state)
{
	(void)state;
	fuzz("cdb", ".cdb");
}

/* Berkeley DB's crash stays in its child: every hash page of a small
 * table claims 0xff02 items, so the native reader leaves each lookup to
 * Berkeley DB; its child crashing (as damaged pages make it) must come back
 * as a "damaged" error, for this lookup and the next, and the file is read
 * again once it is rebuilt */
static void
test_fallback_crash_contained(void **state)
{
	struct map_error err;
	struct map_hit hit;
	struct map *m;
	unsigned char *p, *orig;
	size_t len, i, ps;
	char path[512];
	int r;

	(void)state;
	tl_write("fb", "a x\nb y\nc z\n", 0644);
	build("hash", "fb");
	snprintf(path, sizeof(path), "%s.db", tl_path("fb"));
	orig = slurp(path, &len);
	p = malloc(len);
	assert_non_null(p);
	memcpy(p, orig, len);
	ps = (size_t)p[20] | (size_t)p[21] << 8 | (size_t)p[22] << 16;
	for (i = ps; i + ps <= len; i += ps)
		if (p[i + 25] == 13)            /* P_HASH */
			p[i + 21] = 0xff;       /* entries += 0xff00 */
	spit(path, p, len);
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("fb"), NULL, 0, 0, &err);
	assert_non_null(m);
	/* Berkeley DB itself (in the child) answers "not found", or reads
	 * past the page (ASan's interceptors in the child see it) and is
	 * reported as damaged: either way we are still here */
	r = map_lookup(m, "zz", 2, &hit, &err);
	if (r != 0 && !(r == -1 && strstr(err.text, "is damaged: Berkeley DB") != NULL)) {
		print_message("Berkeley DB's child: %d %s\n", r, err.text);
		fail();
	}
	assert_false(map_hash_native(m));
	map_close(m);
	map_hash_fb_crash_for_test = true;
	sleep(1);                       /* past the file's clock tick: no reopen */
	m = map_open("hash", tl_path("fb"), NULL, 0, 0, &err);
	assert_non_null(m);
	for (i = 0; i < 3; i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(map_lookup(m, "a", 1, &hit, &err), -1);
		if (strstr(err.text, "is damaged: Berkeley DB") == NULL)
			print_message("lookup %zu: %s\n", i, err.text), fail();
	}
	assert_int_equal(map_verify(m, &err), -1);
	map_hash_fb_crash_for_test = false;
	/* rebuilt (a new file): read again */
	spit(path, orig, len);
	assert_int_equal(map_lookup(m, "a", 1, &hit, &err), 1);
	assert_string_equal(hit.val, "x");
	map_close(m);
	free(p);
	free(orig);
}

/* an item count damaged downwards (seed 1796308724, round 206: a page's 206
 * items became 62): every item left is in place and in order, and the
 * records lost are lost to Berkeley DB too - verify must still say damaged,
 * from the page's free-space offset, which no longer meets its last item */
static void
test_item_count_lowered(void **state)
{
	struct map_error err;
	struct map *m;
	unsigned char *p;
	size_t len, i, ps, n = 0;
	char path[512], src[4096];
	int changed = 0;

	(void)state;
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "key%zu value%zu\n", i, i);
	tl_write("ic", src, 0644);
	build("hash", "ic");
	snprintf(path, sizeof(path), "%s.db", tl_path("ic"));
	/* the sound index verifies */
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("ic"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_int_equal(map_verify(m, &err), 0);
	map_close(m);
	p = slurp(path, &len);
	ps = (size_t)p[20] | (size_t)p[21] << 8 | (size_t)p[22] << 16;
	for (i = ps; i + ps <= len && !changed; i += ps)
		if (p[i + 25] == 13 && (p[i + 20] | p[i + 21] << 8) >= 4) {
			p[i + 20] -= 2;         /* one record fewer */
			changed = 1;
		}
	assert_true(changed);
	spit(path, p, len);
	sleep(1);                       /* past the file's clock tick */
	memset(&err, 0, sizeof(err));
	m = map_open("hash", tl_path("ic"), NULL, 0, 0, &err);
	assert_non_null(m);
	assert_int_equal(map_verify(m, &err), -1);
	if (strstr(err.text, "is damaged") == NULL)
		print_message("verify: %s\n", err.text), fail();
	map_close(m);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_damaged),
		cmocka_unit_test(test_cdb_damaged),
		cmocka_unit_test(test_fallback_crash_contained),
		cmocka_unit_test(test_item_count_lowered),
	};
	const char *s = getenv("PFCONSOLE_DAMAGE_SEED");

	seed = s && *s ? strtoul(s, NULL, 10) : (unsigned long)time(NULL) ^ (unsigned long)getpid();
	rs = seed * 0x9E3779B97F4A7C15ULL + 1;
	print_message("# seed %lu (PFCONSOLE_DAMAGE_SEED=%lu repeats this run)\n", seed, seed);
	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
