/*
 * maps/map_pcre.c - pcre: tables with PCRE2 (8-bit, byte semantics, no
 * PCRE2_UTF), as Postfix's dict_pcre.c: default PCRE2_CASELESS |
 * PCRE2_DOTALL; flags i m s x toggle CASELESS MULTILINE DOTALL EXTENDED,
 * A E U set ANCHORED DOLLAR_ENDONLY UNGREEDY, X is obsolete and ignored;
 * anything else is an error.  Compile errors carry PCRE2's offset.
 * Exports map_pcre_ops only.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_int.h"
#include "maps/map_pattern.h"

struct pc {
	pcre2_code *code;
	pcre2_match_data *md;
};

static void *
pc_compile(const char *pat, size_t len, const char *flags, size_t *nsub, size_t *erroff,
	   long *badflag, char *why, size_t whylen)
{
	uint32_t opts = PCRE2_CASELESS | PCRE2_DOTALL, cap = 0;
	PCRE2_SIZE off = 0;
	int errcode = 0;
	struct pc *pc;
	size_t i;

	for (i = 0; flags[i]; i++) {
		switch (flags[i]) {
		case 'i': opts ^= PCRE2_CASELESS; break;
		case 'm': opts ^= PCRE2_MULTILINE; break;
		case 's': opts ^= PCRE2_DOTALL; break;
		case 'x': opts ^= PCRE2_EXTENDED; break;
		case 'A': opts |= PCRE2_ANCHORED; break;
		case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
		case 'U': opts |= PCRE2_UNGREEDY; break;
		case 'X': break;
		default:
			*badflag = (long)i;
			snprintf(why, whylen, "unknown regexp option \"%c\"", flags[i]);
			return NULL;
		}
	}
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	pc->code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &errcode, &off, NULL);
	if (pc->code == NULL) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		snprintf(why, whylen, "error in regex at offset %zu: %s", (size_t)off, (char *)msg);
		*erroff = off;
		free(pc);
		return NULL;
	}
	pcre2_pattern_info(pc->code, PCRE2_INFO_CAPTURECOUNT, &cap);
	if ((pc->md = pcre2_match_data_create_from_pattern(pc->code, NULL)) == NULL) {
		pcre2_code_free(pc->code);
		free(pc);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	*nsub = cap;
	return pc;
}

static int
pc_match(void *p, const char *key, size_t klen, long *ovec, size_t novec, char *why, size_t whylen)
{
	struct pc *pc = p;
	PCRE2_SIZE *ov;
	uint32_t n, i;
	int r;

	r = pcre2_match(pc->code, (PCRE2_SPTR)key, klen, 0, 0, pc->md, NULL);
	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	if (r < 0) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(r, msg, sizeof(msg));
		snprintf(why, whylen, "matching error %d: %s", r, (char *)msg);
		return -1;
	}
	ov = pcre2_get_ovector_pointer(pc->md);
	n = pcre2_get_ovector_count(pc->md);
	for (i = 0; i < n && 2 * i + 1 < novec; i++) {
		if (ov[2 * i] == PCRE2_UNSET) {
			ovec[2 * i] = ovec[2 * i + 1] = -1;
		} else {
			ovec[2 * i] = (long)ov[2 * i];
			ovec[2 * i + 1] = (long)ov[2 * i + 1];
		}
	}
	return 1;
}

static void
pc_free(void *p)
{
	struct pc *pc = p;

	pcre2_match_data_free(pc->md);
	pcre2_code_free(pc->code);
	free(pc);
}

static const struct pat_engine pc_engine = { pc_compile, pc_match, pc_free };

static struct map *
pc_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	size_t nrules, unsigned open_flags, struct map_error *err)
{
	return map_pattern_open(ops, &pc_engine, name, rules, nrules, open_flags, err);
}

const struct map_ops map_pcre_ops = {
	.type = "pcre",
	.suffix = NULL,
	.flags = MAP_PATTERN,
	.open = pc_open,
	.lookup = map_pattern_lookup,
	.close = map_pattern_close,
};
