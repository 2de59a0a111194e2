#!/bin/sh
# tests/cli/man-options.sh - every long option the binary accepts (the
# getopt_long tables of tui/main.c and tui/cli_*.c) is documented in
# doc/pfconsole.1; -c's long form --config was accepted but nowhere said.
. "$top_srcdir/tests/lib/tap.sh"

man="$top_srcdir/doc/pfconsole.1"
[ -f "$man" ] || bail "no $man"
# the man page with roff's escaped hyphens as plain ones
text=$(sed 's/\\-/-/g' "$man")
n=0
for f in "$top_srcdir"/tui/main.c "$top_srcdir"/tui/cli_*.c; do
	for o in $(sed -n 's/.*{ *"\([a-z][a-z-]*\)", *[a-z_]*_argument.*/\1/p' "$f" | sort -u); do
		n=$((n + 1))
		if printf '%s\n' "$text" | grep -Eq -- "--$o([^a-z-]|\$)"; then
			ok "--$o (${f##*/}) is in pfconsole.1"
		else
			fail "--$o (${f##*/}) is in pfconsole.1" "doc/pfconsole.1 never mentions --$o"
		fi
	done
done
check "long options found in the sources ($n)" [ "$n" -ge 20 ]
out=$("$PFCONSOLE" --help)
like "--help names --config with -c" "$out" '-c, --config DIR'
tap_done
