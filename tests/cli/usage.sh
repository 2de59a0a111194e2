#!/bin/sh
# Global options, --help, --version and usage errors of the pfconsole binary.
. "$top_srcdir/tests/lib/tap.sh"

out=$("$PFCONSOLE" --help); rc=$?
is "--help exits 0" "$rc" 0
like "--help lists the commands" "$out" 'check .*explain|explain'
for c in check build query explain feed reload; do
	like "--help mentions $c" "$out" "^  $c "
done
out=$("$PFCONSOLE" --version); rc=$?
is "--version exits 0" "$rc" 0
like "--version prints the version (and the git commit when built from git)" "$out" \
	'^pfconsole [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9a-f]+\))?$'
# the commit is the one make read (gitcommit.h, tests/cli/gitcommit.sh)
commit=$(sed -n 's/^#define PFCONSOLE_GIT_COMMIT "\(.*\)"$/\1/p' "$top_builddir/gitcommit.h")
case $commit in
"") unlike "--version: no commit when make found none" "$out" 'git' ;;
*) like "--version names the commit make read" "$out" " \\(git $commit\\)\$" ;;
esac
out=$("$PFCONSOLE" frobnicate 2>&1); rc=$?
is "unknown command exits 2" "$rc" 2
like "unknown command is named" "$out" "unknown command 'frobnicate'"
out=$("$PFCONSOLE" --bogus 2>&1); rc=$?
is "unknown option exits 2" "$rc" 2

# one parser: global options before or after the command, the command's
# options after it, in any order
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
printf 'compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access cdb:%s/senders\n' "$d" >"$d/main.cf"
printf 'spam@example.com REJECT\n' >"$d/senders"
out=$("$PFCONSOLE" build "cdb:$d/senders" --json 2>&1); rc=$?
is "build cdb:X --json: exit 0 (getopt fully reset)" "$rc" 0
check "and the index was built" test -s "$d/senders.cdb"
for args in "-c $d check" "check -c $d" "check --config=$d" "check -c$d" "--no-color check --conf $d" \
	"check --json -c $d" "-c $d check --json"; do
	# shellcheck disable=SC2086
	out=$("$PFCONSOLE" $args 2>&1); rc=$?
	is "pfconsole $args: exit 0 (the directory is the one given)" "$rc" 0
done
# shellcheck disable=SC2086
out=$("$PFCONSOLE" check -c "$d/nonexistent" 2>&1)
like "-c after the command is used (the error names it)" "$out" "$d/nonexistent/main.cf"
out=$("$PFCONSOLE" --json build -c "$d" "cdb:$d/senders" 2>&1); rc=$?
is "a command option before the command, -c after it: exit 0" "$rc" 0
out=$("$PFCONSOLE" reload -c "$d/nonexistent" --no-audit 2>&1); rc=$?
like "reload -c DIR reads DIR" "$out" "$d/nonexistent/main.cf"
# the audit line when syslog cannot take it: said, not lost silently
printf 'new.example REJECT\n' >>"$d/senders"
out=$(PFCONSOLE_SYSLOG_SOCKET="$d/no-such-socket" "$PFCONSOLE" reload -c "$d" 2>&1)
like "the audit line is shown" "$out" '^audit: +user=.* applied: senders \+1; built 1 table'
like "and that syslog could not take it" "$out" \
	"^warning: syslog cannot be reached, the audit line was NOT logged: $d/no-such-socket"
out=$(PFCONSOLE_SYSLOG_SOCKET="$d/no-such-socket" "$PFCONSOLE" reload -c "$d" --no-audit 2>&1)
unlike "--no-audit: no such warning" "$out" 'NOT logged'
out=$("$PFCONSOLE" console -c "$d" --bogus 2>&1); rc=$?
is "console -c DIR --bogus: a usage error of the console" "$rc" 2
like "and it is the console's usage" "$out" 'usage: pfconsole .*console'
out=$("$PFCONSOLE" -c 2>&1); rc=$?
is "-c without its argument: exit 2" "$rc" 2
out=$("$PFCONSOLE" feed -c "$d" -l /dev/null -n 3 -j 2>&1); rc=$?
is "feed short options -l -n -j after -c: exit 0" "$rc" 0
out=$("$PFCONSOLE" feed --help)
for o in "-l, --log" "-j, --json" "-s, --since" "-g, --grep" "-x, --exclude" "-S, --stats" "-t, --top" "-n, --last" "-f, --follow"; do
	like "feed --help lists $o" "$out" "(^  |\\()$o"
done
like "feed --help's synopsis names -H" "$out" '^usage: pfconsole feed .*\[-H NAMES\]'
out=$("$PFCONSOLE" check --help)
like "check --help: the type list follows --type, not --as" \
	"$(printf '%s\n' "$out" | grep -A1 -- '--type T')" '\(hash, cdb, regexp, pcre'
out=$("$PFCONSOLE" console --help)
for o in "-l, --log" "-r, --read-only" "-k, --keys"; do
	like "console --help lists $o" "$out" "^  $o"
done
tap_done
