/*
 * core/explain_table.c - explain's table cache: tables named in the
 * restriction lists are opened once (struct xtable, open_table) and looked
 * up as Postfix's maps_find() would (xt_find): cdb/hash/regexp/pcre
 * through maps/ (cidr too: maps/map_cidr.c), btree/lmdb via postmap,
 * texthash/inline/--sources from the key store (explain_kv.c), and the
 * FILE:LINE of each entry found.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/explain_int.h"

static bool
type_is_fixed(const char *type)
{
	static const char *const fixed[] = { "hash", "btree", "cdb", "dbm", "lmdb", "sdbm",
		"texthash", "inline", "static", "unix", "nis", "ldap", "mysql", "pgsql",
		"sqlite", "memcache", "internal", "fail", "environ", NULL };
	size_t i;

	for (i = 0; fixed[i]; i++)
		if (strcmp(type, fixed[i]) == 0)
			return true;
	return false;
}

void
xt_free(struct xtable *t)
{
	free(t->ref);
	free(t->type);
	free(t->name);
	if (t->m)
		map_close(t->m);
	if (t->index)
		map_close(t->index);
	if (t->have_pt)
		pattern_table_fini(&t->pt);
	kv_free(&t->kv);
	li_free(&t->lines);
	free(t->src);
	free(t->error);
	free(t);
}

static void
xt_set_error(struct xtable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
xt_set_error(struct xtable *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->kind = XT_ERROR;
	free(t->error);
	t->error = xstrdup(buf);
}

/* inline_items - the items of "{ {a b}, {c d} }" (regexp:, pcre:
 * written in main.cf) as lines of text, braces removed */
static void
inline_items(const char *name, struct strbuf *sb)
{
	size_t len = strlen(name), pos = 0, off, wl;
	const char *body = name + 1;
	size_t blen = len >= 2 && name[len - 1] == '}' ? len - 2 : len - 1;

	while (access_next_word(body, blen, &pos, &off, &wl)) {
		if (wl >= 2 && body[off] == '{' && body[off + wl - 1] == '}') {
			off++;
			wl -= 2;
			while (wl && (body[off] == ' ' || body[off] == '\t'))
				off++, wl--;
			while (wl && (body[off + wl - 1] == ' ' || body[off + wl - 1] == '\t'))
				wl--;
		}
		strbuf_add(sb, body + off, wl);
		strbuf_addch(sb, '\n');
	}
}

/* load_pattern - regexp/pcre source (file or inline {..}) into t->pt */
static int
load_pattern(struct explain *ex, struct xtable *t, struct diag_list *dl)
{
	struct map_error err;
	long n;

	(void)ex;
	pattern_table_init(&t->pt, pattern_dialect_for_type(t->type));
	t->have_pt = true;
	if (t->name[0] == '{') {
		/* inline rules: each braced item is one line */
		struct strbuf sb;

		strbuf_init(&sb);
		inline_items(t->name, &sb);
		n = pattern_parse_buf(&t->pt, sb.buf, sb.len, t->ref, 0, dl);
		strbuf_fini(&sb);
	} else {
		n = pattern_parse_file(&t->pt, t->name, 0, dl);
		if (n < 0) {
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
			return 0;
		}
		t->src = xstrdup(t->name);
	}
	if (n < 0)
		return -1;
	memset(&err, 0, sizeof(err));
	t->m = map_open(t->type, t->name, t->pt.rules, t->pt.n, MAP_OPEN_SKIP_BAD, &err);
	if (!t->m)
		xt_set_error(t, "%s", err.text);
	return 0;
}

static int
load_source_kv(struct xtable *t, const char *path, bool with_val)
{
	struct kvload l = { &t->kv, with_val, true, with_val ? NULL : &t->lines };
	struct diag_list dl;
	int ret;

	diag_list_init(&dl);
	ret = kvparse_file(path, kvload_fn, &l, &dl);
	diag_list_fini(&dl);
	return ret;
}

/* listed - LIST (opts.source_tables, opts.watch_tables) names T ("type:name") */
static bool
listed(const char *const *list, const struct xtable *t)
{
	const char *const *p;
	size_t tl = strlen(t->type);

	for (p = list; p != NULL && *p != NULL; p++)
		if (strncmp(*p, t->type, tl) == 0 && (*p)[tl] == ':' && strcmp(*p + tl + 1, t->name) == 0)
			return true;
	return false;
}

struct xtable *
open_table(struct explain *ex, const char *ref)
{
	struct xtable *t;
	const char *colon;
	struct map_error err;
	const struct map_ops *ops;

	size_t rl = strlen(ref);

	for (t = ex->tables; t; t = t->next)
		if (t->reflen == rl && memcmp(t->ref, ref, rl) == 0)
			return t;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ref = xstrdup(ref);
	t->reflen = rl;
	colon = strchr(ref, ':');
	if (strncmp(ref, "proxy:", 6) == 0 && strchr(ref + 6, ':'))
		colon = strchr(ref + 6, ':'), ref += 6;
	t->type = colon ? xstrndup(ref, (size_t)(colon - ref)) : xstrdup(ref);
	t->name = colon ? xstrdup(colon + 1) : xstrdup("");
	t->next = ex->tables;
	ex->tables = t;
	if (!t->ref || !t->type || !t->name)
		return NULL;
	t->fixed = type_is_fixed(t->type);
	t->fold = t->fixed;
	t->watch = listed(ex->opts.watch_tables, t);
	t->kind = XT_MAP;
	memset(&err, 0, sizeof(err));

	if (strcmp(t->type, "regexp") == 0 || strcmp(t->type, "pcre") == 0) {
		t->pattern = true;
		if (load_pattern(ex, t, NULL) < 0)
			return NULL;
		return t;
	}
	if (strcmp(t->type, "unix") == 0 && strcmp(t->name, "passwd.byname") == 0) {
		/* what local_recipient_maps' default asks (through proxymap) */
		t->kind = XT_PASSWD;
		return t;
	}
	if (strcmp(t->type, "cidr") == 0) {
		/* dict_cidr (maps/map_cidr.c): the file, or cidr:{ {net result}, ... } */
		t->cidr = true;
		if (t->name[0] != '{')
			t->src = xstrdup(t->name);
		t->m = map_open(t->type, t->name, NULL, 0, 0, &err);
		if (!t->m)
			xt_set_error(t, "%s", err.text);
		return t;
	}
	if (strcmp(t->type, "texthash") == 0) {
		t->kind = XT_KV;
		if (load_source_kv(t, t->name, true) < 0)
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
		t->src = xstrdup(t->name);
		return t;
	}
	if (strcmp(t->type, "inline") == 0) {
		struct maincf_list keys, vals;
		size_t i, len = strlen(t->name);
		char *body;
		struct diag_list dl;

		t->kind = XT_KV;
		if (len < 2 || t->name[0] != '{' || t->name[len - 1] != '}') {
			xt_set_error(t, "%s: syntax error", ref);
			return t;
		}
		body = xstrndup(t->name + 1, len - 2);
		maincf_list_init(&keys);
		maincf_list_init(&vals);
		diag_list_init(&dl);
		if (body && maincf_inline_split(body, &keys, &vals, "main.cf", 0, 0, &dl) == 0) {
			for (i = 0; i < keys.n && i < vals.n; i++) {
				char *f = NULL;
				size_t fl = strlen(keys.v[i].text);

				if (map_fold(keys.v[i].text, fl, &f, &fl) == 0) {
					kv_put(&t->kv, f, fl, vals.v[i].text, strlen(vals.v[i].text),
					       (unsigned)i + 1, true);
					free(f);
				}
			}
		}
		if (diag_count(&dl, DIAG_ERROR))
			xt_set_error(t, "%s: %s", ref, dl.v[0].message);
		diag_list_fini(&dl);
		maincf_list_fini(&keys);
		maincf_list_fini(&vals);
		free(body);
		return t;
	}
	ops = map_find_type(t->type);
	if (!ops || !(ops->flags & MAP_INDEXED)) {
		xt_set_error(t, "unsupported dictionary type: %s", t->type);
		return t;
	}
	t->src = xstrdup(t->name);
	if (ex->opts.sources || listed(ex->opts.source_tables, t)) {
		t->kind = XT_KV;
		if (load_source_kv(t, t->name, true) < 0)
			xt_set_error(t, "open %s: %s", t->name, strerror(errno));
		t->index = map_open(t->type, t->name, NULL, 0, MAP_OPEN_BATCH, &err);
		return t;
	}
	/* BATCH: a hash table's lock is taken once per probe (explain_run
	 * releases it), not twice per lookup */
	t->m = map_open(t->type, t->name, NULL, 0, MAP_OPEN_BATCH, &err);
	if (!t->m) {
		char *ip = map_index_path(ops, t->name);

		xt_set_error(t, "open database %s: %s", ip ? ip : t->name,
			     err.errnum ? strerror(err.errnum) : err.text);
		free(ip);
	}
	return t;
}

/* source_line - FILE line of KEY (folded) in an indexed table's source */
static unsigned
source_line(struct xtable *t, const char *key, size_t kl)
{
	if (!t->src)
		return 0;
	if (!t->lines_built) {
		struct stat st;

		t->lines_built = true;
		/* about one entry per 32 bytes of source */
		if (stat(t->src, &st) == 0 && st.st_size > 0)
			(void)li_reserve(&t->lines, (size_t)st.st_size / 32 + 1);
		if (build_line_index(t) < 0) {
			t->lines.n = 0;
			if (load_source_kv(t, t->src, false) < 0) {
				li_free(&t->lines);
				return 0;
			}
		}
		if (li_finish(&t->lines) < 0) {
			li_free(&t->lines);
			return 0;
		}
	}
	return li_get(&t->lines, hash_words(key, kl));
}

/* ------------------------------------------------------------------ */
/* lookups                                                              */

/* copy_str - what snprintf(DST, SIZE, "%.*s", N, SRC) stores, without
 * printf (twice per found key) */
static void
copy_str(char *dst, size_t size, const char *src, size_t n)
{
	n = strnlen(src, n);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static int xt_find1(struct st *s, struct xtable *t, const char *key, bool partial,
		    const char **val, struct hit *h);

/* xt_find - maps_find() on one table: 1 found (*val, hit filled), 0, -1;
 * a watched table's lookups stay in a brief trail */
int
xt_find(struct st *s, struct xtable *t, const char *key, bool partial, const char **val,
	struct hit *h)
{
	bool mute = s->mute;
	int ret;

	if (t->watch)
		s->mute = false;
	ret = xt_find1(s, t, key, partial, val, h);
	s->mute = mute;
	return ret;
}

static int
xt_find1(struct st *s, struct xtable *t, const char *key, bool partial, const char **val,
	 struct hit *h)
{
	size_t kl = strlen(key);
	struct map_hit mh;
	struct map_error err;
	int ret;

	if (*key == 0)
		return 0;
	if (partial && !t->fixed)
		return 0;
	h->table = t->ref;
	h->src = t->src;
	h->line = 0;
	h->key[0] = 0;
	h->value[0] = 0;
	switch (t->kind) {
	case XT_ERROR:
		trail(s, "lookup '%s' in %s: error: %s", key, t->ref, t->error);
		return -1;
	case XT_PASSWD: {
		char buf[256], *heap = NULL;
		size_t fl;
		const char *f = fold_key(key, kl, buf, sizeof(buf), &heap, &fl);
		struct passwd *pw = f ? getpwnam(f) : NULL;

		free(heap);
		if (pw) {
			*val = "(passwd entry)";
			snprintf(h->key, sizeof(h->key), "%s", pw->pw_name);
			snprintf(h->value, sizeof(h->value), "%s", *val);
			trail(s, "lookup '%s' in %s: found (user %s)", key, t->ref, pw->pw_name);
			return 1;
		}
		break;
	}
	case XT_KV: {
		char *f = NULL;
		size_t fl = kl;
		const struct kvent *e;

		if (t->fold && map_fold(key, kl, &f, &fl) < 0)
			return -1;
		e = kv_get(&t->kv, f ? f : key, fl);
		if (e) {
			*val = e->val;
			h->line = e->line;
			snprintf(h->key, sizeof(h->key), "%s", e->key);
			snprintf(h->value, sizeof(h->value), "%s", e->val);
			trail(s, "lookup '%s' in %s: found %s:%u -> %s", key, t->ref,
			      t->src ? t->src : t->ref, e->line, e->val);
		}
		if (t->index) {
			/* --sources: would the built index answer the same? */
			int iret;

			memset(&err, 0, sizeof(err));
			iret = map_lookup(t->index, key, kl, &mh, &err);
			if ((iret == 1) != (e != NULL)
			    || (iret == 1 && e && (mh.vlen != strlen(e->val)
						   || memcmp(mh.val, e->val, mh.vlen) != 0))) {
				s->r->stale = true;
				if (s->r->stale_note.len == 0)
					strbuf_addf(&s->r->stale_note,
						    "the built index of %s answers '%s' with %s%.*s%s "
						    "(rebuild it with postmap)", t->ref, key,
						    iret == 1 ? "'" : "", iret == 1 ? (int)mh.vlen : 9,
						    iret == 1 ? mh.val : "not found", iret == 1 ? "'" : "");
				trail(s, "  stale index: %s", s->r->stale_note.buf);
			}
		}
		free(f);
		if (e)
			return 1;
		break;
	}
	case XT_MAP:
		memset(&err, 0, sizeof(err));
		ret = map_lookup(t->m, key, kl, &mh, &err);
		if (t->m->warning[0])
			trail(s, "warning: %s (as Postfix does)", t->m->warning);
		if (ret < 0) {
			trail(s, "lookup '%s' in %s: error: %s", key, t->ref, err.text);
			return -1;
		}
		if (ret == 0)
			break;
		if (mh.vlen == 0) {
			trail(s, "warning: %s lookup of %s returns an empty string result", t->ref, key);
			return -1;
		}
		*val = mh.val;
		copy_str(h->value, sizeof(h->value), mh.val, mh.vlen);
		if (t->cidr) {
			const char *pat = "";

			if (map_cidr_rule(t->m, mh.rule, &h->line, &pat))
				snprintf(h->key, sizeof(h->key), "%s", pat);
			trail(s, "lookup '%s' in %s: found %s:%u '%s' -> %s", key, t->ref,
			      t->src ? t->src : t->ref, h->line, h->key, h->value);
			return 1;
		} else if (t->pattern && mh.rule < t->pt.n) {
			h->line = t->pt.rules[mh.rule].line;
			pattern_rule_text(&t->pt, mh.rule, h->key, sizeof(h->key));
		} else {
			char buf[256], *heap = NULL;
			size_t fl = kl;
			const char *f = fold_key(key, kl, buf, sizeof(buf), &heap, &fl);

			if (f) {
				h->line = source_line(t, f, fl);
				copy_str(h->key, sizeof(h->key), f, fl);
			}
			free(heap);
		}
		if (h->line)
			trail(s, "lookup '%s' in %s: found %s:%u -> %s", key, t->ref,
			      t->src ? t->src : t->ref, h->line, h->value);
		else
			trail(s, "lookup '%s' in %s: found -> %s", key, t->ref, h->value);
		return 1;
	}
	trail_parts(s, "lookup '", key, "' in ", t->ref, ": not found");
	return 0;
}
