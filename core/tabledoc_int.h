/*
 * core/tabledoc_int.h - what core/tabledoc.c (the document: items in
 * chunks, the gap buffer, the incremental re-read) and core/tabledoc_io.c
 * (loading, saving, changes on disk) share.  Not for other modules: they
 * use core/tabledoc.h.
 */
#ifndef PFC_TABLEDOC_INT_H
#define PFC_TABLEDOC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/diag.h"
#include "core/tabledoc.h"
#include "util/strbuf.h"

struct disk_state {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t hash;
};

struct chunk {
	struct tabledoc_item *it;
	size_t *koff, *voff;        /* arena offsets of the keys and values */
	size_t n, cap;
	long long doff, dline;      /* not yet added to it[].off, .line, .value_line */
	unsigned agen;              /* arena generation of it[].key / .value */
};

struct tabledoc {
	char *path;
	enum tabledoc_syntax syntax;
	struct strbuf text;         /* the bytes, with a gap at gs of glen bytes */
	size_t gs, glen;
	struct chunk *ch;
	size_t nch, capch;
	size_t *cstart;             /* index of chunk c's first item; cstart[nch] == n */
	size_t hint;                /* the chunk found last */
	size_t n;                   /* items */
	size_t e_first, e_old, e_new;   /* the last edit: items [e_first, e_first+e_old)
	                                 * became [e_first, e_first+e_new) */
	unsigned agen;              /* bumped when the arena moves */
	struct strbuf arena;
	struct diag_list diags;
	bool dirty;
	bool crlf;
	struct disk_state disk;
	size_t nentries;            /* items of kind ENTRY */
};

/* td_reread - every item parsed again from the text (tabledoc.c) */
int td_reread(struct tabledoc *d);
/* td_copy_diags - FROM's findings appended to TO (TO may be NULL) */
void td_copy_diags(const struct diag_list *from, struct diag_list *to);
/* td_gap_close - the text contiguous and NUL-terminated */
void td_gap_close(const struct tabledoc *cd);

#endif
