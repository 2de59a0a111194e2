#!/bin/sh
# tests/postfix/check-claims.sh - what 'pfconsole check' says Postfix will do
# is what a running smtpd does: for each finding, the reply that check's
# message announces is the reply a real SMTP session gets.
#   reject-text-looks-like-code  the quoted "554 5.7.1 <...>: ... rejected: 521"
#   undefined-class              451 4.3.5 Server configuration error
#   bad-code (bare "550")        the mail is permitted (250)
#   no-result (pcre)             451 4.3.5
#   missing-map                  451 4.3.5
#   postmaster-rejected          RCPT TO:<postmaster@domain> is rejected
#   duplicate-key                the first entry wins
#   no-relay-restriction, undefined-class (listed, no definition): smtpd
#                                dies at startup with the fatal error check names
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
C=$PF_CONF

cat >"$C/senders" <<'EOT'
qq.com          REJECT  521
dup.example     REJECT first entry wins
DUP.example     OK
bare.example    550
EOT
cat >"$C/rcpt" <<'EOT'
classy@bar.org  good_sender_only
postmaster@bar.org REJECT no postmaster
EOT
cat >"$C/rcpt.pcre" <<'EOT'
/^noresult@bar\.org$/
EOT
pf_postmap "hash:$C/senders" "hash:$C/rcpt" 2>/dev/null
pf_postconf -e "mydestination = bar.org" \
	"smtpd_restriction_classes = good_senders_only" \
	"good_senders_only = permit" \
	"smtpd_sender_restrictions = check_sender_access hash:$C/senders" \
	"smtpd_recipient_restrictions = check_recipient_access hash:$C/rcpt, check_recipient_access pcre:$C/rcpt.pcre, check_recipient_access hash:$C/missing, permit_mynetworks, reject_unauth_destination" ||
	bail "postconf failed"

out=$("$PFCONSOLE" -c "$C" check 2>&1)
printf '%s\n' "$out" | sed 's/^/# check: /'
like "check: REJECT 521" "$out" "senders:1:[0-9]+: warning: .*\\[reject-text-looks-like-code\\]\$"
like "check: undefined class" "$out" "rcpt:1:[0-9]+: error: .*good_sender_only.*451 4\\.3\\.5.*\\[undefined-class\\]\$"
like "check: bare code" "$out" "senders:4:[0-9]+: error: .*PERMITS.*\\[bad-code\\]\$"
like "check: rule without result" "$out" "rcpt\\.pcre:1:[0-9]+: error: .*451 4\\.3\\.5.*\\[no-result\\]\$"
like "check: missing table" "$out" "main\\.cf:[0-9]+:[0-9]+: error: .*missing.*451 4\\.3\\.5.*\\[missing-map\\]\$"
like "check: postmaster" "$out" "rcpt:2:1: warning: .*postmaster@bar\\.org.*\\[postmaster-rejected\\]\$"
like "check: duplicate, the first wins" "$out" "senders:3:1: warning: .*uses the first entry, on line 2.*\\[duplicate-key\\]\$"

# the missing table would make every RCPT after it answer 451: test it alone
pf_start || bail "postfix start failed"

# reply SENDER RCPT - smtpd's reply to RCPT TO (one line)
reply() {
	pf_smtp --xclient 'ADDR=203.0.113.5 NAME=mail.client.example HELO=mail.client.example' \
		"MAIL FROM:<$1>" "RCPT TO:<$2>" | awk '/^C: RCPT/ { getline; sub(/^S: /, ""); print; exit }'
}

# the reply check quotes for REJECT 521, with the entry's domain
quoted=$(printf '%s\n' "$out" | sed -n 's/.*smtpd replies "\([^"]*\)".*reject-text-looks-like-code.*/\1/p' | head -1)
is "REJECT 521: smtpd sends the reply check announced" \
	"$(reply user@qq.com someone@bar.org)" "$quoted"
like "undefined class: 451 4.3.5" "$(reply a@b.example classy@bar.org)" '^451 4\.3\.5 '
like "postmaster@ is rejected as check says" "$(reply a@b.example postmaster@bar.org)" \
	'^554 5\.7\.1 <postmaster@bar\.org>: Recipient address rejected: no postmaster'
like "duplicate key: the first entry decides" "$(reply x@dup.example someone@bar.org)" \
	'^554 5\.7\.1 <x@dup\.example>: Sender address rejected: first entry wins'
like "rule without result: 451 4.3.5" "$(reply a@b.example noresult@bar.org)" '^451 4\.3\.5 '
like "missing table: 451 4.3.5" "$(reply a@b.example someone@bar.org)" '^451 4\.3\.5 '
# a bare 550 permits: the sender list ends with OK, and only the missing
# table (recipient list) rejects, with 451, never 550
got=$(reply x@bare.example someone@bar.org)
unlike "bare 550: the sender is not rejected with 550" "$got" '^550'

# smtpd refuses to start: no relay guard, and a listed class without definition
for case in relay class; do
	pf_instance_create || bail "cannot create a second Postfix instance"
	if [ $case = relay ]; then
		pf_postconf -e "smtpd_relay_restrictions =" "smtpd_recipient_restrictions = permit_mynetworks" ||
			bail "postconf failed"
		code=no-relay-restriction fatal='specify at least one working instance of'
	else
		pf_postconf -e "smtpd_restriction_classes = ghost_class" || bail "postconf failed"
		code=undefined-class fatal="restriction class .ghost_class. needs a definition"
	fi
	out=$("$PFCONSOLE" -c "$PF_CONF" check 2>&1)
	like "$case: check reports $code, saying smtpd will not start" "$out" \
		"main\\.cf:[0-9]+:[0-9]+: error: .*(refuses to start|stops at startup).*\\[$code\\]"
	pf_start || bail "postfix start failed"
	pf_log_mark
	pf_smtp 'NOOP' >/dev/null 2>&1
	got=$(pf_wait_log "fatal: .*$fatal" 10)
	like "$case: the real smtpd dies at startup" "$got" "$fatal"
	pf_stop
done
tap_done
