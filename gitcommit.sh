#!/bin/sh
# gitcommit.sh SRCDIR OUT [COMMIT] - write OUT, a header defining
# PFCONSOLE_GIT_COMMIT: COMMIT when given (configure's PFCONSOLE_GIT_COMMIT),
# else the commit SRCDIR's git work tree is at (read-only `git rev-parse`),
# else "" (a release tarball, no git).  OUT is rewritten only when its text
# changes, so that make rebuilds --version's object after a commit and
# nothing otherwise.  Run by make on every build (Makefile.am).
src=$1 out=$2 c=${3:-}
if [ -z "$c" ] && [ -e "$src/.git" ]; then
	c=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null)
fi
printf '#define PFCONSOLE_GIT_COMMIT "%s"\n' "$c" >"$out.tmp" || exit 1
if cmp -s "$out.tmp" "$out"; then
	rm -f "$out.tmp"
else
	mv "$out.tmp" "$out"
fi
