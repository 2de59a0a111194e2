/*
 * tests/fuzz/fuzz_table.c - libFuzzer harness for table sources.
 *
 * One input = one table source; its first byte picks the type and role
 * (hash/cdb access for client, sender, recipient; transport; regexp and
 * pcre header_checks and access; cidr).  The source is validated as
 * `check` does (core/check: postmap input, regexp/pcre rules compiled by
 * maps/), and loaded as the editor does (core/tabledoc), whose text must
 * give back the input byte for byte.  Built and run by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/diag.h"
#include "core/maincf.h"
#include "core/tabledoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *type;
	enum maincf_role role;
	enum tabledoc_syntax syntax;
} kinds[] = {
	{ "hash", MAINCF_ROLE_CLIENT, TABLEDOC_KV },
	{ "hash", MAINCF_ROLE_SENDER, TABLEDOC_KV },
	{ "cdb", MAINCF_ROLE_RECIPIENT, TABLEDOC_KV },
	{ "hash", MAINCF_ROLE_TRANSPORT, TABLEDOC_KV },
	{ "regexp", MAINCF_ROLE_HEADER_CHECKS, TABLEDOC_PATTERN },
	{ "pcre", MAINCF_ROLE_HEADER_CHECKS, TABLEDOC_PATTERN },
	{ "pcre", MAINCF_ROLE_SENDER, TABLEDOC_PATTERN },
	{ "cidr", MAINCF_ROLE_CLIENT, TABLEDOC_KV },
	{ "hash", MAINCF_ROLE_LIST, TABLEDOC_KV },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t k, len;
	char *buf;
	struct diag_list dl;
	struct tabledoc *doc = NULL;

	if (size == 0)
		return 0;
	k = data[0] % (sizeof(kinds) / sizeof(kinds[0]));
	len = size - 1;
	/* a copy of exactly LEN bytes, so ASan catches any read past it */
	if ((buf = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, len);
	diag_list_init(&dl);
	(void)check_table_buf(kinds[k].type, buf, len, "fuzz", kinds[k].role, NULL, &dl, NULL);
	diag_list_fini(&dl);
	diag_list_init(&dl);
	if (tabledoc_parse(&doc, buf, len, "fuzz", kinds[k].syntax, &dl) == 0) {
		size_t n;
		const char *t = tabledoc_text(doc, &n);

		if (n != len || memcmp(t, buf, len) != 0)
			abort();        /* the editor must keep every byte */
		tabledoc_free(doc);
	}
	diag_list_fini(&dl);
	free(buf);
	return 0;
}
