/*
 * core/indexdiff.c - snapshots of an index as sorted hash pairs, and their
 * difference (see indexdiff.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/indexdiff.h"
#include "util/hash.h"

void
index_snap_init(struct index_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void
index_snap_fini(struct index_snap *s)
{
	free(s->kv);
	memset(s, 0, sizeof(*s));
}

int
index_snap_add(struct index_snap *s, const char *key, size_t klen, const char *val, size_t vlen)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *kv = realloc(s->kv, cap * 2 * sizeof(*kv));

		if (!kv)
			return -1;
		s->kv = kv;
		s->cap = cap;
	}
	s->kv[2 * s->n] = hash_words(key, klen);
	/* a value hash never 0 for an empty value: "" and a missing one differ */
	s->kv[2 * s->n + 1] = hash_words(val, vlen) ^ (uint64_t)vlen;
	s->n++;
	s->sorted = 0;
	return 0;
}

static int
pair_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* snap_sort - by key hash: an LSD radix sort of the top 33 bits (three
 * passes of 11 bits), then an insertion sort that only moves entries
 * within runs equal in those bits (a 1,000,000-entry table has about 60
 * such pairs): linear, tens of milliseconds.  qsort for small sets or
 * when no memory is left. */
static void
snap_sort(struct index_snap *s)
{
	uint64_t *tmp, *src, *dst;
	size_t *count, i;
	int pass;

	if (s->sorted || s->n < 2) {
		s->sorted = 1;
		return;
	}
	tmp = s->n >= 4096 ? malloc(s->n * 2 * sizeof(*tmp)) : NULL;
	count = tmp ? malloc(2048 * sizeof(*count)) : NULL;
	if (!count) {
		free(tmp);
		if (s->n > 1)
			qsort(s->kv, s->n, 2 * sizeof(uint64_t), pair_cmp);
		s->sorted = 1;
		return;
	}
	src = s->kv;
	dst = tmp;
	for (pass = 0; pass < 3; pass++) {
		int shift = 31 + pass * 11;
		size_t sum = 0;
		uint64_t *x;

		memset(count, 0, 2048 * sizeof(*count));
		for (i = 0; i < s->n; i++)
			count[(src[2 * i] >> shift) & 2047]++;
		for (i = 0; i < 2048; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < s->n; i++) {
			size_t k = count[(src[2 * i] >> shift) & 2047]++;

			dst[2 * k] = src[2 * i];
			dst[2 * k + 1] = src[2 * i + 1];
		}
		x = src;
		src = dst;
		dst = x;
	}
	/* three passes: the result is in tmp, which becomes the array */
	free(s->kv);
	s->kv = src;
	s->cap = s->n;
	free(count);
	for (i = 1; i < s->n; i++) {
		uint64_t k = s->kv[2 * i], v = s->kv[2 * i + 1];
		size_t j = i;

		while (j > 0 && (s->kv[2 * (j - 1)] > k ||
				 (s->kv[2 * (j - 1)] == k && s->kv[2 * (j - 1) + 1] > v))) {
			s->kv[2 * j] = s->kv[2 * (j - 1)];
			s->kv[2 * j + 1] = s->kv[2 * (j - 1) + 1];
			j--;
		}
		s->kv[2 * j] = k;
		s->kv[2 * j + 1] = v;
	}
	s->sorted = 1;
}

struct walk_ctx {
	struct index_snap *s;
	int nomem;
};

static int
walk_one(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct walk_ctx *w = ctx;

	if (index_snap_add(w->s, key, klen, val, vlen) < 0) {
		w->nomem = 1;
		return 1;
	}
	return 0;
}

int
index_snap_take(const char *type, const char *path, struct index_snap *s, struct map_error *err)
{
	const struct map_ops *ops = map_find_type(type);
	struct walk_ctx w = { s, 0 };
	struct map *m;
	struct stat st;
	char *ipath;
	int rc;

	s->n = 0;
	s->sorted = 0;
	if (!ops || !(ops->flags & MAP_INDEXED) || !ops->walk)
		return map_error_set(err, ENOTSUP, "%s:%s: a %s table cannot be listed", type, path,
				     type);
	if ((ipath = map_index_path(ops, path)) == NULL)
		return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	rc = stat(ipath, &st);
	free(ipath);
	if (rc != 0 && errno == ENOENT)
		return 0;
	if ((m = map_open(type, path, NULL, 0, 0, err)) == NULL)
		return -1;
	rc = map_walk(m, walk_one, &w, err);
	map_close(m);
	if (w.nomem)
		rc = map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	if (rc < 0) {
		s->n = 0;
		return -1;
	}
	snap_sort(s);
	return 1;
}

void
index_snap_diff(struct index_snap *old, struct index_snap *new_, struct index_delta *d)
{
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	snap_sort(old);
	snap_sort(new_);
	while (i < old->n || j < new_->n) {
		uint64_t ok = i < old->n ? old->kv[2 * i] : 0;
		uint64_t nk = j < new_->n ? new_->kv[2 * j] : 0;

		if (j >= new_->n || (i < old->n && ok < nk)) {
			d->removed++;
			i++;
		} else if (i >= old->n || nk < ok) {
			d->added++;
			j++;
		} else {
			if (old->kv[2 * i + 1] != new_->kv[2 * j + 1])
				d->changed++;
			i++;
			j++;
		}
	}
}
