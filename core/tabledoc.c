/*
 * core/tabledoc.c - byte-exact document model of a table source.
 * The contract is in core/tabledoc.h; loading and saving the file are in
 * core/tabledoc_io.c (shared state: core/tabledoc_int.h).
 *
 * The document is one byte buffer; items are (offset, length) spans of it
 * that cover it without gaps.  An edit splices the buffer and re-reads the
 * lines around it (kvparse for postmap input, pattern_lines for pattern
 * files; the whole document when it is small), so the items always say
 * what Postfix would read.  Keys and values (joined, trimmed) live in a
 * separate arena.
 *
 * Items are stored in chunks of at most chunk_max (1024) items.  A chunk
 * keeps the offset and line deltas of the edits before it that it has not
 * applied yet (doff, dline) and the arena generation its key/value pointers
 * were set for; reading an item first brings its chunk up to date.  So an
 * edit touches the chunks around it, adds its deltas to each later chunk
 * (one add per chunk, not per item) and recounts the chunks' first
 * indices: a 1,000,000-item document has about 1,000 chunks.  Reading an
 * item through a const pointer therefore writes to its chunk: a tabledoc
 * must not be read by two threads at once.
 *
 * The text is a gap buffer: the bytes before logical offset gs, glen free
 * bytes, then the rest.  The gap sits where the last edit was (at an item
 * boundary, so no item straddles it); an edit moves it there (a memmove of
 * the bytes between), so editing one region costs the bytes touched, not
 * the bytes after them.  tabledoc_text() closes it (the whole text
 * contiguous, as a reader expects); tabledoc_copy_text() does not.
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
#include "core/tabledoc_int.h"

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

/* ---- the text's gap ---- */

/* tlen - the text's length (without the gap) */
static size_t
tlen(const struct tabledoc *d)
{
	return d->text.len - d->glen;
}

/* at - the byte at logical offset OFF (< tlen) */
static const char *
at(const struct tabledoc *d, size_t off)
{
	return d->text.buf + off + (off >= d->gs ? d->glen : 0);
}

/* gap_move - the gap to logical offset TO */
static void
gap_move(struct tabledoc *d, size_t to)
{
	char *b = d->text.buf;

	if (d->glen == 0) {
		d->gs = to;
		return;
	}
	if (to < d->gs)
		memmove(b + to + d->glen, b + to, d->gs - to);
	else if (to > d->gs)
		memmove(b + d->gs, b + d->gs + d->glen, to - d->gs);
	d->gs = to;
}

/* gap_close - the text contiguous and NUL-terminated (the const readers
 * call it: see the top) */
void
td_gap_close(const struct tabledoc *cd)
{
	struct tabledoc *d = (struct tabledoc *)cd;

	if (d->glen == 0)
		return;
	gap_move(d, tlen(d));
	d->text.len -= d->glen;
	d->glen = 0;
	d->text.buf[d->text.len] = '\0';
}

/* gap_splice - logical [off, off+len) replaced by REPL; the gap ends up
 * right after REPL */
static int
gap_splice(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl)
{
	char *b;

	gap_move(d, off);
	d->glen += len;         /* the replaced bytes join the gap */
	if (repl->len > d->glen) {
		size_t more = repl->len - d->glen + 65536 + tlen(d) / 256, after;

		if (strbuf_reserve(&d->text, more) < 0) {
			d->glen -= len;
			return -1;
		}
		b = d->text.buf;
		after = d->text.len - d->gs - d->glen;
		memmove(b + d->gs + d->glen + more, b + d->gs + d->glen, after);
		d->glen += more;
		d->text.len += more;
		b[d->text.len] = '\0';
	}
	b = d->text.buf;
	memcpy(b + d->gs, repl->buf, repl->len);
	d->gs += repl->len;
	d->glen -= repl->len;
	return 0;
}

/* count_span - line ends in logical [from, to), the gap skipped */
static size_t
count_span(const struct tabledoc *d, size_t from, size_t to)
{
	size_t n = 0, m;

	if (from < d->gs) {
		m = to < d->gs ? to : d->gs;
		n += count_nl(d->text.buf + from, m - from);
		from = m;
	}
	if (from < to)
		n += count_nl(d->text.buf + from + d->glen, to - from);
	return n;
}

/* first_crlf - the first line ends in CRLF */
static bool
first_crlf(const struct tabledoc *d)
{
	size_t i, n = tlen(d);

	for (i = 0; i < n; i++)
		if (*at(d, i) == '\n')
			return i > 0 && *at(d, i - 1) == '\r';
	return false;
}

/* ---- item storage (chunks; see the top) ---- */

#define CHUNK_DEFAULT 1024
static size_t chunk_max = CHUNK_DEFAULT;

void
tabledoc_debug_chunk(size_t n)
{
	chunk_max = n >= 2 ? n : CHUNK_DEFAULT;
}

static void
chunk_fini(struct chunk *k)
{
	free(k->it);
	free(k->koff);
	free(k->voff);
	memset(k, 0, sizeof(*k));
}

static int
chunk_reserve(struct chunk *k, size_t need)
{
	size_t cap;
	void *p;

	if (need <= k->cap)
		return 0;
	cap = k->cap ? k->cap : 16;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(k->it, cap * sizeof(*k->it))) == NULL)
		return -1;
	k->it = p;
	if ((p = realloc(k->koff, cap * sizeof(*k->koff))) == NULL)
		return -1;
	k->koff = p;
	if ((p = realloc(k->voff, cap * sizeof(*k->voff))) == NULL)
		return -1;
	k->voff = p;
	k->cap = cap;
	return 0;
}

/* chunks_clear - no items, no chunks */
static void
chunks_clear(struct tabledoc *d)
{
	size_t c;

	for (c = 0; c < d->nch; c++)
		chunk_fini(&d->ch[c]);
	d->nch = 0;
	d->n = 0;
	d->hint = 0;
}

/* chunks_room - K empty chunk slots at AT (cstart sized for them) */
static int
chunks_room(struct tabledoc *d, size_t at, size_t k)
{
	if (d->nch + k > d->capch || d->cstart == NULL) {
		size_t cap = d->capch ? d->capch : 16;
		struct chunk *v;
		size_t *cs;

		while (cap < d->nch + k)
			cap *= 2;
		if ((v = realloc(d->ch, cap * sizeof(*v))) == NULL)
			return -1;
		d->ch = v;
		if ((cs = realloc(d->cstart, (cap + 1) * sizeof(*cs))) == NULL)
			return -1;
		d->cstart = cs;
		d->capch = cap;
	}
	memmove(d->ch + at + k, d->ch + at, (d->nch - at) * sizeof(*d->ch));
	memset(d->ch + at, 0, k * sizeof(*d->ch));
	d->nch += k;
	return 0;
}

/* recount - the first indices of chunks FROM.. and the item count */
static void
recount(struct tabledoc *d, size_t from)
{
	size_t c;

	if (d->cstart == NULL)
		return;
	d->cstart[0] = 0;
	for (c = from; c < d->nch; c++)
		d->cstart[c + 1] = d->cstart[c] + d->ch[c].n;
	d->n = d->cstart[d->nch];
	d->hint = 0;
}

/* fresh - chunk C with its pending deltas applied and its key/value
 * pointers set for the arena as it is now (the lazy part: written through
 * a const document) */
static struct chunk *
fresh(const struct tabledoc *cd, size_t c)
{
	struct tabledoc *d = (struct tabledoc *)cd;
	struct chunk *k = &d->ch[c];
	size_t j;

	if (k->doff || k->dline) {
		for (j = 0; j < k->n; j++) {
			struct tabledoc_item *it = &k->it[j];

			it->off = (size_t)((long long)it->off + k->doff);
			it->line = (unsigned)((long long)it->line + k->dline);
			if (it->kind == TABLEDOC_ENTRY)
				it->value_line = (unsigned)((long long)it->value_line + k->dline);
		}
		k->doff = k->dline = 0;
	}
	if (k->agen != d->agen) {
		for (j = 0; j < k->n; j++) {
			if (k->it[j].kind != TABLEDOC_ENTRY)
				continue;
			k->it[j].key = d->arena.buf + k->koff[j];
			k->it[j].value = d->arena.buf + k->voff[j];
		}
		k->agen = d->agen;
	}
	return k;
}

/* locate - the chunk of item I (< n), *J its place there */
static size_t
locate(const struct tabledoc *cd, size_t i, size_t *j)
{
	struct tabledoc *d = (struct tabledoc *)cd;
	size_t c = d->hint, lo, hi;

	if (c < d->nch && d->cstart[c] <= i && i < d->cstart[c + 1])
		;
	else if (c + 1 < d->nch && d->cstart[c + 1] <= i && i < d->cstart[c + 2])
		c++;
	else {
		/* the last chunk starting at or before I (chunks are never empty) */
		lo = 0;
		hi = d->nch;
		while (hi - lo > 1) {
			size_t m = lo + (hi - lo) / 2;

			if (d->cstart[m] <= i)
				lo = m;
			else
				hi = m;
		}
		c = lo;
	}
	d->hint = c;
	*j = i - d->cstart[c];
	return c;
}

/* item_at - item I (< n), up to date */
static struct tabledoc_item *
item_at(const struct tabledoc *d, size_t i)
{
	size_t j, c = locate(d, i, &j);

	return &fresh(d, c)->it[j];
}

/* push_item - a new last item (while re-reading) */
static int
push_item(struct tabledoc *d, enum tabledoc_kind kind, size_t off, size_t len)
{
	struct chunk *k;
	struct tabledoc_item *it;

	if (d->nch == 0 || d->ch[d->nch - 1].n >= chunk_max) {
		if (chunks_room(d, d->nch, 1) < 0)
			return -1;
		d->cstart[d->nch - 1] = d->n;
		d->ch[d->nch - 1].agen = d->agen;
	}
	k = &d->ch[d->nch - 1];
	if (chunk_reserve(k, k->n + 1) < 0)
		return -1;
	it = &k->it[k->n];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->off = off;
	it->len = len;
	k->koff[k->n] = k->voff[k->n] = (size_t)-1;
	k->n++;
	d->n++;
	d->cstart[d->nch] = d->n;
	return 0;
}

/* last_item - the item push_item added last, and its arena offsets */
static struct tabledoc_item *
last_item(struct tabledoc *d, size_t **koff, size_t **voff)
{
	struct chunk *k = &d->ch[d->nch - 1];

	*koff = &k->koff[k->n - 1];
	*voff = &k->voff[k->n - 1];
	return &k->it[k->n - 1];
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
	struct tabledoc_item *it;
	size_t *ko, *vo;

	if (fill_gap(d, c->pos, e->start) < 0)
		return -1;
	if (push_item(d, TABLEDOC_ENTRY, e->start, e->end - e->start) < 0)
		return -1;
	it = last_item(d, &ko, &vo);
	it->klen = e->klen;
	it->vlen = e->vlen;
	if (arena_add(&d->arena, e->key, e->klen, ko) < 0
	    || arena_add(&d->arena, e->val, e->vlen, vo) < 0)
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
		it->value_line = line;
		it->value_col = col_of(b, ls, e->val_off);
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
	struct tabledoc_item *it;
	size_t kl, vs, ve, *ko, *vo;

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
	it = last_item(d, &ko, &vo);
	while (len > 0 && is_ws((unsigned char)text[len - 1]))
		len--;
	kl = pattern_key_len(text, len);
	vs = kl;
	while (vs < len && is_ws((unsigned char)text[vs]))
		vs++;
	ve = len;
	it->klen = kl;
	it->vlen = ve - vs;
	if (arena_add(&d->arena, text, kl, ko) < 0
	    || arena_add(&d->arena, text + vs, ve - vs, vo) < 0)
		return -1;
	it->value_col = col_of(text, 0, vs);
	it->value_line = line;
	c->pos = end;
	return 0;
}

int
td_reread(struct tabledoc *d)
{
	struct rctx c = { d, 0 };
	size_t ci, j, k = 0;
	unsigned line = 1;
	int r;

	td_gap_close(d);
	chunks_clear(d);
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
	for (ci = 0; ci < d->nch; ci++) {
		struct chunk *ch = &d->ch[ci];

		for (j = 0; j < ch->n; j++) {
			struct tabledoc_item *it = &ch->it[j];
			size_t nl = count_nl(d->text.buf + it->off, it->len);

			it->line = line;
			it->nlines = (unsigned)nl
				+ (it->len > 0 && d->text.buf[it->off + it->len - 1] != '\n');
			line += (unsigned)nl;
			if (it->kind == TABLEDOC_ENTRY) {
				it->key = d->arena.buf + ch->koff[j];
				it->value = d->arena.buf + ch->voff[j];
				it->key_col = 1;
				k++;
			}
		}
		ch->agen = d->agen;
	}
	d->nentries = k;
	d->crlf = first_crlf(d);
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
	chunks_clear(d);
	free(d->ch);
	free(d->cstart);
	free(d);
}

void
td_copy_diags(const struct diag_list *from, struct diag_list *to)
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
	if (strbuf_add(&d->text, buf, len) < 0 || td_reread(d) < 0) {
		tabledoc_free(d);
		errno = ENOMEM;
		return -1;
	}
	td_copy_diags(&d->diags, dl);
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
	td_gap_close(d);
	if (len)
		*len = d->text.len;
	return d->text.buf;
}

void
tabledoc_last_edit(const struct tabledoc *d, size_t *first, size_t *old_n, size_t *new_n)
{
	*first = d->e_first;
	*old_n = d->e_old;
	*new_n = d->e_new;
}

size_t
tabledoc_length(const struct tabledoc *d)
{
	return tlen(d);
}

void
tabledoc_copy_text(const struct tabledoc *d, char *dst)
{
	memcpy(dst, d->text.buf, d->gs);
	memcpy(dst + d->gs, d->text.buf + d->gs + d->glen, d->text.len - d->gs - d->glen);
}

size_t
tabledoc_count(const struct tabledoc *d)
{
	return d->n;
}

const struct tabledoc_item *
tabledoc_item(const struct tabledoc *d, size_t i)
{
	return i < d->n ? item_at(d, i) : NULL;
}

const char *
tabledoc_item_text(const struct tabledoc *d, size_t i, size_t *len)
{
	if (i >= d->n) {
		if (len)
			*len = 0;
		return NULL;
	}
	{
		const struct tabledoc_item *it = item_at(d, i);

		if (len)
			*len = it->len;
		return at(d, it->off);
	}
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
		const struct tabledoc_item *it = item_at(d, i);

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
	size_t lo = 0, hi = d->n;
	const struct tabledoc_item *it;

	/* the last item starting at or before LINE (items are in line order) */
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (item_at(d, m)->line <= line)
			lo = m + 1;
		else
			hi = m;
	}
	if (lo == 0)
		return 0;
	it = item_at(d, lo - 1);
	if (line >= it->line && line < it->line + (it->nlines ? it->nlines : 1)) {
		*idx = lo - 1;
		return 1;
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
	const struct tabledoc_item *it = item_at(d, i);
	unsigned char c;

	if (it->len == 0)
		return false;
	c = (unsigned char)*at(d, it->off);
	return !is_ws(c) && c != '#';
}

/* put_window - the items of the window document T copied to V/KO/VO from
 * index W (offsets from W0, lines from LINE0, arena offsets from BASE); the
 * index after them */
static size_t
put_window(struct tabledoc_item *v, size_t *ko, size_t *vo, size_t w, const struct tabledoc *t,
	   size_t w0, unsigned line0, size_t base)
{
	size_t p;

	for (p = 0; p < t->n; p++, w++) {
		size_t tj, tc = locate(t, p, &tj);
		const struct chunk *tk = &t->ch[tc];
		struct tabledoc_item *it = &v[w];

		*it = tk->it[tj];
		it->off += w0;
		it->line += line0 - 1;
		if (it->kind == TABLEDOC_ENTRY) {
			it->value_line += line0 - 1;
			ko[w] = base + tk->koff[tj];
			vo[w] = base + tk->voff[tj];
		} else {
			ko[w] = vo[w] = (size_t)-1;
		}
	}
	return w;
}

/* put_items - items [lo, hi) of D replaced by the NK items of the window
 * document T (its offsets from W0, lines from LINE0, arena offsets from
 * BASE), the items after them moved by DELTA bytes and DL lines.  Only the
 * chunks holding [lo, hi) are rebuilt (with a small next one, so deletions
 * leave no crumbs); later chunks just note the deltas.  0 or -1 (ENOMEM:
 * D unchanged). */
static int
put_items(struct tabledoc *d, size_t lo, size_t hi, const struct tabledoc *t, size_t w0,
	  unsigned line0, size_t base, long long delta, long long dl)
{
	size_t nk = t->n, c0, c1, j, first, last, total, nparts, p, c, i, w;
	struct tabledoc_item *v = NULL;
	size_t *ko = NULL, *vo = NULL;
	struct chunk *nc = NULL;

	if (d->nch == 0) {
		if (chunks_room(d, 0, 1) < 0)
			return -1;
		d->cstart[0] = d->cstart[1] = 0;
		d->ch[0].agen = d->agen;
	}
	c0 = lo < d->n ? locate(d, lo, &j) : d->nch - 1;
	c1 = hi > lo ? locate(d, hi - 1, &j) : c0;
	first = d->cstart[c0];
	last = d->cstart[c1 + 1];
	total = last - first - (hi - lo) + nk;
	while (c1 + 1 < d->nch && total < chunk_max / 4) {
		c1++;
		total += d->ch[c1].n;
		last = d->cstart[c1 + 1];
	}
	nparts = (total + chunk_max - 1) / chunk_max;
	if (total && ((v = malloc(total * sizeof(*v))) == NULL
		      || (ko = malloc(total * sizeof(*ko))) == NULL
		      || (vo = malloc(total * sizeof(*vo))) == NULL))
		goto fail;
	if (nparts && (nc = calloc(nparts, sizeof(*nc))) == NULL)
		goto fail;
	/* the items of chunks c0..c1 with the window's in place of [lo, hi) */
	w = 0;
	for (c = c0; c <= c1; c++) {
		struct chunk *k = fresh(d, c);

		for (j = 0; j < k->n; j++) {
			i = d->cstart[c] + j;
			if (i == lo)
				w = put_window(v, ko, vo, w, t, w0, line0, base);
			if (i >= lo && i < hi)
				continue;
			v[w] = k->it[j];
			ko[w] = k->koff[j];
			vo[w] = k->voff[j];
			if (i >= hi) {
				v[w].off = (size_t)((long long)v[w].off + delta);
				v[w].line = (unsigned)((long long)v[w].line + dl);
				if (v[w].kind == TABLEDOC_ENTRY)
					v[w].value_line = (unsigned)((long long)v[w].value_line + dl);
			}
			w++;
		}
	}
	if (lo == last)         /* appended after the last item of c1 (the end) */
		w = put_window(v, ko, vo, w, t, w0, line0, base);
	if (w != total) {
		errno = EINVAL;         /* cannot happen: [lo, hi) lies in c0..c1 */
		goto fail;
	}
	/* cut into nparts even chunks */
	for (p = 0, w = 0; p < nparts; p++) {
		size_t m = total / nparts + (p < total % nparts);

		if (chunk_reserve(&nc[p], m) < 0)
			goto fail;
		memcpy(nc[p].it, v + w, m * sizeof(*v));
		memcpy(nc[p].koff, ko + w, m * sizeof(*ko));
		memcpy(nc[p].voff, vo + w, m * sizeof(*vo));
		nc[p].n = m;
		nc[p].agen = d->agen - 1;       /* fresh() sets the pointers */
		w += m;
	}
	/* chunks c0..c1 become nc[0..nparts) */
	if (nparts > c1 - c0 + 1 && chunks_room(d, c1 + 1, nparts - (c1 - c0 + 1)) < 0)
		goto fail;
	for (c = c0; c <= c1; c++)
		chunk_fini(&d->ch[c]);
	if (nparts < c1 - c0 + 1) {
		size_t gone = c1 - c0 + 1 - nparts;

		memmove(d->ch + c0 + nparts, d->ch + c1 + 1, (d->nch - c1 - 1) * sizeof(*d->ch));
		d->nch -= gone;
	}
	for (p = 0; p < nparts; p++) {
		d->ch[c0 + p] = nc[p];
		fresh(d, c0 + p);
	}
	for (c = c0 + nparts; c < d->nch; c++) {
		d->ch[c].doff += delta;
		d->ch[c].dline += dl;
	}
	recount(d, c0);
	free(nc);
	free(v);
	free(ko);
	free(vo);
	return 0;
fail:
	if (nc)
		for (p = 0; p < nparts; p++)
			chunk_fini(&nc[p]);
	free(nc);
	free(v);
	free(ko);
	free(vo);
	return -1;
}

/* move_diags - in DL (sorted by line), the diagnostics on lines [from, to)
 * replaced by those of WIN (lines counted from FROM; taken over, WIN left
 * empty), the ones after moved by DL lines.  No message is copied.  0 or
 * -1 (ENOMEM: DL unchanged) */
static int
move_diags(struct diag_list *dl, struct diag_list *win, unsigned from, unsigned to, long long dlines)
{
	size_t i0, i1, lo, hi, k, n;

	for (lo = 0, hi = dl->n; lo < hi;) {
		size_t m = lo + (hi - lo) / 2;

		if (dl->v[m].line < from)
			lo = m + 1;
		else
			hi = m;
	}
	i0 = lo;
	for (i1 = i0; i1 < dl->n && dl->v[i1].line < to; i1++)
		;
	n = dl->n - (i1 - i0) + win->n;
	if (n > dl->cap) {
		struct diag *v = realloc(dl->v, n * sizeof(*v));

		if (v == NULL)
			return -1;
		dl->v = v;
		dl->cap = n;
	}
	for (k = i0; k < i1; k++) {
		free(dl->v[k].file);
		free(dl->v[k].message);
	}
	if (dl->n > i1)         /* dl->v may be NULL when the list is empty */
		memmove(dl->v + i0 + win->n, dl->v + i1, (dl->n - i1) * sizeof(*dl->v));
	for (k = 0; k < win->n; k++) {
		dl->v[i0 + k] = win->v[k];
		dl->v[i0 + k].line += from - 1;
	}
	for (k = i0 + win->n; k < n; k++)
		dl->v[k].line = (unsigned)((long long)dl->v[k].line + dlines);
	dl->n = n;
	win->n = 0;             /* its messages are DL's now */
	return 0;
}

/* resplice - the incremental re-read after an edit of [off, off+len) by
 * REPL: only the items from the last anchor before the edit to the first
 * anchor after it are parsed again; the items after it move (their chunks
 * note the offset and line deltas), the ones before stay.  The cost is the
 * parse of those few lines, the chunks around them, one add per later chunk
 * and a memmove of the text after the edit, instead of parsing the whole
 * document.  1 when it cannot (the caller re-reads everything), 0 done, -1
 * ENOMEM. */
static int
resplice(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl)
{
	struct tabledoc t;
	size_t a, b, lo, hi, w0, w1, k, i, base, oldlines, newlines;
	long long delta = (long long)repl->len - (long long)len, dl;
	unsigned line0;
	char *arena_before;
	int r;

	if (d->n < 64)
		return 1;       /* small: the plain re-read is as cheap */
	/* a: the first item at or after OFF; b: the first item after the edit */
	for (a = 0, k = d->n; a < k;) {
		size_t m = a + (k - a) / 2;

		if (item_at(d, m)->off < off)
			a = m + 1;
		else
			k = m;
	}
	if (a < d->n && item_at(d, a)->off != off)
		return 1;       /* not at an item boundary */
	for (b = a; b < d->n && item_at(d, b)->off < off + len; b++)
		;
	lo = a;
	while (lo > 0) {
		lo--;
		if (anchor(d, lo))
			break;
	}
	for (hi = b; hi < d->n && !anchor(d, hi); hi++)
		;
	w0 = lo < d->n ? item_at(d, lo)->off : off;
	if (w0 > off)
		w0 = off;
	w1 = hi < d->n ? item_at(d, hi)->off : tlen(d);
	if (lo < d->n)
		line0 = item_at(d, lo)->line;
	else {
		const struct tabledoc_item *z = item_at(d, d->n - 1);

		line0 = z->line + z->nlines;
	}
	oldlines = count_span(d, w0, w1);
	if (gap_splice(d, off, len, repl) < 0)
		return -1;
	w1 = (size_t)((long long)w1 + delta);
	/* the gap after the window: its bytes contiguous, and the gap at an
	 * item boundary again (the start of item hi, or the end) */
	gap_move(d, w1);
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
	r = td_reread(&t);
	if (r < 0)
		goto fail;
	arena_before = d->arena.buf;
	base = d->arena.len;
	if (strbuf_add(&d->arena, t.arena.buf, t.arena.len) < 0)
		goto fail;
	if (d->arena.buf != arena_before)
		d->agen++;      /* every chunk resets its pointers when next read */
	k = 0;
	for (i = lo; i < hi; i++)
		k += item_at(d, i)->kind == TABLEDOC_ENTRY;
	if (put_items(d, lo, hi, &t, w0, line0, base, delta, dl) < 0)
		goto fail;
	d->e_first = lo;
	d->e_old = hi - lo;
	d->e_new = t.n;
	d->nentries = d->nentries - k + t.nentries;
	/* diagnostics (in line order): the window's replace the old ones
	 * there, in place; the later ones move by DL lines */
	if (move_diags(&d->diags, &t.diags, line0, line0 + (unsigned)oldlines, dl) < 0)
		goto fail;
	d->crlf = first_crlf(d);
	chunks_clear(&t);
	free(t.ch);
	free(t.cstart);
	strbuf_fini(&t.arena);
	diag_list_fini(&t.diags);
	return 0;
fail:
	chunks_clear(&t);
	free(t.ch);
	free(t.cstart);
	strbuf_fini(&t.arena);
	diag_list_fini(&t.diags);
	d->e_new = (size_t)-1;
	/* the text is already spliced: a full re-read makes the items match */
	if (td_reread(d) < 0)
		return -1;
	return 0;
}

/* splice - replace [off, off+len) by REPL, re-read (incrementally when the
 * document is big), find the item at off */
static int
doc_splice(struct tabledoc *d, size_t off, size_t len, const struct strbuf *repl, size_t *newidx)
{
	size_t i, nbefore;
	int r;

	d->dirty = true;
	nbefore = d->n;
	d->e_new = (size_t)-1;  /* resplice sets the range when it is done */
	r = resplice(d, off, len, repl);
	if (r < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (r > 0) {
		if (gap_splice(d, off, len, repl) < 0 || td_reread(d) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (d->e_new == (size_t)-1) {
		/* re-read whole (here or in resplice's fallback): every item changed */
		d->e_first = 0;
		d->e_old = nbefore;
		d->e_new = d->n;
	}
	if (newidx) {
		size_t lo = 0, hi = d->n;

		/* the first item ending after OFF (items are in order) */
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;
			const struct tabledoc_item *it = item_at(d, m);

			if (it->off + it->len > off)
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
	it = item_at(d, i);
	had_eol = it->len > 0 && *at(d, it->off + it->len - 1) == '\n';
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
		off = tlen(d);
		if (off > 0 && *at(d, off - 1) != '\n'
		    && strbuf_addstr(&r, d->crlf ? "\r\n" : "\n") < 0)
			goto nomem;
	} else {
		off = item_at(d, i)->off;
	}
	textoff = off + r.len;
	if (eolify(d, text, len, true, &r) < 0)
		goto nomem;
	rc = doc_splice(d, off, 0, &r, NULL);
	if (rc == 0 && newidx) {
		size_t lo = 0, hi = d->n;

		while (lo < hi) {       /* the first item at or after TEXTOFF */
			size_t m = lo + (hi - lo) / 2;

			if (item_at(d, m)->off >= textoff)
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
	{
		const struct tabledoc_item *it = item_at(d, i);

		rc = doc_splice(d, it->off, it->len, &r, NULL);
	}
	strbuf_fini(&r);
	return rc;
}

int
tabledoc_set_text(struct tabledoc *d, const char *buf, size_t len)
{
	strbuf_reset(&d->text);
	d->gs = d->glen = 0;
	if (strbuf_add(&d->text, buf, len) < 0 || td_reread(d) < 0) {
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

	if (i >= d->n || item_at(d, i)->kind != TABLEDOC_ENTRY) {
		errno = EINVAL;
		return -1;
	}
	it = item_at(d, i);
	b = at(d, it->off);
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
