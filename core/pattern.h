/*
 * core/pattern.h - regexp_table(5) / pcre_table(5) sources into rule lists.
 *
 * pattern_parse_buf() reads a pattern file with Postfix's rules
 * (postfix-reference.md 5.1, 5.3): logical lines as in postmap input, then
 * per line either a match rule ([!]DpatternD[flags] result, regexp also
 * DpatDflags!DpatDflags result), "if [!]DpatternD[flags]" or "endif".
 * Rules Postfix drops (no closing delimiter, unknown flag, bad $N, stray
 * endif, ...) are reported as DIAG_SYNTAX / DIAG_BAD_REGEX with
 * FILE:LINE:COL and left out of the list, exactly as Postfix leaves them out
 * of the table; a rule without result is kept and reported (smtpd answers
 * 451 on a match).  The rules are the maps/ struct map_rule the regexp and
 * pcre backends compile; pattern_compile_check() compiles each through them
 * (map_open with rules) so the engine Postfix uses reports bad regexes,
 * with the column of the error.
 *
 * Ownership: struct pattern_table owns the text the rules point into.
 */
#ifndef CORE_PATTERN_H
#define CORE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "maps/map.h"

enum pattern_dialect {
	PATTERN_REGEXP,             /* POSIX regcomp; flags i m x; /a/!/b/ allowed */
	PATTERN_PCRE,               /* PCRE2; flags i m x s A E U X */
};

/* Where each rule came from (parallel to rules[]). */
struct pattern_pos {
	unsigned line;              /* first physical line of the logical line */
	unsigned col;               /* display column of the rule's first byte */
	unsigned pattern_col;       /* column of the first byte inside the delimiters */
	unsigned result_col;        /* column of the result, 0 if none */
	size_t pattern_off;         /* byte offset of the pattern in the logical line */
	char *line_text;            /* the joined logical line (for columns); owned */
	/* regexp only: the second pattern of /a/!/b/ (rules[] holds the first) */
	const char *pattern2;
	size_t pattern2_len;
	const char *flags2;
	unsigned pattern2_col;
};

struct pattern_table {
	enum pattern_dialect dialect;
	struct map_rule *rules;
	struct pattern_pos *pos;
	size_t n, cap;
	char *store;                /* internal: owned copies the rules point into */
	size_t nlines;              /* physical lines read */
};

enum {
	PATTERN_NO_REGSUB = 1,      /* $N not allowed (transport tables) */
};

void pattern_table_init(struct pattern_table *pt, enum pattern_dialect dialect);
void pattern_table_fini(struct pattern_table *pt);

/* pattern_dialect_for_type - "pcre" -> PCRE, else REGEXP */
enum pattern_dialect pattern_dialect_for_type(const char *type);

/*
 * pattern_parse_buf - parse BUF (LEN bytes) named FILE into PT (appends).
 * Dropped rules and problems go to DL.  Returns the number of rules kept,
 * or -1 (ENOMEM).
 */
long pattern_parse_buf(struct pattern_table *pt, const char *buf, size_t len,
		       const char *file, unsigned flags, struct diag_list *dl);
/* pattern_parse_file - the same for a file; -1 with errno if unreadable */
long pattern_parse_file(struct pattern_table *pt, const char *path, unsigned flags,
			struct diag_list *dl);

/* pattern_rule_text - rule I of PT as written, up to its result:
 * [!]DpatternD[flags] (and !DpatD[flags] for regexp's second pattern), with
 * the delimiter the source used (its first), for messages that name the rule (explain's
 * rule line, hits, impact).  Cut to SIZE, always terminated. */
void pattern_rule_text(const struct pattern_table *pt, size_t i, char *buf, size_t size);

/*
 * pattern_compile - compile every rule with the backend of TYPE ("regexp" or
 * "pcre"), one at a time so that every bad rule is reported (DIAG_BAD_REGEX
 * at the column of the error, or of the pattern when the engine gives none).
 * Returns the number of bad rules, or -1 when the backend is unavailable
 * (errno ENOSYS) or on ENOMEM.
 */
long pattern_compile_check(const struct pattern_table *pt, const char *type,
			   const char *file, struct diag_list *dl);

/*
 * pattern_open - a map of TYPE over the rules of PT (via map_open); NULL
 * with ERR filled on failure.  The map may be used after PT is freed only if
 * the backend copied what it keeps (maps/map.h says it does).
 */
struct map *pattern_open(const struct pattern_table *pt, const char *type, const char *name,
			 struct map_error *err);

/*
 * pattern_lines - split BUF into Postfix logical lines (comments and blank
 * lines skipped, continuation lines joined).  FN gets the joined text
 * (NUL-terminated, valid during the call), its first line number, the
 * number of physical lines, and the byte range [start, end) in BUF.
 * An indented first line is passed with INDENTED true (Postfix drops it).
 * Returns 0, FN's non-zero value, or -1 (ENOMEM).
 */
typedef int pattern_line_fn(void *ctx, const char *text, size_t len, unsigned line,
			    unsigned nlines, size_t start, size_t end, bool indented);
int pattern_lines(const char *buf, size_t len, pattern_line_fn *fn, void *ctx);

#endif
