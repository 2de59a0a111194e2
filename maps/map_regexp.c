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

/*
 * rx_weight - about how many nodes glibc's regcomp builds for PAT.  It
 * copies what a repetition repeats ("x+" becomes "x x*", "x{n,m}" m copies
 * of x), so stacked or nested repetitions multiply: "a" followed by 18 '+'
 * took 172 MB to compile here, 19 of them 351 MB, 20 of them 718 MB.  Atoms, bracket
 * expressions and groups count one; alternatives and sequences add.  ERE
 * unless EXTENDED is off (x flag: BRE, with GNU's \+ \? \| and \{n,m\}).
 */
#define RX_WEIGHT_MAX 1048576.0     /* ~350 MB of regcomp's memory (19 '+') */
#define RX_DEPTH 64

static double
rx_weight(const char *p, int ere)
{
	double seq[RX_DEPTH], alt[RX_DEPTH], last[RX_DEPTH];
	int d = 0;

	seq[0] = alt[0] = last[0] = 0;
	while (*p) {
		int esc = p[0] == '\\' && p[1] != 0;
		char c = esc ? p[1] : p[0];
		size_t adv = esc ? 2 : 1;
		double f = -1, w;

		if (esc == !ere && c == '(') {
			if (++d == RX_DEPTH)
				return RX_WEIGHT_MAX * 2;
			seq[d] = alt[d] = last[d] = 0;
			p += adv;
			continue;
		}
		if (esc == !ere && c == ')' && d > 0) {
			w = alt[d] + seq[d] + 1;
			d--;
			seq[d] += w;
			last[d] = w;
			p += adv;
			continue;
		}
		if (esc == !ere && c == '|') {
			alt[d] += seq[d];
			seq[d] = last[d] = 0;
			p += adv;
			continue;
		}
		if (!esc && c == '*')
			f = 1;
		else if (esc == !ere && (c == '+' || c == '?'))
			f = c == '+' ? 2 : 1;
		else if (esc == !ere && c == '{' && p[adv] >= '0' && p[adv] <= '9') {
			const char *q = p + adv;
			double n = 0, m = -1;

			while (*q >= '0' && *q <= '9')
				n = n * 10 + (*q++ - '0');
			if (*q == ',') {
				q++;
				if (*q >= '0' && *q <= '9')
					for (m = 0; *q >= '0' && *q <= '9'; q++)
						m = m * 10 + (*q - '0');
				else
					m = n + 1;  /* {n,}: n copies and a star */
			} else
				m = n;
			if (!ere && q[0] == '\\')
				q++;
			if (*q == '}') {
				f = m > n ? m : n;
				adv = (size_t)(q + 1 - p);
			}
		}
		if (f >= 0) {
			seq[d] -= last[d];
			last[d] = last[d] * f + 1;
			seq[d] += last[d];
		} else {
			if (!esc && c == '[') {
				/* a bracket expression is one node: skip to its ']' */
				const char *q = p + 1;

				if (*q == '^')
					q++;
				if (*q == ']')
					q++;
				while (*q && *q != ']') {
					if (q[0] == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
						const char *e = strchr(q + 2, q[1]);

						q = e && e[1] == ']' ? e + 2 : q + 1;
					} else
						q++;
				}
				adv = (size_t)(q - p) + (*q ? 1 : 0);
			}
			seq[d] += 1;
			last[d] = 1;
		}
		if (alt[d] + seq[d] > RX_WEIGHT_MAX)
			return alt[d] + seq[d];
		p += adv;
	}
	while (d > 0) {
		double w = alt[d] + seq[d] + 1;

		d--;
		seq[d] += w;
	}
	return alt[0] + seq[0];
}

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
	if (rx_weight(pat, (cflags & REG_EXTENDED) != 0) > RX_WEIGHT_MAX) {
		/* not compiled here: pfconsole would need that memory too */
		snprintf(why, whylen, "needs hundreds of megabytes to compile (regcomp copies what each + "
			 "or {n,m} repeats, and these multiply); where Postfix cannot get "
			 "that, regcomp fails");
		*erroff = 0;
		return NULL;
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
