/* tests/unit/test_readlline.c - util/readlline.c, the one Postfix logical-line
 * reader: comments and blank lines (also inside continuations), joining,
 * an indented first line, CR bytes, a last line without newline, line
 * numbers and source positions; and the logical lines compared with what
 * the real postmap stores (postmap -s) and warns about. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/readlline.h"

struct got {
	char text[4096];
	int stop_after;
	int calls;
	unsigned flags;
	const char *src;
};

/* collect - "first-last/upto:start-end:[I]TEXT|" per logical line (control
 * bytes in TEXT as \r, \t, \0); checks the segments against the source */
static int
collect(void *ctx, const struct rll_line *l)
{
	struct got *g = ctx;
	size_t i, n = strlen(g->text);

	assert_true(l->nseg >= 1);
	assert_int_equal(l->seg[0].joff, 0);
	assert_int_equal(l->seg[0].soff, l->start);
	assert_int_equal(l->seg[0].line, l->first);
	assert_int_equal(l->seg[l->nseg - 1].line, l->last);
	for (i = 0; i < l->nseg; i++) {
		size_t e = i + 1 < l->nseg ? l->seg[i + 1].joff : l->len;

		/* each segment is its physical line's bytes, copied whole */
		assert_memory_equal(l->text + l->seg[i].joff, g->src + l->seg[i].soff, e - l->seg[i].joff);
		assert_true(l->seg[i].soff == 0 || g->src[l->seg[i].soff - 1] == '\n');
	}
	if (g->flags & RLL_COPY)
		assert_int_equal(l->text[l->len], 0);
	else if (l->nseg == 1)
		assert_ptr_equal(l->text, g->src + l->start);
	n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%u-%u/%u:%zu-%zu:%s", l->first, l->last,
			      l->upto, l->start, l->end, l->indented ? "I" : "");
	for (i = 0; i < l->len && n + 3 < sizeof(g->text); i++) {
		char c = l->text[i];

		if (c == '\r' || c == '\t' || c == 0) {
			g->text[n++] = '\\';
			g->text[n++] = c == '\r' ? 'r' : c == '\t' ? 't' : '0';
		} else
			g->text[n++] = c;
	}
	g->text[n++] = '|';
	g->text[n] = 0;
	if (++g->calls == g->stop_after)
		return 5;
	return 0;
}

static void
lines(const char *src, size_t len, const char *want)
{
	unsigned f;

	for (f = 0; f <= RLL_COPY; f++) {
		struct got g;

		memset(&g, 0, sizeof(g));
		g.flags = f;
		g.src = src;
		assert_int_equal(readllines(src, len, f, collect, &g), 0);
		if (strcmp(g.text, want) != 0)
			fail_msg("readllines \"%s\" (flags %u):\n got  %s\n want %s", src, f, g.text, want);
	}
}

#define LINES(s, w) lines((s), sizeof(s) - 1, (w))

static void
test_lines(void **state)
{
	(void)state;
	LINES("", "");
	LINES("\n\n", "");
	LINES("# only\n  # indented comment\n\t\n", "");
	LINES("a\n", "1-1/1:0-2:a|");
	LINES("a", "1-1/1:0-1:a|");                                 /* no newline: still line 1 */
	LINES("a\nb", "1-1/1:0-2:a|2-2/2:2-3:b|");                  /* a last line without newline counts */
	LINES("a b\n  c\n", "1-2/2:0-8:a b  c|");                   /* joined without the newline */
	LINES("a\n# x\n c\n", "1-3/3:0-9:a c|");                   /* a comment inside a continuation */
	LINES("a\n\n\t\n c", "1-4/4:0-7:a c|");                     /* blank lines inside one */
	LINES("a\n #c\n d\n", "1-3/3:0-9:a d|");                    /* an indented comment is a comment */
	LINES("  x\n y\nz\n", "1-2/2:0-7:I  x y|3-3/3:7-9:z|");     /* indented first line, with its continuation */
	LINES("#c\n x\n", "2-2/2:3-6:I x|");                        /* indented after only comments */
	LINES("a\r\n\r\n b\r\n", "1-3/3:0-9:a\\r b\\r|");           /* CR is data; "\r\n" is blank */
	LINES("\ra\n", "1-1/1:0-3:I\\ra|");                         /* CR is white space at the start */
	LINES("a\n#c\n\nb\n#d\n", "1-1/3:0-2:a|4-4/5:6-8:b|");      /* upto: the comments after it */
	LINES("a\0b\n c\n", "1-2/2:0-7:a\\0b c|");                  /* bytes are bytes (NUL included) */
	LINES("a\v\n\fb\n", "1-2/2:0-6:a\v\fb|");              /* \v \f are ISSPACE */
}

static void
test_stop(void **state)
{
	const char *src = "a\nb\nc\n";
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.src = src;
	g.stop_after = 2;
	assert_int_equal(readllines(src, strlen(src), 0, collect, &g), 5);
	assert_int_equal(g.calls, 2);
}

static int
where_fn(void *ctx, const struct rll_line *l)
{
	size_t ls, so;
	unsigned line;

	(void)ctx;
	/* "key v\n# c\n\t w\n  x" : segments "key v" | "\t w" | "  x" */
	so = rll_where(l, 0, &line, &ls);
	assert_int_equal(line, 1);
	assert_int_equal(ls, 0);
	assert_int_equal(so, 0);
	so = rll_where(l, 4, &line, &ls);
	assert_int_equal(line, 1);
	assert_int_equal(so, 4);
	so = rll_where(l, 7, &line, &ls);   /* the 'w' */
	assert_int_equal(line, 3);
	assert_int_equal(ls, 10);
	assert_int_equal(so, 12);
	assert_int_equal(l->text[7], 'w');
	so = rll_where(l, 10, &line, &ls);  /* the 'x' */
	assert_int_equal(line, 4);
	assert_int_equal(ls, 14);
	assert_int_equal(so, 16);
	return 0;
}

static void
test_where(void **state)
{
	const char *src = "key v\n# c\n\t w\n  x";

	(void)state;
	assert_int_equal(readllines(src, strlen(src), 0, where_fn, NULL), 0);
}

/* ---- against the real postmap ---- */

static const char *const inputs[] = {
	"  ind x\n y\n#c\na b\n\n# x\n  c\r\nlast v",
	"a 1\n# c\n 2\n\n\t3\nb 4",
	"#c\n\n  lead 1\n  2\nk v\n",
	"k1 v1\r\n\r\n k2\r\n#\n  \n\tk3 v3\n",
	"k v\n   # not a comment? it is\n x\n",
	"\r\nk\r v\n",
};

struct pm {
	char keys[4096];
	char warns[2048];
};

static int
pm_fn(void *ctx, const struct rll_line *l)
{
	struct pm *p = ctx;
	size_t k = 0, vs, ve;

	if (l->indented) {
		size_t n = strlen(p->warns);

		snprintf(p->warns + n, sizeof(p->warns) - n,
			 "logical line must not start with whitespace: \"%.30s%s\"\n", l->text,
			 l->len > 30 ? "..." : "");
		return 0;
	}
	while (k < l->len && !strchr(" \t\r\n\v\f", l->text[k]))
		k++;
	for (vs = k; vs < l->len && strchr(" \t\r\n\v\f", l->text[vs]); vs++)
		;
	for (ve = l->len; ve > vs && strchr(" \t\r\n\v\f", l->text[ve - 1]); ve--)
		;
	snprintf(p->keys + strlen(p->keys), sizeof(p->keys) - strlen(p->keys), "%.*s\t%.*s\n", (int)k,
		 l->text, (int)(ve - vs), l->text + vs);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort_lines - the lines of S in sorted order (postmap -s is in hash order) */
static void
sort_lines(char *s)
{
	char *v[256], buf[4096], *p;
	size_t n = 0, i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (p = strtok(buf, "\n"); p && n < 256; p = strtok(NULL, "\n"))
		v[n++] = p;
	qsort(v, n, sizeof(v[0]), cmp_str);
	s[0] = 0;
	for (i = 0; i < n; i++) {
		strcat(s, v[i]);
		strcat(s, "\n");
	}
}

static void
test_against_postmap(void **state)
{
	char dir[] = "/tmp/pfc-rll-XXXXXX", path[256], cmd[1024], line[1024];
	size_t i;

	(void)state;
	if (system("command -v postmap >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	{
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs("compatibility_level = 3.6\n", fp);
		fclose(fp);
	}
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct pm want, got;
		FILE *fp;
		char *c;

		memset(&want, 0, sizeof(want));
		memset(&got, 0, sizeof(got));
		assert_int_equal(readllines(inputs[i], strlen(inputs[i]), 0, pm_fn, &want), 0);
		snprintf(path, sizeof(path), "%s/src", dir);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(inputs[i], fp);
		fclose(fp);
		snprintf(cmd, sizeof(cmd), "postmap -c %s hash:%s 2>%s/err && postmap -c %s -s hash:%s", dir, path,
			 dir, dir, path);
		fp = popen(cmd, "r");
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp))
			strncat(got.keys, line, sizeof(got.keys) - strlen(got.keys) - 1);
		assert_int_equal(pclose(fp), 0);
		snprintf(cmd, sizeof(cmd), "%s/err", dir);
		fp = fopen(cmd, "r");
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp)) {
			/* "postmap: warning: PATH: logical line ..." */
			c = strstr(line, ": logical line");
			if (c != NULL)
				strncat(got.warns, c + 2, sizeof(got.warns) - strlen(got.warns) - 1);
		}
		fclose(fp);
		sort_lines(want.keys);
		sort_lines(got.keys);
		if (strcmp(want.keys, got.keys) != 0)
			fail_msg("input %zu: entries\n ours    %s\n postmap %s", i, want.keys, got.keys);
		if (strcmp(want.warns, got.warns) != 0)
			fail_msg("input %zu: warnings\n ours    %s\n postmap %s", i, want.warns, got.warns);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_against_postmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
