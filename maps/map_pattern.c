/*
 * maps/map_pattern.c - the rule-list machinery of regexp: and pcre: tables
 * (see map_pattern.h), modelled on Postfix's dict_regexp.c/dict_pcre.c
 * lookup loop: rules top to bottom, the first match returns its expanded
 * result; a failing "if" skips to its "endif"; an "if" without "endif" that
 * fails ends the lookup with "not found".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_int.h"
#include "maps/map_pattern.h"

struct prule {
	enum map_rule_kind kind;
	void *re;                   /* NULL for ENDIF */
	void *re2;                  /* second pattern (must not match), or NULL */
	int negate;
	char *result;               /* copied, NUL-terminated; NULL for IF/ENDIF */
	size_t rlen;
	size_t nsub;
	size_t skip_to;             /* IF: index after its ENDIF, or n when none */
	size_t orig;                /* index in the caller's rule list */
	unsigned line;
};

struct pattern_map {
	struct map m;               /* first */
	const struct pat_engine *eng;
	struct prule *r;
	size_t n;
	long *ovec;
	size_t novec;
	struct strbuf key;
	struct strbuf out;
};

/* parse_ref - at RES[i] == '$': kind of reference.  Returns 0 for "$$"
 * (a literal $, *ADV = 2), 1 group *NUM, -1 bad syntax (WHY filled): as
 * Postfix's mac_parse, a '$' followed by neither '$', a name, '{' nor '('
 * is an "empty macro name" and the rule is dropped. */
static int
parse_ref(const char *res, size_t len, size_t i, size_t *adv, unsigned long *num,
	  char *why, size_t whylen)
{
	size_t j = i + 1, s, e;
	char close = 0;
	unsigned long v = 0;

	if (j >= len) {
		snprintf(why, whylen, "empty macro name: \"%.*s\"", (int)len, res);
		return -1;
	}
	if (res[j] == '$') {
		*adv = 2;
		return 0;
	}
	if (res[j] == '{' || res[j] == '(') {
		close = res[j] == '{' ? '}' : ')';
		s = j + 1;
		for (e = s; e < len && res[e] != close; e++)
			;
		if (e >= len) {
			snprintf(why, whylen, "truncated macro reference: \"%.*s\"", (int)(len - i), res + i);
			return -1;
		}
		*adv = e + 1 - i;
	} else if (isalnum((unsigned char)res[j]) || res[j] == '_') {
		s = j;
		for (e = s; e < len && (isalnum((unsigned char)res[e]) || res[e] == '_'); e++)
			;
		*adv = e - i;
	} else {
		/* Postfix's mac_parse: a '$' not followed by a name is an error */
		snprintf(why, whylen, "empty macro name: \"%.*s\"", (int)len, res);
		return -1;
	}
	if (e == s) {
		snprintf(why, whylen, "empty macro name: \"%.*s\"", (int)len, res);
		return -1;
	}
	for (j = s; j < e; j++) {
		if (!isdigit((unsigned char)res[j])) {
			snprintf(why, whylen, "non-numeric replacement index \"%.*s\"", (int)(e - s), res + s);
			return -1;
		}
		if (v < 100000)
			v = v * 10 + (unsigned long)(res[j] - '0');
	}
	*num = v;
	return 1;
}

/* check_result - Postfix's prescan of the replacement text */
static int
check_result(const struct map_rule *mr, size_t nsub, unsigned open_flags, size_t *off,
	     char *why, size_t whylen)
{
	size_t i, adv;
	unsigned long num;
	int r;

	for (i = 0; i < mr->result_len; i += adv) {
		if (mr->result[i] != '$') {
			adv = 1;
			continue;
		}
		*off = i;
		r = parse_ref(mr->result, mr->result_len, i, &adv, &num, why, whylen);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (open_flags & MAP_OPEN_NO_REGSUB) {
			snprintf(why, whylen, "regular expression substitution is not allowed");
			return -1;
		}
		if (mr->negate) {
			snprintf(why, whylen, "$number found in negative match replacement text");
			return -1;
		}
		if (num == 0 || num > nsub) {
			snprintf(why, whylen, "out of range replacement index \"%lu\"", num);
			return -1;
		}
	}
	return 0;
}

static void
free_rules(struct pattern_map *pm)
{
	size_t i;

	for (i = 0; i < pm->n; i++) {
		if (pm->r[i].re)
			pm->eng->free(pm->r[i].re);
		if (pm->r[i].re2)
			pm->eng->free(pm->r[i].re2);
		free(pm->r[i].result);
	}
	free(pm->r);
	pm->r = NULL;
	pm->n = 0;
}

/* compile_one - compile rule MR into PR; 0, or -1 with ERR filled */
static int
compile_one(struct pattern_map *pm, const struct map_rule *mr, size_t idx, unsigned open_flags,
	    struct prule *pr, struct map_error *err)
{
	char why[200];
	size_t erroff = 0, nsub = 0, nsub2 = 0, off = 0;
	long badflag = -1;
	char *pat;

	memset(pr, 0, sizeof(*pr));
	pr->kind = mr->kind;
	pr->negate = mr->negate;
	pr->orig = idx;
	pr->line = mr->line;
	if (mr->kind == MAP_RULE_ENDIF)
		return 0;
	err->rule = idx;
	if (mr->pattern == NULL || (pat = map_strndup(mr->pattern, mr->pattern_len)) == NULL)
		return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	why[0] = 0;
	pr->re = pm->eng->compile(pat, mr->pattern_len, mr->flags ? mr->flags : "", &nsub,
				  &erroff, &badflag, why, sizeof(why));
	free(pat);
	if (pr->re == NULL) {
		err->where = badflag >= 0 ? MAP_ERR_FLAGS : MAP_ERR_PATTERN;
		err->offset = badflag >= 0 ? (size_t)badflag : erroff;
		return map_error_set(err, 0, "%s", why);
	}
	pr->nsub = nsub;
	if (mr->pattern2 != NULL) {
		if ((pat = map_strndup(mr->pattern2, mr->pattern2_len)) == NULL)
			return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		erroff = 0;
		badflag = -1;
		pr->re2 = pm->eng->compile(pat, mr->pattern2_len, mr->flags2 ? mr->flags2 : "", &nsub2,
					   &erroff, &badflag, why, sizeof(why));
		free(pat);
		if (pr->re2 == NULL) {
			err->where = MAP_ERR_PATTERN2;
			err->offset = badflag >= 0 ? (size_t)badflag : erroff;
			return map_error_set(err, 0, "%s", why);
		}
	}
	if (mr->kind == MAP_RULE_MATCH) {
		if (mr->result != NULL && check_result(mr, nsub, open_flags, &off, why, sizeof(why)) < 0) {
			err->where = MAP_ERR_RESULT;
			err->offset = off;
			return map_error_set(err, 0, "%s", why);
		}
		pr->rlen = mr->result ? mr->result_len : 0;
		if ((pr->result = map_strndup(mr->result ? mr->result : "", pr->rlen)) == NULL)
			return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	}
	return 0;
}

/* map_pattern_open - compile RULES */
struct map *
map_pattern_open(const struct map_ops *ops, const struct pat_engine *eng, const char *name,
		 const struct map_rule *rules, size_t nrules, unsigned open_flags,
		 struct map_error *err)
{
	struct pattern_map *pm;
	struct map_error scratch;
	size_t i, j, depth, maxsub = 0;

	(void)ops;
	if (err == NULL)
		err = &scratch;
	if ((pm = calloc(1, sizeof(*pm))) == NULL
	    || (pm->r = calloc(nrules ? nrules : 1, sizeof(*pm->r))) == NULL
	    || (pm->m.name = map_strndup(name ? name : "", name ? strlen(name) : 0)) == NULL) {
		if (pm) {
			free(pm->r);
			free(pm);
		}
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	pm->eng = eng;
	for (i = 0; i < nrules; i++) {
		struct prule *pr = &pm->r[pm->n];

		if (compile_one(pm, &rules[i], i, open_flags, pr, err) < 0) {
			if (pr->re)
				eng->free(pr->re);
			if (pr->re2)
				eng->free(pr->re2);
			free(pr->result);
			memset(pr, 0, sizeof(*pr));
			if ((open_flags & MAP_OPEN_SKIP_BAD) && err->errnum == 0)
				continue;
			goto fail;
		}
		if (pr->nsub > maxsub)
			maxsub = pr->nsub;
		pm->n++;
	}
	/* Match each IF with its ENDIF; stray ENDIFs are ignored (kept as no-ops). */
	for (i = 0; i < pm->n; i++) {
		if (pm->r[i].kind != MAP_RULE_IF)
			continue;
		pm->r[i].skip_to = pm->n;
		for (depth = 0, j = i + 1; j < pm->n; j++) {
			if (pm->r[j].kind == MAP_RULE_IF)
				depth++;
			else if (pm->r[j].kind == MAP_RULE_ENDIF) {
				if (depth == 0) {
					pm->r[i].skip_to = j + 1;
					break;
				}
				depth--;
			}
		}
	}
	pm->novec = 2 * (maxsub + 1);
	if ((pm->ovec = calloc(pm->novec, sizeof(*pm->ovec))) == NULL) {
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		goto fail;
	}
	return &pm->m;
fail:
	free_rules(pm);
	free(pm->ovec);
	free(pm->m.name);
	free(pm);
	return NULL;
}

/* expand - the result of rule PR with the groups of KEY */
static int
expand(struct pattern_map *pm, const struct prule *pr, const char *key)
{
	size_t i, adv;
	unsigned long num;
	char why[8];

	pm->out.len = 0;
	if (strbuf_reserve(&pm->out, pr->rlen) < 0)
		return -1;
	for (i = 0; i < pr->rlen; i += adv) {
		const char *res = pr->result;

		if (res[i] != '$') {
			size_t k = i;

			while (k < pr->rlen && res[k] != '$')
				k++;
			adv = k - i;
			if (strbuf_add(&pm->out, res + i, adv) < 0)
				return -1;
			continue;
		}
		switch (parse_ref(res, pr->rlen, i, &adv, &num, why, sizeof(why))) {
		case 0:
			if (strbuf_add(&pm->out, "$", 1) < 0)
				return -1;
			break;
		case 1:
			if (num <= pr->nsub && pm->ovec[2 * num] >= 0 && pm->ovec[2 * num + 1] > pm->ovec[2 * num]) {
				long s = pm->ovec[2 * num], e = pm->ovec[2 * num + 1];

				if (strbuf_add(&pm->out, key + s, (size_t)(e - s)) < 0)
					return -1;
			}
			break;
		default:
			break;
		}
	}
	if (pm->out.buf == NULL && strbuf_add(&pm->out, "", 0) < 0)
		return -1;
	return 0;
}

/* map_pattern_lookup - first matching rule's expanded result */
int
map_pattern_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit,
		   struct map_error *err)
{
	struct pattern_map *pm = (struct pattern_map *)m;
	char why[200];
	size_t i = 0;
	int r;

	pm->key.len = 0;
	if (strbuf_add(&pm->key, key, klen) < 0)
		return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	key = pm->key.buf;
	m->warning[0] = '\0';
	while (i < pm->n) {
		struct prule *pr = &pm->r[i];
		size_t k;

		if (pr->kind == MAP_RULE_ENDIF) {
			i++;
			continue;
		}
		for (k = 0; k < pm->novec; k++)
			pm->ovec[k] = -1;
		r = pm->eng->match(pr->re, key, klen, pm->ovec, 2 * (pr->nsub + 1), why, sizeof(why));
		if (r >= 0) {
			r = pr->negate ? !r : r;
			if (r && pr->re2 != NULL) {
				int r2 = pm->eng->match(pr->re2, key, klen, NULL, 0, why, sizeof(why));

				r = r2 < 0 ? -1 : !r2;
			}
		}
		if (r < 0) {
			/* Postfix: a warning, and the rule neither matches nor
			 * fails to match: the next rule is tried (an "if" is
			 * not entered) */
			snprintf(m->warning, sizeof(m->warning), "%s map %s, rule %zu: %s; rule skipped",
				 m->ops->type, m->name, pr->orig + 1, why);
			i = pr->kind == MAP_RULE_IF ? pr->skip_to : i + 1;
			continue;
		}
		if (pr->kind == MAP_RULE_IF) {
			i = r ? i + 1 : pr->skip_to;
			continue;
		}
		if (r) {
			if (expand(pm, pr, key) < 0)
				return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
			hit->val = pm->out.buf;
			hit->vlen = pm->out.len;
			hit->rule = pr->orig;
			return 1;
		}
		i++;
	}
	return 0;
}

void
map_pattern_close(struct map *m)
{
	struct pattern_map *pm = (struct pattern_map *)m;

	free_rules(pm);
	free(pm->ovec);
	strbuf_fini(&pm->key);
	strbuf_fini(&pm->out);
	free(m->name);
	free(pm);
}
