/* tests/unit/test_tabledoc.c - byte-exact document model: round trips,
 * items, edits that touch only their lines, saving, change detection. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/tabledoc.h"
#include "util/strbuf.h"

/* round-trip sources: CRLF, no final newline, odd whitespace, continuation
 * lines across comments, NUL and invalid UTF-8 bytes, skipped lines */
static const struct {
	const char *name;
	const char *text;
	size_t len;                 /* 0: strlen */
	size_t entries;
} odd[] = {
	{ "empty", "", 0, 0 },
	{ "one line, no newline", "a.example REJECT", 0, 1 },
	{ "crlf", "a OK\r\nb REJECT x\r\n# c\r\n\r\n", 0, 2 },
	{ "continuation across comment", "k v1\n# c\n  v2\nnext OK\n", 0, 2 },
	{ "indented first line", "  lead junk\nk OK\n", 0, 1 },
	{ "tabs and trailing blanks", "\tk\tv \t\n\n \t \nk2   v2   \n", 0, 1 },
	/* a NUL ends the line for postmap (C strings): "k" has no value */
	{ "nul and bad utf-8", "k\0ey OK\n\xff\xfe REJECT \xc3\n", 20, 1 },
	{ "no value", "lonely\nk OK", 0, 1 },
	{ "blank lines only", "\n\n\r\n   \n", 0, 0 },
	{ "unbalanced quote", "\"a b REJECT\nc OK\n", 0, 1 },
};

static size_t
olen(size_t i)
{
	return odd[i].len ? odd[i].len : strlen(odd[i].text);
}

static void
test_round_trip_odd(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct tabledoc *d;
		struct strbuf cat;
		size_t k, len;
		const char *t;

		assert_int_equal(tabledoc_parse(&d, odd[i].text, olen(i), "t", TABLEDOC_KV, NULL), 0);
		t = tabledoc_text(d, &len);
		if (len != olen(i) || memcmp(t, odd[i].text, len) != 0)
			fail_msg("%s: text differs", odd[i].name);
		/* the items cover the text exactly */
		strbuf_init(&cat);
		for (k = 0; k < tabledoc_count(d); k++) {
			size_t il;
			const char *it = tabledoc_item_text(d, k, &il);

			strbuf_add(&cat, it, il);
		}
		if (cat.len != olen(i) || memcmp(cat.buf, odd[i].text, cat.len) != 0)
			fail_msg("%s: items do not cover the text (got %zu bytes, want %zu)",
				 odd[i].name, cat.len, olen(i));
		if (tabledoc_entry_count(d) != odd[i].entries)
			fail_msg("%s: got %zu entries, want %zu", odd[i].name,
				 tabledoc_entry_count(d), odd[i].entries);
		strbuf_fini(&cat);
		tabledoc_free(d);
	}
}

static void
test_items(void **state)
{
	const char *src = "# head\n\nk v1\n# inside\n  v2\nx\nz  OK  \r\n";
	struct tabledoc *d;
	const struct tabledoc_item *it;

	(void)state;
	assert_int_equal(tabledoc_parse(&d, src, strlen(src), "t", TABLEDOC_KV, NULL), 0);
	assert_int_equal(tabledoc_count(d), 5);
	assert_int_equal(tabledoc_item(d, 0)->kind, TABLEDOC_COMMENT);
	assert_int_equal(tabledoc_item(d, 1)->kind, TABLEDOC_BLANK);
	it = tabledoc_item(d, 2);
	assert_int_equal(it->kind, TABLEDOC_ENTRY);
	assert_int_equal(it->line, 3);
	assert_int_equal(it->nlines, 3);
	assert_string_equal(it->key, "k");
	assert_string_equal(it->value, "v1  v2");   /* joined as postmap joins */
	it = tabledoc_item(d, 3);
	assert_int_equal(it->kind, TABLEDOC_SKIPPED);   /* "x": no value */
	assert_int_equal(it->line, 6);
	it = tabledoc_item(d, 4);
	assert_string_equal(it->key, "z");
	assert_string_equal(it->value, "OK");
	assert_int_equal(it->value_col, 4);
	assert_true(tabledoc_diags(d)->n >= 1);
	tabledoc_free(d);
}

static void
test_find(void **state)
{
	const char *src = "Foo.Example OK\nbar REJECT\nfoo.example DUNNO\n";
	struct tabledoc *d;
	size_t idx;

	(void)state;
	assert_int_equal(tabledoc_parse(&d, src, strlen(src), "t", TABLEDOC_KV, NULL), 0);
	assert_int_equal(tabledoc_find(d, "foo.example", 11, 0, 0, &idx), 1);
	assert_int_equal(idx, 2);
	assert_int_equal(tabledoc_find(d, "foo.example", 11, TABLEDOC_FIND_FOLD, 0, &idx), 1);
	assert_int_equal(idx, 0);
	assert_int_equal(tabledoc_find(d, "nope", 4, 0, 0, &idx), 0);
	assert_int_equal(tabledoc_find_line(d, 2, &idx), 1);
	assert_int_equal(idx, 1);
	tabledoc_free(d);
}

static void
expect_text(struct tabledoc *d, const char *want)
{
	size_t len;
	const char *t = tabledoc_text(d, &len);

	if (len != strlen(want) || memcmp(t, want, len) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)len, t, want);
}

static void
test_edits_touch_only_their_lines(void **state)
{
	const char *src = "# keep  me\r\na.example   REJECT old\r\n\r\nb OK\r\nlast DUNNO";
	struct tabledoc *d;
	size_t idx;

	(void)state;
	assert_int_equal(tabledoc_parse(&d, src, strlen(src), "t", TABLEDOC_KV, NULL), 0);
	assert_false(tabledoc_dirty(d));
	/* set_value keeps key and separator, CRLF kept */
	assert_int_equal(tabledoc_set_value(d, 1, "REJECT new", 10, &idx), 0);
	assert_int_equal(idx, 1);
	expect_text(d, "# keep  me\r\na.example   REJECT new\r\n\r\nb OK\r\nlast DUNNO");
	assert_true(tabledoc_dirty(d));
	/* replace an entry */
	assert_int_equal(tabledoc_replace(d, 3, "b\tREJECT", 8, NULL), 0);
	expect_text(d, "# keep  me\r\na.example   REJECT new\r\n\r\nb\tREJECT\r\nlast DUNNO");
	/* insert before the blank line, with the document's line ending */
	assert_int_equal(tabledoc_insert(d, 2, "new OK", 6, &idx), 0);
	assert_int_equal(idx, 2);
	expect_text(d, "# keep  me\r\na.example   REJECT new\r\nnew OK\r\n\r\nb\tREJECT\r\nlast DUNNO");
	/* append after a last line without newline */
	assert_int_equal(tabledoc_insert(d, tabledoc_count(d), "z OK", 4, &idx), 0);
	expect_text(d, "# keep  me\r\na.example   REJECT new\r\nnew OK\r\n\r\nb\tREJECT\r\nlast DUNNO\r\nz OK\r\n");
	assert_string_equal(tabledoc_item(d, idx)->key, "z");
	/* delete */
	assert_int_equal(tabledoc_find(d, "new", 3, 0, 0, &idx), 1);
	assert_int_equal(tabledoc_delete(d, idx), 0);
	expect_text(d, "# keep  me\r\na.example   REJECT new\r\n\r\nb\tREJECT\r\nlast DUNNO\r\nz OK\r\n");
	/* bad index */
	assert_int_equal(tabledoc_delete(d, 99), -1);
	tabledoc_free(d);
}

static void
test_insert_indented_joins(void **state)
{
	const char *src = "a OK\nb OK\n";
	struct tabledoc *d;

	(void)state;
	assert_int_equal(tabledoc_parse(&d, src, strlen(src), "t", TABLEDOC_KV, NULL), 0);
	/* an indented line is a continuation for Postfix, and for the model */
	assert_int_equal(tabledoc_insert(d, 1, "  c REJECT", 10, NULL), 0);
	assert_int_equal(tabledoc_entry_count(d), 2);
	assert_string_equal(tabledoc_item(d, 0)->value, "OK  c REJECT");
	tabledoc_free(d);
}

static void
test_pattern_syntax(void **state)
{
	const char *src = "# rules\n/^a@/   REJECT x\nif !/b/\n/c d/i OK\nendif\n";
	struct tabledoc *d;

	(void)state;
	assert_int_equal(tabledoc_parse(&d, src, strlen(src), "t", TABLEDOC_PATTERN, NULL), 0);
	assert_int_equal(tabledoc_entry_count(d), 4);
	assert_string_equal(tabledoc_item(d, 1)->key, "/^a@/");
	assert_string_equal(tabledoc_item(d, 1)->value, "REJECT x");
	assert_int_equal(tabledoc_item(d, 1)->value_col, 9);
	assert_string_equal(tabledoc_item(d, 3)->key, "/c d/i");
	assert_string_equal(tabledoc_item(d, 3)->value, "OK");
	assert_string_equal(tabledoc_item(d, 4)->key, "endif");
	expect_text(d, src);
	assert_int_equal(tabledoc_syntax_for_type("pcre"), TABLEDOC_PATTERN);
	assert_int_equal(tabledoc_syntax_for_type("hash"), TABLEDOC_KV);
	tabledoc_free(d);
}

/* randomised round trip: random bytes from an alphabet rich in separators */
static void
test_random_round_trip(void **state)
{
	static const char alpha[] = "ab.@# \t\r\n\"\\\x00\xff" "OK";
	unsigned seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		char buf[200];
		size_t n, i, k, covered = 0;
		struct tabledoc *d;
		enum tabledoc_syntax syn = round % 2 ? TABLEDOC_PATTERN : TABLEDOC_KV;

		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % sizeof(buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		assert_int_equal(tabledoc_parse(&d, buf, n, "r", syn, NULL), 0);
		for (k = 0; k < tabledoc_count(d); k++) {
			const struct tabledoc_item *it = tabledoc_item(d, k);

			if (it->off != covered)
				fail_msg("round %d: gap or overlap at item %zu", round, k);
			covered += it->len;
		}
		if (covered != n)
			fail_msg("round %d: items cover %zu of %zu bytes", round, covered, n);
		/* an edit of one entry leaves the bytes before and after it alone */
		for (k = 0; k < tabledoc_count(d); k++)
			if (tabledoc_item(d, k)->kind == TABLEDOC_ENTRY)
				break;
		if (k < tabledoc_count(d)) {
			size_t off = tabledoc_item(d, k)->off, len = tabledoc_item(d, k)->len, tl;
			const char *t;

			assert_int_equal(tabledoc_replace(d, k, "q Z", 3, NULL), 0);
			t = tabledoc_text(d, &tl);
			if (memcmp(t, buf, off) != 0)
				fail_msg("round %d: bytes before the edit changed", round);
			if (tl < n - off - len
			    || memcmp(t + tl - (n - off - len), buf + off + len, n - off - len) != 0)
				fail_msg("round %d: bytes after the edit changed", round);
		}
		tabledoc_free(d);
	}
}

static char *
write_tmp(const char *dir, const char *name, const char *text)
{
	char *p;
	FILE *fp;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	static char buf[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = 0;
	fclose(fp);
	return buf;
}

static void
test_save_backup_conflict(void **state)
{
	char dir[] = "/tmp/test_tabledoc.XXXXXX";
	struct tabledoc *d, *other;
	struct map_error err;
	struct stat st;
	char *path, *bak;
	size_t idx;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_tmp(dir, "access", "# c\na OK\nb REJECT\n");
	chmod(path, 0640);
	assert_int_equal(tabledoc_load(&d, path, TABLEDOC_KV, NULL, &err), 0);
	assert_int_equal(tabledoc_changed_on_disk(d), 0);
	assert_int_equal(tabledoc_find(d, "b", 1, 0, 0, &idx), 1);
	assert_int_equal(tabledoc_set_value(d, idx, "DUNNO", 5, NULL), 0);
	assert_int_equal(tabledoc_save(d, 0, &err), 0);
	assert_false(tabledoc_dirty(d));
	assert_string_equal(slurp(path), "# c\na OK\nb DUNNO\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);   /* mode of the replaced file */
	assert_true(asprintf(&bak, "%s~", path) > 0);
	assert_string_equal(slurp(bak), "# c\na OK\nb REJECT\n");

	/* someone else changes the file: the next save refuses */
	assert_int_equal(tabledoc_load(&other, path, TABLEDOC_KV, NULL, &err), 0);
	assert_int_equal(tabledoc_insert(other, 0, "x OK", 4, NULL), 0);
	assert_int_equal(tabledoc_save(other, 0, &err), 0);
	tabledoc_free(other);
	assert_int_equal(tabledoc_changed_on_disk(d), 1);
	assert_int_equal(tabledoc_insert(d, 0, "y OK", 4, NULL), 0);
	assert_int_equal(tabledoc_save(d, 0, &err), 1);
	assert_string_equal(slurp(path), "x OK\n# c\na OK\nb DUNNO\n");
	/* forced */
	assert_int_equal(tabledoc_save(d, TABLEDOC_FORCE, &err), 0);
	assert_string_equal(slurp(path), "y OK\n# c\na OK\nb DUNNO\n");
	assert_int_equal(tabledoc_changed_on_disk(d), 0);

	/* a missing file cannot be loaded */
	assert_int_equal(tabledoc_load(&other, "/nonexistent/x", TABLEDOC_KV,
				       NULL, &err), -1);
	tabledoc_free(d);
	unlink(bak);
	unlink(path);
	rmdir(dir);
	free(bak);
	free(path);
}

/* a symlinked source is written through to the regular file behind it
 * (atomically, in its own directory; the link stays); a link to a FIFO or
 * device, and a FIFO itself, are refused without blocking, nothing written */
static void
test_save_symlink_and_special(void **state)
{
	char dir[] = "/tmp/test_tabledoc.XXXXXX";
	struct tabledoc *d;
	struct map_error err;
	struct stat st, before;
	char *real, *link_, *sub, *fifo, *lfifo, *bak;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&sub, "%s/managed", dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	real = write_tmp(sub, "senders", "a OK\n");
	assert_int_equal(stat(real, &before), 0);
	assert_true(asprintf(&link_, "%s/senders", dir) > 0);
	assert_int_equal(symlink(real, link_), 0);
	assert_int_equal(tabledoc_load(&d, link_, TABLEDOC_KV, NULL, &err), 0);
	assert_int_equal(tabledoc_insert(d, 1, "b REJECT", 8, NULL), 0);
	assert_int_equal(tabledoc_save(d, 0, &err), 0);
	assert_int_equal(lstat(link_, &st), 0);
	assert_true(S_ISLNK(st.st_mode));               /* the link stays a link */
	assert_string_equal(slurp(real), "a OK\nb REJECT\n");
	assert_int_equal(stat(real, &st), 0);
	assert_true(st.st_ino != before.st_ino);        /* replaced atomically (new inode) */
	assert_true(asprintf(&bak, "%s~", real) > 0);
	assert_string_equal(slurp(bak), "a OK\n");     /* backup next to the real file */
	assert_int_equal(tabledoc_changed_on_disk(d), 0);
	tabledoc_free(d);

	/* a link to a FIFO: refused, nothing blocks, nothing written */
	assert_true(asprintf(&fifo, "%s/fifo", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(tabledoc_load(&d, fifo, TABLEDOC_KV, NULL, &err), -1);
	assert_non_null(strstr(err.text, "is a FIFO, not a regular file"));
	assert_int_equal(tabledoc_load(&d, real, TABLEDOC_KV, NULL, &err), 0);
	assert_true(asprintf(&lfifo, "%s/lfifo", dir) > 0);
	assert_int_equal(symlink(fifo, lfifo), 0);
	assert_int_equal(tabledoc_save_as(d, lfifo, 0, &err), -1);
	assert_non_null(strstr(err.text, "which is a FIFO, not a regular file"));
	assert_int_equal(lstat(lfifo, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(tabledoc_save_as(d, fifo, 0, &err), -1);
	assert_non_null(strstr(err.text, "is a FIFO, not a regular file"));
	tabledoc_free(d);
	unlink(lfifo);
	unlink(fifo);
	unlink(bak);
	unlink(link_);
	unlink(real);
	rmdir(sub);
	rmdir(dir);
	free(lfifo);
	free(fifo);
	free(bak);
	free(link_);
	free(real);
	free(sub);
}

static void
test_format_entry(void **state)
{
	char *s = tabledoc_format_entry("k", 1, "REJECT x", 8);

	(void)state;
	assert_string_equal(s, "k\tREJECT x");
	free(s);
	assert_int_equal(tabledoc_hash("", 0), tabledoc_hash("", 0));
	assert_true(tabledoc_hash("a", 1) != tabledoc_hash("b", 1));
	/* 64-bit FNV-1a (util/hash.c): FNV's published test vectors */
	assert_true(tabledoc_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(tabledoc_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(tabledoc_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

/* same_items - DOC's items equal those of a full parse of its text */
static void
same_items(const struct tabledoc *doc)
{
	struct tabledoc *full;
	size_t len = tabledoc_length(doc), i;
	char *text = malloc(len + 1);

	/* a copy: tabledoc_text would close the gap the next edit moves */
	assert_non_null(text);
	tabledoc_copy_text(doc, text);
	assert_int_equal(tabledoc_parse(&full, text, len, tabledoc_path(doc),
					tabledoc_get_syntax(doc), NULL), 0);
	free(text);
	assert_int_equal(tabledoc_count(full), tabledoc_count(doc));
	assert_int_equal(tabledoc_entry_count(full), tabledoc_entry_count(doc));
	for (i = 0; i < tabledoc_count(doc); i++) {
		const struct tabledoc_item *a = tabledoc_item(doc, i), *b = tabledoc_item(full, i);

		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->off, b->off);
		assert_int_equal(a->len, b->len);
		assert_int_equal(a->line, b->line);
		assert_int_equal(a->nlines, b->nlines);
		assert_int_equal(a->klen, b->klen);
		assert_int_equal(a->vlen, b->vlen);
		{
			size_t la, lb;
			const char *ta = tabledoc_item_text(doc, i, &la), *tb = tabledoc_item_text(full, i, &lb);

			assert_int_equal(la, lb);
			assert_memory_equal(ta, tb, la);
		}
		if (a->kind == TABLEDOC_ENTRY) {
			assert_memory_equal(a->key, b->key, a->klen);
			assert_memory_equal(a->value, b->value, a->vlen);
			assert_int_equal(a->value_line, b->value_line);
			assert_int_equal(a->value_col, b->value_col);
		}
	}
	assert_int_equal(tabledoc_diags(doc)->n, tabledoc_diags(full)->n);
	for (i = 0; i < tabledoc_diags(doc)->n; i++) {
		const struct diag *x = &tabledoc_diags(doc)->v[i], *y = &tabledoc_diags(full)->v[i];

		assert_int_equal(x->line, y->line);
		assert_int_equal(x->col, y->col);
		assert_int_equal(x->code, y->code);
		assert_int_equal(x->severity, y->severity);
		assert_string_equal(x->message, y->message);
	}
	tabledoc_free(full);
}

/* same_lookups - line and key lookups answer as in a full parse */
static void
same_lookups(const struct tabledoc *doc)
{
	struct tabledoc *full;
	size_t len = tabledoc_length(doc), i, a, b;
	char *text = malloc(len + 1);
	unsigned line, last;

	assert_non_null(text);
	tabledoc_copy_text(doc, text);
	assert_int_equal(tabledoc_parse(&full, text, len, "f", tabledoc_get_syntax(doc), NULL), 0);
	free(text);
	last = tabledoc_count(doc) ? tabledoc_item(doc, tabledoc_count(doc) - 1)->line
		+ tabledoc_item(doc, tabledoc_count(doc) - 1)->nlines : 1;
	for (line = 0; line <= last + 1; line += 1 + (unsigned)rand() % 5) {
		int ra = tabledoc_find_line(doc, line, &a), rb = tabledoc_find_line(full, line, &b);

		assert_int_equal(ra, rb);
		if (ra == 1)
			assert_int_equal(a, b);
	}
	for (i = 0; i < 5 && tabledoc_count(doc); i++) {
		const struct tabledoc_item *it = tabledoc_item(doc, (size_t)rand() % tabledoc_count(doc));
		int ra, rb;

		if (it->kind != TABLEDOC_ENTRY)
			continue;
		ra = tabledoc_find(doc, it->key, it->klen, 0, 0, &a);
		rb = tabledoc_find(full, it->key, it->klen, 0, 0, &b);
		assert_int_equal(ra, 1);
		assert_int_equal(rb, 1);
		assert_int_equal(a, b);
	}
	tabledoc_free(full);
}

/* big documents are re-read incrementally after an edit (only the lines
 * around it): after random replaces, inserts and deletes of entries,
 * comments, blank, indented (continuation) and skipped lines, the items are
 * exactly those of a full parse, for both syntaxes */
static void
test_incremental_edits(void **state)
{
	static const char *const lines[] = {
		"k%u REJECT %u", "# comment %u", "", "  continued %u", "lonely%u",
		"k%u OK\n  more %u", "# c\n  joined %u", "/^x%u/ REJECT %u", "k%u\tv%u\r",
	};
	int syn;

	(void)state;
	srand(7);
	for (syn = 0; syn < 2; syn++) {
		struct tabledoc *doc;
		struct strbuf sb;
		unsigned i, step;
		char line[128];

		strbuf_init(&sb);
		for (i = 0; i < 300; i++)
			strbuf_addf(&sb, i % 17 == 5 ? "  cont %u\n" : i % 13 == 0 ? "# c %u\n" :
				    syn ? "/^u%u@/ REJECT\n" : "u%u@example.com REJECT\n", i);
		assert_int_equal(tabledoc_parse(&doc, sb.buf, sb.len, "big",
						syn ? TABLEDOC_PATTERN : TABLEDOC_KV, NULL), 0);
		for (step = 0; step < 400; step++) {
			size_t n = tabledoc_count(doc), at = (size_t)rand() % (n + 1), idx = 0;
			unsigned which = (unsigned)rand() % (sizeof(lines) / sizeof(lines[0]));
			int op = rand() % 3;

			snprintf(line, sizeof(line), lines[which], step, step);
			if (op == 0 && at < n)
				assert_int_equal(tabledoc_replace(doc, at, line, strlen(line), &idx), 0);
			else if (op == 1 && at < n && n > 100)
				assert_int_equal(tabledoc_delete(doc, at), 0);
			else
				assert_int_equal(tabledoc_insert(doc, at, line, strlen(line), &idx), 0);
			same_items(doc);
		}
		tabledoc_free(doc);
		strbuf_fini(&sb);
	}
}

/* snapshot - each item's bytes and line, to compare after an edit */
struct snap {
	char **text;
	size_t *len;
	unsigned *line;
	size_t n;
};

static void
snap_take(const struct tabledoc *doc, struct snap *sn)
{
	size_t i;

	sn->n = tabledoc_count(doc);
	sn->text = calloc(sn->n + 1, sizeof(*sn->text));
	sn->len = calloc(sn->n + 1, sizeof(*sn->len));
	sn->line = calloc(sn->n + 1, sizeof(*sn->line));
	assert_non_null(sn->text);
	assert_non_null(sn->len);
	assert_non_null(sn->line);
	for (i = 0; i < sn->n; i++) {
		const char *t = tabledoc_item_text(doc, i, &sn->len[i]);

		sn->text[i] = malloc(sn->len[i] + 1);
		assert_non_null(sn->text[i]);
		memcpy(sn->text[i], t, sn->len[i]);
		sn->line[i] = tabledoc_item(doc, i)->line;
	}
}

/* snap_check - the items outside tabledoc_last_edit's range are the ones
 * before the edit (those after it moved by the range's size change) */
static void
snap_check(const struct tabledoc *doc, struct snap *sn)
{
	size_t first, old, nw, i;
	long long dl = 0;

	tabledoc_last_edit(doc, &first, &old, &nw);
	assert_true(first + old <= sn->n);
	assert_int_equal(tabledoc_count(doc), sn->n - old + nw);
	for (i = 0; i < sn->n; i++) {
		size_t j, len;
		const char *t;

		if (i >= first && i < first + old)
			continue;
		j = i < first ? i : i - old + nw;
		t = tabledoc_item_text(doc, j, &len);
		assert_int_equal(len, sn->len[i]);
		assert_memory_equal(t, sn->text[i], len);
		if (i < first)
			assert_int_equal(tabledoc_item(doc, j)->line, sn->line[i]);
		else if (i == first + old)
			dl = (long long)tabledoc_item(doc, j)->line - sn->line[i];
		else
			assert_int_equal((long long)tabledoc_item(doc, j)->line - sn->line[i], dl);
	}
	for (i = 0; i < sn->n; i++)
		free(sn->text[i]);
	free(sn->text);
	free(sn->len);
	free(sn->line);
}

/* the chunked item storage (offsets and lines applied lazily per chunk):
 * with chunks of 2, 3, 8 and the default 1024 items, random replaces,
 * inserts (several lines at once too), deletes and value changes give
 * exactly the items, lines, diagnostics and lookups of a fresh parse of the
 * text after every step, and the text is the one edited alongside as a
 * plain string */
static void
test_chunked_storage(void **state)
{
	static const char *const lines[] = {
		"k%u REJECT %u", "# comment %u", "", "  continued %u", "lonely%u",
		"k%u OK\n  more %u", "# c\n  joined %u", "/^x%u/ REJECT %u", "k%u\tv%u\r",
		"a%u OK\nb%u REJECT\n\nc OK", "\"q%u REJECT",
	};
	static const size_t sizes[] = { 2, 3, 8, 0 };
	size_t si;
	int syn;

	(void)state;
	srand(11);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		tabledoc_debug_chunk(sizes[si]);
		for (syn = 0; syn < 2; syn++) {
			struct tabledoc *doc;
			struct strbuf sb, mirror;
			unsigned i, step;
			char line[128];

			strbuf_init(&sb);
			for (i = 0; i < 200; i++)
				strbuf_addf(&sb, i % 17 == 5 ? "  cont %u\n" : i % 13 == 0 ? "# c %u\n" :
					    syn ? "/^u%u@/ REJECT\n" : "u%u@example.com REJECT\n", i);
			assert_int_equal(tabledoc_parse(&doc, sb.buf, sb.len, "big",
							syn ? TABLEDOC_PATTERN : TABLEDOC_KV, NULL), 0);
			for (step = 0; step < 300; step++) {
				size_t n = tabledoc_count(doc), at = (size_t)rand() % (n + 1), idx = 0;
				size_t len, off = 0, ilen = 0;
				unsigned which = (unsigned)rand() % (sizeof(lines) / sizeof(lines[0]));
				int op = rand() % 4;
				const char *t;
				struct snap sn;

				snprintf(line, sizeof(line), lines[which], step, step);
				snap_take(doc, &sn);
				/* the expected text: the same splice on a plain copy
				 * (copied: tabledoc_text would close the gap) */
				len = tabledoc_length(doc);
				strbuf_init(&mirror);
				assert_int_equal(strbuf_reserve(&mirror, len), 0);
				tabledoc_copy_text(doc, mirror.buf);
				mirror.len = len;
				mirror.buf[len] = '\0';
				t = mirror.buf;
				if (at < n) {
					off = tabledoc_item(doc, at)->off;
					ilen = tabledoc_item(doc, at)->len;
				}
				if (op == 0 && at < n) {
					bool eol = t[off + ilen - 1] == '\n';

					assert_int_equal(tabledoc_replace(doc, at, line, strlen(line), &idx), 0);
					strbuf_reset(&sb);
					strbuf_add(&sb, mirror.buf, off);
					strbuf_addstr(&sb, line);
					if (eol)
						strbuf_addch(&sb, '\n');
					strbuf_add(&sb, mirror.buf + off + ilen, len - off - ilen);
				} else if (op == 1 && at < n && n > 150) {
					assert_int_equal(tabledoc_delete(doc, at), 0);
					strbuf_reset(&sb);
					strbuf_add(&sb, mirror.buf, off);
					strbuf_add(&sb, mirror.buf + off + ilen, len - off - ilen);
				} else if (op == 2 && at < n && tabledoc_item(doc, at)->kind == TABLEDOC_ENTRY
					   && tabledoc_item(doc, at)->nlines == 1 && !strchr(line, '\n')) {
					/* keeps the key and its separator (checked by a full parse) */
					assert_int_equal(tabledoc_set_value(doc, at, "OK", 2, &idx), 0);
					strbuf_reset(&sb);
					len = tabledoc_length(doc);
					assert_int_equal(strbuf_reserve(&sb, len), 0);
					tabledoc_copy_text(doc, sb.buf);
					sb.len = len;
				} else {
					if (at == n && len && mirror.buf[len - 1] != '\n')
						strbuf_addch(&mirror, '\n'), len++;
					off = at < n ? off : len;
					assert_int_equal(tabledoc_insert(doc, at, line, strlen(line), &idx), 0);
					strbuf_reset(&sb);
					strbuf_add(&sb, mirror.buf, off);
					strbuf_addstr(&sb, line);
					strbuf_addch(&sb, '\n');
					strbuf_add(&sb, mirror.buf + off, len - off);
				}
				strbuf_fini(&mirror);
				snap_check(doc, &sn);
				if (step % 50 == 49) {
					/* now and then the whole text: the gap closes */
					t = tabledoc_text(doc, &len);
					assert_int_equal(t[len], '\0');
				} else {
					len = tabledoc_length(doc);
					strbuf_init(&mirror);
					assert_int_equal(strbuf_reserve(&mirror, len), 0);
					tabledoc_copy_text(doc, mirror.buf);
					t = mirror.buf;
				}
				assert_int_equal(len, sb.len);
				assert_memory_equal(t, sb.buf, len);
				if (step % 50 != 49)
					strbuf_fini(&mirror);
				same_items(doc);
				if (step % 10 == 0)
					same_lookups(doc);
			}
			tabledoc_free(doc);
			strbuf_fini(&sb);
		}
	}
	tabledoc_debug_chunk(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_odd),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_edits_touch_only_their_lines),
		cmocka_unit_test(test_insert_indented_joins),
		cmocka_unit_test(test_pattern_syntax),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_save_backup_conflict),
		cmocka_unit_test(test_save_symlink_and_special),
		cmocka_unit_test(test_format_entry),
		cmocka_unit_test(test_incremental_edits),
		cmocka_unit_test(test_chunked_storage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
