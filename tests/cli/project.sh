#!/bin/sh
# Project-level promises: the README gives exactly two set-up commands and
# dev.sh implements them; CI runs the test command; every shell test in the
# tree is registered in a TESTS list and distributed.
. "$top_srcdir/tests/lib/tap.sh"
cd "$top_srcdir" || bail "no $top_srcdir"

# indented code lines of the README's set-up section
setup=$(sed -n '/^## Set up/,/^## /p' README.md | sed -n 's/^    \([^ ].*\)/\1/p')
is "README: exactly two set-up commands" "$setup" './dev.sh demo
./dev.sh test'
like "README: the test command ends with N passed, N failed" "$(cat README.md)" 'N passed, N failed'
like "dev.sh: demo runs demo/run-demo.sh" "$(grep -E '^demo\)' dev.sh)" 'demo/run-demo\.sh'
like "dev.sh: test runs tests/run-all.sh" "$(grep -E '^test\)' dev.sh)" 'tests/run-all\.sh'
out=$(sh dev.sh frobnicate 2>&1); rc=$?
is "dev.sh: an unknown command exits 2" "$rc" 2
like "dev.sh: and says how to call it" "$out" '^usage: .*demo\|test'
like ".ci/run: runs the test command" "$(grep -v '^#' .ci/run)" '^\./dev\.sh test$'
like "run-all.sh: prints N passed, N failed" "$(cat tests/run-all.sh)" 'echo "\$\(\(pass \+ xfail\)\) passed, \$failed failed'

# every tests/**/*.sh except libraries, run-all.sh, benchmarks and fuzzing is
# named in a Makefile fragment (TESTS, and so EXTRA_DIST)
incs=$(find . -path './build*' -prune -o -name '*.inc' -print | sort)
regs=$(cat Makefile.am $incs)
n=$(find tests -name '*.sh' | wc -l)
like "shell tests were found" "$n" '^[1-9]'
missing=""
for f in $(find tests -name '*.sh' ! -path 'tests/lib/*' ! -name 'lib.sh' ! -name 'run-all.sh' \
	   ! -path 'tests/bench/*' ! -path 'tests/fuzz/*' | sort); do
	printf '%s\n' "$regs" | grep -qF "$f" || missing="$missing $f"
done
is "every shell test is named in a Makefile fragment" "$missing" ""

# build files by module: one Makefile.inc per directory, no fragments named
# after who wrote them or when, no "issue N" / "owner" labels
is "the only Makefile fragments are DIR/Makefile.inc" \
	"$(printf '%s\n' $incs | grep -v '/Makefile\.inc$')" ""
like "there are Makefile fragments" "$(printf '%s\n' $incs | wc -l)" '^ *[1-9][0-9]'
# doc/design.md's file map names every module of util/ maps/ core/ tui/
map=$(sed -n '/^## Files$/,/^## /p' doc/design.md)
nomap=""
for f in $(find util maps core tui -name '*.[ch]' | sort); do
	printf '%s\n' "$map" | grep -qF "\`${f%.[ch]}" || nomap="$nomap ${f%.[ch]}"
done
is "every module is in doc/design.md's file map" "$nomap" ""
is "no issue or work labels in doc/design.md's headings" \
	"$(grep -nE '^#+ .*\((issue [0-9]+|[a-z ]+ work)\)' doc/design.md)" ""
is "no issue or owner labels in build files" \
	"$(grep -inE 'issue [0-9]|owner:' Makefile.am configure.ac $incs)" ""
tap_done
