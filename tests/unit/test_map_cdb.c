/* tests/unit/test_map_cdb.c - the cdb: backend: build, read, fold, duplicates,
 * abort, and files exchanged with the real postmap both ways. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "maps/map.h"
#include "tests/unit/test_map_lib.h"

#define TYPE "cdb"
#define SUFFIX ".cdb"
#include "tests/unit/test_map_indexed.h"

int
main(void)
{
	const struct CMUnitTest tests[] = {
		INDEXED_TESTS,
	};

	return cmocka_run_group_tests(tests, tl_setup, tl_teardown);
}
