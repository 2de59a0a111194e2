#!/bin/sh
# tests/tui/seed.sh - the seed workflow end to end against a real throwaway
# Postfix (tests/lib/postfix.sh): the 2019 restriction class setup; in the
# console add "qq.com REJECT" to restricted_senders, apply with one key
# (saved, validated, built, postfix check; no reload needed for hash),
# explain predicts the reply, a real SMTP session from such a sender gets
# exactly that reply, and the reject appears in the live pane.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
. "$top_srcdir/tests/tui/lib.sh"

pf_instance_create || bail "cannot create a Postfix instance"
cat >"$PF_CONF/restricted_senders" <<'EOF2'
# We do not want mail from these folks, generally

163.com         REJECT
EOF2
cat >"$PF_CONF/protected_destinations" <<'EOF2'
# not everyone can send to these destinations
foo@bar.org     good_senders_only
EOF2
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" \
	"smtpd_restriction_classes = good_senders_only" \
	"good_senders_only = check_sender_access hash:$PF_CONF/restricted_senders, permit" \
	"smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:$PF_CONF/protected_destinations, reject_unauth_destination" ||
	bail "postconf -e failed"
"$PFCONSOLE" -c "$PF_CONF" build >/dev/null 2>&1 || bail "pfconsole build failed"
pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started' in the log"

tui_start -c "$PF_CONF" console --log "$PF_LOG"
tui_expect "Maps lists restricted_senders under the class" 'good_senders_only +\(restriction class\)'
tui_keys / ; tui_type restricted_senders; tui_keys Enter Enter
tui_expect "the editor opens on restricted_senders" 'Edit hash:.*/restricted_senders'
tui_keys a
tui_type "qq.com REJECT"
tui_expect "the new line validates" '^ok$'
tui_keys Enter
tui_expect "added (unsaved)" '4 qq\.com REJECT'
db_before=$(stat -c %i "$PF_CONF/restricted_senders.db")
tui_keys A
tui_expect "Apply saves the table" 'saved +saved restricted_senders'
tui_expect "validates" 'ok +validate'
tui_expect "builds the index" "built hash:$PF_CONF/restricted_senders \\(2 entries\\)"
tui_expect "runs postfix check" "ok +postfix check +\\$ /usr/sbin/postfix -c $PF_CONF check"
tui_expect "no reload for a hash table" 'skipped reload'
tui_expect "and says so" 'Applied\.'
tui_expect "in the title too" 'pfconsole \| Apply: done'
tui_expect "the audit line (also sent to syslog) names who and the table" \
	'audit \(syslog, facility mail\): user=root config=.* applied: restricted_senders'
tui_expect "and counts the change against the old index (wrapped at 80 columns)" \
	'^ +\+1; built 1 table; postfix not reloaded \(not needed\)'
like "the source holds the line" "$(cat "$PF_CONF/restricted_senders")" '^qq\.com REJECT$'
isnt_inode=$(stat -c %i "$PF_CONF/restricted_senders.db")
if [ "$isnt_inode" != "$db_before" ]; then ok "the index was replaced atomically (new inode)"; else fail "the index was replaced atomically (new inode)"; fi
got=$(pf_postmap -q qq.com "hash:$PF_CONF/restricted_senders")
is "the real postmap finds the new key in the built index" "$got" "REJECT"
tui_keys q q

# explain predicts the reply
tui_keys 3
tui_expect "the Explain dialog" 'pfconsole \| Explain'
tui_keys Enter; tui_type 203.0.113.5; tui_keys Enter
tui_keys Enter; tui_type me.testing.example.com; tui_keys Enter
tui_keys Enter; tui_type 318787866@qq.com; tui_keys Enter
tui_keys Enter; tui_type foo@bar.org; tui_keys Enter
tui_expect "explain: reject" '^reply +reject +554 5\.7\.1'
tui_expect "explain names the new line" "rule +$PF_CONF/restricted_senders:4 +qq\\.com REJECT"
predicted=$(tui_screen | sed -n 's/^reply  *reject  *//p')
like "explain predicts a 554 for the sender" "$predicted" '^554 5\.7\.1 <318787866@qq\.com>: Sender address rejected'

# a real session from such a sender
pf_log_mark
out=$(pf_smtp --xclient 'ADDR=203.0.113.5 NAME=spam.example HELO=me.testing.example.com' \
	'MAIL FROM:<318787866@qq.com>' 'RCPT TO:<foo@bar.org>')
real=$(printf '%s\n' "$out" | sed -n '/^C: RCPT/{n;s/^S: //p}')
is "Postfix answers exactly what explain predicted" "$real" "$predicted"
pf_wait_log 'NOQUEUE: reject: RCPT from spam\.example\[203\.0\.113\.5\]' >/dev/null
tui_keys 2
tui_expect "the reject appears in the live pane" ' [0-9.]{3,5} +203\.0\.113\.5 +318787866@qq\.com +foo@bar\.org'
# and a legitimate sender still passes
out=$(pf_smtp --xclient 'ADDR=198.51.100.1 NAME=friend.example HELO=friend.example' \
	'MAIL FROM:<friend@ok.example>' 'RCPT TO:<foo@bar.org>')
like "a legitimate sender still gets 250" "$out" 'RCPT TO:<foo@bar.org>
S: 250 2\.1\.5 Ok'
tui_quit
tap_done
