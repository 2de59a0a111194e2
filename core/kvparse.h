/*
 * core/kvparse.h - postmap input syntax: logical lines, key/value split.
 *
 * The rules are postmap's (postfix-reference.md section 1): a line whose
 * first non-blank byte is '#' and a blank line are skipped; a line that
 * starts with whitespace continues the previous logical line (newline
 * removed, nothing inserted, its leading whitespace kept), even across
 * comment and blank lines; the key ends at the first whitespace outside
 * double quotes, a backslash protecting the next byte; quotes and
 * backslashes stay in the key; the value is the rest, trimmed.  Line
 * numbers are those of the first physical line of a logical line.
 *
 * The parser never stores the file: it calls FN once per entry with
 * pointers that are valid only during the call (continuation lines are
 * joined in a scratch buffer), so a 1,000,000-entry table costs no more
 * memory than its longest logical line.
 */
#ifndef CORE_KVPARSE_H
#define CORE_KVPARSE_H

#include <stddef.h>

#include "core/diag.h"

struct kv_entry {
	const char *key;       /* not NUL-terminated in general; a NUL follows val */
	size_t klen;
	const char *val;
	size_t vlen;
	unsigned line;         /* first physical line, 1-based */
	unsigned nlines;       /* physical lines spanned, comments inside included */
	size_t start;          /* byte offset of the logical line's first byte in the source */
	size_t end;            /* byte offset just past its last newline (or EOF) */
	size_t val_off;        /* byte offset of the value's first byte in the source
	                        * (first physical line), for columns */
};

/* kv_entry_fn - called per entry; return 0 to go on, non-zero to stop
 * (kvparse_* then returns that value). */
typedef int kv_entry_fn(void *ctx, const struct kv_entry *e);

/*
 * kvparse_buf - parse BUF (LEN bytes) as a postmap source named FILE.
 * Lines Postfix skips (no value, unbalanced quotes, indented first line)
 * are added to DL as DIAG_SYNTAX errors with FILE:LINE:COL and are not
 * passed to FN; a key ending in ':' is passed on and warned about.
 * Returns 0, FN's non-zero value, or -1 on ENOMEM.
 */
int kvparse_buf(const char *buf, size_t len, const char *file,
		kv_entry_fn *fn, void *ctx, struct diag_list *dl);

/* kvparse_file - the same for a file (read with mmap or read(2)).
 * Returns -1 with errno set when the file cannot be read. */
int kvparse_file(const char *path, kv_entry_fn *fn, void *ctx, struct diag_list *dl);

#endif
