#!/bin/sh
# tests/feed/real-postfix.sh - pfconsole feed on logs a real Postfix wrote:
# a throwaway instance, real SMTP sessions triggering client/HELO/sender/
# relay rejects, a 4xx defer, reject_warning, hold, discard, redirect, filter,
# warn, info, END-OF-MESSAGE and DATA rejects, header/body checks and a
# hostile HELO; each event is checked against what the client sent and
# received (tests/feed/real_postfix.py), and again after converting the log
# to the other timestamp formats.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"

cat >"$PF_CONF/senders" <<EOT
318787866@qq.com 554 go away
tmp@x.org 450 try later
hold@x.org HOLD
disc@x.org DISCARD
redir@x.org REDIRECT other@$PF_HOST.test.example
filt@x.org FILTER smtp:[127.0.0.1]:2526
warn@x.org WARN watch this one
info@x.org INFO fyi
EOT
echo 'trial@x.org REJECT trial rule' >"$PF_CONF/trial"
echo 'bad.helo.example REJECT bad helo' >"$PF_CONF/helos"
echo '203.0.113.77 REJECT network blocked for abuse' >"$PF_CONF/clients"
echo 'eod@example.com REJECT end of data says no' >"$PF_CONF/eod"
cat >"$PF_CONF/header_checks" <<'EOT'
/^Subject: rejectme/ REJECT no thanks
/^Subject: warnme/ WARN subject warning
/^Subject: holdme/ HOLD held by header
/^Subject: discardme/ DISCARD dropped by header
EOT
echo '/viagra/ REJECT body says no' >"$PF_CONF/body_checks"
c=$PF_CONF
pf_postconf -e \
	"smtpd_client_restrictions = check_client_access texthash:$c/clients" \
	"smtpd_helo_restrictions = reject_invalid_helo_hostname, check_helo_access texthash:$c/helos" \
	"smtpd_sender_restrictions = warn_if_reject check_sender_access texthash:$c/trial, check_sender_access texthash:$c/senders" \
	"smtpd_recipient_restrictions = reject_unauth_destination" \
	"smtpd_data_restrictions = reject_multi_recipient_bounce" \
	"smtpd_end_of_data_restrictions = check_sender_access texthash:$c/eod" \
	"header_checks = regexp:$c/header_checks" "body_checks = regexp:$c/body_checks" ||
	bail "postconf failed"
pf_start || bail "postfix start failed"

out=$(PF_PORT=$PF_PORT PF_LOG=$PF_LOG PF_HOST=$PF_HOST SMTP_PY="$top_srcdir/tests/lib/smtp.py" \
	PFCONSOLE=$PFCONSOLE python3 "$top_srcdir/tests/feed/real_postfix.py" 2>&1)
[ -n "$out" ] || bail "real_postfix.py printed nothing"
printf '%s\n' "$out" | {
	while IFS= read -r l; do
		case $l in
		"PASS "*) ok "${l#PASS }" ;;
		"FAIL "*) fail "${l#FAIL }" ;;
		*) fail "real_postfix.py: $l" ;;
		esac
	done
	tap_done
}
