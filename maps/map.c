/*
 * maps/map.c - the backend registry and the generic wrappers.
 *
 * map_find_type() maps a type name to its ops table (cdb, hash, regexp,
 * pcre natively; btree, lmdb and other indexed types through the real
 * postmap).  map_open/map_lookup/map_close and map_build_put wrap the ops
 * and apply the key folding rule; map_fold() folds exactly as postmap does
 * with smtputf8_enable=yes: ASCII-only strings (and invalid UTF-8) get
 * A-Z lowered, anything else goes through ICU full case folding
 * (ucasemap_utf8FoldCase, locale en_US, default options), as Postfix's
 * casefold() does.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucasemap.h>

#include "maps/map.h"
#include "maps/map_int.h"
#include "util/hash.h"
#include "util/utf8.h"

static const struct map_ops *const registry[] = {
	&map_cdb_ops,
	&map_hash_ops,
	&map_regexp_ops,
	&map_pcre_ops,
	&map_cidr_ops,
};

/* map_find_type - the backend for TYPE */
const struct map_ops *
map_find_type(const char *type)
{
	size_t i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i]->type, type) == 0)
			return registry[i];
	return map_postmap_find(type);
}

/* map_error_set - fill ERR and return -1 */
int
map_error_set(struct map_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* map_open - open TYPE:NAME through its backend */
struct map *
map_open(const char *type, const char *name, const struct map_rule *rules,
	 size_t nrules, unsigned open_flags, struct map_error *err)
{
	const struct map_ops *ops = map_find_type(type);
	struct map *m;

	if (err) {
		err->errnum = 0;
		err->rule = 0;
		err->offset = 0;
		err->text[0] = 0;
	}
	if (ops == NULL) {
		map_error_set(err, 0, "unsupported dictionary type: %s", type ? type : "(null)");
		return NULL;
	}
	m = ops->open(ops, name, rules, nrules, open_flags, err);
	if (m != NULL) {
		m->ops = ops;
		m->open_flags = open_flags;
	}
	return m;
}

/* map_walk - list every record through the backend, if it can */
int
map_walk(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	if (m == NULL || m->ops->walk == NULL)
		return map_error_set(err, ENOTSUP, "%s: a %s table cannot be listed", m ? m->name : "?",
				     m ? m->ops->type : "?");
	return m->ops->walk(m, fn, ctx, err);
}

/* fold_ascii_buf - KEY (KLEN bytes) in ASCII lower case into BUF (SIZE
 * bytes, NUL added) when it is plain ASCII and fits; false otherwise (the
 * caller then folds with map_fold, which also handles UTF-8) */
static bool
fold_ascii_buf(const char *key, size_t klen, char *buf, size_t size)
{
	unsigned char hi = 0;
	size_t i;

	if (klen >= size)
		return false;
	for (i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];

		hi |= c;
		buf[i] = (char)(c + (((unsigned char)(c - 'A') < 26) << 5));
	}
	buf[klen] = 0;
	return !(hi & 0x80);
}

/* map_lookup - fold if the type folds, then look up */
int
map_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit,
	   struct map_error *err)
{
	char buf[256];
	char *folded = NULL;
	size_t flen;
	int ret;

	hit->val = NULL;
	hit->vlen = 0;
	hit->rule = 0;
	if ((m->ops->flags & MAP_FOLD_KEYS) && !(m->open_flags & MAP_OPEN_NOFOLD)) {
		/* short ASCII keys (nearly all) are folded on the stack */
		if (fold_ascii_buf(key, klen, buf, sizeof(buf))) {
			key = buf;
		} else {
			if (map_fold(key, klen, &folded, &flen) < 0)
				return map_error_set(err, ENOMEM, "fold key: %s", strerror(ENOMEM));
			key = folded;
			klen = flen;
		}
	}
	ret = m->ops->lookup(m, key, klen, hit, err);
	free(folded);
	return ret;
}

/* map_close - close M; NULL does nothing */
void
map_close(struct map *m)
{
	if (m != NULL)
		m->ops->close(m);
}

/* map_verify - the backend's damage check, if it has one */
int
map_verify(struct map *m, struct map_error *err)
{
	return m->ops->verify != NULL ? m->ops->verify(m, err) : 0;
}

/* map_release - end a MAP_OPEN_BATCH window; NULL does nothing */
void
map_release(struct map *m)
{
	if (m != NULL && m->ops->release != NULL)
		m->ops->release(m);
}

/* map_index_path - NAME + suffix */
char *
map_index_path(const struct map_ops *ops, const char *name)
{
	size_t n, s;
	char *p;

	if (ops == NULL || ops->suffix == NULL || !(ops->flags & MAP_INDEXED))
		return NULL;
	n = strlen(name);
	s = strlen(ops->suffix);
	if ((p = malloc(n + s + 1)) == NULL)
		return NULL;
	memcpy(p, name, n);
	memcpy(p + n, ops->suffix, s + 1);
	return p;
}

/* map_build_put - fold as the type requires, then put */
int
map_build_put(const struct map_ops *ops, struct map_builder *b, const char *key,
	      size_t klen, const char *val, size_t vlen, bool fold, struct map_error *err)
{
	char buf[256];
	char *folded = NULL;
	size_t flen;
	int ret;

	if (!fold || !(ops->flags & MAP_FOLD_KEYS))
		return ops->build_put(b, key, klen, val, vlen, err);
	/* Fast path: short ASCII keys are folded on the stack. */
	if (fold_ascii_buf(key, klen, buf, sizeof(buf)))
		return ops->build_put(b, buf, klen, val, vlen, err);
	if (map_fold(key, klen, &folded, &flen) < 0)
		return map_error_set(err, ENOMEM, "fold key: %s", strerror(ENOMEM));
	ret = ops->build_put(b, folded, flen, val, vlen, err);
	free(folded);
	return ret;
}

/* map_build_hint - size/uniqueness hint, when the backend takes one */
void
map_build_hint(const struct map_ops *ops, struct map_builder *b, size_t nentries, bool unique)
{
	if (ops->build_hint != NULL)
		ops->build_hint(b, nentries, unique);
}

/* fold_ascii - lower A-Z of KEY into a new string */
static int
fold_ascii(const char *key, size_t klen, char **out, size_t *outlen)
{
	char *p = malloc(klen + 1);
	size_t i;

	if (p == NULL)
		return -1;
	for (i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];

		p[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
	}
	p[klen] = 0;
	*out = p;
	*outlen = klen;
	return 0;
}

/* the case map is opened once, by whichever thread folds first (build and
 * the console fold keys from several threads); afterwards it is only read */
static UCaseMap *csm;
static pthread_once_t csm_once = PTHREAD_ONCE_INIT;

static void
csm_open(void)
{
	UErrorCode uerr = U_ZERO_ERROR;

	csm = ucasemap_open("en_US", U_FOLD_CASE_DEFAULT, &uerr);
	if (U_FAILURE(uerr))
		csm = NULL;
}

/* map_fold - fold KEY as Postfix does with smtputf8_enable=yes */
int
map_fold(const char *key, size_t klen, char **out, size_t *outlen)
{
	UErrorCode uerr = U_ZERO_ERROR;
	size_t i;
	int32_t need;
	char *p;

	for (i = 0; i < klen; i++)
		if ((unsigned char)key[i] >= 0x80)
			break;
	if (i == klen || !utf8_valid(key, klen))
		return fold_ascii(key, klen, out, outlen);
	if (pthread_once(&csm_once, csm_open) != 0 || csm == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* Full folding grows a string at most 3 times (ß -> ss, ...). */
	need = (int32_t)(klen * 3 + 1);
	for (;;) {
		if ((p = malloc((size_t)need + 1)) == NULL)
			return -1;
		uerr = U_ZERO_ERROR;
		need = ucasemap_utf8FoldCase(csm, p, need, key, (int32_t)klen, &uerr);
		if (uerr == U_BUFFER_OVERFLOW_ERROR) {
			free(p);
			continue;
		}
		if (U_FAILURE(uerr)) {
			free(p);
			return fold_ascii(key, klen, out, outlen);
		}
		break;
	}
	p[need] = 0;
	*out = p;
	*outlen = (size_t)need;
	return 0;
}

/* map_strndup - copy N bytes, NUL-terminated */
char *
map_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* keyset_presize - room for N keys without growing */
int
keyset_presize(struct keyset *ks, size_t n)
{
	if (strbuf_reserve(&ks->arena, n * 20) < 0)
		return -1;
	return htable_reserve(&ks->t, n);
}

/* keyset_add - 0 added, 1 already there, -1 ENOMEM */
int
keyset_add(struct keyset *ks, const char *k, size_t n)
{
	struct htable_probe p;
	uint32_t off, len32;

	if (n > UINT32_MAX || htable_reserve(&ks->t, ks->t.n + 1) < 0)
		return -1;
	htable_probe_start(&ks->t, &p, hash_words(k, n));
	while ((off = htable_probe_next(&ks->t, &p)) != 0) {
		memcpy(&len32, ks->arena.buf + off, 4);
		if (len32 == n && memcmp(ks->arena.buf + off + 4, k, n) == 0)
			return 1;
	}
	if (ks->arena.len == 0 && strbuf_add(&ks->arena, "", 1) < 0)
		return -1;
	if (ks->arena.len + 4 + n > UINT32_MAX)
		return -1;
	off = (uint32_t)ks->arena.len;
	len32 = (uint32_t)n;
	if (strbuf_reserve(&ks->arena, 4 + n) < 0)
		return -1;
	memcpy(ks->arena.buf + off, &len32, 4);
	memcpy(ks->arena.buf + off + 4, k, n);
	ks->arena.len += 4 + n;
	htable_insert(&ks->t, &p, off);
	return 0;
}

void
keyset_fini(struct keyset *ks)
{
	htable_fini(&ks->t);
	strbuf_fini(&ks->arena);
}

