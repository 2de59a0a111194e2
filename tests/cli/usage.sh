#!/bin/sh
# Global options, --help, --version and usage errors of the pfconsole binary.
. "$top_srcdir/tests/lib/tap.sh"

out=$("$PFCONSOLE" --help); rc=$?
is "--help exits 0" "$rc" 0
like "--help lists the commands" "$out" 'check .*explain|explain'
for c in check build query explain feed reload; do
	like "--help mentions $c" "$out" "^  $c "
done
out=$("$PFCONSOLE" --version); rc=$?
is "--version exits 0" "$rc" 0
like "--version prints the version" "$out" '^pfconsole [0-9]+\.[0-9]+\.[0-9]+$'
out=$("$PFCONSOLE" frobnicate 2>&1); rc=$?
is "unknown command exits 2" "$rc" 2
like "unknown command is named" "$out" "unknown command 'frobnicate'"
out=$("$PFCONSOLE" --bogus 2>&1); rc=$?
is "unknown option exits 2" "$rc" 2
tap_done
