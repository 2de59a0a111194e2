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
# the short options of feed and console are in the page, with their long twins
for o in "-l, --log" "-j, --json" "-s, --since" "-g, --grep" "-x, --exclude" "-S, --stats" \
	"-t, --top" "-r, --read-only" "-k, --keys" "-f, --follow" "-n, --last"; do
	s=${o%%,*} l=${o#*, }
	like "pfconsole.1 documents $o" "$text" "$s \", \" $l"
done
# it renders at 80 columns without troff's complaints (a JSON word too long
# to break made "cannot adjust line" and stretched words)
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
	is "man renders pfconsole.1 at 80 columns without warnings" "$warn" ""
else
	skip "man or groff is not installed"
fi
tap_done
