#!/bin/sh
# dev.sh - set up, build and run pfconsole on a fresh Debian 12 machine.
#   ./dev.sh demo    install what is missing, build, open the console on demo/
#   ./dev.sh test    install what is missing, build, run every test
#   ./dev.sh deps    only install what is missing
#   ./dev.sh build   only (re)configure and build in ./build
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

PKGS="build-essential autoconf automake pkgconf libncurses-dev libpcre2-dev
libcdb-dev tinycdb libdb5.3-dev db5.3-util libicu-dev libcmocka-dev
postfix postfix-cdb postfix-pcre postfix-lmdb tmux clang libclang-rt-14-dev python3
procps locales time bc
debhelper fakeroot lintian bash-completion man-db ansible-core"

deps() {
	missing=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "dev.sh: installing:$missing" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# Postfix must not be configured or started on this machine: the tests
	# and the demo run their own throwaway instances.
	echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
	[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi
	mkdir -p build
	cd build
	[ -f Makefile ] && [ Makefile -nt ../configure ] || ../configure --enable-werror -q
	make -j"$(nproc)" -s >/dev/null   # progress lines; errors go to stderr
	cd ..
}

case "${1:-}" in
deps) deps ;;
build) deps; build ;;
demo) deps; build; exec sh demo/run-demo.sh "$top/build/pfconsole" ;;
test) deps; build; exec sh tests/run-all.sh "$top/build" ;;
*) echo "usage: $0 demo|test|deps|build" >&2; exit 2 ;;
esac
