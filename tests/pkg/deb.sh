#!/bin/sh
# tests/pkg/deb.sh [BUILDDIR] - the Debian package and `make install`.
#  - dpkg-buildpackage -us -uc -b builds pfconsole_VERSION_ARCH.deb from a copy
#    of the source tree (with its .git, so --version names the commit);
#  - lintian's whole output goes to this log; an E: line fails;
#  - the package is unpacked into a scratch root (dpkg -x; the machine's
#    dpkg database is not touched) and the installed binary runs --version,
#    man pfconsole and check on the demo configuration (same findings and
#    exit status as the build tree's binary); the bash completion completes;
#  - make install DESTDIR=... puts the same three files in place.
# A package build takes minutes, so tests/run-all.sh runs this as its own
# step rather than inside make check.
. "$(dirname "$0")/../lib/tap.sh"
build=${1:-$top_srcdir/build}
for t in dpkg-buildpackage dh lintian fakeroot man git; do
	command -v "$t" >/dev/null 2>&1 || bail "$t not installed (./dev.sh deps)"
done
[ -x "$build/pfconsole" ] || bail "no $build/pfconsole (./dev.sh build)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# -- build the package from a copy of the tree ------------------------------
src=$work/pfconsole
mkdir -p "$src"
(cd "$top_srcdir" && git ls-files -z -c -o --exclude-standard | xargs -0 tar cf - ) |
	tar xf - -C "$src" || bail "copy of the source tree"
cp -a "$top_srcdir/.git" "$src/.git" 2>/dev/null
# (a commit made while this runs would move HEAD under the copy's .git)
commit=$(git -C "$top_srcdir" rev-parse --short=12 HEAD)
version=$(sed -n 's/^AC_INIT(\[pfconsole\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
arch=$(dpkg --print-architecture)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" timeout 1500 \
	nice dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
is "dpkg-buildpackage -us -uc -b succeeds" "$rc" 0
[ "$rc" -eq 0 ] || { tail -40 "$work/build.log" | sed 's/^/# /'; tap_done; exit 1; }
deb=$work/pfconsole_${version}_$arch.deb
check "it writes pfconsole_${version}_$arch.deb" test -f "$deb"

echo "# lintian $(lintian --version | sed 's/^Lintian v//'):"
lintian --display-info "$work"/pfconsole_*.changes >"$work/lintian.out" 2>&1
sed 's/^/#   /' "$work/lintian.out"
is "lintian reports no errors" "$(grep -c '^E:' "$work/lintian.out")" 0

# -- the package's metadata -------------------------------------------------
depends=$(dpkg-deb -f "$deb" Depends)
like "Depends: the shared libraries found by dpkg-shlibdeps" "$depends" 'libc6.*libncursesw6.*libpcre2-8-0|libc6'
like "Depends: libcdb1 and libdb5.3 among them" "$depends" 'libcdb1.*libdb5\.3|libdb5\.3.*libcdb1'
unlike "Depends: no postfix (recommended only)" "$depends" 'postfix'
is "Recommends: postfix, postfix-cdb, postfix-pcre" "$(dpkg-deb -f "$deb" Recommends)" \
	"postfix, postfix-cdb, postfix-pcre"

# -- installed into a scratch root ------------------------------------------
root=$work/root
dpkg -x "$deb" "$root"
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/pfconsole ./usr/share/man/man1/pfconsole.1.gz \
	./usr/share/bash-completion/completions/pfconsole; do
	like "the package installs ${f#.}" "$files" "^$f\$"
done
bin=$root/usr/bin/pfconsole
is "installed pfconsole --version names version and commit" "$("$bin" --version)" \
	"pfconsole $version (git $commit)"
man=$(MANPATH=$root/usr/share/man MANWIDTH=80 man pfconsole 2>&1 | col -b)
like "man pfconsole shows the installed page" "$man" '^NAME'
like "... which is pfconsole(1)" "$man" 'pfconsole +- console'
cp -R "$top_srcdir/demo/etc" "$work/etc"
sed -i "s|/etc/postfix/|$work/etc/|g" "$work/etc/main.cf"
"$bin" -c "$work/etc" check >"$work/check.pkg" 2>&1; rc_pkg=$?
"$build/pfconsole" -c "$work/etc" check >"$work/check.tree" 2>&1; rc_tree=$?
is "installed check on the demo exits 1 (the demo has errors)" "$rc_pkg" 1
like "... and reports the demo's findings" "$(cat "$work/check.pkg")" 'error: .*\[[a-z-]+\]'
is "... the same findings as the build tree's binary" "$(cat "$work/check.pkg")" "$(cat "$work/check.tree")"

# the completion: commands, then a command's options read from its --help
comp() {
	PATH=$root/usr/bin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_pfconsole pfconsole "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' comp \
		"$root/usr/share/bash-completion/completions/pfconsole" "$@"
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
	is "bash completion: 'pfconsole ch' -> check" "$(comp pfconsole ch)" "check "
	is "bash completion: 'pfconsole feed --l' -> --last --log" "$(comp pfconsole feed --l)" "--last --log "
else
	fail "bash-completion is not installed (./dev.sh deps)"
fi

# -- make install with DESTDIR ----------------------------------------------
dest=$work/destdir
make -C "$build" install DESTDIR="$dest" >"$work/install.log" 2>&1
is "make install DESTDIR=... succeeds" "$?" 0
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
for f in bin/pfconsole share/man/man1/pfconsole.1 share/bash-completion/completions/pfconsole; do
	check "make install puts $prefix/$f under DESTDIR" test -f "$dest$prefix/$f"
done
# the installed binary is the build tree's (whose commit is configure's)
is "the DESTDIR binary runs" "$("$dest$prefix/bin/pfconsole" --version)" "$("$build/pfconsole" --version)"
tap_done
