#!/bin/sh
# tests/tui/prompt-note.sh - at 80x24, a note under a prompt at the bottom
# of the screen (block/allow from an event) is wrapped onto more rows
# instead of being cut at the 80th column; and once the prompt is gone, the
# key line replaces it entirely: the bottom-right cell is redrawn too (it
# used to keep the last character of the note).
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <bulk@spam.example>: Recipient address rejected: go away; from=<bulk@spam.example> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n' \
	"$(stamp)" >"$log"
# the last row of the screen as drawn (no joining of wrapped rows)
last_row() { tmux -L "$TUI_SOCK" capture-pane -p -t pfc | sed -n "${TUI_H}p" | sed 's/[[:space:]]*$//'; }

# 1. c without a client table: the whole note is on screen
sed -i '/^smtpd_client_restrictions/d' "$TUI_DIR/etc/main.cf"
rm -f "$TUI_DIR/etc/access_client" "$TUI_DIR/etc/access_client.db"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "the event in Live" '554 +203\.0\.113\.9 +bulk@spam\.example'
tui_keys c
tui_expect "c proposes a new client table" "^block into table: hash:$TUI_DIR/etc/access_client\$"
tui_expect "the note's first row, cut at a space" \
	'^no table checks the client address: Enter shows this new table and the main\.cf$'
tui_expect "and its end on the next row, not cut off at 80 columns" \
	'^line that uses it \(nothing changes before y\)$'
tui_keys Escape
tui_expect "the prompt is gone" 'pfconsole \| Live rejects'
tui_wait_gone 'line that uses it' >/dev/null
like "the last row is the key line" "$(last_row)" ' q Quit$'
tui_quit

# 2. a note that fills the last row to its last cell (a long address
# guarded by the class), then Esc: nothing of it is left on the key line
long=$(printf 'a%.0s' $(seq 1 190))@bar.org
printf 'foo@bar.org     good_senders_only\n%s good_senders_only\n' "$long" \
	>"$TUI_DIR/etc/protected_destinations"
"$PFCONSOLE" -c "$TUI_DIR/etc" build >/dev/null 2>&1 || bail "pfconsole build failed"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "the event in Live" '554 +203\.0\.113\.9 +bulk@spam\.example'
tui_keys b
tui_expect "b asks for the table" '^block into table: '
tui_keys C-u; tui_type "hash:$TUI_DIR/etc/restricted_senders"
tui_expect "the class-only table's note names the long address" 'only mail to foo@bar\.org, aaaa'
r=$(last_row)
is "the note fills the last row to its 80th column" "${#r}" 80
tui_keys Escape
tui_expect "the prompt is gone" 'pfconsole \| Live rejects'
tui_wait_gone 'only mail to' >/dev/null
like "the last row is the key line, with no character of the note left" "$(last_row)" ' q Quit$'
tui_quit
tap_done
