#!/bin/sh
# tests/replay/cli.sh - 'pfconsole impact' and 'hits' on logs made here:
#  - accepted mail whose HELO the log does not show is "not decidable" when
#    a HELO restriction is reached, and decidable once the INFO line of
#    LOGGING ACCEPTED MAIL (pfconsole(1)) logs it;
#  - 'hits' on the demo's synthetic log: each table line's count is the
#    number of reject lines it explains, counted here with grep;
#  - the lines that decided nothing are shown escaped (text and JSON).
. "$top_srcdir/tests/lib/tap.sh"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
d=$work/etc
mkdir -p "$d"
cat >"$d/helo" <<'EOT'
bad.helo.example   REJECT bad HELO
EOT
cat >"$d/main.cf" <<EOT
compatibility_level = 3.6
mydestination = bar.test
local_recipient_maps =
mynetworks = 127.0.0.0/8
smtpd_helo_restrictions = check_helo_access cdb:$d/helo
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
EOT
/usr/bin/cdb -c -m "$d/helo.cdb" "$d/helo" 2>/dev/null || "$PFCONSOLE" -c "$d" build >/dev/null 2>&1
[ -f "$d/helo.cdb" ] || bail "cannot build helo.cdb"

P="Nov 02 13:03:0"
cat >"$work/nohelo.log" <<EOT
${P}1 mx postfix/smtpd[10]: 1A2B3C4D5E: client=mail.x.example[198.51.100.1]
${P}1 mx postfix/qmgr[11]: 1A2B3C4D5E: from=<a@x.example>, size=10, nrcpt=1 (queue active)
${P}1 mx postfix/local[12]: 1A2B3C4D5E: to=<u@bar.test>, relay=local, delay=0, status=sent (delivered)
${P}1 mx postfix/qmgr[11]: 1A2B3C4D5E: removed
${P}2 mx postfix/smtpd[10]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <bad.helo.example>: Helo command rejected: bad HELO; from=<b@y.example> to=<u@bar.test> proto=ESMTP helo=<bad.helo.example>
EOT
out=$("$PFCONSOLE" -c "$d" impact --log "$work/nohelo.log" --json); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
is "impact: no pending change exits 0" "$rc" 0
like "accepted mail without a logged HELO is not decidable" "$out" \
	'"decidable":1,"not_decidable":1'
like "and the reason names the HELO" "$out" '"reason":"the HELO name \(Postfix does not log it'
like "the transaction is listed with its reason" "$out" \
	'^\{"not_decidable":"the HELO name.*"sender":"a@x\.example","recipient":"u@bar\.test"'

# a crash hole (20,000 NUL bytes, no newline) before the reject: the line
# after it is still read (as feed reads it)
{ sed -n 1,4p "$work/nohelo.log"; head -c 20000 /dev/zero; sed -n 5p "$work/nohelo.log"; } >"$work/hole.log"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/hole.log" --json)
like "a reject after a NUL hole is still replayed" "$out" '"decidable":1,"not_decidable":1'

# the same message with the INFO line at END-OF-MESSAGE: decidable
sed '2a\
'"${P}"'1 mx postfix/smtpd[10]: 1A2B3C4D5E: info: END-OF-MESSAGE from mail.x.example[198.51.100.1]: pfconsole; from=<a@x.example> to=<u@bar.test> proto=ESMTP helo=<mail.x.example>' \
	"$work/nohelo.log" >"$work/info.log"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/info.log" --json)
printf '%s\n' "$out" | sed 's/^/# /'
like "with the INFO line every transaction is decidable" "$out" '"decidable":2,"not_decidable":0'

# a pending edit that blocks the HELO of the accepted message
echo 'mail.x.example REJECT no thanks' >>"$d/helo"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/info.log"); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
is "impact exits 1 on a change" "$rc" 1
like "the change is grouped under the new line" "$out" "^$d/helo:2: mail\\.x\\.example REJECT no thanks\$"
like "with the pending reply" "$out" 'pending: 554 5\.7\.1 <mail\.x\.example>: Helo command rejected: no thanks'
out=$("$PFCONSOLE" -c "$d" impact --log "$work/nohelo.log")
like "without the INFO line the same change is not decidable" "$out" '; 0 would change$'

"$PFCONSOLE" impact --bogus >/dev/null 2>&1
is "impact: unknown option exits 2" "$?" 2
"$PFCONSOLE" -c "$d" impact --log "$work/nonexistent" >/dev/null 2>&1
is "impact: unreadable log exits 1" "$?" 1

# -- hits on the demo log ---------------------------------------------------
sh "$top_srcdir/demo/setup.sh" "$work/demo" >/dev/null 2>&1 || bail "demo/setup.sh failed"
"$PFCONSOLE" -c "$work/demo" build >/dev/null 2>&1
python3 "$top_srcdir/demo/traffic.py" --synthetic "$work/demo.log" --count 400 --delay 0 --seed 7 ||
	bail "traffic.py failed"
"$PFCONSOLE" -c "$work/demo" hits --log "$work/demo.log" --json >"$work/hits.json"
is "hits exits 0" "$?" 0
sed 's/^/# hits: /' "$work/hits.json" | head -20
like "hits --json: last is an RFC 3339 time (+00:00, as feed writes it)" "$(head -1 "$work/hits.json")" \
	'"last":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}"'
# count of a table line in the hits output
hit() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["file"].endswith("/" + sys.argv[2]) and o["line"] == int(sys.argv[3]):
        print(o["count"]); break
else:
    print(0)' "$work/hits.json" "$1" "$2"; }
rej() { grep -c "reject: RCPT from .*$1" "$work/demo.log"; }
n=$(rej 'Sender address rejected: 521; from=<[^>]*@qq\.com>'); [ "$n" -gt 0 ] || bail "no qq.com rejects in the demo log"
is "restricted_senders qq.com line: one hit per qq.com reject line" "$(hit restricted_senders 3)" "$n"
is "restricted_senders 163.com line" "$(hit restricted_senders 4)" \
	"$(rej 'Sender address rejected: 521; from=<[^>]*@163\.com>')"
is "null_sender <> line: the third-party DSN rejects" "$(hit null_sender 1)" \
	"$(rej 'no third-party DSNs; from=<>')"
is "access_sender domain.ie line: forged domain.ie senders" "$(hit access_sender 1)" \
	"$(rej 'Access denied; from=<[^>]*@domain\.ie>')"

# -- impact on the demo log: pending evaluated only where a changed table
# answers otherwise gives exactly what evaluating everything gives
sed -i 's/^domain\.ie .*/domain.ie OK/' "$work/demo/access_sender"
printf '163.com REJECT no 163 here\n' >>"$work/demo/access_sender"
touch -d '+2 seconds' "$work/demo/access_sender"
"$PFCONSOLE" -c "$work/demo" impact --log "$work/demo.log" --json >"$work/fast.json"
"$PFCONSOLE" -c "$work/demo" impact --log "$work/demo.log" --json --full >"$work/full.json"
head -1 "$work/fast.json" | sed 's/^/# demo impact: /'
like "the demo edit changes decisions" "$(head -1 "$work/fast.json")" '"changed":[1-9]'
is "impact without --full reports what --full reports" "$(cmp "$work/fast.json" "$work/full.json" && echo same)" same
# answers after RCPT TO (smtpd's DATA and END-OF-MESSAGE stages, cleanup's
# header and body checks) are transactions too: not decidable, with the
# stage as the reason (explain evaluates RCPT TO), never dropped
Q="Nov 02 13:04:0"
cat >"$work/after.log" <<EOT
${Q}1 mx postfix/smtpd[10]: 4A2B3C4D5E: client=mail.x.example[198.51.100.1]
${Q}1 mx postfix/smtpd[10]: 4A2B3C4D5E: reject: END-OF-MESSAGE from mail.x.example[198.51.100.1]: 554 5.7.1 <mail.x.example[198.51.100.1]>: Client host rejected: no; from=<a@x.example> to=<u@bar.test> proto=ESMTP helo=<mail.x.example>
${Q}2 mx postfix/smtpd[10]: NOQUEUE: reject: DATA from mail.y.example[198.51.100.2]: 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce; from=<> to=<u@bar.test> proto=ESMTP helo=<mail.y.example>
${Q}3 mx postfix/smtpd[10]: 5A2B3C4D5E: client=mail.z.example[198.51.100.3]
${Q}3 mx postfix/cleanup[12]: 5A2B3C4D5E: reject: header Subject: buy now from mail.z.example[198.51.100.3]; from=<b@z.example> to=<u@bar.test> proto=ESMTP helo=<mail.z.example>: 5.7.1 no spam subjects
${Q}4 mx postfix/cleanup[12]: 6A2B3C4D5E: reject: body click here from mail.w.example[198.51.100.4]; from=<c@w.example> to=<u@bar.test> proto=SMTP helo=<mail.w.example>: 5.7.1 no spam bodies
${Q}5 mx postfix/smtpd[10]: 4A2B3C4D5E: info: END-OF-MESSAGE from mail.v.example[198.51.100.5]: pfconsole; from=<d@v.example> to=<u@bar.test> proto=ESMTP helo=<mail.v.example>
EOT
out=$("$PFCONSOLE" -c "$d" impact --log "$work/after.log" --json)
printf '%s\n' "$out" | sed 's/^/# /'
like "after-RCPT answers: four transactions, none decidable" "$out" \
	'"replayed":4,"decidable":0,"not_decidable":4'
like "END-OF-MESSAGE: its reason" "$out" \
	'"not_decidable":"answered at END-OF-MESSAGE \(smtpd_end_of_data_restrictions\)[^"]*".*"sender":"a@x\.example"'
like "DATA: its reason" "$out" \
	'"not_decidable":"answered at DATA \(smtpd_data_restrictions\)[^"]*".*"sender":"","recipient":"u@bar\.test"'
like "header_checks: its reason" "$out" \
	'"not_decidable":"a header_checks action \(cleanup\)[^"]*".*"sender":"b@z\.example"'
like "body_checks: its reason" "$out" \
	'"not_decidable":"a body_checks action \(cleanup\)[^"]*".*"sender":"c@w\.example"'
# one logged reject that the tables as built now answer otherwise: the note
# counts it in the singular
cat >"$work/changed.log" <<EOT
${P}3 mx postfix/smtpd[10]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <gone.helo.example>: Helo command rejected: bad HELO; from=<b@y.example> to=<u@bar.test> proto=ESMTP helo=<gone.helo.example>
EOT
out=$("$PFCONSOLE" -c "$d" impact --log "$work/changed.log")
printf '%s\n' "$out" | sed 's/^/# /'
like "impact: one transaction answered otherwise than logged, in the singular" "$out" \
	'^note: for 1 transaction the tables as built now answer otherwise'
like "and the summary line too" "$out" '^replayed 1 transaction from .* \(1 line\): 1 decidable'
# -- hits: the lines that decided nothing are shown as every table text is
# (textsafe in text, JSON escapes), not copied raw
u=$work/unused
mkdir -p "$u"
printf 'plain.example OK\nctl\033[31m.example REJECT bad\nq.example REJECT "quoted" \\ back\n' >"$u/snd"
cat >"$u/main.cf" <<EOT
compatibility_level = 3.6
mydestination = bar.test
local_recipient_maps =
smtpd_sender_restrictions = check_sender_access cdb:$u/snd
EOT
/usr/bin/cdb -c -m "$u/snd.cdb" "$u/snd" 2>/dev/null || "$PFCONSOLE" -c "$u" build >/dev/null 2>&1
out=$("$PFCONSOLE" -c "$u" hits --log "$work/nohelo.log")
printf '%s\n' "$out" | sed 's/^/# /' | tr -d '\033'
like "hits: a plain unused line as written" "$out" "^$u/snd:1: plain\\.example OK\$"
like "hits: an escape byte in an unused line is shown as ^[" "$out" "^$u/snd:2: ctl\\^\\[\\[31m\\.example REJECT bad\$"
out=$("$PFCONSOLE" -c "$u" hits --log "$work/nohelo.log" --json)
printf '%s\n' "$out" | sed 's/^/# /' | tr -d '\033'
like "hits --json: an escape byte is \\u001b" "$out" '"key":"ctl\\u001b\[31m\.example","value":"REJECT bad"'
like "hits --json: quotes and backslashes escaped" "$out" \
	'"line":3,"key":"q\.example","value":"REJECT \\"quoted\\" \\\\ back","count":0'
# a line removed from the source, still in the built index: the group
# names the index, not a line 0 of the source
"$PFCONSOLE" -c "$d" build >/dev/null 2>&1 || bail "build failed"
sed -i '/mail\.x\.example/d' "$d/helo"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/info.log")
printf '%s\n' "$out" | sed 's/^/# /'
like "a removed line: grouped as the built index's entry" "$out" \
	"^no longer: $d/helo \\(built index only\\): mail\\.x\\.example REJECT no thanks\$"
unlike "no line 0" "$out" ':0: '
tap_done
