#!/bin/sh
# tests/tui/impact.sh - Apply shows what the pending tables would do to the
# mail in the log before it builds: the same prediction as
# 'pfconsole impact' (counts, the group of the pending line, the
# likely-legitimate flag), the list of changed transactions, each in a
# detail view with both answers; y applies; an Apply that changes no
# decision goes straight on; a line not saved yet in the editor is part of
# what Apply replays; Esc cancels a replay that is running.
. "$top_srcdir/tests/tui/lib.sh"

d=$TUI_DIR/etc
mkdir -p "$d"
cat >"$d/sender_access" <<'EOT'
bulk.example      REJECT bulk mail is not wanted here
EOT
cat >"$d/main.cf" <<EOT
compatibility_level = 3.6
mydestination = bar.test
local_recipient_maps =
mynetworks = 127.0.0.0/8
smtpd_sender_restrictions = check_sender_access hash:$d/sender_access
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
EOT
"$PFCONSOLE" -c "$d" build >/dev/null 2>&1 || bail "build failed"
cat >"$TUI_DIR/postfix" <<'EOT'
#!/bin/sh
# a stand-in for postfix(1): check passes, Postfix is not running
case "$3" in check) exit 0 ;; *) exit 1 ;; esac
EOT
chmod +x "$TUI_DIR/postfix"
export PFCONSOLE_POSTFIX="$TUI_DIR/postfix"

P="Nov 02 13:03:0"
cat >"$TUI_DIR/mail.log" <<EOT
${P}1 mx postfix/smtpd[10]: 1A2B3C4D5E: client=ws1.bar.test[127.0.0.9]
${P}1 mx postfix/smtpd[10]: 1A2B3C4D5E: info: END-OF-MESSAGE from ws1.bar.test[127.0.0.9]: pfconsole; from=<me@bar.test> to=<alice@partner.example> proto=ESMTP helo=<ws1.bar.test>
${P}1 mx postfix/qmgr[11]: 1A2B3C4D5E: from=<me@bar.test>, size=10, nrcpt=1 (queue active)
${P}1 mx postfix/smtp[12]: 1A2B3C4D5E: to=<alice@partner.example>, relay=mx.partner.example[192.0.2.1]:25, delay=0, status=sent (ok)
${P}1 mx postfix/qmgr[11]: 1A2B3C4D5E: removed
${P}2 mx postfix/smtpd[10]: 2A2B3C4D5E: client=mail.partner.example[198.51.100.10]
${P}2 mx postfix/smtpd[10]: 2A2B3C4D5E: info: END-OF-MESSAGE from mail.partner.example[198.51.100.10]: pfconsole; from=<alice@partner.example> to=<foo@bar.test> proto=ESMTP helo=<mail.partner.example>
${P}2 mx postfix/qmgr[11]: 2A2B3C4D5E: from=<alice@partner.example>, size=10, nrcpt=1 (queue active)
${P}2 mx postfix/local[12]: 2A2B3C4D5E: to=<foo@bar.test>, relay=local, delay=0, status=sent (delivered)
${P}2 mx postfix/qmgr[11]: 2A2B3C4D5E: removed
${P}3 mx postfix/smtpd[10]: NOQUEUE: reject: RCPT from mx.bulk.example[198.51.100.20]: 554 5.7.1 <news@bulk.example>: Sender address rejected: bulk mail is not wanted here; from=<news@bulk.example> to=<foo@bar.test> proto=ESMTP helo=<mx.bulk.example>
EOT
# the pending edit, saved but not applied: a block that hits a correspondent
echo 'partner.example   REJECT partner mail refused' >>"$d/sender_access"
touch -d '+2 seconds' "$d/sender_access"
cli=$("$PFCONSOLE" -c "$d" impact --log "$TUI_DIR/mail.log")
printf '%s\n' "$cli" | sed 's/^/# cli: /'

export PFCONSOLE_TIMING="$TUI_DIR/timing"
tui_start -c "$d" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'sender_access'
tui_keys A
tui_expect "Apply first shows the impact" 'Apply: impact of the pending changes'
tui_expect "with the counts impact prints" 'replayed 3 transactions of .*mail\.log: 0 not decidable; 1 would change'
like "(the CLI says the same)" "$cli" 'replayed 3 transactions .*: 3 decidable, 0 not decidable; 1 would change'
tui_expect "grouped by the pending line, as the CLI groups" "1  $d/sender_access:2: partner\\.example REJECT partner mail refused"
like "(the CLI's group)" "$cli" "^$d/sender_access:2: partner\\.example REJECT partner mail refused\$"
tui_expect "flagged as mail from a correspondent" 'likely legitimate: 1 message from correspondents of your users \(1 sent to them\)'
is "nothing was built yet" "$(/usr/sbin/postmap -c "$d" -q partner.example "hash:$d/sender_access" 2>/dev/null)" ""
tui_keys Enter
tui_expect "Enter lists the changed transactions" 'accept->reject +198\.51\.100\.10 <alice@partner\.example> -> <foo@bar\.test>'
tui_keys Enter
tui_expect "a transaction opens with both answers" 'now +accept'
tui_expect "the pending reply" 'pending +reject 554 5\.7\.1 <alice@partner\.example>: Sender address rejected: partner mail refused'
tui_expect "and the pending explain trail" "lookup 'partner\\.example' in hash:$d/sender_access: found"
tui_keys q q
tui_expect "back on the summary" 'y: apply \(build, postfix check, reload\)'
tui_keys y
tui_expect "y applies" 'Applied\.'
tui_expect "the build ran" "built hash:$d/sender_access"
is "the pending line is live now" "$(/usr/sbin/postmap -c "$d" -q partner.example "hash:$d/sender_access" 2>/dev/null)" \
	"REJECT partner mail refused"
tui_keys q

# nothing would change: Apply goes straight on, with the impact line
tui_keys A
tui_expect "no decision change: no question asked" 'Impact: replayed 3 transactions of .*; 0 would change'
tui_expect "and the apply ran" 'Applied\.'
tui_keys q

# the editor's hit-count column: H shows it, H again sorts by count
tui_keys / ; tui_type sender_access; tui_keys Enter Enter
tui_expect "the editor opens" 'Edit hash:.*/sender_access'
tui_keys H
tui_expect "H shows the counts: the bulk line explains the one bulk reject" \
	'^ +1 +1 bulk\.example +REJECT bulk mail'
tui_expect "the partner line (live since the apply) decides the one partner message" \
	'^ +2 +1 partner\.example +REJECT partner mail refused'
tui_keys H
tui_expect "H again sorts by count" 'entries sorted by hit count'
tui_keys H q
tui_expect "back on Maps" 'sender_access'

# the console's unsaved edits are part of the pending version: a line typed
# in the editor and not saved is what Apply's impact replays (Apply saves
# the unsaved tables first, then replays, then asks)
tui_keys / ; tui_type sender_access; tui_keys Enter Enter
tui_expect "the editor opens again" 'Edit hash:.*/sender_access'
tui_keys a; tui_type "bar.test REJECT own domain refused"; tui_keys Enter
tui_expect "an unsaved line" 'bar\.test +REJECT own domain refused'
is "(not saved yet)" "$(grep -c 'own domain' "$d/sender_access")" 0
tui_keys A
tui_expect "Apply's impact replays the unsaved line" \
	"1  $d/sender_access:[0-9]*: bar\\.test REJECT own domain refused"
tui_expect "... the message our user sent is the one that would change" \
	'replayed 3 transactions of .*mail\.log: 0 not decidable; 1 would change'
tui_keys q
is "q: nothing built (the line is saved, not live)" \
	"$(/usr/sbin/postmap -c "$d" -q bar.test "hash:$d/sender_access" 2>/dev/null)" ""
tui_keys q
tui_expect "back on Maps" 'sender_access'

# a long replay: progress on the status line, Esc cancels it
python3 "$top_srcdir/tests/bench/replaygen.py" "$TUI_DIR" 1000000 10 || bail "replaygen failed"
cp "$TUI_DIR/maillog" "$TUI_DIR/mail.log"
tui_expect "the console still shows Maps" 'sender_access'
tui_keys A
tui_expect "the replay runs in the background, with progress" 'replaying the mail log against the pending tables'
# keys while it runs: the loop's CPU time per key (PFCONSOLE_TIMING; wall
# time on this shared machine is reported, not asserted)
: >"$TUI_DIR/timing"
for k in 1 2 3 4 5 6; do
	if [ $((k % 2)) -eq 1 ]; then tui_keys j; else tui_keys k; fi
	n=0
	while [ "$(grep -c '^key ' "$TUI_DIR/timing")" -lt $k ] && [ $n -lt 100 ]; do
		sleep 0.02; n=$((n + 1))
	done
done
keys=$(grep '^key ' "$TUI_DIR/timing")
printf '%s\n' "$keys" | sed 's/^/# during the replay: /'
is "six keys answered while the replay ran" "$(printf '%s\n' "$keys" | grep -c '^key ')" 6
cpu=$(printf '%s\n' "$keys" | awk '$4 > m { m = $4 } END { print m + 0 }')
check "each took < 16 ms of the console thread's CPU (max ${cpu} us)" test "$cpu" -lt 16000
tui_expect "and the replay was still running" 'replaying the mail log against the pending tables'
t0=$(tui_now_ms)
tui_keys Escape
tui_expect "Esc cancels it" 'apply cancelled during the replay'
t1=$(tui_now_ms)
diag "cancelled in $((t1 - t0)) ms"
tui_expect_not "nothing was applied" 'Applied\.'
tui_quit
tap_done
