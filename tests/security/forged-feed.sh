#!/bin/sh
# tests/security/forged-feed.sh - a real Postfix logs sessions whose MAIL
# FROM, RCPT TO, HELO and Subject are built to forge the log's field list
# (quotes, "> to=<", "; from=<", "[1.2.3.4]", very long values); every field
# pfconsole feed parses must be what the client really sent - or absent on
# an event marked ambiguous.  Never a forged value (tests/security/forged_feed.py).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
c=$PF_CONF
printf '%s\n' '/evil\.example$/ REJECT Access denied' >"$c/senders"
printf '%s\n' '/^Subject: .*viagra/ REJECT message content rejected' >"$c/header_checks"
pf_postconf -e \
	"smtpd_sender_restrictions = check_sender_access regexp:$c/senders" \
	"smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination" \
	"mynetworks = 127.0.0.0/8" "header_checks = regexp:$c/header_checks" ||
	bail "postconf failed"
pf_start || bail "postfix start failed"
out=$(PF_PORT=$PF_PORT PF_LOG=$PF_LOG PF_HOST=$PF_HOST SMTP_PY="$top_srcdir/tests/lib/smtp.py" \
	PFCONSOLE=$PFCONSOLE python3 "$top_srcdir/tests/security/forged_feed.py" 2>&1)
[ -n "$out" ] || bail "forged_feed.py printed nothing"
printf '%s\n' "$out" | {
	while IFS= read -r l; do
		case $l in
		"PASS "*) ok "${l#PASS }" ;;
		"FAIL "*) fail "${l#FAIL }" ;;
		*) fail "forged_feed.py: $l" ;;
		esac
	done
	tap_done
}
