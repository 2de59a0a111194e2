/*
 * maps/map.h - the lookup-table backend interface.
 *
 * maps/ is bytes in, bytes out: it knows nothing of main.cf, diagnostics or
 * curses, and includes nothing from core/ or tui/.  One file per backend
 * (map_cdb.c, map_hash.c, map_regexp.c, map_pcre.c, map_cidr.c, map_postmap.c) fills a
 * struct map_ops; map.c is the registry.  Keys and values are pointer +
 * length.  Failures return -1 (or NULL) and fill struct map_error.
 *
 * Names: a table is named as in main.cf, TYPE:NAME.  For indexed types NAME
 * is the source path and the backend adds its suffix (".cdb", ".db"); for
 * pattern types NAME is the pattern file, parsed by core/pattern.c into a
 * list of struct map_rule that the backend compiles.
 *
 * Key conventions live in the backend: cdb keys are written without a
 * trailing NUL and read trying key+NUL then key (as Postfix's dict_cdb.c);
 * hash keys and values are written with a trailing NUL and read the same
 * two ways (dict_db.c).  Fixed-key types fold keys (map_fold) when building
 * and, through map_lookup, when querying, unless MAP_OPEN_NOFOLD is given.
 */
#ifndef MAPS_MAP_H
#define MAPS_MAP_H

#include <stdbool.h>
#include <stddef.h>

struct map;                     /* each backend embeds it first in its own struct */
struct map_builder;

struct map_error {
	int errnum;                 /* errno value, 0 for a format/semantic error */
	size_t rule;                /* pattern maps: index of the offending rule */
	size_t offset;              /* pattern maps: byte offset in the pattern */
	char text[256];             /* "open /x/access.cdb: No such file or directory" */
	int where;                  /* pattern maps: MAP_ERR_PATTERN, _FLAGS, _RESULT, _PATTERN2;
	                             * offset is then a byte offset in that string */
};

enum { MAP_ERR_NONE, MAP_ERR_PATTERN, MAP_ERR_FLAGS, MAP_ERR_RESULT, MAP_ERR_PATTERN2 };

/* One rule of a regexp:/pcre: table, filled by core/pattern.c.  Strings are
 * borrowed from the caller for the duration of open(); the backend copies
 * what it keeps. */
enum map_rule_kind { MAP_RULE_MATCH, MAP_RULE_IF, MAP_RULE_ENDIF };

struct map_rule {
	enum map_rule_kind kind;
	const char *pattern;        /* regex text, delimiters removed */
	size_t pattern_len;
	const char *flags;          /* flag letters as written after the closing delimiter,
	                             * NUL-terminated; NULL or "" for none */
	bool negate;                /* !/pattern/ */
	const char *result;         /* replacement text, $N / ${N} not yet expanded; NULL for IF/ENDIF */
	size_t result_len;
	unsigned line;              /* source line, for the caller's diagnostics */
	/* regexp only, /a/!/b/: a second pattern that must NOT match; NULL if none */
	const char *pattern2;
	size_t pattern2_len;
	const char *flags2;         /* NUL-terminated, NULL or "" for none */
};

enum {
	MAP_INDEXED = 1,            /* built from a source into an index file */
	MAP_PATTERN = 2,            /* compiled from rules at open time */
	MAP_FOLD_KEYS = 4,          /* keys folded to lower case by default */
	MAP_SOURCE = 8,             /* read from its source by the backend itself at
	                             * open time (cidr): no index, no rule list */
};

enum {
	MAP_OPEN_NOFOLD = 1,        /* do not fold query keys (postmap -f) */
	MAP_OPEN_SKIP_BAD = 2,      /* pattern maps: drop rules that do not compile (or
	                             * have bad $N) as Postfix does, instead of failing */
	MAP_OPEN_NO_REGSUB = 4,     /* pattern maps: $N not allowed (transport tables) */
	MAP_OPEN_BATCH = 8,         /* hash: keep the shared lock from one lookup to the
	                             * next until map_release(): answers in between come
	                             * from one version of the table (see map_hash.c).
	                             * The caller must release before it waits for
	                             * anything: postmap cannot rewrite the table meanwhile */
};

/* The result of a successful lookup.  val is NOT NUL-terminated in general
 * (a NUL follows it in memory for every backend, for convenience); it
 * belongs to the map and is valid until the next call on that map. */
struct map_hit {
	const char *val;
	size_t vlen;
	size_t rule;                /* pattern maps: index of the matching rule; else 0 */
};

/* map_walk_fn - one record of a walk (map_walk): KEY and VAL as Postfix reads
 * them (a trailing NUL of the stored key dropped; the value ends at its
 * first NUL).  Nonzero stops the walk. */
typedef int map_walk_fn(void *ctx, const char *key, size_t klen, const char *val, size_t vlen);

struct map_ops {
	const char *type;           /* "cdb", "hash", "regexp", "pcre", ... */
	const char *suffix;         /* index suffix (".cdb", ".db"), NULL for pattern types */
	unsigned flags;             /* MAP_INDEXED | MAP_PATTERN | MAP_FOLD_KEYS */
	struct map *(*open)(const struct map_ops *ops, const char *name,
			    const struct map_rule *rules, size_t nrules,
			    unsigned open_flags, struct map_error *err);
	/* lookup - 1 found (hit filled), 0 not found, -1 error.  KEY is given as
	 * the caller wants it looked up; map_lookup() folds before calling. */
	int (*lookup)(struct map *m, const char *key, size_t klen,
		      struct map_hit *hit, struct map_error *err);
	void (*close)(struct map *m);
	/* Building (indexed types only; NULL otherwise).  build_begin creates a
	 * temporary file next to NAME+suffix (never following links); put adds a
	 * record (already folded by the caller via map_build_put); commit makes
	 * it durable and renames it over NAME+suffix; abort removes the
	 * temporary and never touches the target.  DUP_FIRST: a second put of
	 * the same key is ignored and reported as 1 (postmap's default). */
	struct map_builder *(*build_begin)(const struct map_ops *ops, const char *name,
					   struct map_error *err);
	int (*build_put)(struct map_builder *b, const char *key, size_t klen,
			 const char *val, size_t vlen, struct map_error *err);
	int (*build_commit)(struct map_builder *b, struct map_error *err);
	void (*build_abort)(struct map_builder *b);
	/* build_hint - optional (may be NULL): about NENTRIES entries will be
	 * put; UNIQUE: the caller knows no two keys are equal after folding, so
	 * the backend may skip its own duplicate detection (cdb: a duplicate
	 * that slips through is still answered first-wins by readers). */
	void (*build_hint)(struct map_builder *b, size_t nentries, bool unique);
	/* release - optional: end a MAP_OPEN_BATCH window (drop held locks) */
	void (*release)(struct map *m);
	/* build_prepare - optional: after the last put, everything except the
	 * commit (finish the index, fsync the temporary), so that it overlaps
	 * other work; build_commit or build_abort still follows.  0 or -1 (ERR;
	 * the caller then aborts). */
	int (*build_prepare)(struct map_builder *b, struct map_error *err);
	/* walk - optional (NULL: the type cannot be listed): every record of
	 * the index, in file order, under the reader's lock.  0 done (or
	 * stopped by FN), -1 error (ERR). */
	int (*walk)(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err);
	/* verify - optional: walk the whole index and check that everything a
	 * lookup can touch is in place (offsets, lengths, chains, keys where
	 * their hash puts them).  0 sound, -1 damaged or unreadable (ERR). */
	int (*verify)(struct map *m, struct map_error *err);
};

struct map {
	const struct map_ops *ops;
	unsigned open_flags;
	char *name;
	/* the last lookup's warning, "" when none: a regexp/pcre rule whose
	 * matching failed (PCRE's match limit ...) was skipped, as Postfix's
	 * dict_regexp/dict_pcre log a warning and go on with the next rule */
	char warning[256];
};

/* map_find_type - the backend for TYPE ("cdb", "hash", ...); NULL if none.
 * Types Postfix supports but we cannot read natively ("btree", "lmdb")
 * come back as the postmap-driven backend. */
const struct map_ops *map_find_type(const char *type);

/* map_open - open TYPE:NAME through its backend. */
struct map *map_open(const char *type, const char *name,
		     const struct map_rule *rules, size_t nrules,
		     unsigned open_flags, struct map_error *err);
/* map_lookup - fold KEY if the type folds and NOFOLD was not given, then
 * look it up.  1 found, 0 not found, -1 error. */
int map_lookup(struct map *m, const char *key, size_t klen,
	       struct map_hit *hit, struct map_error *err);
void map_close(struct map *m);
/* map_verify - check an opened index for damage (ops->verify; 0 when the
 * type has none): 0 sound, -1 damaged (ERR says where and what) */
int map_verify(struct map *m, struct map_error *err);
/* map_release - drop what a MAP_OPEN_BATCH map keeps between lookups (the
 * hash table's shared lock); the next lookup takes it again.  NULL is fine. */
void map_release(struct map *m);

/* map_walk - every record of M's index through FN (see map_walk_fn); -1
 * with ERR (errnum ENOTSUP) for a type that cannot be listed (patterns,
 * postmap-driven types) */
int map_walk(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err);

/* map_index_path - NAME + the type's suffix, malloc'd; NULL for pattern types */
char *map_index_path(const struct map_ops *ops, const char *name);

/* map_build_put - fold the key as the type requires, then put it.
 * Returns 0 stored, 1 duplicate (first kept), -1 error. */
int map_build_put(const struct map_ops *ops, struct map_builder *b,
		  const char *key, size_t klen, const char *val, size_t vlen,
		  bool fold, struct map_error *err);

/* map_build_hint - pass a size/uniqueness hint to the builder, if it takes one */
void map_build_hint(const struct map_ops *ops, struct map_builder *b, size_t nentries,
		    bool unique);

/* map_fold - fold KEY as Postfix does for fixed-key tables with
 * smtputf8_enable=yes: ASCII A-Z lowered, non-ASCII UTF-8 through ICU full
 * case folding.  Invalid UTF-8 is folded ASCII-only, as Postfix does.
 * *OUT is malloc'd and NUL-terminated.  0 or -1 (ENOMEM). */
int map_fold(const char *key, size_t klen, char **out, size_t *outlen);

/* map_error_set - fill ERR (printf format) and return -1 */
int map_error_set(struct map_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * cidr: tables (map_cidr.c, Postfix's dict_cidr).  map_open("cidr", NAME)
 * reads NAME (a file, or "{ {rule}, ... }") and drops the rules Postfix
 * skips; map_cidr_open() does the same and tells FN (may be NULL) about
 * each line: a rule kept, a rule or line skipped with Postfix's reason, an
 * IF without ENDIF.  FN returns 0, or -1 to stop (the open then fails).
 */
enum map_cidr_note_kind {
	MAP_CIDR_RULE,              /* a network rule kept (IF/ENDIF are not reported) */
	MAP_CIDR_SKIPPED,           /* "cidr map X, line N: WHY: skipping this rule" */
	MAP_CIDR_BAD_LINE,          /* readllines: a logical line starting with
	                             * whitespace, skipped */
	MAP_CIDR_NO_ENDIF,          /* "IF has no matching ENDIF" (the IF is kept) */
};

struct map_cidr_note {
	enum map_cidr_note_kind kind;
	unsigned line, col;         /* 1-based: the rule, or what WHY is about */
	const char *why;            /* Postfix's reason; for MAP_CIDR_RULE NULL, or what
	                             * Postfix makes of a prefix length over 255 */
	const char *pattern;        /* RULE: the pattern as written ("!10.0.0.0/8") */
	const char *value;          /* RULE: the result */
	unsigned vline, vcol;       /* RULE: where the result starts */
};

typedef int map_cidr_fn(void *ctx, const struct map_cidr_note *note);

/* map_cidr_open - NULL with ERR filled ("open X: reason", an inline syntax
 * error "cidr map: ...") */
struct map *map_cidr_open(const char *name, map_cidr_fn *fn, void *ctx,
			  struct map_error *err);
/* map_cidr_check - parse SRC (LEN bytes, e.g. an editor buffer) and tell
 * FN about each line as map_cidr_open does; 0, or -1 (ENOMEM or FN's -1) */
int map_cidr_check(const char *src, size_t len, map_cidr_fn *fn, void *ctx);
/* map_cidr_rule - the source line and pattern (as written) of rule I of
 * the cidr map M (struct map_hit's rule); false if M is not cidr */
bool map_cidr_rule(const struct map *m, size_t i, unsigned *line, const char **pattern);

/* map_postmap_set_program - the postmap that reads btree, lmdb, dbm and
 * sdbm tables: an absolute path (Postfix's command_directory/postmap of
 * the configuration in use; default /usr/sbin/postmap).  It is never
 * looked up in PATH, and util/runcmd refuses it unless only root can
 * change it. */
void map_postmap_set_program(const char *path);

#endif
