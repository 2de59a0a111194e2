/*
 * tests/fuzz/fuzz_maincf.c - libFuzzer harness for main.cf.
 *
 * One input = one main.cf.  It is parsed (core/maincf), the parameters
 * restriction evaluation reads are expanded ($name, ${name?...},
 * ${{...} <op> {...}?...}), and the whole of `check` runs over it
 * (core/check; every table it names is missing, which is fine).  Nothing
 * may crash, hang (libFuzzer -timeout) or grow without bound (-rss_limit).
 * Built and run by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/diag.h"
#include "core/maincf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
	"smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_restriction_classes",
	"mynetworks", "mydestination", "relay_domains", "compatibility_level", "myhostname",
	"maillog_file", "command_directory", "a", "b", "x",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct maincf *cf = NULL;
	struct diag_list dl;
	size_t i;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	diag_list_init(&dl);
	if (maincf_parse(&cf, buf, size, "fuzz/main.cf", "/nonexistent-fuzz", &dl) == 0 && cf) {
		struct check_result res;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			(void)maincf_get(cf, names[i], NULL);
		check_result_init(&res);
		(void)check_config_cf(cf, 0, &res);
		check_result_fini(&res);
		maincf_free(cf);
	}
	diag_list_fini(&dl);
	free(buf);
	return 0;
}
