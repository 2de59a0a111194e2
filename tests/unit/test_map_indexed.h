/* tests/unit/test_map_indexed.h - the tests every indexed backend must
 * pass; included by test_map_cdb.c and test_map_hash.c with TYPE defined. */

struct kv { const char *k, *v; };

static const struct kv entries[] = {
	{ "foo.example", "OK" },
	{ "\"john doe\"@example.net", "REJECT quoted local part" },
	{ "<>", "DUNNO" },
	{ "café.example", "REJECT non-ascii" },
	{ "strasse.example", "REJECT folded" },
	{ "192.0.2", "REJECT net" },
	{ "k", "v1  v2" },
};

static struct map_builder *
build_entries(const char *name, int *dups)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_error err;
	struct map_builder *b;
	size_t i;

	b = ops->build_begin(ops, tl_path(name), &err);
	if (b == NULL)
		fail_msg("build_begin: %s", err.text);
	*dups = 0;
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		assert_int_equal(map_build_put(ops, b, entries[i].k, strlen(entries[i].k), entries[i].v,
					       strlen(entries[i].v), true, &err), 0);
	/* upper case and already present after folding: the first wins */
	*dups += map_build_put(ops, b, "FOO.Example", 11, "REJECT second", 13, true, &err);
	*dups += map_build_put(ops, b, "CAFÉ.EXAMPLE", strlen("CAFÉ.EXAMPLE"), "x", 1, true, &err);
	return b;
}

static void
expect(struct map *m, const char *key, const char *want)
{
	struct map_error err;
	struct map_hit hit;
	int r = map_lookup(m, key, strlen(key), &hit, &err);

	if (want == NULL) {
		if (r != 0)
			fail_msg("lookup %s: got %d, want not found (%s)", key, r, err.text);
		return;
	}
	if (r != 1)
		fail_msg("lookup %s: got %d, want \"%s\" (%s)", key, r, want, r < 0 ? err.text : "");
	if (hit.vlen != strlen(want) || memcmp(hit.val, want, hit.vlen) != 0)
		fail_msg("lookup %s: got \"%.*s\", want \"%s\"", key, (int)hit.vlen, hit.val, want);
	assert_int_equal(hit.val[hit.vlen], 0);
}

static void
expect_all(struct map *m)
{
	expect(m, "foo.example", "OK");
	expect(m, "FOO.EXAMPLE", "OK");
	expect(m, "\"John Doe\"@Example.NET", "REJECT quoted local part");
	expect(m, "<>", "DUNNO");
	expect(m, "CAFÉ.Example", "REJECT non-ascii");
	expect(m, "STRAßE.EXAMPLE", "REJECT folded");
	expect(m, "192.0.2", "REJECT net");
	expect(m, "k", "v1  v2");
	expect(m, "absent.example", NULL);
	expect(m, "", NULL);
}

static void
test_build_and_read(void **state)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_error err;
	struct map_builder *b;
	struct map *m;
	struct stat st;
	int dups;

	(void)state;
	tl_write("t1", "# source\n", 0640);
	b = build_entries("t1", &dups);
	assert_int_equal(dups, 2);
	assert_int_equal(ops->build_commit(b, &err), 0);
	assert_int_equal(tl_count_temps(), 0);
	/* mode as postmap derives it from the source: 0644 minus missing o+r */
	assert_int_equal(stat(tl_path("t1" SUFFIX), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	m = map_open(TYPE, tl_path("t1"), NULL, 0, 0, &err);
	if (m == NULL)
		fail_msg("open: %s", err.text);
	expect_all(m);
	map_close(m);
	/* NOFOLD: the key is looked up as given */
	m = map_open(TYPE, tl_path("t1"), NULL, 0, MAP_OPEN_NOFOLD, &err);
	assert_non_null(m);
	expect(m, "FOO.EXAMPLE", NULL);
	expect(m, "foo.example", "OK");
	map_close(m);
}

/* the real postmap reads what we built */
static void
test_postmap_reads_ours(void **state)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_error err;
	struct map_builder *b;
	const char *v;
	int dups;

	(void)state;
	tl_write("t2", "", 0644);
	b = build_entries("t2", &dups);
	assert_int_equal(ops->build_commit(b, &err), 0);
	v = tl_postmap_q(TYPE, "t2", "FOO.example");
	assert_non_null(v);
	assert_string_equal(v, "OK");
	v = tl_postmap_q(TYPE, "t2", "CAFÉ.EXAMPLE");
	assert_non_null(v);
	assert_string_equal(v, "REJECT non-ascii");
	v = tl_postmap_q(TYPE, "t2", "straße.example");
	assert_non_null(v);
	assert_string_equal(v, "REJECT folded");
	v = tl_postmap_q(TYPE, "t2", "\"john doe\"@example.net");
	assert_non_null(v);
	assert_string_equal(v, "REJECT quoted local part");
	assert_null(tl_postmap_q(TYPE, "t2", "absent.example"));
}

/* we read what the real postmap built, with and without -N (NUL-terminated records) */
static void
test_we_read_postmaps(void **state)
{
	const char *src =
		"foo.example OK\n"
		"\"John Doe\"@Example.NET REJECT quoted local part\n"
		"<> DUNNO\n"
		"CAFÉ.Example REJECT non-ascii\n"
		"STRAßE.example REJECT folded\n"
		"192.0.2 REJECT net\n"
		"k v1\n"
		"# comment between\n"
		"  v2\n"
		"Foo.Example REJECT second\n";
	const char *flags[] = { "", "-N", "-n" };
	struct map_error err;
	struct map *m;
	size_t i;
	char args[600];

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		tl_write("t3", src, 0644);
		snprintf(args, sizeof(args), "%s %s:'%s'", flags[i], TYPE, tl_path("t3"));
		assert_int_equal(tl_postmap(args), 0);
		m = map_open(TYPE, tl_path("t3"), NULL, 0, 0, &err);
		if (m == NULL)
			fail_msg("open postmap %s file: %s", flags[i], err.text);
		expect_all(m);
		map_close(m);
	}
}

static void
test_abort_leaves_target(void **state)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_error err;
	struct map_builder *b;
	struct map *m;
	int dups;

	(void)state;
	tl_write("t4", "", 0644);
	b = build_entries("t4", &dups);
	assert_int_equal(ops->build_commit(b, &err), 0);
	b = ops->build_begin(ops, tl_path("t4"), &err);
	assert_non_null(b);
	assert_int_equal(tl_count_temps(), 1);
	assert_int_equal(map_build_put(ops, b, "new.example", 11, "OK", 2, true, &err), 0);
	ops->build_abort(b);
	assert_int_equal(tl_count_temps(), 0);
	m = map_open(TYPE, tl_path("t4"), NULL, 0, 0, &err);
	assert_non_null(m);
	expect_all(m);
	expect(m, "new.example", NULL);
	map_close(m);
}

static void
test_open_missing(void **state)
{
	struct map_error err;

	(void)state;
	assert_null(map_open(TYPE, tl_path("nonexistent"), NULL, 0, 0, &err));
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.text, "nonexistent" SUFFIX));
}

/* an empty table builds and answers "not found" */
static void
test_empty_table(void **state)
{
	const struct map_ops *ops = map_find_type(TYPE);
	struct map_error err;
	struct map_builder *b;
	struct map *m;

	(void)state;
	tl_write("t5", "", 0644);
	b = ops->build_begin(ops, tl_path("t5"), &err);
	assert_non_null(b);
	assert_int_equal(ops->build_commit(b, &err), 0);
	m = map_open(TYPE, tl_path("t5"), NULL, 0, 0, &err);
	assert_non_null(m);
	expect(m, "x", NULL);
	map_close(m);
	assert_null(tl_postmap_q(TYPE, "t5", "x"));
}

#define INDEXED_TESTS \
	cmocka_unit_test(test_build_and_read), \
	cmocka_unit_test(test_postmap_reads_ours), \
	cmocka_unit_test(test_we_read_postmaps), \
	cmocka_unit_test(test_abort_leaves_target), \
	cmocka_unit_test(test_open_missing), \
	cmocka_unit_test(test_empty_table)
