/*
 * core/tabledoc.c - byte-exact document model of a table source.
 * The contract is in core/tabledoc.h.
 *
 * The document is one byte buffer; items are (offset, length) spans of it
 * that cover it without gaps.  Every edit splices the buffer and re-reads
 * the whole document (kvparse for postmap input, pattern_lines for pattern
 * files), so the items always say what Postfix would read.  Keys and values
 * (joined, trimmed) live in a separate arena rebuilt by each re-read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hash.h"
#include "core/kvparse.h"
#include "core/pattern.h"
#include "util/strbuf.h"
#include "core/tabledoc.h"
#include "maps/atomic.h"
#include "util/safeopen.h"

struct disk_state {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t hash;
};

struct tabledoc {
	char *path;
	enum tabledoc_syntax syntax;
	struct strbuf text;
	struct tabledoc_item *items;
	size_t n, cap;
	size_t *koff, *voff;        /* arena offsets while re-reading */
	struct strbuf arena;
	struct diag_list diags;
	bool dirty;
	bool crlf;
	struct disk_state disk;
	size_t nentries;            /* items of kind ENTRY */
};

uint64_t
tabledoc_hash(const char *buf, size_t len)
{
	return hash_fnv1a(buf, len);
}

enum tabledoc_syntax
tabledoc_syntax_for_type(const char *type)
{
	if (type && (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0))
		return TABLEDOC_PATTERN;
	return TABLEDOC_KV;
}

static bool
is_ws(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ---- re-reading ---- */

/* col_of - display column of byte OFF of the line starting at LS; plain
 * ASCII without control bytes (the common case) needs no wcwidth */
static unsigned
col_of(const char *b, size_t ls, size_t off)
{
	char tmp[1024];
	size_t k;

	for (k = ls; k < off; k++)
		if ((unsigned char)b[k] >= 0x80 || (unsigned char)b[k] < ' ')
			break;
	if (k == off || off - ls >= sizeof(tmp))
		return (unsigned)(off - ls) + 1;
	memcpy(tmp, b + ls, off - ls);
	tmp[off - ls] = '\0';
	return diag_column(tmp, off - ls);
}

static int
push_item(struct tabledoc *d, enum tabledoc_kind kind, size_t off, size_t len)
{
	struct tabledoc_item *it;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct tabledoc_item *v = realloc(d->items, cap * sizeof(*v));
		size_t *k, *vv;

		if (v == NULL)
			return -1;
		d->items = v;
		k = realloc(d->koff, cap * sizeof(*k));
		if (k == NULL)
			return -1;
		d->koff = k;
		vv = realloc(d->voff, cap * sizeof(*vv));
		if (vv == NULL)
			return -1;
		d->voff = vv;
		d->cap = cap;
	}
	it = &d->items[d->n];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->off = off;
	it->len = len;
	d->koff[d->n] = d->voff[d->n] = (size_t)-1;
	d->n++;
	return 0;
}

/* fill_gap - physical lines in [from, to) become comment/blank/skipped items */
static int
fill_gap(struct tabledoc *d, size_t from, size_t to)
{
	const char *b = d->text.buf;

	while (from < to) {
		size_t e = from, k;
		enum tabledoc_kind kind;

		while (e < to && b[e] != '\n')
			e++;
		if (e < to)
			e++;
		for (k = from; k < e && is_ws((unsigned char)b[k]); k++)
			;
		if (k == e)
			kind = TABLEDOC_BLANK;
		else if (b[k] == '#')
			kind = TABLEDOC_COMMENT;
		else
			kind = TABLEDOC_SKIPPED;
		if (push_item(d, kind, from, e - from) < 0)
			return -1;
		from = e;
	}
	return 0;
}

struct rctx {
	struct tabledoc *d;
	size_t pos;                 /* end of the last item */
};

static int
arena_add(struct strbuf *a, const char *s, size_t n, size_t *off)
{
	*off = a->len;
	if (strbuf_add(a, s, n) < 0 || strbuf_addch(a, '\0') < 0)
		return -1;
	return 0;
}

static int
kv_item(void *ctx, const struct kv_entry *e)
{
	struct rctx *c = ctx;
	struct tabledoc *d = c->d;
	size_t i;

	if (fill_gap(d, c->pos, e->start) < 0)
		return -1;
	if (push_item(d, TABLEDOC_ENTRY, e->start, e->end - e->start) < 0)
		return -1;
	i = d->n - 1;
	d->items[i].klen = e->klen;
	d->items[i].vlen = e->vlen;
	if (arena_add(&d->arena, e->key, e->klen, &d->koff[i]) < 0
	    || arena_add(&d->arena, e->val, e->vlen, &d->voff[i]) < 0)
		return -1;
	/* value position: val_off is a source offset */
	{
		const char *b = d->text.buf;
		size_t ls = e->val_off, k;
		unsigned line = e->line;

		for (k = e->start; k < e->val_off; k++)
			if (b[k] == '\n')
				line++;
		while (ls > e->start && b[ls - 1] != '\n')
			ls--;
		d->items[i].value_line = line;
		d->items[i].value_col = col_of(b, ls, e->val_off);
	}
	c->pos = e->end;
	return 0;
}

/* pattern_key_len - length of the pattern part of a rule line (to the first
 * whitespace after the closing delimiter), or of the first word for if/endif */
static size_t
pattern_key_len(const char *t, size_t n)
{
	size_t i = 0;
	char delim;

	if (n == 0)
		return 0;
	if ((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z')) {
		/* if /x/ or endif: the whole line is the key */
		return n;
	}
	while (i < n && (t[i] == '!' || is_ws((unsigned char)t[i])))
		i++;
	if (i >= n)
		return n;
	delim = t[i++];
	while (i < n && t[i] != delim) {
		if (t[i] == '\\' && i + 1 < n)
			i++;
		i++;
	}
	while (i < n && !is_ws((unsigned char)t[i]))
		i++;
	return i;
}

static int
pat_item(void *ctx, const char *text, size_t len, unsigned line, unsigned nlines,
	 size_t start, size_t end, bool indented)
{
	struct rctx *c = ctx;
	struct tabledoc *d = c->d;
	size_t i, kl, vs, ve;

	(void)line;
	(void)nlines;
	if (fill_gap(d, c->pos, start) < 0)
		return -1;
	if (indented) {
		if (push_item(d, TABLEDOC_SKIPPED, start, end - start) < 0)
			return -1;
		c->pos = end;
		return 0;
	}
	if (push_item(d, TABLEDOC_ENTRY, start, end - start) < 0)
		return -1;
	i = d->n - 1;
	while (len > 0 && is_ws((unsigned char)text[len - 1]))
		len--;
	kl = pattern_key_len(text, len);
	vs = kl;
	while (vs < len && is_ws((unsigned char)text[vs]))
		vs++;
	ve = len;
	d->items[i].klen = kl;
	d->items[i].vlen = ve - vs;
	if (arena_add(&d->arena, text, kl, &d->koff[i]) < 0
	    || arena_add(&d->arena, text + vs, ve - vs, &d->voff[i]) < 0)
		return -1;
	d->items[i].value_col = col_of(text, 0, vs);
	d->items[i].value_line = line;
	c->pos = end;
	return 0;
}

static int
reread(struct tabledoc *d)
{
	struct rctx c = { d, 0 };
	size_t i, k;
	unsigned line = 1;
	int r;

	d->n = 0;
	strbuf_reset(&d->arena);
	diag_list_clear(&d->diags);
	if (d->syntax == TABLEDOC_KV)
		r = kvparse_buf(d->text.buf, d->text.len, d->path ? d->path : "(new)", kv_item, &c,
				&d->diags);
	else
		r = pattern_lines(d->text.buf, d->text.len, pat_item, &c);
	if (r != 0 || fill_gap(d, c.pos, d->text.len) < 0) {
		errno = ENOMEM;
		return -1;
	}
	/* lines, pointers */
	for (i = 0, k = 0; i < d->n; i++) {
		struct tabledoc_item *it = &d->items[i];
		size_t j;
		unsigned nl = 0;

		it->line = line;
		for (j = it->off; j < it->off + it->len; j++)
			nl += d->text.buf[j] == '\n';
		it->nlines = nl + (it->len > 0 && d->text.buf[it->off + it->len - 1] != '\n');
		line += nl;
		if (it->kind == TABLEDOC_ENTRY) {
			it->key = d->arena.buf + d->koff[i];
			it->value = d->arena.buf + d->voff[i];
			it->key_col = 1;
			k++;
		}
	}
	d->nentries = k;
	d->crlf = false;
	{
		const char *nl = memchr(d->text.buf, '\n', d->text.len);

		if (nl && nl > d->text.buf && nl[-1] == '\r')
			d->crlf = true;
	}
	return 0;
}

/* ---- life cycle ---- */

struct tabledoc *
tabledoc_new(const char *path, enum tabledoc_syntax syntax)
{
	struct tabledoc *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->syntax = syntax;
	strbuf_init(&d->text);
	strbuf_init(&d->arena);
	diag_list_init(&d->diags);
	if (path && (d->path = strdup(path)) == NULL) {
		tabledoc_free(d);
		return NULL;
	}
	return d;
}

void
tabledoc_free(struct tabledoc *d)
{
	if (d == NULL)
		return;
	free(d->path);
	strbuf_fini(&d->text);
	strbuf_fini(&d->arena);
	diag_list_fini(&d->diags);
	free(d->items);
	free(d->koff);
	free(d->voff);
	free(d);
}

static void
copy_diags(const struct diag_list *from, struct diag_list *to)
{
	size_t i;

	if (to == NULL)
		return;
	for (i = 0; i < from->n; i++) {
		const struct diag *x = &from->v[i];

		diag_add_sev(to, x->severity, x->code, x->file, x->line, x->col, "%s", x->message);
	}
}

int
tabledoc_parse(struct tabledoc **out, const char *buf, size_t len, const char *name,
	       enum tabledoc_syntax syntax, struct diag_list *dl)
{
	struct tabledoc *d = tabledoc_new(name, syntax);

	*out = NULL;
	if (d == NULL)
		return -1;
	if (strbuf_add(&d->text, buf, len) < 0 || reread(d) < 0) {
		tabledoc_free(d);
		errno = ENOMEM;
		return -1;
	}
	copy_diags(&d->diags, dl);
	*out = d;
	return 0;
}

static int
read_file(const char *path, struct strbuf *sb, struct disk_state *ds, struct map_error *err)
{
	struct stat st;
	char tmp[65536], why[600];
	ssize_t n;
	int fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, &st, why, sizeof(why));

	if (fd < 0)
		return err ? map_error_set(err, errno, "%s", why) : -1;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return err ? map_error_set(err, e, "read %s: %s", path, strerror(e)) : -1;
		}
		if ((off_t)(sb->len + (size_t)n) > SAFEOPEN_TABLE_MAX) {
			close(fd);
			return err ? map_error_set(err, EFBIG, "read %s: grew past %lld bytes", path,
						   (long long)SAFEOPEN_TABLE_MAX) : -1;
		}
		if (strbuf_add(sb, tmp, (size_t)n) < 0) {
			close(fd);
			return err ? map_error_set(err, ENOMEM, "read %s: out of memory", path) : -1;
		}
	}
	close(fd);
	if (ds) {
		ds->exists = true;
		ds->dev = st.st_dev;
		ds->ino = st.st_ino;
		ds->size = (off_t)sb->len;
		ds->mtime = st.st_mtim;
		ds->hash = tabledoc_hash(sb->buf, sb->len);
	}
	return 0;
}

int
tabledoc_load(struct tabledoc **out, const char *path, enum tabledoc_syntax syntax,
	      struct diag_list *dl, struct map_error *err)
{
	struct tabledoc *d = tabledoc_new(path, syntax);

	*out = NULL;
	if (d == NULL)
		return map_error_set(err, ENOMEM, "load %s: out of memory", path);
	if (read_file(path, &d->text, &d->disk, err) < 0) {
		int e = err ? err->errnum : errno;

		tabledoc_free(d);
		errno = e;
		return -1;
	}
	if (reread(d) < 0) {
		tabledoc_free(d);
		return map_error_set(err, ENOMEM, "load %s: out of memory", path);
	}
	copy_diags(&d->diags, dl);
	*out = d;
	return 0;
}

/* ---- accessors ---- */

const char *
tabledoc_path(const struct tabledoc *d)
{
	return d->path;
}

enum tabledoc_syntax
tabledoc_get_syntax(const struct tabledoc *d)
{
	return d->syntax;
}

const char *
tabledoc_text(const struct tabledoc *d, size_t *len)
{
	if (len)
		*len = d->text.len;
	return d->text.buf;
}

size_t
tabledoc_count(const struct tabledoc *d)
{
	return d->n;
}

const struct tabledoc_item *
tabledoc_item(const struct tabledoc *d, size_t i)
{
	return i < d->n ? &d->items[i] : NULL;
}

const char *
tabledoc_item_text(const struct tabledoc *d, size_t i, size_t *len)
{
	if (i >= d->n) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = d->items[i].len;
	return d->text.buf + d->items[i].off;
}

size_t
tabledoc_entry_count(const struct tabledoc *d)
{
	return d->nentries;
}

const struct diag_list *
tabledoc_diags(const struct tabledoc *d)
{
	return &d->diags;
}

bool
tabledoc_dirty(const struct tabledoc *d)
{
	return d->dirty;
}

int
tabledoc_find(const struct tabledoc *d, const char *key, size_t klen, unsigned flags,
	      size_t from, size_t *idx)
{
	char *fk = NULL;
	size_t fl = klen, i;
	const char *k = key;

	if (flags & TABLEDOC_FIND_FOLD) {
		if (map_fold(key, klen, &fk, &fl) < 0)
			return -1;
		k = fk;
	}
	for (i = from; i < d->n; i++) {
		const struct tabledoc_item *it = &d->items[i];

		if (it->kind != TABLEDOC_ENTRY)
			continue;
		if (flags & TABLEDOC_FIND_FOLD) {
			char *ik;
			size_t il;
			bool eq;

			if (map_fold(it->key, it->klen, &ik, &il) < 0) {
				free(fk);
				return -1;
			}
			eq = il == fl && memcmp(ik, k, fl) == 0;
			free(ik);
			if (!eq)
				continue;
		} else if (it->klen != klen || memcmp(it->key, key, klen) != 0) {
			continue;
		}
		free(fk);
		*idx = i;
		return 1;
	}
	free(fk);
	return 0;
}

int
tabledoc_find_line(const struct tabledoc *d, unsigned line, size_t *idx)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct tabledoc_item *it = &d->items[i];

		if (line >= it->line && line < it->line + (it->nlines ? it->nlines : 1)) {
			*idx = i;
			return 1;
		}
	}
	return 0;
}

/* ---- edits ---- */

/* eolify - TEXT with its line ends in the document's style, plus one at the end if WANT_EOL */
static int
eolify(const struct tabledoc *d, const char *text, size_t len, bool want_eol, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			if (d->crlf && (i == 0 || text[i - 1] != '\r') && strbuf_addch(out, '\r') < 0)
				return -1;
		}
		if (strbuf_addch(out, text[i]) < 0)
			return -1;
	}
	if (want_eol && strbuf_addstr(out, d->crlf ? "\r\n" : "\n") < 0)
		return -1;
	return 0;
}

/* anchor - item I starts a logical line no edit before it can join: its
 * first byte is neither blank nor '#' (continuation lines start with
 * whitespace, and Postfix reads through comments inside them) */
static bool
anchor(const struct tabledoc *d, size_t i)
{
	unsigned char c;

	if (d->items[i].len == 0)
		return false;
	c = (unsigned char)d->text.buf[d->items[i].off];
	return !is_ws(c) && c != '#';
}

static size_t
count_nl(const char *b, size_t n)
{
	size_t k = 0;
	const char *p = b, *e = b + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* splice_text - [off, off+len) of the text replaced by REPL, in place */
static int
splice_text(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl)
{
	size_t tail = d->text.len - off - len;

	if (repl->len > len && strbuf_reserve(&d->text, repl->len - len) < 0)
		return -1;
	memmove(d->text.buf + off + repl->len, d->text.buf + off + len, tail);
	memcpy(d->text.buf + off, repl->buf, repl->len);
	d->text.len = off + repl->len + tail;
	d->text.buf[d->text.len] = '\0';
	return 0;
}

/* resplice - the incremental re-read after an edit of [off, off+len) by
 * REPL: only the items from the last anchor before the edit to the first
 * anchor after it are parsed again; the items after it move (offsets and
 * lines shifted), the ones before stay.  The cost is the parse of those few
 * lines plus a memmove of the text and item tail and one pass adding two
 * deltas, instead of parsing the whole document.  1 when it cannot (the
 * caller re-reads everything), 0 done, -1 ENOMEM. */
static int
resplice(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl)
{
	struct tabledoc t;
	size_t a, b, lo, hi, w0, w1, k, nk, i, base, oldlines, newlines, need;
	long long delta = (long long)repl->len - (long long)len, dl;
	unsigned line0;
	char *arena_before;
	int r;

	if (d->n < 64)
		return 1;       /* small: the plain re-read is as cheap */
	/* a: the first item at or after OFF; b: the first item after the edit */
	for (a = 0, k = d->n; a < k;) {
		size_t m = a + (k - a) / 2;

		if (d->items[m].off < off)
			a = m + 1;
		else
			k = m;
	}
	if (a < d->n && d->items[a].off != off)
		return 1;       /* not at an item boundary */
	for (b = a; b < d->n && d->items[b].off < off + len; b++)
		;
	lo = a;
	while (lo > 0) {
		lo--;
		if (anchor(d, lo))
			break;
	}
	for (hi = b; hi < d->n && !anchor(d, hi); hi++)
		;
	w0 = lo < d->n ? d->items[lo].off : off;
	if (w0 > off)
		w0 = off;
	w1 = hi < d->n ? d->items[hi].off : d->text.len;
	line0 = lo < d->n ? d->items[lo].line
		: d->n ? d->items[d->n - 1].line + d->items[d->n - 1].nlines : 1;
	oldlines = count_nl(d->text.buf + w0, w1 - w0);
	if (splice_text(d, off, len, repl) < 0)
		return -1;
	w1 = (size_t)((long long)w1 + delta);
	newlines = count_nl(d->text.buf + w0, w1 - w0);
	dl = (long long)newlines - (long long)oldlines;

	/* the window, parsed alone (its text borrowed, not owned) */
	memset(&t, 0, sizeof(t));
	t.path = d->path;
	t.syntax = d->syntax;
	t.text.buf = d->text.buf + w0;
	t.text.len = w1 - w0;
	t.text.cap = 0;
	strbuf_init(&t.arena);
	diag_list_init(&t.diags);
	r = reread(&t);
	if (r < 0)
		goto fail;
	/* the window's items replace items [lo, hi) */
	nk = t.n;
	k = hi - lo;
	need = d->n - k + nk;
	if (need > d->cap) {
		size_t cap = d->cap * 2 > need ? d->cap * 2 : need;
		struct tabledoc_item *v = realloc(d->items, cap * sizeof(*v));
		size_t *ko, *vo;

		if (!v)
			goto fail;
		d->items = v;
		if (!(ko = realloc(d->koff, cap * sizeof(*ko))))
			goto fail;
		d->koff = ko;
		if (!(vo = realloc(d->voff, cap * sizeof(*vo))))
			goto fail;
		d->voff = vo;
		d->cap = cap;
	}
	arena_before = d->arena.buf;
	base = d->arena.len;
	if (strbuf_add(&d->arena, t.arena.buf, t.arena.len) < 0)
		goto fail;
	for (i = lo; i < hi; i++)
		d->nentries -= d->items[i].kind == TABLEDOC_ENTRY;
	d->nentries += t.nentries;
	if (nk != k) {
		memmove(d->items + lo + nk, d->items + hi, (d->n - hi) * sizeof(*d->items));
		memmove(d->koff + lo + nk, d->koff + hi, (d->n - hi) * sizeof(*d->koff));
		memmove(d->voff + lo + nk, d->voff + hi, (d->n - hi) * sizeof(*d->voff));
	}
	for (i = 0; i < nk; i++) {
		struct tabledoc_item *it = &d->items[lo + i];

		*it = t.items[i];
		it->off += w0;
		it->line += line0 - 1;
		if (it->kind == TABLEDOC_ENTRY) {
			it->value_line += line0 - 1;
			d->koff[lo + i] = base + t.koff[i];
			d->voff[lo + i] = base + t.voff[i];
			it->key = d->arena.buf + d->koff[lo + i];
			it->value = d->arena.buf + d->voff[lo + i];
		} else {
			d->koff[lo + i] = d->voff[lo + i] = (size_t)-1;
		}
	}
	d->n = need;
	for (i = lo + nk; i < d->n; i++) {
		struct tabledoc_item *it = &d->items[i];

		it->off = (size_t)((long long)it->off + delta);
		it->line = (unsigned)((long long)it->line + dl);
		if (it->kind == TABLEDOC_ENTRY)
			it->value_line = (unsigned)((long long)it->value_line + dl);
	}
	if (d->arena.buf != arena_before) {
		/* the arena moved (it grows by doubling: rarely) */
		for (i = 0; i < d->n; i++) {
			if (d->items[i].kind != TABLEDOC_ENTRY)
				continue;
			d->items[i].key = d->arena.buf + d->koff[i];
			d->items[i].value = d->arena.buf + d->voff[i];
		}
	}
	/* diagnostics: the window's replace the old ones there, later ones move */
	{
		struct diag_list nd;
		unsigned wend = line0 + (unsigned)oldlines;

		diag_list_init(&nd);
		/* in line order, as a full parse gives them */
		for (i = 0; i < d->diags.n; i++) {
			const struct diag *x = &d->diags.v[i];

			if (x->line < line0)
				diag_add_sev(&nd, x->severity, x->code, x->file, x->line, x->col, "%s",
					     x->message);
		}
		for (i = 0; i < t.diags.n; i++) {
			const struct diag *x = &t.diags.v[i];

			diag_add_sev(&nd, x->severity, x->code, x->file, x->line + line0 - 1, x->col,
				     "%s", x->message);
		}
		for (i = 0; i < d->diags.n; i++) {
			const struct diag *x = &d->diags.v[i];

			if (x->line >= wend)
				diag_add_sev(&nd, x->severity, x->code, x->file,
					     (unsigned)((long long)x->line + dl), x->col, "%s", x->message);
		}
		diag_list_fini(&d->diags);
		d->diags = nd;
	}
	{
		const char *nl = memchr(d->text.buf, '\n', d->text.len);

		d->crlf = nl && nl > d->text.buf && nl[-1] == '\r';
	}
	free(t.items);
	free(t.koff);
	free(t.voff);
	strbuf_fini(&t.arena);
	diag_list_fini(&t.diags);
	return 0;
fail:
	free(t.items);
	free(t.koff);
	free(t.voff);
	strbuf_fini(&t.arena);
	diag_list_fini(&t.diags);
	/* the text is already spliced: a full re-read makes the items match */
	if (reread(d) < 0)
		return -1;
	return 0;
}

/* splice - replace [off, off+len) by REPL, re-read (incrementally when the
 * document is big), find the item at off */
static int
doc_splice(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl, size_t *newidx)
{
	size_t i;
	int r;

	d->dirty = true;
	r = resplice(d, off, len, repl);
	if (r < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (r > 0) {
		if (splice_text(d, off, len, repl) < 0 || reread(d) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (newidx) {
		size_t lo = 0, hi = d->n;

		/* the first item ending after OFF (items are in order) */
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;

			if (d->items[m].off + d->items[m].len > off)
				hi = m;
			else
				lo = m + 1;
		}
		i = lo;
		*newidx = i;
	}
	return 0;
}

int
tabledoc_replace(struct tabledoc *d, size_t i, const char *text, size_t len, size_t *newidx)
{
	struct strbuf r;
	const struct tabledoc_item *it;
	bool had_eol;
	int rc;

	if (i >= d->n) {
		errno = EINVAL;
		return -1;
	}
	it = &d->items[i];
	had_eol = it->len > 0 && d->text.buf[it->off + it->len - 1] == '\n';
	strbuf_init(&r);
	if (eolify(d, text, len, had_eol, &r) < 0) {
		strbuf_fini(&r);
		errno = ENOMEM;
		return -1;
	}
	rc = doc_splice(d, it->off, it->len, &r, newidx);
	strbuf_fini(&r);
	return rc;
}

int
tabledoc_insert(struct tabledoc *d, size_t i, const char *text, size_t len, size_t *newidx)
{
	struct strbuf r;
	size_t off, textoff;
	int rc;

	if (i > d->n) {
		errno = EINVAL;
		return -1;
	}
	strbuf_init(&r);
	if (i == d->n) {
		off = d->text.len;
		if (off > 0 && d->text.buf[off - 1] != '\n'
		    && strbuf_addstr(&r, d->crlf ? "\r\n" : "\n") < 0)
			goto nomem;
	} else {
		off = d->items[i].off;
	}
	textoff = off + r.len;
	if (eolify(d, text, len, true, &r) < 0)
		goto nomem;
	rc = doc_splice(d, off, 0, &r, NULL);
	if (rc == 0 && newidx) {
		size_t lo = 0, hi = d->n;

		while (lo < hi) {       /* the first item at or after TEXTOFF */
			size_t m = lo + (hi - lo) / 2;

			if (d->items[m].off >= textoff)
				hi = m;
			else
				lo = m + 1;
		}
		*newidx = lo;
	}
	strbuf_fini(&r);
	return rc;
nomem:
	strbuf_fini(&r);
	errno = ENOMEM;
	return -1;
}

int
tabledoc_delete(struct tabledoc *d, size_t i)
{
	struct strbuf r;
	int rc;

	if (i >= d->n) {
		errno = EINVAL;
		return -1;
	}
	strbuf_init(&r);
	rc = doc_splice(d, d->items[i].off, d->items[i].len, &r, NULL);
	strbuf_fini(&r);
	return rc;
}

int
tabledoc_set_text(struct tabledoc *d, const char *buf, size_t len)
{
	strbuf_reset(&d->text);
	if (strbuf_add(&d->text, buf, len) < 0 || reread(d) < 0) {
		errno = ENOMEM;
		return -1;
	}
	d->dirty = true;
	return 0;
}

char *
tabledoc_format_entry(const char *key, size_t klen, const char *value, size_t vlen)
{
	struct strbuf sb;

	strbuf_init(&sb);
	if (strbuf_add(&sb, key, klen) < 0 || strbuf_addch(&sb, '\t') < 0
	    || strbuf_add(&sb, value, vlen) < 0) {
		strbuf_fini(&sb);
		return NULL;
	}
	return strbuf_export(&sb);
}

int
tabledoc_set_value(struct tabledoc *d, size_t i, const char *value, size_t vlen,
		   size_t *newidx)
{
	const struct tabledoc_item *it;
	const char *b;
	size_t k, klen_raw, sep_end, lend;
	struct strbuf t;
	int rc;

	if (i >= d->n || d->items[i].kind != TABLEDOC_ENTRY) {
		errno = EINVAL;
		return -1;
	}
	it = &d->items[i];
	b = d->text.buf + it->off;
	lend = 0;
	while (lend < it->len && b[lend] != '\n')
		lend++;
	if (lend > 0 && b[lend - 1] == '\r')
		lend--;
	klen_raw = it->klen <= lend ? it->klen : lend;
	sep_end = klen_raw;
	while (sep_end < lend && (b[sep_end] == ' ' || b[sep_end] == '\t'))
		sep_end++;
	strbuf_init(&t);
	if (strbuf_add(&t, b, klen_raw) < 0
	    || (sep_end > klen_raw ? strbuf_add(&t, b + klen_raw, sep_end - klen_raw)
		: strbuf_addch(&t, '\t')) < 0
	    || strbuf_add(&t, value, vlen) < 0) {
		strbuf_fini(&t);
		errno = ENOMEM;
		return -1;
	}
	for (k = 0; k < t.len; k++)
		if (t.buf[k] == '\n' || t.buf[k] == '\r')
			t.buf[k] = ' ';
	rc = tabledoc_replace(d, i, t.buf, t.len, newidx);
	strbuf_fini(&t);
	return rc;
}

/* ---- disk ---- */

int
tabledoc_changed_on_disk(const struct tabledoc *d)
{
	struct stat st;
	struct strbuf sb;
	struct disk_state now;
	int rc;

	if (d->path == NULL)
		return 0;
	if (stat(d->path, &st) < 0) {
		if (errno == ENOENT)
			return d->disk.exists ? 1 : 0;
		return -1;
	}
	if (!d->disk.exists)
		return 1;
	if (st.st_dev == d->disk.dev && st.st_ino == d->disk.ino && st.st_size == d->disk.size
	    && st.st_mtim.tv_sec == d->disk.mtime.tv_sec
	    && st.st_mtim.tv_nsec == d->disk.mtime.tv_nsec)
		return 0;
	/* metadata differ: the content decides */
	strbuf_init(&sb);
	memset(&now, 0, sizeof(now));
	if (read_file(d->path, &sb, &now, NULL) < 0) {
		strbuf_fini(&sb);
		return -1;
	}
	rc = (now.size != d->disk.size || now.hash != d->disk.hash) ? 1 : 0;
	strbuf_fini(&sb);
	return rc;
}

/* backup - keep the current PATH as PATH~ (hard link, else copy) */
static int
backup(const char *path, struct map_error *err)
{
	char *bak;
	struct strbuf sb;
	int fd, rc = 0;

	if (access(path, F_OK) < 0)
		return 0;
	if (asprintf(&bak, "%s~", path) < 0)
		return map_error_set(err, ENOMEM, "backup %s: out of memory", path);
	if (unlink(bak) < 0 && errno != ENOENT) {
		rc = map_error_set(err, errno, "unlink %s: %s", bak, strerror(errno));
		free(bak);
		return rc;
	}
	if (link(path, bak) == 0) {
		free(bak);
		return 0;
	}
	strbuf_init(&sb);
	if (read_file(path, &sb, NULL, err) < 0) {
		strbuf_fini(&sb);
		free(bak);
		return -1;
	}
	fd = open(bak, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, sb.buf, sb.len) != (ssize_t)sb.len || fsync(fd) < 0) {
		rc = map_error_set(err, errno, "write %s: %s", bak, strerror(errno));
		if (fd >= 0)
			unlink(bak);
	}
	if (fd >= 0)
		close(fd);
	strbuf_fini(&sb);
	free(bak);
	return rc;
}

/* save_target - the file a save replaces: PATH itself, or, when PATH is a
 * symbolic link, the regular file it resolves to, so the link (often put
 * there by configuration management) stays the file Postfix reads and the
 * file behind it gets the new text, atomically in its own directory.  A
 * link to anything but a regular file, a dangling link, and a PATH that is
 * no regular file are refused.  malloc'd, or NULL with ERR filled. */
static char *
save_target(const char *path, struct map_error *err)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return strdup(path);
		map_error_set(err, errno, "stat %s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISREG(st.st_mode))
		return strdup(path);
	if (!S_ISLNK(st.st_mode)) {
		map_error_set(err, EINVAL, "%s is %s, not a regular file; nothing written", path,
			      safeopen_type_name(st.st_mode));
		return NULL;
	}
	if ((real = realpath(path, NULL)) == NULL) {
		map_error_set(err, errno, "%s is a symbolic link that cannot be followed (%s); "
			      "nothing written", path, strerror(errno));
		return NULL;
	}
	if (lstat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		map_error_set(err, EINVAL, "%s is a symbolic link to %s, which is %s, not a regular "
			      "file; nothing written", path, real,
			      errno == ENOENT ? "missing" : safeopen_type_name(st.st_mode));
		free(real);
		return NULL;
	}
	return real;
}

int
tabledoc_save(struct tabledoc *d, unsigned flags, struct map_error *err)
{
	struct atomic_file af;
	size_t done = 0;
	struct stat st;
	char *target;
	int c;

	if (d->path == NULL)
		return map_error_set(err, EINVAL, "save: the document has no file name");
	if (!(flags & TABLEDOC_FORCE)) {
		c = tabledoc_changed_on_disk(d);
		if (c < 0)
			return map_error_set(err, errno, "stat %s: %s", d->path, strerror(errno));
		if (c == 1)
			return 1;
	}
	if ((target = save_target(d->path, err)) == NULL)
		return -1;
	c = atomic_begin(&af, target, NULL, 0, err);
	if (c < 0) {
		free(target);
		return -1;
	}
	while (done < d->text.len) {
		ssize_t n = write(af.fd, d->text.buf + done, d->text.len - done);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			atomic_abort(&af);
			free(target);
			return map_error_set(err, e, "write %s: %s", d->path, strerror(e));
		}
		done += (size_t)n;
	}
	if (!(flags & TABLEDOC_NO_BACKUP) && backup(target, err) < 0) {
		atomic_abort(&af);
		free(target);
		return -1;
	}
	c = atomic_commit(&af, err);
	free(target);
	if (c < 0)
		return -1;
	d->dirty = false;
	if (stat(d->path, &st) == 0) {
		d->disk.exists = true;
		d->disk.dev = st.st_dev;
		d->disk.ino = st.st_ino;
		d->disk.size = st.st_size;
		d->disk.mtime = st.st_mtim;
		d->disk.hash = tabledoc_hash(d->text.buf, d->text.len);
	}
	return 0;
}

int
tabledoc_save_as(struct tabledoc *d, const char *path, unsigned flags, struct map_error *err)
{
	char *p = strdup(path);

	if (p == NULL)
		return map_error_set(err, ENOMEM, "save %s: out of memory", path);
	free(d->path);
	d->path = p;
	memset(&d->disk, 0, sizeof(d->disk));
	{
		struct stat st;

		/* saving over an existing other file: that is a deliberate choice */
		if (stat(path, &st) == 0)
			flags |= TABLEDOC_FORCE;
	}
	return tabledoc_save(d, flags, err);
}
