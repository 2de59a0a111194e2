#!/bin/sh
# tests/tui/feed.sh - Live rejects and block-from-feed: the feed follows
# the log (new lines appear while it is open, newest first), filter and
# exclude (PCRE2, a bad pattern is refused), pause, the event in full with
# the table line that decided it (explain) and the jump to that line, and
# blocking the sender's domain / the client into a chosen table (prefilled,
# validated, remembered), saved only when the admin says so.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
reject() { # CLIENT_IP SENDER RECIPIENT TEXT
	printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <%s>: %s; from=<%s> to=<%s> proto=ESMTP helo=<spam.example>\n' \
		"$(stamp)" "$1" "$3" "$4" "$2" "$3" >>"$log"
}
reject 203.0.113.5 318787866@qq.com foo@bar.org 'Recipient address rejected: Access denied'

tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_expect "the first screen shows the latest rejects under the tables" 'Latest rejects +1 since start'
tui_expect "with the event" '^[0-9:]{8} +554 +203\.0\.113\.5 +318787866@qq\.com'
tui_keys 2
tui_expect "Live rejects shows the log's reject" ' [0-9.]{3,5} +203\.0\.113\.5 +318787866@qq\.com +foo@bar\.org +Recipient address reject'
reject 198.51.100.7 bulk@163.com foo@bar.org 'Sender address rejected: Access denied'
tui_expect "a new log line appears while the console is open" ' [0-9.]{3,5} +198\.51\.100\.7 +bulk@163\.com'
tui_expect "newest first" 'RECIPIENT.*
.*198\.51\.100\.7'
tui_expect "events are counted" '2 events'

# hostile and UTF-8 log text: escapes shown as text, never sent to the terminal
reject 192.0.2.77 "$(printf '\033[31m\033[2Jred@evil.example')" 'müller@bücher.example' 'Recipient address rejected: Access denied'
tui_expect "an escape sequence in the sender is shown as ^[ text" '\^\[\[31m\^\[\[2Jred@'
tui_expect "UTF-8 in the recipient is shown as such" 'müller@bücher'
tui_expect "the screen was not cleared by it (header still there)" 'TIME +CODE +CLIENT'
tui_keys f; tui_type 'qq\.com'; tui_keys Enter
tui_expect "filter: only the qq.com event" 'filter /qq\\.com/ 1 shown'
tui_expect_not "filter: 163.com hidden" 'bulk@163\.com'
tui_keys f C-u; tui_type '('; tui_keys Enter
tui_expect "a bad PCRE2 pattern is refused with the reason" 'missing closing parenthesis|missing \)'
tui_keys f C-u Enter x; tui_type 'qq'; tui_keys Enter
tui_expect "exclude: qq.com hidden" 'exclude /qq/ 2 shown'
tui_expect_not "exclude: the qq.com line is gone" '318787866@qq\.com'
tui_keys x C-u Enter
tui_expect "exclude cleared: both again" '318787866@qq\.com'

# the last five minutes' counts add up to the three events (wherever the
# minute boundaries fell)
sum=$(tui_screen | sed -n 's/.*per minute://p' | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s }')
is "per-minute counts add up to the events" "$sum" 3
tui_keys o
tui_expect "o: oldest first" 'oldest first'
tui_keys o

# rotation: the log is renamed and a new one created; the feed follows
mv "$log" "$log.1"
: >"$log"
reject 192.0.2.200 rot@rotated.example foo@bar.org 'Recipient address rejected: Access denied'
tui_expect "after a rotation new lines still appear" 'rot@rotated\.example'

tui_keys p
tui_expect "p pauses" 'PAUSED \(\+0\)'
reject 192.0.2.9 x@qq.com foo@bar.org 'Recipient address rejected: Access denied'
tui_expect "paused: the new event is counted, not shown" 'PAUSED \(\+1\)'
tui_expect_not "paused: not in the list" '192\.0\.2\.9'
tui_keys p
tui_expect "p resumes and shows it" '192\.0\.2\.9'

# the selection stays on its event while new ones arrive above it
tui_keys g j
reject 192.0.2.33 new@pinned.example foo@bar.org 'Recipient address rejected: Access denied'
tui_expect "a newer event arrives" 'new@pinned\.example'
tui_keys Enter
tui_expect "Enter still opens the event that was selected" '^sender +rot@rotated\.example'
tui_keys q

# the 163.com event in full: explain names restricted_senders line 3
tui_keys f; tui_type '163'; tui_keys Enter g
tui_keys Enter
tui_expect "Enter shows the event in full" 'pfconsole \| Event'
tui_expect "with the log line" 'NOQUEUE: reject: RCPT from unknown\[198\.51\.100\.7\]'
tui_expect "and what the configuration answers now" '^reject 554 5\.7\.1'
tui_expect "the deciding table line" "decided by $rs:3 +163\\.com REJECT"
tui_keys g
tui_expect "g jumps to that line in the editor" 'Edit hash:.*/restricted_senders'
tui_expect "the line is there" '3 163\.com +REJECT'
tui_keys q q
tui_keys f C-u Enter

# block the qq.com sender's domain from the feed
tui_keys f; tui_type '318787866'; tui_keys Enter g
tui_expect "Live again" 'Live rejects'
tui_keys B
tui_expect "B asks for the table, prefilled with the sender table" "block into table: hash:$rs"
tui_keys Enter
tui_expect "the editor opens with the line prefilled" 'new >qq\.com REJECT'
tui_expect "and validated" '^ok(;|$)'
tui_keys Enter
tui_expect "Enter adds it (unsaved)" 'qq\.com REJECT'
tui_expect "unsaved until saved" 'unsaved edits'
unlike "nothing is written before save" "$(cat "$rs")" 'qq\.com'
tui_keys s
tui_expect "saved" 'saved restricted_senders'
like "the block is on disk" "$(cat "$rs")" '^qq\.com REJECT$'
tui_keys q

# the client: into the client table; the choice is remembered
tui_keys c
tui_expect "c asks for the table, prefilled with the client table" "block into table: hash:$TUI_DIR/etc/access_client"
tui_keys Escape
tui_keys B
tui_expect "the sender table choice is remembered" "block into table: hash:$rs"
tui_keys Escape
# choose another table for clients: remembered across sessions
tui_keys c C-u
tui_type "hash:$TUI_DIR/etc/blocked_clients"; tui_keys Enter
tui_expect "the chosen (new) table opens with the client line" 'new >203\.0\.113\.5 REJECT'
tui_keys Escape q
tui_quit
like "the choice is kept in the per-user state file" "$(cat "$HOME/.local/state/pfconsole/tables")" \
	"^$TUI_DIR/etc	1	hash:$TUI_DIR/etc/blocked_clients\$"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "a new session" 'Live rejects'
tui_keys f; tui_type 'rotated'; tui_keys Enter c
tui_expect "the next session offers the table chosen before" "block into table: hash:$TUI_DIR/etc/blocked_clients"
tui_keys Escape
tui_quit
tap_done
