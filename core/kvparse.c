/*
 * core/kvparse.c - postmap input syntax (see kvparse.h).
 *
 * The file is mmap'd and walked once by util/readlline.c (the one Postfix
 * logical-line reader): a logical line that is one physical line (the
 * common case) comes as pointers into the file; only continued lines are
 * joined.  The value is copied
 * into a second scratch buffer so that a NUL follows it.  No per-entry
 * allocation: the buffers grow to the longest logical line and are reused.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kvparse.h"
#include "util/readlline.h"
#include "util/strbuf.h"
#include "util/safeopen.h"

/* ISSPACE as Postfix: space, tab, CR, LF, VT, FF */
static inline bool
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* key_special - bytes the key scan must look at: backslash, quote, ISSPACE */
static const unsigned char key_special[256] = {
	['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
	['"'] = 1, ['\\'] = 1,
};

struct kvp {
	const char *buf;
	size_t len;
	const char *file;
	kv_entry_fn *fn;
	void *ctx;
	struct diag_list *dl;
	struct strbuf val;          /* value + NUL */
};

/* col_at - display column of source offset OFF (in physical line starting at LS) */
static unsigned
col_at(const struct kvp *p, size_t ls, size_t off)
{
	const char *nl;
	size_t n;
	char tmp[512];

	/* diag_column stops at a NUL; the source has none before the newline
	 * in practice, but it is not NUL-terminated: copy a bounded prefix. */
	n = off - ls;
	if (n < sizeof(tmp)) {
		nl = memchr(p->buf + ls, '\n', p->len - ls);
		if (nl == NULL || (size_t)(nl - p->buf) >= off) {
			memcpy(tmp, p->buf + ls, n);
			tmp[n] = 0;
			return diag_column(tmp, n);
		}
	}
	return (unsigned)n + 1;
}

/* entry - split one logical line L and call FN */
static int
entry(void *ctx, const struct rll_line *ll)
{
	struct kvp *p = ctx;
	const char *t = ll->text;
	size_t n = ll->len;
	unsigned line = ll->first;
	struct kv_entry e;
	size_t i, k, vs, ve, qpos = 0, ls;
	unsigned l;
	bool inq = false;

	if (ll->indented) {
		char shown[40];
		size_t m = n > 30 ? 30 : n;

		memcpy(shown, t, m);
		shown[m] = 0;
		for (i = 0; i < m; i++)
			if ((unsigned char)shown[i] < ' ')
				shown[i] = ' ';
		if (diag_add(p->dl, DIAG_SYNTAX, p->file, line, 1,
			     "logical line must not start with whitespace: \"%s%s\"; postmap ignores it "
			     "(remove the leading whitespace, or join it to an entry)",
			     shown, n > 30 ? "..." : "") < 0)
			return -1;
		return 0;
	}
	/* postmap works on C strings: a NUL byte ends the logical line */
	{
		const char *z = memchr(t, 0, n);

		if (z != NULL)
			n = (size_t)(z - t);
	}
	for (i = 0; i < n; i++) {
		unsigned char c;

		/* the common bytes of a key: nothing to look at */
		while (i < n && !key_special[(unsigned char)t[i]])
			i++;
		if (i >= n)
			break;
		c = (unsigned char)t[i];
		if (c == '\\') {
			if (++i >= n)
				break;
		} else if (is_space(c)) {
			if (!inq)
				break;
		} else if (c == '"') {
			inq = !inq;
			if (inq)
				qpos = i;
		}
	}
	if (i > n)
		i = n;
	if (inq) {
		size_t so = rll_where(ll, qpos, &l, &ls);

		if (diag_add(p->dl, DIAG_SYNTAX, p->file, l, col_at(p, ls, so),
			     "unbalanced '\"' in this line; postmap ignores the whole line "
			     "(close the quote, or protect it with a backslash)") < 0)
			return -1;
		return 0;
	}
	k = i;
	vs = k < n ? k + 1 : n;
	while (vs < n && is_space((unsigned char)t[vs]))
		vs++;
	ve = n;
	while (ve > vs && is_space((unsigned char)t[ve - 1]))
		ve--;
	if (k == 0 || ve == vs) {
		if (diag_add(p->dl, DIAG_SYNTAX, p->file, line, 1,
			     "expected format: key whitespace value; postmap skips this line "
			     "(give the key a value)") < 0)
			return -1;
		return 0;
	}
	if (t[k - 1] == ':'
	    && diag_add_sev(p->dl, DIAG_WARNING, DIAG_SYNTAX, p->file, line, 1,
			    "record is in \"key: value\" format; the key is stored with its ':' and "
			    "will never match (is this an alias file? remove the ':')") < 0)
		return -1;
	strbuf_reset(&p->val);
	if (strbuf_add(&p->val, t + vs, ve - vs) < 0)
		return -1;
	e.key = t;
	e.klen = k;
	e.val = p->val.buf;
	e.vlen = ve - vs;
	e.line = line;
	e.nlines = ll->last - ll->first + 1;
	e.start = ll->start;
	e.end = ll->end;
	e.val_off = rll_where(ll, vs, &l, &ls);
	return p->fn(p->ctx, &e);
}

/* kvparse_buf - parse BUF as a postmap source named FILE */
int
kvparse_buf(const char *buf, size_t len, const char *file, kv_entry_fn *fn, void *ctx,
	    struct diag_list *dl)
{
	struct kvp p;
	int r;

	memset(&p, 0, sizeof(p));
	p.buf = buf;
	p.len = len;
	p.file = file;
	p.fn = fn;
	p.ctx = ctx;
	p.dl = dl;
	strbuf_init(&p.val);
	r = readllines(buf, len, 0, entry, &p);
	strbuf_fini(&p.val);
	return r;
}

/* kvparse_file - the same for a file */
int
kvparse_file(const char *path, kv_entry_fn *fn, void *ctx, struct diag_list *dl)
{
	struct stat st;
	struct strbuf sb;
	void *map;
	int fd, r, e;

	if ((fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, &st, NULL, 0)) < 0)
		return -1;
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			close(fd);
			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
			r = kvparse_buf(map, (size_t)st.st_size, path, fn, ctx, dl);
			e = errno;
			munmap(map, (size_t)st.st_size);
			errno = e;
			return r;
		}
	}
	/* not mappable (empty, pipe, /dev/stdin): read it */
	strbuf_init(&sb);
	for (;;) {
		ssize_t n;

		if (strbuf_reserve(&sb, 65536) < 0) {
			strbuf_fini(&sb);
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		n = read(fd, sb.buf + sb.len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			strbuf_fini(&sb);
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		if ((off_t)sb.len > SAFEOPEN_TABLE_MAX) {
			strbuf_fini(&sb);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	r = kvparse_buf(sb.buf, sb.len, path, fn, ctx, dl);
	strbuf_fini(&sb);
	return r;
}
