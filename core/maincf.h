/*
 * core/maincf.h - main.cf: parameters, expansion, lists, table references,
 * restriction classes.
 *
 * maincf_load() reads DIR/main.cf with Postfix's rules (postfix-reference.md
 * 7.1): '#' lines and blank lines are skipped, a line that starts with
 * whitespace continues the previous one (newline removed, its leading
 * whitespace kept, comment lines inside do not end it), "name = value" with
 * whitespace around '=' and at the end dropped.  A line without '=' is a
 * DIAG_MAINCF_SYNTAX error (fatal for every Postfix program).  A repeated
 * name is kept twice; the last one wins (maincf_find), the earlier one is
 * marked overridden.
 *
 * Values are stored raw (as written, continuation lines joined); maincf_get()
 * expands $name, ${name}, $(name), ${name?x}, ${name?{x}}, ${name:x},
 * ${name?{x}:{y}}, ${{a} OP {b}?{x}:{y}} (== != < <= > >= and the ==level
 * <level ... forms) and $$, with the Postfix 3.7 (Debian) defaults of the
 * parameters smtpd's restriction evaluation needs (maincf_default()).
 *
 * After loading, the model also holds
 *  - every table reference (type:name) found in a parameter that takes
 *    tables, with the parameter (or restriction class) using it, the
 *    restriction using it (check_sender_access ...), its role, and its
 *    main.cf line/column (maincf_ref);
 *  - the restriction classes: the names listed in smtpd_restriction_classes
 *    with their definitions and where they are used as restrictions
 *    (maincf_class).  Uses of class names as access-table *results* are found
 *    by check.c, which reads the tables.
 *
 * Ownership: struct maincf owns every string it hands out; pointers stay
 * valid until maincf_free().  Nothing here prints.
 */
#ifndef CORE_MAINCF_H
#define CORE_MAINCF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

/* What a referenced table is used for; decides how check.c validates it. */
enum maincf_role {
	MAINCF_ROLE_GENERIC,        /* key/value, value not interpreted */
	MAINCF_ROLE_CLIENT,         /* access(5) in a client context (check_client_access, ...) */
	MAINCF_ROLE_HELO,           /* access(5), HELO name (check_helo_access, *_ns/mx/a_access) */
	MAINCF_ROLE_SENDER,         /* access(5), MAIL FROM address (check_sender_access) */
	MAINCF_ROLE_RECIPIENT,      /* access(5), RCPT TO address (check_recipient_access) */
	MAINCF_ROLE_ACCESS,         /* access(5), other contexts (etrn, ccert, sasl, data ...) */
	MAINCF_ROLE_TRANSPORT,      /* transport(5): transport:nexthop */
	MAINCF_ROLE_HEADER_CHECKS,  /* header_checks(5) on headers */
	MAINCF_ROLE_BODY_CHECKS,    /* header_checks(5) on body lines */
	MAINCF_ROLE_LIST,           /* only keys matter: mydestination, relay_domains, mynetworks ... */
	MAINCF_ROLE_ADDRESS,        /* value is an address list: virtual, canonical ... */
	MAINCF_ROLE_ALIAS,          /* aliases(5) file (alias_maps): "name: value", built
	                             * by postalias/newaliases, not postmap */
	MAINCF_NROLES
};

/* maincf_role_name - "client", "helo", "sender", "recipient", "access",
 * "transport", "header_checks", "body_checks", "list", "address", "alias",
 * "generic" */
const char *maincf_role_name(enum maincf_role role);
/* maincf_role_is_access - true for the access(5) roles (CLIENT..ACCESS) */
bool maincf_role_is_access(enum maincf_role role);

/* One "name = value" line of main.cf. */
struct maincf_param {
	char *name;
	char *value;                /* raw value, continuation lines joined, trimmed */
	unsigned line;              /* line of the name (first physical line) */
	unsigned col;               /* column of the name (always 1: names start a line) */
	unsigned value_line;        /* position of the value's first byte */
	unsigned value_col;         /* (line 'line' when the value starts there) */
	unsigned nlines;            /* physical lines spanned */
	size_t start, end;          /* byte range of the logical line in main.cf */
	bool overridden;            /* a later line sets the same name (this one is unused) */
};

/* One table reference found in a parameter value. */
struct maincf_ref {
	const char *text;           /* "hash:/etc/postfix/access" as written (after $ expansion) */
	const char *type;           /* "hash"; for proxy:hash:/x the inner type "hash" */
	const char *name;           /* "/etc/postfix/access"; inline: the text inside { } */
	bool proxy;                 /* written as proxy:TYPE:NAME */
	const char *param;          /* parameter whose value holds it (a class name for classes) */
	bool in_class;              /* param is a restriction class definition */
	const char *restriction;    /* "check_sender_access" ..., NULL for a bare type:name
	                             * or a parameter that is not a restriction list */
	enum maincf_role role;
	unsigned line, col;         /* where in main.cf the reference (or the $name
	                             * that expanded to it) is written */
	const char *file;           /* the file of line/col: main.cf, or master.cf for
	                             * a "-o name=value" service override */
	const char *service;        /* master.cf overrides: "submission/inet"; else NULL */
	bool inline_body;           /* TYPE:{ ... }: name holds the text inside the braces */
};

/* One restriction class. */
struct maincf_class {
	const char *name;           /* as listed in smtpd_restriction_classes (case matters) */
	unsigned line, col;         /* where it is listed there */
	const struct maincf_param *def;   /* its "name = ..." line; NULL when undefined */
	size_t nuses;               /* uses as a restriction in main.cf lists/classes */
	unsigned use_line, use_col; /* the first such use */
};

/* One item of a list value, with its position in main.cf. */
struct maincf_item {
	char *text;                 /* the item; a { ... } group without its braces, trimmed */
	bool braced;                /* written as { ... } */
	unsigned line, col;         /* position of the item's first byte in main.cf */
};

struct maincf_list {
	struct maincf_item *v;
	size_t n, cap;
};

/* One restriction of a restriction list (smtpd_*_restrictions or a class). */
struct maincf_restriction {
	const char *name;           /* "check_sender_access", "permit_mynetworks", a class name,
	                             * or a bare "type:name" (then arg == name) */
	const char *arg;            /* the argument it takes (type:name, rbl domain ...), or NULL */
	unsigned line, col;         /* of the name */
	unsigned arg_line, arg_col; /* of the argument */
	const char *file, *arg_file; /* where name and argument are written: NULL for
	                              * main.cf, else master.cf (a "-o" override) */
};

struct maincf;

/* maincf_load - read DIR/main.cf.  Input problems (missing '=', repeated
 * names, bad references) go to DL with FILE = DIR/main.cf.  Returns 0, or
 * -1 with errno when the file cannot be read (ENOENT ...) or on ENOMEM;
 * *CF is then NULL.  DL may be NULL. */
int maincf_load(struct maincf **cf, const char *dir, struct diag_list *dl);
/* maincf_parse - the same for text already in memory; FILE names it in
 * diagnostics.  DIR (may be NULL) is remembered for relative table paths. */
int maincf_parse(struct maincf **cf, const char *buf, size_t len, const char *file,
		 const char *dir, struct diag_list *dl);
/* maincf_new_empty - a model with no main.cf lines (all defaults); NULL on ENOMEM */
struct maincf *maincf_new_empty(const char *dir);
void maincf_free(struct maincf *cf);

const char *maincf_path(const struct maincf *cf);   /* DIR/main.cf as given */
const char *maincf_dir(const struct maincf *cf);

/* Parameters in file order (overridden ones included). */
size_t maincf_param_count(const struct maincf *cf);
const struct maincf_param *maincf_param_at(const struct maincf *cf, size_t i);
/* maincf_find - the effective (last) line setting NAME, or NULL */
const struct maincf_param *maincf_find(const struct maincf *cf, const char *name);

enum maincf_source {
	MAINCF_UNSET,               /* neither set nor a known default: value "" */
	MAINCF_DEFAULT,             /* Postfix's built-in default (postconf -d) */
	MAINCF_SET,                 /* set in main.cf */
};

/* maincf_get - the expanded value of NAME: main.cf's if set, else the
 * built-in default, else "".  Never NULL, except on ENOMEM (errno set).
 * SRC (may be NULL) says where it came from.  Owned by CF. */
const char *maincf_get(struct maincf *cf, const char *name, enum maincf_source *src);
/* maincf_raw - the unexpanded value (set or default), NULL if neither */
const char *maincf_raw(const struct maincf *cf, const char *name, enum maincf_source *src);
/* maincf_default - Postfix 3.7's default for NAME (unexpanded), NULL if not in
 * our table.  The table covers restriction evaluation, the table-taking
 * parameters and the reply codes; machine-dependent values (myhostname,
 * mynetworks) are fixed placeholders. */
const char *maincf_default(const char *name);
/* maincf_builtin_default - the built-in table's value (3.7.11) for NAME.
 * maincf_default asks core/postconf first: the installed Postfix's
 * postconf -d when it could be read. */
const char *maincf_builtin_default(const char *name);
/* maincf_is_known - NAME is a parameter of our default table or a class */
bool maincf_is_known(const struct maincf *cf, const char *name);
/* maincf_expand - expand TEXT with CF's values; *OUT malloc'd.  Undefined
 * names expand to "".  0 or -1 (ENOMEM). */
int maincf_expand(struct maincf *cf, const char *text, char **out);
/* maincf_get_bool - "yes"/"no" value of NAME; DEF when neither */
bool maincf_get_bool(struct maincf *cf, const char *name, bool def);
/* maincf_in_list - ITEM (case-insensitive) is an item of list parameter NAME
 * (e.g. maincf_in_list(cf, "parent_domain_matches_subdomains", "smtpd_access_maps")) */
bool maincf_in_list(struct maincf *cf, const char *name, const char *item);

/* maincf_split - split TEXT into list items: separators comma, space, tab,
 * CR, LF; "{ ... }" groups one item (braces removed, inner text trimmed;
 * nested braces kept).  inline:{ ... } and type:{ ... } stay one item with
 * their braces.  Positions are left 0 (see maincf_param_items).
 * Appends to L.  0 or -1 (ENOMEM). */
int maincf_split(const char *text, struct maincf_list *l);
/* maincf_param_items - the items of parameter P (of CF)'s raw value, with
 * main.cf positions (no expansion). */
int maincf_param_items(const struct maincf *cf, const struct maincf_param *p,
		       struct maincf_list *l);
void maincf_list_init(struct maincf_list *l);
void maincf_list_fini(struct maincf_list *l);

/* maincf_inline_split - items of an inline:{ k=v, { k = v } } body (the text
 * between the outer braces) into KEYS/VALUES lists.  An item without '='
 * (or with spaces around '=' outside braces) is reported in DL at LINE/COL
 * of FILE as DIAG_BAD_REFERENCE.  0 or -1 (ENOMEM). */
int maincf_inline_split(const char *body, struct maincf_list *keys, struct maincf_list *values,
			const char *file, unsigned line, unsigned col, struct diag_list *dl);

/* Restriction lists: the expanded value of NAME (smtpd_*_restrictions or a
 * class) split into restrictions, each with its argument.  Arguments are
 * attached to check_*_access, check_policy_service, reject_*rbl*_client,
 * permit_*_rbl*, reject_rhsbl_*, check_*_{ns,mx,a}_access ...
 * The array is owned by CF; NULL with *N = 0 when the list is empty. */
const struct maincf_restriction *maincf_restrictions(struct maincf *cf, const char *name,
						     size_t *n);
/* maincf_restriction_role - the role of a table argument of restriction
 * RESTRICTION ("check_helo_access" -> HELO); for a bare type:name, the
 * role of the list LIST it appears in (smtpd_sender_restrictions -> SENDER). */
enum maincf_role maincf_restriction_role(const char *restriction, const char *list);
/* maincf_restriction_takes_arg - RESTRICTION is followed by an argument */
bool maincf_restriction_takes_arg(const char *restriction);
/* maincf_is_builtin_restriction - a restriction name smtpd 3.7 knows
 * (case-insensitive), including permit/reject/defer/dunno/... */
bool maincf_is_builtin_restriction(const char *name);

/* Table references, in main.cf order, then those of master.cf "-o"
 * overrides (-o name=value and -o { name = value }) of parameters that take
 * tables, in master.cf order.  One entry per occurrence. */
size_t maincf_ref_count(const struct maincf *cf);
const struct maincf_ref *maincf_ref_at(const struct maincf *cf, size_t i);
/* maincf_is_table_param - NAME takes tables (…_maps, …_checks,
 * …_restrictions, mydestination, relay_domains, mynetworks, classes ...) */
bool maincf_is_table_param(const struct maincf *cf, const char *name);
/* maincf_is_map_type - TYPE is a Postfix 3.7 lookup table type (postconf -m
 * plus ldap/mysql/pgsql/sqlite/memcache) */
bool maincf_is_map_type(const char *type);
/* maincf_is_file_type - TYPE reads a file we can check (hash btree cdb dbm
 * lmdb sdbm regexp pcre cidr texthash) */
bool maincf_is_file_type(const char *type);
/* maincf_is_pattern_type - regexp or pcre (rules, not keys) */
bool maincf_is_pattern_type(const char *type);

/* maincf_master_service - is NAME a service in DIR/master.cf (first field of
 * a service line)?  1 yes, 0 no, -1 when master.cf cannot be read (then
 * nothing can be said).  master.cf is read on first use. */
int maincf_master_service(struct maincf *cf, const char *name);

/* maincf_type_available - can this Postfix open tables of TYPE?  Types
 * built into Postfix always can; plugin types (cdb, pcre, lmdb, ldap, mysql,
 * pgsql, sqlite on Debian) only when $meta_directory/dynamicmaps.cf (or
 * dynamicmaps.cf.d/) names them and their shared object exists in
 * $shlib_directory.  1 yes, 0 no, -1 cannot tell (no dynamicmaps.cf). */
int maincf_type_available(struct maincf *cf, const char *type);

/* maincf_list_insert - the main.cf logical line LINE ("name = a, b" or
 * "name =", continuation lines included, no final line end) with WORDS
 * (e.g. "check_client_access cdb:/etc/postfix/access_client") added as a
 * restriction that is reached: before the first permit* restriction of
 * the list (a permit ends the list for the mail it permits), else at its
 * end; the rest of the line's bytes stay as written.  OUT gets the line;
 * BEFORE (may be NULL) the restriction it was put before ("" at the end).
 * 0, or -1 when LINE has no '=' or on ENOMEM. */
struct strbuf;
int maincf_list_insert(const char *line, size_t len, const char *words, struct strbuf *out,
		       char *before, size_t bsize);

/* Restriction classes listed in smtpd_restriction_classes, in that order. */
size_t maincf_class_count(const struct maincf *cf);
const struct maincf_class *maincf_class_at(const struct maincf *cf, size_t i);
/* maincf_find_class - the class named exactly NAME (case-sensitive), or NULL */
const struct maincf_class *maincf_find_class(const struct maincf *cf, const char *name);

#endif
