/*
 * core/check_int.h - what core/check.c, core/check_value.c and
 * core/check_table.c share.  Not for use outside core/check*.c.
 */
#ifndef CORE_CHECK_INT_H
#define CORE_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/check.h"
#include "core/diag.h"
#include "core/maincf.h"

struct strbuf;

/* core/check_value.c: one entry's value and key */
/* chk_access_value - VALUE (VLEN bytes) of an access-like table of ROLE at
 * FILE:LINE:COL; class names it uses are added to USED */
int chk_access_value(const char *value, size_t vlen, enum maincf_role role, struct maincf *cf,
		     const char *file, unsigned line, unsigned col, struct diag_list *dl,
		     struct maincf_list *used);
/* chk_access_value_k - the same, for the entry of KEY (KLEN bytes) */
int chk_access_value_k(const char *key, size_t klen, const char *value, size_t vlen,
		       enum maincf_role role, struct maincf *cf, const char *file, unsigned line,
		       unsigned col, struct diag_list *dl, struct maincf_list *used);
/* chk_value_rejects - access value V (N bytes) rejects */
bool chk_value_rejects(const char *v, size_t n);
/* chk_access_pdms - parent_domain_matches_subdomains lists smtpd_access_maps */
bool chk_access_pdms(struct maincf *cf);
/* chk_access_key - key K (N bytes) of an access table of ROLE at FILE:LINE */
int chk_access_key(const char *k, size_t n, enum maincf_role role, struct maincf *cf,
		   int pdms, const char *file, unsigned line, struct diag_list *dl);

/* core/check_table.c: reading and checking one table */
/* chk_read_all - the whole file PATH into SB (bounded); 0 or -1 (errno) */
int chk_read_all(const char *path, struct strbuf *sb);
/* chk_table_buf, chk_table_file - check_table_buf and check_table with
 * RELAY_LIST: not NULL when the table is consulted before that list's
 * relay guard (open-relay check) */
long chk_table_buf(const char *type, const char *buf, size_t len, const char *file,
		   enum maincf_role role, struct maincf *cf, struct diag_list *dl,
		   struct maincf_list *used, const char *relay_list);
long chk_table_file(const char *type, const char *path, enum maincf_role role,
		    struct maincf *cf, struct diag_list *dl, struct maincf_list *used,
		    const char *relay_list);

#endif
