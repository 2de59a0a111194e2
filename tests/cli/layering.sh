#!/bin/sh
# Layering: tui -> core -> maps -> util, never back.  Fails on an upward
# #include: util/ including maps/, core/ or tui/ headers, maps/ including
# core/ or tui/ headers, core/ including tui/ headers, and curses below
# tui/.  The checker is first run on a small fake tree with known
# violations, so this test cannot pass by finding nothing.
. "$top_srcdir/tests/lib/tap.sh"

# upward SRCDIR - print "file:line: include" for every upward include
upward() {
	(
		cd "$1" || exit 2
		for f in $(find util maps core -name '*.[ch]' 2>/dev/null | sort); do
			case $f in
			util/*) bad='"(\.\./)*(maps|core|tui)/|<(ncursesw/[a-z_]+|n?curses|term|panel|menu|form)\.h>' ;;
			maps/*) bad='"(\.\./)*(core|tui)/|<(ncursesw/[a-z_]+|n?curses|term|panel|menu|form)\.h>' ;;
			core/*) bad='"(\.\./)*tui/|<(ncursesw/[a-z_]+|n?curses|term|panel|menu|form)\.h>' ;;
			esac
			grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*($bad)" "$f" /dev/null |
				sed 's/[[:space:]]*$//'
		done
	)
}

fake=$(mktemp -d); trap 'rm -rf "$fake"' EXIT
mkdir -p "$fake/util" "$fake/maps" "$fake/core" "$fake/tui"
printf '#include "util/strbuf.h"\n#include <stdio.h>\n' >"$fake/util/ok.c"
printf '#include "maps/map.h"\n' >"$fake/util/bad6.c"
printf '# include "../core/diag.h"\n' >"$fake/util/bad7.h"
printf '#include <curses.h>\n' >"$fake/util/bad8.c"
printf '#include "maps/map.h"\n#include "util/strbuf.h"\n#include <stdio.h>\n' >"$fake/maps/ok.c"
printf '#include "core/diag.h"\n' >"$fake/maps/bad1.c"
printf '  #  include "../tui/cli.h"\n' >"$fake/maps/bad2.h"
printf '#include "maps/map.h"\n#include "util/strbuf.h"\n#include <termios.h>\n' >"$fake/core/ok.c"
printf '#include <ncursesw/curses.h>\n' >"$fake/core/bad5.c"
printf '#include "tui/cli.h"\n' >"$fake/core/bad3.c"
printf '#include <ncurses.h>\n' >"$fake/core/bad4.c"
printf '#include <curses.h>\n#include "core/diag.h"\n' >"$fake/tui/ok.c"
got=$(upward "$fake")
is "the checker finds each planted violation, and only those" "$got" \
'core/bad3.c:1:#include "tui/cli.h"
core/bad4.c:1:#include <ncurses.h>
core/bad5.c:1:#include <ncursesw/curses.h>
maps/bad1.c:1:#include "core/diag.h"
maps/bad2.h:1:  #  include "../tui/cli.h"
util/bad6.c:1:#include "maps/map.h"
util/bad7.h:1:# include "../core/diag.h"
util/bad8.c:1:#include <curses.h>'

for d in util maps core; do
	[ -d "$top_srcdir/$d" ] || bail "no $d/ in $top_srcdir"
	n=$(find "$top_srcdir/$d" -name '*.[ch]' | wc -l)
	like "there are sources to check in $d/" "$n" '^[1-9]'
done
got=$(upward "$top_srcdir")
is "no upward #include in util/, maps/ or core/" "$got" ""
tap_done
