#!/bin/sh
# tests/run-all.sh BUILDDIR - run every test and print "N passed, N failed, N skipped".
#  1. make check in BUILDDIR (unit, CLI, real-Postfix, tmux TUI tests)
#  2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#  3. make distcheck (unit tests inside it)
#  4. the libFuzzer harness for the log line parser, for a fixed short time
#  5. a build without a file watcher (--with-watch=none, the fallback of
#     systems with neither inotify nor kqueue) and the follower's unit tests
# Each step's TAP results are counted; a step that fails without TAP
# results counts as one failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# count_trs DIR - add DIR's automake .trs results to the tally
count_trs() {
	find "$1" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null |
		awk '{print $2}' >>"$results"
}
step() { echo "=== $*"; }
step_fail() { echo "FAIL (step): $*"; echo FAIL >>"$results"; }

# A hung test must not hang the whole run: each test file gets TEST_TIMEOUT
# seconds (then SIGTERM, so its traps clean up; SIGKILL 10 s later).
tmo=${TEST_TIMEOUT:-900}
step "make check ($build)"
find "$build" -name '*.trs' -delete 2>/dev/null
if ! make -C "$build" -j"$jobs" check LOG_COMPILER="timeout -k 10 $tmo" \
	SH_LOG_COMPILER="timeout -k 10 $tmo \$(SHELL)" >"$build/check.out" 2>&1; then
	grep -E '^(FAIL|ERROR)' "$build/check.out" || tail -30 "$build/check.out"
	for f in $(find "$build" -name '*.log' -path '*tests*' 2>/dev/null); do
		grep -q '^not ok\|Bail out' "$f" && { echo "--- $f"; grep -B2 -A12 '^not ok\|Bail out' "$f" | head -60; }
	done
fi
grep -E '^# (TOTAL|PASS|FAIL|ERROR|SKIP)' "$build/check.out" || true
count_trs "$build"

asan=$top/build-asan
step "unit tests under ASan+UBSan ($asan)"
# (configure's stderr is kept in configure.err: autoconf's exit trap always
# complains that it cannot remove our core/ directory)
mkdir -p "$asan"
if ( cd "$asan" &&
     { [ -f Makefile ] || "$top/configure" -q CC=clang \
	CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined" 2>configure.err ||
	{ cat configure.err >&2; false; }; } &&
     find . -name '*.trs' -delete &&
     make -j"$jobs" -s >/dev/null && make check-unit LOG_COMPILER="timeout -k 10 $tmo" >check.out 2>&1 ); then
	count_trs "$asan"
else
	tail -40 "$asan/check.out" 2>/dev/null
	count_trs "$asan"
	step_fail "sanitizer build or unit tests"
fi

step "make distcheck (unit tests)"
if make -C "$build" distcheck-unit >"$build/distcheck.out" 2>&1; then
	echo PASS >>"$results"
else
	tail -30 "$build/distcheck.out"
	step_fail "make distcheck"
fi

# The Debian package (dpkg-buildpackage, lintian, installed binary in a
# scratch root) and make install DESTDIR: minutes, so a step of its own
# rather than part of make check.  Its TAP lines are counted.
step "Debian package and make install (tests/pkg/deb.sh)"
top_srcdir=$top sh "$top/tests/pkg/deb.sh" "$build" >"$build/deb.out" 2>&1
grep -E '^(not )?ok ' "$build/deb.out" | sed -E 's/^not ok .*/FAIL/; s/^ok .*/PASS/' >>"$results"
grep -q '^Bail out' "$build/deb.out" && step_fail "tests/pkg/deb.sh: $(grep '^Bail out' "$build/deb.out")"
grep '^# lintian\|^#   [EWIPX]: ' "$build/deb.out"
grep -B2 -A8 '^not ok' "$build/deb.out" | head -60

if [ -f "$top/tests/fuzz/run.sh" ]; then
	step "fuzzing"
	if sh "$top/tests/fuzz/run.sh" "$build" >"$build/fuzz.out" 2>&1; then
		echo PASS >>"$results"
	else
		tail -30 "$build/fuzz.out"
		step_fail "fuzzing"
	fi
fi

nowatch=$top/build-nowatch
step "file watcher 'none' ($nowatch)"
mkdir -p "$nowatch"
if ( cd "$nowatch" &&
     { [ -f Makefile ] || "$top/configure" -q --enable-werror --with-watch=none 2>configure.err ||
	{ cat configure.err >&2; false; }; } &&
     find . -name '*.trs' -delete &&
     make -j"$jobs" -s >/dev/null &&
     make check TESTS="tests/unit/test_watch tests/unit/test_logsrc" \
	LOG_COMPILER="timeout -k 10 $tmo" >check.out 2>&1 ); then
	count_trs "$nowatch"
else
	tail -40 "$nowatch/check.out" 2>/dev/null
	count_trs "$nowatch"
	step_fail "build or tests without a file watcher"
fi

pass=$(grep -c '^PASS$' "$results")
xfail=$(grep -c '^XFAIL$' "$results")
skip=$(grep -c '^SKIP$' "$results")
failed=$(grep -Ec '^(FAIL|ERROR|XPASS)$' "$results")
# In CI a missing prerequisite is a failure, never a silent skip.
if [ "${CI:-}" = true ] && [ "$skip" -gt 0 ]; then
	echo "CI: $skip skipped test(s) count as failed:"
	find "$build" "$asan" "$nowatch" -name '*.log' -exec grep -H '^ok .*# SKIP\|^1\.\.0 # SKIP' {} + 2>/dev/null | head -20
	failed=$((failed + skip))
fi
echo "$((pass + xfail)) passed, $failed failed, $skip skipped"
[ "$failed" -eq 0 ]
