/*
 * core/diag.h - diagnostics: input problems found in tables and main.cf.
 *
 * A diag_list collects problems; nothing in core/ prints.  The CLI renders a
 * list as text (FILE:LINE:COL: error: message [code]) or JSON lines; the TUI
 * shows it in place.  Line and column are 1-based; column 0 means "whole
 * line", line 0 "whole file".  Columns count display cells (tabs to 8).
 * The list owns copies of every string given to it.
 */
#ifndef CORE_DIAG_H
#define CORE_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

enum diag_severity { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

enum diag_code {
#define DIAG_CODE(id, str, sev, desc) DIAG_##id,
#include "core/diag_codes.h"
#undef DIAG_CODE
	DIAG_NCODES
};

struct diag {
	char *file;
	unsigned line;
	unsigned col;
	enum diag_severity severity;
	enum diag_code code;
	char *message;
};

struct diag_list {
	struct diag *v;
	size_t n;
	size_t cap;
};

void diag_list_init(struct diag_list *dl);
void diag_list_fini(struct diag_list *dl);
void diag_list_clear(struct diag_list *dl);
/* diag_add - append a diagnostic with the code's default severity.
 * Returns 0, or -1 on ENOMEM (the diagnostic is lost, the list intact). */
int diag_add(struct diag_list *dl, enum diag_code code, const char *file,
	     unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* diag_add_sev - the same with an explicit severity. */
int diag_add_sev(struct diag_list *dl, enum diag_severity sev, enum diag_code code,
		 const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
size_t diag_count(const struct diag_list *dl, enum diag_severity sev);
/* diag_list_splice - move the N diagnostics of INS into DL, INS->v[k]
 * before what is now DL->v[POS[k]] (POS non-decreasing, at most DL->n;
 * equal positions keep INS's order).  INS is left empty.  0, or -1 on
 * ENOMEM (both lists unchanged). */
int diag_list_splice(struct diag_list *dl, struct diag_list *ins, const size_t *pos);
/* diag_sort - by file, line, column, then insertion order. */
void diag_sort(struct diag_list *dl);

const char *diag_code_name(enum diag_code code);
const char *diag_code_desc(enum diag_code code);
enum diag_severity diag_code_severity(enum diag_code code);
/* diag_code_lookup - code by its string name; -1 if unknown */
int diag_code_lookup(const char *name);
const char *diag_severity_name(enum diag_severity sev);

/* diag_format_text - "FILE:LINE:COL: error: message [code]" (no newline) */
int diag_format_text(const struct diag *d, struct strbuf *out);
/* diag_format_json - {"file":..,"line":..,"col":..,"severity":..,"code":..,"message":..} */
int diag_format_json(const struct diag *d, struct strbuf *out);

/* diag_column - display column (1-based) of byte offset OFF in LINE:
 * tabs advance to the next multiple of 8, UTF-8 characters count their
 * display width (wcwidth; invalid bytes count 1). */
unsigned diag_column(const char *line, size_t off);

#endif
