/*
 * core/mastercf.h - the one reader of DIR/master.cf.
 *
 * Logical lines as Postfix's readllines() joins them (a line that starts
 * with whitespace continues the previous one; comment and blank lines are
 * skipped, also inside a continued entry), fields as master(8) splits them
 * (whitespace; a "{ ... }" group is one field), and each service's
 * "-o name=value" / "-o { name = value }" / "-oname=value" options after the
 * command, with the FILE:LINE:COL of each field and option value.
 */
#ifndef PFCONSOLE_CORE_MASTERCF_H
#define PFCONSOLE_CORE_MASTERCF_H

#include <stddef.h>

struct mastercf_field {
	char *text;
	unsigned line, col;         /* where it starts (1-based) */
};

struct mastercf_option {
	char *name, *value;         /* trimmed, braces removed */
	unsigned line, col;         /* of the value text ("name=value", after '{') */
};

struct mastercf_service {
	struct mastercf_field *f;   /* f[0] service name, f[1] type ... f[7] command */
	size_t nf;
	struct mastercf_option *opt;
	size_t nopt;
	unsigned line;              /* first physical line */
};

struct mastercf {
	char *path;                 /* DIR/master.cf */
	struct mastercf_service *v;
	size_t n;
};

/* mastercf_read - read DIR/master.cf (a regular file, size-bounded: see
 * util/safeopen.h) into M: 0, or -1 with errno (ENOENT when absent, ENOMEM).
 * M is always initialised; mastercf_free it either way. */
int mastercf_read(struct mastercf *m, const char *dir);
void mastercf_free(struct mastercf *m);
/* mastercf_command - the command (field 8) of S, or "" */
const char *mastercf_command(const struct mastercf_service *s);

#endif
