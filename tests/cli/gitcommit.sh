#!/bin/sh
# gitcommit.sh, run by make on every build: the commit --version names is
# the one the source tree is at when make runs (a commit after configure
# shows), the header is rewritten only when it changes (no rebuild
# otherwise), configure's PFCONSOLE_GIT_COMMIT overrides, and a tree
# without git (a release tarball) names none.
. "$top_srcdir/tests/lib/tap.sh"
command -v git >/dev/null 2>&1 || skip_all "git not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
gc() { sh "$top_srcdir/gitcommit.sh" "$@"; }
val() { sed -n 's/^#define PFCONSOLE_GIT_COMMIT "\(.*\)"$/\1/p' "$1"; }

src=$work/src
mkdir "$src"
git init -q "$src"
git -C "$src" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m one
gc "$src" "$work/h"
is "the header names the tree's commit" "$(val "$work/h")" "$(git -C "$src" rev-parse --short=12 HEAD)"
before=$(stat -c %y "$work/h")
sleep 0.02
gc "$src" "$work/h"
is "unchanged tree: the header is not rewritten (nothing rebuilds)" "$(stat -c %y "$work/h")" "$before"
git -C "$src" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m two
gc "$src" "$work/h"
is "after a commit the header names the new one" "$(val "$work/h")" "$(git -C "$src" rev-parse --short=12 HEAD)"
gc "$src" "$work/h" 0123456789ab
is "configure's PFCONSOLE_GIT_COMMIT overrides" "$(val "$work/h")" "0123456789ab"
mkdir "$work/tarball"
gc "$work/tarball" "$work/h2"
is "no git work tree: no commit" "$(val "$work/h2")" ""
is "no temporary file left" "$(ls "$work" | sort | tr '\n' ' ')" "h h2 src tarball "
tap_done
