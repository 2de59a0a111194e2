#!/bin/sh
# 'pfconsole check': options, exit statuses, -c before or after the command,
# FILE... with a role from main.cf or from --type, sorted output.
. "$top_srcdir/tests/lib/tap.sh"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

out=$("$PFCONSOLE" check --help); rc=$?
is "--help exits 0" "$rc" 0
like "--help shows the usage" "$out" '^usage: pfconsole .*check'
"$PFCONSOLE" check --bogus >/dev/null 2>&1; rc=$?
is "an unknown option exits 2" "$rc" 2
out=$("$PFCONSOLE" check -t nosuchtype x 2>&1); rc=$?
is "an unknown --type exits 2" "$rc" 2
like "and says why" "$out" "unknown table type 'nosuchtype'"

# a clean configuration: no output, exit 0, either way of giving -c
cat >"$work/main.cf" <<EOF2
compatibility_level = 3.6
smtpd_recipient_restrictions = check_recipient_access pcre:$work/rcpt.pcre, reject_unauth_destination
EOF2
printf '/^postmaster@/ OK\n/@spam\\.example$/ REJECT go away\n' >"$work/rcpt.pcre"
out=$("$PFCONSOLE" -c "$work" check 2>&1); rc=$?
is "clean: exit 0" "$rc" 0
is "clean: no output" "$out" ""
out=$("$PFCONSOLE" check -c "$work" 2>&1); rc=$?
is "-c after the command works too" "$rc" 0

# warnings only: exit 0, but reported
printf '/^postmaster@/ OK\n/@spam\\.example$/ REJECT go away\n/@Spam\\.example$/i REJECT\n' >"$work/rcpt.pcre"
out=$("$PFCONSOLE" -c "$work" check 2>&1); rc=$?
is "warnings only: exit 0" "$rc" 0
like "the warning is shown" "$out" "^$work/rcpt.pcre:3:[0-9]+: warning: .*\\[unreachable-key\\]\$"

# FILE...: role from main.cf (a recipient table: postmaster rule applies)
printf 'example.com REJECT\nb@example.com REJECT 521\n' >"$work/other_rcpt"
printf '/x/ REJECT 550 no\n' >>"$work/rcpt.pcre"
out=$("$PFCONSOLE" -c "$work" check "$work/rcpt.pcre" "$work/other_rcpt" 2>&1); rc=$?
is "FILE...: warnings only exit 0" "$rc" 0
like "FILE...: the pattern file is checked as access table" "$out" \
	"^$work/rcpt.pcre:4:[0-9]+: warning: .*Recipient address rejected: 550 no.*\\[reject-text-looks-like-code\\]\$"
like "FILE...: the name says recipient: postmaster rule" "$out" \
	"^$work/other_rcpt:1:1: warning: .*postmaster@example.com.*\\[postmaster-rejected\\]\$"
"$PFCONSOLE" -c "$work" check --strict "$work/rcpt.pcre" "$work/other_rcpt" >/dev/null 2>&1; rc=$?
is "--strict: warnings only exit 3" "$rc" 3
"$PFCONSOLE" -c "$work" check --strict >/dev/null 2>&1; rc=$?
is "--strict on the configuration: warnings only exit 3" "$rc" 3
printf 'c@example.com\n' >>"$work/other_rcpt"
out=$("$PFCONSOLE" -c "$work" check "$work/rcpt.pcre" "$work/other_rcpt" 2>&1); rc=$?
is "FILE...: an error exits 1" "$rc" 1
like "FILE...: the line postmap skips is the error" "$out" "^$work/other_rcpt:3:1: error: .*\\[syntax\\]\$"
"$PFCONSOLE" -c "$work" check --strict "$work/rcpt.pcre" "$work/other_rcpt" >/dev/null 2>&1; rc=$?
is "--strict with an error exits 1" "$rc" 1
first=$(printf '%s\n' "$out" | head -1 | cut -d: -f1)
is "output is sorted by file" "$first" "$work/other_rcpt"
out=$("$PFCONSOLE" -c "$work" check --type hash "$work/nothere" 2>&1); rc=$?
is "a missing FILE exits 1" "$rc" 1
like "and is reported" "$out" "^$work/nothere:0:0: error: cannot read .*\\[missing-map\\]\$"

# --as: the role and type of a table main.cf references; a PATH main.cf
# does not reference is refused (a typo would have checked every new file
# with a guessed role and let it pass)
printf '/x/ REJEKT\n' >"$work/new.pcre"
out=$("$PFCONSOLE" -c "$work" check --as "$work/rcpt.pcre" "$work/new.pcre" 2>&1); rc=$?
is "--as a referenced table: the new file's error exits 1" "$rc" 1
like "and is reported at its line" "$out" "^$work/new\.pcre:1:[0-9]+: error: .*REJEKT"
out=$("$PFCONSOLE" -c "$work" check --as "$work/rcpt.pcrr" "$work/new.pcre" 2>&1); rc=$?
is "--as a table main.cf does not reference: a usage error (exit 2)" "$rc" 2
like "that says so" "$out" "--as $work/rcpt\.pcrr: .*main\.cf does not reference this table"

# no main.cf at all
out=$("$PFCONSOLE" -c "$work/none" check 2>&1); rc=$?
is "missing main.cf exits 1" "$rc" 1
like "missing main.cf is reported" "$out" "main.cf:0:0: error: cannot read .*\\[missing-map\\]"
tap_done
