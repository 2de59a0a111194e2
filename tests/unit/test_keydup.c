/* tests/unit/test_keydup.c - duplicate keys found after the pass, against
 * a plain quadratic search, with one partition and with many. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/keydup.h"

struct got {
	unsigned line[4096], first[4096];
	char raw[4096][32];
	size_t n;
};

static int
collect(void *ctx, const char *raw, size_t rawlen, unsigned line, unsigned first)
{
	struct got *g = ctx;

	assert_true(g->n < 4096);
	assert_true(rawlen < sizeof(g->raw[0]));
	memcpy(g->raw[g->n], raw, rawlen);
	g->raw[g->n][rawlen] = '\0';
	g->line[g->n] = line;
	g->first[g->n] = first;
	g->n++;
	return 0;
}

static void
fold_ascii(const char *s, size_t n, char *out)
{
	size_t k;

	for (k = 0; k < n; k++)
		out[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
}

/* run - N keys drawn from a small alphabet (many duplicates, case
 * variants), every third one given as a copy outside the source (as
 * joined or ICU-folded keys are); compared with a quadratic search */
static void
run(bool fold, size_t est, unsigned seed)
{
	enum { N = 3000 };
	static char src[N * 16];
	static size_t off[N], len[N];
	static char fk[N][16];
	struct keydup kd;
	struct got *g = calloc(1, sizeof(*g));
	size_t i, j, pos = 0, want = 0;

	assert_non_null(g);
	srand(seed);
	for (i = 0; i < N; i++) {
		int k = rand() % 700;

		len[i] = (size_t)snprintf(src + pos, 16, "%s%d.Ex", rand() % 2 ? "K" : "k", k);
		off[i] = pos;
		if (fold)
			fold_ascii(src + pos, len[i], fk[i]);
		else
			memcpy(fk[i], src + pos, len[i]);
		pos += len[i] + 1;
	}
	keydup_init(&kd, src, pos, fold, est);
	for (i = 0; i < N; i++) {
		char copy[16];
		const char *raw = src + off[i];

		if (i % 3 == 0) {
			memcpy(copy, raw, len[i]);
			raw = copy;
		}
		assert_int_equal(keydup_add(&kd, raw, len[i], fk[i], len[i], (unsigned)(10 + 2 * i)), 0);
	}
	assert_int_equal(keydup_finish(&kd, collect, g), 0);
	for (i = 0; i < N; i++) {
		for (j = 0; j < i; j++)
			if (memcmp(fk[i], fk[j], len[i]) == 0 && len[i] == len[j])
				break;
		if (j == i)
			continue;
		assert_true(want < g->n);
		assert_int_equal(g->line[want], 10 + 2 * i);
		assert_int_equal(g->first[want], 10 + 2 * j);
		/* the key as written on the duplicate's line */
		assert_int_equal(strlen(g->raw[want]), len[i]);
		assert_memory_equal(g->raw[want], src + off[i], len[i]);
		want++;
	}
	assert_int_equal(g->n, want);
	assert_true(want > 1000);
	keydup_fini(&kd);
	free(g);
}

static void
test_one_partition_fold(void **state)
{
	(void)state;
	run(true, 10, 1);
}

static void
test_many_partitions_fold(void **state)
{
	(void)state;
	run(true, 2000000, 2);
}

static void
test_no_fold(void **state)
{
	(void)state;
	run(false, 10, 3);
	run(false, 2000000, 4);
}

/* the folded key decides, not the key as written: "A\xc3\x89" and
 * "a\xc3\xa9" given the same (ICU-style) folded form are duplicates */
static void
test_folded_form_decides(void **state)
{
	const char src[] = "A\xc3\x89 x\na\xc3\xa9 y\n";
	struct keydup kd;
	struct got *g = calloc(1, sizeof(*g));

	(void)state;
	assert_non_null(g);
	keydup_init(&kd, src, sizeof(src) - 1, true, 2);
	assert_int_equal(keydup_add(&kd, src, 3, "a\xc3\xa9", 3, 1), 0);
	assert_int_equal(keydup_add(&kd, src + 6, 3, "a\xc3\xa9", 3, 2), 0);
	assert_int_equal(keydup_finish(&kd, collect, g), 0);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->line[0], 2);
	assert_int_equal(g->first[0], 1);
	assert_string_equal(g->raw[0], "a\xc3\xa9");
	keydup_fini(&kd);
	free(g);
}

static int
stop(void *ctx, const char *raw, size_t rawlen, unsigned line, unsigned first)
{
	(void)raw;
	(void)rawlen;
	(void)line;
	(void)first;
	++*(int *)ctx;
	return 7;
}

static void
test_empty_and_stop(void **state)
{
	struct keydup kd;
	int calls = 0;

	(void)state;
	keydup_init(&kd, NULL, 0, true, 0);
	assert_int_equal(keydup_finish(&kd, stop, &calls), 0);
	assert_int_equal(keydup_add(&kd, "x", 1, "x", 1, 1), 0);
	assert_int_equal(keydup_add(&kd, "X", 1, "x", 1, 2), 0);
	assert_int_equal(keydup_add(&kd, "x", 1, "x", 1, 3), 0);
	assert_int_equal(keydup_finish(&kd, stop, &calls), 7);
	assert_int_equal(calls, 1);
	keydup_fini(&kd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_partition_fold),
		cmocka_unit_test(test_many_partitions_fold),
		cmocka_unit_test(test_no_fold),
		cmocka_unit_test(test_folded_form_decides),
		cmocka_unit_test(test_empty_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
