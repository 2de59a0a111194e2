#!/bin/sh
# tests/postfix/build-smtpd.sh - a running smtpd uses tables pfconsole
# rebuilt: real SMTP sessions before and after "pfconsole build" + "postfix
# reload", reply texts asserted, for a cdb recipient table and a hash sender
# table (with a non-ASCII key folded as Postfix folds it).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
export MAIL_CONFIG="$PF_CONF"

cat >"$PF_CONF/rcpt" <<'EOT'
# recipients
blocked@example.com	REJECT old text
EOT
cat >"$PF_CONF/sender" <<'EOT'
spammer@qq.com REJECT sender blocked
EOT
"$PFCONSOLE" build -c "$PF_CONF" "cdb:$PF_CONF/rcpt" "hash:$PF_CONF/sender" 2>/dev/null
check "initial build" [ -f "$PF_CONF/rcpt.cdb" ] && [ -f "$PF_CONF/sender.db" ]
pf_postconf -e "relay_domains = example.com" "smtpd_sender_restrictions = check_sender_access hash:$PF_CONF/sender" \
	"smtpd_recipient_restrictions = check_recipient_access cdb:$PF_CONF/rcpt, permit_mynetworks, reject_unauth_destination" ||
	bail "postconf failed"
pf_start || bail "postfix start failed"

# rcpt_reply SENDER RCPT - smtpd's reply to RCPT TO (one line)
rcpt_reply() {
	pf_smtp --xclient 'ADDR=203.0.113.5 NAME=mail.client.example HELO=mail.client.example' \
		"MAIL FROM:<$1>" "RCPT TO:<$2>" | awk '/^C: RCPT/ { getline; sub(/^S: /, ""); print; exit }'
}

is "before: cdb entry rejects" "$(rcpt_reply a@b.example blocked@example.com)" \
	"554 5.7.1 <blocked@example.com>: Recipient address rejected: old text"
is "before: hash entry rejects" "$(rcpt_reply spammer@qq.com x@example.com)" \
	"554 5.7.1 <spammer@qq.com>: Sender address rejected: sender blocked"
like "before: other recipient is accepted" "$(rcpt_reply a@b.example other@example.com)" '^250 '
like "before: a foreign domain is relay-denied" "$(rcpt_reply a@b.example x@elsewhere.example)" \
	'^45[04] 4\.7\.1 <x@elsewhere\.example>: Relay access denied'

cat >"$PF_CONF/rcpt" <<'EOT'
# recipients, edited
blocked@example.com	REJECT new text
Other@Example.COM	550 5.7.9 go away
BÜCHER@Example.com	REJECT non-ascii key
EOT
cat >"$PF_CONF/sender" <<'EOT'
spammer@qq.com REJECT sender still blocked
friend@qq.com OK
EOT
ino_before=$(stat -c %i "$PF_CONF/rcpt.cdb")
out=$("$PFCONSOLE" build -c "$PF_CONF" "cdb:$PF_CONF/rcpt" "hash:$PF_CONF/sender" 2>&1)
check "rebuild exits 0" [ $? -eq 0 ]
like "rebuild says what it built" "$out" "built $PF_CONF/rcpt.cdb"
isnt_ino=$(stat -c %i "$PF_CONF/rcpt.cdb")
check "the index was replaced (new inode)" [ "$ino_before" != "$isnt_ino" ]
pf_reload || bail "postfix reload failed"

is "after: cdb entry has the new text" "$(rcpt_reply a@b.example blocked@example.com)" \
	"554 5.7.1 <blocked@example.com>: Recipient address rejected: new text"
is "after: new cdb entry with its code (folded key)" "$(rcpt_reply a@b.example other@example.com)" \
	"550 5.7.9 <other@example.com>: Recipient address rejected: go away"
is "after: non-ASCII key folded as Postfix folds it" "$(rcpt_reply a@b.example bücher@example.com)" \
	"554 5.7.1 <bücher@example.com>: Recipient address rejected: non-ascii key"
is "after: hash entry has the new text" "$(rcpt_reply spammer@qq.com x@example.com)" \
	"554 5.7.1 <spammer@qq.com>: Sender address rejected: sender still blocked"
like "after: a sender OK passes the sender stage" "$(rcpt_reply friend@qq.com other2@example.com)" '^250 '

# a build that finds errors writes nothing: smtpd keeps answering from the old index
# (an action smtpd does not know: it would answer 451 4.3.5 to that mail)
printf 'blocked@example.com FROBNICATE\n' >"$PF_CONF/rcpt"
out=$("$PFCONSOLE" build -c "$PF_CONF" "cdb:$PF_CONF/rcpt" 2>&1)
check "a source with errors is refused (exit 1)" [ $? -eq 1 ]
like "the refusal names the problem" "$out" 'rcpt:1:[0-9]+: error: .*451 4\.3\.5.*\[undefined-class\]'
is "the index is untouched" "$(stat -c %i "$PF_CONF/rcpt.cdb")" "$isnt_ino"
is "smtpd still uses the old index" "$(rcpt_reply a@b.example blocked@example.com)" \
	"554 5.7.1 <blocked@example.com>: Recipient address rejected: new text"
check "no warning about the table in the log" sh -c "! grep -q 'rcpt.*is unavailable' '$PF_LOG'"
tap_done
