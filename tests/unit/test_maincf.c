/* tests/unit/test_maincf.c - main.cf model: syntax, continuation lines,
 * expansion with defaults, lists, references, classes, positions. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/maincf.h"
#include "util/strbuf.h"

static struct maincf *
parse(const char *text, struct diag_list *dl)
{
	struct maincf *cf;

	assert_int_equal(maincf_parse(&cf, text, strlen(text), "main.cf", "/etc/pfc", dl), 0);
	assert_non_null(cf);
	return cf;
}

static bool
has_code(const struct diag_list *dl, enum diag_code code, unsigned line)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		if (dl->v[i].code == code && (line == 0 || dl->v[i].line == line))
			return true;
	return false;
}

static void
test_empty(void **state)
{
	struct diag_list dl;
	struct maincf *cf;
	enum maincf_source src;

	(void)state;
	diag_list_init(&dl);
	cf = parse("", &dl);
	assert_int_equal(maincf_param_count(cf), 0);
	assert_int_equal(dl.n, 0);
	assert_string_equal(maincf_get(cf, "nonexistent_param", &src), "");
	assert_int_equal(src, MAINCF_UNSET);
	/* level 0 defaults */
	assert_string_equal(maincf_get(cf, "smtpd_relay_restrictions", &src), "");
	assert_int_equal(src, MAINCF_DEFAULT);
	assert_string_equal(maincf_get(cf, "smtputf8_enable", NULL), "no");
	assert_string_equal(maincf_get(cf, "relay_domains", NULL),
			    "localhost.localdomain, localhost.localdomain, localhost");
	maincf_free(cf);
	diag_list_fini(&dl);
}

static void
test_syntax_and_positions(void **state)
{
	const char *src =
		"# comment\n"
		"a = 1\n"
		"b=two words  \n"
		"c = first\n"
		"# a comment does not end it\n"
		"\tsecond\n"
		"no equals here\n"
		"a = 3\n";
	struct diag_list dl;
	struct maincf *cf;
	const struct maincf_param *p;

	(void)state;
	diag_list_init(&dl);
	cf = parse(src, &dl);
	assert_int_equal(maincf_param_count(cf), 4);
	p = maincf_find(cf, "a");
	assert_string_equal(p->value, "3");
	assert_int_equal(p->line, 8);
	assert_true(maincf_param_at(cf, 0)->overridden);
	p = maincf_find(cf, "b");
	assert_string_equal(p->value, "two words");
	assert_int_equal(p->value_col, 3);
	p = maincf_find(cf, "c");
	assert_string_equal(p->value, "first\tsecond");
	assert_int_equal(p->nlines, 3);
	assert_true(has_code(&dl, DIAG_MAINCF_SYNTAX, 7));
	assert_true(has_code(&dl, DIAG_DUPLICATE_PARAMETER, 8));
	maincf_free(cf);
	diag_list_fini(&dl);
}

static const struct {
	const char *text;
	const char *want;
} expansions[] = {
	{ "$x", "X" },
	{ "${x}", "X" },
	{ "$(x)", "X" },
	{ "a$x.b", "aX.b" },
	{ "$$x", "$x" },
	{ "${x?yes}", "yes" },
	{ "${empty?yes}", "" },
	{ "${x:no}", "" },
	{ "${empty:no}", "no" },
	{ "${x?{a, b}}", "a, b" },
	{ "${x?{T}:{F}}", "T" },
	{ "${empty?{T}:{F}}", "F" },
	{ "${{$lvl} <level {3.6} ? {old} : {new}}", "new" },
	{ "${{$lvl} <level {3.10} ? {old} : {new}}", "old" },
	{ "${{a} == {a} ? {eq} : {ne}}", "eq" },
	{ "${{10} > {9} ? {num} : {str}}", "num" },
	{ "$undefined_name.", "." },
	{ "$nested", "X-X" },
};

static void
test_expand(void **state)
{
	struct maincf *cf = parse("x = X\nempty =\nlvl = 3.7\nnested = $x-${x}\n", NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(expansions) / sizeof(expansions[0]); i++) {
		char *out;

		assert_int_equal(maincf_expand(cf, expansions[i].text, &out), 0);
		if (strcmp(out, expansions[i].want) != 0)
			fail_msg("expand \"%s\": got \"%s\", want \"%s\"", expansions[i].text, out,
				 expansions[i].want);
		free(out);
	}
	maincf_free(cf);
}

/* config_directory is the directory main.cf was read from (postfix -c),
 * so hash:$config_directory/x names a table beside this main.cf */
static void
test_config_directory(void **state)
{
	struct maincf *cf = parse("a = hash:$config_directory/access\n", NULL);
	struct maincf *cf2 = parse("config_directory = /srv/pf\nb = ${config_directory}/t\n", NULL);

	(void)state;
	assert_string_equal(maincf_get(cf, "a", NULL), "hash:/etc/pfc/access");
	assert_string_equal(maincf_get(cf, "config_directory", NULL), "/etc/pfc");
	assert_string_equal(maincf_get(cf2, "b", NULL), "/srv/pf/t");
	maincf_free(cf);
	maincf_free(cf2);
}

static void
test_compat_defaults(void **state)
{
	struct maincf *cf = parse("compatibility_level = 3.6\n", NULL);

	(void)state;
	assert_string_equal(maincf_get(cf, "smtpd_relay_restrictions", NULL),
			    "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination");
	assert_string_equal(maincf_get(cf, "smtputf8_enable", NULL), "yes");
	assert_string_equal(maincf_get(cf, "relay_domains", NULL), "");
	assert_true(maincf_get_bool(cf, "smtpd_relay_before_recipient_restrictions", false));
	assert_true(maincf_in_list(cf, "parent_domain_matches_subdomains", "smtpd_access_maps"));
	assert_false(maincf_in_list(cf, "parent_domain_matches_subdomains", "transport_maps"));
	assert_string_equal(maincf_default("access_map_reject_code"), "554");
	assert_null(maincf_default("no_such_parameter"));
	maincf_free(cf);
}

static void
test_split(void **state)
{
	struct maincf_list l;

	(void)state;
	maincf_list_init(&l);
	assert_int_equal(maincf_split("a, b\tc,,d  { x = y , z }  inline:{k=v, k2=v2} e", &l), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0].text, "a");
	assert_string_equal(l.v[3].text, "d");
	assert_string_equal(l.v[4].text, "x = y , z");
	assert_true(l.v[4].braced);
	assert_string_equal(l.v[5].text, "inline:{k=v, k2=v2}");
	assert_string_equal(l.v[6].text, "e");
	maincf_list_fini(&l);
	assert_int_equal(maincf_split("", &l), 0);
	assert_int_equal(l.n, 0);
	maincf_list_fini(&l);
}

static void
test_inline_refs(void **state)
{
	struct maincf *cf = parse("header_checks = pcre:{ {/a/ REJECT}, {/b/ OK} }\n"
				  "smtpd_client_restrictions = inline:{ k=v }\n", NULL);
	const struct maincf_ref *r;

	(void)state;
	assert_int_equal(maincf_ref_count(cf), 2);
	r = maincf_ref_at(cf, 0);
	assert_true(r->inline_body);
	assert_string_equal(r->type, "pcre");
	assert_string_equal(r->name, " {/a/ REJECT}, {/b/ OK} ");
	r = maincf_ref_at(cf, 1);
	assert_true(r->inline_body);
	assert_string_equal(r->type, "inline");
	assert_string_equal(r->name, " k=v ");
	maincf_free(cf);
}

static void
test_inline(void **state)
{
	struct maincf_list k, v;
	struct diag_list dl;

	(void)state;
	maincf_list_init(&k);
	maincf_list_init(&v);
	diag_list_init(&dl);
	assert_int_equal(maincf_inline_split("a=1, {b = some text}", &k, &v, "main.cf", 1, 1, &dl), 0);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.v[1].text, "b");
	assert_string_equal(v.v[1].text, "some text");
	assert_int_equal(dl.n, 0);
	assert_int_equal(maincf_inline_split("a = 1", &k, &v, "main.cf", 1, 1, &dl), 0);
	assert_true(has_code(&dl, DIAG_BAD_REFERENCE, 0));
	maincf_list_fini(&k);
	maincf_list_fini(&v);
	diag_list_fini(&dl);
}

static void
test_refs_and_classes(void **state)
{
	const char *src =
		"smtpd_restriction_classes = good_senders_only, unused, Missing\n"
		"good_senders_only = check_sender_access hash:/etc/pfc/restricted, permit\n"
		"unused = reject\n"
		"smtpd_recipient_restrictions = permit_mynetworks,\n"
		"    check_recipient_access cdb:/etc/pfc/protected,\n"
		"    good_senders_only, reject_unauth_destination, $extra\n"
		"extra = hash:/etc/pfc/bare\n"
		"transport_maps = proxy:hash:/etc/pfc/transport\n"
		"header_checks = pcre:/etc/pfc/header_checks\n"
		"mynetworks = 127.0.0.0/8 [::1]/128\n"
		"relay_domains = example.com, hash:/etc/pfc/relay\n";
	struct diag_list dl;
	struct maincf *cf;
	const struct maincf_ref *r;
	const struct maincf_restriction *rs;
	size_t n;

	(void)state;
	diag_list_init(&dl);
	cf = parse(src, &dl);
	assert_int_equal(maincf_ref_count(cf), 6);
	r = maincf_ref_at(cf, 0);
	assert_string_equal(r->type, "hash");
	assert_string_equal(r->name, "/etc/pfc/restricted");
	assert_string_equal(r->param, "good_senders_only");
	assert_true(r->in_class);
	assert_string_equal(r->restriction, "check_sender_access");
	assert_int_equal(r->role, MAINCF_ROLE_SENDER);
	assert_int_equal(r->line, 2);
	assert_int_equal(r->col, 41);
	r = maincf_ref_at(cf, 1);
	assert_string_equal(r->type, "cdb");
	assert_int_equal(r->role, MAINCF_ROLE_RECIPIENT);
	assert_int_equal(r->line, 5);
	assert_int_equal(r->col, 28);
	r = maincf_ref_at(cf, 2);               /* via $extra: located at the $extra */
	assert_string_equal(r->name, "/etc/pfc/bare");
	assert_null(r->restriction);
	assert_int_equal(r->role, MAINCF_ROLE_RECIPIENT);
	assert_int_equal(r->line, 6);
	r = maincf_ref_at(cf, 3);
	assert_true(r->proxy);
	assert_string_equal(r->type, "hash");
	assert_int_equal(r->role, MAINCF_ROLE_TRANSPORT);
	assert_int_equal(maincf_ref_at(cf, 4)->role, MAINCF_ROLE_HEADER_CHECKS);
	assert_int_equal(maincf_ref_at(cf, 5)->role, MAINCF_ROLE_LIST);
	assert_false(maincf_ref_at(cf, 5)->inline_body);

	assert_int_equal(maincf_class_count(cf), 3);
	assert_non_null(maincf_find_class(cf, "good_senders_only")->def);
	assert_int_equal(maincf_find_class(cf, "good_senders_only")->nuses, 1);
	assert_int_equal(maincf_find_class(cf, "unused")->nuses, 0);
	assert_null(maincf_find_class(cf, "Missing")->def);
	assert_null(maincf_find_class(cf, "missing"));
	assert_true(has_code(&dl, DIAG_UNDEFINED_CLASS, 1));

	rs = maincf_restrictions(cf, "smtpd_recipient_restrictions", &n);
	assert_int_equal(n, 5);
	assert_string_equal(rs[1].name, "check_recipient_access");
	assert_string_equal(rs[1].arg, "cdb:/etc/pfc/protected");
	assert_int_equal(rs[1].arg_line, 5);
	assert_string_equal(rs[4].name, "hash:/etc/pfc/bare");
	assert_ptr_equal(rs[4].arg, rs[4].name);
	maincf_free(cf);
	diag_list_fini(&dl);
}

static void
test_restriction_names(void **state)
{
	(void)state;
	assert_true(maincf_is_builtin_restriction("permit_mynetworks"));
	assert_true(maincf_is_builtin_restriction("REJECT_UNAUTH_DESTINATION"));
	assert_true(maincf_is_builtin_restriction("check_reverse_client_hostname_access"));
	assert_false(maincf_is_builtin_restriction("good_senders_only"));
	assert_true(maincf_restriction_takes_arg("check_sender_access"));
	assert_false(maincf_restriction_takes_arg("permit"));
	assert_int_equal(maincf_restriction_role("check_helo_access", NULL), MAINCF_ROLE_HELO);
	assert_int_equal(maincf_restriction_role("check_client_access", NULL), MAINCF_ROLE_CLIENT);
	assert_int_equal(maincf_restriction_role(NULL, "smtpd_sender_restrictions"),
			 MAINCF_ROLE_SENDER);
	assert_true(maincf_is_file_type("cdb"));
	assert_false(maincf_is_file_type("inline"));
	assert_true(maincf_is_map_type("inline"));
	assert_false(maincf_is_map_type("smtp"));
	assert_true(maincf_is_pattern_type("pcre"));
	assert_string_equal(maincf_role_name(MAINCF_ROLE_TRANSPORT), "transport");
}

static void
test_problems(void **state)
{
	const char *src =
		"  indented first\n"
		"smtpd_sender_restrictions = check_sender_access, bogus_restriction\n"
		"mynetworks_stlye = host\n"
		"x = $never_defined\n"
		"smtpd_client_restrictions = nosuchtype:/x, hash:relative\n"
		"smtpd_helo_restrictions = reject_invalid_helo_hostnam\n";
	struct diag_list dl;
	struct maincf *cf;

	(void)state;
	diag_list_init(&dl);
	cf = parse(src, &dl);
	assert_true(has_code(&dl, DIAG_MAINCF_SYNTAX, 1));
	assert_true(has_code(&dl, DIAG_UNKNOWN_PARAMETER, 3));
	assert_true(has_code(&dl, DIAG_UNDEFINED_PARAMETER, 4));
	assert_true(has_code(&dl, DIAG_BAD_REFERENCE, 2));     /* check_sender_access bogus_... */
	assert_true(has_code(&dl, DIAG_BAD_REFERENCE, 5));
	assert_true(has_code(&dl, DIAG_UNKNOWN_RESTRICTION, 6));
	maincf_free(cf);
	diag_list_fini(&dl);
}

/* an indented logical line is one line for Postfix (readllines), its
 * continuations included: one finding, and nothing of it is a parameter
 * (postconf: one "logical line must not start with whitespace" for
 * "  first = 1  cont = 2") */
static void
test_indented_logical_line(void **state)
{
	const char *src = "  first = 1\n  cont = 2\n# c\nmydomain = example.com\n  more = 3\n";
	struct diag_list dl;
	struct maincf *cf;
	size_t i, n = 0;

	(void)state;
	diag_list_init(&dl);
	cf = parse(src, &dl);
	for (i = 0; i < dl.n; i++)
		if (dl.v[i].code == DIAG_MAINCF_SYNTAX)
			n++;
	assert_int_equal(n, 1);
	assert_true(has_code(&dl, DIAG_MAINCF_SYNTAX, 1));
	assert_null(maincf_find(cf, "first"));
	assert_null(maincf_find(cf, "cont"));
	/* after a logical line, indented lines continue it */
	assert_string_equal(maincf_find(cf, "mydomain")->value, "example.com  more = 3");
	maincf_free(cf);
	diag_list_fini(&dl);
}

/* master.cf -o overrides: their tables, located in master.cf */
static void
test_master_overrides(void **state)
{
	char dir[] = "/tmp/test_maincf_m.XXXXXX";
	char path[256];
	struct maincf *cf;
	struct diag_list dl;
	const struct maincf_ref *r;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("mua_checks = check_client_access cdb:/etc/pfc/mua, permit\n"
	      "smtpd_restriction_classes = only_in_master\nonly_in_master = permit\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("# comment\n"
	      "submission inet n - y - - smtpd\n"
	      "  -o smtpd_client_restrictions=$mua_checks\n"
	      "  -o { smtpd_sender_restrictions = check_sender_access hash:/etc/pfc/s, reject }\n"
	      "  -o syslog_name=postfix/submission\n"
	      "  -o smtpd_recipient_restrictions=only_in_master,rejct\n"
	      "relay unix - - y - - smtp -o smtp_header_checks=regexp:/etc/pfc/hc\n", fp);
	fclose(fp);
	diag_list_init(&dl);
	assert_int_equal(maincf_load(&cf, dir, &dl), 0);
	/* mua_checks is used from master.cf: no unknown-parameter; the typo is found */
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, DIAG_UNKNOWN_RESTRICTION);
	assert_int_equal(dl.v[0].line, 6);
	assert_non_null(strstr(dl.v[0].file, "master.cf"));
	assert_int_equal(maincf_ref_count(cf), 3);
	r = maincf_ref_at(cf, 0);
	assert_string_equal(r->name, "/etc/pfc/mua");
	assert_int_equal(r->role, MAINCF_ROLE_CLIENT);
	assert_string_equal(r->service, "submission/inet");
	/* "-o ...=$mua_checks": the table where main.cf writes it */
	assert_int_equal(r->line, 1);
	assert_int_equal(r->col, 34);
	assert_non_null(strstr(r->file, "/main.cf"));
	r = maincf_ref_at(cf, 1);
	assert_string_equal(r->name, "/etc/pfc/s");
	assert_string_equal(r->restriction, "check_sender_access");
	assert_int_equal(r->role, MAINCF_ROLE_SENDER);
	assert_int_equal(r->line, 4);
	r = maincf_ref_at(cf, 2);
	assert_string_equal(r->type, "regexp");
	assert_int_equal(r->role, MAINCF_ROLE_HEADER_CHECKS);
	assert_string_equal(r->service, "relay/unix");
	assert_int_equal(r->line, 7);
	assert_int_equal(maincf_find_class(cf, "only_in_master")->nuses, 1);
	assert_int_equal(maincf_find_class(cf, "only_in_master")->use_line, 6);
	assert_int_equal(maincf_master_service(cf, "relay"), 1);
	assert_int_equal(maincf_master_service(cf, "lmtp"), 0);
	maincf_free(cf);
	diag_list_fini(&dl);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* plugin table types: available only when dynamicmaps.cf names an existing .so */
static void
test_type_available(void **state)
{
	char dir[] = "/tmp/test_maincf_t.XXXXXX";
	char text[1024], path[300];
	struct maincf *cf;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dynamicmaps.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "# comment\ncdb\tpostfix-cdb.so\tdict_cdb_open\n"
		"mysql\tpostfix-mysql.so\tdict_mysql_open\n"
		"pcre\t%s/abs.so\tdict_pcre_open\n", dir);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/postfix-cdb.so", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/abs.so", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(text, sizeof(text), "meta_directory = %s\nshlib_directory = %s\n", dir, dir);
	cf = parse(text, NULL);
	assert_int_equal(maincf_type_available(cf, "cdb"), 1);
	assert_int_equal(maincf_type_available(cf, "pcre"), 1);    /* absolute .so path */
	assert_int_equal(maincf_type_available(cf, "mysql"), 0);   /* listed, no .so */
	assert_int_equal(maincf_type_available(cf, "lmdb"), 0);    /* not listed */
	assert_int_equal(maincf_type_available(cf, "hash"), 1);    /* built in */
	assert_int_equal(maincf_type_available(cf, "nosuch"), 0);
	maincf_free(cf);
	cf = parse("meta_directory = /nonexistent\n", NULL);
	assert_int_equal(maincf_type_available(cf, "cdb"), -1);    /* cannot tell */
	maincf_free(cf);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* expansion compared with the real postconf -x on the same main.cf */
static void
test_against_postconf(void **state)
{
	static const char *const names[] = { "smtpd_relay_restrictions", "smtputf8_enable",
		"relay_domains", "mynetworks_style", "mime_header_checks",
		"virtual_alias_domains", "local_recipient_maps",
		"smtpd_relay_before_recipient_restrictions", "smtpd_recipient_restrictions",
		"mydestination", "nested_header_checks", NULL };
	static const char *const levels[] = { "", "compatibility_level = 3.6\n",
		"compatibility_level = 1\n", NULL };
	char dir[] = "/tmp/test_maincf.XXXXXX";
	size_t l, i;
	int compared = 0;

	(void)state;
	if (system("postconf -d mail_version >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	for (l = 0; levels[l]; l++) {
		char text[1024], path[256], cmd[512];
		struct maincf *cf;
		FILE *fp;

		snprintf(text, sizeof(text),
			 "%smyhostname = mx.example.org\nmydomain = example.org\n"
			 "header_checks = regexp:/x\nvirtual_alias_maps = hash:/v\nmy_list = a, b\n"
			 "smtpd_recipient_restrictions = permit_mynetworks ${my_list?{$my_list,}}"
			 " ${nothing:{dflt,}} reject_unauth_destination\n", levels[l]);
		snprintf(path, sizeof(path), "%s/main.cf", dir);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(text, fp);
		fclose(fp);
		snprintf(path, sizeof(path), "%s/master.cf", dir);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fclose(fp);
		assert_int_equal(maincf_load(&cf, dir, NULL), 0);
		for (i = 0; names[i]; i++) {
			char want[1024] = "";
			size_t n;

			snprintf(cmd, sizeof(cmd), "postconf -c %s -x -h %s 2>/dev/null", dir, names[i]);
			fp = popen(cmd, "r");
			assert_non_null(fp);
			n = fread(want, 1, sizeof(want) - 1, fp);
			want[n] = '\0';
			pclose(fp);
			if (n && want[n - 1] == '\n')
				want[n - 1] = '\0';
			if (strcmp(maincf_get(cf, names[i], NULL), want) != 0)
				fail_msg("level \"%s\" %s: got \"%s\", postconf says \"%s\"", levels[l],
					 names[i], maincf_get(cf, names[i], NULL), want);
			compared++;
		}
		maincf_free(cf);
	}
	assert_int_equal(compared, 33);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* maincf_list_insert: a restriction goes before the first permit* (never
 * inside a { } group), else at the end; the rest of the line stays */
static void
test_list_insert(void **state)
{
	struct strbuf out;
	char before[64];
	const char *w = "check_client_access hash:/e/c";
	const char *l1 = "smtpd_client_restrictions = permit_mynetworks";
	const char *l2 = "smtpd_client_restrictions =\n    reject_unknown_client_hostname,\n"
			 "    permit_sasl_authenticated, reject";
	const char *l3 = "smtpd_client_restrictions = reject_rbl_client zen.example,";
	const char *l4 = "smtpd_client_restrictions =";
	const char *l5 = "x = check_sender_access { inline:{ a=permit } }, permit";

	(void)state;
	strbuf_init(&out);
	assert_int_equal(maincf_list_insert(l1, strlen(l1), w, &out, before, sizeof(before)), 0);
	assert_string_equal(out.buf, "smtpd_client_restrictions = check_client_access hash:/e/c, "
			    "permit_mynetworks");
	assert_string_equal(before, "permit_mynetworks");
	assert_int_equal(maincf_list_insert(l2, strlen(l2), w, &out, before, sizeof(before)), 0);
	assert_string_equal(out.buf, "smtpd_client_restrictions =\n    reject_unknown_client_hostname,\n"
			    "    check_client_access hash:/e/c, permit_sasl_authenticated, reject");
	assert_string_equal(before, "permit_sasl_authenticated");
	assert_int_equal(maincf_list_insert(l3, strlen(l3), w, &out, before, sizeof(before)), 0);
	assert_string_equal(out.buf, "smtpd_client_restrictions = reject_rbl_client zen.example, "
			    "check_client_access hash:/e/c");
	assert_string_equal(before, "");
	assert_int_equal(maincf_list_insert(l4, strlen(l4), w, &out, before, sizeof(before)), 0);
	assert_string_equal(out.buf, "smtpd_client_restrictions = check_client_access hash:/e/c");
	assert_int_equal(maincf_list_insert(l5, strlen(l5), w, &out, before, sizeof(before)), 0);
	assert_string_equal(out.buf, "x = check_sender_access { inline:{ a=permit } }, "
			    "check_client_access hash:/e/c, permit");
	assert_int_equal(maincf_list_insert("no equals", 9, w, &out, NULL, 0), -1);
	strbuf_fini(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_syntax_and_positions),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_config_directory),
		cmocka_unit_test(test_compat_defaults),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_inline_refs),
		cmocka_unit_test(test_refs_and_classes),
		cmocka_unit_test(test_restriction_names),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_indented_logical_line),
		cmocka_unit_test(test_master_overrides),
		cmocka_unit_test(test_type_available),
		cmocka_unit_test(test_against_postconf),
		cmocka_unit_test(test_list_insert),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
