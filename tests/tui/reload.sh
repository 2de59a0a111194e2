#!/bin/sh
# tests/tui/reload.sh - `pfconsole reload`, the Apply key's command-line
# twin, against a real throwaway Postfix: refused with the list of errors
# (exit 1, nothing built); stale indexes built, `postfix check` run and its
# output shown; reload only when Postfix runs (and, with --if-needed, only
# when a change needs it: a pcre table yes, a hash table no); nothing is
# reloaded after a failed step; one audit line per apply.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require

pf_instance_create || bail "cannot create a Postfix instance"
printf 'qq.com REJECT\n' >"$PF_CONF/restricted_senders"
printf '/^spam@/ REJECT no spam\n' >"$PF_CONF/senders.pcre"
printf 'foo@bar.org good_senders_only\n' >"$PF_CONF/protected_destinations"
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" \
	"smtpd_restriction_classes = good_senders_only" \
	"good_senders_only = check_sender_access hash:$PF_CONF/restricted_senders, permit" \
	"smtpd_sender_restrictions = check_sender_access pcre:$PF_CONF/senders.pcre" \
	"smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:$PF_CONF/protected_destinations, reject_unauth_destination" ||
	bail "postconf -e failed"

# not running: build + check, no reload (-c after the command, as the man
# page allows global options anywhere)
out=$("$PFCONSOLE" reload -c "$PF_CONF" --no-audit 2>&1); rc=$?
is "not running: exit 0" "$rc" 0
like "the stale indexes are built" "$out" "built hash:$PF_CONF/restricted_senders \\(1 entry\\)"
like "postfix check runs" "$out" "^ok +postfix check: /usr/sbin/postfix -c $PF_CONF check"
like "reload is skipped: not running" "$out" '^skipped +reload'
like "and says why" "$out" 'Postfix is not running'
check "the index exists" test -f "$PF_CONF/restricted_senders.db"

pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null

# a hash table change: no reload needed
printf 'qq.com REJECT\n163.com REJECT\n' >"$PF_CONF/restricted_senders"
pf_log_mark
out=$("$PFCONSOLE" -c "$PF_CONF" reload --if-needed 2>&1); rc=$?
is "hash change, --if-needed: exit 0" "$rc" 0
like "hash change: rebuilt" "$out" "built hash:$PF_CONF/restricted_senders \\(2 entries\\)"
like "hash change: no reload needed" "$out" 'skipped +reload'
is "the audit line says what the build changed and that Postfix was not reloaded" \
	"$(printf '%s\n' "$out" | sed -n 's/^audit: *//p')" \
	"user=root config=$PF_CONF applied: restricted_senders +1; built 1 table; postfix not reloaded (not needed)"
unlike "no reload in the log" "$(pf_log_since_mark)" 'reload --'

# a pcre table change: reload needed
sleep 1.1   # mtime granularity: the change must be newer than the master start
printf '/^spam@/ REJECT no spam\n/^junk@/ REJECT no junk\n' >"$PF_CONF/senders.pcre"
pf_log_mark
out=$("$PFCONSOLE" -c "$PF_CONF" reload --if-needed --no-audit 2>&1); rc=$?
is "pcre change: exit 0" "$rc" 0
like "pcre change: reload runs, with the reason" "$out" "senders.pcre changed; Postfix daemons read pcre tables only when they start, and a reload restarts them"
like "pcre change: postfix reload ran" "$out" "^ok +reload: /usr/sbin/postfix -c $PF_CONF reload"
like "postfix reload's own output is shown (it prints only to a terminal)" "$out" 'refreshing the Postfix mail system'
like "the master reloaded" "$(pf_wait_log 'reload -- version')" 'reload -- version'
like "the audit line names the pcre table the reload put live" "$out" \
	"^audit: +user=root config=$PF_CONF applied: senders.pcre changed; nothing built; postfix reload ok\$"
out=$("$PFCONSOLE" -c "$PF_CONF" reload --if-needed --no-audit 2>&1)
like "right after: nothing needs a reload" "$out" 'skipped +reload'

# errors: refused, exit 1, nothing built, nothing reloaded
printf 'foo@bar.org good_sender_only\n' >"$PF_CONF/protected_destinations"
printf 'qq.com REJECT\n163.com REJECT\nnew.example REJECT\n' >"$PF_CONF/restricted_senders"
db=$(stat -c %i "$PF_CONF/restricted_senders.db")
pf_log_mark
out=$("$PFCONSOLE" -c "$PF_CONF" reload --no-audit 2>&1); rc=$?
is "undefined class: exit 1" "$rc" 1
like "the validate step fails" "$out" '^FAILED +validate'
like "with the error listed" "$out" "protected_destinations:1:[0-9]+: error: .*good_sender_only.*\\[undefined-class\\]"
like "refused" "$out" 'refused: fix the errors above; nothing was built or reloaded'
is "the stale index was not rebuilt" "$(stat -c %i "$PF_CONF/restricted_senders.db")" "$db"
unlike "nothing ran after it" "$out" 'postfix check'
sleep 0.5
unlike "no reload in the log" "$(pf_log_since_mark)" 'reload --'

# a failing postfix check: nothing reloaded after it
printf 'foo@bar.org good_senders_only\n' >"$PF_CONF/protected_destinations"
mv "$PF_CONF/master.cf" "$PF_CONF/master.cf.away"
pf_log_mark
out=$("$PFCONSOLE" -c "$PF_CONF" reload --no-audit 2>&1); rc=$?
mv "$PF_CONF/master.cf.away" "$PF_CONF/master.cf"
is "failed postfix check: exit 1" "$rc" 1
like "the check step failed with its output" "$out" '^FAILED +postfix check'
like "postfix's message is shown" "$out" 'master\.cf'
unlike "no reload step ran" "$out" '(ok|FAILED) +reload'
like "and says so" "$out" 'stopped at the failed step; nothing after it ran'
tap_done
