/*
 * core/maincf_int.h - what core/maincf.c, core/maincf_expand.c and
 * core/maincf_refs.c share: struct maincf itself and the helpers one of them
 * defines for the others.  Not for use outside core/maincf*.c.
 */
#ifndef CORE_MAINCF_INT_H
#define CORE_MAINCF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/maincf.h"
#include "util/strbuf.h"

struct seg {
	size_t joff;                /* offset in the joined logical line */
	size_t src;                 /* byte offset in the source of that joined byte */
	size_t line_start;          /* byte offset of the physical line's start */
	unsigned line;
};

struct pinfo {
	struct seg *segs;
	size_t nsegs;
	size_t value_joff;          /* offset of the value in the joined text */
	char *expanded;             /* cache for maincf_get */
	int expanding;
};

struct rlist {                  /* cached restriction list */
	char *name;
	struct maincf_restriction *v;
	size_t n;
	char **strs;                /* owned strings */
	size_t nstrs;
};

struct dcache {                 /* expanded defaults cache */
	char *name;
	char *value;
};

#define MAINCF_NAME_MAX 256         /* longest $name expanded */

struct maincf {
	char *path;
	char *dir;
	char *src;
	size_t srclen;
	struct maincf_param *params;
	struct pinfo *pinfo;
	size_t nparams, capparams;
	struct maincf_ref *refs;
	size_t nrefs, caprefs;
	char **strs;                /* strings owned for refs/classes */
	size_t nstrs, capstrs;
	struct maincf_class *classes;
	size_t nclasses;
	struct rlist *rlists;
	size_t nrlists;
	struct dcache *dcache;
	size_t ndcache;
	struct diag_list *dl;       /* during load only */
	int master_state;           /* 0 not read, 1 read, -1 unreadable */
	const char *cur_file;       /* while scanning master.cf: its path (owned by strs) */
	const char *cur_service;    /* while scanning master.cf: "name/type" */
	char **services;
	size_t nservices;
	/* $name expansion guard (lookup_expanded): the names being expanded,
	 * the work done since the outermost call, and what stopped it */
	char (*xstack)[MAINCF_NAME_MAX];
	int xdepth;
	size_t xwork;
	int xerr;                   /* 0, XERR_NESTING, XERR_LOOP, XERR_SIZE */
	char xwhy[512];
};

/* $name expansion stopped (struct maincf.xerr): too deep, a loop, too big */
enum { XERR_NESTING = 1, XERR_LOOP, XERR_SIZE };

/* core/maincf.c: strings owned by CF, characters, list items, positions */
char *mcf_own(struct maincf *cf, const char *s, size_t n);
char *mcf_own_str(struct maincf *cf, const char *s);
bool mcf_is_space(int c);
bool mcf_is_name_char(int c);
int mcf_list_push(struct maincf_list *l, const char *s, size_t n, bool braced, unsigned line,
		  unsigned col);
/* mcf_param_index - index of P in CF, or (size_t)-1 */
size_t mcf_param_index(const struct maincf *cf, const struct maincf_param *p);
/* mcf_pos_of - main.cf line/column of byte JOFF of parameter PI's joined line */
void mcf_pos_of(const struct maincf *cf, size_t pi, size_t joff, unsigned *line,
		unsigned *col);

/* core/maincf_expand.c */
/* mcf_is_postfix_param - NAME is one of Postfix 3.7's parameters */
bool mcf_is_postfix_param(const char *name);

/* core/maincf_refs.c: run once by maincf_parse; 0 or -1 (ENOMEM) */
int mcf_scan_refs(struct maincf *cf);
int mcf_scan_master(struct maincf *cf);
void mcf_unknown_params(struct maincf *cf);

#endif
