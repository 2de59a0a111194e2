/*
 * core/tabledoc.h - byte-exact document model of a table source file.
 *
 * A tabledoc holds the file's bytes and divides them, without gaps or
 * overlap, into items: entries, comments, blank lines and lines Postfix
 * skips.  Concatenating the items gives the file back byte for byte (CRLF,
 * a missing final newline, odd whitespace, NUL bytes, invalid UTF-8 all
 * survive).  An entry spans its continuation lines (and the comment/blank
 * lines between them, which Postfix reads through: postfix-reference.md 1.1).
 *
 * Two syntaxes:
 *  - TABLEDOC_KV: postmap input (access, transport, generic ...); entries are
 *    split into key and value with core/kvparse.h's rules;
 *  - TABLEDOC_PATTERN: regexp_table(5)/pcre_table(5): one logical line
 *    per item; an entry's key is the pattern part (up to the first
 *    whitespace after the closing delimiter), value the result.  if/endif
 *    lines are entries with key "if ..."/"endif" and an empty value.
 *
 * Editing: replace/insert/delete work on whole items and change only those
 * bytes; the lines around the edit are then re-read (from the last line
 * before it that starts a logical line to the first such line after it;
 * the items after it only move), so items, keys and line numbers are
 * always what Postfix would see (an inserted indented line *does* join the
 * previous entry, as it would for postmap).  Indices change after an edit.
 * New lines use the document's line ending (CRLF if the first line ended in
 * CRLF); inserting after a last line without newline adds one to it.
 *
 * Saving (tabledoc_save) is atomic and durable: a new temporary file in the
 * same directory (O_EXCL), owner and mode of the file it replaces, fsync,
 * the previous version kept as FILE~ (hard link, else copy), rename over
 * FILE, fsync of the directory.  When FILE is a symbolic link, the regular
 * file it resolves to is the one replaced (temporary and FILE~ in that
 * file's directory; the link stays); a link to anything else, or a FILE
 * that is no regular file, is refused (-1).  It refuses (returns 1) when FILE changed on
 * disk since it was loaded or last saved (device, inode, size, mtime and a
 * content hash are compared), unless TABLEDOC_FORCE is given.
 *
 * Ownership: the tabledoc owns its buffer and items; item pointers and the
 * strings in them are valid until the next edit, load or free.
 *
 * Cost of an edit: the lines re-read around it, the few storage chunks
 * (about 1,000 items each) holding them, one addition per later chunk and
 * moving the text's gap from the last edit to this one; reading an item
 * brings its chunk's offsets and lines up to date first, and
 * tabledoc_text closes the gap (so even the const readers write: a
 * tabledoc is for one thread at a time).
 */
#ifndef CORE_TABLEDOC_H
#define CORE_TABLEDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/diag.h"
#include "maps/map.h"

enum tabledoc_syntax {
	TABLEDOC_KV,                /* postmap input: key whitespace value */
	TABLEDOC_PATTERN,           /* regexp/pcre: one rule per logical line */
};

enum tabledoc_kind {
	TABLEDOC_ENTRY,             /* key + value (or a rule / if / endif) */
	TABLEDOC_COMMENT,           /* '#' as first non-blank byte */
	TABLEDOC_BLANK,             /* empty or whitespace only */
	TABLEDOC_SKIPPED,           /* a line Postfix ignores (no value, bad quotes,
	                             * indented first line); see the load diagnostics */
};

struct tabledoc_item {
	enum tabledoc_kind kind;
	size_t off, len;            /* bytes of the item in the document, line ends included */
	unsigned line;              /* first physical line, 1-based */
	unsigned nlines;            /* physical lines spanned */
	/* TABLEDOC_ENTRY only (else NULL/0): the key and value as Postfix reads
	 * them (continuation lines joined, value trimmed), NUL-terminated */
	const char *key;
	size_t klen;
	const char *value;
	size_t vlen;
	unsigned key_col;           /* display column of the key on its first line */
	unsigned value_col;         /* display column of the value's first byte */
	unsigned value_line;        /* line of the value's first byte */
};

struct tabledoc;

/* tabledoc_new - an empty document (no file yet); NULL on ENOMEM.
 * PATH (may be NULL) is where tabledoc_save will write. */
struct tabledoc *tabledoc_new(const char *path, enum tabledoc_syntax syntax);
/* tabledoc_load - read PATH.  Lines Postfix skips are reported in DL (may
 * be NULL).  0, or -1 with ERR filled (ERR->errnum = errno). */
int tabledoc_load(struct tabledoc **doc, const char *path, enum tabledoc_syntax syntax,
		  struct diag_list *dl, struct map_error *err);
/* tabledoc_parse - a document from BUF (copied); NAME is used in
 * diagnostics and as save path.  0 or -1 (ENOMEM). */
int tabledoc_parse(struct tabledoc **doc, const char *buf, size_t len, const char *name,
		   enum tabledoc_syntax syntax, struct diag_list *dl);
void tabledoc_free(struct tabledoc *doc);

/* tabledoc_syntax_for_type - TABLEDOC_PATTERN for regexp and pcre; KV for
 * everything else (cidr lines are "network result", like postmap input) */
enum tabledoc_syntax tabledoc_syntax_for_type(const char *type);

const char *tabledoc_path(const struct tabledoc *doc);
enum tabledoc_syntax tabledoc_get_syntax(const struct tabledoc *doc);
/* The whole text (NUL follows it); valid until the next edit.  The text is
 * kept with a gap at the last edit; this closes the gap (a memmove of the
 * bytes after it, and the next edit opens it again where it is): a reader
 * that only needs a copy uses tabledoc_copy_text.  Pointers from
 * tabledoc_item_text are not valid after it. */
const char *tabledoc_text(const struct tabledoc *doc, size_t *len);
/* tabledoc_length - the text's length in bytes */
size_t tabledoc_length(const struct tabledoc *doc);
/* tabledoc_copy_text - the whole text copied to DST (tabledoc_length bytes,
 * no NUL added), the gap left where it is */
void tabledoc_copy_text(const struct tabledoc *doc, char *dst);
size_t tabledoc_count(const struct tabledoc *doc);
const struct tabledoc_item *tabledoc_item(const struct tabledoc *doc, size_t i);
/* tabledoc_item_text - the item's exact bytes (not NUL-terminated) */
const char *tabledoc_item_text(const struct tabledoc *doc, size_t i, size_t *len);
/* tabledoc_entry_count - items of kind ENTRY */
size_t tabledoc_entry_count(const struct tabledoc *doc);
/* tabledoc_diags - the diagnostics of the last (re)parse: lines postmap skips
 * (KV documents).  Pattern documents get none here: their rule problems
 * depend on the type (regexp or pcre) and come from check_table_buf(). */
const struct diag_list *tabledoc_diags(const struct tabledoc *doc);
/* tabledoc_dirty - edited since load/save */
bool tabledoc_dirty(const struct tabledoc *doc);

enum {
	TABLEDOC_FIND_FOLD = 1,     /* compare keys after postmap's case folding (map_fold) */
};
/*
 * tabledoc_find - the first ENTRY at index >= FROM whose key equals KEY.
 * 1 found (*IDX set), 0 not found, -1 error (ENOMEM while folding).
 */
int tabledoc_find(const struct tabledoc *doc, const char *key, size_t klen,
		  unsigned flags, size_t from, size_t *idx);
/* tabledoc_find_line - the item containing physical line LINE; 1/0 */
int tabledoc_find_line(const struct tabledoc *doc, unsigned line, size_t *idx);

/*
 * Edits.  TEXT is one or more lines *without* the final line ending
 * (inner line ends may be "\n"; they are converted to the document's).
 * The new items are re-read; *NEWIDX (may be NULL) gets the index of the
 * first item made from TEXT.  0 or -1 (ENOMEM, or EINVAL for a bad index).
 */
/* tabledoc_replace - replace item I by TEXT */
int tabledoc_replace(struct tabledoc *doc, size_t i, const char *text, size_t len,
		     size_t *newidx);
/* tabledoc_insert - insert TEXT before item I (I == count appends) */
int tabledoc_insert(struct tabledoc *doc, size_t i, const char *text, size_t len,
		    size_t *newidx);
/* tabledoc_last_edit - what the last edit (replace, insert, delete,
 * set_value) changed: items [FIRST, FIRST + OLD_N) became [FIRST, FIRST +
 * NEW_N); the items after them moved by NEW_N - OLD_N.  After a full
 * re-read (small documents) that is every item. */
void tabledoc_last_edit(const struct tabledoc *doc, size_t *first, size_t *old_n,
			size_t *new_n);
/* tabledoc_delete - remove item I (its lines, line endings included) */
int tabledoc_delete(struct tabledoc *doc, size_t i);
/* tabledoc_set_value - replace only the value of entry I, keeping its key
 * and the whitespace after the key (multi-line values become one line) */
int tabledoc_set_value(struct tabledoc *doc, size_t i, const char *value, size_t vlen,
		       size_t *newidx);
/* tabledoc_set_text - the whole text replaced by BUF (a merge result); the
 * disk state stays (saving still detects a later change on disk) */
int tabledoc_set_text(struct tabledoc *doc, const char *buf, size_t len);
/* tabledoc_format_entry - "KEY<TAB>VALUE" as an entry line, malloc'd; NULL on ENOMEM */
char *tabledoc_format_entry(const char *key, size_t klen, const char *value, size_t vlen);

enum {
	TABLEDOC_FORCE = 1,         /* save even if the file changed on disk */
	TABLEDOC_NO_BACKUP = 2,     /* do not keep FILE~ */
};
/*
 * tabledoc_save - write the document to its path (see above).
 * 0 saved, 1 not saved: the file changed on disk since load/save (reload or
 * use TABLEDOC_FORCE), -1 error with ERR filled ("rename X to Y: reason").
 */
int tabledoc_save(struct tabledoc *doc, unsigned flags, struct map_error *err);
/* tabledoc_save_as - save to another path (and make it the document's) */
int tabledoc_save_as(struct tabledoc *doc, const char *path, unsigned flags,
		     struct map_error *err);
/* tabledoc_changed_on_disk - 1 the file differs from what was loaded/saved
 * (or vanished/appeared), 0 same, -1 error reading it */
int tabledoc_changed_on_disk(const struct tabledoc *doc);
/* tabledoc_debug_chunk - items per storage chunk from now on (tests use
 * small chunks to exercise their edges); 0 restores the default (1024) */
void tabledoc_debug_chunk(size_t n);
/* tabledoc_hash - hash_fnv1a (util/hash.h) of BUF (used for change detection) */
uint64_t tabledoc_hash(const char *buf, size_t len);

#endif
