# tests/lib/tap.sh - TAP output for shell tests.  Source it, call ok/fail/
# is/like, and tap_done at the end (prints the plan, exits 1 on failure).
# Every check prints one "ok N - name" or "not ok N - name" line.
tap_n=0
tap_failed=0

# ok NAME - record a pass
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
# fail NAME [DETAIL...] - record a failure; DETAIL lines are shown as comments
fail() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
# check NAME COMMAND... - ok when COMMAND exits 0
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "command failed: $*"; fi; }
# is NAME GOT WANT - string equality
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got:" "$2" "want:" "$3"; fi
}
# like NAME GOT REGEX - grep -E match
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1" "got:" "$2" "want match: $3"; fi
}
# unlike NAME GOT REGEX
unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then fail "$1" "got:" "$2" "must not match: $3"; else ok "$1"; fi
}
# skip_all REASON - the whole file cannot run here
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# bail REASON - a prerequisite is broken: the file fails
bail() { echo "Bail out! $*"; exit 1; }
# wait_file FILE REGEX SECS - poll FILE every 50 ms until a line matches
# REGEX (grep); 1 after SECS seconds
wait_file() {
	_i=0
	while [ "$_i" -lt $(($3 * 20)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

: "${PFCONSOLE:=${top_builddir:-$(pwd)}/pfconsole}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
export LC_ALL=C.UTF-8 TZ=UTC
