/* tests/unit/test_util.c - util/: hashes against published values, the
 * hash table against a plain array, the strbuf zeroed, strict UTF-8, display widths, and the command runner's
 * rules (absolute path, clean environment, process group, cap, deadline). */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/hash.h"
#include "util/htable.h"
#include "util/runcmd.h"
#include "util/strbuf.h"
#include "util/textwidth.h"
#include "util/utf8.h"

static void
test_hash(void **state)
{
	char key[32];
	uint64_t seen_hi[17], h;
	size_t i, j;

	(void)state;
	/* FNV's published 64-bit FNV-1a test vectors */
	assert_true(hash_fnv1a("", 0) == 0xcbf29ce484222325ULL);
	assert_true(hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(hash_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
	/* Berkeley DB's __ham_func5: FNV-1, 32-bit prime, from 0 */
	assert_true(hash_bdb("", 0) == 0);
	assert_true(hash_bdb("abc", 3) == 0x84f09160U);
	/* hash_words: stable, and every length and last byte reaches the
	 * upper half (the explain line index groups by it) */
	memset(key, 'x', sizeof(key));
	assert_true(hash_words(key, 13) == hash_words(key, 13));
	for (i = 0; i <= 16; i++) {
		seen_hi[i] = hash_words(key, i) >> 32;
		for (j = 0; j < i; j++)
			assert_true(seen_hi[i] != seen_hi[j]);
	}
	h = hash_words(key, 9);
	key[8] = 'y';
	assert_true(hash_words(key, 9) >> 32 != h >> 32);
}

/* the hash table against a plain array: N keys with few distinct hashes
 * (long probe runs, equal tags), lookups, removals in random order
 * (backward shift), growth to a mapped table; every state checked */
static uint64_t
ht_hash(uint32_t k, int spread)
{
	/* spread 0: 64 distinct hashes for every key; else hash_words */
	return spread ? hash_words(&k, sizeof(k)) : (uint64_t)(k % 64) * 0x9e3779b97f4a7c15ULL;
}

static uint32_t
ht_find(const struct htable *t, const uint32_t *key_of, uint32_t k, int spread)
{
	struct htable_probe p;
	uint32_t id;

	htable_probe_start(t, &p, ht_hash(k, spread));
	while ((id = htable_probe_next(t, &p)) != 0)
		if (key_of[id] == k)
			return id;
	return 0;
}

static void
ht_run(uint32_t n, int spread)
{
	struct htable t;
	uint32_t *key_of = calloc(n + 1, sizeof(*key_of));
	unsigned char *in = calloc(n + 1, 1);
	uint32_t i, id, seed = 12345;

	assert_non_null(key_of);
	assert_non_null(in);
	htable_init(&t);
	assert_int_equal(ht_find(&t, key_of, 7, spread), 0);
	for (i = 1; i <= n; i++) {
		struct htable_probe p;
		uint32_t k = i * 2654435761U;

		key_of[i] = k;
		assert_int_equal(htable_reserve(&t, t.n + 1), 0);
		htable_probe_start(&t, &p, ht_hash(k, spread));
		while ((id = htable_probe_next(&t, &p)) != 0)
			assert_int_not_equal(key_of[id], k);
		htable_insert(&t, &p, i);
		in[i] = 1;
	}
	assert_int_equal(t.n, n);
	assert_true(t.mask + 1 >= 2 * (size_t)n);
	for (i = 1; i <= n; i++)
		assert_int_equal(ht_find(&t, key_of, key_of[i], spread), i);
	/* remove about half, in a pseudo-random order */
	for (i = 0; i < n / 2 + 1; i++) {
		seed = seed * 1103515245U + 12345U;
		id = 1 + (seed >> 8) % n;
		if (in[id]) {
			assert_int_equal(htable_remove(&t, ht_hash(key_of[id], spread), id), 0);
			in[id] = 0;
		} else {
			assert_int_equal(htable_remove(&t, ht_hash(key_of[id], spread), id), -1);
		}
	}
	for (i = 1; i <= n; i++)
		assert_int_equal(ht_find(&t, key_of, key_of[i], spread), in[i] ? i : 0);
	htable_fini(&t);
	assert_null(t.slot);
	free(key_of);
	free(in);
}

static void
test_htable(void **state)
{
	(void)state;
	ht_run(3000, 0);        /* 64 hashes: runs of ~47 equal tags */
	ht_run(300000, 1);      /* past 4 MiB of slots: the mapped table */
}

static void
test_strbuf_zeroed(void **state)
{
	struct strbuf z = { 0 };
	char *p;

	(void)state;
	strbuf_reset(&z);
	assert_null(z.buf);
	assert_int_equal(strbuf_add(&z, "", 0), 0);
	assert_non_null(z.buf);
	assert_string_equal(z.buf, "");
	assert_int_equal(strbuf_addf(&z, "%d-%s", 42, "x"), 0);
	assert_int_equal(strbuf_addch(&z, '!'), 0);
	assert_string_equal(z.buf, "42-x!");
	assert_int_equal(z.len, 5);
	strbuf_fini(&z);
	assert_string_equal(z.buf, "");
	memset(&z, 0, sizeof(z));
	p = strbuf_export(&z);
	assert_string_equal(p, "");
	free(p);
	strbuf_fini(&z);
}

/* strbuf_add_num writes what printf's %lld / %llu writes */
static void
test_strbuf_add_num(void **state)
{
	static const long long sv[] = { 0, 1, -1, 9, 10, -10, 99, 100, 451, -2147483647LL - 1,
					 4294967295LL, 9223372036854775807LL };
	struct strbuf sb;
	char want[32];
	size_t i;

	(void)state;
	strbuf_init(&sb);
	for (i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		strbuf_reset(&sb);
		assert_int_equal(strbuf_add_num(&sb, sv[i] < 0, sv[i] < 0 ? 0ULL - (unsigned long long)sv[i]
						: (unsigned long long)sv[i]), 0);
		snprintf(want, sizeof(want), "%lld", sv[i]);
		assert_string_equal(sb.buf, want);
	}
	strbuf_reset(&sb);
	strbuf_add_num(&sb, false, 18446744073709551615ULL);
	assert_string_equal(sb.buf, "18446744073709551615");
	strbuf_fini(&sb);
}

static void
test_utf8_strict(void **state)
{
	static const struct {
		const char *s;
		size_t n, len;          /* len 0: invalid */
		unsigned cp;
	} c[] = {
		{ "A", 1, 1, 0x41 },
		{ "\xc3\xa9", 2, 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "\xc0\x80", 2, 0, 0 },                /* overlong NUL */
		{ "\xc1\xbf", 2, 0, 0 },                /* overlong */
		{ "\xe0\x80\xaf", 3, 0, 0 },            /* overlong '/' */
		{ "\xe0\x9f\xbf", 3, 0, 0 },            /* overlong U+07FF */
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },        /* overlong U+FFFF */
		{ "\xed\xa0\x80", 3, 0, 0 },            /* surrogate U+D800 */
		{ "\xed\xbf\xbf", 3, 0, 0 },            /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },        /* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xe2\x82", 2, 0, 0 },                /* truncated */
		{ "\xe2\x28\xa1", 3, 0, 0 },            /* bad continuation */
		{ "\x80", 1, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned cp = 0xdead;
		size_t k = utf8_decode((const unsigned char *)c[i].s, c[i].n, &cp);

		if (k != c[i].len || (k && cp != c[i].cp))
			fail_msg("case %zu: length %zu cp %x, want %zu %x", i, k, cp, c[i].len, c[i].cp);
		assert_int_equal(utf8_valid(c[i].s, c[i].n), c[i].len == c[i].n);
	}
	assert_int_equal(utf8_invalid_at("abcdefgh\xc3\xa9xyz\xed\xa0\x80", 16), 13);
}

static void
test_text_width(void **state)
{
	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	assert_int_equal(text_width("", 0), 0);
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87", 6), 4);    /* two CJK: 2 cells each */
	assert_int_equal(text_width("\xc3\xa9", 2), 1);
	assert_int_equal(text_width("\xed\xa0\x80", 3), 3);    /* a surrogate: 3 bad bytes */
	assert_int_equal(text_width("a\0b", 3), 3);            /* NUL and controls: 1 cell */
	assert_int_equal(text_fit("\xe4\xb8\xad\xe6\x96\x87", 6, 3), 3); /* never half a character */
	assert_int_equal(text_fit("ab\xe4\xb8\xad", 5, 4), 5);
	setlocale(LC_CTYPE, "C");
	assert_int_equal(text_width("\xc3\xa9", 2), 2);        /* not UTF-8: a cell per byte */
}

static void
test_runcmd_rules(void **state)
{
	struct runcmd_result r;
	struct runcmd_opts o = { 0 };
	const char *env[] = { "MAIL_CONFIG=/etc/x", NULL };
	const char *rel[] = { "sh", "-c", "exit 0", NULL };
	const char *penv[] = { "/usr/bin/env", NULL };
	const char *big[] = { "/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a", NULL };
	const char *split[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 1", NULL };
	char why[256];

	(void)state;
	setenv("PFCONSOLE_TEST_SECRET", "leak", 1);
	runcmd_result_init(&r);
	/* no PATH search: a relative program is refused before anything runs */
	assert_int_equal(runcmd_exec(rel, NULL, &r, why, sizeof(why)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(r.status, -1);
	assert_non_null(strstr(why, "not an absolute path"));
	/* the environment is PATH and what the caller lists, nothing else */
	o.env = env;
	assert_int_equal(runcmd_exec(penv, &o, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.output.buf, "PATH=" RUNCMD_SAFE_PATH "\nMAIL_CONFIG=/etc/x\n");
	runcmd_result_fini(&r);
	/* output past the cap is dropped and reported; the child still ends */
	runcmd_result_init(&r);
	o.env = NULL;
	o.output_cap = 1000;
	assert_int_equal(runcmd_exec(big, &o, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.output.len, 1000);
	assert_true(r.truncated);
	runcmd_result_fini(&r);
	/* stdout and stderr apart */
	runcmd_result_init(&r);
	o.output_cap = 0;
	o.flags = RUNCMD_SPLIT;
	assert_int_equal(runcmd_exec(split, &o, &r, why, sizeof(why)), 0);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.output.buf, "out\n");
	assert_string_equal(r.errout.buf, "err\n");
	assert_false(r.truncated);
	runcmd_result_fini(&r);
}

/* alive - PID (read from PATH) still exists */
static int
pid_in(const char *path)
{
	FILE *fp = fopen(path, "r");
	int pid = 0;

	if (fp) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	return pid;
}

static int
gone_within(int pid, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 1;
		usleep(20000);
	}
	return 0;
}

static void
test_runcmd_group_killed(void **state)
{
	struct runcmd_result r;
	struct runcmd_opts o = { .timeout_ms = 300 };
	char why[256], file[64], script[256];
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	int pid, fd;
	pid_t child;
	long long t0 = time(NULL);

	(void)state;
	/* a grandchild that ignores nothing: it must die with the group at
	 * the deadline, not linger after its parent was killed */
	snprintf(file, sizeof(file), "/tmp/test_util.%ld", (long)getpid());
	snprintf(script, sizeof(script), "sleep 30 & echo $! >%s; wait", file);
	unlink(file);
	runcmd_result_init(&r);
	assert_int_equal(runcmd_exec(argv, &o, &r, why, sizeof(why)), 0);
	assert_true(r.timed_out);
	assert_true(time(NULL) - t0 < 10);
	pid = pid_in(file);
	assert_true(pid > 0);
	assert_true(gone_within(pid, 3000));
	runcmd_result_fini(&r);
	/* runcmd_spawn + runcmd_stop: the same for a reader-driven child */
	unlink(file);
	assert_int_equal(runcmd_spawn(argv, NULL, &child, &fd, why, sizeof(why)), 0);
	while (pid_in(file) == 0 && time(NULL) - t0 < 10)
		usleep(20000);
	pid = pid_in(file);
	assert_true(pid > 0);
	assert_true(runcmd_stop(child, 1000) != -1);
	assert_true(gone_within(pid, 3000));
	close(fd);
	unlink(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_htable),
		cmocka_unit_test(test_strbuf_zeroed),
		cmocka_unit_test(test_strbuf_add_num),
		cmocka_unit_test(test_utf8_strict),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_runcmd_rules),
		cmocka_unit_test(test_runcmd_group_killed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
