/*
 * maps/map_regexp.c - regexp: tables with POSIX regcomp/regexec, as
 * Postfix's dict_regexp.c: default REG_EXTENDED | REG_ICASE; flag i toggles
 * REG_ICASE (so /x/i is case-SENSITIVE), x toggles REG_EXTENDED (basic RE),
 * m toggles REG_NEWLINE; any other flag is an error.  regcomp gives no
 * error offset: the error is located at the pattern (offset 0).
 * Exports map_regexp_ops only.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_int.h"
#include "maps/map_pattern.h"

static void *
rx_compile(const char *pat, size_t len, const char *flags, size_t *nsub, size_t *erroff,
	   long *badflag, char *why, size_t whylen)
{
	int cflags = REG_EXTENDED | REG_ICASE;
	regex_t *re;
	size_t i;
	int r;

	(void)len;
	for (i = 0; flags[i]; i++) {
		switch (flags[i]) {
		case 'i':
			cflags ^= REG_ICASE;
			break;
		case 'x':
			cflags ^= REG_EXTENDED;
			break;
		case 'm':
			cflags ^= REG_NEWLINE;
			break;
		default:
			*badflag = (long)i;
			snprintf(why, whylen, "unknown regexp option \"%c\"", flags[i]);
			return NULL;
		}
	}
	if ((re = malloc(sizeof(*re))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if ((r = regcomp(re, pat, cflags)) != 0) {
		regerror(r, re, why, whylen);
		free(re);
		*erroff = 0;
		return NULL;
	}
	*nsub = re->re_nsub;
	return re;
}

static int
rx_match(void *p, const char *key, size_t klen, long *ovec, size_t novec, char *why, size_t whylen)
{
	regex_t *re = p;
	regmatch_t pm[32];
	size_t n = novec / 2, i;
	int r;

	(void)klen;
	if (n > sizeof(pm) / sizeof(pm[0]))
		n = sizeof(pm) / sizeof(pm[0]);
	r = regexec(re, key, n, n ? pm : NULL, 0);
	if (r == REG_NOMATCH)
		return 0;
	if (r != 0) {
		regerror(r, re, why, whylen);
		return -1;
	}
	for (i = 0; i < n; i++) {
		ovec[2 * i] = pm[i].rm_so;
		ovec[2 * i + 1] = pm[i].rm_eo;
	}
	return 1;
}

static void
rx_free(void *p)
{
	regfree(p);
	free(p);
}

static const struct pat_engine rx_engine = { rx_compile, rx_match, rx_free };

static struct map *
rx_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	size_t nrules, unsigned open_flags, struct map_error *err)
{
	return map_pattern_open(ops, &rx_engine, name, rules, nrules, open_flags, err);
}

const struct map_ops map_regexp_ops = {
	.type = "regexp",
	.suffix = NULL,
	.flags = MAP_PATTERN,
	.open = rx_open,
	.lookup = map_pattern_lookup,
	.close = map_pattern_close,
};
