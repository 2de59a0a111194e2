/*
 * core/diag.c - diagnostic list and its text and JSON renderings.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "util/textwidth.h"

static const struct {
	const char *name;
	enum diag_severity sev;
	const char *desc;
} codes[] = {
#define DIAG_CODE(id, str, sev, desc) { str, sev, desc },
#include "core/diag_codes.h"
#undef DIAG_CODE
};

void
diag_list_init(struct diag_list *dl)
{
	dl->v = NULL;
	dl->n = dl->cap = 0;
}

void
diag_list_clear(struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		free(dl->v[i].file);
		free(dl->v[i].message);
	}
	dl->n = 0;
}

void
diag_list_fini(struct diag_list *dl)
{
	diag_list_clear(dl);
	free(dl->v);
	diag_list_init(dl);
}

static int
diag_vadd(struct diag_list *dl, enum diag_severity sev, enum diag_code code,
	  const char *file, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	struct strbuf sb;
	struct diag *d;

	if (dl->n == dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 16;
		struct diag *v = realloc(dl->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		dl->v = v;
		dl->cap = cap;
	}
	strbuf_init(&sb);
	if (strbuf_vaddf(&sb, fmt, ap) < 0)
		return -1;
	d = &dl->v[dl->n];
	d->file = strdup(file ? file : "");
	if (d->file == NULL) {
		strbuf_fini(&sb);
		return -1;
	}
	d->message = strbuf_export(&sb);
	d->line = line;
	d->col = col;
	d->severity = sev;
	d->code = code;
	dl->n++;
	return 0;
}

int
diag_add(struct diag_list *dl, enum diag_code code, const char *file,
	 unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vadd(dl, codes[code].sev, code, file, line, col, fmt, ap);
	va_end(ap);
	return r;
}

int
diag_add_sev(struct diag_list *dl, enum diag_severity sev, enum diag_code code,
	     const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vadd(dl, sev, code, file, line, col, fmt, ap);
	va_end(ap);
	return r;
}

int
diag_list_splice(struct diag_list *dl, struct diag_list *ins, const size_t *pos)
{
	struct diag *v;
	size_t i = 0, k, n = 0;

	if (ins->n == 0)
		return 0;
	if ((v = malloc((dl->n + ins->n) * sizeof(*v))) == NULL)
		return -1;
	for (k = 0; k < ins->n; k++) {
		size_t p = pos[k] < dl->n ? pos[k] : dl->n;

		while (i < p)
			v[n++] = dl->v[i++];
		v[n++] = ins->v[k];
	}
	while (i < dl->n)
		v[n++] = dl->v[i++];
	free(dl->v);
	dl->v = v;
	dl->n = dl->cap = n;
	free(ins->v);
	diag_list_init(ins);
	return 0;
}

size_t
diag_count(const struct diag_list *dl, enum diag_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < dl->n; i++)
		n += dl->v[i].severity == sev;
	return n;
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x < y ? -1 : x > y;
}

void
diag_sort(struct diag_list *dl)
{
	/* insertion sort keeps equal elements in insertion order */
	size_t i, j;

	for (i = 1; i < dl->n; i++) {
		struct diag t = dl->v[i];

		for (j = i; j > 0 && diag_cmp(&dl->v[j - 1], &t) > 0; j--)
			dl->v[j] = dl->v[j - 1];
		dl->v[j] = t;
	}
}

const char *
diag_code_name(enum diag_code code)
{
	return codes[code].name;
}

const char *
diag_code_desc(enum diag_code code)
{
	return codes[code].desc;
}

enum diag_severity
diag_code_severity(enum diag_code code)
{
	return codes[code].sev;
}

int
diag_code_lookup(const char *name)
{
	int i;

	for (i = 0; i < DIAG_NCODES; i++)
		if (strcmp(codes[i].name, name) == 0)
			return i;
	return -1;
}

const char *
diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

int
diag_format_text(const struct diag *d, struct strbuf *out)
{
	return strbuf_addf(out, "%s:%u:%u: %s: %s [%s]", d->file, d->line, d->col,
			   diag_severity_name(d->severity), d->message, codes[d->code].name);
}

int
diag_format_json(const struct diag *d, struct strbuf *out)
{
	if (strbuf_addstr(out, "{\"file\":") < 0 ||
	    strbuf_add_json_string(out, d->file, strlen(d->file)) < 0 ||
	    strbuf_addf(out, ",\"line\":%u,\"col\":%u,\"severity\":\"%s\",\"code\":\"%s\",\"message\":",
			d->line, d->col, diag_severity_name(d->severity), codes[d->code].name) < 0 ||
	    strbuf_add_json_string(out, d->message, strlen(d->message)) < 0)
		return -1;
	return strbuf_addch(out, '}');
}

unsigned
diag_column(const char *line, size_t off)
{
	bool utf8 = text_locale_utf8();
	unsigned col = 0;
	size_t i = 0;

	while (i < off && line[i]) {
		int w;

		if (line[i] == '\t') {
			col = (col / 8 + 1) * 8;
			i++;
			continue;
		}
		i += text_char(line + i, off - i, utf8, &w);
		col += (unsigned)w;
	}
	return col + 1;
}
